package stsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// An empty value is not an absent member: STS refuses an empty SourceIdentity, ExternalId, Policy
// or TokenCode (members with a minimum length), as it did before the operations moved, although
// the awsQuery decoder reads an empty value as none.
func TestEmptyMembersRefused(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	roleARN := e.Role("deployer", "arn:aws:iam::"+e.Account.ID+":user/admin", "", false)
	assume := func(f func(in *sts.AssumeRoleInput)) func() error {
		return func() error {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")}
			f(in)
			_, err := e.STS.AssumeRole(ctx, in)
			return err
		}
	}
	if err := assume(func(*sts.AssumeRoleInput) {})(); err != nil {
		t.Fatalf("AssumeRole without the members: %v", err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"SourceIdentity", assume(func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("") }), "ValidationError"},
		{"ExternalId", assume(func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("") }), "ValidationError"},
		{"Policy", assume(func(in *sts.AssumeRoleInput) { in.Policy = aws.String("") }), "MalformedPolicyDocument"},
		{"GetSessionToken's TokenCode", func() error {
			_, err := e.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{TokenCode: aws.String("")})
			return err
		}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, tc.call(), tc.code)
		})
	}
}
