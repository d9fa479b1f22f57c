package iamapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// The condition keys IAM defines for its own actions, each tested with the example policy
// of the AWS documentation page that explains it (account IDs replaced by the test account's).

// keyStep is one call of a scenario and the error code it must answer ("" for success).
type keyStep struct {
	name string
	call func(ctx context.Context) error
	code string
}

func runSteps(t *testing.T, steps []keyStep) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := st.call(servertest.Ctx(t))
			if st.code == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			testutil.WantCode(t, err, st.code)
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// IAM User Guide, "Permissions boundaries for IAM entities", delegating responsibility to others:
// María lets Zhang create users only with the XCompanyBoundaries boundary, and manage the policies
// of users that have it. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func TestKeyPermissionsBoundaryDelegatedAdmin(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	acct := e.Account.ID
	xcompany := e.ManagedPolicy("XCompanyBoundaries", `{"Version":"2012-10-17","Statement":[{"Sid":"ServiceBoundaries","Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}]}`)
	delegated := e.ManagedPolicy("DelegatedUserBoundary", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CreateOrChangeOnlyWithBoundary",
            "Effect": "Allow",
            "Action": [
                "iam:CreateUser",
                "iam:DeleteUserPolicy",
                "iam:AttachUserPolicy",
                "iam:DetachUserPolicy",
                "iam:PutUserPermissionsBoundary"
            ],
            "Resource": "*",
            "Condition": {"StringEquals": 
                {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/XCompanyBoundaries"}}
        },
        {
            "Sid": "CloudWatchAndOtherIAMTasks",
            "Effect": "Allow",
            "Action": [
                "cloudwatch:*",
                "iam:GetUser",
                "iam:ListUsers",
                "iam:DeleteUser",
                "iam:UpdateUser",
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:GetAccountPasswordPolicy",
                "iam:GetLoginProfile",
                "iam:*Group*",
                "iam:CreatePolicy",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetUserPolicy",
                "iam:GetRolePolicy",
                "iam:ListPolicies",
                "iam:ListPolicyVersions",
                "iam:ListEntitiesForPolicy",
                "iam:ListUserPolicies",
                "iam:ListAttachedUserPolicies",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:PutUserPolicy",
                "iam:SetDefaultPolicyVersion",
                "iam:SimulatePrincipalPolicy",
                "iam:SimulateCustomPolicy" 
            ],
            "Resource": "*"
        },
        {
            "Sid": "NoBoundaryPolicyEdit",
            "Effect": "Deny",
            "Action": [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion"
            ],
            "Resource": [
                "arn:aws:iam::123456789012:policy/XCompanyBoundaries",
                "arn:aws:iam::123456789012:policy/DelegatedUserBoundary"
            ]
        },
        {
            "Sid": "NoBoundaryUserDelete",
            "Effect": "Deny",
            "Action": "iam:DeleteUserPermissionsBoundary",
            "Resource": "*"
        }
    ]
}`)
	permissions := e.ManagedPolicy("DelegatedUserPermissions", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "IAM",
            "Effect": "Allow",
            "Action": "iam:*",
            "Resource": "*"
        },
        {
            "Sid": "CloudWatchLimited",
            "Effect": "Allow",
            "Action": [
                "cloudwatch:GetDashboard",
                "cloudwatch:GetMetricData",
                "cloudwatch:ListDashboards",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:ListMetrics"
            ],
            "Resource": "*"
        },
        {
            "Sid": "S3BucketContents",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::ZhangBucket"
        }
    ]
}`)
	zhang, _ := e.KeyUser("Zhang", nil, delegated, permissions)
	// A user created before the delegation, without a boundary.
	_, _ = e.KeyUser("legacy", nil, "")
	must(t, e.Svc.PutInlinePolicy(context.Background(), acct, "user", "legacy", "old", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`))
	iamFull := "arn:aws:iam::aws:policy/IAMFullAccess"
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	runSteps(t, []keyStep{
		{"create user without the boundary", func(ctx context.Context) error {
			_, err := zhang.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Nikhil")})
			return err
		}, "AccessDenied"},
		{"create user with another boundary", func(ctx context.Context) error {
			_, err := zhang.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Nikhil"), PermissionsBoundary: aws.String(delegated)})
			return err
		}, "AccessDenied"},
		{"create user with XCompanyBoundaries", func(ctx context.Context) error {
			_, err := zhang.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Nikhil"), PermissionsBoundary: aws.String(xcompany)})
			return err
		}, ""},
		{"attach a policy to a user with the boundary", func(ctx context.Context) error {
			_, err := zhang.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("Nikhil"), PolicyArn: aws.String(iamFull)})
			return err
		}, ""},
		{"attach a policy to a user without it", func(ctx context.Context) error {
			_, err := zhang.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("legacy"), PolicyArn: aws.String(iamFull)})
			return err
		}, "AccessDenied"},
		{"detach from a user with the boundary", func(ctx context.Context) error {
			_, err := zhang.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("Nikhil"), PolicyArn: aws.String(iamFull)})
			return err
		}, ""},
		{"put an inline policy (allowed without condition)", func(ctx context.Context) error {
			_, err := zhang.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("Nikhil"), PolicyName: aws.String("read"), PolicyDocument: aws.String(inline)})
			return err
		}, ""},
		{"delete an inline policy of a user with the boundary", func(ctx context.Context) error {
			_, err := zhang.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("Nikhil"), PolicyName: aws.String("read")})
			return err
		}, ""},
		{"delete an inline policy of a user without it", func(ctx context.Context) error {
			_, err := zhang.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("legacy"), PolicyName: aws.String("old")})
			return err
		}, "AccessDenied"},
		{"set another boundary on a user", func(ctx context.Context) error {
			_, err := zhang.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("legacy"), PermissionsBoundary: aws.String(delegated)})
			return err
		}, "AccessDenied"},
		{"set XCompanyBoundaries on a user", func(ctx context.Context) error {
			_, err := zhang.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("legacy"), PermissionsBoundary: aws.String(xcompany)})
			return err
		}, ""},
		{"manage the policies of the newly bounded user", func(ctx context.Context) error {
			_, err := zhang.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("legacy"), PolicyName: aws.String("old")})
			return err
		}, ""},
		{"remove a boundary", func(ctx context.Context) error {
			_, err := zhang.DeleteUserPermissionsBoundary(ctx, &awsiam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("Nikhil")})
			return err
		}, "AccessDenied"},
	})
	u, err := e.Svc.GetUser(context.Background(), acct, "Nikhil")
	must(t, err)
	if u.PermissionsBoundary == nil || u.PermissionsBoundary.PermissionsBoundaryArn != xcompany {
		t.Fatalf("Nikhil's boundary = %+v, want %s", u.PermissionsBoundary, xcompany)
	}
}

// iam:PermissionsBoundary on role actions: the same delegation for roles (CreateRole with the
// boundary; the role policy actions on roles that have it; DeleteRolePermissionsBoundary).
func TestKeyPermissionsBoundaryRoles(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	boundary := e.ManagedPolicy("DevBoundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	dev, _ := e.KeyUser("dev", nil, "")
	must(t, e.Svc.PutInlinePolicy(context.Background(), e.Account.ID, "user", "dev", "roles", servertest.ForAccount(`{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRolePermissionsBoundary"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/DevBoundary"}}
        }
    ]
}`, e.Account.ID)))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := e.Svc.CreateRole(context.Background(), e.Account.ID, iam.CreateRoleInput{RoleName: "unbounded", AssumeRolePolicyDocument: trust})
	must(t, err)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	runSteps(t, []keyStep{
		{"create role without a boundary", func(ctx context.Context) error {
			_, err := dev.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		}, "AccessDenied"},
		{"create role with the boundary", func(ctx context.Context) error {
			_, err := dev.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: aws.String(boundary)})
			return err
		}, ""},
		{"put a role policy on the bounded role", func(ctx context.Context) error {
			_, err := dev.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		}, ""},
		{"put a role policy on an unbounded role", func(ctx context.Context) error {
			_, err := dev.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("unbounded"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		}, "AccessDenied"},
		{"attach to the bounded role", func(ctx context.Context) error {
			_, err := dev.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, ""},
		{"attach to an unbounded role", func(ctx context.Context) error {
			_, err := dev.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("unbounded"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "AccessDenied"},
		{"delete the role policy", func(ctx context.Context) error {
			_, err := dev.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p")})
			return err
		}, ""},
		{"remove the boundary (its current value matches)", func(ctx context.Context) error {
			_, err := dev.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app")})
			return err
		}, ""},
		{"detach once the role has no boundary", func(ctx context.Context) error {
			_, err := dev.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "AccessDenied"},
	})
}

// IAM User Guide, "IAM: Limits managed policies that can be applied to a new IAM user, group, or
// role" (iam:PolicyARN), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_limit-managed.html
func TestKeyPolicyARN(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	team := e.ManagedPolicy("TeamPolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	other := e.ManagedPolicy("OtherPolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	limited, _ := e.UserClients("limited", strings.NewReplacer("<ACCOUNTNUMBER>", e.Account.ID, "<MANAGED-POLICY-NAME>", "TeamPolicy", "<AWS-MANAGED-POLICY-NAME>", "ReadOnlyAccess").Replace(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "iam:ChangePassword",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:CreateUser",
        "iam:DeleteAccessKey",
        "iam:DeleteLoginProfile",
        "iam:DeleteUser",
        "iam:UpdateAccessKey",
        "iam:ListAttachedUserPolicies",
        "iam:ListPolicies",
        "iam:ListUserPolicies",
        "iam:ListGroups",
        "iam:ListGroupsForUser",
        "iam:GetPolicy",
        "iam:GetAccountSummary"
      ],
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": [
        "iam:AttachUserPolicy",
        "iam:DetachUserPolicy"
      ],
      "Resource": "*",
      "Condition": {
        "ArnEquals": {
          "iam:PolicyArn": [
            "arn:aws:iam::<ACCOUNTNUMBER>:policy/<MANAGED-POLICY-NAME>",
            "arn:aws:iam::aws:policy/<AWS-MANAGED-POLICY-NAME>"
          ]
        }
      }
    }
  ]
}`))
	attach := func(arn string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := limited.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("new-hire"), PolicyArn: aws.String(arn)})
			return err
		}
	}
	runSteps(t, []keyStep{
		{"create the user", func(ctx context.Context) error {
			_, err := limited.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("new-hire")})
			return err
		}, ""},
		{"attach the customer managed policy listed", attach(team), ""},
		{"attach the AWS managed policy listed", attach("arn:aws:iam::aws:policy/ReadOnlyAccess"), ""},
		{"attach a policy not listed", attach(other), "AccessDenied"},
		{"attach an AWS managed policy not listed", attach("arn:aws:iam::aws:policy/AdministratorAccess"), "AccessDenied"},
		{"detach a policy listed", func(ctx context.Context) error {
			_, err := limited.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("new-hire"), PolicyArn: aws.String(team)})
			return err
		}, ""},
	})
}

