package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestReservedPathsRefused: no caller creates or moves an entity under a path AWS reserves.
func TestReservedPathsRefused(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	calls := map[string]func(path string) error{
		"CreateRole": func(p string) error {
			_, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), Path: aws.String(p), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		},
		"CreateUser": func(p string) error {
			_, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u2"), Path: aws.String(p)})
			return err
		},
		"CreateGroup": func(p string) error {
			_, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g2"), Path: aws.String(p)})
			return err
		},
		"CreatePolicy": func(p string) error {
			_, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String(p), PolicyDocument: aws.String(doc)})
			return err
		},
		"CreateVirtualMFADevice": func(p string) error {
			_, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("d"), Path: aws.String(p)})
			return err
		},
		"UpdateUser": func(p string) error {
			_, err := e.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("u"), NewPath: aws.String(p)})
			return err
		},
		"UpdateGroup": func(p string) error {
			_, err := e.IAM.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("g"), NewPath: aws.String(p)})
			return err
		},
	}
	paths := []string{"/aws-service-role/", "/aws-service-role/ecs.amazonaws.com/", "/aws-reserved/", "/aws-reserved/sso.amazonaws.com/", "/Aws-Reserved/x/"}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			for _, p := range paths {
				err := call(p)
				testutil.WantCode(t, err, "InvalidInput")
				if msg := testutil.ErrorMessage(err); !strings.Contains(msg, "Path prefix '/aws-") {
					t.Errorf("%s Path=%s message = %q, want it to name the reserved prefix", name, p, msg)
				}
			}
			// A path that only looks alike is fine.
			if err := call("/aws-service-roles/"); err != nil {
				t.Errorf("%s Path=/aws-service-roles/: %v, want success", name, err)
			}
		})
	}
	// Nothing was created or moved under a reserved path.
	users, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/aws-")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		if *u.Path != "/aws-service-roles/" {
			t.Errorf("user %s at %s", *u.UserName, *u.Path)
		}
	}
}

// TestServiceLinkedRoleProtected: callers cannot change or delete a service-linked role; IAM
// answers UnmodifiableEntity. Its description may change.
func TestServiceLinkedRoleProtected(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	r, err := e.Svc.CreateServiceLinkedRole(ctx, e.Account.ID, iam.ServiceLinkedRoleInput{
		AWSServiceName: "organizations.amazonaws.com", RoleName: "AWSServiceRoleForOrganizations",
		PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/aws-service-role/organizations.amazonaws.com/" || !r.ServiceLinked {
		t.Fatalf("role path %q, ServiceLinked %v; want /aws-service-role/organizations.amazonaws.com/, true", r.Path, r.ServiceLinked)
	}
	name := aws.String(r.RoleName)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	refused := map[string]func() error{
		"DeleteRole": func() error { _, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: name}); return err },
		"UpdateAssumeRolePolicy": func() error {
			_, err := e.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String(trust)})
			return err
		},
		"AttachRolePolicy": func() error {
			_, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		},
		"DetachRolePolicy": func() error {
			_, err := e.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		},
		"PutRolePolicy": func() error {
			_, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("x"), PolicyDocument: aws.String(doc)})
			return err
		},
		"DeleteRolePolicy": func() error {
			_, err := e.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String("x")})
			return err
		},
		"PutRolePermissionsBoundary": func() error {
			_, err := e.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: name, PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		},
		"DeleteRolePermissionsBoundary": func() error {
			_, err := e.IAM.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: name})
			return err
		},
		"UpdateRole MaxSessionDuration": func() error {
			_, err := e.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(7200)})
			return err
		},
	}
	want := "Cannot perform the operation on the protected role 'AWSServiceRoleForOrganizations' - this role is only modifiable by AWS"
	for op, call := range refused {
		t.Run(op, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "UnmodifiableEntity")
			if got := testutil.ErrorMessage(err); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
	t.Run("the role is unchanged", func(t *testing.T) {
		g, err := e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
		if err != nil {
			t.Fatal(err)
		}
		if *g.Role.MaxSessionDuration != 3600 || !strings.Contains(*g.Role.AssumeRolePolicyDocument, "organizations.amazonaws.com") {
			t.Errorf("role changed: %+v", g.Role)
		}
		ap, err := e.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: name})
		if err != nil || len(ap.AttachedPolicies) != 1 || *ap.AttachedPolicies[0].PolicyArn != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			t.Errorf("attached policies = %+v, %v; want ReadOnlyAccess only", ap, err)
		}
	})
	t.Run("UpdateRoleDescription", func(t *testing.T) {
		if _, err := e.IAM.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: name, Description: aws.String("d")}); err != nil {
			t.Errorf("UpdateRoleDescription: %v, want success", err)
		}
	})
	t.Run("the name is taken", func(t *testing.T) {
		_, err := e.Svc.CreateServiceLinkedRole(ctx, e.Account.ID, iam.ServiceLinkedRoleInput{
			AWSServiceName: "organizations.amazonaws.com", RoleName: "AWSServiceRoleForOrganizations"})
		if err == nil || !strings.Contains(err.Error(), "has been taken in this account") {
			t.Errorf("second CreateServiceLinkedRole = %v, want InvalidInput (name taken)", err)
		}
		r2, err := e.Svc.CreateServiceLinkedRole(ctx, e.Account.ID, iam.ServiceLinkedRoleInput{
			AWSServiceName: "organizations.amazonaws.com", RoleName: "AWSServiceRoleForOrganizations", CustomSuffix: "two"})
		if err != nil || r2.RoleName != "AWSServiceRoleForOrganizations_two" {
			t.Errorf("with CustomSuffix = %+v, %v; want AWSServiceRoleForOrganizations_two", r2, err)
		}
	})
}

