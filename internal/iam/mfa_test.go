package iam

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

// enable creates a device and enables it for user with the codes of the previous and current
// steps, as a person copying two consecutive codes from an app does.
func (e *credEnv) enable(t *testing.T, user, name string) *VirtualMFADevice {
	t.Helper()
	d, err := e.svc.CreateVirtualMFADevice(e.ctx, e.account.ID, CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if err := e.svc.EnableMFADevice(e.ctx, e.account.ID, user, d.SerialNumber,
		testutil.TOTPCode(t, d.Base32StringSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, d.Base32StringSeed, now)); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOTPAuthURL(t *testing.T) {
	const seed = "JBSWY3DPEHPK3PXP"
	for _, tc := range []struct {
		name, device, account, want, wantAccount string
	}{
		{"account ID", "root-account-mfa-device", "123456789012",
			"otpauth://totp/Rootward:root-account-mfa-device@123456789012?secret=" + seed + "&issuer=Rootward", "root-account-mfa-device@123456789012"},
		{"alias", "alice", "acme-prod", "otpauth://totp/Rootward:alice@acme-prod?secret=" + seed + "&issuer=Rootward", "alice@acme-prod"},
		{"name with a comma", "a,b", "acme", "otpauth://totp/Rootward:a%2Cb@acme?secret=" + seed + "&issuer=Rootward", "a,b@acme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := OTPAuthURL(tc.device, tc.account, seed)
			if got != tc.want {
				t.Fatalf("OTPAuthURL = %q, want %q", got, tc.want)
			}
			key, err := otp.NewKeyFromURL(got)
			if err != nil {
				t.Fatal(err)
			}
			if key.Issuer() != "Rootward" || key.AccountName() != tc.wantAccount || key.Secret() != seed {
				t.Fatalf("parsed issuer %q account %q secret %q, want Rootward %q %q", key.Issuer(), key.AccountName(), key.Secret(), tc.wantAccount, seed)
			}
		})
	}
}

func TestCreateVirtualMFADevice(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	d, err := e.svc.CreateVirtualMFADevice(e.ctx, acct, CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-phone", Path: "/eng/",
		Tags: []Tag{{Key: "owner", Value: "alice"}}})
	if err != nil {
		t.Fatal(err)
	}
	if d.SerialNumber != "arn:aws:iam::"+acct+":mfa/eng/alice-phone" || d.EnableDate != nil || len(d.Tags) != 1 {
		t.Fatalf("device = %+v", d)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(d.Base32StringSeed)
	if err != nil || len(d.Base32StringSeed) != 64 || len(raw) != 40 {
		t.Fatalf("seed %q: %d bytes, %v", d.Base32StringSeed, len(raw), err)
	}

	// The QR code carries otpauth://totp/Rootward:NAME@ACCOUNT?secret=SEED&issuer=Rootward: compare
	// it module by module with the QR code of the expected URI.
	got, err := png.Decode(bytes.NewReader(d.QRCodePNG))
	if err != nil {
		t.Fatalf("QRCodePNG is not a PNG: %v", err)
	}
	uri := "otpauth://totp/Rootward:alice-phone@" + acct + "?secret=" + d.Base32StringSeed + "&issuer=Rootward"
	if d.OTPAuthURL != uri {
		t.Fatalf("OTPAuthURL = %q, want %q", d.OTPAuthURL, uri)
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatal(err)
	}
	want, err := key.Image(qrSize, qrSize)
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(got, want) {
		t.Fatal("QR code does not encode the expected otpauth URI")
	}
	if key.Secret() != d.Base32StringSeed || key.AccountName() != "alice-phone@"+acct || key.Issuer() != "Rootward" {
		t.Fatalf("expected key parses as %q / %q / %q", key.Secret(), key.AccountName(), key.Issuer())
	}

	// With an alias, the QR label names the account by it.
	if err := e.svc.CreateAccountAlias(e.ctx, acct, "acme-prod"); err != nil {
		t.Fatal(err)
	}
	d2, err := e.svc.CreateVirtualMFADevice(e.ctx, acct, CreateVirtualMFADeviceInput{VirtualMFADeviceName: "bob-phone"})
	if err != nil {
		t.Fatal(err)
	}
	got2, _ := png.Decode(bytes.NewReader(d2.QRCodePNG))
	key2, _ := otp.NewKeyFromURL("otpauth://totp/Rootward:bob-phone@acme-prod?secret=" + d2.Base32StringSeed + "&issuer=Rootward")
	want2, _ := key2.Image(qrSize, qrSize)
	if got2 == nil || !sameImage(got2, want2) {
		t.Fatal("QR code with alias does not encode the expected otpauth URI")
	}

	for _, tc := range []struct {
		name string
		in   CreateVirtualMFADeviceInput
		code awserr.Code
	}{
		{"same path and name", CreateVirtualMFADeviceInput{VirtualMFADeviceName: "ALICE-PHONE", Path: "/eng/"}, awserr.EntityAlreadyExists},
		{"same name other path", CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-phone", Path: "/ops/"}, ""},
		{"missing name", CreateVirtualMFADeviceInput{}, awserr.ValidationError},
		{"bad name", CreateVirtualMFADeviceInput{VirtualMFADeviceName: "a/b"}, awserr.ValidationError},
		{"long name", CreateVirtualMFADeviceInput{VirtualMFADeviceName: strings.Repeat("n", 227)}, awserr.ValidationError},
		{"bad path", CreateVirtualMFADeviceInput{VirtualMFADeviceName: "x", Path: "eng"}, awserr.ValidationError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateVirtualMFADevice(e.ctx, acct, tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}

	// The stored device holds the seed sealed, bound to its serial number.
	stored := &virtualMFARecord{}
	if err := e.svc.view(e.ctx, func(t txn) (err error) {
		stored, _, err = virtualMFAs.Get(t, acct, "/eng/alice-phone")
		return err
	}); err != nil || stored == nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.SealedSeed, []byte(d.Base32StringSeed)) {
		t.Fatal("seed stored in the clear")
	}
	if _, err := e.svc.seal.Open(stored.SealedSeed, mfaAD(d2.SerialNumber)); err == nil {
		t.Fatal("sealed seed opens under another device's serial")
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return false
			}
		}
	}
	return true
}

func TestEnableMFADevice(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")
	e.user(t, "bob")
	d, err := e.svc.CreateVirtualMFADevice(e.ctx, acct, CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-phone"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	code := func(steps int) string {
		return testutil.TOTPCode(t, d.Base32StringSeed, now.Add(time.Duration(steps)*30*time.Second))
	}
	for _, tc := range []struct {
		name, user, serial, c1, c2 string
		code                       awserr.Code
		used                       bool
	}{
		// Answers other than a wrong code do not count as MFA failures (guessing.go)…
		{"not digits", "alice", d.SerialNumber, "12345a", code(0), awserr.ValidationError, false},
		{"five digits", "alice", d.SerialNumber, code(-1), "12345", awserr.ValidationError, false},
		{"unknown user", "carol", d.SerialNumber, code(-1), code(0), awserr.NoSuchEntity, false},
		{"unknown device", "alice", "arn:aws:iam::" + acct + ":mfa/nope", code(-1), code(0), awserr.NoSuchEntity, false},
		{"hardware serial", "alice", "GAHT12345678", code(-1), code(0), awserr.NoSuchEntity, false},
		{"short serial", "alice", "GAHT1", code(-1), code(0), awserr.ValidationError, false},
		{"other account's serial", "alice", "arn:aws:iam::999999999999:mfa/alice-phone", code(-1), code(0), awserr.NoSuchEntity, false},
		// …these five do: the device is in back-off after them.
		{"codes in the wrong order", "alice", d.SerialNumber, code(0), code(-1), awserr.InvalidAuthenticationCode, false},
		// One good code typed in both boxes counts as a wrong code, marked as already used.
		{"same code twice", "alice", d.SerialNumber, code(0), code(0), awserr.InvalidAuthenticationCode, true},
		{"not consecutive", "alice", d.SerialNumber, code(-2), code(0), awserr.InvalidAuthenticationCode, false},
		{"too old", "alice", d.SerialNumber, code(-3), code(-2), awserr.InvalidAuthenticationCode, false},
		{"too new", "alice", d.SerialNumber, code(1), code(2), awserr.InvalidAuthenticationCode, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.EnableMFADevice(e.ctx, acct, tc.user, tc.serial, tc.c1, tc.c2)
			testutil.WantCode(t, err, tc.code)
			if used := errors.Is(err, ErrMFACodeUsed); used != tc.used {
				t.Fatalf("errors.Is(%v, ErrMFACodeUsed) = %v, want %v", err, used, tc.used)
			}
		})
	}
	// Five wrong codes: one second of back-off (still inside the TOTP step), then
	// one step of lead is tolerated for the newer code.
	testutil.WantCode(t, e.svc.EnableMFADevice(e.ctx, acct, "alice", d.SerialNumber, code(0), code(1)), awserr.Throttling)
	e.clock.Advance(time.Second)
	testutil.WantCode(t, e.svc.EnableMFADevice(e.ctx, acct, "alice", d.SerialNumber, code(0), code(1)), "")
	testutil.WantCode(t, e.svc.EnableMFADevice(e.ctx, acct, "bob", d.SerialNumber, code(0), code(1)), awserr.EntityAlreadyExists)

	p, err := e.svc.ListMFADevices(e.ctx, acct, "alice", ListOpts{})
	if err != nil || len(p.Items) != 1 || p.Items[0].SerialNumber != d.SerialNumber || p.Items[0].UserName != "alice" ||
		!p.Items[0].EnableDate.Equal(now.Add(time.Second)) {
		t.Fatalf("ListMFADevices = %+v, %v", p, err)
	}
	_, err = e.svc.ListMFADevices(e.ctx, acct, "carol", ListOpts{})
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteUser(e.ctx, acct, "alice"), awserr.DeleteConflict)
	testutil.WantCode(t, e.svc.DeleteVirtualMFADevice(e.ctx, acct, d.SerialNumber), awserr.DeleteConflict)

	// Deactivation returns the device to the unassigned pool; then it can be deleted.
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "bob", d.SerialNumber), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "alice", d.SerialNumber), "")
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "alice", d.SerialNumber), awserr.NoSuchEntity)
	// Enabling it again with the codes it was enabled with: they were used.
	if err := e.svc.EnableMFADevice(e.ctx, acct, "bob", d.SerialNumber, code(0), code(1)); !awserr.IsCode(err, awserr.InvalidAuthenticationCode) || !errors.Is(err, ErrMFACodeUsed) {
		t.Fatalf("enabling with used codes: %v, want InvalidAuthenticationCode marked ErrMFACodeUsed", err)
	}
	if p, _ := e.svc.ListMFADevices(e.ctx, acct, "alice", ListOpts{}); len(p.Items) != 0 {
		t.Fatalf("devices after deactivation: %+v", p.Items)
	}
	testutil.WantCode(t, e.svc.DeleteVirtualMFADevice(e.ctx, acct, d.SerialNumber), "")
	testutil.WantCode(t, e.svc.DeleteVirtualMFADevice(e.ctx, acct, d.SerialNumber), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteUser(e.ctx, acct, "alice"), "")
}

