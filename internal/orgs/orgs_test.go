package orgs

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

type env struct {
	ctx  context.Context
	iam  *iam.Service
	org  *Service
	mgmt string
	now  time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := testbackend.Open(t) // PostgreSQL when ROOTWARD_TEST_POSTGRES is set, SQLite otherwise
	sealer := testutil.Sealer(t)
	e := &env{ctx: context.Background(), now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.iam = iam.New(st, sealer, iam.WithClock(clock), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	e.org = New(e.iam, WithClock(clock))
	a, err := e.iam.CreateAccount(e.ctx, "management", "mgmt@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	e.mgmt = a.ID
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

// member creates an account through CreateAccount and returns its ID.
func (e *env) member(t *testing.T, name string) string {
	t.Helper()
	st, err := e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: name + "@example.com", AccountName: name})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.org.DescribeCreateAccountStatus(e.ctx, e.mgmt, st.ID)
	if err != nil || done.State != CreateSucceeded {
		t.Fatalf("create %s: %+v, %v", name, done, err)
	}
	return done.AccountID
}

func wantReason(t *testing.T, err error, code awserr.Code, reason string) {
	t.Helper()
	testutil.WantCode(t, err, code)
	ae, _ := awserr.As(err)
	if ae.Fields["Reason"] != reason {
		t.Fatalf("reason = %q, want %q", ae.Fields["Reason"], reason)
	}
}

// must(f())(t) returns f's value and fails the test on f's error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	switch {
	case !strings.HasPrefix(o.ID, "o-") || len(o.ID) != 12 || strings.ToLower(o.ID) != o.ID:
		t.Fatalf("organization ID %q", o.ID)
	case !rootIDPattern.MatchString(o.RootID):
		t.Fatalf("root ID %q", o.RootID)
	case o.Arn() != "arn:aws:organizations::"+e.mgmt+":organization/"+o.ID || o.FeatureSet != FeatureSetAll:
		t.Fatalf("organization %+v", o)
	case o.MasterAccountEmail != "mgmt@example.com":
		t.Fatalf("master email %q", o.MasterAccountEmail)
	}
	_, err := e.org.CreateOrganization(e.ctx, e.mgmt, "")
	testutil.WantCode(t, err, awserr.OrgsAlreadyInOrganization)
	_, err = e.org.CreateOrganization(e.ctx, e.account(t, "x"), "HALF")
	wantReason(t, err, awserr.OrgsInvalidInput, ReasonInvalidEnum)
	_, err = e.org.DescribeOrganization(e.ctx, e.account(t, "outsider"))
	testutil.WantCode(t, err, awserr.OrgsNotInUse)
	accts := must(e.org.ListAccounts(e.ctx, e.mgmt, ListOpts{}))(t)
	if len(accts.Items) != 1 || accts.Items[0].ID != e.mgmt || accts.Items[0].ParentID != o.RootID {
		t.Fatalf("accounts = %+v", accts.Items)
	}
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	st := must(e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: "dev@example.com", AccountName: "dev"}))(t)
	if st.State != CreateInProgress || !createStatusPattern.MatchString(st.ID) || st.AccountID != "" {
		t.Fatalf("answer = %+v", st)
	}
	done := must(e.org.DescribeCreateAccountStatus(e.ctx, e.mgmt, st.ID))(t)
	if done.State != CreateSucceeded || done.CompletedTimestamp == nil || !accountIDPattern.MatchString(done.AccountID) {
		t.Fatalf("status = %+v", done)
	}
	// The access role trusts the management account and allows everything.
	role := must(e.iam.GetRole(e.ctx, done.AccountID, DefaultAccessRole))(t)
	if !strings.Contains(role.AssumeRolePolicyDocument, "arn:aws:iam::"+e.mgmt+":root") {
		t.Fatalf("trust = %s", role.AssumeRolePolicyDocument)
	}
	pp := must(e.iam.PrincipalPolicies(e.ctx, done.AccountID, "role", DefaultAccessRole, role.RoleID))(t)
	if len(pp.Identity) != 1 || pp.Identity[0].Document != adminInline {
		t.Fatalf("role policies = %+v", pp.Identity)
	}
	rc := must(e.iam.RootCredentialsOf(e.ctx, done.AccountID))(t)
	if !rc.Empty() {
		t.Fatalf("new member root has credentials: %+v", rc)
	}
	// A taken email fails the request, not the call.
	dup := must(e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: "DEV@example.com", AccountName: "dev2"}))(t)
	failed := must(e.org.DescribeCreateAccountStatus(e.ctx, e.mgmt, dup.ID))(t)
	if failed.State != CreateFailed || failed.FailureReason != failEmailExists {
		t.Fatalf("duplicate email status = %+v", failed)
	}
	list := must(e.org.ListCreateAccountStatus(e.ctx, e.mgmt, []string{CreateFailed}, ListOpts{}))(t)
	if len(list.Items) != 1 || list.Items[0].ID != dup.ID {
		t.Fatalf("failed requests = %+v", list.Items)
	}
	tests := []struct {
		name   string
		caller string
		in     CreateAccountInput
		code   awserr.Code
		reason string
	}{
		{"member account", done.AccountID, CreateAccountInput{Email: "a@example.com", AccountName: "a"}, awserr.OrgsAccessDenied, ""},
		{"bad email", e.mgmt, CreateAccountInput{Email: "nope", AccountName: "a"}, awserr.OrgsInvalidInput, ReasonInvalidPattern},
		{"long name", e.mgmt, CreateAccountInput{Email: "a@example.com", AccountName: strings.Repeat("n", 51)}, awserr.OrgsInvalidInput, ReasonMaxLength},
		{"bad role name", e.mgmt, CreateAccountInput{Email: "a@example.com", AccountName: "a", RoleName: "no spaces"}, awserr.OrgsInvalidInput, ReasonInvalidRoleName},
		{"bad billing access", e.mgmt, CreateAccountInput{Email: "a@example.com", AccountName: "a", IamUserAccessToBilling: "MAYBE"}, awserr.OrgsInvalidInput, ReasonInvalidEnum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.org.CreateAccount(e.ctx, tc.caller, tc.in)
			if tc.reason != "" {
				wantReason(t, err, tc.code, tc.reason)
			} else {
				testutil.WantCode(t, err, tc.code)
			}
		})
	}
}

