package ssoadminapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// env is a server whose test account manages an organization with the organization's Identity
// Center instance, and sso-admin and Identity Store clients of its admin.
type env struct {
	*servertest.Env
	ic       *identitycenter.Service
	sso      *ssoadmin.Client
	ids      *identitystore.Client
	instance types.InstanceMetadata
}

func newEnv(t *testing.T) *env {
	t.Helper()
	var ic *identitycenter.Service
	e := servertest.Build(t, nil, nil, func(cfg *server.Config, svc *iam.Service, _ store.Store) {
		cfg.Orgs = orgs.New(svc)
		ic = identitycenter.New(svc, cfg.Orgs)
		cfg.IdentityCenter = ic
	})
	t.Cleanup(ic.Wait)
	cfg := e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
	env := &env{Env: e, ic: ic, sso: ssoadmin.NewFromConfig(cfg), ids: identitystore.NewFromConfig(cfg)}
	ctx := servertest.Ctx(t)
	admin := e.Admin()
	e.NewOrg(admin)
	if _, err := admin.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	list, err := env.sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(list.Instances) != 1 {
		t.Fatalf("ListInstances after trusted access = %+v, %v; want the organization's instance", list, err)
	}
	env.instance = list.Instances[0]
	return env
}

func (e *env) user(t *testing.T, name string) string {
	t.Helper()
	out, err := e.ids.CreateUser(servertest.Ctx(t), &identitystore.CreateUserInput{
		IdentityStoreId: e.instance.IdentityStoreId, UserName: aws.String(name), DisplayName: aws.String(name),
		Name: &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.UserId
}

func (e *env) permissionSet(t *testing.T, name string) string {
	t.Helper()
	out, err := e.sso.CreatePermissionSet(servertest.Ctx(t), &ssoadmin.CreatePermissionSetInput{InstanceArn: e.instance.InstanceArn, Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.PermissionSet.PermissionSetArn
}

func TestInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	in := e.instance
	if aws.ToString(in.OwnerAccountId) != e.Account.ID || in.Status != types.InstanceStatusActive ||
		!strings.HasPrefix(aws.ToString(in.InstanceArn), "arn:aws:sso:::instance/ssoins-") || !strings.HasPrefix(aws.ToString(in.IdentityStoreId), "d-") {
		t.Fatalf("instance = %+v", in)
	}
	d, err := e.sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: in.InstanceArn})
	if err != nil || aws.ToString(d.IdentityStoreId) != aws.ToString(in.IdentityStoreId) || d.Status != types.InstanceStatusActive {
		t.Fatalf("DescribeInstance = %+v, %v", d, err)
	}
	// The management account has the organization's instance; it cannot add an account instance.
	_, err = e.sso.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{Name: aws.String("more")})
	testutil.WantCode(t, err, "ValidationException")
	// The organization instance is not deleted through the API.
	_, err = e.sso.DeleteInstance(ctx, &ssoadmin.DeleteInstanceInput{InstanceArn: in.InstanceArn})
	testutil.WantCode(t, err, "ValidationException")
	_, err = e.sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000")})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	testutil.WantStatus(t, err, 404)
	_, err = e.sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String("arn:aws:sso:::instance/nope")})
	testutil.WantCode(t, err, "ValidationException")

	// A standalone account creates, tags, lists and deletes an account instance.
	other := e.Standalone("standalone")
	k, err := e.Svc.CreateAccessKey(ctx, other.Account, "admin")
	if err != nil {
		t.Fatal(err)
	}
	sso := ssoadmin.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	ci, err := sso.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{Name: aws.String("mine"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sso.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{Name: aws.String("again")})
	testutil.WantCode(t, err, "ConflictException")
	tags, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{ResourceArn: ci.InstanceArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "a" {
		t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
	}
	list, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(list.Instances) != 1 || aws.ToString(list.Instances[0].Name) != "mine" {
		t.Fatalf("the standalone account's ListInstances = %+v, %v", list, err)
	}
	// The organization's management account does not see it, nor the other way round.
	_, err = e.sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: ci.InstanceArn})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	if _, err := sso.DeleteInstance(ctx, &ssoadmin.DeleteInstanceInput{InstanceArn: ci.InstanceArn}); err != nil {
		t.Fatal(err)
	}
	list, _ = sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if len(list.Instances) != 0 {
		t.Fatalf("after DeleteInstance: %+v", list.Instances)
	}
}

