package orgsapi_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server/servertest"
	"github.com/rootward/rootward/internal/testutil"
)

// env is a servertest.Env with the Organizations helpers of these tests.
type env struct{ *servertest.Env }

// newEnv starts an in-process Rootward of its own for t (servertest.New).
func newEnv(t *testing.T) *env { return &env{servertest.New(t)} }

// caller is a set of SDK clients signing as one principal.
type caller struct {
	account string
	iam     *awsiam.Client
	sts     *sts.Client
	orgs    *organizations.Client
}

func (e *env) callerFor(account, id, secret, token string) caller {
	i, s := e.Clients(id, secret, token)
	return caller{account: account, iam: i, sts: s, orgs: e.OrgsClient(id, secret, token)}
}

// mgmt is the test account's admin user: the organization's management account once it creates one.
func (e *env) mgmt() caller {
	return e.callerFor(e.Account.ID, e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
}

// userIn creates a user with AdministratorAccess (and the inline policy, if any) in account.
func (e *env) userIn(account, name, inline string) caller {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		e.T.Fatal(err)
	}
	if inline == "" {
		if err := e.Svc.AttachPolicy(ctx, account, "user", name, "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
			e.T.Fatal(err)
		}
	} else if err := e.Svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline); err != nil {
		e.T.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.callerFor(account, k.AccessKeyID, k.Secret, "")
}

// rootOf returns clients signing with a new access key of account's root user.
func (e *env) rootOf(account string) caller {
	e.T.Helper()
	k, err := e.Svc.CreateRootAccessKey(context.Background(), account)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.callerFor(account, k.AccessKeyID, k.Secret, "")
}

// standalone creates an account outside any organization with an admin user.
func (e *env) standalone(name string) caller {
	e.T.Helper()
	a, err := e.Svc.CreateAccount(context.Background(), name, name+"+"+strings.ToLower(e.T.Name())+"@example.com", "")
	if err != nil {
		e.T.Fatal(err)
	}
	return e.userIn(a.ID, "admin", "")
}

// newOrg creates an organization with the management account's admin and returns the root ID.
func (e *env) newOrg(m caller) string {
	e.T.Helper()
	ctx := servertest.Ctx(e.T)
	if _, err := m.orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll}); err != nil {
		e.T.Fatal(err)
	}
	roots, err := m.orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		e.T.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	return *roots.Roots[0].Id
}

// createMember creates a member account through CreateAccount and waits for it.
func (e *env) createMember(m caller, name string) string {
	e.T.Helper()
	ctx := servertest.Ctx(e.T)
	out, err := m.orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "+" + strings.ToLower(e.T.Name()) + "@example.com"),
	})
	if err != nil {
		e.T.Fatal(err)
	}
	st, err := m.orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != otypes.CreateAccountStateSucceeded {
		e.T.Fatalf("DescribeCreateAccountStatus = %+v, %v", st, err)
	}
	return *st.CreateAccountStatus.AccountId
}

// wantReason fails unless err is an Organizations error with code and Reason.
func wantReason(t *testing.T, err error, code, reason string) {
	t.Helper()
	testutil.WantCode(t, err, code)
	var got string
	var cv *otypes.ConstraintViolationException
	var ii *otypes.InvalidInputException
	var hc *otypes.HandshakeConstraintViolationException
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	case errors.As(err, &hc):
		got = string(hc.Reason)
	}
	if got != reason {
		t.Fatalf("Reason = %q, want %q (%v)", got, reason, err)
	}
}

// apiMessage returns the message of an API error.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// scpEnv is an organization with SCPs enabled and a member account "dev" in the OU "workloads".
type scpEnv struct {
	*env
	m                   caller
	orgID, rootID, ouID string
	dev                 string
	devAdmin, devRoot   caller
	mgmtRoot            caller
	policies            map[string]string // name → policy ID
	created             int
}

func newSCPEnv(t *testing.T) *scpEnv {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	s := &scpEnv{env: e, m: e.mgmt(), policies: map[string]string{}}
	s.rootID = e.newOrg(s.m)
	d, err := s.m.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	s.orgID = *d.Organization.Id
	if _, err := s.m.orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	ou, err := s.m.orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(s.rootID), Name: aws.String("workloads")})
	if err != nil {
		t.Fatal(err)
	}
	s.ouID = *ou.OrganizationalUnit.Id
	s.dev = e.createMember(s.m, "dev")
	if _, err := s.m.orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.dev), SourceParentId: aws.String(s.rootID), DestinationParentId: aws.String(s.ouID)}); err != nil {
		t.Fatal(err)
	}
	s.devAdmin = e.userIn(s.dev, "admin", "")
	s.devRoot = e.rootOf(s.dev)
	s.mgmtRoot = e.rootOf(e.Account.ID)
	return s
}

// scp creates (once) and returns the ID of an SCP.
func (s *scpEnv) scp(name, content string) string {
	s.T.Helper()
	if id, ok := s.policies[name]; ok {
		return id
	}
	p, err := s.m.orgs.CreatePolicy(servertest.Ctx(s.T), &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
	if err != nil {
		s.T.Fatal(err)
	}
	s.policies[name] = *p.Policy.PolicySummary.Id
	return *p.Policy.PolicySummary.Id
}

func (s *scpEnv) attach(policyID, target string) {
	s.T.Helper()
	if _, err := s.m.orgs.AttachPolicy(servertest.Ctx(s.T), &organizations.AttachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		s.T.Fatal(err)
	}
}

func (s *scpEnv) detach(policyID, target string) {
	s.T.Helper()
	if _, err := s.m.orgs.DetachPolicy(servertest.Ctx(s.T), &organizations.DetachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		s.T.Fatal(err)
	}
}

// try calls an IAM action as c: "iam:CreateUser" (a fresh user) or "iam:ListUsers". It returns
// "" when allowed, or the AccessDenied message.
func (s *scpEnv) try(t *testing.T, c caller, action string) string {
	t.Helper()
	ctx := servertest.Ctx(t)
	var err error
	switch action {
	case "iam:CreateUser":
		s.created++
		_, err = c.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("user-" + strconv.Itoa(s.created))})
	case "iam:ListUsers":
		_, err = c.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	default:
		t.Fatalf("unknown action %s", action)
	}
	if err == nil {
		return ""
	}
	testutil.WantCode(t, err, "AccessDenied")
	return apiMessage(err)
}

const (
	explicitSCP = "with an explicit deny in a service control policy"
	noSCPAllows = "because no service control policy allows the "
)

// TestPrincipalOrgPaths checks aws:PrincipalOrgPaths in an identity policy, and that moving the
// account out of the OU changes it at once.