func TestOrganizationalUnits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	parent := o.RootID
	var chain []string
	for i := 1; i <= maxOUDepth; i++ {
		u := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, parent, "level"))(t)
		if !ouIDPattern.MatchString(u.ID) || !strings.HasPrefix(u.ID, "ou-"+strings.TrimPrefix(o.RootID, "r-")+"-") {
			t.Fatalf("OU ID %q", u.ID)
		}
		chain = append(chain, u.ID)
		parent = u.ID
	}
	_, err := e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, parent, "too-deep")
	wantReason(t, err, awserr.OrgsConstraintViolation, ReasonOUDepth)
	_, err = e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, chain[0], "level")
	testutil.WantCode(t, err, awserr.OrgsDuplicateOU)
	_, err = e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, "ou-zzzz-zzzzzzzz", "x")
	testutil.WantCode(t, err, awserr.OrgsParentNotFound)
	_, err = e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, "not-an-id", "x")
	wantReason(t, err, awserr.OrgsInvalidInput, ReasonInvalidPattern)

	dev := e.member(t, "dev")
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, o.RootID, chain[2]), "")
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, o.RootID, chain[1]), awserr.OrgsSourceParentNotFound)
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, chain[2], chain[2]), awserr.OrgsDuplicateAccount)
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, chain[2], "ou-zzzz-zzzzzzzz"), awserr.OrgsDestinationParentNotFound)
	parents := must(e.org.ListParents(e.ctx, e.mgmt, dev))(t)
	if len(parents) != 1 || parents[0].ID != chain[2] || parents[0].Type != ChildOU {
		t.Fatalf("parents = %+v", parents)
	}
	parents = must(e.org.ListParents(e.ctx, e.mgmt, chain[0]))(t)
	if parents[0].Type != ParentRoot {
		t.Fatalf("top OU's parent = %+v", parents)
	}
	_, err = e.org.ListParents(e.ctx, e.mgmt, "123456789012")
	testutil.WantCode(t, err, awserr.OrgsChildNotFound)
	pl := must(e.org.PlacementOf(e.ctx, dev))(t)
	if want := o.ID + "/" + o.RootID + "/" + strings.Join(chain[:3], "/") + "/"; pl.Path != want {
		t.Fatalf("path = %q, want %q", pl.Path, want)
	}
	testutil.WantCode(t, e.org.DeleteOrganizationalUnit(e.ctx, e.mgmt, chain[2]), awserr.OrgsOUNotEmpty)
	testutil.WantCode(t, e.org.DeleteOrganizationalUnit(e.ctx, e.mgmt, chain[4]), "")
	u := must(e.org.UpdateOrganizationalUnit(e.ctx, e.mgmt, chain[3], "renamed"))(t)
	if u.Name != "renamed" {
		t.Fatalf("renamed OU = %+v", u)
	}
	kids := must(e.org.ListChildren(e.ctx, e.mgmt, chain[2], ChildAccount, ListOpts{}))(t)
	if len(kids.Items) != 1 || kids.Items[0].ID != dev {
		t.Fatalf("children = %+v", kids.Items)
	}
}