func TestMFADeviceQuota(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	e.user(t, "alice")
	for i := 1; i <= mfaDevicesPerUser; i++ {
		e.enable(t, "alice", fmt.Sprintf("alice-%d", i))
	}
	d, err := e.svc.CreateVirtualMFADevice(e.ctx, e.account.ID, CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-9"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	err = e.svc.EnableMFADevice(e.ctx, e.account.ID, "alice", d.SerialNumber,
		testutil.TOTPCode(t, d.Base32StringSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, d.Base32StringSeed, now))
	testutil.WantCode(t, err, awserr.LimitExceeded)
}

func TestVerifyMFACode(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")
	e.user(t, "bob")
	d := e.enable(t, "alice", "alice-phone")
	bobs := e.enable(t, "bob", "bob-phone")
	at := func(steps int) time.Time { return e.clock.Now().Add(time.Duration(steps) * 30 * time.Second) }
	code := func(steps int) string { return testutil.TOTPCode(t, d.Base32StringSeed, at(steps)) }

	// Each case runs against the server time "now"; steps are relative to the enable time.
	for _, tc := range []struct {
		name, user, serial, code string
		now                      int
		ok, used                 bool
	}{
		{"step used by EnableMFADevice", "alice", d.SerialNumber, code(0), 0, false, true},
		{"next step", "alice", d.SerialNumber, code(1), 1, true, false},
		{"same code again", "alice", d.SerialNumber, code(1), 1, false, true},
		{"one step behind the clock", "alice", d.SerialNumber, code(2), 3, true, false},
		{"one step ahead of the clock", "alice", d.SerialNumber, code(5), 4, true, false},
		{"older step than the last accepted", "alice", d.SerialNumber, code(4), 4, false, true},
		{"two steps behind", "alice", d.SerialNumber, code(6), 8, false, false},
		{"two steps ahead", "alice", d.SerialNumber, code(10), 8, false, false},
		{"another user's device", "alice", bobs.SerialNumber, testutil.TOTPCode(t, bobs.Base32StringSeed, at(9)), 9, false, false},
		{"device of the caller named by another user", "bob", d.SerialNumber, code(9), 9, false, false},
		{"root has no device", "", d.SerialNumber, code(9), 9, false, false},
		{"unknown user", "carol", d.SerialNumber, code(9), 9, false, false},
		{"malformed code", "alice", d.SerialNumber, "abcdef", 9, false, false},
		{"unknown serial", "alice", "arn:aws:iam::" + acct + ":mfa/nope", code(9), 9, false, false},
		{"after failures the current code still works", "alice", d.SerialNumber, code(9), 9, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.VerifyMFACode(e.ctx, acct, tc.user, tc.serial, tc.code, at(tc.now))
			if tc.ok {
				testutil.WantCode(t, err, "")
			} else {
				testutil.WantCode(t, err, awserr.AccessDenied)
			}
			// A used code is marked for the console, and answers STS's message for a wrong code.
			if used := errors.Is(err, ErrMFACodeUsed); used != tc.used {
				t.Fatalf("errors.Is(%v, ErrMFACodeUsed) = %v, want %v", err, used, tc.used)
			}
			if e, ok := awserr.As(err); ok && tc.used && e.Message != "MultiFactorAuthentication failed with invalid MFA one time pass code." {
				t.Fatalf("message of a used code = %q, want STS's message for a wrong code", e.Message)
			}
		})
	}

	// A renamed user keeps its device.
	testutil.WantCode(t, e.svc.UpdateUser(e.ctx, acct, "alice", "alicia", ""), "")
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "alicia", d.SerialNumber, code(10), at(10)), "")
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "alice", d.SerialNumber, code(11), at(11)), awserr.AccessDenied)
}

