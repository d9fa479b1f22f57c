package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// The call sequences Terraform's AWS provider makes (hashicorp/terraform-provider-aws,
// internal/service/iam/role.go and instance_profile.go) for an aws_iam_role with an inline policy,
// an AWS managed policy and permissions boundary, held by an aws_iam_instance_profile: create,
// read, update, and destroy — the profile first (remove its role, delete it), then the role with
// force_detach_policies (ListInstanceProfilesForRole, detach, delete inline policies, DeleteRole).
// Each step must succeed as the provider expects, or answer the error code it handles.
func TestTerraformRoleAndInstanceProfile(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	name, profile := aws.String("tf-role"), aws.String("tf-profile")
	readOnly := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	// aws_iam_role: create, then read (resourceRoleRead).
	_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(ec2Trust),
		Description: aws.String("terraform"), MaxSessionDuration: aws.Int32(3600), Path: aws.String("/"),
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("tf")}}})
	must("CreateRole", err)
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)})
	must("PutRolePolicy", err)
	_, err = c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: name, PolicyArn: readOnly})
	must("AttachRolePolicy", err)
	readRole := func() *types.Role {
		t.Helper()
		g, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
		must("GetRole", err)
		lp, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: name})
		must("ListRolePolicies", err)
		for _, p := range lp.PolicyNames {
			_, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: name, PolicyName: aws.String(p)})
			must("GetRolePolicy", err)
		}
		_, err = c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: name})
		must("ListAttachedRolePolicies", err)
		return g.Role
	}
	readRole()

	// aws_iam_instance_profile: create, wait until it can be read, add the role, read.
	_, err = c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: profile, Path: aws.String("/"),
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("tf")}}})
	must("CreateInstanceProfile", err)
	_, err = c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: profile})
	must("GetInstanceProfile (wait)", err)
	_, err = c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: name})
	must("AddRoleToInstanceProfile", err)
	g, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: profile})
	must("GetInstanceProfile", err)
	if len(g.InstanceProfile.Roles) != 1 {
		t.Fatalf("profile roles = %+v, want tf-role", g.InstanceProfile.Roles)
	}
	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: g.InstanceProfile.Roles[0].RoleName})
	must("GetRole (the profile's role)", err)

	// aws_iam_role: update each attribute the provider updates in place, then read.
	_, err = c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String(ec2Trust)})
	must("UpdateAssumeRolePolicy", err)
	_, err = c.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: name, Description: aws.String("changed")})
	must("UpdateRoleDescription", err)
	_, err = c.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(7200)})
	must("UpdateRole", err)
	_, err = c.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: name, PermissionsBoundary: readOnly})
	must("PutRolePermissionsBoundary", err)
	_, err = c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: name, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must("TagRole", err)
	_, err = c.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: name, TagKeys: []string{"Name"}})
	must("UntagRole", err)
	r := readRole()
	if aws.ToInt32(r.MaxSessionDuration) != 7200 || aws.ToString(r.Description) != "changed" || r.PermissionsBoundary == nil || len(r.Tags) != 1 {
		t.Fatalf("role after the update = %+v", r)
	}
	_, err = c.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: profile, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must("TagInstanceProfile", err)
	_, err = c.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: profile, TagKeys: []string{"Name"}})
	must("UntagInstanceProfile", err)

	// A destroy of the role alone while the profile holds it fails as in AWS, and the provider's
	// own cleanup (ListInstanceProfilesForRole, RemoveRoleFromInstanceProfile) is what lets it pass.
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name})
	testutil.WantCode(t, err, "DeleteConflict")

	// aws_iam_role destroy (DeleteRole with force_detach_policies), before the profile's.
	fr, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: name})
	must("ListInstanceProfilesForRole", err)
	for _, p := range fr.InstanceProfiles {
		_, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: p.InstanceProfileName, RoleName: name})
		must("RemoveRoleFromInstanceProfile", err)
	}
	ap, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: name})
	must("ListAttachedRolePolicies", err)
	for _, p := range ap.AttachedPolicies {
		_, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: name, PolicyArn: p.PolicyArn})
		must("DetachRolePolicy", err)
	}
	lp, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: name})
	must("ListRolePolicies", err)
	for _, p := range lp.PolicyNames {
		_, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String(p)})
		must("DeleteRolePolicy", err)
	}
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name})
	must("DeleteRole", err)

	// aws_iam_instance_profile destroy: its role is gone; the provider reads the profile, removes
	// a role it still names (NoSuchEntity is tolerated), and deletes it.
	g, err = c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: profile})
	must("GetInstanceProfile", err)
	if len(g.InstanceProfile.Roles) != 0 {
		t.Errorf("profile still names a role after the role's destroy: %+v", g.InstanceProfile.Roles)
	}
	_, err = c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: profile, RoleName: name})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: profile})
	must("DeleteInstanceProfile", err)
	_, err = c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: profile})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
	testutil.WantCode(t, err, "NoSuchEntity")
}
