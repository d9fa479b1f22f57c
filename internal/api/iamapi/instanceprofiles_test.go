package iamapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func createRole(t *testing.T, ctx context.Context, c *awsiam.Client, name string) *types.Role {
	t.Helper()
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

// Instance profiles: each of the ten operations and their errors, in AWS's codes and words.
func TestInstanceProfiles(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	role := createRole(t, ctx, c, "web")
	createRole(t, ctx, c, "other")

	cr, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile"),
		Path: aws.String("/app/"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	ip := cr.InstanceProfile
	wantARN := "arn:aws:iam::" + e.Account.ID + ":instance-profile/app/web-profile"
	if aws.ToString(ip.Arn) != wantARN || aws.ToString(ip.Path) != "/app/" || len(aws.ToString(ip.InstanceProfileId)) != 21 ||
		aws.ToString(ip.InstanceProfileId)[:4] != "AIPA" || len(ip.Roles) != 0 || ip.CreateDate == nil {
		t.Fatalf("CreateInstanceProfile = %+v; want ARN %s, path /app/, an AIPA ID and no roles", ip, wantARN)
	}

	steps := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"create again", func() error {
			_, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB-PROFILE")})
			return err
		}, "EntityAlreadyExists", "Instance Profile WEB-PROFILE already exists."},
		{"create under a reserved path", func() error {
			_, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("/aws-reserved/")})
			return err
		}, "InvalidInput", ""},
		{"create with a bad name", func() error {
			_, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("a b")})
			return err
		}, "ValidationError", ""},
		{"get a missing profile", func() error {
			_, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "Instance Profile nope cannot be found."},
		{"add a missing role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found."},
		{"add the role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")})
			return err
		}, "", ""},
		{"add a second role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("other")})
			return err
		}, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
		{"add the same role again", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")})
			return err
		}, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
		{"delete the role while in a profile", func() error {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("web")})
			return err
		}, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."},
		{"delete the profile while it has a role", func() error {
			_, err := c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
			return err
		}, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."},
		{"remove a role not in the profile", func() error {
			_, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("other")})
			return err
		}, "NoSuchEntity", ""},
		{"list for a missing role", func() error {
			_, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found."},
		{"tag a missing profile", func() error {
			_, err := c.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity", "Instance Profile nope cannot be found."},
		{"tag", func() error {
			_, err := c.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
			return err
		}, "", ""},
		{"untag", func() error {
			_, err := c.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), TagKeys: []string{"team"}})
			return err
		}, "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := st.call()
			if st.code == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			testutil.WantCode(t, err, st.code)
			if got := testutil.ErrorMessage(err); st.msg != "" && got != st.msg {
				t.Errorf("message = %q, want %q", got, st.msg)
			}
		})
	}

	t.Run("get and list show the role", func(t *testing.T) {
		g, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil {
			t.Fatal(err)
		}
		p := g.InstanceProfile
		if len(p.Roles) != 1 || aws.ToString(p.Roles[0].RoleId) != aws.ToString(role.RoleId) || aws.ToString(p.Roles[0].AssumeRolePolicyDocument) == "" {
			t.Errorf("GetInstanceProfile roles = %+v, want the role web with its trust policy", p.Roles)
		}
		if len(p.Tags) != 1 || aws.ToString(p.Tags[0].Key) != "env" {
			t.Errorf("tags = %+v, want env only", p.Tags)
		}
		lt, err := c.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Value) != "prod" {
			t.Errorf("ListInstanceProfileTags = %+v, %v; want env=prod", lt, err)
		}
		fr, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("WEB")})
		if err != nil || len(fr.InstanceProfiles) != 1 || aws.ToString(fr.InstanceProfiles[0].Arn) != wantARN {
			t.Errorf("ListInstanceProfilesForRole = %+v, %v; want web-profile", fr, err)
		}
		fo, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other")})
		if err != nil || len(fo.InstanceProfiles) != 0 {
			t.Errorf("ListInstanceProfilesForRole other = %+v, %v; want none", fo, err)
		}
	})

	t.Run("list by path, paged", func(t *testing.T) {
		for _, n := range []string{"p1", "p2", "p3"} {
			if _, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n)}); err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		for pg := awsiam.NewListInstanceProfilesPaginator(c, &awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(2)}); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.InstanceProfiles {
				names = append(names, aws.ToString(p.InstanceProfileName))
			}
		}
		if len(names) != 4 {
			t.Errorf("ListInstanceProfiles = %v, want 4 profiles", names)
		}
		app, err := c.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")})
		if err != nil || len(app.InstanceProfiles) != 1 || aws.ToString(app.InstanceProfiles[0].InstanceProfileName) != "web-profile" {
			t.Errorf("ListInstanceProfiles /app/ = %+v, %v; want web-profile", app, err)
		}
	})

	t.Run("remove, then delete both", func(t *testing.T) {
		if _, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("web")}); err != nil {
			t.Fatalf("DeleteRole after removal: %v", err)
		}
		if _, err := c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err != nil {
			t.Fatalf("DeleteInstanceProfile: %v", err)
		}
		_, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		testutil.WantCode(t, err, "NoSuchEntity")
	})
}

// A caller needs iam:PassRole on the role to put it in an instance profile (IAM API Reference,
// AddRoleToInstanceProfile): otherwise anyone who may create profiles could hand any role to an
// instance.
func TestAddRoleToInstanceProfileNeedsPassRole(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	createRole(t, ctx, e.IAM, "admin-role")
	if _, err := e.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	u := e.UserIn(e.Account.ID, "builder", servertest.AllowPolicy("iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"))
	_, err := u.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: aws.String("admin-role")})
	testutil.WantCode(t, err, "AccessDenied")
	g, err := e.IAM.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("p")})
	if err != nil || len(g.InstanceProfile.Roles) != 0 {
		t.Fatalf("profile after the refused call = %+v, %v; want no role", g, err)
	}
}

// TestAuthorizationDetailsInstanceProfiles: GetAccountAuthorizationDetails lists, in each role's
// InstanceProfileList, the instance profiles that hold the role, each with the role in its Roles,
// as AWS does; a role in no profile has an empty list.
func TestAuthorizationDetailsInstanceProfiles(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []string{"web", "lonely"} {
		if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(r), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"web-a", "web-b"} {
		if _, err := e.IAM.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(p), Path: aws.String("/app/")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(p), RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range out.RoleDetailList {
		names := []string{}
		for _, p := range r.InstanceProfileList {
			if len(p.Roles) != 1 || aws.ToString(p.Roles[0].RoleName) != aws.ToString(r.RoleName) || aws.ToString(p.Path) != "/app/" || p.Arn == nil || p.CreateDate == nil {
				t.Errorf("profile %s of %s: got path %q, roles %+v; want /app/ and the role", aws.ToString(p.InstanceProfileName), aws.ToString(r.RoleName), aws.ToString(p.Path), p.Roles)
			}
			names = append(names, aws.ToString(p.InstanceProfileName))
		}
		got[aws.ToString(r.RoleName)] = names
	}
	want := map[string][]string{"web": {"web-a", "web-b"}, "lonely": {}}
	for role, w := range want {
		if g, ok := got[role]; !ok || strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("InstanceProfileList of %s: got %v, want %v", role, g, w)
		}
	}
}
