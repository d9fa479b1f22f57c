package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/trail"
)

// As serve wires them, GuardDuty follows the trail (a root record committed raises a finding) and
// the root-activity alert mails the account's contacts through serve's notifier.
func TestMonitoringWiring(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newWired(t)
	svc, rec, n := w.svc, w.rec, w.n
	a, err := svc.CreateAccount(ctx, "prod", "root@prod.example", "")
	if err != nil {
		t.Fatal(err)
	}
	mon, err := newMonitoring(w.st, svc, w.root, w.org, n, rec, "http://localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	mon.run(ctx)
	det, err := mon.guardDuty.CreateDetector(ctx, a.ID, "us-east-1", guardduty.CreateInput{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	empty := ""
	ev := &trail.Event{EventSource: "iam.amazonaws.com", EventName: "ListUsers", EventType: trail.AwsAPICall, SourceIPAddress: "203.0.113.9",
		UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: a.ID, AccountID: a.ID, AccessKeyID: &empty}, RecipientAccountID: a.ID}
	if err := rec.Record(ev); err != nil {
		t.Fatal(err)
	}
	mon.guardDuty.Wait()
	ids, _, err := mon.guardDuty.ListFindings(ctx, a.ID, "us-east-1", det.ID, nil, nil, 0, 50)
	if err != nil || len(ids) != 1 {
		t.Fatalf("findings after a root record = %v, %v; want 1", ids, err)
	}

	payload, _ := json.Marshal(map[string]any{"account": a.ID, "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam", "detail": ev})
	if err := mon.alerts.HandleTarget(ctx, mon.alerts.TargetARN(a.ID), payload); err != nil {
		t.Fatal(err)
	}
	sent, err := n.Outbox(ctx, notify.Query{Purpose: "root-activity-alert"})
	if err != nil || len(sent) != 1 || sent[0].To != "root@prod.example" {
		t.Fatalf("alert emails = %+v, %v; want one to root@prod.example", sent, err)
	}
}
