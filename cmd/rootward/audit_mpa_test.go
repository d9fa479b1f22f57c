package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

const approvalCheck = "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL"

// approvalEnv is a server whose Multi-party approval has an Identity Center stand-in (oneInstance)
// of the test's account, so that teams can be created.
type approvalEnv struct {
	*servertest.Env
	mpa *mpa.Service
	dir *oneInstance
	src string // the identity source of dir's instance, once created
}

func newApprovalEnv(t *testing.T, now func() time.Time) *approvalEnv {
	t.Helper()
	a := &approvalEnv{dir: &oneInstance{users: map[string]mpa.User{}}}
	a.Env = servertest.Build(t, nil, now, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		a.mpa = mpa.New(mpa.Config{Store: st, Directory: a.dir, Orgs: orgs.New(svc), Trail: cfg.Trail, IAM: svc, Now: now})
		cfg.MPA = a.mpa
	})
	a.dir.inst = mpa.Instance{ARN: "arn:aws:sso:::instance/ssoins-1111222233334444", Account: a.Account.ID, Region: "us-east-1"}
	return a
}

// team creates a 2-of-3 approval team of the account protecting operation, whose approvers accept
// when accept is set (it stays PENDING_ACTIVATION otherwise); it returns the team's ARN.
func (a *approvalEnv) team(t *testing.T, operation string, accept bool) string {
	t.Helper()
	ctx := context.Background()
	if a.src == "" {
		src, err := a.mpa.CreateIdentitySource(ctx, a.Account.ID, a.dir.inst.ARN, "us-east-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		a.src = src.ARN
	}
	var approvers []mpa.Identity
	for _, id := range []string{"u-ana", "u-ben", "u-cy"} {
		a.dir.users[id] = mpa.User{ID: id, UserName: strings.TrimPrefix(id, "u-")}
		approvers = append(approvers, mpa.Identity{SourceARN: a.src, UserID: id})
	}
	team, err := a.mpa.CreateApprovalTeam(ctx, a.Account.ID, mpa.TeamInput{Name: "guardians-" + operation, Description: "root", MinApprovals: 2,
		Approvers: approvers, Policies: []string{mpa.PolicyARN(operation)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range approvers[:map[bool]int{true: 3, false: 2}[accept]] {
		if _, err := a.mpa.RespondToInvitation(ctx, team.ARN, who, true); err != nil {
			t.Fatal(err)
		}
	}
	return team.ARN
}

// `rootward audit` reads the approval teams over the mpa API (ListApprovalTeams, GetApprovalTeam)
// and answers ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL as Rootward's own rule does: FAILED
// (NON_COMPLIANT) without an ACTIVE team protecting RootSignIn — none, one protecting another
// operation, one not yet accepted by every approver — and PASSED (COMPLIANT) with one, naming it; a
// caller that may not list the teams gets ERROR, and the reason on stderr.
func TestAuditRootSignInApproval(t *testing.T) {
	a := newApprovalEnv(t, nil)
	rootPassword(t, a.Env)
	status := func(what, want string) auditRow {
		t.Helper()
		r := rowOf(t, auditJSON(t, adminCreds(a.Env), a.URL), approvalCheck, a.Account.ID)
		if r.Status != want {
			t.Fatalf("%s: %s = %s (%s), want %s", what, approvalCheck, r.Status, r.Evidence, want)
		}
		return r
	}
	status("no team", "FAILED")
	a.team(t, mpa.AssumeRoot, true)
	status("a team protecting AssumeRoot only", "FAILED")
	team := a.team(t, mpa.RootSignIn, false)
	status("a team pending activation", "FAILED")
	if _, err := a.mpa.RespondToInvitation(context.Background(), team, mpa.Identity{SourceARN: a.src, UserID: "u-cy"}, true); err != nil {
		t.Fatal(err)
	}
	if r := status("an active 2-of-3 team", "PASSED"); !strings.Contains(r.Evidence, team) {
		t.Errorf("evidence %q does not name team %s", r.Evidence, team)
	}

	// A caller that may do everything but read Multi-party approval.
	ctx := context.Background()
	if _, err := a.Svc.CreateUser(ctx, a.Account.ID, iam.CreateUserInput{UserName: "auditor"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Svc.AttachPolicy(ctx, a.Account.ID, "user", "auditor", servertest.AdminPolicyARN); err != nil {
		t.Fatal(err)
	}
	if err := a.Svc.PutInlinePolicy(ctx, a.Account.ID, "user", "auditor", "no-mpa",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["mpa:List*","mpa:Get*"],"Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	k, err := a.Svc.CreateAccessKey(ctx, a.Account.ID, "auditor")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, _ := audit(t, auditCreds{k.AccessKeyID, k.Secret, ""}, "--endpoint-url", a.URL, "--format", "json")
	if !strings.Contains(stderr, "approval not read: mpa:ListApprovalTeams failed: AccessDeniedException") {
		t.Errorf("stderr does not give the reason:\n%s", stderr)
	}
	if r := rowOf(t, auditJSON(t, auditCreds{k.AccessKeyID, k.Secret, ""}, a.URL), approvalCheck, a.Account.ID); r.Status != "ERROR" ||
		!strings.Contains(r.Evidence, "mpa:ListApprovalTeams") {
		t.Errorf("without mpa:List*: %s (%s), want ERROR naming mpa:ListApprovalTeams\n%s", r.Status, r.Evidence, out)
	}
}

// With --org, a team of the management account protecting RootSignIn protects every member, as in
// process: the members' rows PASS naming it. Before it exists, a member's own teams cannot be read
// through its IAMAuditRootUserCredentials session, so its row is ERROR, not a guess.
func TestAuditOrganizationRootSignInApproval(t *testing.T) {
	a := newApprovalEnv(t, nil)
	o := orgEnvOn(t, a.Env)
	rootPassword(t, a.Env)
	rows := auditJSON(t, adminCreds(a.Env), a.URL, "--org")
	wantStatus(t, rows, a.Account.ID, map[string]string{approvalCheck: "FAILED"})
	wantStatus(t, rows, o.legacy, map[string]string{approvalCheck: "ERROR"})
	// A member whose root credentials were removed has no root sign-in to protect.
	wantStatus(t, rows, o.removed, map[string]string{approvalCheck: "NOT_APPLICABLE"})

	team := a.team(t, mpa.RootSignIn, true)
	rows = auditJSON(t, adminCreds(a.Env), a.URL, "--org")
	for _, acct := range []string{a.Account.ID, o.legacy} {
		if r := rowOf(t, rows, approvalCheck, acct); r.Status != "PASSED" || !strings.Contains(r.Evidence, team) {
			t.Errorf("%s in %s = %s (%s), want PASSED naming %s", approvalCheck, acct, r.Status, r.Evidence, team)
		}
	}
}
