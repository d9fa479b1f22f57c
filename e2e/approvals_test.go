package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/testutil"
)

// TestApprovalPortalInChromium is issue 16's approval in a real browser: an organization whose
// Identity Center users ana, ben and cy form a 2-of-3 approval team protecting
// DisableOrganizationsRootSessions. Each approver, in a browser context of their own, signs in to
// the approval portal for the first time and accepts the invitation, which makes the team ACTIVE;
// the administrator's DisableOrganizationsRootSessions (aws-sdk-go-v2) is then refused with
// AccessDenied naming the session; ana and ben approve it in the portal, and the repeated call runs,
// once.
func TestApprovalPortalInChromium(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	stk := newStack(t, nil)
	svc, org, ic, pt, approvals, url := stk.svc, stk.org, stk.ic, stk.portal, stk.approvals, stk.url

	// The organization with root sessions managed centrally, its Identity Center instance, an
	// administrator with an access key, and the three approvers.
	mgmt, err := svc.CreateAccount(ctx, "approvals", "owner@approvals.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateOrganization(ctx, mgmt.ID, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []string{identitycenter.ServicePrincipal, "iam.amazonaws.com"} {
		if err := org.EnableAWSServiceAccess(ctx, mgmt.ID, sp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateUser(ctx, mgmt.ID, iam.CreateUserInput{UserName: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AttachPolicy(ctx, mgmt.ID, "user", "admin", "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
		t.Fatal(err)
	}
	key, err := svc.CreateAccessKey(ctx, mgmt.ID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	client := awsiam.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.Secret, "")})
	if _, err := client.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	ins, err := ic.ListInstances(ctx, mgmt.ID)
	if err != nil || len(ins) != 1 {
		t.Fatalf("the organization's instances: %v, %v; want one", ins, err)
	}
	in := ins[0]
	src, err := approvals.CreateIdentitySource(ctx, mgmt.ID, in.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var who []mpa.Identity
	var logins []string
	for _, name := range []string{"ana", "ben", "cy"} {
		u, err := ic.CreateUser(ctx, mgmt.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: name, DisplayName: name,
			Emails: []identitycenter.Email{{Value: name + "@approvals.example", Primary: true}}, Name: &identitycenter.Name{GivenName: name, FamilyName: "Approver"}})
		if err != nil {
			t.Fatal(err)
		}
		otp, err := pt.OneTimePassword(ctx, in.ID, u.UserID)
		if err != nil {
			t.Fatal(err)
		}
		who = append(who, mpa.Identity{SourceARN: src.ARN, UserID: u.UserID})
		logins = append(logins, name+":"+otp)
	}
	team, err := approvals.CreateApprovalTeam(ctx, mgmt.ID, mpa.TeamInput{Name: "root-sessions", Description: "Approves turning root sessions off",
		MinApprovals: 2, Approvers: who, Policies: []string{mpa.PolicyARN(mpa.DisableOrganizationsRootSessions)}})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	sessionFile := filepath.Join(dir, "session")
	sc := startScript(t, "approvals.mjs", "ROOTWARD_URL="+url, "ROOTWARD_APPROVERS="+strings.Join(logins, ","), "ROOTWARD_TEAM="+team.Name,
		"ROOTWARD_SESSION_FILE="+sessionFile, "ROOTWARD_SCREENSHOTS="+dir)
	if _, ok := sc.until("ACCEPTED"); !ok {
		sc.finish()
		t.Fatal("approvals.mjs ended before the invitations were accepted")
	}
	if got, err := approvals.ApprovalTeam(ctx, mgmt.ID, team.ID); err != nil || got.Status != mpa.TeamActive {
		t.Fatalf("team after the three acceptances = %+v, %v; want ACTIVE", got, err)
	}
	disable := func() error {
		_, err := client.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{})
		return err
	}
	err = disable()
	testutil.WantCode(t, err, "AccessDenied")
	session := approvals.SessionARNIn(testutil.ErrorMessage(err))
	if session == "" {
		t.Fatalf("refusal %q names no session", testutil.ErrorMessage(err))
	}
	if err := os.WriteFile(sessionFile, []byte(session), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.until("VOTED"); !ok {
		sc.finish()
		t.Fatal("approvals.mjs ended before the votes")
	}
	sc.finish()
	if err := disable(); err != nil {
		t.Fatalf("DisableOrganizationsRootSessions after two approvals: %v", err)
	}
	s, err := approvals.SessionOf(ctx, mgmt.ID, session)
	if err != nil || s.Status != mpa.SessionApproved || s.Execution != mpa.ExecExecuted {
		t.Fatalf("session = %+v, %v; want APPROVED and EXECUTED", s, err)
	}
	for _, name := range []string{"approvals-team-active", "approvals-approved"} {
		if fi, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", name, err)
		}
	}
}
