package eventbridge

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/trail"
)

const account = "123456789012"

// rootRule is the shape of the built-in root-activity rule (issue 12): any call whose
// userIdentity.type is Root.
var rootRule = ManagedRule{Name: "RootwardRootActivity", ManagedBy: "rootward",
	EventPattern: `{"detail": {"userIdentity": {"type": ["Root"]}}}`,
	Targets:      []Target{{ID: "alert", ARN: "arn:aws:rootward:us-east-1:123456789012:alert/root-activity"}}}

func sampleEvents() []*trail.Event {
	ro, rw := true, false
	key := "AKIAEXAMPLE"
	empty := ""
	return []*trail.Event{
		{EventVersion: "1.08", EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventSource: "iam.amazonaws.com", EventName: "CreateUser",
			AWSRegion: "us-east-1", SourceIPAddress: "203.0.113.9", UserAgent: "aws-cli/2", RequestID: "r1", EventID: "e1", ReadOnly: &rw,
			EventType: trail.AwsAPICall, ManagementEvent: true, RecipientAccountID: account, EventCategory: "Management",
			UserIdentity:      trail.UserIdentity{Type: "IAMUser", PrincipalID: "AIDA", ARN: "arn:aws:iam::123456789012:user/admin", AccountID: account, AccessKeyID: &key, UserName: "admin"},
			RequestParameters: map[string]any{"userName": "alice"}},
		{EventVersion: "1.08", EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
			AWSRegion: "us-east-1", EventID: "e2", EventType: trail.AwsConsoleSignIn, ManagementEvent: true, RecipientAccountID: account,
			UserIdentity:        trail.UserIdentity{Type: "Root", AccessKeyID: &empty, AccountID: account},
			ResponseElements:    map[string]any{"ConsoleLogin": "Success"},
			AdditionalEventData: map[string]any{"MFAUsed": "No"}, ErrorMessage: ""},
		{EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity", ReadOnly: &ro,
			EventType: trail.AwsAPICall, RecipientAccountID: account, ErrorCode: "AccessDenied", ErrorMessage: "no",
			UserIdentity: trail.UserIdentity{Type: "AssumedRole", InvokedBy: "cloudformation.amazonaws.com",
				SessionContext: &trail.SessionContext{AssumedRoot: "true"}}},
	}
}

// TestTrailViewAgreesWithJSON: wherever the struct view answers a pattern without encoding, its
// answer is the one the encoded event gives; and the common patterns are answered that way.
func TestTrailViewAgreesWithJSON(t *testing.T) {
	t.Parallel()
	patterns := []struct {
		text  string
		quick bool // the view answers it without encoding
	}{
		{`{"detail": {"userIdentity": {"type": ["Root"]}}}`, true},
		{`{"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]}`, true},
		{`{"detail": {"eventName": [{"prefix": "Create"}], "readOnly": [false]}}`, true},
		{`{"detail": {"errorCode": [{"exists": true}]}}`, true},
		{`{"detail": {"errorCode": [{"exists": false}], "userAgent": [{"exists": false}]}}`, true},
		{`{"detail": {"userIdentity": {"accessKeyId": [""]}}}`, true},
		{`{"detail": {"userIdentity": {"invokedBy": [{"exists": false}]}, "eventType": [{"anything-but": "AwsServiceEvent"}]}}`, true},
		{`{"account": ["123456789012"], "region": ["us-east-1"], "time": [{"prefix": "2026-01-02"}], "version": ["0"]}`, true},
		{`{"resources": [{"exists": false}]}`, true},
		{`{"detail": {"managementEvent": [true], "eventVersion": ["1.08"]}}`, true},
		{`{"detail": {"sourceIPAddress": [{"cidr": "203.0.113.0/24"}]}}`, true},
		{`{"detail": {"requestParameters": {"userName": ["alice"]}}}`, false},
		{`{"detail": {"userIdentity": {"sessionContext": {"assumedRoot": ["true"]}}}}`, false},
		{`{"detail": {"additionalEventData": {"MFAUsed": ["No"]}}}`, false},
		{`{"id": [{"exists": true}]}`, false},
	}
	for _, e := range sampleEvents() {
		body, err := trailEnvelope(e)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := pattern.DecodeEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range patterns {
			p, err := pattern.Parse(pt.text)
			if err != nil {
				t.Fatal(err)
			}
			v := &trailView{e: e}
			got := p.Matches(v)
			if v.unknown == pt.quick {
				t.Errorf("%s on %s: unknown = %v, want %v", pt.text, e.EventName, v.unknown, !pt.quick)
			}
			if want := p.Matches(decoded); !v.unknown && got != want {
				t.Errorf("%s on %s: view says %v, JSON says %v", pt.text, e.EventName, got, want)
			}
		}
	}
}

