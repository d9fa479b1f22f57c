package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"github.com/rootward/rootward/internal/testutil"
	"image/png"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
)

var testMasterKey = []byte("0123456789abcdef0123456789abcdef")

// newCredEnv is newEnv with an injected clock, over the given store (openStore(t) when nil).
func newCredEnv(t *testing.T, st store.Store) (*env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := buildEnv(t, st, clk.Now)
	e.t = t
	return e, clk
}

// rootClients returns clients signing as the account's root user. No API creates root access keys
// yet, so the key is written to the store the way iam.Service stores keys: sealed under the master
// key bound to "accesskey:ID", and indexed under the root's empty user name.
func (e *env) rootClients() (*awsiam.Client, *sts.Client) {
	e.t.Helper()
	sealer, err := seal.New(testMasterKey)
	if err != nil {
		e.t.Fatal(err)
	}
	id, secret := "AKIAROOT"+strings.ToUpper(e.account.ID), "root-secret-access-key-0123456789abcdefgh"
	body, err := json.Marshal(iam.AccessKey{AccessKeyID: id, Account: e.account.ID, Status: "Active",
		CreateDate: time.Now().UTC().Truncate(time.Second), SealedSecret: sealer.Seal([]byte(secret), "accesskey:"+id)})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Insert("accesskey", "", id, body); err != nil {
			return err
		}
		return tx.Put("userkey", e.account.ID, "\x00"+id, []byte("{}"))
	}); err != nil {
		e.t.Fatal(err)
	}
	return e.clients(id, secret, "")
}

// wantStatus fails unless err carries the HTTP status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("err = %v, want HTTP %d", err, status)
	}
}

// wantResult fails unless err is nil (an error code "" in the tables).
func wantResult(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		return
	}
	wantCode(t, err, code)
}

func totpCode(t *testing.T, seed []byte, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(string(seed), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoginProfileOps(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	for _, n := range []string{"alice", "bob"} {
		if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Add(-time.Second)
	out, err := e.iam.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct7horse"), PasswordResetRequired: true})
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
			_, err := e.iam.CreateLoginProfile(ctx, &tc.in)
			wantCode(t, err, tc.code)
			if strings.Contains(err.Error(), "Correct7horse") {
				t.Fatalf("error echoes the password: %v", err)
			}
		})
	}

	get, err := e.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})
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
			_, err := e.iam.UpdateLoginProfile(ctx, &tc.in)
			wantResult(t, err, tc.code)
		})
	}
	if get, _ := e.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")}); get.LoginProfile.PasswordResetRequired {
		t.Fatal("PasswordResetRequired still set")
	}
	if _, err := e.svc.VerifyUserPassword(ctx, e.account.ID, "alice", "Another-pass1"); err != nil {
		t.Fatalf("new password does not verify: %v", err)
	}

	// GetLoginProfile without a user name answers for the caller.
	_, err = e.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{})
	wantCode(t, err, "NoSuchEntity")
	wantStatus(t, err, 404)

	if _, err := e.iam.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("alice")})
	wantCode(t, err, "NoSuchEntity")
	_, err = e.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})
	wantCode(t, err, "NoSuchEntity")
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	carolIAM, _ := e.userClients("carol", "")
	if _, err := e.iam.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Correct7horse"), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	change := func(c *awsiam.Client, old, nw string) error {
		_, err := c.ChangePassword(ctx, &awsiam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(nw)})
		return err
	}
	// Without a policy that allows it, carol may neither change her password nor read the policy:
	// neither with no password policy nor with one that does not allow users to change passwords.
	wantCode(t, change(carolIAM, "Correct7horse", "Fresh-pass1"), "AccessDenied")
	if _, err := e.iam.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, change(carolIAM, "Correct7horse", "Fresh-pass1"), "AccessDenied")
	_, err := carolIAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "AccessDenied")
	// AllowUsersToChangePassword grants both at the account level.
	if _, err := e.iam.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
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
			wantResult(t, change(carolIAM, tc.old, tc.nw), tc.code)
		})
	}
	lp, err := e.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("carol")})
	if err != nil || lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("ChangePassword leaves PasswordResetRequired: %+v, %v", lp, err)
	}
	// An explicit deny still wins over the account-level grant.
	if err := e.svc.PutInlinePolicy(ctx, e.account.ID, "user", "carol", "deny",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	wantCode(t, change(carolIAM, "Fresh-pass1", "Fresh-pass22"), "AccessDenied")

	// A user without a login profile, and the root user, which is not an IAM user.
	wantCode(t, change(e.iam, "Fresh-pass1", "Fresh-pass22"), "NoSuchEntity")
	rootIAM, _ := e.rootClients()
	err = change(rootIAM, "Fresh-pass1", "Fresh-pass22")
	wantCode(t, err, "InvalidUserType")
	wantStatus(t, err, 400)
}

