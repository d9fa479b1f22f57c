package identitycenter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

type env struct {
	ctx   context.Context
	iam   *iam.Service
	orgs  *orgs.Service
	ic    *Service
	clock *testutil.Clock
	mgmt  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := testbackend.Open(t)
	e := &env{ctx: context.Background(), clock: testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))}
	cost := password.Params{Memory: 64, Time: 1, Threads: 1}
	e.iam = iam.New(st, testutil.Sealer(t), iam.WithClock(e.clock.Now), iam.WithPasswordCost(cost))
	e.orgs = orgs.New(e.iam, orgs.WithClock(e.clock.Now))
	e.ic = New(e.iam, e.orgs, WithClock(e.clock.Now), WithPasswordCost(cost))
	t.Cleanup(e.ic.Wait)
	e.mgmt = e.account(t, "management")
	return e
}

func (e *env) account(t *testing.T, name string) string {
	t.Helper()
	a, err := e.iam.CreateAccount(e.ctx, name, name+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// orgInstance creates an organization with all features and enables trusted access for
// sso.amazonaws.com, which creates the organization's instance.
func (e *env) orgInstance(t *testing.T) Instance {
	t.Helper()
	if _, err := e.orgs.CreateOrganization(e.ctx, e.mgmt, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	if err := e.orgs.EnableAWSServiceAccess(e.ctx, e.mgmt, ServicePrincipal); err != nil {
		t.Fatal(err)
	}
	list, err := e.ic.ListInstances(e.ctx, e.mgmt)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListInstances = %+v, %v; want the organization's instance", list, err)
	}
	return list[0]
}

func (e *env) user(t *testing.T, in Instance, name string) *User {
	t.Helper()
	u, err := e.ic.CreateUser(e.ctx, in.OwnerAccount, in.IdentityStoreID, "", UserAttributes{
		UserName: name, DisplayName: name, Name: &Name{GivenName: "Given", FamilyName: "Family"},
		Emails: []Email{{Value: name + "@example.com", Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTrustedAccessCreatesTheOrganizationInstance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	if in.OwnerAccount != e.mgmt || in.Status != StatusActive || in.OrgID == "" {
		t.Fatalf("instance = %+v; want ACTIVE, owned by %s, of the organization", in, e.mgmt)
	}
	if !instanceARNPattern.MatchString(in.ARN) || !identityStoreIDPattern.MatchString(in.IdentityStoreID) {
		t.Fatalf("ARN %s / store %s do not have AWS's forms", in.ARN, in.IdentityStoreID)
	}
	// Enabling again changes nothing.
	if err := e.orgs.EnableAWSServiceAccess(e.ctx, e.mgmt, ServicePrincipal); err != nil {
		t.Fatal(err)
	}
	list, _ := e.ic.ListInstances(e.ctx, e.mgmt)
	if len(list) != 1 || list[0].ID != in.ID {
		t.Fatalf("after a second enable: %+v; want the one instance %s", list, in.ID)
	}
	_, err := e.ic.CreateInstance(e.ctx, e.mgmt, "", nil)
	testutil.WantCode(t, err, awserr.ICValidation)
}

func TestAccountInstance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.account(t, "other")
	in, err := e.ic.CreateInstance(e.ctx, e.mgmt, "mine", []Tag{{"team", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ic.CreateInstance(e.ctx, e.mgmt, "again", nil)
	testutil.WantCode(t, err, awserr.ICConflict)
	got, err := e.ic.DescribeInstance(e.ctx, e.mgmt, in.ARN)
	if err != nil || got.Name != "mine" || got.OrgID != "" {
		t.Fatalf("DescribeInstance = %+v, %v", got, err)
	}
	// Another account finds nothing, by instance or by store.
	_, err = e.ic.DescribeInstance(e.ctx, other, in.ARN)
	testutil.WantCode(t, err, awserr.ICResourceNotFound)
	_, err = e.ic.ListUsers(e.ctx, other, in.IdentityStoreID, nil, ListOpts{})
	testutil.WantCode(t, err, awserr.ICResourceNotFound)
	if err := e.ic.DeleteInstance(e.ctx, e.mgmt, in.ARN); err != nil {
		t.Fatal(err)
	}
	_, err = e.ic.DescribeInstance(e.ctx, e.mgmt, in.ARN)
	testutil.WantCode(t, err, awserr.ICResourceNotFound)
}

func TestUsersAndGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	alice := e.user(t, in, "alice")
	cases := []struct {
		name  string
		attrs UserAttributes
		code  awserr.Code
	}{
		{"no user name", UserAttributes{DisplayName: "x", Name: &Name{GivenName: "a", FamilyName: "b"}}, awserr.ICValidation},
		{"no display name", UserAttributes{UserName: "bob", Name: &Name{GivenName: "a", FamilyName: "b"}}, awserr.ICValidation},
		{"no family name", UserAttributes{UserName: "bob", DisplayName: "Bob", Name: &Name{GivenName: "a"}}, awserr.ICValidation},
		{"a space in the user name", UserAttributes{UserName: "bo b", DisplayName: "Bob", Name: &Name{GivenName: "a", FamilyName: "b"}}, awserr.ICValidation},
		{"reserved name", UserAttributes{UserName: "Administrator", DisplayName: "A", Name: &Name{GivenName: "a", FamilyName: "b"}}, awserr.ICValidation},
		{"taken in another case", UserAttributes{UserName: "ALICE", DisplayName: "A", Name: &Name{GivenName: "a", FamilyName: "b"}}, awserr.ICConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ic.CreateUser(e.ctx, e.mgmt, in.IdentityStoreID, "", tc.attrs)
			testutil.WantCode(t, err, tc.code)
			if tc.code == awserr.ICConflict {
				ae, _ := awserr.As(err)
				if ae.Fields["Reason"] != ReasonUniqueness || ae.Status != 409 {
					t.Fatalf("conflict = %+v; want Reason %s, status 409", ae, ReasonUniqueness)
				}
			}
		})
	}
	id, err := e.ic.GetUserID(e.ctx, e.mgmt, IdentityStoreARN(e.mgmt, in.IdentityStoreID), &Filter{AttributePath: "userName", AttributeValue: "Alice"}, nil)
	if err != nil || id != alice.UserID {
		t.Fatalf("GetUserID = %q, %v; want %s", id, err, alice.UserID)
	}
	err = e.ic.UpdateUser(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID, "", []AttributeOperation{
		{Path: "displayName", Value: []byte(`"Alice A."`)}, {Path: "name.givenName", Value: []byte(`"Al"`)}, {Path: "nickName", Value: []byte(`null`)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.ic.DescribeUser(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID)
	if got.DisplayName != "Alice A." || got.Name.GivenName != "Al" || got.Name.FamilyName != "Family" {
		t.Fatalf("after UpdateUser: %+v", got)
	}
	err = e.ic.UpdateUser(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID, "", []AttributeOperation{{Path: "displayName", Value: []byte(`null`)}})
	testutil.WantCode(t, err, awserr.ICValidation)

	g, err := e.ic.CreateGroup(e.ctx, e.mgmt, in.IdentityStoreID, "", "Admins", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ic.CreateGroup(e.ctx, e.mgmt, in.IdentityStoreID, "", "admins", "")
	testutil.WantCode(t, err, awserr.ICConflict)
	mid, err := e.ic.CreateGroupMembership(e.ctx, e.mgmt, in.IdentityStoreID, g.GroupID, alice.UserID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ic.CreateGroupMembership(e.ctx, e.mgmt, in.IdentityStoreID, g.GroupID, alice.UserID)
	testutil.WantCode(t, err, awserr.ICConflict)
	ex, err := e.ic.IsMemberInGroups(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID, []string{g.GroupID})
	if err != nil || len(ex) != 1 || !ex[0].MembershipExists {
		t.Fatalf("IsMemberInGroups = %+v, %v", ex, err)
	}
	p, err := e.ic.ListGroupMembershipsForMember(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID, ListOpts{})
	if err != nil || len(p.Items) != 1 || p.Items[0].MembershipID != mid {
		t.Fatalf("ListGroupMembershipsForMember = %+v, %v", p, err)
	}
	if err := e.ic.DeleteUser(e.ctx, e.mgmt, in.IdentityStoreID, alice.UserID); err != nil {
		t.Fatal(err)
	}
	_, err = e.ic.DescribeGroupMembership(e.ctx, e.mgmt, in.IdentityStoreID, mid)
	testutil.WantCode(t, err, awserr.ICResourceNotFound)
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	alice := e.user(t, in, "alice")
	su, err := e.ic.FindUser(e.ctx, in.ID, "ALICE")
	if err != nil || su.Ref.UserID != alice.UserID || su.HasPassword {
		t.Fatalf("FindUser = %+v, %v", su, err)
	}
	u := su.Ref
	if ok, err := e.ic.VerifyPassword(e.ctx, u, "anything"); ok || err != nil {
		t.Fatalf("VerifyPassword without a password = %v, %v; want false", ok, err)
	}
	otp, err := e.ic.GenerateOneTimePassword(e.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.ic.VerifyPassword(e.ctx, u, otp); !ok {
		t.Fatal("the one-time password does not verify")
	}
	su, _ = e.ic.SignInUser(e.ctx, u)
	if !su.MustChangePassword {
		t.Fatal("a one-time password must be changed")
	}
	testutil.WantCode(t, e.ic.SetPassword(e.ctx, u, "short"), awserr.PasswordPolicyViolation)

	token, expires, err := e.ic.StartPasswordSetup(e.ctx, u)
	if err != nil || !expires.Equal(e.clock.Now().Add(SetupTokenLifetime)) {
		t.Fatalf("StartPasswordSetup = %v, %v", expires, err)
	}
	if _, err := e.ic.SetPasswordWithToken(e.ctx, in.ID, token+"x", "Correct-Horse-9"); !errors.Is(err, ErrSetupToken) {
		t.Fatalf("a wrong token: %v; want ErrSetupToken", err)
	}
	su, err = e.ic.SetPasswordWithToken(e.ctx, in.ID, token, "Correct-Horse-9")
	if err != nil || su.MustChangePassword || !su.HasPassword {
		t.Fatalf("SetPasswordWithToken = %+v, %v", su, err)
	}
	if _, err := e.ic.SetPasswordWithToken(e.ctx, in.ID, token, "Another-Horse-9"); !errors.Is(err, ErrSetupToken) {
		t.Fatalf("a used token: %v; want ErrSetupToken", err)
	}
	if ok, _ := e.ic.VerifyPassword(e.ctx, u, otp); ok {
		t.Fatal("the old one-time password still verifies")
	}
	// An expired token is refused.
	token, _, _ = e.ic.StartPasswordSetup(e.ctx, u)
	e.clock.Advance(SetupTokenLifetime)
	if _, err := e.ic.CheckSetupToken(e.ctx, in.ID, token); !errors.Is(err, ErrSetupToken) {
		t.Fatalf("an expired token: %v; want ErrSetupToken", err)
	}

	seed := iam.NewTOTPSeed()
	_, err = e.ic.AddTOTPDevice(e.ctx, u, "phone", seed, "000000")
	testutil.WantCode(t, err, awserr.ICValidation)
	if _, err := e.ic.AddTOTPDevice(e.ctx, u, "phone", seed, testutil.TOTPCode(t, seed, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	code := testutil.TOTPCode(t, seed, e.clock.Now())
	if _, err := e.ic.VerifyTOTP(e.ctx, u, code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ic.VerifyTOTP(e.ctx, u, code); !errors.Is(err, iam.ErrMFACodeUsed) {
		t.Fatalf("a reused code: %v; want ErrMFACodeUsed", err)
	}
	if _, err := e.ic.AddWebAuthnDevice(e.ctx, u, "key", []byte{1, 2, 3}, []byte(`{"c":1}`)); err != nil {
		t.Fatal(err)
	}
	creds, err := e.ic.WebAuthnCredentials(e.ctx, u)
	if err != nil || len(creds) != 1 || string(creds[0].CredentialID) != "\x01\x02\x03" {
		t.Fatalf("WebAuthnCredentials = %+v, %v", creds, err)
	}
	su, _ = e.ic.SignInUser(e.ctx, u)
	if len(su.MFADevices) != 2 {
		t.Fatalf("devices = %+v; want the app and the key", su.MFADevices)
	}
}

func TestAssignmentsProvisionTheRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	alice := e.user(t, in, "alice")
	g, _ := e.ic.CreateGroup(e.ctx, e.mgmt, in.IdentityStoreID, "", "Ops", "")
	if _, err := e.ic.CreateGroupMembership(e.ctx, e.mgmt, in.IdentityStoreID, g.GroupID, alice.UserID); err != nil {
		t.Fatal(err)
	}
	dur := "PT4H"
	ps, err := e.ic.CreatePermissionSet(e.ctx, e.mgmt, in.ARN, "Admin", PermissionSetInput{SessionDuration: &dur}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ic.AttachManagedPolicy(e.ctx, e.mgmt, in.ARN, ps.ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if err := e.ic.PutInlinePolicy(e.ctx, e.mgmt, in.ARN, ps.ARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	req, err := e.ic.CreateAccountAssignment(e.ctx, e.mgmt, in.ARN, ps.ARN, TargetAccount,
		Assignment{AccountID: e.mgmt, PrincipalType: PrincipalGroup, PrincipalID: g.GroupID})
	if err != nil || req.Status != RequestInProgress {
		t.Fatalf("CreateAccountAssignment = %+v, %v", req, err)
	}
	e.ic.Wait()
	st, err := e.ic.AssignmentCreationStatus(e.ctx, e.mgmt, in.ARN, req.RequestID)
	if err != nil || st.Status != RequestSucceeded {
		t.Fatalf("status = %+v, %v", st, err)
	}
	roles, err := e.ic.UserAccountRoles(e.ctx, UserRef{e.mgmt, in.ID, in.IdentityStoreID, alice.UserID})
	if err != nil || len(roles) != 1 {
		t.Fatalf("UserAccountRoles = %+v, %v", roles, err)
	}
	ar := roles[0]
	if ar.SessionSeconds != 4*3600 || len(ar.RoleName) != len("AWSReservedSSO_Admin_")+16 {
		t.Fatalf("role = %+v", ar)
	}
	role, err := e.iam.GetRole(e.ctx, e.mgmt, ar.RoleName)
	if err != nil || role.Path != RolePath || role.MaxSessionDuration != 4*3600 || role.ManagedBy != ServicePrincipal {
		t.Fatalf("GetRole = %+v, %v", role, err)
	}
	// Callers cannot change or delete it.
	testutil.WantCode(t, e.iam.DeleteRole(e.ctx, e.mgmt, ar.RoleName), awserr.UnmodifiableEntity)
	testutil.WantCode(t, e.iam.AttachPolicy(e.ctx, e.mgmt, "role", ar.RoleName, "arn:aws:iam::aws:policy/AdministratorAccess"), awserr.UnmodifiableEntity)
	// The permission set in use cannot be deleted.
	testutil.WantCode(t, e.ic.DeletePermissionSet(e.ctx, e.mgmt, in.ARN, ps.ARN), awserr.ICConflict)

	// Deleting the last assignment deletes the role.
	del, err := e.ic.DeleteAccountAssignment(e.ctx, e.mgmt, in.ARN, ps.ARN, TargetAccount,
		Assignment{AccountID: e.mgmt, PrincipalType: PrincipalGroup, PrincipalID: g.GroupID})
	if err != nil {
		t.Fatal(err)
	}
	e.ic.Wait()
	if st, _ := e.ic.AssignmentDeletionStatus(e.ctx, e.mgmt, in.ARN, del.RequestID); st.Status != RequestSucceeded {
		t.Fatalf("deletion = %+v", st)
	}
	_, err = e.iam.GetRole(e.ctx, e.mgmt, ar.RoleName)
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	if err := e.ic.DeletePermissionSet(e.ctx, e.mgmt, in.ARN, ps.ARN); err != nil {
		t.Fatal(err)
	}
}

// TestResumeFinishesInterruptedRequests: a request whose background work never ran (the process
// stopped) stays IN_PROGRESS until Resume runs it.
func TestResumeFinishesInterruptedRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	alice := e.user(t, in, "alice")
	ps, err := e.ic.CreatePermissionSet(e.ctx, e.mgmt, in.ARN, "Ops", PermissionSetInput{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.ic.async = func(func()) {} // the work is lost, as in a crash
	req, err := e.ic.CreateAccountAssignment(e.ctx, e.mgmt, in.ARN, ps.ARN, TargetAccount,
		Assignment{AccountID: e.mgmt, PrincipalType: PrincipalUser, PrincipalID: alice.UserID})
	if err != nil {
		t.Fatal(err)
	}
	e.ic.wg.Done() // the lost work's count
	if st, _ := e.ic.AssignmentCreationStatus(e.ctx, e.mgmt, in.ARN, req.RequestID); st.Status != RequestInProgress {
		t.Fatalf("status = %s; want IN_PROGRESS before Resume", st.Status)
	}
	e.ic.async = func(f func()) { go f() }
	if err := e.ic.Resume(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.ic.Wait()
	if st, _ := e.ic.AssignmentCreationStatus(e.ctx, e.mgmt, in.ARN, req.RequestID); st.Status != RequestSucceeded {
		t.Fatalf("status = %+v; want SUCCEEDED after Resume", st)
	}
	if _, err := e.ic.ProvisionedRole(e.ctx, in.ID, e.mgmt, ps.ID); err != nil {
		t.Fatalf("ProvisionedRole after Resume: %v", err)
	}
}
