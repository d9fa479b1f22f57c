package orgsapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// orgsARNs names the resources of an scpEnv as the Service Authorization Reference formats them
// ("Actions, resources, and condition keys for AWS Organizations", resource types).
type orgsARNs struct{ mgmt, org string }

func (a orgsARNs) root(id string) string {
	return "arn:aws:organizations::" + a.mgmt + ":root/" + a.org + "/" + id
}
func (a orgsARNs) ou(id string) string {
	return "arn:aws:organizations::" + a.mgmt + ":ou/" + a.org + "/" + id
}
func (a orgsARNs) account(id string) string {
	return "arn:aws:organizations::" + a.mgmt + ":account/" + a.org + "/" + id
}
func (a orgsARNs) scp(id string) string {
	return "arn:aws:organizations::" + a.mgmt + ":policy/" + a.org + "/service_control_policy/" + id
}

// newOU creates an OU under the root.
func (s *scpEnv) newOU(name string, tags ...otypes.Tag) string {
	s.T.Helper()
	ou, err := s.m.Orgs.CreateOrganizationalUnit(servertest.Ctx(s.T), &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(s.rootID), Name: aws.String(name), Tags: tags})
	if err != nil {
		s.T.Fatal(err)
	}
	return *ou.OrganizationalUnit.Id
}

// wantAllowed fails when err is an AccessDeniedException (any other outcome means IAM allowed the
// action and Organizations decided the rest).
func wantAllowed(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "AccessDeniedException") {
		t.Errorf("%s: %v, want allowed", what, err)
	}
}

// wantDenied fails unless err is AccessDeniedException naming resource.
func wantDenied(t *testing.T, what string, err error, resource string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Errorf("%s: %v, want AccessDeniedException", what, err)
		return
	}
	if resource != "" && !strings.Contains(testutil.ErrorMessage(err), "on resource: "+resource+" ") {
		t.Errorf("%s: message %q, want it to name resource %s", what, testutil.ErrorMessage(err), resource)
	}
}

// TestOrganizationsResourceARNs: each action is authorized against the resources the Service
// Authorization Reference lists for it, with the organization's ARNs; a caller without permission
// is told which resource it was refused.
func TestOrganizationsResourceARNs(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	a := orgsARNs{s.Account.ID, s.orgID}
	scp := s.scp("some-scp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	outsider := s.Standalone("outsider")
	inv, err := s.m.Orgs.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(outsider.Account), Type: otypes.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	hs := *inv.Handshake.Id
	nobody := s.UserIn(s.Account.ID, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	o := nobody.Orgs
	tests := []struct {
		name     string
		call     func() error
		resource string
	}{
		{"DescribeAccount", func() error {
			_, err := o.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(s.dev)})
			return err
		}, a.account(s.dev)},
		{"DescribeOrganizationalUnit", func() error {
			_, err := o.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(s.ouID)})
			return err
		}, a.ou(s.ouID)},
		{"DescribePolicy", func() error {
			_, err := o.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(scp)})
			return err
		}, a.scp(scp)},
		{"DescribePolicy of FullAWSAccess", func() error {
			_, err := o.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
			return err
		}, "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"},
		{"EnablePolicyType", func() error {
			_, err := o.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(s.rootID), PolicyType: otypes.PolicyTypeServiceControlPolicy})
			return err
		}, a.root(s.rootID)},
		{"DescribeHandshake", func() error {
			_, err := o.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(hs)})
			return err
		}, "arn:aws:organizations::" + s.Account.ID + ":handshake/" + s.orgID + "/invite/" + hs},
		{"ListChildren", func() error {
			_, err := o.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(s.rootID), ChildType: otypes.ChildTypeAccount})
			return err
		}, a.root(s.rootID)},
		{"ListParents", func() error {
			_, err := o.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(s.dev)})
			return err
		}, a.account(s.dev)},
		{"ListTagsForResource", func() error {
			_, err := o.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(s.ouID)})
			return err
		}, a.ou(s.ouID)},
		{"AttachPolicy: the policy first", func() error {
			_, err := o.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(scp), TargetId: aws.String(s.ouID)})
			return err
		}, a.scp(scp)},
		{"an OU the organization does not hold", func() error {
			_, err := o.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-abcd-abcdefgh")})
			return err
		}, a.ou("ou-abcd-abcdefgh")},
		{"ListRoots has no resource", func() error {
			_, err := o.ListRoots(ctx, &organizations.ListRootsInput{})
			return err
		}, "*"},
		{"CreatePolicy has no resource", func() error {
			_, err := o.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("x"), Description: aws.String("x"),
				Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
			return err
		}, "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantDenied(t, tc.name, tc.call(), tc.resource) })
	}
	t.Run("the invited account's handshake", func(t *testing.T) {
		guest := s.UserIn(outsider.Account, "guest", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:DescribeHandshake","Resource":"arn:aws:organizations::*:handshake/o-*/invite/h-*"}]}`)
		if _, err := guest.Orgs.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(hs)}); err != nil {
			t.Errorf("DescribeHandshake by the invited account with a handshake-scoped policy: %v", err)
		}
		_, err := guest.Orgs.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(hs)})
		wantDenied(t, "DeclineHandshake", err, "arn:aws:organizations::"+s.Account.ID+":handshake/"+s.orgID+"/invite/"+hs)
	})
}