func TestResyncMFADevice(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")
	d := e.enable(t, "alice", "alice-phone")
	// The phone's clock runs six steps (three minutes) fast.
	phone := func(steps int) string {
		return testutil.TOTPCode(t, d.Base32StringSeed, e.clock.Now().Add(time.Duration(steps+6)*30*time.Second))
	}
	e.clock.Advance(30 * time.Second)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "alice", d.SerialNumber, phone(0), e.clock.Now()), awserr.AccessDenied)
	for _, tc := range []struct {
		name, user, c1, c2 string
		code               awserr.Code
	}{
		{"not consecutive", "alice", phone(-2), phone(0), awserr.InvalidAuthenticationCode},
		{"beyond the window", "alice", testutil.TOTPCode(t, d.Base32StringSeed, e.clock.Now().Add(30*time.Minute)),
			testutil.TOTPCode(t, d.Base32StringSeed, e.clock.Now().Add(30*time.Minute+30*time.Second)), awserr.InvalidAuthenticationCode},
		{"not the owner", "bob", phone(-1), phone(0), awserr.NoSuchEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.user == "bob" {
				e.user(t, "bob")
			}
			testutil.WantCode(t, e.svc.ResyncMFADevice(e.ctx, acct, tc.user, d.SerialNumber, tc.c1, tc.c2), tc.code)
		})
	}
	testutil.WantCode(t, e.svc.ResyncMFADevice(e.ctx, acct, "alice", d.SerialNumber, phone(-1), phone(0)), "")
	// The resync codes are spent; the phone's next code verifies with the learned drift.
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "alice", d.SerialNumber, phone(0), e.clock.Now()), awserr.AccessDenied)
	e.clock.Advance(30 * time.Second)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "alice", d.SerialNumber, phone(0), e.clock.Now()), "")
}

