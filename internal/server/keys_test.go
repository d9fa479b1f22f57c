package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/iam"
)

// The condition keys IAM and STS define for their own actions, each tested with the example policy
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
			err := st.call(ctxT(t))
			if st.code == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantCode(t, err, st.code)
		})
	}
}

// forAccount replaces the documentation's example account IDs by account.
func forAccount(doc, account string) string {
	return strings.NewReplacer("111122223333", account, "123456789012", account).Replace(doc)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// keyUser creates a user with tags and a permissions boundary ("" for none), attaches the managed
// policies, and returns clients signing as the user.
func (e *env) keyUser(name string, tags []iam.Tag, boundary string, policies ...string) (*awsiam.Client, *sts.Client) {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: name, Tags: tags, PermissionsBoundary: boundary})
	must(e.t, err)
	for _, p := range policies {
		must(e.t, e.svc.AttachPolicy(ctx, e.account.ID, "user", name, p))
	}
	k, err := e.svc.CreateAccessKey(ctx, e.account.ID, name)
	must(e.t, err)
	return e.clients(k.AccessKeyID, k.Secret, "")
}

func (e *env) managedPolicy(name, doc string) string {
	e.t.Helper()
	p, err := e.svc.CreatePolicy(context.Background(), e.account.ID, iam.CreatePolicyInput{PolicyName: name, PolicyDocument: forAccount(doc, e.account.ID)})
	must(e.t, err)
	return p.Arn
}