// IAM User Guide, "Controlling access to and for IAM users and roles using tags": iam:ResourceTag
// on users (DeleteUser of users tagged status=terminated; ListUserTags/TagUser/UntagUser of users
// tagged jobFunction=employee), aws:RequestTag and aws:TagKeys on TagUser and UntagUser.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html
func TestKeyIAMResourceTagAndRequestTag(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	for _, u := range []struct {
		name string
		tags []iam.Tag
	}{
		{"gone", []iam.Tag{{Key: "status", Value: "terminated"}}},
		{"active", []iam.Tag{{Key: "status", Value: "active"}}},
		{"worker", []iam.Tag{{Key: "jobFunction", Value: "employee"}, {Key: "temporary", Value: "yes"}, {Key: "project", Value: "blue"}}},
		{"contractor", []iam.Tag{{Key: "jobFunction", Value: "contractor"}}},
	} {
		_, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: u.name, Tags: u.tags})
		must(t, err)
	}
	deleter, _ := e.UserClients("deleter", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iam:DeleteUser",
        "Resource": "*",
        "Condition": {"StringLike": {"iam:ResourceTag/status": "terminated"}}
    }]
}`)
	tagger, _ := e.UserClients("tagger", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": [
                "iam:ListUserTags",
                "iam:TagUser", 
                "iam:UntagUser"
            ],
        "Resource": "*",
        "Condition": {"StringLike": {"iam:ResourceTag/jobFunction": "employee"}}
    }]
}`)
	hr, _ := e.UserClients("hr", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iam:TagUser",
        "Resource": "*",
        "Condition": {"StringLike": {"aws:RequestTag/department": [
            "HR",
            "CS"
        ]}}
    }]
}`)
	cleaner, _ := e.UserClients("cleaner", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iam:UntagUser",
        "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["temporary"]}}
    }]
}`)
	tag := func(c *awsiam.Client, user, key, value string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String(user), Tags: []types.Tag{{Key: aws.String(key), Value: aws.String(value)}}})
			return err
		}
	}
	untag := func(c *awsiam.Client, user string, keys ...string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.UntagUser(ctx, &awsiam.UntagUserInput{UserName: aws.String(user), TagKeys: keys})
			return err
		}
	}
	runSteps(t, []keyStep{
		{"delete a user tagged terminated", func(ctx context.Context) error {
			_, err := deleter.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("gone")})
			return err
		}, ""},
		{"delete an active user", func(ctx context.Context) error {
			_, err := deleter.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("active")})
			return err
		}, "AccessDenied"},
		{"list an employee's tags", func(ctx context.Context) error {
			_, err := tagger.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("worker")})
			return err
		}, ""},
		{"list a contractor's tags", func(ctx context.Context) error {
			_, err := tagger.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("contractor")})
			return err
		}, "AccessDenied"},
		{"tag an employee", tag(tagger, "worker", "team", "red"), ""},
		{"tag a contractor", tag(tagger, "contractor", "team", "red"), "AccessDenied"},
		{"untag a contractor", untag(tagger, "contractor", "jobFunction"), "AccessDenied"},
		{"tag department HR", tag(hr, "contractor", "department", "HR"), ""},
		{"tag department CS", tag(hr, "contractor", "department", "CS"), ""},
		{"tag department Sales", tag(hr, "contractor", "department", "Sales"), "AccessDenied"},
		{"remove a project tag", untag(cleaner, "worker", "project"), "AccessDenied"},
		{"remove temporary and project", untag(cleaner, "worker", "temporary", "project"), "AccessDenied"},
		{"remove only temporary", untag(cleaner, "worker", "temporary"), ""},
	})
}

