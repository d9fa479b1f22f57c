package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
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
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	acct := e.Account.ID
	_, user := e.UserClients("test-session-tags", "")
	trust := servertest.ForAccount(`{
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
	role, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "my-role-example", AssumeRolePolicyDocument: trust})
	must(t, err)
	// The same trust without the sts:TagSession statement: "If your policy includes the first
	// statement without the second statement, the user can't assume the role."
	noTagSession := strings.Replace(trust, `"Action": "sts:TagSession"`, `"Action": "sts:GetCallerIdentity"`, 1)
	bare, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "no-tag-session", AssumeRolePolicyDocument: noTagSession})
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
	first, err := user.AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("Session1"),
		Tags:              stsTags("Project", "Automation", "CostCenter", "12345", "Department", "Engineering"),
		TransitiveTagKeys: []string{"Project", "Department"}, ExternalId: aws.String("Example987")})
	must(t, err)
	// Role2's own tags are principal tags of its sessions too, except where a session tag of the
	// same key (here the inherited Project) overrides them.
	_, err = e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Role2",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role.Arn + `"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
		Tags:                     []iam.Tag{{Key: "Sun", Value: "2"}, {Key: "project", Value: "from-the-role"}}})
	must(t, err)
	must(t, e.Svc.PutInlinePolicy(ctx, acct, "role", "Role2", "abac", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Project":"Automation","aws:PrincipalTag/Department":"Engineering"}}},
		{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/CostCenter":"12345"}}},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Sun":"2"}}}]}`))
	_, firstSTS := e.Clients(*first.Credentials.AccessKeyId, *first.Credentials.SecretAccessKey, *first.Credentials.SessionToken)
	role2 := "arn:aws:iam::" + acct + ":role/Role2"
	second, err := firstSTS.AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(role2), RoleSessionName: aws.String("Session2")})
	must(t, err)
	secondIAM, _ := e.Clients(*second.Credentials.AccessKeyId, *second.Credentials.SecretAccessKey, *second.Credentials.SessionToken)
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
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	corp, err := e.Svc.CreateAccount(ctx, "example-corp", "corp+"+t.Name()+"@example.com", "")
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
	role, err := e.Svc.CreateRole(ctx, e.Account.ID, iam.CreateRoleInput{RoleName: "ExampleRole", AssumeRolePolicyDocument: trust})
	must(t, err)
	_, err = e.Svc.CreateUser(ctx, corp.ID, iam.CreateUserInput{UserName: "deputy"})
	must(t, err)
	must(t, e.Svc.PutInlinePolicy(ctx, corp.ID, "user", "deputy", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`))
	k, err := e.Svc.CreateAccessKey(ctx, corp.ID, "deputy")
	must(t, err)
	_, deputy := e.Clients(k.AccessKeyID, k.Secret, "")
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
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	acct := e.Account.ID
	_, dev := e.UserClients("DevUser", servertest.ForAccount(`{
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
	trust := servertest.ForAccount(`{
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
	role, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Developer_Role", AssumeRolePolicyDocument: trust})
	must(t, err)
	// The trust without sts:SetSourceIdentity, on a role of another name.
	only, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "Assume_Only",
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
	first, err := dev.AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(role.Arn), RoleSessionName: aws.String("Dev-project"), SourceIdentity: aws.String("DevUser")})
	must(t, err)
	must(t, e.Svc.PutInlinePolicy(ctx, acct, "role", "Developer_Role", "chain", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`))
	for _, r := range []struct{ name, actions string }{{"next-accepts", `["sts:AssumeRole","sts:SetSourceIdentity"]`}, {"next-assume-only", `"sts:AssumeRole"`}} {
		_, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role.Arn + `"},"Action":` + r.actions + `}]}`})
		must(t, err)
	}
	_, devSession := e.Clients(*first.Credentials.AccessKeyId, *first.Credentials.SecretAccessKey, *first.Credentials.SessionToken)
	runSteps(t, []keyStep{
		{"chain to a role that accepts the source identity", assumer(devSession, with("arn:aws:iam::"+acct+":role/next-accepts", "")), ""},
		{"chain to a role that does not", assumer(devSession, with("arn:aws:iam::"+acct+":role/next-assume-only", "")), "AccessDenied"},
	})
}

// IAM User Guide, "IAM and AWS STS condition context keys", sts:RoleSessionName: the trust policy
// requiring IAM users to use their user name as the session name.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
func TestKeyRoleSessionName(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	acct := e.Account.ID
	_, err := e.Svc.CreateRole(context.Background(), acct, iam.CreateRoleInput{RoleName: "shared", AssumeRolePolicyDocument: servertest.ForAccount(`{
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
	_, alice := e.UserClients("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
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
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	acct := e.Account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []struct{ name, project string }{{"access-peg-eng", "peg"}, {"access-uni-eng", "uni"}} {
		_, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: r.name, AssumeRolePolicyDocument: trust,
			Tags: []iam.Tag{{Key: "access-project", Value: r.project}, {Key: "access-team", Value: "eng"}, {Key: "cost-center", Value: "987654"}}})
		must(t, err)
	}
	assume := e.ManagedPolicy("access-assume-role", `{
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
	_, arnav := e.KeyUser("access-Arnav-peg-eng", []iam.Tag{{Key: "access-project", Value: "peg"}, {Key: "access-team", Value: "eng"}, {Key: "cost-center", Value: "987654"}}, "", assume)
	role := func(name string) sts.AssumeRoleInput {
		return sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/" + name), RoleSessionName: aws.String("arnav")}
	}
	runSteps(t, []keyStep{
		{"the role of his project", assumer(arnav, role("access-peg-eng")), ""},
		{"the role of another project", assumer(arnav, role("access-uni-eng")), "AccessDenied"},
	})
}