// IAM User Guide, "Permissions boundaries for IAM entities", delegating responsibility to others:
// María lets Zhang create users only with the XCompanyBoundaries boundary, and manage the policies
// of users that have it. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func TestKeyPermissionsBoundaryDelegatedAdmin(t *testing.T) {
	e := newEnv(t)
	acct := e.account.ID
	xcompany := e.managedPolicy("XCompanyBoundaries", `{"Version":"2012-10-17","Statement":[{"Sid":"ServiceBoundaries","Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}]}`)
	delegated := e.managedPolicy("DelegatedUserBoundary", `{
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
	permissions := e.managedPolicy("DelegatedUserPermissions", `{
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
	zhang, _ := e.keyUser("Zhang", nil, delegated, permissions)
	// A user created before the delegation, without a boundary.
	_, _ = e.keyUser("legacy", nil, "")
	must(t, e.svc.PutInlinePolicy(context.Background(), acct, "user", "legacy", "old", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`))
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
	u, err := e.svc.GetUser(context.Background(), acct, "Nikhil")
	must(t, err)
	if u.PermissionsBoundary == nil || u.PermissionsBoundary.PermissionsBoundaryArn != xcompany {
		t.Fatalf("Nikhil's boundary = %+v, want %s", u.PermissionsBoundary, xcompany)
	}
}

// iam:PermissionsBoundary on role actions: the same delegation for roles (CreateRole with the
// boundary; the role policy actions on roles that have it; DeleteRolePermissionsBoundary).
func TestKeyPermissionsBoundaryRoles(t *testing.T) {
	e := newEnv(t)
	boundary := e.managedPolicy("DevBoundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	dev, _ := e.keyUser("dev", nil, "")
	must(t, e.svc.PutInlinePolicy(context.Background(), e.account.ID, "user", "dev", "roles", forAccount(`{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRolePermissionsBoundary"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/DevBoundary"}}
        }
    ]
}`, e.account.ID)))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := e.svc.CreateRole(context.Background(), e.account.ID, iam.CreateRoleInput{RoleName: "unbounded", AssumeRolePolicyDocument: trust})
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
	e := newEnv(t)
	team := e.managedPolicy("TeamPolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	other := e.managedPolicy("OtherPolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	limited, _ := e.userClients("limited", strings.NewReplacer("<ACCOUNTNUMBER>", e.account.ID, "<MANAGED-POLICY-NAME>", "TeamPolicy", "<AWS-MANAGED-POLICY-NAME>", "ReadOnlyAccess").Replace(`{
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
	e := newEnv(t)
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
		_, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: u.name, Tags: u.tags})
		must(t, err)
	}
	deleter, _ := e.userClients("deleter", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iam:DeleteUser",
        "Resource": "*",
        "Condition": {"StringLike": {"iam:ResourceTag/status": "terminated"}}
    }]
}`)
	tagger, _ := e.userClients("tagger", `{
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
	hr, _ := e.userClients("hr", `{
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
	cleaner, _ := e.userClients("cleaner", `{
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
	e := newEnv(t)
	ctx := context.Background()
	acct := e.account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []struct{ name, owner string }{{"mine", "richard-roe"}, {"theirs", "someone-else"}} {
		_, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name, AssumeRolePolicyDocument: trust, Tags: []iam.Tag{{Key: "Owner", Value: r.owner}}})
		must(t, err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, p := range []struct{ name, owner string }{{"my-policy", "richard-roe"}, {"their-policy", "someone-else"}} {
		_, err := e.svc.CreatePolicy(ctx, acct, iam.CreatePolicyInput{PolicyName: p.name, PolicyDocument: doc, Tags: []iam.Tag{{Key: "owner", Value: p.owner}}})
		must(t, err)
	}
	mine, err := e.svc.CreateVirtualMFADevice(ctx, acct, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "my-device", Tags: []iam.Tag{{Key: "Owner", Value: "richard-roe"}}})
	must(t, err)
	theirs, err := e.svc.CreateVirtualMFADevice(ctx, acct, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "their-device"})
	must(t, err)
	richard, _ := e.userClients("richard-roe", `{
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

// assumer returns an AssumeRole step for c.
func assumer(c *sts.Client, in sts.AssumeRoleInput) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := c.AssumeRole(ctx, &in)
		return err
	}
}

func stsTags(kv ...string) []ststypes.Tag {
	var out []ststypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// IAM User Guide, "Passing session tags in AWS STS", the example role trust policy for session
// tags: sts:TagSession with aws:RequestTag/*, sts:TransitiveTagKeys, and sts:ExternalId on
// sts:AssumeRole; then the role chain of "Chaining roles with session tags".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
func TestKeySessionTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acct := e.account.ID
	_, user := e.userClients("test-session-tags", "")
	trust := forAccount(`{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowIamUserAssumeRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/test-session-tags"},
            "Condition": {
              "StringLike": {
                    "aws:RequestTag/Project": "*",
                    "aws:RequestTag/CostCenter": "*",
                    "aws:RequestTag/Department": "*"
                },
                "StringEquals": {"sts:ExternalId": "Example987"}
            }
        },
        {
            "Sid": "AllowPassSessionTagsAndTransitive",
            "Effect": "Allow",
            "Action": "sts:TagSession",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/test-session-tags"},
            "Condition": {
                "StringLike": {
                    "aws:RequestTag/Project": "*",
                    "aws:RequestTag/CostCenter": "*"
                },
                "StringEquals": {
                    "aws:RequestTag/Department": [
                        "Engineering",
                        "Marketing"
                    ]
                },
                "ForAllValues:StringEquals": {
                    "sts:TransitiveTagKeys": [
                        "Project",
                        "Department"
                    ]
                }
            }
        }
    ]
}`, acct)
	role, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "my-role-example", AssumeRolePolicyDocument: trust})
	must(t, err)
	// The same trust without the sts:TagSession statement: "If your policy includes the first
	// statement without the second statement, the user can't assume the role."
	noTagSession := strings.Replace(trust, `"Action": "sts:TagSession"`, `"Action": "sts:GetCallerIdentity"`, 1)
	bare, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "no-tag-session", AssumeRolePolicyDocument: noTagSession})
	must(t, err)
	// The example request: aws sts assume-role --tags Key=Project,Value=Automation
	// Key=CostCenter,Value=12345 Key=Department,Value=Engineering --transitive-tag-keys Project
	// Department --external-id Example987.
	req := func(mod func(in *sts.AssumeRoleInput)) sts.AssumeRoleInput {
		in := sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("my-session"),
			Tags:              stsTags("Project", "Automation", "CostCenter", "12345", "Department", "Engineering"),
			TransitiveTagKeys: []string{"Project", "Department"}, ExternalId: aws.String("Example987")}
		if mod != nil {
			mod(&in)
		}
		return in
	}
	runSteps(t, []keyStep{
		{"the documented request", assumer(user, req(nil)), ""},
		{"Department Marketing, nothing transitive", assumer(user, req(func(in *sts.AssumeRoleInput) {
			in.Tags = stsTags("Project", "Automation", "CostCenter", "12345", "Department", "Marketing")
			in.TransitiveTagKeys = nil
		})), ""},
		{"Department Sales", assumer(user, req(func(in *sts.AssumeRoleInput) {
			in.Tags = stsTags("Project", "Automation", "CostCenter", "12345", "Department", "Sales")
		})), "AccessDenied"},
		{"CostCenter transitive too", assumer(user, req(func(in *sts.AssumeRoleInput) {
			in.TransitiveTagKeys = []string{"Project", "CostCenter"}
		})), "AccessDenied"},
		{"without the external ID", assumer(user, req(func(in *sts.AssumeRoleInput) { in.ExternalId = nil })), "AccessDenied"},
		{"another external ID", assumer(user, req(func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("Example988") })), "AccessDenied"},
		{"without the required tags", assumer(user, req(func(in *sts.AssumeRoleInput) {
			in.Tags, in.TransitiveTagKeys = nil, nil
		})), "AccessDenied"},
		{"a transitive key that is no tag of the request", assumer(user, req(func(in *sts.AssumeRoleInput) {
			in.TransitiveTagKeys = []string{"Project", "Owner"}
		})), "InvalidParameterValue"},
		{"a trust policy without sts:TagSession", assumer(user, req(func(in *sts.AssumeRoleInput) { in.RoleArn = aws.String(bare.Arn) })), "AccessDenied"},
	})

	// Chaining: the transitive tags of the first session pass to the next one; CostCenter, not
	// transitive, does not; and the next request cannot replace an inherited tag.
	first, err := user.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("Session1"),
		Tags:              stsTags("Project", "Automation", "CostCenter", "12345", "Department", "Engineering"),
		TransitiveTagKeys: []string{"Project", "Department"}, ExternalId: aws.String("Example987")})
	must(t, err)
	// Role2's own tags are principal tags of its sessions too, except where a session tag of the
	// same key (here the inherited Project) overrides them.
	_, err = e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Role2",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role.Arn + `"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
		Tags:                     []iam.Tag{{Key: "Sun", Value: "2"}, {Key: "project", Value: "from-the-role"}}})
	must(t, err)
	must(t, e.svc.PutInlinePolicy(ctx, acct, "role", "Role2", "abac", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Project":"Automation","aws:PrincipalTag/Department":"Engineering"}}},
		{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/CostCenter":"12345"}}},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Sun":"2"}}}]}`))
	_, firstSTS := e.clients(*first.Credentials.AccessKeyId, *first.Credentials.SecretAccessKey, *first.Credentials.SessionToken)
	role2 := "arn:aws:iam::" + acct + ":role/Role2"
	second, err := firstSTS.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role2), RoleSessionName: aws.String("Session2")})
	must(t, err)
	secondIAM, _ := e.clients(*second.Credentials.AccessKeyId, *second.Credentials.SecretAccessKey, *second.Credentials.SessionToken)
	runSteps(t, []keyStep{
		{"inherited transitive tags are principal tags", func(ctx context.Context) error {
			_, err := secondIAM.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}, ""},
		{"the role's tags are principal tags", func(ctx context.Context) error {
			_, err := secondIAM.ListGroups(ctx, &awsiam.ListGroupsInput{})
			return err
		}, ""},
		{"a tag that was not transitive is gone", func(ctx context.Context) error {
			_, err := secondIAM.ListRoles(ctx, &awsiam.ListRolesInput{})
			return err
		}, "AccessDenied"},
		{"an inherited tag cannot be replaced", assumer(firstSTS, sts.AssumeRoleInput{RoleArn: aws.String(role2), RoleSessionName: aws.String("Session3"),
			Tags: stsTags("Project", "Other")}), "InvalidParameterValue"},
		{"a new tag can be added", assumer(firstSTS, sts.AssumeRoleInput{RoleArn: aws.String(role2), RoleSessionName: aws.String("Session3"),
			Tags: stsTags("Sun", "2")}), ""},
	})
}

// IAM User Guide, "How to use an external ID when granting access to your AWS resources to a third
// party": the role trusts Example Corp's account only with sts:ExternalId 12345.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
func TestKeyExternalID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	corp, err := e.svc.CreateAccount(ctx, "example-corp", "corp+"+t.Name()+"@example.com", "")
	must(t, err)
	trust := `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "` + corp.ID + `"},
    "Condition": {"StringEquals": {"sts:ExternalId": "12345"}}
  }
}`
	role, err := e.svc.CreateRole(ctx, e.account.ID, iam.CreateRoleInput{RoleName: "ExampleRole", AssumeRolePolicyDocument: trust})
	must(t, err)
	_, err = e.svc.CreateUser(ctx, corp.ID, iam.CreateUserInput{UserName: "deputy"})
	must(t, err)
	must(t, e.svc.PutInlinePolicy(ctx, corp.ID, "user", "deputy", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`))
	k, err := e.svc.CreateAccessKey(ctx, corp.ID, "deputy")
	must(t, err)
	_, deputy := e.clients(k.AccessKeyID, k.Secret, "")
	with := func(id *string) sts.AssumeRoleInput {
		return sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("customer"), ExternalId: id}
	}
	runSteps(t, []keyStep{
		{"your external ID", assumer(deputy, with(aws.String("12345"))), ""},
		{"the other customer's external ID", assumer(deputy, with(aws.String("67890"))), "AccessDenied"},
		{"no external ID", assumer(deputy, with(nil)), "AccessDenied"},
		{"too short", assumer(deputy, with(aws.String("1"))), "ValidationError"},
		{"too long", assumer(deputy, with(aws.String(strings.Repeat("1", 1225)))), "ValidationError"},
		{"a character outside the pattern", assumer(deputy, with(aws.String("123 45"))), "ValidationError"},
		{"every character of the pattern", assumer(deputy, with(aws.String("a_Z9+=,.@:/-"))), "AccessDenied"},
	})
}