// TestCachedNoMatchQueuesNothing: with only the root-activity rule, a record that is not root's
// is decided on the writer goroutine and not queued; a root one is.
func TestCachedNoMatchQueuesNothing(t *testing.T) {
	t.Parallel()
	s := New(testbackend.Open(t))
	ctx := context.Background()
	if err := s.EnsureManagedRule(ctx, account, rootRule); err != nil {
		t.Fatal(err)
	}
	warm(t, s)
	events := sampleEvents()
	s.bus.onTrail(events[:1])
	if n := len(s.bus.queue); n != 0 {
		t.Errorf("queued %d events for an IAM user's call, want 0", n)
	}
	s.bus.onTrail(events[1:2])
	if n := len(s.bus.queue); n != 1 {
		t.Errorf("queued %d events for a root sign-in, want 1", n)
	}
}

// BenchmarkTrailNoMatch is the trail subscriber's cost per record that no rule of its account can
// match (issue 12's budget: under 1 µs): the account has the root-activity rule, and then fifty
// more rules of other sources.
func BenchmarkTrailNoMatch(b *testing.B) {
	for _, extra := range []int{0, 50} {
		b.Run("rules="+strconv.Itoa(extra+1), func(b *testing.B) {
			s := New(testbackend.Open(b))
			ctx := context.Background()
			if err := s.EnsureManagedRule(ctx, account, rootRule); err != nil {
				b.Fatal(err)
			}
			for i := range extra {
				r := rootRule
				r.Name, r.EventPattern = "other-"+strconv.Itoa(i), `{"source": ["aws.s3`+strconv.Itoa(i)+`"], "detail": {"eventName": ["PutObject"]}}`
				if err := s.EnsureManagedRule(ctx, account, r); err != nil {
					b.Fatal(err)
				}
			}
			warm(b, s)
			batch := sampleEvents()[:1]
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s.bus.onTrail(batch)
			}
			if len(s.bus.queue) != 0 {
				b.Fatalf("queued %d events", len(s.bus.queue))
			}
		})
	}
}

// TestDeliveriesPruned: attempts older than DeliveryRetention are deleted as new ones are
// recorded.
func TestDeliveriesPruned(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := New(testbackend.Open(t), WithClock(clock))
	ctx := context.Background()
	old := now.Add(-DeliveryRetention - time.Hour)
	for i := range pruneEvery - 1 {
		s.record(ctx, Delivery{Time: old.Add(time.Duration(i) * time.Second), Account: account, Rule: "r", Outcome: OutcomeDelivered})
	}
	if got, _ := s.Deliveries(ctx, account, time.Time{}, 1000); len(got) != pruneEvery-1 {
		t.Fatalf("recorded %d attempts, want %d", len(got), pruneEvery-1)
	}
	s.record(ctx, Delivery{Time: now, Account: account, Rule: "r", Outcome: OutcomeDelivered})
	got, err := s.Deliveries(ctx, account, time.Time{}, 1000)
	if err != nil || len(got) != 1 || !got[0].Time.Equal(now) {
		t.Errorf("after pruning: %d attempts (%v), want only the new one", len(got), err)
	}
}

// warm loads the account's rules into the cache, once the change feed has read the database
// (PostgreSQL's listener connects in the background; an entry built before is not kept).
func warm(t testing.TB, s *Service) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.cache.get(context.Background(), account); err != nil {
			t.Fatal(err)
		}
		if s.cache.cached(account) != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the change feed never became healthy")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCacheFollowsChanges: a rule change made through another Service over the same store (as
// another node would) drops the cached rules, so the next event sees the new rule.
func TestCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	a, b := New(st), New(st)
	ctx := context.Background()
	if err := a.EnsureManagedRule(ctx, account, rootRule); err != nil {
		t.Fatal(err)
	}
	warm(t, b)
	if r := b.cache.cached(account); r == nil || r.n != 1 {
		t.Fatalf("cached rules = %+v, want the root-activity rule", r)
	}
	other := rootRule
	other.Name, other.EventPattern = "creates", `{"source": ["aws.iam"], "detail": {"eventName": ["CreateUser"]}}`
	if err := a.EnsureManagedRule(ctx, account, other); err != nil {
		t.Fatal(err)
	}
	if r := b.cache.cached(account); r != nil {
		t.Fatalf("cached rules after a change = %+v, want none until reloaded", r)
	}
	b.bus.onTrail(sampleEvents()[:1]) // an IAM user's CreateUser: queued for the worker to decide
	if n := len(b.bus.queue); n != 1 {
		t.Errorf("queued %d events, want 1", n)
	}
	warm(t, b)
	if r := b.cache.cached(account); r == nil || r.n != 2 {
		t.Errorf("reloaded rules = %+v, want 2", r)
	}
}
