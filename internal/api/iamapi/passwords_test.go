package iamapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	carolIAM, _ := e.UserClients("carol", "")
	if _, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Correct7horse"), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	change := func(c *awsiam.Client, old, nw string) error {
		_, err := c.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(nw)})
		return err
	}
	// Without a policy that allows it, carol may neither change her password nor read the policy:
	// neither with no password policy nor with one that does not allow users to change passwords.
	testutil.WantCode(t, change(carolIAM, "Correct7horse", "Fresh-pass1"), "AccessDenied")
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, change(carolIAM, "Correct7horse", "Fresh-pass1"), "AccessDenied")
	_, err := carolIAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	testutil.WantCode(t, err, "AccessDenied")
	// AllowUsersToChangePassword grants both at the account level.
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		AllowUsersToChangePassword: true, MinimumPasswordLength: aws.Int32(10), RequireNumbers: true, PasswordReusePrevention: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if p, err := carolIAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{}); err != nil || *p.PasswordPolicy.MinimumPasswordLength != 10 {
		t.Fatalf("GetAccountPasswordPolicy as carol = %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name, old, nw, code string
	}{
		{"wrong old password", "Wrong7horse", "Fresh-pass1", "AccessDenied"},
		{"too short for the policy", "Correct7horse", "Short-1", "PasswordPolicyViolation"},
		{"no number", "Correct7horse", "Fresh-password", "PasswordPolicyViolation"},
		{"reuse of the current password", "Correct7horse", "Correct7horse", "PasswordPolicyViolation"},
		{"valid", "Correct7horse", "Fresh-pass1", ""},
		{"old password no longer valid", "Correct7horse", "Fresh-pass2", "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, change(carolIAM, tc.old, tc.nw), tc.code)
		})
	}
	lp, err := e.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("carol")})
	if err != nil || lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("ChangePassword leaves PasswordResetRequired: %+v, %v", lp, err)
	}
	// An explicit deny still wins over the account-level grant.
	if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", "carol", "deny",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, change(carolIAM, "Fresh-pass1", "Fresh-pass22"), "AccessDenied")

	// A user without a login profile, and the root user, which is not an IAM user.
	testutil.WantCode(t, change(e.IAM, "Fresh-pass1", "Fresh-pass22"), "NoSuchEntity")
	rootIAM, _ := e.RootClients()
	err = change(rootIAM, "Fresh-pass1", "Fresh-pass22")
	testutil.WantCode(t, err, "InvalidUserType")
	testutil.WantStatus(t, err, 400)
}

func TestAccountPasswordPolicyOps(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	_, err := e.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.IAM.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	testutil.WantCode(t, err, "NoSuchEntity")
	for _, tc := range []struct {
		name string
		in   awsiam.UpdateAccountPasswordPolicyInput
		code string
	}{
		{"minimum length 5", awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)}, "ValidationError"},
		{"max age 1096", awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)}, "ValidationError"},
		{"max age 0", awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(0)}, "ValidationError"},
		{"reuse 25", awsiam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)}, "ValidationError"},
		{"everything", awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14), RequireSymbols: true,
			RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24), HardExpiry: aws.Bool(true)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	out, err := e.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := out.PasswordPolicy
	if *p.MinimumPasswordLength != 14 || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters ||
		!p.RequireLowercaseCharacters || !p.AllowUsersToChangePassword || !p.ExpirePasswords || *p.MaxPasswordAge != 90 ||
		*p.PasswordReusePrevention != 24 || p.HardExpiry == nil || !*p.HardExpiry {
		t.Fatalf("PasswordPolicy = %+v", p)
	}
	// The policy is enforced on CreateLoginProfile.
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, pw, code string }{
		{"thirteen characters", "Abcdefgh1234!", "PasswordPolicyViolation"},
		{"no symbol", "Abcdefgh12345", "PasswordPolicyViolation"},
		{"compliant", "Abcdefgh1234!x", ""},
	} {
		t.Run("enforced "+tc.name, func(t *testing.T) {
			_, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String(tc.pw)})
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Not partial: an update that sends nothing restores the defaults.
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	out, err = e.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if p := out.PasswordPolicy; err != nil || *p.MinimumPasswordLength != 6 || p.ExpirePasswords || p.MaxPasswordAge != nil ||
		p.PasswordReusePrevention != nil || p.HardExpiry != nil || p.RequireSymbols {
		t.Fatalf("default PasswordPolicy = %+v, %v", out, err)
	}
	if _, err := e.IAM.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	testutil.WantCode(t, err, "NoSuchEntity")
	testutil.WantStatus(t, err, 404)
}

// A number sent empty is refused, as a number out of range is: the policy is not replaced with
// the defaults of the members that were sent without a value.
func TestAccountPasswordPolicyEmptyNumber(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"MinimumPasswordLength", "MaxPasswordAge", "PasswordReusePrevention"} {
		t.Run(member, func(t *testing.T) {
			status, body := adminQuery(t, e, url.Values{"Action": {"UpdateAccountPasswordPolicy"}, "Version": {"2010-05-08"}, member: {""}})
			if status != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") {
				t.Fatalf("UpdateAccountPasswordPolicy %s= answered %d %s, want 400 ValidationError", member, status, body)
			}
		})
	}
	out, err := e.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil || *out.PasswordPolicy.MinimumPasswordLength != 20 {
		t.Fatalf("policy after the refusals = %+v, %v; want MinimumPasswordLength 20 kept", out, err)
	}
}
