package iamapi_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// mustStep fails the test at a step of a replay that must succeed.
func mustStep(t *testing.T, step string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// TestTerraformUserForceDestroy replays what Terraform's AWS provider does for an aws_iam_user
// with force_destroy (hashicorp/terraform-provider-aws internal/service/iam/user.go): create with
// path, tags and a permissions boundary, read, update (rename, boundary removed), and a destroy
// of a user holding every credential and attachment AWS refuses DeleteUser for: group
// memberships (ListGroupsForUser, RemoveUserFromGroup), access keys, SSH keys, an assigned virtual
// MFA device (ListVirtualMFADevices AssignmentStatus=Assigned filtered on the user's name,
// DeactivateMFADevice, DeleteVirtualMFADevice), other MFA devices (ListMFADevices), the login
// profile (NoSuchEntity tolerated), signing certificates, service-specific credentials, and the
// user's inline and attached policies. Before the cleanup DeleteUser answers DeleteConflict.
func TestTerraformUserForceDestroy(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	c := e.IAM
	name := aws.String("tf-user")
	boundary := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")

	// Create and read (resourceUserCreate, resourceUserRead).
	_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: name, Path: aws.String("/tf/"), PermissionsBoundary: boundary,
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("tf")}}})
	mustStep(t, "CreateUser", err)
	u, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: name})
	mustStep(t, "GetUser", err)
	if u.User.PermissionsBoundary == nil || aws.ToString(u.User.Path) != "/tf/" || len(u.User.Tags) != 1 {
		t.Fatalf("user after create: got %+v", u.User)
	}

	// Update: rename and move (UpdateUser), then remove the boundary.
	_, err = c.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: name, NewUserName: aws.String("tf-user2"), NewPath: aws.String("/tf2/")})
	mustStep(t, "UpdateUser", err)
	name = aws.String("tf-user2")
	_, err = c.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: name})
	mustStep(t, "DeleteUserPermissionsBoundary", err)
	u, err = c.GetUser(ctx, &awsiam.GetUserInput{UserName: name})
	mustStep(t, "GetUser", err)
	if u.User.PermissionsBoundary != nil || aws.ToString(u.User.Path) != "/tf2/" {
		t.Fatalf("user after update: got %+v", u.User)
	}

	// What other tools (or the console) gave the user: everything force_destroy removes.
	_, err = c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("tf-group")})
	mustStep(t, "CreateGroup", err)
	_, err = c.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("tf-group"), UserName: name})
	mustStep(t, "AddUserToGroup", err)
	_, err = c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: name})
	mustStep(t, "CreateAccessKey", err)
	_, err = c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: name, SSHPublicKeyBody: aws.String(rsaPublicPEM(t, 2048))})
	mustStep(t, "UploadSSHPublicKey", err)
	serial, _ := e.MFADevice(clk, *name)
	_, err = c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: name, Password: aws.String("Tf-Passw0rd-Long-Enough!")})
	mustStep(t, "CreateLoginProfile", err)
	_, err = c.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{UserName: name, CertificateBody: aws.String(testutil.SelfSignedPEM(t, "tf"))})
	mustStep(t, "UploadSigningCertificate", err)
	_, err = c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: name, ServiceName: aws.String("codecommit.amazonaws.com")})
	mustStep(t, "CreateServiceSpecificCredential", err)
	_, err = c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)})
	mustStep(t, "PutUserPolicy", err)
	_, err = c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: name, PolicyArn: boundary})
	mustStep(t, "AttachUserPolicy", err)

	_, err = c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: name})
	testutil.WantCode(t, err, "DeleteConflict")

	// Destroy (resourceUserDelete with force_destroy).
	groups, err := c.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: name})
	mustStep(t, "ListGroupsForUser", err)
	for _, g := range groups.Groups {
		_, err := c.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: g.GroupName, UserName: name})
		mustStep(t, "RemoveUserFromGroup", err)
	}
	keys, err := c.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: name})
	mustStep(t, "ListAccessKeys", err)
	for _, k := range keys.AccessKeyMetadata {
		_, err := c.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: name, AccessKeyId: k.AccessKeyId})
		mustStep(t, "DeleteAccessKey", err)
	}
	ssh, err := c.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: name})
	mustStep(t, "ListSSHPublicKeys", err)
	for _, k := range ssh.SSHPublicKeys {
		_, err := c.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: name, SSHPublicKeyId: k.SSHPublicKeyId})
		mustStep(t, "DeleteSSHPublicKey", err)
	}
	vmfa, err := c.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	mustStep(t, "ListVirtualMFADevices", err)
	var found []string
	for _, d := range vmfa.VirtualMFADevices {
		if d.User != nil && aws.ToString(d.User.UserName) == *name {
			found = append(found, aws.ToString(d.SerialNumber))
			_, err := c.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: name, SerialNumber: d.SerialNumber})
			mustStep(t, "DeactivateMFADevice", err)
			_, err = c.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber})
			mustStep(t, "DeleteVirtualMFADevice", err)
		}
	}
	if !slices.Equal(found, []string{serial}) {
		t.Errorf("assigned virtual MFA devices of the user: got %v, want [%s]", found, serial)
	}
	mfa, err := c.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: name})
	mustStep(t, "ListMFADevices", err)
	if len(mfa.MFADevices) != 0 {
		t.Errorf("MFA devices left after the virtual ones: got %d, want 0", len(mfa.MFADevices))
	}
	_, err = c.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: name})
	mustStep(t, "DeleteLoginProfile", err)
	_, err = c.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: name}) // a retry finds none: tolerated
	testutil.WantCode(t, err, "NoSuchEntity")
	certs, err := c.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: name})
	mustStep(t, "ListSigningCertificates", err)
	for _, cert := range certs.Certificates {
		_, err := c.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{UserName: name, CertificateId: cert.CertificateId})
		mustStep(t, "DeleteSigningCertificate", err)
	}
	creds, err := c.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: name})
	mustStep(t, "ListServiceSpecificCredentials", err)
	for _, cr := range creds.ServiceSpecificCredentials {
		_, err := c.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: name, ServiceSpecificCredentialId: cr.ServiceSpecificCredentialId})
		mustStep(t, "DeleteServiceSpecificCredential", err)
	}
	inl, err := c.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: name})
	mustStep(t, "ListUserPolicies", err)
	for _, p := range inl.PolicyNames {
		_, err := c.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String(p)})
		mustStep(t, "DeleteUserPolicy", err)
	}
	att, err := c.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: name})
	mustStep(t, "ListAttachedUserPolicies", err)
	for _, p := range att.AttachedPolicies {
		_, err := c.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: name, PolicyArn: p.PolicyArn})
		mustStep(t, "DetachUserPolicy", err)
	}
	_, err = c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: name})
	mustStep(t, "DeleteUser", err)
	_, err = c.GetUser(ctx, &awsiam.GetUserInput{UserName: name})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: name}) // a second destroy: NoSuchEntity, tolerated
	testutil.WantCode(t, err, "NoSuchEntity")
}

