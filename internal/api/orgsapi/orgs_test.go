package orgsapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestOrganizationsAccountsAndOUs(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	_, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	testutil.WantCode(t, err, "AWSOrganizationsNotInUseException")
	rootID := e.NewOrg(m)
	_, err = m.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	testutil.WantCode(t, err, "AlreadyInOrganizationException")
	d, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	org := d.Organization
	if !strings.HasPrefix(*org.Id, "o-") || *org.MasterAccountId != e.Account.ID || org.FeatureSet != otypes.OrganizationFeatureSetAll ||
		*org.Arn != "arn:aws:organizations::"+e.Account.ID+":organization/"+*org.Id ||
		*org.MasterAccountArn != "arn:aws:organizations::"+e.Account.ID+":account/"+*org.Id+"/"+e.Account.ID {
		t.Fatalf("organization = %+v", org)
	}

	created, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if created.CreateAccountStatus.State != otypes.CreateAccountStateInProgress || !strings.HasPrefix(*created.CreateAccountStatus.Id, "car-") {
		t.Fatalf("CreateAccount answer = %+v", created.CreateAccountStatus)
	}
	st, err := m.Orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != otypes.CreateAccountStateSucceeded || st.CreateAccountStatus.CompletedTimestamp == nil {
		t.Fatalf("status = %+v, %v", st, err)
	}
	dev := *st.CreateAccountStatus.AccountId
	dup, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev2"), Email: aws.String("dev@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := m.Orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: dup.CreateAccountStatus.Id})
	if err != nil || failed.CreateAccountStatus.State != otypes.CreateAccountStateFailed ||
		failed.CreateAccountStatus.FailureReason != otypes.CreateAccountFailureReasonEmailAlreadyExists {
		t.Fatalf("duplicate email = %+v, %v", failed, err)
	}
	statuses, err := m.Orgs.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []otypes.CreateAccountState{otypes.CreateAccountStateSucceeded}})
	if err != nil || len(statuses.CreateAccountStatuses) != 1 {
		t.Fatalf("ListCreateAccountStatus = %+v, %v", statuses, err)
	}

	// The management account's admin reaches the member through OrganizationAccountAccessRole.
	role, err := m.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("setup")})
	if err != nil {
		t.Fatal(err)
	}
	member := e.CallerFor(dev, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)
	if _, err := member.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ops")}); err != nil {
		t.Fatalf("access role is not an administrator: %v", err)
	}
	if _, err := member.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("member DescribeOrganization: %v", err)
	}
	_, err = member.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	testutil.WantCode(t, err, "AccessDeniedException")
	_, err = member.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("x")})
	testutil.WantCode(t, err, "AccessDeniedException")
	// An IAM user without organizations permissions is refused by IAM first, in Organizations' code.
	nobody := e.UserIn(e.Account.ID, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)
	_, err = nobody.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	testutil.WantCode(t, err, "AccessDeniedException")

	accts, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 2 {
		t.Fatalf("ListAccounts = %+v, %v", accts, err)
	}
	for _, a := range accts.Accounts {
		want := otypes.AccountJoinedMethodCreated
		if *a.Id == e.Account.ID {
			want = otypes.AccountJoinedMethodInvited
		}
		if a.JoinedMethod != want || a.Status != otypes.AccountStatusActive || a.State != otypes.AccountStateActive || a.JoinedTimestamp == nil {
			t.Fatalf("account %+v", a)
		}
	}

	// OUs nest five deep.
	parent := rootID
	var ous []string
	for i := 0; i < 5; i++ {
		ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("level")})
		if err != nil {
			t.Fatal(err)
		}
		parent = *ou.OrganizationalUnit.Id
		ous = append(ous, parent)
	}
	_, err = m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("sixth")})
	servertest.WantReason(t, err, "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")
	_, err = m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("level")})
	testutil.WantCode(t, err, "DuplicateOrganizationalUnitException")
	if _, err := m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(rootID), DestinationParentId: aws.String(ous[1])}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(rootID), DestinationParentId: aws.String(ous[0])})
	testutil.WantCode(t, err, "SourceParentNotFoundException")
	parents, err := m.Orgs.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(dev)})
	if err != nil || len(parents.Parents) != 1 || *parents.Parents[0].Id != ous[1] || parents.Parents[0].Type != otypes.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents = %+v, %v", parents, err)
	}
	_, err = m.Orgs.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("123456789012")})
	testutil.WantCode(t, err, "ChildNotFoundException")
	children, err := m.Orgs.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(ous[0]), ChildType: otypes.ChildTypeOrganizationalUnit})
	if err != nil || len(children.Children) != 1 || *children.Children[0].Id != ous[1] {
		t.Fatalf("ListChildren = %+v, %v", children, err)
	}
	inOU, err := m.Orgs.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(ous[1])})
	if err != nil || len(inOU.Accounts) != 1 || *inOU.Accounts[0].Id != dev {
		t.Fatalf("ListAccountsForParent = %+v, %v", inOU, err)
	}
	top, err := m.Orgs.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
	if err != nil || len(top.OrganizationalUnits) != 1 || *top.OrganizationalUnits[0].Id != ous[0] ||
		*top.OrganizationalUnits[0].Arn != "arn:aws:organizations::"+e.Account.ID+":ou/"+*org.Id+"/"+ous[0] {
		t.Fatalf("ListOrganizationalUnitsForParent = %+v, %v", top, err)
	}
	_, err = m.Orgs.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ous[1])})
	testutil.WantCode(t, err, "OrganizationalUnitNotEmptyException")
	upd, err := m.Orgs.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(ous[4]), Name: aws.String("leaf")})
	if err != nil || *upd.OrganizationalUnit.Name != "leaf" {
		t.Fatalf("UpdateOrganizationalUnit = %+v, %v", upd, err)
	}
	if _, err := m.Orgs.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(ous[4])}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ous[4])})
	testutil.WantCode(t, err, "OrganizationalUnitNotFoundException")

	// Closing and removal.
	_, err = m.Orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(e.Account.ID)})
	servertest.WantReason(t, err, "ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
	if _, err := m.Orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(dev)}); err != nil {
		t.Fatal(err)
	}
	// A closed account's principals can do nothing, and nobody can assume a role in it.
	_, err = member.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
	_, err = m.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("late")})
	testutil.WantCode(t, err, "AccessDenied")
	closed, err := m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(dev)})
	if err != nil || closed.Account.Status != otypes.AccountStatusSuspended {
		t.Fatalf("closed account = %+v, %v", closed, err)
	}
	_, err = m.Orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(dev)})
	testutil.WantCode(t, err, "AccountAlreadyClosedException")
	_, err = m.Orgs.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	testutil.WantCode(t, err, "OrganizationNotEmptyException")
	_, err = m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(e.Account.ID)})
	testutil.WantCode(t, err, "MasterCannotLeaveOrganizationException")
	if _, err := m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(dev)}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(dev)})
	testutil.WantCode(t, err, "AccountNotFoundException")
	if _, err := m.Orgs.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestOrganizationsInvitations(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	guest := e.Standalone("guest")
	hs, err := m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(guest.Account), Type: otypes.HandshakePartyTypeAccount}, Notes: aws.String("join us"),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := hs.Handshake
	if !strings.HasPrefix(*h.Id, "h-") || h.State != otypes.HandshakeStateOpen || h.Action != otypes.ActionTypeInviteAccountToOrganization || len(h.Parties) != 2 ||
		h.ExpirationTimestamp.Sub(*h.RequestedTimestamp).Hours() != 15*24 {
		t.Fatalf("handshake = %+v", h)
	}
	_, err = m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(guest.Account), Type: otypes.HandshakePartyTypeAccount},
	})
	testutil.WantCode(t, err, "DuplicateHandshakeException")
	mine, err := guest.Orgs.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})
	if err != nil || len(mine.Handshakes) != 1 || *mine.Handshakes[0].Id != *h.Id {
		t.Fatalf("ListHandshakesForAccount = %+v, %v", mine, err)
	}
	// Only the invited account can answer.
	stranger := e.Standalone("stranger")
	_, err = stranger.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	testutil.WantCode(t, err, "HandshakeNotFoundException")
	acc, err := guest.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	if err != nil || acc.Handshake.State != otypes.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake = %+v, %v", acc, err)
	}
	_, err = guest.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	testutil.WantCode(t, err, "HandshakeAlreadyInStateException")
	_, err = guest.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	testutil.WantCode(t, err, "AlreadyInOrganizationException")
	joined, err := m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(guest.Account)})
	if err != nil || joined.Account.JoinedMethod != otypes.AccountJoinedMethodInvited {
		t.Fatalf("joined = %+v, %v", joined, err)
	}
	_, err = m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(guest.Account), Type: otypes.HandshakePartyTypeAccount},
	})
	servertest.WantReason(t, err, "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")

	// An invitation by root email, declined.
	other := e.Standalone("other")
	byMail, err := m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String("other+" + strings.ToLower(t.Name()) + "@example.com"), Type: otypes.HandshakePartyTypeEmail},
	})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := other.Orgs.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: byMail.Handshake.Id})
	if err != nil || dec.Handshake.State != otypes.HandshakeStateDeclined {
		t.Fatalf("DeclineHandshake = %+v, %v", dec, err)
	}
	_, err = other.Orgs.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: byMail.Handshake.Id})
	testutil.WantCode(t, err, "InvalidHandshakeTransitionException")

	// The member leaves; the management account cannot.
	_, err = m.Orgs.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	testutil.WantCode(t, err, "MasterCannotLeaveOrganizationException")
	if _, err := guest.Orgs.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = guest.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	testutil.WantCode(t, err, "AWSOrganizationsNotInUseException")
}