func TestAccountPasswordPolicyOps(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	_, err := e.iam.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")
	_, err = e.iam.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")
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
			_, err := e.iam.UpdateAccountPasswordPolicy(ctx, &tc.in)
			wantResult(t, err, tc.code)
		})
	}
	out, err := e.iam.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
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
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, pw, code string }{
		{"thirteen characters", "Abcdefgh1234!", "PasswordPolicyViolation"},
		{"no symbol", "Abcdefgh12345", "PasswordPolicyViolation"},
		{"compliant", "Abcdefgh1234!x", ""},
	} {
		t.Run("enforced "+tc.name, func(t *testing.T) {
			_, err := e.iam.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String(tc.pw)})
			wantResult(t, err, tc.code)
		})
	}
	// Not partial: an update that sends nothing restores the defaults.
	if _, err := e.iam.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	out, err = e.iam.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if p := out.PasswordPolicy; err != nil || *p.MinimumPasswordLength != 6 || p.ExpirePasswords || p.MaxPasswordAge != nil ||
		p.PasswordReusePrevention != nil || p.HardExpiry != nil || p.RequireSymbols {
		t.Fatalf("default PasswordPolicy = %+v, %v", out, err)
	}
	if _, err := e.iam.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")
	wantStatus(t, err, 404)
}