// TestTerraformOIDCProvider replays aws_iam_openid_connect_provider
// (internal/service/iam/openid_connect_provider.go): create with client IDs, tags and no
// thumbprints (optional since the provider's v5.81), read, update the thumbprints and the client
// IDs (AddClientIDToOpenIDConnectProvider for the new, RemoveClientIDFromOpenIDConnectProvider for
// the old), the tags (TagOpenIDConnectProvider, UntagOpenIDConnectProvider, read back with
// ListOpenIDConnectProviderTags), and delete (NoSuchEntity tolerated on a second delete).
func TestTerraformOIDCProvider(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	created, err := c.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("tf")}}})
	mustStep(t, "CreateOpenIDConnectProvider", err)
	arn := created.OpenIDConnectProviderArn
	read := func() *awsiam.GetOpenIDConnectProviderOutput {
		t.Helper()
		out, err := c.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		mustStep(t, "GetOpenIDConnectProvider", err)
		return out
	}
	if got := read(); aws.ToString(got.Url) != "token.actions.githubusercontent.com" || !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com"}) || len(got.Tags) != 1 {
		t.Fatalf("provider after create: got url %q, clients %v, tags %v", aws.ToString(got.Url), got.ClientIDList, got.Tags)
	}
	thumb := "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
	_, err = c.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{thumb}})
	mustStep(t, "UpdateOpenIDConnectProviderThumbprint", err)
	_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("my-app")})
	mustStep(t, "AddClientIDToOpenIDConnectProvider", err)
	_, err = c.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("sts.amazonaws.com")})
	mustStep(t, "RemoveClientIDFromOpenIDConnectProvider", err)
	_, err = c.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	mustStep(t, "TagOpenIDConnectProvider", err)
	_, err = c.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"Name"}})
	mustStep(t, "UntagOpenIDConnectProvider", err)
	got := read()
	if !slices.Equal(got.ThumbprintList, []string{thumb}) || !slices.Equal(got.ClientIDList, []string{"my-app"}) {
		t.Errorf("provider after update: got thumbprints %v, clients %v; want [%s], [my-app]", got.ThumbprintList, got.ClientIDList, thumb)
	}
	tags, err := c.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn})
	mustStep(t, "ListOpenIDConnectProviderTags", err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags after update: got %+v, want env only", tags.Tags)
	}
	_, err = c.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	mustStep(t, "DeleteOpenIDConnectProvider", err)
	_, err = c.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = c.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	testutil.WantCode(t, err, "NoSuchEntity")
}