func TestOrganizationsPolicies(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	dev := e.CreateMember(m, "dev")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	p, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-users"), Description: aws.String("d"),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(deny)})
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Policy.PolicySummary.Id
	_, err = m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(dev)})
	testutil.WantCode(t, err, "PolicyTypeNotEnabledException")
	en, err := m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(en.Root.PolicyTypes) != 1 || en.Root.PolicyTypes[0].Status != otypes.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType = %+v, %v", en, err)
	}
	_, err = m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy})
	testutil.WantCode(t, err, "PolicyTypeAlreadyEnabledException")
	_, err = m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: otypes.PolicyTypeServiceControlPolicy})
	testutil.WantCode(t, err, "RootNotFoundException")
	// FullAWSAccess is on every target.
	for _, target := range []string{rootID, dev, e.Account.ID} {
		on, err := m.Orgs.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: otypes.PolicyTypeServiceControlPolicy})
		if err != nil || len(on.Policies) != 1 || *on.Policies[0].Id != "p-FullAWSAccess" || !on.Policies[0].AwsManaged {
			t.Fatalf("policies on %s = %+v, %v", target, on, err)
		}
	}
	if _, err := m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(dev)}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(dev)})
	testutil.WantCode(t, err, "DuplicatePolicyAttachmentException")
	_, err = m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String("ou-zzzz-zzzzzzzz")})
	testutil.WantCode(t, err, "TargetNotFoundException")
	_, err = m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-zzzzzzzz"), TargetId: aws.String(dev)})
	testutil.WantCode(t, err, "PolicyNotFoundException")
	for i := 0; i < 3; i++ {
		q, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("extra" + string(rune('a'+i))), Description: aws.String("d"),
			Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(deny)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: q.Policy.PolicySummary.Id, TargetId: aws.String(dev)}); err != nil {
			t.Fatal(err)
		}
	}
	sixth, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("sixth"), Description: aws.String("d"),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(deny)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: sixth.Policy.PolicySummary.Id, TargetId: aws.String(dev)})
	servertest.WantReason(t, err, "ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	_, err = m.Orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(rootID)})
	servertest.WantReason(t, err, "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	_, err = m.Orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: sixth.Policy.PolicySummary.Id, TargetId: aws.String(dev)})
	testutil.WantCode(t, err, "PolicyNotAttachedException")
	_, err = m.Orgs.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid})
	testutil.WantCode(t, err, "PolicyInUseException")
	targets, err := m.Orgs.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pid})
	if err != nil || len(targets.Targets) != 1 || *targets.Targets[0].TargetId != dev || targets.Targets[0].Type != otypes.TargetTypeAccount {
		t.Fatalf("ListTargetsForPolicy = %+v, %v", targets, err)
	}
	all, err := m.Orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(all.Policies) != 6 || !slices.ContainsFunc(all.Policies, func(p otypes.PolicySummary) bool { return *p.Name == "FullAWSAccess" }) {
		t.Fatalf("ListPolicies = %+v, %v", all, err)
	}

	contentTests := []struct {
		name, content, code, reason string
	}{
		{"oversized", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}` + strings.Repeat(" ", 5120), "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED"},
		{"principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, "MalformedPolicyDocumentException", ""},
		{"syntax", `{"Version":`, "MalformedPolicyDocumentException", ""},
	}
	for _, tc := range contentTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(tc.name), Description: aws.String("d"),
				Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(tc.content)})
			if tc.reason != "" {
				servertest.WantReason(t, err, tc.code, tc.reason)
			} else {
				testutil.WantCode(t, err, tc.code)
			}
		})
	}
	_, err = m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("tags"), Description: aws.String("d"),
		Type: otypes.PolicyTypeTagPolicy, Content: aws.String(deny)})
	testutil.WantCode(t, err, "MalformedPolicyDocumentException")

	upd, err := m.Orgs.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: pid, Name: aws.String("renamed")})
	if err != nil || *upd.Policy.PolicySummary.Name != "renamed" || *upd.Policy.Content != deny {
		t.Fatalf("UpdatePolicy = %+v, %v", upd, err)
	}
	_, err = m.Orgs.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Name: aws.String("mine")})
	servertest.WantReason(t, err, "InvalidInputException", "IMMUTABLE_POLICY")
	desc, err := m.Orgs.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil || *desc.Policy.PolicySummary.Arn != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
		t.Fatalf("DescribePolicy FullAWSAccess = %+v, %v", desc, err)
	}
	if _, err := m.Orgs.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Orgs.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid}); err != nil {
		t.Fatalf("DeletePolicy after disabling SCPs (attachments removed): %v", err)
	}
}

func TestOrganizationsServiceAccessAndDelegation(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	sec := e.CreateMember(m, "security")
	_, err := m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")})
	servertest.WantReason(t, err, "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
	_, err = m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("nonsense")})
	servertest.WantReason(t, err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
	if _, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	sa, err := m.Orgs.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(sa.EnabledServicePrincipals) != 1 || *sa.EnabledServicePrincipals[0].ServicePrincipal != "iam.amazonaws.com" || sa.EnabledServicePrincipals[0].DateEnabled == nil {
		t.Fatalf("ListAWSServiceAccessForOrganization = %+v, %v", sa, err)
	}
	_, err = m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(e.Account.ID), ServicePrincipal: aws.String("iam.amazonaws.com")})
	servertest.WantReason(t, err, "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
	if _, err := m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")})
	testutil.WantCode(t, err, "AccountAlreadyRegisteredException")
	admins, err := m.Orgs.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
	if err != nil || len(admins.DelegatedAdministrators) != 1 || *admins.DelegatedAdministrators[0].Id != sec || admins.DelegatedAdministrators[0].DelegationEnabledDate == nil {
		t.Fatalf("ListDelegatedAdministrators = %+v, %v", admins, err)
	}
	svcs, err := m.Orgs.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(sec)})
	if err != nil || len(svcs.DelegatedServices) != 1 || *svcs.DelegatedServices[0].ServicePrincipal != "iam.amazonaws.com" {
		t.Fatalf("ListDelegatedServicesForAccount = %+v, %v", svcs, err)
	}
	_, err = m.Orgs.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(e.Account.ID)})
	testutil.WantCode(t, err, "AccountNotRegisteredException")
	// The delegated administrator reads the organization.
	delegated := e.UserIn(sec, "admin", "")
	if _, err := delegated.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
		t.Fatalf("delegated administrator ListAccounts: %v", err)
	}
	_, err = m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(sec)})
	servertest.WantReason(t, err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	if _, err := m.Orgs.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Orgs.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(sec), ServicePrincipal: aws.String("iam.amazonaws.com")})
	testutil.WantCode(t, err, "AccountNotRegisteredException")
	_, err = delegated.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	testutil.WantCode(t, err, "AccessDeniedException")
}

func TestSCPEnforcement(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	denyCreateUser := s.scp("deny-create-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)
	readOnly := s.scp("read-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"*"}]}`)
	denyRootArn := s.scp("deny-root", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`)
	denyRootUnlessAssumed := s.scp("deny-root-unless-assumed", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}}]}`)
	denyOutsideOrg := s.scp("deny-outside-org", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"`+s.orgID+`"}}}]}`)

	type check struct {
		who    string
		action string
		want   string // "" allowed, else a substring of the AccessDenied message
	}
	principals := map[string]servertest.Caller{"dev admin": s.devAdmin, "dev root": s.devRoot, "mgmt admin": s.m, "mgmt root": s.mgmtRoot}
	tests := []struct {
		name   string
		setup  func()
		undo   func()
		checks []check
	}{
		{
			name: "FullAWSAccess everywhere allows everything",
			checks: []check{
				{"dev admin", "iam:CreateUser", ""}, {"dev root", "iam:ListUsers", ""}, {"mgmt admin", "iam:CreateUser", ""},
			},
		},
		{
			name:  "deny at the root",
			setup: func() { s.attach(denyCreateUser, s.rootID) },
			undo:  func() { s.detach(denyCreateUser, s.rootID) },
			checks: []check{
				{"dev admin", "iam:CreateUser", explicitSCP}, {"dev root", "iam:CreateUser", explicitSCP},
				{"dev admin", "iam:ListUsers", ""},
				// SCPs never restrict the management account, attached at the root or to it.
				{"mgmt admin", "iam:CreateUser", ""}, {"mgmt root", "iam:CreateUser", ""},
			},
		},
		{
			name:  "deny attached to the management account has no effect",
			setup: func() { s.attach(denyCreateUser, s.Account.ID) },
			undo:  func() { s.detach(denyCreateUser, s.Account.ID) },
			checks: []check{
				{"mgmt admin", "iam:CreateUser", ""}, {"dev admin", "iam:CreateUser", ""},
			},
		},
		{
			name:  "allow list at the OU level",
			setup: func() { s.attach(readOnly, s.ouID); s.detach("p-FullAWSAccess", s.ouID) },
			undo:  func() { s.attach("p-FullAWSAccess", s.ouID); s.detach(readOnly, s.ouID) },
			checks: []check{
				{"dev admin", "iam:CreateUser", noSCPAllows + "iam:CreateUser action"},
				{"dev root", "iam:CreateUser", noSCPAllows + "iam:CreateUser action"},
				{"dev admin", "iam:ListUsers", ""},
				{"mgmt admin", "iam:CreateUser", ""},
			},
		},
		{
			name:  "allow list at the account level",
			setup: func() { s.attach(readOnly, s.dev); s.detach("p-FullAWSAccess", s.dev) },
			undo:  func() { s.attach("p-FullAWSAccess", s.dev); s.detach(readOnly, s.dev) },
			checks: []check{
				{"dev admin", "iam:CreateUser", noSCPAllows + "iam:CreateUser action"}, {"dev admin", "iam:ListUsers", ""},
			},
		},
		{
			name:  "deny the root user through aws:PrincipalArn at the account level",
			setup: func() { s.attach(denyRootArn, s.dev) },
			undo:  func() { s.detach(denyRootArn, s.dev) },
			checks: []check{
				{"dev root", "iam:ListUsers", explicitSCP}, {"dev admin", "iam:ListUsers", ""}, {"mgmt root", "iam:ListUsers", ""},
			},
		},
		{
			name:  "deny root unless aws:AssumedRoot at the OU level",
			setup: func() { s.attach(denyRootUnlessAssumed, s.ouID) },
			undo:  func() { s.detach(denyRootUnlessAssumed, s.ouID) },
			checks: []check{
				{"dev root", "iam:ListUsers", explicitSCP}, {"dev admin", "iam:CreateUser", ""},
			},
		},
		{
			name:  "aws:PrincipalOrgID is set for member principals",
			setup: func() { s.attach(denyOutsideOrg, s.rootID) },
			undo:  func() { s.detach(denyOutsideOrg, s.rootID) },
			checks: []check{
				{"dev admin", "iam:ListUsers", ""}, {"dev root", "iam:ListUsers", ""},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			if tc.undo != nil {
				defer tc.undo()
			}
			for _, c := range tc.checks {
				got := s.try(t, principals[c.who], c.action)
				switch {
				case c.want == "" && got != "":
					t.Errorf("%s %s denied: %s", c.who, c.action, got)
				case c.want != "" && !strings.Contains(got, c.want):
					t.Errorf("%s %s = %q, want a denial containing %q", c.who, c.action, got, c.want)
				}
			}
		})
	}
}

func TestPrincipalOrgPaths(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"` + s.orgID + `/` + s.rootID + `/` + s.ouID + `/*"}}}]}`
	scoped := s.UserIn(s.dev, "scoped", policy)
	if got := s.try(t, scoped, "iam:ListUsers"); got != "" {
		t.Fatalf("in the OU: %s", got)
	}
	if _, err := s.m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.dev), SourceParentId: aws.String(s.ouID), DestinationParentId: aws.String(s.rootID)}); err != nil {
		t.Fatal(err)
	}
	if got := s.try(t, scoped, "iam:ListUsers"); !strings.Contains(got, "because no identity-based policy allows") {
		t.Fatalf("after leaving the OU: %q", got)
	}
}
