package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// delivered waits for one delivery on ch: a bound on a hung test, not a timing assertion.
func delivered[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s delivered", what)
	}
	var zero T
	return zero
}

// newMonitored is the wired services with an account ("prod", root@prod.example), a bus following
// the trail, and the monitoring over them, as serve builds them; the bus is not started.
func newMonitored(t *testing.T, ctx context.Context) (*wired, *iam.Account, *eventbridge.Service, *monitoring) {
	t.Helper()
	w := newWired(t)
	a, err := w.svc.CreateAccount(ctx, "prod", "root@prod.example", "")
	if err != nil {
		t.Fatal(err)
	}
	bus := eventbridge.New(w.st)
	bus.FollowTrail(w.rec)
	mon, err := newMonitoring(w.st, w.svc, &rootServices{root: w.root, org: w.org, notifier: w.n}, bus, w.rec, "http://localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, a, bus, mon
}

// As serve wires them: a root record committed to the trail reaches the account's bus, matches
// the alert's managed rule and is emailed to the root email; GuardDuty raises its finding and puts
// it on the bus (source aws.guardduty); DisableRule on the managed rule is announced.
func TestMonitoringWiring(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, a, bus, mon := newMonitored(t, ctx)
	// The alert's deliveries and the findings' events, seen as they happen.
	alerted := make(chan error, 8)
	bus.HandleTargets(alerts.TargetService, func(ctx context.Context, target string, payload []byte) error {
		err := mon.alerts.HandleTarget(ctx, target, payload)
		alerted <- err
		return err
	})
	findings := make(chan []byte, 8)
	bus.HandleTargets("sns", func(_ context.Context, _ string, payload []byte) error {
		findings <- payload
		return nil
	})
	bus.Start(ctx)
	defer bus.Close()
	mon.run(ctx)
	if err := mon.alerts.EnsureAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.PutRule(ctx, a.ID, eventbridge.PutRuleInput{Name: "findings", EventPattern: `{"source":["aws.guardduty"]}`}); err != nil {
		t.Fatal(err)
	}
	if failed, err := bus.PutTargets(ctx, a.ID, "findings", []eventbridge.Target{{ID: "t", ARN: "arn:aws:sns:us-east-1:" + a.ID + ":security"}}); err != nil || len(failed) != 0 {
		t.Fatalf("PutTargets = %v, %v", failed, err)
	}
	det, err := mon.guardDuty.CreateDetector(ctx, a.ID, "us-east-1", guardduty.CreateInput{Enable: true})
	if err != nil {
		t.Fatal(err)
	}

	empty := ""
	ev := &trail.Event{EventSource: "iam.amazonaws.com", EventName: "ListUsers", EventType: trail.AwsAPICall, SourceIPAddress: "203.0.113.9",
		UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: a.ID, AccountID: a.ID, AccessKeyID: &empty}, RecipientAccountID: a.ID}
	if err := w.rec.Record(ev); err != nil {
		t.Fatal(err)
	}
	if err := delivered(t, alerted, "root-activity alert"); err != nil {
		t.Fatalf("the alert's delivery: %v", err)
	}
	sent, err := w.n.Outbox(ctx, notify.Query{Purpose: alerts.Purpose})
	if err != nil || len(sent) != 1 || sent[0].To != "root@prod.example" {
		t.Fatalf("alert emails = %+v, %v; want one to root@prod.example", sent, err)
	}
	var got struct {
		Source     string            `json:"source"`
		DetailType string            `json:"detail-type"`
		Account    string            `json:"account"`
		Detail     guardduty.Finding `json:"detail"`
	}
	if err := json.Unmarshal(delivered(t, findings, "GuardDuty finding"), &got); err != nil {
		t.Fatal(err)
	}
	if got.Source != "aws.guardduty" || got.DetailType != "GuardDuty Finding" || got.Account != a.ID ||
		got.Detail.Type != guardduty.RootCredentialUsage || got.Detail.Service.DetectorID != det.ID {
		t.Errorf("finding event = %s %q %s %s %s; want aws.guardduty \"GuardDuty Finding\" %s %s %s", got.Source, got.DetailType, got.Account,
			got.Detail.Type, got.Detail.Service.DetectorID, a.ID, guardduty.RootCredentialUsage, det.ID)
	}

	if err := bus.DisableRule(ctx, a.ID, alerts.RuleName, "arn:aws:iam::"+a.ID+":root"); err != nil {
		t.Fatal(err)
	}
	ann, err := w.n.Outbox(ctx, notify.Query{Purpose: alerts.PurposeRuleChange})
	if err != nil || len(ann) != 1 || ann[0].To != "root@prod.example" {
		t.Fatalf("announcements of DisableRule = %+v, %v; want one to root@prod.example", ann, err)
	}
}

