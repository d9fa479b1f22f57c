package sns

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

func TestFilterPolicyMatching(t *testing.T) {
	t.Parallel()
	str := func(v string) MessageAttribute { return MessageAttribute{DataType: "String", StringValue: v} }
	num := func(v string) MessageAttribute { return MessageAttribute{DataType: "Number", StringValue: v} }
	arr := func(v string) MessageAttribute { return MessageAttribute{DataType: "String.Array", StringValue: v} }
	tests := []struct {
		name, policy, scope string
		attrs               map[string]MessageAttribute
		body                string
		want                bool
	}{
		{"no policy", "", "", nil, "", true},
		{"exact", `{"a":["x"]}`, "", map[string]MessageAttribute{"a": str("x")}, "", true},
		{"exact miss", `{"a":["x"]}`, "", map[string]MessageAttribute{"a": str("y")}, "", false},
		{"missing attribute", `{"a":["x"]}`, "", nil, "", false},
		{"prefix", `{"a":[{"prefix":"ro"}]}`, "", map[string]MessageAttribute{"a": str("root")}, "", true},
		{"suffix", `{"a":[{"suffix":"ot"}]}`, "", map[string]MessageAttribute{"a": str("root")}, "", true},
		{"ignore case", `{"a":[{"equals-ignore-case":"ROOT"}]}`, "", map[string]MessageAttribute{"a": str("root")}, "", true},
		{"anything-but", `{"a":[{"anything-but":["x","y"]}]}`, "", map[string]MessageAttribute{"a": str("z")}, "", true},
		{"anything-but hit", `{"a":[{"anything-but":"x"}]}`, "", map[string]MessageAttribute{"a": str("x")}, "", false},
		{"anything-but prefix", `{"a":[{"anything-but":{"prefix":"x"}}]}`, "", map[string]MessageAttribute{"a": str("xy")}, "", false},
		{"anything-but missing", `{"a":[{"anything-but":"x"}]}`, "", nil, "", false},
		{"numeric range", `{"n":[{"numeric":[">",0,"<=",5]}]}`, "", map[string]MessageAttribute{"n": num("5")}, "", true},
		{"numeric out", `{"n":[{"numeric":[">",0,"<=",5]}]}`, "", map[string]MessageAttribute{"n": num("6")}, "", false},
		{"number exact", `{"n":[3]}`, "", map[string]MessageAttribute{"n": num("3.0")}, "", true},
		{"string array", `{"a":["y"]}`, "", map[string]MessageAttribute{"a": arr(`["x","y"]`)}, "", true},
		{"exists", `{"a":[{"exists":true}]}`, "", map[string]MessageAttribute{"a": str("q")}, "", true},
		{"not exists", `{"a":[{"exists":false}]}`, "", nil, "", true},
		{"all keys", `{"a":["x"],"b":["y"]}`, "", map[string]MessageAttribute{"a": str("x")}, "", false},
		{"$or", `{"$or":[{"a":["x"]},{"b":["y"]}]}`, "", map[string]MessageAttribute{"b": str("y")}, "", true},
		{"body nested", `{"detail":{"type":["Root"]}}`, "MessageBody", nil, `{"detail":{"type":"Root"}}`, true},
		{"body nested miss", `{"detail":{"type":["Root"]}}`, "MessageBody", nil, `{"detail":{"type":"IAMUser"}}`, false},
		{"body not JSON", `{"a":["x"]}`, "MessageBody", nil, `plain`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.policy != "" {
				if err := checkFilterPolicy(tc.policy); err != nil {
					t.Fatalf("checkFilterPolicy: %v", err)
				}
			}
			if got := matchesFilter(tc.policy, tc.scope, tc.attrs, tc.body); got != tc.want {
				t.Fatalf("matches = %v, want %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`[]`, `{"a":"x"}`, `{"a":[]}`, `{"a":[{"bogus":1}]}`, `{"a":[{"numeric":["~",1]}]}`, `{"a":[{"exists":"yes"}]}`} {
		if err := checkFilterPolicy(bad); err == nil {
			t.Errorf("checkFilterPolicy(%s) accepted it", bad)
		}
	}
}

// TestStringToSign holds the signing strings of the SNS Developer Guide, "Verifying the
// signatures of Amazon SNS messages".
func TestStringToSign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    message
		want string
	}{
		{"notification", message{Type: "Notification", MessageID: "id", TopicArn: "t", Subject: "s", Message: "m", Timestamp: "ts"},
			"Message\nm\nMessageId\nid\nSubject\ns\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"},
		{"notification without subject", message{Type: "Notification", MessageID: "id", TopicArn: "t", Message: "m", Timestamp: "ts"},
			"Message\nm\nMessageId\nid\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"},
		{"confirmation", message{Type: "SubscriptionConfirmation", MessageID: "id", TopicArn: "t", Message: "m", Timestamp: "ts", Token: "k", SubscribeURL: "u"},
			"Message\nm\nMessageId\nid\nSubscribeURL\nu\nTimestamp\nts\nToken\nk\nTopicArn\nt\nType\nSubscriptionConfirmation\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.stringToSign(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEmailRetrySchedule holds the schedule of customer managed endpoints: two retries 10 s
// apart, exponential backoff to 600 s, then 600 s apart, 50 attempts in all.
func TestEmailRetrySchedule(t *testing.T) {
	t.Parallel()
	r := &deliveryRecord{Protocol: ProtoEmail}
	var total time.Duration
	want := map[int]time.Duration{1: 10 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 7: 320 * time.Second, 8: 600 * time.Second, 49: 600 * time.Second}
	for n := 1; n < maxEmailAttempts; n++ {
		d := retryDelay(r, n)
		if w, ok := want[n]; ok && d != w {
			t.Errorf("after attempt %d: %v, want %v", n, d, w)
		}
		total += d
	}
	// AWS says "over 6 hours"; its own 38 post-backoff attempts 600 s apart take 6 h 20 min.
	if total < 6*time.Hour || total > 8*time.Hour {
		t.Errorf("total %v, want six to eight hours", total)
	}
}

// recordingNotifier records messages, failing while fail is set.
type recordingNotifier struct {
	mu   sync.Mutex
	fail bool
	sent []notify.Message
}

func (n *recordingNotifier) Send(_ context.Context, m notify.Message) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("relay down")
	}
	n.sent = append(n.sent, m)
	return nil
}

// TestPruneDeliveries deletes the records of finished deliveries older than the cutoff and keeps
// pending ones.
func TestPruneDeliveries(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	n := &recordingNotifier{}
	s := New(Config{Store: testbackend.Open(t), Sealer: testutil.Sealer(t), Notifier: n, PublicURL: "https://rootward.test", Now: clock.Now})
	ctx := context.Background()
	if _, err := s.Publish(ctx, &PublishInput{PhoneNumber: "+15555550100", Message: "old"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	n.fail = true
	if _, err := s.Publish(ctx, &PublishInput{PhoneNumber: "+15555550100", Message: "stuck"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * 24 * time.Hour)
	got, err := s.PruneDeliveries(ctx, clock.Now().Add(-7*24*time.Hour))
	if err != nil || got != 1 {
		t.Fatalf("PruneDeliveries = %d, %v; want 1 (the delivered one)", got, err)
	}
	ds, err := s.Deliveries(ctx, "+15555550100")
	if err != nil || len(ds) != 1 || ds[0].State != statePending || len(ds[0].Attempts) != 1 || ds[0].Attempts[0].Error != "relay down" {
		t.Fatalf("deliveries left = %+v, %v; want the pending one with its failed attempt", ds, err)
	}
}

// TestConcurrentCreates creates one topic and subscribes one endpoint from many goroutines at
// once: every call answers the one topic and the one subscription.
func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := New(Config{Store: testbackend.Open(t), Sealer: testutil.Sealer(t), Notifier: &recordingNotifier{}, PublicURL: "https://rootward.test"})
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	topicARNs, subARNs := make([]string, n), make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tp, err := s.CreateTopic(ctx, "111122223333", "race", nil, nil)
			if err != nil {
				errs[i] = err
				return
			}
			topicARNs[i] = tp.ARN
			sub, err := s.Subscribe(ctx, SubscribeInput{Owner: "111122223333", TopicARN: tp.ARN, Protocol: ProtoSMS, Endpoint: "+15555550100"})
			if err != nil {
				errs[i] = err
				return
			}
			subARNs[i] = sub.ARN
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || topicARNs[i] != topicARNs[0] || subARNs[i] != subARNs[0] {
			t.Fatalf("call %d: %v, %s, %s; want %s, %s", i, errs[i], topicARNs[i], subARNs[i], topicARNs[0], subARNs[0])
		}
	}
}

// TestRunDelivers checks the delivery loop sends what Publish queues without being asked.
func TestRunDelivers(t *testing.T) {
	t.Parallel()
	sent := make(chan notify.Message, 1)
	s := New(Config{Store: testbackend.Open(t), Sealer: testutil.Sealer(t), Notifier: notifierFunc(func(m notify.Message) { sent <- m }), PublicURL: "https://rootward.test"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := s.Publish(ctx, &PublishInput{PhoneNumber: "+15555550100", Message: "hello"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-sent:
		if m.Body != "hello" || m.Channel != notify.SMS {
			t.Fatalf("sent %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not deliver the message")
	}
}

type notifierFunc func(notify.Message)

func (f notifierFunc) Send(_ context.Context, m notify.Message) error { f(m); return nil }