// IAM User Guide, "Controlling access to AWS resources using tags": aws:ResourceTag ("Controlling
// access to resources", the Owner = ${aws:username} example) and aws:RequestTag with aws:TagKeys
// ("Controlling access during AWS requests", only environment = preprod|production), applied to the
// taggable IAM resources: roles, managed policies, virtual MFA devices and users on creation.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html
func TestKeyAWSResourceTagAndRequestTag(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	acct := e.Account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []struct{ name, owner string }{{"mine", "richard-roe"}, {"theirs", "someone-else"}} {
		_, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name, AssumeRolePolicyDocument: trust, Tags: []iam.Tag{{Key: "Owner", Value: r.owner}}})
		must(t, err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, p := range []struct{ name, owner string }{{"my-policy", "richard-roe"}, {"their-policy", "someone-else"}} {
		_, err := e.Svc.CreatePolicy(ctx, acct, iam.CreatePolicyInput{PolicyName: p.name, PolicyDocument: doc, Tags: []iam.Tag{{Key: "owner", Value: p.owner}}})
		must(t, err)
	}
	mine, err := e.Svc.CreateVirtualMFADevice(ctx, acct, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "my-device", Tags: []iam.Tag{{Key: "Owner", Value: "richard-roe"}}})
	must(t, err)
	theirs, err := e.Svc.CreateVirtualMFADevice(ctx, acct, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "their-device"})
	must(t, err)
	richard, _ := e.UserClients("richard-roe", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:UpdateRoleDescription",
                "iam:GetPolicy",
                "iam:DeleteVirtualMFADevice"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}
            }
        },
        {
            "Effect": "Allow",
            "Action": ["iam:CreateUser", "iam:CreateRole", "iam:CreatePolicy", "iam:CreateVirtualMFADevice", "iam:TagRole"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:RequestTag/environment": [
                        "preprod",
                        "production"
                    ]
                },
                "ForAllValues:StringEquals": {"aws:TagKeys": "environment"}
            }
        }
    ]
}`)
	env := func(v string) []types.Tag { return []types.Tag{{Key: aws.String("environment"), Value: aws.String(v)}} }
	runSteps(t, []keyStep{
		{"update a role he owns", func(ctx context.Context) error {
			_, err := richard.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("mine"), Description: aws.String("x")})
			return err
		}, ""},
		{"update a role someone else owns", func(ctx context.Context) error {
			_, err := richard.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("theirs"), Description: aws.String("x")})
			return err
		}, "AccessDenied"},
		{"read a policy he owns (tag key in another case)", func(ctx context.Context) error {
			_, err := richard.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/my-policy")})
			return err
		}, ""},
		{"read a policy someone else owns", func(ctx context.Context) error {
			_, err := richard.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/their-policy")})
			return err
		}, "AccessDenied"},
		{"delete an MFA device owned by someone else", func(ctx context.Context) error {
			_, err := richard.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(theirs.SerialNumber)})
			return err
		}, "AccessDenied"},
		{"delete an MFA device he owns", func(ctx context.Context) error {
			_, err := richard.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(mine.SerialNumber)})
			return err
		}, ""},
		{"create a user tagged environment=preprod", func(ctx context.Context) error {
			_, err := richard.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u1"), Tags: env("preprod")})
			return err
		}, ""},
		{"create a user tagged environment=test", func(ctx context.Context) error {
			_, err := richard.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u2"), Tags: env("test")})
			return err
		}, "AccessDenied"},
		{"create a user with another tag key too", func(ctx context.Context) error {
			_, err := richard.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u3"),
				Tags: append(env("production"), types.Tag{Key: aws.String("Environment"), Value: aws.String("production")})})
			return err
		}, "AccessDenied"},
		{"create a role tagged environment=production", func(ctx context.Context) error {
			_, err := richard.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust), Tags: env("production")})
			return err
		}, ""},
		{"create a policy tagged environment=test", func(ctx context.Context) error {
			_, err := richard.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc), Tags: env("test")})
			return err
		}, "AccessDenied"},
		{"create a policy tagged environment=preprod", func(ctx context.Context) error {
			_, err := richard.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc), Tags: env("preprod")})
			return err
		}, ""},
		{"create an MFA device tagged environment=preprod", func(ctx context.Context) error {
			_, err := richard.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("d1"), Tags: env("preprod")})
			return err
		}, ""},
		{"tag a role environment=test", func(ctx context.Context) error {
			_, err := richard.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r1"), Tags: env("test")})
			return err
		}, "AccessDenied"},
	})
}
