package iamapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestRootCredentialOps(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	rootIAM, rootSTS := e.RootClients()
	summary := func() map[string]int32 {
		t.Helper()
		out, err := rootIAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.SummaryMap
	}
	if m := summary(); m["AccountAccessKeysPresent"] != 1 || m["AccountPasswordPresent"] != 0 || m["AccountMFAEnabled"] != 0 ||
		m["AccountSigningCertificatesPresent"] != 0 {
		t.Fatalf("summary = %v", m)
	}
	// Without a user name, the root user's own credentials.
	_, err := rootIAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	testutil.WantCode(t, err, "NoSuchEntity")
	if err := e.Svc.SetRootPassword(ctx, e.Account.ID, "Root-Password-1"); err != nil {
		t.Fatal(err)
	}
	if lp, err := rootIAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{}); err != nil || lp.LoginProfile.CreateDate == nil {
		t.Fatalf("root GetLoginProfile = %+v, %v", lp, err)
	}
	if _, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(testutil.SelfSignedPEM(t, "root"))}); err != nil {
		t.Fatal(err)
	}
	// Root MFA is registered in the console; the service call stands in for it.
	out, err := rootIAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root-account-mfa-device")})
	if err != nil {
		t.Fatal(err)
	}
	seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
	if err := e.Svc.EnableMFADevice(ctx, e.Account.ID, "", serial, testutil.TOTPCode(t, seed, clk.Now().Add(-30*time.Second)), testutil.TOTPCode(t, seed, clk.Now())); err != nil {
		t.Fatal(err)
	}
	if m := summary(); m["AccountPasswordPresent"] != 1 || m["AccountMFAEnabled"] != 1 || m["AccountSigningCertificatesPresent"] != 1 {
		t.Fatalf("summary = %v", m)
	}
	mine, err := rootIAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
	if err != nil || len(mine.MFADevices) != 1 || *mine.MFADevices[0].SerialNumber != serial || mine.MFADevices[0].UserName != nil {
		t.Fatalf("root ListMFADevices = %+v, %v", mine, err)
	}
	virt, err := rootIAM.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	if err != nil || len(virt.VirtualMFADevices) != 1 || virt.VirtualMFADevices[0].User == nil ||
		*virt.VirtualMFADevices[0].User.Arn != "arn:aws:iam::"+e.Account.ID+":root" || virt.VirtualMFADevices[0].User.UserName != nil {
		t.Fatalf("root's virtual device = %+v, %v", virt, err)
	}
	// The root user's MFA works for GetSessionToken.
	clk.Advance(30 * time.Second)
	if _, err := rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(testutil.TOTPCode(t, seed, clk.Now()))}); err != nil {
		t.Fatalf("root GetSessionToken with MFA: %v", err)
	}
	// A role session has no MFA device of its own: presenting the root's device and a valid code
	// must not pass (its empty user name is not "the root user").
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("chain"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("chain"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	ar, err := e.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	_, roleSTS := e.Clients(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken)
	clk.Advance(30 * time.Second)
	_, err = roleSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("second"),
		SerialNumber: aws.String(serial), TokenCode: aws.String(testutil.TOTPCode(t, seed, clk.Now()))})
	testutil.WantCode(t, err, "AccessDenied")
	if _, err := rootIAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	if _, err := rootIAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{}); err != nil {
		t.Fatal(err)
	}
	if m := summary(); m["AccountPasswordPresent"] != 0 || m["AccountMFAEnabled"] != 0 {
		t.Fatalf("summary after removal = %v", m)
	}
}