func TestVirtualMFAOps(t *testing.T) {
	e, clk := newCredEnv(t, nil)
	ctx := ctxT(t)
	acct := e.account.ID
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"),
		Path: aws.String("/eng/"), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}})
	if err != nil {
		t.Fatal(err)
	}
	d := out.VirtualMFADevice
	serial := "arn:aws:iam::" + acct + ":mfa/eng/alice-phone"
	if *d.SerialNumber != serial || !regexp.MustCompile(`^[A-Z2-7]{64}$`).Match(d.Base32StringSeed) || len(d.Tags) != 1 ||
		d.User != nil || d.EnableDate != nil {
		t.Fatalf("VirtualMFADevice = %+v", d)
	}
	if _, err := png.Decode(bytes.NewReader(d.QRCodePNG)); err != nil {
		t.Fatalf("QRCodePNG: %v", err)
	}
	seed := d.Base32StringSeed
	code := func(steps int) string { return totpCode(t, seed, clk.Now().Add(time.Duration(steps)*30*time.Second)) }

	_, err = e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Path: aws.String("/eng/")})
	wantCode(t, err, "EntityAlreadyExists")
	wantStatus(t, err, 409)

	enable := func(user, serial, c1, c2 string) error {
		_, err := e.iam.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	for _, tc := range []struct {
		name, user, serial, c1, c2, code string
		status                           int
	}{
		{"wrong codes", "alice", serial, code(1), code(0), "InvalidAuthenticationCode", 403},
		{"bad code format", "alice", serial, "abcdef", code(0), "ValidationError", 400},
		{"unknown device", "alice", serial + "x", code(-1), code(0), "NoSuchEntity", 404},
		{"unknown user", "nobody", serial, code(-1), code(0), "NoSuchEntity", 404},
		{"valid", "alice", serial, code(-1), code(0), "", 0},
		{"already in use", "admin", serial, code(0), code(1), "EntityAlreadyExists", 409},
	} {
		t.Run("enable "+tc.name, func(t *testing.T) {
			err := enable(tc.user, tc.serial, tc.c1, tc.c2)
			wantResult(t, err, tc.code)
			if tc.status != 0 {
				wantStatus(t, err, tc.status)
			}
		})
	}

	list, err := e.iam.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != serial || *list.MFADevices[0].UserName != "alice" ||
		!list.MFADevices[0].EnableDate.Equal(clk.Now().Truncate(time.Second)) {
		t.Fatalf("ListMFADevices = %+v, %v", list, err)
	}
	// Without a user name, ListMFADevices answers for the caller.
	if self, err := e.iam.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil || len(self.MFADevices) != 0 {
		t.Fatalf("ListMFADevices(self) = %+v, %v", self, err)
	}

	spare, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status types.AssignmentStatusType
		want   []string
	}{
		{"", []string{serial, *spare.VirtualMFADevice.SerialNumber}},
		{types.AssignmentStatusTypeAssigned, []string{serial}},
		{types.AssignmentStatusTypeUnassigned, []string{*spare.VirtualMFADevice.SerialNumber}},
	} {
		t.Run("list virtual "+string(tc.status), func(t *testing.T) {
			var got []string
			p := awsiam.NewListVirtualMFADevicesPaginator(e.iam, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: tc.status, MaxItems: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range page.VirtualMFADevices {
					got = append(got, *v.SerialNumber)
					if v.Base32StringSeed != nil || v.QRCodePNG != nil {
						t.Fatal("listing returns the seed")
					}
					if *v.SerialNumber == serial && (v.User == nil || *v.User.UserName != "alice" || v.EnableDate == nil || len(v.Tags) != 1) {
						t.Fatalf("assigned device = %+v", v)
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("devices = %v, want %v", got, tc.want)
			}
		})
	}

	// Resync against a phone whose clock runs five steps fast.
	clk.Advance(30 * time.Second)
	_, err = e.iam.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(2)), AuthenticationCode2: aws.String(code(0))})
	wantCode(t, err, "InvalidAuthenticationCode")
	if _, err := e.iam.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(4)), AuthenticationCode2: aws.String(code(5))}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Second)
	if err := e.svc.VerifyMFACode(ctx, acct, "alice", serial, code(5), clk.Now()); err != nil {
		t.Fatalf("code after resync: %v", err)
	}

	_, err = e.iam.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantCode(t, err, "DeleteConflict")
	_, err = e.iam.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("admin"), SerialNumber: aws.String(serial)})
	wantCode(t, err, "NoSuchEntity")
	if _, err := e.iam.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantCode(t, err, "NoSuchEntity")
}

