package guardduty_test

import (
	"context"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// Every record whose userIdentity.type is Root counts: a root console sign-in and a call inside a
// privileged root session (sessionContext.assumedRoot) raise findings as a root API call does;
// other principals' records, and root records of an account without an enabled detector, do not.
func TestAnalyse(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	clk := testutil.NewClock(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	var published []guardduty.Finding
	gd := guardduty.New(guardduty.Config{Store: st, Now: clk.Now, Publish: func(account, source, detailType string, _ []string, detail []byte) {
		published = append(published, guardduty.Finding{AccountID: account, Type: source + "|" + detailType})
	}})
	ctx := context.Background()
	const account, other = "111122223333", "444455556666"
	det, err := gd.CreateDetector(ctx, account, "us-east-1", guardduty.CreateInput{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	key := func(s string) *string { return &s }
	ev := func(typ, source, name, ip string, sc *trail.SessionContext, acct string) *trail.Event {
		return &trail.Event{
			UserIdentity: trail.UserIdentity{Type: typ, PrincipalID: acct, AccountID: acct, AccessKeyID: key("ASIAEXAMPLE"), SessionContext: sc},
			EventTime:    clk.Now(), EventSource: source, EventName: name, AWSRegion: "us-east-1", SourceIPAddress: ip,
			RecipientAccountID: acct, EventType: trail.AwsAPICall,
		}
	}
	cases := []struct {
		name     string
		event    *trail.Event
		raises   bool
		api, svc string
	}{
		{"root console sign-in", ev("Root", "signin.amazonaws.com", "ConsoleLogin", "203.0.113.7", nil, account), true, "ConsoleLogin", "signin.amazonaws.com"},
		{"privileged root session", ev("Root", "iam.amazonaws.com", "DeleteLoginProfile", "198.51.100.2",
			&trail.SessionContext{AssumedRoot: "true", SessionIssuer: &trail.SessionIssuer{Type: "IAMUser"}}, account), true, "DeleteLoginProfile", "iam.amazonaws.com"},
		{"IPv6 caller", ev("Root", "iam.amazonaws.com", "ListUsers", "2001:db8::1", nil, account), true, "ListUsers", "iam.amazonaws.com"},
		{"IAM user", ev("IAMUser", "iam.amazonaws.com", "ListUsers", "203.0.113.7", nil, account), false, "", ""},
		{"account without a detector", ev("Root", "iam.amazonaws.com", "ListUsers", "203.0.113.7", nil, other), false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(published)
			if err := gd.Analyse(ctx, tc.event); err != nil {
				t.Fatal(err)
			}
			if got := len(published) - before; got != map[bool]int{true: 1, false: 0}[tc.raises] {
				t.Fatalf("published %d findings, want raises=%v", got, tc.raises)
			}
			if !tc.raises {
				return
			}
			if p := published[len(published)-1]; p.AccountID != account || p.Type != "aws.guardduty|GuardDuty Finding" {
				t.Errorf("published to %s as %s, want %s as aws.guardduty|GuardDuty Finding", p.AccountID, p.Type, account)
			}
			ids, _, err := gd.ListFindings(ctx, account, "us-east-1", det.ID, guardduty.Criteria{
				"service.action.awsApiCallAction.api": {Eq: []string{tc.api}}}, nil, "", 50)
			if err != nil || len(ids) != 1 {
				t.Fatalf("findings of %s = %v, %v; want 1", tc.api, ids, err)
			}
			fs, err := gd.GetFindings(ctx, account, "us-east-1", det.ID, ids, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := fs[0]
			ip := f.Service.Action.AwsAPICallAction.RemoteIPDetails
			if f.Service.Action.AwsAPICallAction.ServiceName != tc.svc || f.Resource.AccessKeyDetails.UserType != "Root" ||
				ip.IPAddressV4+ip.IPAddressV6 != tc.event.SourceIPAddress {
				t.Errorf("finding = service %s, userType %s, ip %+v; want %s, Root, %s", f.Service.Action.AwsAPICallAction.ServiceName,
					f.Resource.AccessKeyDetails.UserType, ip, tc.svc, tc.event.SourceIPAddress)
			}
		})
	}

	// Observe queues root records only, and Run analyses them; Wait returns once it has.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { gd.Run(runCtx); close(done) }()
	before := len(published)
	gd.Observe([]*trail.Event{ev("IAMUser", "iam.amazonaws.com", "GetUser", "203.0.113.7", nil, account), ev("Root", "iam.amazonaws.com", "GetUser", "203.0.113.7", nil, account)})
	gd.Wait()
	cancel()
	<-done
	if got := len(published) - before; got != 1 {
		t.Errorf("Observe of one root and one user record published %d findings, want 1", got)
	}
}