// As serve and a command run side by side: the command's change of the alert's runbook, recorded
// by its own recorder, reaches serve's bus and an account's rule on it (an SNS target here), as a
// console change does. Before, serve's bus saw only its own process's records.
func TestCommandAlertEditsReachServesBus(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, a, bus, mon := newMonitored(t, ctx)
	got := make(chan []byte, 8)
	bus.HandleTargets("sns", func(_ context.Context, _ string, payload []byte) error {
		got <- payload
		return nil
	})
	bus.Start(ctx)
	defer bus.Close()
	if _, err := bus.PutRule(ctx, a.ID, eventbridge.PutRuleInput{Name: "alert-settings",
		EventPattern: `{"source":["aws.events"],"detail":{"eventName":[{"prefix":"SetRootActivityAlert"}]}}`}); err != nil {
		t.Fatal(err)
	}
	if failed, err := bus.PutTargets(ctx, a.ID, "alert-settings", []eventbridge.Target{{ID: "t", ARN: "arn:aws:sns:us-east-1:" + a.ID + ":security"}}); err != nil || len(failed) != 0 {
		t.Fatalf("PutTargets = %v, %v", failed, err)
	}
	mon.run(ctx)

	cmdRec := trail.NewRecorder(w.st, nil)
	defer cmdRec.Close()
	cmd, err := commandAlerts(w.st, w.svc, w.org, cmdRec)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.SetRunbook(ctx, a.ID, "Call Dana.", cliEditor("alerts runbook", a.ID)); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Source     string      `json:"source"`
		DetailType string      `json:"detail-type"`
		Account    string      `json:"account"`
		Detail     trail.Event `json:"detail"`
	}
	if err := json.Unmarshal(delivered(t, got, "the command's settings change"), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "aws.events" || ev.DetailType != "AWS Service Event via CloudTrail" || ev.Account != a.ID ||
		ev.Detail.EventName != "SetRootActivityAlertRunbook" || ev.Detail.AdditionalEventData["tool"] != "rootward alerts runbook" {
		t.Errorf("event = %s %q %s %s %v; want aws.events, AWS Service Event via CloudTrail, %s, SetRootActivityAlertRunbook by rootward alerts runbook",
			ev.Source, ev.DetailType, ev.Account, ev.Detail.EventName, ev.Detail.AdditionalEventData, a.ID)
	}
}

// As serve wires its watchers: an SNS FIFO topic target (SqsParameters.MessageGroupId) receives
// the rule's events through SNS, numbered in the order they were put. Before, SNS refused every
// EventBridge delivery to a FIFO topic (no MessageGroupId).
func TestFifoTopicTargetWiring(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newWired(t)
	a, err := w.svc.CreateAccount(ctx, "prod", "root@prod.example", "")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan eventbridge.Delivery, 8)
	ws := newWatchers(w.st, &rootServices{root: w.root, org: w.org, notifier: w.n, sealer: testutil.Sealer(t)}, w.rec, nil, "http://localhost",
		eventbridge.WithObserver(func(d eventbridge.Delivery) { done <- d }))
	topic, err := ws.sns.CreateTopic(ctx, a.ID, "ledger.fifo", map[string]string{"FifoTopic": "true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.sns.SetTopicAttribute(ctx, topic.ARN, "Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"`+topic.ARN+`"}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.bus.PutRule(ctx, a.ID, eventbridge.PutRuleInput{Name: "ledger", EventPattern: `{"source":["com.example.ledger"]}`}); err != nil {
		t.Fatal(err)
	}
	if failed, err := ws.bus.PutTargets(ctx, a.ID, "ledger", []eventbridge.Target{{ID: "fifo", ARN: topic.ARN, MessageGroupID: "ledger"}}); err != nil || len(failed) != 0 {
		t.Fatalf("PutTargets = %v, %v", failed, err)
	}
	stop := ws.start(ctx, slog.New(slog.DiscardHandler))
	defer stop()
	var entries []eventbridge.PutEntry
	for i := range 3 {
		entries = append(entries, eventbridge.PutEntry{Source: "com.example.ledger", DetailType: "Entry", Detail: `{"n":` + strconv.Itoa(i) + `}`})
	}
	res, err := ws.bus.PutEvents(a.ID, entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.ErrorCode != "" {
			t.Fatalf("PutEvents entry: %+v", r)
		}
	}
	for i := range 3 {
		d := delivered(t, done, "the FIFO topic's delivery")
		if d.Outcome != eventbridge.OutcomeDelivered || d.EventID != res[i].EventID {
			t.Fatalf("delivery %d = %+v; want event %s delivered (the order put)", i, d, res[i].EventID)
		}
	}
	top, err := ws.sns.Topic(ctx, topic.ARN)
	if err != nil || top.Sequence != 3 {
		t.Fatalf("topic = %+v, %v; want its last sequence number 3", top, err)
	}
}