// TestOrganizationsAttachPolicyOnOneOU is issue 8's case: a policy that allows
// organizations:AttachPolicy on one OU (and on the SCPs) allows exactly that.
func TestOrganizationsAttachPolicyOnOneOU(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	a := orgsARNs{s.Account.ID, s.orgID}
	other := s.newOU("other")
	scp := s.scp("deny-nothing", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)
	u := s.UserIn(s.Account.ID, "ou-operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Action":["organizations:AttachPolicy","organizations:DetachPolicy"],`+
		`"Resource":["`+a.ou(s.ouID)+`","arn:aws:organizations::`+s.Account.ID+`:policy/`+s.orgID+`/service_control_policy/*"]}]}`)
	attach := func(target string) error {
		_, err := u.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(scp), TargetId: aws.String(target)})
		return err
	}
	if err := attach(s.ouID); err != nil {
		t.Fatalf("AttachPolicy on the allowed OU: %v", err)
	}
	wantDenied(t, "AttachPolicy on another OU", attach(other), a.ou(other))
	wantDenied(t, "AttachPolicy on the root", attach(s.rootID), a.root(s.rootID))
	wantDenied(t, "AttachPolicy on an account", attach(s.dev), a.account(s.dev))
	_, err := u.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(s.ouID)})
	wantDenied(t, "AttachPolicy of an AWS managed policy the statement does not name", err,
		"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
	if _, err := u.Orgs.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(scp), TargetId: aws.String(s.ouID)}); err != nil {
		t.Errorf("DetachPolicy on the allowed OU: %v", err)
	}
	// MoveAccount acts on the account and on both parents: each must be allowed.
	mover := s.UserIn(s.Account.ID, "mover", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:MoveAccount",`+
		`"Resource":["`+a.account(s.dev)+`","`+a.ou(s.ouID)+`","`+a.ou(other)+`"]}]}`)
	move := func(from, to string) error {
		_, err := mover.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(s.dev), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})
		return err
	}
	wantDenied(t, "MoveAccount to the root", move(s.ouID, s.rootID), a.root(s.rootID))
	if err := move(s.ouID, other); err != nil {
		t.Errorf("MoveAccount between the two allowed OUs: %v", err)
	}
}