func TestListVirtualMFADevices(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")
	a := e.enable(t, "alice", "a-phone")
	root := e.enable(t, "", "root-phone")
	for _, n := range []string{"b-spare", "c-spare"} {
		if _, err := e.svc.CreateVirtualMFADevice(e.ctx, acct, CreateVirtualMFADeviceInput{VirtualMFADeviceName: n}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		status string
		want   string
	}{
		{"", "a-phone,b-spare,c-spare,root-phone"},
		{"Any", "a-phone,b-spare,c-spare,root-phone"},
		{"Assigned", "a-phone,root-phone"},
		{"Unassigned", "b-spare,c-spare"},
	} {
		t.Run("status "+tc.status, func(t *testing.T) {
			var names []string
			o := ListOpts{MaxItems: 1}
			for pages := 0; ; pages++ {
				p, err := e.svc.ListVirtualMFADevices(e.ctx, acct, tc.status, o)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range p.Items {
					names = append(names, d.Name)
					switch d.SerialNumber {
					case a.SerialNumber:
						if d.User == nil || d.User.UserName != "alice" || d.EnableDate == nil {
							t.Fatalf("alice's device = %+v", d)
						}
					case root.SerialNumber:
						if !d.AssignedToRoot || d.User != nil {
							t.Fatalf("root's device = %+v", d)
						}
					default:
						if d.User != nil || d.AssignedToRoot || d.EnableDate != nil {
							t.Fatalf("spare device = %+v", d)
						}
					}
					if d.Base32StringSeed != "" || d.QRCodePNG != nil {
						t.Fatal("listing returns the seed")
					}
				}
				if !p.IsTruncated {
					break
				}
				o.Marker = p.Marker
			}
			if got := strings.Join(names, ","); got != tc.want {
				t.Fatalf("devices = %s, want %s", got, tc.want)
			}
		})
	}
	_, err := e.svc.ListVirtualMFADevices(e.ctx, acct, "Broken", ListOpts{})
	testutil.WantCode(t, err, awserr.ValidationError)

	// The root user's devices: listed and verified under the empty user name.
	p, err := e.svc.ListMFADevices(e.ctx, acct, "", ListOpts{})
	if err != nil || len(p.Items) != 1 || p.Items[0].SerialNumber != root.SerialNumber || p.Items[0].UserName != "" {
		t.Fatalf("root ListMFADevices = %+v, %v", p, err)
	}
	next := e.clock.Now().Add(30 * time.Second)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", root.SerialNumber, testutil.TOTPCode(t, root.Base32StringSeed, next), next), "")
}

// TestVerifyMFACodeOnceUnderConcurrency presents one code from many goroutines at once: the store
// serializes the read-check-write of the last accepted step, so exactly one succeeds.
func TestVerifyMFACodeOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	e.user(t, "alice")
	d := e.enable(t, "alice", "alice-phone")
	next := e.clock.Now().Add(30 * time.Second)
	code := testutil.TOTPCode(t, d.Base32StringSeed, next)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- e.svc.VerifyMFACode(e.ctx, e.account.ID, "alice", d.SerialNumber, code, next) }()
	}
	ok := 0
	for range n {
		err := <-errs
		if err == nil {
			ok++
		} else if !awserr.IsCode(err, awserr.AccessDenied) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent uses of one code succeeded, want 1", ok, n)
	}
}