// CreateServiceLinkedRole, DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus as a
// caller uses them: the service's own role name, path and AWS managed policy; CustomSuffix only
// where the service accepts one; the deletion task; and the errors.
func TestServiceLinkedRoleOperations(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	out, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com"), Description: aws.String("lb")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	wantARN := "arn:aws:iam::" + e.Account.ID + ":role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
	if aws.ToString(r.Arn) != wantARN || aws.ToString(r.Path) != "/aws-service-role/elasticloadbalancing.amazonaws.com/" ||
		!strings.Contains(aws.ToString(r.AssumeRolePolicyDocument), "elasticloadbalancing.amazonaws.com") {
		t.Fatalf("role = %+v; want %s trusting the service", r, wantARN)
	}
	ap, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	if err != nil || len(ap.AttachedPolicies) != 1 ||
		aws.ToString(ap.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy" {
		t.Fatalf("attached = %+v, %v; want AWSElasticLoadBalancingServiceRolePolicy", ap, err)
	}
	// Tags are allowed on a service-linked role (Terraform's aws_iam_service_linked_role tags it
	// with TagRole).
	if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: r.RoleName, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Errorf("TagRole on a service-linked role: %v, want success", err)
	}
	suffixed, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("fleet")})
	if err != nil || aws.ToString(suffixed.Role.RoleName) != "AWSServiceRoleForAutoScaling_fleet" {
		t.Errorf("autoscaling with a suffix = %+v, %v; want AWSServiceRoleForAutoScaling_fleet", suffixed, err)
	}
	errs := []struct {
		name string
		in   awsiam.CreateServiceLinkedRoleInput
		code string
	}{
		{"taken", awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com")}, "InvalidInput"},
		{"unknown service", awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("nothing.amazonaws.com")}, "InvalidInput"},
		{"suffix not accepted", awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com"), CustomSuffix: aws.String("x")}, "InvalidInput"},
		{"bad service name", awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("a/b")}, "ValidationError"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateServiceLinkedRole(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	t.Run("iam:AWSServiceName", func(t *testing.T) {
		u := e.UserIn(e.Account.ID, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*",`+
			`"Condition":{"StringEquals":{"iam:AWSServiceName":"ecs.amazonaws.com"}}}]}`)
		_, err := u.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("rds.amazonaws.com")})
		testutil.WantCode(t, err, "AccessDenied")
		if _, err := u.IAM.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
			t.Errorf("allowed service: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		createRole(t, ctx, c, "plain")
		_, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
		testutil.WantCode(t, err, "NoSuchEntity")
		_, err = c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("nope")})
		testutil.WantCode(t, err, "NoSuchEntity")
		d, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: r.RoleName})
		if err != nil {
			t.Fatal(err)
		}
		task := aws.ToString(d.DeletionTaskId)
		if !strings.HasPrefix(task, "task/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing/") {
			t.Errorf("DeletionTaskId = %q, want task/aws-service-role/SERVICE/ROLE/ID", task)
		}
		st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)})
		if err != nil || st.Status != types.DeletionTaskStatusTypeSucceeded {
			t.Errorf("status = %+v, %v; want SUCCEEDED", st, err)
		}
		_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: r.RoleName})
		testutil.WantCode(t, err, "NoSuchEntity")
		_, err = c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/aws-service-role/x/y/z")})
		testutil.WantCode(t, err, "NoSuchEntity")
		// The role can be created again.
		if _, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com")}); err != nil {
			t.Errorf("create after delete: %v", err)
		}
	})
}
