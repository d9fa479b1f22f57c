package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
)

// TestSessionTokenKeepsUserPath: a GetSessionToken session is its user, path included. A policy
// that denies users under /contractors/ by aws:PrincipalArn denies their sessions too (before,
// the session's ARN dropped the path and the deny no longer matched).
func TestSessionTokenKeepsUserPath(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"organizations:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/contractors/*"}}}]}`
	u, err := e.svc.CreateUser(context.Background(), e.account.ID, iam.CreateUserInput{UserName: "carol", Path: "/contractors/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PutInlinePolicy(ctx, e.account.ID, "user", "carol", "inline", doc); err != nil {
		t.Fatal(err)
	}
	k, err := e.svc.CreateAccessKey(ctx, e.account.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	long := e.callerFor(e.account.ID, k.AccessKeyID, k.Secret, "")
	st, err := long.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	cr := st.Credentials
	sess := e.callerFor(e.account.ID, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	for name, c := range map[string]caller{"long-term key": long, "session": sess} {
		t.Run(name, func(t *testing.T) {
			id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if *id.Arn != u.Arn {
				t.Errorf("GetCallerIdentity Arn = %s, want %s", *id.Arn, u.Arn)
			}
			_, err = c.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			wantCode(t, err, "AccessDeniedException")
		})
	}
}
