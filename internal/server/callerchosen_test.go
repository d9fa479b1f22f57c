package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestSessionTokenKeepsUserPath: a GetSessionToken session is its user, path included. A policy
// that denies users under /contractors/ by aws:PrincipalArn denies their sessions too (before,
// the session's ARN dropped the path and the deny no longer matched).
func TestSessionTokenKeepsUserPath(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"organizations:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/contractors/*"}}}]}`
	u, err := e.Svc.CreateUser(context.Background(), e.Account.ID, iam.CreateUserInput{UserName: "carol", Path: "/contractors/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", "carol", "inline", doc); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	long := e.CallerFor(e.Account.ID, k.AccessKeyID, k.Secret, "")
	st, err := long.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	cr := st.Credentials
	sess := e.CallerFor(e.Account.ID, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	for name, c := range map[string]servertest.Caller{"long-term key": long, "session": sess} {
		t.Run(name, func(t *testing.T) {
			id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if *id.Arn != u.Arn {
				t.Errorf("GetCallerIdentity Arn = %s, want %s", *id.Arn, u.Arn)
			}
			_, err = c.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			testutil.WantCode(t, err, "AccessDeniedException")
		})
	}
}

// TestPrincipalTagsOfSessions: aws:PrincipalTag/* of a role session holds the role's tags (session
// tags override them), and of a user's session the user's tags as they are now. Before, a
// GetSessionToken session carried the tags of its issue: a Deny on aws:PrincipalTag/restricted did
// not reach the sessions of a user restricted after they were issued.
func TestPrincipalTagsOfSessions(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	const restricted = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Action":["iam:CreateUser","organizations:CreateOrganization"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/restricted":"true"}}}]}`
	_, userSTS := e.UserClients("worker", restricted)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/worker"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	if _, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "tagged", AssumeRolePolicyDocument: trust,
		Tags: []iam.Tag{{Key: "restricted", Value: "true"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.PutInlinePolicy(ctx, acct, "role", "tagged", "p", restricted); err != nil {
		t.Fatal(err)
	}
	createUser := func(c servertest.Caller, name string) error {
		_, err := c.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)})
		return err
	}
	assume := func(tags ...ststypes.Tag) servertest.Caller {
		t.Helper()
		out, err := userSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/tagged"),
			RoleSessionName: aws.String("tagged-session"), Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		cr := out.Credentials
		return e.CallerFor(acct, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	}
	t.Run("the role's tags", func(t *testing.T) {
		testutil.WantCode(t, createUser(assume(), "u1"), "AccessDenied")
	})
	t.Run("a session tag overrides the role's", func(t *testing.T) {
		if err := createUser(assume(ststypes.Tag{Key: aws.String("restricted"), Value: aws.String("false")}), "u2"); err != nil {
			t.Errorf("CreateUser with restricted=false as a session tag: %v", err)
		}
	})
	t.Run("a user's tags as they are now", func(t *testing.T) {
		st, err := userSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		cr := st.Credentials
		sess := e.CallerFor(acct, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
		if err := e.Svc.TagUser(ctx, acct, "worker", []iam.Tag{{Key: "restricted", Value: "true"}}); err != nil {
			t.Fatal(err)
		}
		// Without MFA its credentials call no IAM operation at all; Organizations shows the tag.
		_, err = sess.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
		testutil.WantCode(t, err, "AccessDeniedException")
	})
}