func TestPermissionSets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	out, err := e.sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String("Admin"),
		Description: aws.String("administrators"), SessionDuration: aws.String("PT8H"), RelayState: aws.String("https://console.example/home"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	ps := out.PermissionSet.PermissionSetArn
	if !strings.HasPrefix(aws.ToString(ps), "arn:aws:sso:::permissionSet/"+strings.TrimPrefix(aws.ToString(inst), "arn:aws:sso:::instance/")+"/ps-") {
		t.Fatalf("PermissionSetArn = %s", aws.ToString(ps))
	}
	cases := []struct {
		name string
		in   ssoadmin.CreatePermissionSetInput
		code string
	}{
		{"name taken", ssoadmin.CreatePermissionSetInput{Name: aws.String("admin")}, "ConflictException"},
		{"session too long", ssoadmin.CreatePermissionSetInput{Name: aws.String("Long"), SessionDuration: aws.String("PT13H")}, "ValidationException"},
		{"session too short", ssoadmin.CreatePermissionSetInput{Name: aws.String("Short"), SessionDuration: aws.String("PT30M")}, "ValidationException"},
		{"session not ISO-8601", ssoadmin.CreatePermissionSetInput{Name: aws.String("Bad"), SessionDuration: aws.String("8 hours")}, "ValidationException"},
		{"name with a space", ssoadmin.CreatePermissionSetInput{Name: aws.String("Read Only")}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.InstanceArn = inst
			_, err := e.sso.CreatePermissionSet(ctx, &in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	d, err := e.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	if err != nil || aws.ToString(d.PermissionSet.SessionDuration) != "PT8H" || aws.ToString(d.PermissionSet.RelayState) != "https://console.example/home" {
		t.Fatalf("DescribePermissionSet = %+v, %v", d, err)
	}
	if _, err := e.sso.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, SessionDuration: aws.String("PT2H")}); err != nil {
		t.Fatal(err)
	}
	list, err := e.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: inst})
	if err != nil || len(list.PermissionSets) != 1 || list.PermissionSets[0] != *ps {
		t.Fatalf("ListPermissionSets = %+v, %v", list, err)
	}

	// Managed policies.
	ro := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	if _, err := e.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: ro}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: ro})
	testutil.WantCode(t, err, "ConflictException")
	_, err = e.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	mp, err := e.sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	if err != nil || len(mp.AttachedManagedPolicies) != 1 || aws.ToString(mp.AttachedManagedPolicies[0].Name) != "ReadOnlyAccess" {
		t.Fatalf("ListManagedPoliciesInPermissionSet = %+v, %v", mp, err)
	}
	if _, err := e.sso.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: ro}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sso.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: ro})
	testutil.WantCode(t, err, "ResourceNotFoundException")

	// Customer managed policy references.
	ref := &types.CustomerManagedPolicyReference{Name: aws.String("TeamPolicy"), Path: aws.String("/team/")}
	if _, err := e.sso.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, CustomerManagedPolicyReference: ref}); err != nil {
		t.Fatal(err)
	}
	cr, err := e.sso.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	if err != nil || len(cr.CustomerManagedPolicyReferences) != 1 || aws.ToString(cr.CustomerManagedPolicyReferences[0].Path) != "/team/" {
		t.Fatalf("ListCustomerManagedPolicyReferencesInPermissionSet = %+v, %v", cr, err)
	}
	if _, err := e.sso.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, CustomerManagedPolicyReference: ref}); err != nil {
		t.Fatal(err)
	}

	// The inline policy.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	_, err = e.sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, InlinePolicy: aws.String(`{"Statement":"nope"}`)})
	testutil.WantCode(t, err, "ValidationException")
	if _, err := e.sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, InlinePolicy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	ip, err := e.sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	if err != nil || aws.ToString(ip.InlinePolicy) != doc {
		t.Fatalf("GetInlinePolicyForPermissionSet = %+v, %v", ip, err)
	}
	if _, err := e.sso.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps}); err != nil {
		t.Fatal(err)
	}

	// The permissions boundary.
	_, err = e.sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	if _, err := e.sso.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
		PermissionsBoundary: &types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}}); err != nil {
		t.Fatal(err)
	}
	b, err := e.sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	if err != nil || aws.ToString(b.PermissionsBoundary.ManagedPolicyArn) != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Fatalf("GetPermissionsBoundaryForPermissionSet = %+v, %v", b, err)
	}
	if _, err := e.sso.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps}); err != nil {
		t.Fatal(err)
	}

	// Tags.
	if _, err := e.sso.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: ps, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sso.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: inst, ResourceArn: ps, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: ps})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
	}

	if _, err := e.sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
	testutil.WantCode(t, err, "ResourceNotFoundException")
}