// TestOrganizationsSingleOUExample is the Organizations User Guide's "Granting permissions to a
// single OU" (Identity-based policy examples for AWS Organizations): read access everywhere,
// every action on one OU.
func TestOrganizationsSingleOUExample(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	a := orgsARNs{s.Account.ID, s.orgID}
	other := s.newOU("other")
	u := s.UserIn(s.Account.ID, "ou-admin", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},`+
		`{"Effect":"Allow","Action":"organizations:*","Resource":"`+a.ou(s.ouID)+`"}]}`)
	rename := func(id, name string) error {
		_, err := u.Orgs.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(id), Name: aws.String(name)})
		return err
	}
	if err := rename(s.ouID, "workloads-renamed"); err != nil {
		t.Errorf("UpdateOrganizationalUnit on the OU: %v", err)
	}
	wantDenied(t, "UpdateOrganizationalUnit on another OU", rename(other, "x"), a.ou(other))
	_, err := u.Orgs.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(other)})
	wantDenied(t, "DeleteOrganizationalUnit on another OU", err, a.ou(other))
	if _, err := u.Orgs.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(other)}); err != nil {
		t.Errorf("DescribeOrganizationalUnit (Describe* on *): %v", err)
	}
}

// TestOrganizationsServicePrincipalKey is the Organizations User Guide's "Granting permissions to
// enable trusted access to one specified service" (organizations:ServicePrincipal).
func TestOrganizationsServicePrincipalKey(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	u := s.UserIn(s.Account.ID, "trusted-access", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Action":"organizations:EnableAWSServiceAccess","Resource":"*",`+
		`"Condition":{"StringEquals":{"organizations:ServicePrincipal":"sso.amazonaws.com"}}}]}`)
	enable := func(p string) error {
		_, err := u.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)})
		return err
	}
	if err := enable("sso.amazonaws.com"); err != nil {
		t.Errorf("EnableAWSServiceAccess sso.amazonaws.com: %v", err)
	}
	wantDenied(t, "EnableAWSServiceAccess iam.amazonaws.com", enable("iam.amazonaws.com"), "*")

	// The key on the delegated administrator actions, with the account as their resource.
	a := orgsARNs{s.Account.ID, s.orgID}
	d := s.UserIn(s.Account.ID, "delegator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Action":["organizations:RegisterDelegatedAdministrator","organizations:DeregisterDelegatedAdministrator","organizations:ListDelegatedAdministrators"],`+
		`"Resource":["arn:aws:organizations::*:account/o-*/*","*"],"Condition":{"StringEquals":{"organizations:ServicePrincipal":"sso.amazonaws.com"}}}]}`)
	register := func(p string) error {
		_, err := d.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(s.dev), ServicePrincipal: aws.String(p)})
		return err
	}
	if err := register("sso.amazonaws.com"); err != nil {
		t.Errorf("RegisterDelegatedAdministrator for sso.amazonaws.com: %v", err)
	}
	wantDenied(t, "RegisterDelegatedAdministrator for iam.amazonaws.com", register("iam.amazonaws.com"), a.account(s.dev))
	if _, err := d.Orgs.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
		t.Errorf("ListDelegatedAdministrators sso.amazonaws.com: %v", err)
	}
	_, err := d.Orgs.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
	wantDenied(t, "ListDelegatedAdministrators without a ServicePrincipal", err, "*")
}

// serviceAccessPolicy is the AWS managed policy AWSManagedServiceAccessManagementAccess (AWS
// Managed Policy Reference Guide): organizations:PolicyType, aws:RequestTag/* and
// aws:ResourceTag/* on Organizations actions.
const serviceAccessPolicy = `{
  "Version" : "2012-10-17",
  "Statement" : [
    {"Sid" : "AllowListRoots", "Effect" : "Allow", "Action" : "organizations:ListRoots", "Resource" : "*"},
    {"Sid" : "AllowSCPList", "Effect" : "Allow",
      "Action" : ["organizations:ListPolicies", "organizations:ListPoliciesForTarget"], "Resource" : "*",
      "Condition" : {"StringEquals" : {"organizations:PolicyType" : "SERVICE_CONTROL_POLICY"}}},
    {"Sid" : "AllowSCPCreateWithTag", "Effect" : "Allow",
      "Action" : ["organizations:CreatePolicy", "organizations:TagResource"], "Resource" : "*",
      "Condition" : {"StringEquals" : {"organizations:PolicyType" : "SERVICE_CONTROL_POLICY", "aws:RequestTag/ManagedBy" : "service-access"}}},
    {"Sid" : "AllowSCPUpdateTagged", "Effect" : "Allow", "Action" : "organizations:UpdatePolicy",
      "Resource" : "arn:aws:organizations::*:policy/*/service_control_policy/*",
      "Condition" : {"StringEquals" : {"aws:ResourceTag/ManagedBy" : "service-access"}}},
    {"Sid" : "AllowSCPAttachTaggedPolicy", "Effect" : "Allow", "Action" : "organizations:AttachPolicy",
      "Resource" : "arn:aws:organizations::*:policy/*/service_control_policy/*",
      "Condition" : {"StringEquals" : {"aws:ResourceTag/ManagedBy" : "service-access"}}},
    {"Sid" : "AllowSCPAttachRoot", "Effect" : "Allow", "Action" : "organizations:AttachPolicy",
      "Resource" : "arn:aws:organizations::*:root/*"}
  ]
}`

// TestOrganizationsPolicyTypeAndTagKeys runs AWSManagedServiceAccessManagementAccess.
func TestOrganizationsPolicyTypeAndTagKeys(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	a := orgsARNs{s.Account.ID, s.orgID}
	u := s.UserIn(s.Account.ID, "service-access", serviceAccessPolicy)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`
	create := func(name string, typ otypes.PolicyType, tags ...otypes.Tag) (string, error) {
		p, err := u.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
			Type: typ, Content: aws.String(doc), Tags: tags})
		if err != nil {
			return "", err
		}
		return *p.Policy.PolicySummary.Id, nil
	}
	managed := otypes.Tag{Key: aws.String("ManagedBy"), Value: aws.String("service-access")}

	tagged, err := create("tagged", otypes.PolicyTypeServiceControlPolicy, managed)
	if err != nil {
		t.Fatalf("CreatePolicy SCP tagged ManagedBy=service-access: %v", err)
	}
	untagged := s.scp("untagged", doc)
	t.Run("CreatePolicy", func(t *testing.T) {
		_, err := create("no-tag", otypes.PolicyTypeServiceControlPolicy)
		wantDenied(t, "without the tag", err, "*")
		_, err = create("other-tag", otypes.PolicyTypeServiceControlPolicy, otypes.Tag{Key: aws.String("ManagedBy"), Value: aws.String("someone")})
		wantDenied(t, "with another tag value", err, "*")
		_, err = create("backup", otypes.PolicyTypeBackupPolicy, managed)
		wantDenied(t, "another policy type", err, "*")
	})
	t.Run("ListPolicies", func(t *testing.T) {
		_, err := u.Orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeServiceControlPolicy})
		wantAllowed(t, "Filter SERVICE_CONTROL_POLICY", err)
		_, err = u.Orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeTagPolicy})
		wantDenied(t, "Filter TAG_POLICY", err, "*")
		_, err = u.Orgs.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(s.rootID), Filter: otypes.PolicyTypeServiceControlPolicy})
		wantAllowed(t, "ListPoliciesForTarget SERVICE_CONTROL_POLICY", err)
	})
	t.Run("UpdatePolicy", func(t *testing.T) {
		update := func(id string) error {
			_, err := u.Orgs.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Description: aws.String("changed")})
			return err
		}
		if err := update(tagged); err != nil {
			t.Errorf("UpdatePolicy of the tagged policy: %v", err)
		}
		wantDenied(t, "UpdatePolicy of an untagged policy", update(untagged), a.scp(untagged))
	})
	t.Run("AttachPolicy", func(t *testing.T) {
		attach := func(policyID, target string) error {
			_, err := u.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)})
			return err
		}
		if err := attach(tagged, s.rootID); err != nil {
			t.Errorf("AttachPolicy of the tagged policy to the root: %v", err)
		}
		wantDenied(t, "of the tagged policy to an OU", attach(tagged, s.ouID), a.ou(s.ouID))
		wantDenied(t, "of an untagged policy to the root", attach(untagged, s.rootID), a.scp(untagged))
	})
}

