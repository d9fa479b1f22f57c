package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
)

// `rootward custody report --json` tells who requested a protected root operation, who approved
// it (by Identity Center user name) and when root was then used; an unknown --account is refused.
func TestCustodyReportCommand(t *testing.T) {
	data, account := initData(t)
	ctx := context.Background()
	d := dataFlags{dir: data}
	svc, st, err := d.open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	org := orgs.New(svc)
	ic := identitycenter.New(svc, org)
	m := mpa.New(mpa.Config{Store: st, Orgs: org, Directory: mpa.ICDirectory{IC: ic, Region: mpaRegion}})
	approvers := approvalTeam(t, m, ic, account, mpa.AssumeRoot, 2, "ana", "ben")
	req := mpa.Request{Account: account, Operation: mpa.AssumeRoot, Action: "sts:AssumeRoot", Params: []byte(`{"TargetPrincipal":"` + account + `"}`),
		Summary: "TargetPrincipal=" + account, Requester: mpa.Requester{Account: account, ARN: "arn:aws:iam::" + account + ":user/admin", Comment: "rotate the root password"}}
	err = m.Check(ctx, req)
	sess := m.SessionARNIn(err.Error())
	if !awserr.IsCode(err, awserr.MPAAccessDenied) || sess == "" {
		t.Fatalf("Check = %v; want AccessDeniedException naming a session", err)
	}
	for _, a := range approvers {
		if _, err := m.Vote(ctx, sess, a, mpa.VoteApproved); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Check(ctx, req); err != nil {
		t.Fatalf("the approved request: %v", err)
	}
	ic.Wait()
	st.Close()

	out, stderr, code := run(t, "custody", "report", "--data", data, "--account", account, "--json")
	if code != 0 {
		t.Fatalf("custody report: exit %d, %s", code, stderr)
	}
	var rep mpa.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not the report's JSON: %v\n%s", err, out)
	}
	if rep.Scope != "account" || rep.Account != account || len(rep.Sessions) != 1 {
		t.Fatalf("report = scope %q account %q, %d sessions; want the account's one session:\n%s", rep.Scope, rep.Account, len(rep.Sessions), out)
	}
	s := rep.Sessions[0]
	var voters []string
	for _, v := range s.Votes {
		voters = append(voters, v.UserName+"="+v.Response)
	}
	got := strings.Join([]string{s.SessionARN, s.Operation, s.Requester, s.Reason, s.Parameters, s.Status, s.Execution, strings.Join(voters, ",")}, " | ")
	want := strings.Join([]string{sess, "AssumeRoot", req.Requester.ARN, "rotate the root password", "TargetPrincipal=" + account, "APPROVED", "EXECUTED", "ana=APPROVED,ben=APPROVED"}, " | ")
	if got != want || s.ExecutedAt == nil || s.DecidedAt == nil {
		t.Errorf("session = %s (executed %v, decided %v)\nwant %s, with both times", got, s.ExecutedAt, s.DecidedAt, want)
	}
	if text, _, code := run(t, "custody", "report", "--data", data); code != 0 || !strings.Contains(text, "AssumeRoot") || !strings.Contains(text, "ana=APPROVED,ben=APPROVED") {
		t.Errorf("table: exit %d\n%s", code, text)
	}
	if out, stderr, code := run(t, "custody", "report", "--data", data, "--account", "999999999999"); code != 2 || out != "" || !strings.Contains(stderr, "no such account") {
		t.Errorf("unknown --account: exit %d, %q %q; want exit 2 naming it", code, out, stderr)
	}
}
