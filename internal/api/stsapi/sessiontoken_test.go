package stsapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// Credentials from GetSessionToken call no IAM operation without MFA, and no STS operation but
// AssumeRole and GetCallerIdentity; Organizations is not restricted (STS API reference,
// GetSessionToken). GetSessionToken itself needs no permission and no policy refuses it.
func TestSessionTokenLimits(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID

	t.Run("GetSessionToken needs no permission", func(t *testing.T) {
		for _, tc := range []struct{ name, policy string }{
			{"no policy", ""},
			{"explicit deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:GetSessionToken","Resource":"*"}]}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, c := e.UserClients("gst-"+strings.ReplaceAll(tc.name, " ", "-"), tc.policy)
				if _, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
					t.Fatalf("GetSessionToken: %v", err)
				}
			})
		}
	})

	worker := e.UserIn(acct, "worker", servertest.AllowPolicy("*"))
	userSerial, userCode := e.MFADevice(clk, "worker")
	root := e.RootOf(acct)
	rootSerial, rootCode := e.MFADevice(clk, "")
	targetARN := e.Role("target", "arn:aws:iam::"+acct+":root", "", false)
	callers := map[string]servertest.Caller{
		"user":             e.SessionOf(worker, "", nil),
		"user with MFA":    e.SessionOf(worker, userSerial, userCode),
		"root":             e.SessionOf(root, "", nil),
		"root with MFA":    e.SessionOf(root, rootSerial, rootCode),
		"user's long-term": worker,
	}
	denied := func(op string) string { return "Cannot call " + op + " with session credentials" }
	ops := []struct {
		name string
		call func(c servertest.Caller) error
		want map[string]string // caller → error code ("" success), message fragment after "|"
	}{
		{"iam:ListUsers", func(c servertest.Caller) error {
			_, err := c.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}, map[string]string{"user": invalidToken, "user with MFA": "", "root": invalidToken, "root with MFA": "", "user's long-term": ""}},
		{"sts:GetCallerIdentity", func(c servertest.Caller) error {
			_, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, map[string]string{"user": "", "user with MFA": "", "root": "", "root with MFA": "", "user's long-term": ""}},
		{"sts:AssumeRole", func(c servertest.Caller) error {
			_, err := c.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(targetARN), RoleSessionName: aws.String("limits")})
			return err
		}, map[string]string{"user": "", "user with MFA": "", "user's long-term": "",
			// The root user assumes no role, with session credentials either.
			"root": "AccessDenied|Roles may not be assumed by root accounts.", "root with MFA": "AccessDenied|Roles may not be assumed by root accounts."}},
		{"sts:GetSessionToken", func(c servertest.Caller) error {
			_, err := c.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
			return err
		}, map[string]string{"user": "AccessDenied|" + denied("GetSessionToken"), "user with MFA": "AccessDenied|" + denied("GetSessionToken"),
			"root": "AccessDenied|" + denied("GetSessionToken"), "root with MFA": "AccessDenied|" + denied("GetSessionToken"), "user's long-term": ""}},
		{"sts:GetAccessKeyInfo", func(c servertest.Caller) error {
			_, err := c.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(e.AdminKey.AccessKeyID)})
			return err
		}, map[string]string{"user": "AccessDenied|" + denied("GetAccessKeyInfo"), "user with MFA": "AccessDenied|" + denied("GetAccessKeyInfo"),
			"root": "AccessDenied|" + denied("GetAccessKeyInfo"), "root with MFA": "AccessDenied|" + denied("GetAccessKeyInfo"), "user's long-term": ""}},
		{"sts:AssumeRoot", func(c servertest.Caller) error {
			_, err := c.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111111111111"),
				TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
			return err
		}, map[string]string{"user": "AccessDenied|" + denied("AssumeRoot"), "user with MFA": "AccessDenied|" + denied("AssumeRoot"),
			"root": "AccessDenied|" + denied("AssumeRoot"), "root with MFA": "AccessDenied|" + denied("AssumeRoot")}},
		{"organizations:DescribeOrganization", func(c servertest.Caller) error {
			// Not in an organization: the answer proves the call reached the operation.
			_, err := c.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}, map[string]string{"user": "AWSOrganizationsNotInUseException", "user with MFA": "AWSOrganizationsNotInUseException",
			"root": "AWSOrganizationsNotInUseException", "root with MFA": "AWSOrganizationsNotInUseException"}},
	}
	for _, op := range ops {
		for who, want := range op.want {
			t.Run(op.name+" as "+who, func(t *testing.T) {
				c := callers[who]
				code, msg, _ := strings.Cut(want, "|")
				err := op.call(c)
				testutil.WantCode(t, err, code)
				var ae smithy.APIError
				if msg != "" && errors.As(err, &ae) && ae.ErrorMessage() != msg {
					t.Fatalf("message = %q, want %q", ae.ErrorMessage(), msg)
				}
			})
		}
	}
}