// TestOrganizationsTagConditionKeys: aws:RequestTag/*, aws:TagKeys and aws:ResourceTag/* on OUs,
// accounts and the root, in the forms of the IAM User Guide's "Controlling access to AWS resources
// using tags" (a required tag on create, a tag key allow-list, access by a resource's tag).
func TestOrganizationsTagConditionKeys(t *testing.T) {
	t.Parallel()
	s := newSCPEnv(t)
	ctx := servertest.Ctx(t)
	a := orgsARNs{s.Account.ID, s.orgID}
	team := func(v string) otypes.Tag { return otypes.Tag{Key: aws.String("team"), Value: aws.String(v)} }
	if _, err := s.m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(s.dev), Tags: []otypes.Tag{team("dev"), {Key: aws.String("temp"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	blue := s.newOU("blue", team("blue"))
	u := s.UserIn(s.Account.ID, "tagger", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["organizations:CreateOrganizationalUnit","organizations:CreateAccount"],"Resource":"*",
		 "Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"organizations:UntagResource","Resource":"*",
		 "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["temp"]}}},
		{"Effect":"Allow","Action":["organizations:DescribeAccount","organizations:DescribeOrganizationalUnit","organizations:TagResource"],"Resource":"*",
		 "Condition":{"StringEquals":{"aws:ResourceTag/team":["dev","blue"]}}}]}`)

	t.Run("aws:RequestTag and aws:TagKeys on CreateOrganizationalUnit", func(t *testing.T) {
		mk := func(name string, tags ...otypes.Tag) error {
			_, err := u.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(s.rootID), Name: aws.String(name), Tags: tags})
			return err
		}
		if err := mk("blue-2", team("blue")); err != nil {
			t.Errorf("with team=blue: %v", err)
		}
		wantDenied(t, "with team=red", mk("red", team("red")), a.root(s.rootID))
		wantDenied(t, "without tags", mk("plain"), a.root(s.rootID))
		wantDenied(t, "with an extra tag key", mk("blue-3", team("blue"), otypes.Tag{Key: aws.String("cost"), Value: aws.String("1")}), a.root(s.rootID))
	})
	t.Run("aws:RequestTag on CreateAccount", func(t *testing.T) {
		mk := func(name string, tags ...otypes.Tag) error {
			_, err := u.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name),
				Email: aws.String(name + "@example.com"), Tags: tags})
			return err
		}
		if err := mk("blue-acct", team("blue")); err != nil {
			t.Errorf("with team=blue: %v", err)
		}
		wantDenied(t, "without tags", mk("plain-acct"), "*")
	})
	t.Run("aws:TagKeys on UntagResource", func(t *testing.T) {
		untag := func(keys ...string) error {
			_, err := u.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(s.dev), TagKeys: keys})
			return err
		}
		wantDenied(t, "removing team", untag("team"), a.account(s.dev))
		if err := untag("temp"); err != nil {
			t.Errorf("removing temp: %v", err)
		}
	})
	t.Run("aws:ResourceTag on accounts and OUs", func(t *testing.T) {
		if _, err := u.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(s.dev)}); err != nil {
			t.Errorf("DescribeAccount of the team=dev account: %v", err)
		}
		_, err := u.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(s.Account.ID)})
		wantDenied(t, "DescribeAccount of an untagged account", err, a.account(s.Account.ID))
		if _, err := u.Orgs.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(blue)}); err != nil {
			t.Errorf("DescribeOrganizationalUnit of the team=blue OU: %v", err)
		}
		_, err = u.Orgs.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(s.ouID)})
		wantDenied(t, "DescribeOrganizationalUnit of an untagged OU", err, a.ou(s.ouID))
		// A tag on the root counts for the root.
		_, err = u.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(s.rootID), Tags: []otypes.Tag{team("x")}})
		wantDenied(t, "TagResource of the untagged root", err, a.root(s.rootID))
		if _, err := s.m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(s.rootID), Tags: []otypes.Tag{team("blue")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := u.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(s.rootID), Tags: []otypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
			t.Errorf("TagResource of the team=blue root: %v", err)
		}
	})
}