// TestAssignmentProvisionsTheRole: an assignment provisions AWSReservedSSO_NAME_SUFFIX in the
// target account with the permission set's policies and trust; callers cannot change or delete
// it through IAM; ProvisionPermissionSet brings later changes to it; the last assignment's
// deletion deletes it.
func TestAssignmentProvisionsTheRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	member := e.CreateMember(e.Admin(), "workload")
	alice := e.user(t, "alice")
	ps := e.permissionSet(t, "Operator")
	if _, err := e.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	assign := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
		PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount}
	out, err := e.sso.CreateAccountAssignment(ctx, assign)
	if err != nil {
		t.Fatal(err)
	}
	st := out.AccountAssignmentCreationStatus
	if st.Status != types.StatusValuesInProgress || aws.ToString(st.TargetId) != member || aws.ToString(st.PrincipalId) != alice {
		t.Fatalf("CreateAccountAssignment = %+v; want IN_PROGRESS for the request", st)
	}
	e.ic.Wait()
	ds, err := e.sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: st.RequestId})
	if err != nil || ds.AccountAssignmentCreationStatus.Status != types.StatusValuesSucceeded {
		t.Fatalf("DescribeAccountAssignmentCreationStatus = %+v, %v", ds, err)
	}
	ls, err := e.sso.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesSucceeded}})
	if err != nil || len(ls.AccountAssignmentsCreationStatus) != 1 {
		t.Fatalf("ListAccountAssignmentCreationStatus = %+v, %v", ls, err)
	}
	la, err := e.sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(member), PermissionSetArn: aws.String(ps)})
	if err != nil || len(la.AccountAssignments) != 1 || aws.ToString(la.AccountAssignments[0].PrincipalId) != alice {
		t.Fatalf("ListAccountAssignments = %+v, %v", la, err)
	}
	acc, err := e.sso.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps)})
	if err != nil || len(acc.AccountIds) != 1 || acc.AccountIds[0] != member {
		t.Fatalf("ListAccountsForProvisionedPermissionSet = %+v, %v", acc, err)
	}
	pp, err := e.sso.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: inst, AccountId: aws.String(member)})
	if err != nil || len(pp.PermissionSets) != 1 || pp.PermissionSets[0] != ps {
		t.Fatalf("ListPermissionSetsProvisionedToAccount = %+v, %v", pp, err)
	}

	// The role in the member account, seen through IAM there (the management account's role in it).
	roles, err := e.Svc.ListRoles(ctx, member, identitycenter.RolePath, iam.ListOpts{})
	if err != nil || len(roles.Items) != 1 {
		t.Fatalf("roles under %s in %s: %+v, %v", identitycenter.RolePath, member, roles, err)
	}
	role := roles.Items[0]
	if !strings.HasPrefix(role.RoleName, "AWSReservedSSO_Operator_") || len(role.RoleName) != len("AWSReservedSSO_Operator_")+16 {
		t.Fatalf("role name %s; want AWSReservedSSO_Operator_<16 hex>", role.RoleName)
	}
	full, err := e.Svc.GetRole(ctx, member, role.RoleName)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Federated":"arn:aws:iam::` + member + `:saml-provider/AWSSSO_`, `_DO_NOT_DELETE"`, `"sts:AssumeRoleWithSAML"`, `"sts:TagSession"`} {
		if !strings.Contains(full.AssumeRolePolicyDocument, want) {
			t.Fatalf("trust policy %s lacks %s", full.AssumeRolePolicyDocument, want)
		}
	}
	attached, err := e.Svc.ListAttachedPolicies(ctx, member, "role", role.RoleName, "", iam.ListOpts{})
	if err != nil || len(attached.Items) != 1 || attached.Items[0].PolicyArn != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Fatalf("attached = %+v, %v", attached, err)
	}

	// The member's own administrator cannot change or delete it.
	memberAdmin := e.UserIn(member, "admin", "")
	for name, call := range map[string]func() error{
		"DeleteRole": func() error {
			_, err := memberAdmin.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String(role.RoleName)})
			return err
		},
		"AttachRolePolicy": func() error {
			_, err := memberAdmin.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role.RoleName), PolicyArn: aws.String(servertest.AdminPolicyARN)})
			return err
		},
		"UpdateAssumeRolePolicy": func() error {
			_, err := memberAdmin.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role.RoleName),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
			return err
		},
		"PutRolePolicy": func() error {
			_, err := memberAdmin.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(role.RoleName), PolicyName: aws.String("x"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "UnmodifiableEntity")
			if msg := testutil.ErrorMessage(err); msg != "Cannot perform the operation on the protected role '"+role.RoleName+"' - this role is only modifiable by AWS" {
				t.Fatalf("message %q", msg)
			}
		})
	}

	// A change to the permission set reaches the role on ProvisionPermissionSet.
	if _, err := e.sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	stale, err := e.sso.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: inst, AccountId: aws.String(member),
		ProvisioningStatus: types.ProvisioningStatusLatestPermissionSetNotProvisioned})
	if err != nil || len(stale.PermissionSets) != 1 {
		t.Fatalf("not-latest permission sets = %+v, %v", stale, err)
	}
	if _, err := e.Svc.GetInlinePolicy(ctx, member, "role", role.RoleName, "AwsSSOInlinePolicy"); err == nil {
		t.Fatal("the inline policy reached the role before ProvisionPermissionSet")
	}
	pr, err := e.sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil {
		t.Fatal(err)
	}
	e.ic.Wait()
	ps2, err := e.sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: inst, ProvisionPermissionSetRequestId: pr.PermissionSetProvisioningStatus.RequestId})
	if err != nil || ps2.PermissionSetProvisioningStatus.Status != types.StatusValuesSucceeded {
		t.Fatalf("DescribePermissionSetProvisioningStatus = %+v, %v", ps2, err)
	}
	if _, err := e.Svc.GetInlinePolicy(ctx, member, "role", role.RoleName, "AwsSSOInlinePolicy"); err != nil {
		t.Fatalf("the inline policy after ProvisionPermissionSet: %v", err)
	}

	// The portal's view: alice's (account, permission set) pairs.
	su, err := e.ic.FindUser(ctx, strings.TrimPrefix(*inst, "arn:aws:sso:::instance/"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	ar, err := e.ic.UserAccountRoles(ctx, su.Ref)
	if err != nil || len(ar) != 1 || ar[0].RoleName != role.RoleName || ar[0].AccountID != member {
		t.Fatalf("UserAccountRoles = %+v, %v", ar, err)
	}

	// Deleting the last assignment deletes the role.
	del, err := e.sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
		PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount})
	if err != nil || del.AccountAssignmentDeletionStatus.Status != types.StatusValuesInProgress {
		t.Fatalf("DeleteAccountAssignment = %+v, %v", del, err)
	}
	e.ic.Wait()
	dd, err := e.sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: inst, AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus.RequestId})
	if err != nil || dd.AccountAssignmentDeletionStatus.Status != types.StatusValuesSucceeded {
		t.Fatalf("DescribeAccountAssignmentDeletionStatus = %+v, %v", dd, err)
	}
	_, err = e.Svc.GetRole(ctx, member, role.RoleName)
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
		PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount})
	testutil.WantCode(t, err, "ResourceNotFoundException")
}

func TestAssignmentErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	alice := e.user(t, "alice")
	ps := e.permissionSet(t, "Operator")
	outsider, err := e.Svc.CreateAccount(ctx, "outsider", "outsider@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	base := ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
		PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(e.Account.ID), TargetType: types.TargetTypeAwsAccount}
	cases := []struct {
		name string
		edit func(in *ssoadmin.CreateAccountAssignmentInput)
		code string
	}{
		{"account outside the organization", func(in *ssoadmin.CreateAccountAssignmentInput) { in.TargetId = aws.String(outsider.ID) }, "ValidationException"},
		{"malformed account", func(in *ssoadmin.CreateAccountAssignmentInput) { in.TargetId = aws.String("12") }, "ValidationException"},
		{"unknown user", func(in *ssoadmin.CreateAccountAssignmentInput) {
			in.PrincipalId = aws.String("00000000-0000-4000-8000-000000000000")
		}, "ResourceNotFoundException"},
		{"unknown permission set", func(in *ssoadmin.CreateAccountAssignmentInput) {
			in.PermissionSetArn = aws.String(strings.Replace(ps, "/ps-", "/ps-0", 1)[:len(ps)])
		}, "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.edit(&in)
			_, err := e.sso.CreateAccountAssignment(ctx, &in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Nothing was assigned.
	la, err := e.sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(e.Account.ID), PermissionSetArn: aws.String(ps)})
	if err != nil || len(la.AccountAssignments) != 0 {
		t.Fatalf("ListAccountAssignments = %+v, %v; want none", la, err)
	}
	_, err = e.sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: aws.String("00000000-0000-4000-8000-000000000000")})
	testutil.WantCode(t, err, "ResourceNotFoundException")
}