// TestTerraformOrganizationsAccount replays aws_organizations_account
// (internal/service/organizations/account.go): CreateAccount with tags, IamUserAccessToBilling and
// RoleName, DescribeCreateAccountStatus polled until SUCCEEDED, ListParents and MoveAccount into
// parent_id, the read (DescribeAccount, ListParents, ListTagsForResource), an update that moves
// it back and changes tags, and both destroys: close_on_deletion (CloseAccount, then DescribeAccount
// polled until the status is SUSPENDED, which the provider treats as gone) and the default
// (RemoveAccountFromOrganization; AccountNotFoundException on a second destroy is tolerated).
func TestTerraformOrganizationsAccount(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	root := e.NewOrg(m)
	ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("workloads")})
	mustStep(t, "CreateOrganizationalUnit", err)
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	parentOf := func(id string) string {
		t.Helper()
		p, err := m.Orgs.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
		mustStep(t, "ListParents", err)
		if len(p.Parents) != 1 {
			t.Fatalf("ListParents: got %d parents, want 1", len(p.Parents))
		}
		return aws.ToString(p.Parents[0].Id)
	}
	create := func(name string) string {
		t.Helper()
		out, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com"),
			IamUserAccessToBilling: otypes.IAMUserAccessToBillingDeny, RoleName: aws.String("OrganizationAccountAccessRole"),
			Tags: []otypes.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}})
		mustStep(t, "CreateAccount", err)
		// waitAccountCreated: pending IN_PROGRESS, target SUCCEEDED (polled every 10 s; here at
		// once, since no time needs to pass).
		var st *otypes.CreateAccountStatus
		for i := 0; i < 5; i++ {
			d, err := m.Orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
			mustStep(t, "DescribeCreateAccountStatus", err)
			if st = d.CreateAccountStatus; st.State != otypes.CreateAccountStateInProgress {
				break
			}
		}
		if st.State != otypes.CreateAccountStateSucceeded || st.AccountId == nil {
			t.Fatalf("create status: got %+v, want SUCCEEDED with an account ID", st)
		}
		id := aws.ToString(st.AccountId)
		if old := parentOf(id); old != ouID {
			_, err := m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(old), DestinationParentId: aws.String(ouID)})
			mustStep(t, "MoveAccount", err)
		}
		return id
	}
	read := func(id string) (*otypes.Account, string, []otypes.Tag) {
		t.Helper()
		a, err := m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
		mustStep(t, "DescribeAccount", err)
		tags, err := m.Orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		mustStep(t, "ListTagsForResource", err)
		return a.Account, parentOf(id), tags.Tags
	}

	closed := create("tf-closed")
	a, parent, tags := read(closed)
	if a.Status != otypes.AccountStatusActive || a.JoinedMethod != otypes.AccountJoinedMethodCreated || a.JoinedTimestamp == nil || a.Arn == nil ||
		aws.ToString(a.Email) != "tf-closed@example.com" || parent != ouID || len(tags) != 1 {
		t.Fatalf("account after create: got %+v, parent %s, tags %v", a, parent, tags)
	}
	// Update: parent_id back to the root, tags changed.
	_, err = m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(closed), SourceParentId: aws.String(ouID), DestinationParentId: aws.String(root)})
	mustStep(t, "MoveAccount", err)
	_, err = m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(closed), Tags: []otypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	mustStep(t, "TagResource", err)
	_, err = m.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(closed), TagKeys: []string{"Name"}})
	mustStep(t, "UntagResource", err)
	if _, parent, tags := read(closed); parent != root || len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Fatalf("account after update: parent %s, tags %v; want %s, env", parent, tags, root)
	}

	// Destroy with close_on_deletion: CloseAccount, then waitAccountDeleted (pending ACTIVE and
	// PENDING_CLOSURE, done at SUSPENDED or AccountNotFoundException).
	_, err = m.Orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(closed)})
	mustStep(t, "CloseAccount", err)
	gone := false
	for i := 0; i < 5 && !gone; i++ {
		d, err := m.Orgs.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(closed)})
		if err != nil {
			testutil.WantCode(t, err, "AccountNotFoundException")
			gone = true
			break
		}
		switch d.Account.Status {
		case otypes.AccountStatusSuspended:
			gone = true
		case otypes.AccountStatusActive, otypes.AccountStatusPendingClosure:
		default:
			t.Fatalf("status after CloseAccount: got %s, want ACTIVE, PENDING_CLOSURE or SUSPENDED", d.Account.Status)
		}
	}
	if !gone {
		t.Fatal("the closed account never became SUSPENDED")
	}

	// Destroy without close_on_deletion: RemoveAccountFromOrganization. AWS requires a created
	// account to have been standalone-ready (it is here: Rootward has no payment step).
	removed := create("tf-removed")
	_, err = m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(removed)})
	mustStep(t, "RemoveAccountFromOrganization", err)
	_, err = m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(removed)})
	testutil.WantCode(t, err, "AccountNotFoundException")
}
