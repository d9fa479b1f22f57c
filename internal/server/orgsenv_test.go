package server_test

// The Organizations helpers of the server's tests (rootaccess, servicelinked, validation, paging…).
// The SDK tests of the Organizations operations themselves are in internal/api/orgsapi.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
)

// caller is a set of SDK clients signing as one principal.
type caller struct {
	account string
	iam     *awsiam.Client
	sts     *sts.Client
	orgs    *organizations.Client
}

func (e *env) callerFor(account, id, secret, token string) caller {
	i, s := e.clients(id, secret, token)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, token), RetryMaxAttempts: 1}
	o := organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = aws.String(e.url) })
	return caller{account: account, iam: i, sts: s, orgs: o}
}

// mgmt is the test account's admin user: the organization's management account once it creates one.
func (e *env) mgmt() caller {
	return e.callerFor(e.account.ID, e.adminKey.AccessKeyID, e.adminKey.Secret, "")
}

// userIn creates a user with AdministratorAccess (and the inline policy, if any) in account.
func (e *env) userIn(account, name, inline string) caller {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if inline == "" {
		if err := e.svc.AttachPolicy(ctx, account, "user", name, "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
			e.t.Fatal(err)
		}
	} else if err := e.svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline); err != nil {
		e.t.Fatal(err)
	}
	k, err := e.svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.callerFor(account, k.AccessKeyID, k.Secret, "")
}

// standalone creates an account outside any organization with an admin user.
func (e *env) standalone(name string) caller {
	e.t.Helper()
	a, err := e.svc.CreateAccount(context.Background(), name, name+"+"+strings.ToLower(e.t.Name())+"@example.com", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.userIn(a.ID, "admin", "")
}

// newOrg creates an organization with the management account's admin and returns the root ID.
func (e *env) newOrg(m caller) string {
	e.t.Helper()
	ctx := ctxT(e.t)
	if _, err := m.orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll}); err != nil {
		e.t.Fatal(err)
	}
	roots, err := m.orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		e.t.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	return *roots.Roots[0].Id
}

// createMember creates a member account through CreateAccount and waits for it.
func (e *env) createMember(m caller, name string) string {
	e.t.Helper()
	ctx := ctxT(e.t)
	out, err := m.orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "+" + strings.ToLower(e.t.Name()) + "@example.com"),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := m.orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != otypes.CreateAccountStateSucceeded {
		e.t.Fatalf("DescribeCreateAccountStatus = %+v, %v", st, err)
	}
	return *st.CreateAccountStatus.AccountId
}

// wantReason fails unless err is an Organizations error with code and Reason.
func wantReason(t *testing.T, err error, code, reason string) {
	t.Helper()
	wantCode(t, err, code)
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
	devAdmin            caller
	policies            map[string]string // name → policy ID
}

func newSCPEnv(t *testing.T) *scpEnv {
	e := newEnv(t)
	ctx := ctxT(t)
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
	return s
}

// scp creates (once) and returns the ID of an SCP.
func (s *scpEnv) scp(name, content string) string {
	s.t.Helper()
	if id, ok := s.policies[name]; ok {
		return id
	}
	p, err := s.m.orgs.CreatePolicy(ctxT(s.t), &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
	if err != nil {
		s.t.Fatal(err)
	}
	s.policies[name] = *p.Policy.PolicySummary.Id
	return *p.Policy.PolicySummary.Id
}

func (s *scpEnv) attach(policyID, target string) {
	s.t.Helper()
	if _, err := s.m.orgs.AttachPolicy(ctxT(s.t), &organizations.AttachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		s.t.Fatal(err)
	}
}

const explicitSCP = "with an explicit deny in a service control policy"

// TestPrincipalOrgPaths checks aws:PrincipalOrgPaths in an identity policy, and that moving the
// account out of the OU changes it at once.

func sdkTags(kv ...string) []otypes.Tag {
	out := make([]otypes.Tag, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, otypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}
