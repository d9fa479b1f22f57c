package iamapi_test

import (
	"bytes"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestVirtualMFAOps(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"),
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
	code := func(steps int) string {
		return testutil.TOTPCode(t, seed, clk.Now().Add(time.Duration(steps)*30*time.Second))
	}

	_, err = e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Path: aws.String("/eng/")})
	testutil.WantCode(t, err, "EntityAlreadyExists")
	testutil.WantStatus(t, err, 409)

	enable := func(user, serial, c1, c2 string) error {
		_, err := e.IAM.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
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
			testutil.WantCode(t, err, tc.code)
			if tc.status != 0 {
				testutil.WantStatus(t, err, tc.status)
			}
		})
	}

	list, err := e.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != serial || *list.MFADevices[0].UserName != "alice" ||
		!list.MFADevices[0].EnableDate.Equal(clk.Now().Truncate(time.Second)) {
		t.Fatalf("ListMFADevices = %+v, %v", list, err)
	}
	// Without a user name, ListMFADevices answers for the caller.
	if self, err := e.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil || len(self.MFADevices) != 0 {
		t.Fatalf("ListMFADevices(self) = %+v, %v", self, err)
	}

	spare, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")})
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
			p := awsiam.NewListVirtualMFADevicesPaginator(e.IAM, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: tc.status, MaxItems: aws.Int32(1)})
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
	_, err = e.IAM.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(2)), AuthenticationCode2: aws.String(code(0))})
	testutil.WantCode(t, err, "InvalidAuthenticationCode")
	if _, err := e.IAM.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(4)), AuthenticationCode2: aws.String(code(5))}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Second)
	if err := e.Svc.VerifyMFACode(ctx, acct, "alice", serial, code(5), clk.Now()); err != nil {
		t.Fatalf("code after resync: %v", err)
	}

	_, err = e.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	testutil.WantCode(t, err, "DeleteConflict")
	_, err = e.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("admin"), SerialNumber: aws.String(serial)})
	testutil.WantCode(t, err, "NoSuchEntity")
	if _, err := e.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	testutil.WantCode(t, err, "NoSuchEntity")
}

func TestMFADeviceLimit(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	for i := 1; i <= 9; i++ {
		out, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("admin-" + string(rune('0'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		seed := out.VirtualMFADevice.Base32StringSeed
		_, err = e.IAM.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("admin"), SerialNumber: out.VirtualMFADevice.SerialNumber,
			AuthenticationCode1: aws.String(testutil.TOTPCode(t, seed, clk.Now().Add(-30*time.Second))), AuthenticationCode2: aws.String(testutil.TOTPCode(t, seed, clk.Now()))})
		if i <= 8 && err != nil {
			t.Fatalf("device %d: %v", i, err)
		}
		if i == 9 {
			testutil.WantCode(t, err, "LimitExceeded")
		}
	}
}

func TestGetSessionTokenWithMFA(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	// ListUsers needs MFA; ListGroups needs MFA done less than five minutes ago.
	userIAM, userSTS := e.UserClients("mfa-user", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"},
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"300"}}}]}`)
	out, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mfa-user")})
	if err != nil {
		t.Fatal(err)
	}
	seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
	code := func(steps int) string {
		return testutil.TOTPCode(t, seed, clk.Now().Add(time.Duration(steps)*30*time.Second))
	}
	if _, err := e.IAM.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: aws.String(serial),
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
		c, _ := e.Clients(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
		return c, nil
	}

	// The code EnableMFADevice consumed cannot be used again, nor can a wrong code or serial.
	for _, tc := range []struct{ name, serial, code string }{
		{"code used to enable", serial, code(0)},
		{"wrong code", serial, code(5)},
		{"another account's serial", "arn:aws:iam::999999999999:mfa/mfa-user", code(1)},
		{"a device not assigned to the caller", "arn:aws:iam::" + e.Account.ID + ":mfa/nope", code(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := session(tc.serial, tc.code)
			testutil.WantCode(t, err, "AccessDenied")
		})
	}
	clk.Advance(30 * time.Second)
	mfaIAM, err := session(serial, code(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = session(serial, code(0))
	testutil.WantCode(t, err, "AccessDenied") // the same code, replayed in the same step
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
			testutil.WantCode(t, err, tc.code)
		})
	}
	if _, err := mfaIAM.ListGroups(ctx, &awsiam.ListGroupsInput{}); err != nil {
		t.Fatalf("fresh MFA: %v", err)
	}
	// Ten minutes later the MFA is too old for ListGroups, still present for ListUsers.
	clk.Advance(10 * time.Minute)
	_, err = mfaIAM.ListGroups(ctx, &awsiam.ListGroupsInput{})
	testutil.WantCode(t, err, "AccessDenied")
	if _, err := mfaIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("MFA session after ten minutes: %v", err)
	}
}

// The IAM API cannot take away the last MFA device of a root user whose MFA is required: the
// server asks the root-user service, as serve wires it.
func TestRootLastMFADeviceGuard(t *testing.T) {
	t.Parallel()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		n, err := notify.New(st, testutil.Sealer(t), notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ru, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: cfg.Trail, ConsoleURL: "http://localhost/console"}, rootuser.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RootMFAGuard = ru.CheckRootDeviceRemoval
	})
	ctx := servertest.Ctx(t)
	rootIAM, _ := e.RootClients()
	enable := func(name string) string {
		out, err := rootIAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		seed, serial := out.VirtualMFADevice.Base32StringSeed, *out.VirtualMFADevice.SerialNumber
		if err := e.Svc.EnableMFADevice(ctx, e.Account.ID, "", serial, testutil.TOTPCode(t, seed, clk.Now().Add(-30*time.Second)), testutil.TOTPCode(t, seed, clk.Now())); err != nil {
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
	testutil.WantCode(t, err, "DeleteConflict")
	if mine, err := rootIAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}); err != nil || len(mine.MFADevices) != 1 {
		t.Fatalf("root devices after the refusal = %+v, %v", mine, err)
	}
}

// ListMFADeviceTags pages a virtual device's tags, refuses a serial that names no device of the
// account, and is authorized on the device with its tags as aws:ResourceTag/*.
func TestListMFADeviceTags(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	out, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}, {Key: aws.String("owner"), Value: aws.String("alice")}}})
	if err != nil {
		t.Fatal(err)
	}
	serial := out.VirtualMFADevice.SerialNumber

	first, err := e.IAM.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: serial, MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Tags) != 1 || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("first page: got %d tags, truncated %v, marker %v; want 1 tag, truncated, a marker", len(first.Tags), first.IsTruncated, first.Marker)
	}
	rest, err := e.IAM.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: serial, Marker: first.Marker})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{*first.Tags[0].Key: *first.Tags[0].Value}
	for _, tg := range rest.Tags {
		got[*tg.Key] = *tg.Value
	}
	if len(got) != 2 || got["team"] != "red" || got["owner"] != "alice" || rest.IsTruncated {
		t.Fatalf("tags = %v (truncated %v), want team=red and owner=alice in two pages", got, rest.IsTruncated)
	}

	_, err = e.IAM.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(*serial + "-gone")})
	testutil.WantCode(t, err, "NoSuchEntity")

	// A user allowed the action on every device but the red team's.
	userIAM, _ := e.UserClients("bob", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListMFADeviceTags","Resource":"*"},
		{"Effect":"Deny","Action":"iam:ListMFADeviceTags","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}`)
	_, err = userIAM.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: serial})
	testutil.WantCode(t, err, "AccessDenied")
}