func TestSCPs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	dev := e.member(t, "dev")
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads"))(t)
	testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, dev, o.RootID, ou.ID), "")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny}))(t)
	if !policyIDPattern.MatchString(p.ID) || p.Arn != "arn:aws:organizations::"+e.mgmt+":policy/"+o.ID+"/service_control_policy/"+p.ID {
		t.Fatalf("policy %+v", p)
	}
	// Not yet enabled: nothing applies and attaching fails.
	if pl := must(e.org.PlacementOf(e.ctx, dev))(t); pl.SCPs != nil {
		t.Fatalf("SCPs before EnablePolicyType: %+v", pl.SCPs)
	}
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, p.ID, ou.ID), awserr.OrgsPolicyTypeNotEnabled)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP))(t)
	_, err := e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP)
	testutil.WantCode(t, err, awserr.OrgsPolicyTypeAlreadyEnabled)
	// What the member's placement was read from is what a cached policy set of the member
	// depends on (store.Cache): attaching to its OU must change one of those objects.
	tracked, reads := store.TrackReads(e.ctx)
	must(e.org.PlacementOf(tracked, dev))(t)
	var mu sync.Mutex
	var changed []store.Change
	cancel := e.iam.Store().Changes().Subscribe(func(b []store.Change) {
		mu.Lock()
		changed = append(changed, b...)
		mu.Unlock()
	})
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, p.ID, ou.ID), "")
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(changed, reads.Affected) {
		t.Fatalf("attaching to the OU changed %q, none of what the member's placement read", changed)
	}
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, p.ID, ou.ID), awserr.OrgsDuplicatePolicyAttachment)
	pl := must(e.org.PlacementOf(e.ctx, dev))(t)
	if len(pl.SCPs) != 3 || len(pl.SCPs[0]) != 1 || len(pl.SCPs[1]) != 2 || len(pl.SCPs[2]) != 1 {
		t.Fatalf("levels = %+v", pl.SCPs)
	}
	if mp := must(e.org.PlacementOf(e.ctx, e.mgmt))(t); mp.SCPs != nil || !mp.Management {
		t.Fatalf("management placement = %+v", mp)
	}
	// Limits: five per target; the last one stays.
	for i := 0; i < 3; i++ {
		q := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "p" + string(rune('a'+i)), Type: TypeSCP, Content: deny}))(t)
		testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, q.ID, ou.ID), "")
	}
	extra := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "extra", Type: TypeSCP, Content: deny}))(t)
	wantReason(t, e.org.AttachPolicy(e.ctx, e.mgmt, extra.ID, ou.ID), awserr.OrgsConstraintViolation, ReasonMaxAttachments)
	wantReason(t, e.org.DetachPolicy(e.ctx, e.mgmt, FullAWSAccessID, dev), awserr.OrgsConstraintViolation, ReasonMinAttachments)
	testutil.WantCode(t, e.org.DetachPolicy(e.ctx, e.mgmt, extra.ID, dev), awserr.OrgsPolicyNotAttached)
	testutil.WantCode(t, e.org.DeletePolicy(e.ctx, e.mgmt, p.ID), awserr.OrgsPolicyInUse)
	wantReason(t, e.org.DeletePolicy(e.ctx, e.mgmt, FullAWSAccessID), awserr.OrgsInvalidInput, ReasonImmutablePolicy)
	_, err = e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny})
	testutil.WantCode(t, err, awserr.OrgsDuplicatePolicy)

	contentTests := []struct {
		name, content, typ string
		code               awserr.Code
		reason             string
	}{
		{"too long", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Sid":"` + strings.Repeat("a", 5100) + `"}]}`, TypeSCP, awserr.OrgsConstraintViolation, ReasonPolicyContent},
		{"principal in an SCP", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, TypeSCP, awserr.OrgsMalformedPolicy, ""},
		{"not JSON", `{`, TypeSCP, awserr.OrgsMalformedPolicy, ""},
		{"SCP grammar in a tag policy", deny, "TAG_POLICY", awserr.OrgsMalformedPolicy, ""},
		{"allow in an RCP", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}]}`, TypeRCP, awserr.OrgsMalformedPolicy, ""},
		{"RCP without principal", deny, TypeRCP, awserr.OrgsMalformedPolicy, ""},
		{"unknown operator", `{"tags":{"cc":{"tag_key":{"@@replace":"CostCenter"}}}}`, TypeTag, awserr.OrgsMalformedPolicy, ""},
		{"AI opt-out too long", `{"services":{"default":{"opt_out_policy":{"@@assign":"` + strings.Repeat("x", 2500) + `"}}}}`, TypeAIOptOut, awserr.OrgsConstraintViolation, ReasonPolicyContent},
		{"unknown type", deny, "FANCY_POLICY", awserr.OrgsInvalidInput, ReasonInvalidPolicyType},
	}
	for _, tc := range contentTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "x-" + tc.name, Type: tc.typ, Content: tc.content})
			if tc.reason != "" {
				wantReason(t, err, tc.code, tc.reason)
			} else {
				testutil.WantCode(t, err, tc.code)
			}
		})
	}

	// Disabling removes every attachment; SCPs stop applying.
	must(e.org.DisablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP))(t)
	if pl := must(e.org.PlacementOf(e.ctx, dev))(t); pl.SCPs != nil {
		t.Fatalf("SCPs after DisablePolicyType: %+v", pl.SCPs)
	}
	targets := must(e.org.ListTargetsForPolicy(e.ctx, e.mgmt, p.ID, ListOpts{}))(t)
	if len(targets.Items) != 0 {
		t.Fatalf("targets after disable = %+v", targets.Items)
	}
}

func TestHandshakes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	guest := e.account(t, "guest")
	h := must(e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: guest, Type: partyAccount}, "welcome"))(t)
	if !handshakeIDPattern.MatchString(h.ID) || h.State != HandshakeOpen || h.account() != guest {
		t.Fatalf("handshake %+v", h)
	}
	_, err := e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: "guest@example.com", Type: partyEmail}, "")
	testutil.WantCode(t, err, awserr.OrgsDuplicateHandshake)
	listed := must(e.org.ListHandshakesForAccount(e.ctx, guest, "", ListOpts{}))(t)
	if len(listed.Items) != 1 || listed.Items[0].ID != h.ID {
		t.Fatalf("guest's handshakes = %+v", listed.Items)
	}
	_, err = e.org.AcceptHandshake(e.ctx, e.account(t, "stranger"), h.ID)
	testutil.WantCode(t, err, awserr.OrgsHandshakeNotFound)
	acc := must(e.org.AcceptHandshake(e.ctx, guest, h.ID))(t)
	if acc.State != HandshakeAccepted {
		t.Fatalf("accepted = %+v", acc)
	}
	_, err = e.org.AcceptHandshake(e.ctx, guest, h.ID)
	testutil.WantCode(t, err, awserr.OrgsHandshakeAlreadyInState)
	_, err = e.org.DeclineHandshake(e.ctx, guest, h.ID)
	testutil.WantCode(t, err, awserr.OrgsInvalidHandshakeTransition)
	a := must(e.org.DescribeAccount(e.ctx, e.mgmt, guest))(t)
	if a.JoinedMethod != JoinedInvited || a.ParentID != o.RootID {
		t.Fatalf("joined account = %+v", a)
	}
	_, err = e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: guest, Type: partyAccount}, "")
	wantReason(t, err, awserr.OrgsHandshakeConstraint, ReasonAlreadyInOrganization)

	// Expiry after 15 days.
	late := e.account(t, "late")
	h2 := must(e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: late, Type: partyAccount}, ""))(t)
	e.now = e.now.Add(handshakeLifetime)
	_, err = e.org.AcceptHandshake(e.ctx, late, h2.ID)
	testutil.WantCode(t, err, awserr.OrgsInvalidHandshakeTransition)

	// Leaving and removal.
	testutil.WantCode(t, e.org.LeaveOrganization(e.ctx, e.mgmt), awserr.OrgsMasterCannotLeave)
	testutil.WantCode(t, e.org.LeaveOrganization(e.ctx, guest), "")
	_, err = e.org.DescribeOrganization(e.ctx, guest)
	testutil.WantCode(t, err, awserr.OrgsNotInUse)
	testutil.WantCode(t, e.org.DeleteOrganization(e.ctx, e.mgmt), "")
	_, err = e.org.DescribeOrganization(e.ctx, e.mgmt)
	testutil.WantCode(t, err, awserr.OrgsNotInUse)
}

func TestDelegatedAdministratorAndRootAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	outsider := e.account(t, "outsider")
	_, err := e.org.ListOrganizationsFeatures(e.ctx, outsider)
	testutil.WantCode(t, err, awserr.OrganizationNotFound)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	sec := e.member(t, "security")
	dev := e.member(t, "dev")
	_, err = e.org.ListOrganizationsFeatures(e.ctx, e.mgmt)
	testutil.WantCode(t, err, awserr.ServiceAccessNotEnabled)
	wantReason(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, sec, IAMService), awserr.OrgsConstraintViolation, ReasonServiceAccessNotEnabled)
	testutil.WantCode(t, e.org.EnableAWSServiceAccess(e.ctx, e.mgmt, IAMService), "")
	wantReason(t, e.org.EnableAWSServiceAccess(e.ctx, e.mgmt, "not-a-service"), awserr.OrgsInvalidInput, ReasonUnknownService)
	wantReason(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, e.mgmt, IAMService), awserr.OrgsConstraintViolation, ReasonMasterAsDelegated)
	testutil.WantCode(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, sec, IAMService), "")
	testutil.WantCode(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, sec, IAMService), awserr.OrgsAccountAlreadyRegistered)
	wantReason(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, dev, IAMService), awserr.OrgsConstraintViolation, ReasonDelegatedExists)
	wantReason(t, e.org.RemoveAccountFromOrganization(e.ctx, e.mgmt, sec), awserr.OrgsConstraintViolation, ReasonRemoveDelegated)
	// The delegated administrator reads the organization; a plain member does not.
	must(e.org.ListAccounts(e.ctx, sec, ListOpts{}))(t)
	_, err = e.org.ListAccounts(e.ctx, dev, ListOpts{})
	testutil.WantCode(t, err, awserr.OrgsAccessDenied)

	tests := []struct {
		name    string
		caller  string
		feature string
		enable  bool
		code    awserr.Code
		want    []string
	}{
		{"member may not list", dev, "", false, awserr.AccountNotManagementOrDelegatedAdmin, nil},
		{"delegated admin may not enable", sec, FeatureRootSessions, true, awserr.CallerIsNotManagementAccount, nil},
		{"management enables sessions", e.mgmt, FeatureRootSessions, true, "", []string{FeatureRootSessions}},
		{"management enables credentials management", e.mgmt, FeatureRootCredentialsManagement, true, "", []string{FeatureRootCredentialsManagement, FeatureRootSessions}},
		{"delegated admin lists", sec, "", false, "", []string{FeatureRootCredentialsManagement, FeatureRootSessions}},
		{"delegated admin disables sessions", sec, FeatureRootSessions, false, "", []string{FeatureRootCredentialsManagement}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ra *RootAccess
			var err error
			if tc.feature == "" {
				ra, err = e.org.ListOrganizationsFeatures(e.ctx, tc.caller)
			} else {
				ra, err = e.org.SetRootAccessFeature(e.ctx, tc.caller, tc.feature, tc.enable)
			}
			testutil.WantCode(t, err, tc.code)
			if tc.code == "" && (ra.OrganizationID != o.ID || strings.Join(ra.EnabledFeatures, ",") != strings.Join(tc.want, ",")) {
				t.Fatalf("features = %+v, want %v", ra, tc.want)
			}
		})
	}

	// Password recovery is blocked for members while credentials are centrally managed.
	for _, c := range []struct {
		account string
		want    bool
	}{{dev, false}, {e.mgmt, true}, {outsider, true}} {
		if got := must(e.org.RootRecoveryAllowed(e.ctx, c.account))(t); got != c.want {
			t.Fatalf("RootRecoveryAllowed(%s) = %t, want %t", c.account, got, c.want)
		}
	}
	must(e.iam.AllowRootPasswordRecovery(e.ctx, dev))(t)
	if !must(e.org.RootRecoveryAllowed(e.ctx, dev))(t) {
		t.Fatal("recovery allowed by a privileged session is not honoured")
	}

	// Root sessions: RootSessions was just disabled.
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, e.mgmt, dev), awserr.AccessDenied)
	must(e.org.SetRootAccessFeature(e.ctx, e.mgmt, FeatureRootSessions, true))(t)
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, e.mgmt, dev), "")
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, sec, dev), "")
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, e.mgmt, e.mgmt), awserr.AccessDenied)
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, dev, sec), awserr.AccessDenied)
	testutil.WantCode(t, e.org.RootSessionTarget(e.ctx, e.mgmt, outsider), awserr.AccessDenied)

	inv := must(e.org.RootInventory(e.ctx, e.mgmt))(t)
	if len(inv.Accounts) != 3 || inv.OrganizationID != o.ID {
		t.Fatalf("inventory = %+v", inv)
	}
	for _, a := range inv.Accounts {
		if (a.AccountID == dev) != a.RecoveryAllowed || (a.AccountID == e.mgmt) != a.Management {
			t.Fatalf("inventory row %+v", a)
		}
	}
	_, err = e.org.RootInventory(e.ctx, dev)
	testutil.WantCode(t, err, awserr.OrgsAccessDenied)

	// Turning off IAM's trusted access turns the features off.
	testutil.WantCode(t, e.org.DisableAWSServiceAccess(e.ctx, e.mgmt, IAMService), "")
	testutil.WantCode(t, e.org.EnableAWSServiceAccess(e.ctx, e.mgmt, IAMService), "")
	if ra := must(e.org.ListOrganizationsFeatures(e.ctx, e.mgmt))(t); len(ra.EnabledFeatures) != 0 {
		t.Fatalf("features after disabling trusted access: %v", ra.EnabledFeatures)
	}
}

func TestConsolidatedBilling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, FeatureSetConsolidatedBilling))(t)
	_, err := e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP)
	testutil.WantCode(t, err, awserr.OrgsPolicyTypeNotAvailable)
	wantReason(t, e.org.EnableAWSServiceAccess(e.ctx, e.mgmt, IAMService), awserr.OrgsConstraintViolation, ReasonNotAllFeatures)
	_, err = e.org.ListOrganizationsFeatures(e.ctx, e.mgmt)
	testutil.WantCode(t, err, awserr.OrganizationNotInAllFeatures)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	for i := 0; i < 4; i++ {
		must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "ou"+string(rune('0'+i))))(t)
	}
	var seen []string
	lo := ListOpts{MaxResults: 3}
	for {
		p := must(e.org.ListOrganizationalUnitsForParent(e.ctx, e.mgmt, o.RootID, lo))(t)
		for _, u := range p.Items {
			seen = append(seen, u.ID)
		}
		if p.NextToken == "" {
			break
		}
		lo.NextToken = p.NextToken
	}
	if len(seen) != 4 {
		t.Fatalf("paged OUs = %v", seen)
	}
	_, err := e.org.ListAccounts(e.ctx, e.mgmt, ListOpts{MaxResults: 21})
	wantReason(t, err, awserr.OrgsInvalidInput, ReasonMaxValue)
	_, err = e.org.ListAccounts(e.ctx, e.mgmt, ListOpts{NextToken: "!!"})
	wantReason(t, err, awserr.OrgsInvalidInput, ReasonInvalidNextToken)
}

func TestTaskPolicies(t *testing.T) {
	if len(TaskPolicyARNs) != 5 {
		t.Fatalf("task policies = %v", TaskPolicyARNs)
	}
	root := "arn:aws:iam::111122223333:root"
	tests := []struct {
		task, action, resource string
		allowed                bool
	}{
		{TaskAuditRootUserCredentials, "iam:ListAccessKeys", root, true},
		{TaskAuditRootUserCredentials, "iam:GetAccountSummary", "*", true},
		{TaskAuditRootUserCredentials, "iam:DeleteAccessKey", root, false},
		{TaskAuditRootUserCredentials, "iam:ListAccessKeys", "arn:aws:iam::111122223333:user/bob", false},
		{TaskCreateRootUserPassword, "iam:CreateLoginProfile", root, true},
		{TaskCreateRootUserPassword, "iam:DeleteLoginProfile", root, false},
		{TaskDeleteRootUserCredentials, "iam:DeleteLoginProfile", root, true},
		// AWS's policy confines iam:DeleteVirtualMFADevice to the root user's ARN too, so a device
		// ARN is denied.
		{TaskDeleteRootUserCredentials, "iam:DeleteVirtualMFADevice", "arn:aws:iam::111122223333:mfa/root-account-mfa-device", false},
		{TaskDeleteRootUserCredentials, "iam:DeactivateMFADevice", root, true},
		{TaskDeleteRootUserCredentials, "iam:CreateAccessKey", root, false},
		{TaskS3UnlockBucketPolicy, "s3:DeleteBucketPolicy", "arn:aws:s3:::locked", true},
		{TaskS3UnlockBucketPolicy, "s3:GetObject", "arn:aws:s3:::locked/x", false},
		{TaskSQSUnlockQueuePolicy, "sqs:GetQueueAttributes", "arn:aws:sqs:us-east-1:111122223333:q", true},
		{TaskSQSUnlockQueuePolicy, "sqs:GetQueueAttributes", "arn:aws:sqs:us-east-1:444455556666:q", false},
	}
	for _, tc := range tests {
		t.Run(tc.task+" "+tc.action+" "+tc.resource, func(t *testing.T) {
			mp, ok := managedTask(tc.task)
			if !ok {
				t.Fatalf("%s not registered", tc.task)
			}
			p, err := policy.Parse(mp, policy.KindIdentity)
			if err != nil {
				t.Fatal(err)
			}
			var ctx policy.Context
			ctx.Set("aws:PrincipalArn", root)
			ctx.Set("aws:PrincipalAccount", "111122223333")
			if parts := strings.Split(tc.resource, ":"); len(parts) > 4 && parts[4] != "" {
				ctx.Set("aws:ResourceAccount", parts[4])
			}
			d := policy.Evaluate(&policy.Input{Root: true, TaskPolicies: []*policy.Policy{p}}, &policy.Request{
				Action: tc.action, Resource: tc.resource, Context: &ctx,
				Principal: policy.Principal{ARN: root, Account: "111122223333"},
			})
			if d.Allowed() != tc.allowed {
				t.Fatalf("allowed = %t (%s), want %t", d.Allowed(), d.Reason(tc.action), tc.allowed)
			}
		})
	}
}

// managedTask returns the document of a task policy from IAM's AWS managed policies.
func managedTask(name string) (string, bool) {
	p, ok := iam.AWSManaged(TaskPolicyPrefix + name)
	if !ok {
		return "", false
	}
	return p.DefaultDocument(), true
}
