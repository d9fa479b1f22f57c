package main

import (
	"context"
	"testing"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

// Multi-party approval finds the organization's Identity Center instance and its users through
// serve's directory, and nothing else: another ARN, another instance's user or an unknown user ID
// is not found.
func TestIdentityCenterDirectory(t *testing.T) {
	ctx := context.Background()
	st := testbackend.Open(t)
	svc := iam.New(st, testutil.Sealer(t), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	org := orgs.New(svc)
	ic := identitycenter.New(svc, org)
	t.Cleanup(ic.Wait)
	mgmt, err := svc.CreateAccount(ctx, "management", "management@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateAccount(ctx, "standalone", "standalone@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateOrganization(ctx, mgmt.ID, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	if err := org.EnableAWSServiceAccess(ctx, mgmt.ID, identitycenter.ServicePrincipal); err != nil {
		t.Fatal(err)
	}
	insts, err := ic.ListInstances(ctx, mgmt.ID)
	if err != nil || len(insts) != 1 {
		t.Fatalf("ListInstances = %+v, %v; want the organization's instance", insts, err)
	}
	in := insts[0]
	u, err := ic.CreateUser(ctx, mgmt.ID, in.IdentityStoreID, "", identitycenter.UserAttributes{UserName: "ana", DisplayName: "Ana",
		Name: &identitycenter.Name{GivenName: "Ana", FamilyName: "Approver"}, Emails: []identitycenter.Email{{Value: "ana@example.com", Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := ic.CreateInstance(ctx, other.ID, "standalone", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := mpa.ICDirectory{IC: ic, Region: mpaRegion}

	got, ok, err := d.Instance(ctx, in.ARN)
	if want := (mpa.Instance{ARN: in.ARN, Account: mgmt.ID, Region: "us-east-1"}); err != nil || !ok || got != want {
		t.Errorf("Instance(%s) = %+v, %v, %v; want %+v", in.ARN, got, ok, err, want)
	}
	if _, ok, err := d.Instance(ctx, "arn:aws:sso:::instance/ssoins-0000000000000000"); err != nil || ok {
		t.Errorf("Instance(unknown) = %v, %v; want not found", ok, err)
	}
	user, ok, err := d.User(ctx, in.ARN, u.UserID)
	if want := (mpa.User{ID: u.UserID, UserName: "ana", DisplayName: "Ana", Email: "ana@example.com"}); err != nil || !ok || user != want {
		t.Errorf("User = %+v, %v, %v; want %+v", user, ok, err, want)
	}
	for name, tc := range map[string]struct{ instance, user string }{
		"unknown user":             {in.ARN, "90676a1b2c-00000000-0000-0000-0000-000000000000"},
		"user of another instance": {acct.ARN, u.UserID},
		"unknown instance":         {"arn:aws:sso:::instance/ssoins-0000000000000000", u.UserID},
	} {
		if _, ok, err := d.User(ctx, tc.instance, tc.user); err != nil || ok {
			t.Errorf("%s: User = %v, %v; want not found", name, ok, err)
		}
	}
}
