package orgsapi_test

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// scpEnv is an organization with SCPs enabled and a member account "dev" in the OU "workloads".
type scpEnv struct {
	*servertest.Env
	m                   servertest.Caller
	orgID, rootID, ouID string
	dev                 string
	devAdmin, devRoot   servertest.Caller
	mgmtRoot            servertest.Caller
	policies            map[string]string // name → policy ID
	created             int
}

func newSCPEnv(t *testing.T) *scpEnv {
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	s := &scpEnv{Env: e, m: e.Admin(), policies: map[string]string{}}
	s.rootID = e.NewOrg(s.m)
	d, err := s.m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	s.orgID = *d.Organization.Id
	if _, err := s.m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	ou, err := s.m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(s.rootID), Name: aws.String("workloads")})
	if err != nil {
		t.Fatal(err)
	}
	s.ouID = *ou.OrganizationalUnit.Id
	s.dev = e.CreateMember(s.m, "dev")
	if _, err := s.m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.dev), SourceParentId: aws.String(s.rootID), DestinationParentId: aws.String(s.ouID)}); err != nil {
		t.Fatal(err)
	}
	s.devAdmin = e.UserIn(s.dev, "admin", "")
	s.devRoot = e.RootOf(s.dev)
	s.mgmtRoot = e.RootOf(e.Account.ID)
	return s
}

// scp creates (once) and returns the ID of an SCP.
func (s *scpEnv) scp(name, content string) string {
	s.T.Helper()
	if id, ok := s.policies[name]; ok {
		return id
	}
	p, err := s.m.Orgs.CreatePolicy(servertest.Ctx(s.T), &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
	if err != nil {
		s.T.Fatal(err)
	}
	s.policies[name] = *p.Policy.PolicySummary.Id
	return *p.Policy.PolicySummary.Id
}

func (s *scpEnv) attach(policyID, target string) {
	s.T.Helper()
	if _, err := s.m.Orgs.AttachPolicy(servertest.Ctx(s.T), &organizations.AttachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		s.T.Fatal(err)
	}
}

func (s *scpEnv) detach(policyID, target string) {
	s.T.Helper()
	if _, err := s.m.Orgs.DetachPolicy(servertest.Ctx(s.T), &organizations.DetachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		s.T.Fatal(err)
	}
}

// try calls an IAM action as c: "iam:CreateUser" (a fresh user) or "iam:ListUsers". It returns
// "" when allowed, or the AccessDenied message.
func (s *scpEnv) try(t *testing.T, c servertest.Caller, action string) string {
	t.Helper()
	ctx := servertest.Ctx(t)
	var err error
	switch action {
	case "iam:CreateUser":
		s.created++
		_, err = c.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("user-" + strconv.Itoa(s.created))})
	case "iam:ListUsers":
		_, err = c.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	default:
		t.Fatalf("unknown action %s", action)
	}
	if err == nil {
		return ""
	}
	testutil.WantCode(t, err, "AccessDenied")
	return testutil.ErrorMessage(err)
}

const (
	explicitSCP = "with an explicit deny in a service control policy"
	noSCPAllows = "because no service control policy allows the "
)

// TestPrincipalOrgPaths checks aws:PrincipalOrgPaths in an identity policy, and that moving the
// account out of the OU changes it at once.