// IAM User Guide, "Monitor and control actions taken with assumed roles", permissions required to
// set source identity: DevUser's identity policy and the role trust policy for source identity.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
func TestKeySourceIdentity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acct := e.account.ID
	_, dev := e.userClients("DevUser", forAccount(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AssumeRole",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Resource": "arn:aws:iam::123456789012:role/Developer_Role"
    },
    {
      "Sid": "SetAwsUserNameAsSourceIdentity",
      "Effect": "Allow",
      "Action": "sts:SetSourceIdentity",
      "Resource": "arn:aws:iam::123456789012:role/Developer_Role",
      "Condition": {
        "StringLike": {
          "sts:SourceIdentity": "${aws:username}"
        }
      }
    }
  ]
}`, acct))
	trust := forAccount(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowDevUserAssumeRole",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:user/DevUser"
      },
      "Action": [
        "sts:AssumeRole",
        "sts:SetSourceIdentity"
      ],
      "Condition": {
        "StringEquals": {
          "sts:SourceIdentity": "DevUser"
        }
      }
    }
  ]
}`, acct)
	role, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Developer_Role", AssumeRolePolicyDocument: trust})
	must(t, err)
	// The trust without sts:SetSourceIdentity, on a role of another name.
	only, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Assume_Only",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/DevUser"},"Action":"sts:AssumeRole"}]}`})
	must(t, err)
	with := func(arn, src string) sts.AssumeRoleInput {
		in := sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("Dev-project")}
		if src != "" {
			in.SourceIdentity = aws.String(src)
		}
		return in
	}
	runSteps(t, []keyStep{
		{"source identity DevUser", assumer(dev, with(role.Arn, "DevUser")), ""},
		{"another source identity", assumer(dev, with(role.Arn, "Admin")), "AccessDenied"},
		{"no source identity", assumer(dev, with(role.Arn, "")), "AccessDenied"},
		{"a trust policy without sts:SetSourceIdentity refuses one", assumer(dev, with(only.Arn, "DevUser")), "AccessDenied"},
		{"nor does it need one without a source identity", assumer(dev, with(only.Arn, "")), ""},
	})

	// "When you assume a role with another role, called role chaining, permissions for
	// sts:SetSourceIdentity are required in both the permissions policy of the principal who is
	// assuming the role and in the role trust policy of the target role": the source identity
	// persists, so the next role must accept it.
	first, err := dev.AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("Dev-project"), SourceIdentity: aws.String("DevUser")})
	must(t, err)
	must(t, e.svc.PutInlinePolicy(ctx, acct, "role", "Developer_Role", "chain", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`))
	for _, r := range []struct{ name, actions string }{{"next-accepts", `["sts:AssumeRole","sts:SetSourceIdentity"]`}, {"next-assume-only", `"sts:AssumeRole"`}} {
		_, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role.Arn + `"},"Action":` + r.actions + `}]}`})
		must(t, err)
	}
	_, devSession := e.clients(*first.Credentials.AccessKeyId, *first.Credentials.SecretAccessKey, *first.Credentials.SessionToken)
	runSteps(t, []keyStep{
		{"chain to a role that accepts the source identity", assumer(devSession, with("arn:aws:iam::"+acct+":role/next-accepts", "")), ""},
		{"chain to a role that does not", assumer(devSession, with("arn:aws:iam::"+acct+":role/next-assume-only", "")), "AccessDenied"},
	})
}

