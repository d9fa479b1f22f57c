package iamapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestLoginProfileOps(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	for _, n := range []string{"alice", "bob"} {
		if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Add(-time.Second)
	out, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct7horse"), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if lp := out.LoginProfile; *lp.UserName != "alice" || !lp.PasswordResetRequired || lp.CreateDate.Before(before) {
		t.Fatalf("CreateLoginProfile = %+v", lp)
	}
	for _, tc := range []struct {
		name string
		in   awsiam.CreateLoginProfileInput
		code string
	}{
		{"exists", awsiam.CreateLoginProfileInput{UserName: aws.String("ALICE"), Password: aws.String("Correct7horse")}, "EntityAlreadyExists"},
		{"no such user", awsiam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Correct7horse")}, "NoSuchEntity"},
		{"weak", awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("password")}, "PasswordPolicyViolation"},
		{"no password", awsiam.CreateLoginProfileInput{UserName: aws.String("bob")}, "ValidationError"},
		{"too long", awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Aa1" + strings.Repeat("x", 126))}, "ValidationError"},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			_, err := e.IAM.CreateLoginProfile(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
			if strings.Contains(err.Error(), "Correct7horse") {
				t.Fatalf("error echoes the password: %v", err)
			}
		})
	}

	get, err := e.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil || *get.LoginProfile.UserName != "alice" || !get.LoginProfile.PasswordResetRequired ||
		!get.LoginProfile.CreateDate.Equal(*out.LoginProfile.CreateDate) {
		t.Fatalf("GetLoginProfile = %+v, %v", get, err)
	}
	for _, tc := range []struct {
		name string
		in   awsiam.UpdateLoginProfileInput
		code string
	}{
		{"reset flag only", awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), PasswordResetRequired: aws.Bool(false)}, ""},
		{"new password", awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Another-pass1")}, ""},
		{"weak password", awsiam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("abc")}, "PasswordPolicyViolation"},
		{"no profile", awsiam.UpdateLoginProfileInput{UserName: aws.String("bob"), PasswordResetRequired: aws.Bool(true)}, "NoSuchEntity"},
		{"no user", awsiam.UpdateLoginProfileInput{UserName: aws.String("carol"), PasswordResetRequired: aws.Bool(true)}, "NoSuchEntity"},
	} {
		t.Run("update "+tc.name, func(t *testing.T) {
			_, err := e.IAM.UpdateLoginProfile(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	if get, _ := e.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")}); get.LoginProfile.PasswordResetRequired {
		t.Fatal("PasswordResetRequired still set")
	}
	if _, err := e.Svc.VerifyUserPassword(ctx, e.Account.ID, "alice", "Another-pass1"); err != nil {
		t.Fatalf("new password does not verify: %v", err)
	}

	// GetLoginProfile without a user name answers for the caller.
	_, err = e.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	testutil.WantCode(t, err, "NoSuchEntity")
	testutil.WantStatus(t, err, 404)

	if _, err := e.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alice")})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})
	testutil.WantCode(t, err, "NoSuchEntity")
}

// An empty Password is a password to refuse, not an absent one: UpdateLoginProfile must not
// answer success and leave the old password in place.
func TestUpdateLoginProfileEmptyPassword(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Bob-Pass-123")}); err != nil {
		t.Fatal(err)
	}
	_, err := e.IAM.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("")}, unvalidated)
	testutil.WantCode(t, err, "ValidationError")
	if _, err := e.Svc.VerifyUserPassword(ctx, e.Account.ID, "bob", "Bob-Pass-123"); err != nil {
		t.Fatalf("the old password no longer verifies: %v", err)
	}
}