// TestAuthorization: sso actions are authorized on the instance and the permission set ARNs; an
// SCP binds the provisioned role like any role.
func TestAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := aws.ToString(e.instance.InstanceArn)
	ps := e.permissionSet(t, "Operator")
	user := func(name, doc string) *ssoadmin.Client {
		if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: name}); err != nil {
			t.Fatal(err)
		}
		if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", name, "p", doc); err != nil {
			t.Fatal(err)
		}
		k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		return ssoadmin.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	}
	onlyInstance := user("onlyinstance", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sso:DescribePermissionSet","Resource":"`+inst+`"}]}`)
	_, err := onlyInstance.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
	testutil.WantCode(t, err, "AccessDeniedException")
	both := user("both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sso:DescribePermissionSet","Resource":["`+inst+`","`+ps+`"]}]}`)
	if _, err := both.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)}); err != nil {
		t.Fatalf("allowed on the instance and the permission set: %v", err)
	}
	tagged := user("tagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sso:CreatePermissionSet","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"a"}}}]}`)
	_, err = tagged.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("NoTag")})
	testutil.WantCode(t, err, "AccessDeniedException")
	if _, err := tagged.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Tagged"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatalf("CreatePermissionSet with the required tag: %v", err)
	}
	list, _ := e.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(inst)})
	if len(list.PermissionSets) != 2 {
		t.Fatalf("permission sets = %v; the refused create must add none", list.PermissionSets)
	}
}

// TestSCPBindsTheProvisionedRole: an SCP on the member account denies the provisioned role's
// session what it denies any role's: the role is not service-linked.
func TestSCPBindsTheProvisionedRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	admin := e.Admin()
	member := e.CreateMember(admin, "workload")
	alice := e.user(t, "alice")
	ps := e.permissionSet(t, "Admin")
	if _, err := e.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String(servertest.AdminPolicyARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
		PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	e.ic.Wait()
	roles, err := e.Svc.ListRoles(ctx, member, identitycenter.RolePath, iam.ListOpts{})
	if err != nil || len(roles.Items) != 1 {
		t.Fatalf("provisioned roles = %+v, %v", roles, err)
	}
	if _, err := admin.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID(t, admin.Orgs)), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	scp, err := admin.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-iam-users"), Description: aws.String("d"), Type: otypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: scp.Policy.PolicySummary.Id, TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	// A session of the role, as the access portal mints it for alice.
	role, err := e.Svc.GetRole(ctx, member, roles.Items[0].RoleName)
	if err != nil {
		t.Fatal(err)
	}
	sess := iam.RoleSession(member, role)
	sess.SessionName, sess.IssuedAt, sess.Expiration = "alice", time.Now(), time.Now().Add(time.Hour)
	if err := e.Svc.IssueSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if sess.ServiceLinked {
		t.Fatal("the provisioned role's session is service-linked; SCPs would not bind it")
	}
	c := awsiam.NewFromConfig(e.Config(sess.AccessKeyID, sess.Secret, sess.Token))
	if _, err := c.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles, allowed by the permission set: %v", err)
	}
	_, err = c.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
	if msg := testutil.ErrorMessage(err); !strings.Contains(msg, "service control policy") {
		t.Fatalf("message %q; want the SCP named as the reason", msg)
	}
}

func rootID(t *testing.T, o *organizations.Client) string {
	t.Helper()
	roots, err := o.ListRoots(servertest.Ctx(t), &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	return *roots.Roots[0].Id
}
