package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// The credential operations with a required member (UserName of UpdateLoginProfile,
// EnableMFADevice and ResyncMFADevice; AccessKeyId of GetAccessKeyLastUsed) answer AWS's
// ValidationError without it, whoever asks, before anything is authorized: a caller without
// permissions got AccessDenied for these requests, which could never run.
func TestCredentialInputCheckedBeforeAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	nobody, _ := e.UserClients("nobody", "")
	cases := []struct {
		name, member string
		call         func() error
	}{
		{"UpdateLoginProfile", "userName", func() error {
			_, err := nobody.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{PasswordResetRequired: aws.Bool(true)}, unvalidated)
			return err
		}},
		{"EnableMFADevice", "userName", func() error {
			_, err := nobody.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::" + e.Account.ID + ":mfa/x"),
				AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}, unvalidated)
			return err
		}},
		{"ResyncMFADevice", "userName", func() error {
			_, err := nobody.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::" + e.Account.ID + ":mfa/x"),
				AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}, unvalidated)
			return err
		}},
		{"GetAccessKeyLastUsed", "accessKeyId", func() error {
			_, err := nobody.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{}, unvalidated)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "ValidationError")
			want := "Value null at '" + tc.member + "' failed to satisfy constraint: Member must not be null"
			if got := testutil.ErrorMessage(err); !strings.Contains(got, want) {
				t.Errorf("message = %q, want it to contain %q", got, want)
			}
		})
	}
	// The same caller is denied a complete request.
	_, err := nobody.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String("admin"), PasswordResetRequired: aws.Bool(true)})
	testutil.WantCode(t, err, "AccessDenied")
}
