package eventsapi_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestDeliveryRetries: a failing target is retried after 1 s, 2 s, 4 s …, every attempt
// recorded, and dropped after the last.
func TestDeliveryRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  int // the handler fails this many calls first
		outcomes  []string
		wantWaits []time.Duration
	}{
		{"recovers", 2, []string{"retrying", "retrying", "delivered"}, []time.Duration{time.Second, 2 * time.Second}},
		{"dropped", 99, []string{"retrying", "retrying", "retrying", "dropped"}, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			en := newEnv(t, eventbridge.WithRetry(eventbridge.Retry{First: time.Second, Max: 3 * time.Second, Attempts: 4}))
			ctx := servertest.Ctx(t)
			en.mu.Lock()
			en.fail = func(n int) error {
				if n <= tc.failures {
					return errors.New("target unavailable")
				}
				return nil
			}
			en.mu.Unlock()
			en.putRule("on-create-user", iamPattern, "", "t1")
			if _, err := en.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for range tc.outcomes {
				a := en.attempt()
				got = append(got, a.Outcome)
				if a.Outcome != eventbridge.OutcomeDelivered && a.Error != "target unavailable" {
					t.Errorf("attempt %d error = %q", a.Attempt, a.Error)
				}
			}
			if !slices.Equal(got, tc.outcomes) {
				t.Errorf("outcomes = %v, want %v", got, tc.outcomes)
			}
			en.mu.Lock()
			waits := slices.Clone(en.waits)
			en.mu.Unlock()
			if !slices.Equal(waits, tc.wantWaits) {
				t.Errorf("waits = %v, want %v", waits, tc.wantWaits)
			}
			recorded, err := en.eb.Deliveries(ctx, en.Account.ID, time.Time{}, 100)
			if err != nil || len(recorded) != len(tc.outcomes) {
				t.Fatalf("Deliveries = %+v, %v; want %d attempts", recorded, err, len(tc.outcomes))
			}
			for i, r := range recorded {
				if r.Outcome != tc.outcomes[i] || r.Attempt != i+1 || r.TargetARN != en.targetARN("t1") {
					t.Errorf("recorded attempt %d = %+v", i+1, r)
				}
			}
		})
	}
}

// TestReadOnlyEvents: an ENABLED rule does not receive read-only management events; one
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS does ("Receiving read-only management events from
// AWS services").
func TestReadOnlyEvents(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	pattern := `{"source": ["aws.iam"], "detail": {"eventName": ["ListUsers", "CreateGroup"]}}`
	en.putRule("writes", pattern, eventbridge.StateEnabled, "writes")
	en.putRule("all", pattern, eventbridge.StateEnabledAll, "all")
	if _, err := en.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := en.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 3 {
		d := en.wait()
		var ev struct {
			Detail struct{ EventName string } `json:"detail"`
		}
		_ = json.Unmarshal(d.payload, &ev)
		got = append(got, d.arn[strings.LastIndexByte(d.arn, '/')+1:]+":"+ev.Detail.EventName)
	}
	slices.Sort(got)
	if want := []string{"all:CreateGroup", "all:ListUsers", "writes:CreateGroup"}; !slices.Equal(got, want) {
		t.Errorf("deliveries = %v, want %v", got, want)
	}
}

// TestPutAndInput: an event another service Puts (a GuardDuty finding) is matched and delivered,
// whole or as a target's InputPath or Input says.
func TestPutAndInput(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	if _, err := en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("findings"),
		EventPattern: aws.String(`{"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 2]}]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("findings"), Targets: []ebtypes.Target{
		{Id: aws.String("whole"), Arn: aws.String(en.targetARN("whole"))},
		{Id: aws.String("path"), Arn: aws.String(en.targetARN("path")), InputPath: aws.String("$.detail.type")},
		{Id: aws.String("fixed"), Arn: aws.String(en.targetARN("fixed")), Input: aws.String(`{"alert": true}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	finding := eventbridge.Event{Account: en.Account.ID, Source: "aws.guardduty", DetailType: "GuardDuty Finding",
		Resources: []string{}, Detail: json.RawMessage(`{"type": "Policy:IAMUser/RootCredentialUsage", "severity": 2}`)}
	low := finding
	low.Detail = json.RawMessage(`{"type": "x", "severity": 1}`)
	en.eb.Put(low) // matches no rule
	en.eb.Put(finding)
	got := map[string]string{}
	for range 3 {
		d := en.wait()
		got[d.arn] = string(d.payload)
	}
	if got[en.targetARN("path")] != `"Policy:IAMUser/RootCredentialUsage"` || got[en.targetARN("fixed")] != `{"alert": true}` {
		t.Errorf("payloads = %v", got)
	}
	var whole struct {
		Source     string                 `json:"source"`
		DetailType string                 `json:"detail-type"`
		Time       string                 `json:"time"`
		Detail     struct{ Severity int } `json:"detail"`
	}
	if err := json.Unmarshal([]byte(got[en.targetARN("whole")]), &whole); err != nil {
		t.Fatal(err)
	}
	if whole.Source != "aws.guardduty" || whole.DetailType != "GuardDuty Finding" || whole.Detail.Severity != 2 ||
		whole.Time != en.clock.Now().UTC().Format("2006-01-02T15:04:05Z") {
		t.Errorf("event = %+v", whole)
	}
}

// TestRootActivityRule: the built-in rule's shape — managed, matching any call whose
// userIdentity.type is Root, read-only ones included — is told of a root call and of no other.
func TestRootActivityRule(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	err := en.eb.EnsureManagedRule(ctx, en.Account.ID, eventbridge.ManagedRule{Name: "RootwardRootActivity", ManagedBy: "rootward",
		EventPattern: `{"detail": {"userIdentity": {"type": ["Root"]}}}`,
		Targets:      []eventbridge.Target{{ID: "alert", ARN: en.targetARN("root-activity")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil { // the admin: not root
		t.Fatal(err)
	}
	root := en.RootOf(en.Account.ID)
	if _, err := root.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	d := en.wait()
	var ev struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventName    string                `json:"eventName"`
			ReadOnly     bool                  `json:"readOnly"`
			UserIdentity struct{ Type string } `json:"userIdentity"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(d.payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Detail.UserIdentity.Type != "Root" || ev.Detail.EventName != "ListUsers" || !ev.Detail.ReadOnly {
		t.Errorf("delivered %s, want the root's ListUsers", d.payload)
	}
	select {
	case extra := <-en.got:
		t.Errorf("another delivery: %s", extra.payload)
	default:
	}
}