// IAM User Guide, "IAM and AWS STS condition context keys", sts:RoleSessionName: the trust policy
// requiring IAM users to use their user name as the session name.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
func TestKeyRoleSessionName(t *testing.T) {
	e := newEnv(t)
	acct := e.account.ID
	_, err := e.svc.CreateRole(context.Background(), acct, iam.CreateRoleInput{RoleName: "shared", AssumeRolePolicyDocument: forAccount(`{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RoleTrustPolicyRequireUsernameForSessionName",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Condition": {
                "StringLike": {"sts:RoleSessionName": "${aws:username}"} }
        }
    ]
}`, acct)})
	must(t, err)
	_, alice := e.userClients("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	arn := "arn:aws:iam::" + acct + ":role/shared"
	runSteps(t, []keyStep{
		{"session named after the user", assumer(alice, sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("alice")}), ""},
		{"another session name", assumer(alice, sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("bob")}), "AccessDenied"},
	})
}

// IAM User Guide, "IAM tutorial: Define permissions to access AWS resources based on tags", the
// access-assume-role policy: assume an access-* role only when its tags match the user's
// (iam:ResourceTag on sts:AssumeRole). https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_attribute-based-access-control.html
func TestKeyAssumeRoleResourceTag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acct := e.account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []struct{ name, project string }{{"access-peg-eng", "peg"}, {"access-uni-eng", "uni"}} {
		_, err := e.svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name, AssumeRolePolicyDocument: trust,
			Tags: []iam.Tag{{Key: "access-project", Value: r.project}, {Key: "access-team", Value: "eng"}, {Key: "cost-center", Value: "987654"}}})
		must(t, err)
	}
	assume := e.managedPolicy("access-assume-role", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TutorialAssumeRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::123456789012:role/access-*",
            "Condition": {
                "StringEquals": {
                    "iam:ResourceTag/access-project": "${aws:PrincipalTag/access-project}",
                    "iam:ResourceTag/access-team": "${aws:PrincipalTag/access-team}",
                    "iam:ResourceTag/cost-center": "${aws:PrincipalTag/cost-center}"
                }
            }
        }
    ]
}`)
	_, arnav := e.keyUser("access-Arnav-peg-eng", []iam.Tag{{Key: "access-project", Value: "peg"}, {Key: "access-team", Value: "eng"}, {Key: "cost-center", Value: "987654"}}, "", assume)
	role := func(name string) sts.AssumeRoleInput {
		return sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/" + name), RoleSessionName: aws.String("arnav")}
	}
	runSteps(t, []keyStep{
		{"the role of his project", assumer(arnav, role("access-peg-eng")), ""},
		{"the role of another project", assumer(arnav, role("access-uni-eng")), "AccessDenied"},
	})
}