func TestMFADeviceLimit(t *testing.T) {
	e, clk := newCredEnv(t, nil)
	ctx := ctxT(t)
	for i := 1; i <= 9; i++ {
		out, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("admin-" + string(rune('0'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		seed := out.VirtualMFADevice.Base32StringSeed
		_, err = e.iam.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("admin"), SerialNumber: out.VirtualMFADevice.SerialNumber,
			AuthenticationCode1: aws.String(totpCode(t, seed, clk.Now().Add(-30*time.Second))), AuthenticationCode2: aws.String(totpCode(t, seed, clk.Now()))})
		if i <= 8 && err != nil {
			t.Fatalf("device %d: %v", i, err)
		}
		if i == 9 {
			wantCode(t, err, "LimitExceeded")
		}
	}
}

func TestGetSessionTokenWithMFA(t *testing.T) {
	e, clk := newCredEnv(t, nil)
	ctx := ctxT(t)
	// ListUsers needs MFA; ListGroups needs MFA done less than five minutes ago.
	userIAM, userSTS := e.userClients("mfa-user", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"},
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"300"}}}]}`)
	out, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mfa-user")})
	if err != nil {
		t.Fatal(err)
	}
	seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
	code := func(steps int) string { return totpCode(t, seed, clk.Now().Add(time.Duration(steps)*30*time.Second)) }
	if _, err := e.iam.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(-1)), AuthenticationCode2: aws.String(code(0))}); err != nil {
		t.Fatal(err)
	}
	session := func(serial, token string) (*awsiam.Client, error) {
		in := &sts.GetSessionTokenInput{}
		if serial != "" {
			in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(token)
		}
		out, err := userSTS.GetSessionToken(ctx, in)
		if err != nil {
			return nil, err
		}
		c, _ := e.clients(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
		return c, nil
	}

	// The code EnableMFADevice consumed cannot be used again, nor can a wrong code or serial.
	for _, tc := range []struct{ name, serial, code string }{
		{"code used to enable", serial, code(0)},
		{"wrong code", serial, code(5)},
		{"another account's serial", "arn:aws:iam::999999999999:mfa/mfa-user", code(1)},
		{"a device not assigned to the caller", "arn:aws:iam::" + e.account.ID + ":mfa/nope", code(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := session(tc.serial, tc.code)
			wantCode(t, err, "AccessDenied")
		})
	}
	clk.Advance(30 * time.Second)
	mfaIAM, err := session(serial, code(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = session(serial, code(0))
	wantCode(t, err, "AccessDenied") // the same code, replayed in the same step
	// AWS answers a replayed code as a wrong one; only the console says it was used.
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorMessage() != "MultiFactorAuthentication failed with invalid MFA one time pass code." {
		t.Fatalf("replayed code: %v, want STS's message for an invalid code", err)
	}
	plainIAM, err := session("", "")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		client *awsiam.Client
		code   string
	}{
		{"MFA session", mfaIAM, ""},
		// A session without MFA calls no IAM operation at all (STS API reference, GetSessionToken).
		{"session without MFA", plainIAM, "InvalidClientTokenId"},
		{"long-term key", userIAM, "AccessDenied"},
	} {
		t.Run("ListUsers with "+tc.name, func(t *testing.T) {
			_, err := tc.client.ListUsers(ctx, &awsiam.ListUsersInput{})
			wantResult(t, err, tc.code)
		})
	}
	if _, err := mfaIAM.ListGroups(ctx, &awsiam.ListGroupsInput{}); err != nil {
		t.Fatalf("fresh MFA: %v", err)
	}
	// Ten minutes later the MFA is too old for ListGroups, still present for ListUsers.
	clk.Advance(10 * time.Minute)
	_, err = mfaIAM.ListGroups(ctx, &awsiam.ListGroupsInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := mfaIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("MFA session after ten minutes: %v", err)
	}
}

func selfSignedPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSigningCertificateOps(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	// Erin manages her own certificates: the resource is her user ARN, found from her key.
	erinIAM, _ := e.userClients("erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*SigningCertificate*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)
	c1, c2, c3 := selfSignedPEM(t, "one"), selfSignedPEM(t, "two"), selfSignedPEM(t, "three")
	up, err := erinIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c1)})
	if err != nil {
		t.Fatal(err)
	}
	cert := up.Certificate
	if *cert.UserName != "erin" || cert.Status != types.StatusTypeActive || *cert.CertificateBody != c1 || len(*cert.CertificateId) != 32 || cert.UploadDate == nil {
		t.Fatalf("Certificate = %+v", cert)
	}
	for _, tc := range []struct {
		name   string
		client *awsiam.Client
		in     awsiam.UploadSigningCertificateInput
		code   string
		status int
	}{
		{"malformed", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")}, "MalformedCertificate", 400},
		{"duplicate for another user", e.iam, awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(c1)}, "DuplicateCertificate", 409},
		{"second", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c2)}, "", 0},
		{"third", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c3)}, "LimitExceeded", 409},
		{"someone else's user", erinIAM, awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(c3)}, "AccessDenied", 403},
	} {
		t.Run("upload "+tc.name, func(t *testing.T) {
			_, err := tc.client.UploadSigningCertificate(ctx, &tc.in)
			wantResult(t, err, tc.code)
			if tc.status != 0 {
				wantStatus(t, err, tc.status)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		id     string
		status types.StatusType
		code   string
	}{
		{"inactive", *cert.CertificateId, types.StatusTypeInactive, ""},
		{"bad status", *cert.CertificateId, "Paused", "ValidationError"},
		{"unknown", "NOPE", types.StatusTypeActive, "NoSuchEntity"},
	} {
		t.Run("update "+tc.name, func(t *testing.T) {
			_, err := erinIAM.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{CertificateId: aws.String(tc.id), Status: tc.status})
			wantResult(t, err, tc.code)
		})
	}
	list, err := e.iam.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("erin")})
	if err != nil || len(list.Certificates) != 2 {
		t.Fatalf("ListSigningCertificates = %+v, %v", list, err)
	}
	for _, c := range list.Certificates {
		if *c.CertificateId == *cert.CertificateId && c.Status != types.StatusTypeInactive {
			t.Fatalf("status not kept: %+v", c)
		}
	}
	if _, err := erinIAM.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: cert.CertificateId}); err != nil {
		t.Fatal(err)
	}
	_, err = erinIAM.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: cert.CertificateId})
	wantCode(t, err, "NoSuchEntity")
	if self, err := erinIAM.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{}); err != nil || len(self.Certificates) != 1 {
		t.Fatalf("ListSigningCertificates(self) = %+v, %v", self, err)
	}
}

func TestRootCredentialOps(t *testing.T) {
	e, clk := newCredEnv(t, nil)
	ctx := ctxT(t)
	rootIAM, rootSTS := e.rootClients()
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
	wantCode(t, err, "NoSuchEntity")
	if err := e.svc.SetRootPassword(ctx, e.account.ID, "Root-Password-1"); err != nil {
		t.Fatal(err)
	}
	if lp, err := rootIAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{}); err != nil || lp.LoginProfile.CreateDate == nil {
		t.Fatalf("root GetLoginProfile = %+v, %v", lp, err)
	}
	if _, err := rootIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(selfSignedPEM(t, "root"))}); err != nil {
		t.Fatal(err)
	}
	// Root MFA is registered in the console; the service call stands in for it.
	out, err := rootIAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root-account-mfa-device")})
	if err != nil {
		t.Fatal(err)
	}
	seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
	if err := e.svc.EnableMFADevice(ctx, e.account.ID, "", serial, totpCode(t, seed, clk.Now().Add(-30*time.Second)), totpCode(t, seed, clk.Now())); err != nil {
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
		*virt.VirtualMFADevices[0].User.Arn != "arn:aws:iam::"+e.account.ID+":root" || virt.VirtualMFADevices[0].User.UserName != nil {
		t.Fatalf("root's virtual device = %+v, %v", virt, err)
	}
	// The root user's MFA works for GetSessionToken.
	clk.Advance(30 * time.Second)
	if _, err := rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(totpCode(t, seed, clk.Now()))}); err != nil {
		t.Fatalf("root GetSessionToken with MFA: %v", err)
	}
	// A role session has no MFA device of its own: presenting the root's device and a valid code
	// must not pass (its empty user name is not "the root user").
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("chain"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("chain"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	ar, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	_, roleSTS := e.clients(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken)
	clk.Advance(30 * time.Second)
	_, err = roleSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("second"),
		SerialNumber: aws.String(serial), TokenCode: aws.String(totpCode(t, seed, clk.Now()))})
	wantCode(t, err, "AccessDenied")
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

func TestAccountSummaryAndAuthorizationDetails(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	const readDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	must(e.iam.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(e.iam.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	must(e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readDoc)}))
	must(e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustDoc)}))
	pol, err := e.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("custom"), PolicyDocument: aws.String(readDoc)})
	if err != nil {
		t.Fatal(err)
	}
	must(e.iam.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}))
	must(e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")}))

	sum, err := e.iam.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int32{
		"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "MFADevices": 1, "MFADevicesInUse": 0, "PolicyVersionsInUse": 2,
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "AccessKeysPerUserQuota": 2,
		"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0, "AccountSigningCertificatesPresent": 0,
	} {
		if got, ok := sum.SummaryMap[k]; !ok || got != want {
			t.Errorf("SummaryMap[%s] = %d (present %t), want %d", k, got, ok, want)
		}
	}

	// The whole account, one entity per page.
	var users, groups, roles, policies []string
	p := awsiam.NewGetAccountAuthorizationDetailsPaginator(e.iam, &awsiam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.UserDetailList {
			users = append(users, *u.UserName)
			if *u.UserName != "alice" {
				continue
			}
			doc, _ := url.QueryUnescape(*u.UserPolicyList[0].PolicyDocument)
			if strings.Join(u.GroupList, ",") != "devs" || *u.UserPolicyList[0].PolicyName != "read" || doc != readDoc || *u.UserId == "" {
				t.Fatalf("alice = %+v", u)
			}
		}
		for _, g := range page.GroupDetailList {
			groups = append(groups, *g.GroupName)
			if len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != *pol.Policy.Arn {
				t.Fatalf("group = %+v", g)
			}
		}
		for _, r := range page.RoleDetailList {
			roles = append(roles, *r.RoleName)
			doc, _ := url.QueryUnescape(*r.AssumeRolePolicyDocument)
			if doc != trustDoc || len(r.InstanceProfileList) != 0 {
				t.Fatalf("role = %+v", r)
			}
		}
		for _, mp := range page.Policies {
			policies = append(policies, *mp.PolicyName)
			if *mp.PolicyName == "custom" {
				doc, _ := url.QueryUnescape(*mp.PolicyVersionList[0].Document)
				if len(mp.PolicyVersionList) != 1 || doc != readDoc || !mp.PolicyVersionList[0].IsDefaultVersion || *mp.AttachmentCount != 1 {
					t.Fatalf("policy = %+v", mp)
				}
			}
		}
	}
	got := strings.Join([]string{strings.Join(users, ","), strings.Join(groups, ","), strings.Join(roles, ","), strings.Join(policies, ",")}, " | ")
	if want := "admin,alice | devs | app | custom,AdministratorAccess"; got != want || pages != 6 {
		t.Fatalf("details = %s in %d pages, want %s in 6", got, pages, want)
	}

	only, err := e.iam.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})
	if err != nil || len(only.RoleDetailList) != 1 || len(only.UserDetailList)+len(only.GroupDetailList)+len(only.Policies) != 0 || only.IsTruncated {
		t.Fatalf("Filter Role = %+v, %v", only, err)
	}
	_, err = e.iam.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Users"}})
	wantCode(t, err, "ValidationError")
}

// TestSecretsNotAtRest creates every kind of credential secret through the API, then reads the
// whole SQLite database — its files byte by byte, and every row through the store — and checks that
// no secret access key, password or MFA seed is there in the clear.
func TestSecretsNotAtRest(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "rootward.db")
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e, _ := newCredEnv(t, st)
	ctx := ctxT(t)

	secrets := map[string]string{"admin secret access key": e.adminKey.Secret}
	public := []string{e.adminKey.AccessKeyID}
	for i, name := range []string{"alice", "bob"} {
		if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		k, err := e.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		secrets[name+" secret access key"] = *k.AccessKey.SecretAccessKey
		public = append(public, *k.AccessKey.AccessKeyId)
		pw := "Distinctive-Password-" + name + "-" + string(rune('0'+i))
		if _, err := e.iam.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(pw)}); err != nil {
			t.Fatal(err)
		}
		secrets[name+" password"] = pw
		newPw := pw + "-changed"
		if _, err := e.iam.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String(name), Password: aws.String(newPw)}); err != nil {
			t.Fatal(err)
		}
		secrets[name+" new password"] = newPw
		d, err := e.iam.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name + "-phone")})
		if err != nil {
			t.Fatal(err)
		}
		secrets[name+" MFA seed"] = string(d.VirtualMFADevice.Base32StringSeed)
		public = append(public, *d.VirtualMFADevice.SerialNumber)
	}
	sess, err := e.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	secrets["session secret access key"] = *sess.Credentials.SecretAccessKey
	secrets["session token"] = *sess.Credentials.SessionToken

	// Every byte of the database files (the main file, its WAL and shared memory).
	var raw []byte
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	// Every row, through the store: the kinds and accounts come from the table itself.
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT DISTINCT kind, account FROM objects")
	if err != nil {
		t.Fatal(err)
	}
	var groups [][2]string
	for rows.Next() {
		var kind, account []byte
		if err := rows.Scan(&kind, &account); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, [2]string{string(kind), string(account)})
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var dump bytes.Buffer
	n := 0
	if err := e.st.View(ctx, func(tx store.Tx) error {
		for _, g := range groups {
			items, err := tx.List(g[0], g[1], "", "", 0)
			if err != nil {
				return err
			}
			for _, it := range items {
				n++
				dump.WriteString(g[0] + "\t" + g[1] + "\t" + it.Key + "\t")
				dump.Write(it.Body)
				dump.WriteByte('\n')
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The dump is real: the public identifiers and the password hashes are there.
	for _, id := range append(public, "$argon2id$") {
		if !bytes.Contains(dump.Bytes(), []byte(id)) {
			t.Fatalf("store dump (%d rows) lacks %q", n, id)
		}
	}
	if !bytes.Contains(raw, []byte(e.adminKey.AccessKeyID)) {
		t.Fatal("database files lack the access key ID")
	}
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			// The secret itself, and its base64 form (how encoding/json would store it as []byte).
			forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))}
			for where, b := range map[string][]byte{"database files": raw, "store rows": dump.Bytes()} {
				for _, f := range forms {
					if bytes.Contains(b, []byte(f)) {
						t.Fatalf("%s contain the %s", where, name)
					}
				}
			}
		})
	}
}

// The IAM API cannot take away the last MFA device of a root user whose MFA is required: the
// server asks the root-user service, as serve wires it.
func TestRootLastMFADeviceGuard(t *testing.T) {
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := buildEnv(t, nil, clk.Now, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		n, err := notify.New(st, mustSealer(t), notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ru, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: cfg.Trail, ConsoleURL: "http://localhost/console"}, rootuser.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RootMFAGuard = ru.CheckRootDeviceRemoval
	})
	e.t = t
	ctx := ctxT(t)
	rootIAM, _ := e.rootClients()
	enable := func(name string) string {
		out, err := rootIAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
		if err := e.svc.EnableMFADevice(ctx, e.account.ID, "", serial, totpCode(t, seed, clk.Now().Add(-30*time.Second)), totpCode(t, seed, clk.Now())); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		return serial
	}
	first, second := enable("root-one"), enable("root-two")
	if _, err := rootIAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(first)}); err != nil {
		t.Fatalf("deactivating one of two devices: %v", err)
	}
	_, err := rootIAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(second)})
	wantCode(t, err, "DeleteConflict")
	if mine, err := rootIAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil || len(mine.MFADevices) != 1 {
		t.Fatalf("root devices after the refusal = %+v, %v", mine, err)
	}
}

func mustSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	s, err := seal.New(testMasterKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
