package iam

import (
	"fmt"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

// hwSeed is the RFC 6238 Appendix B test seed ("12345678901234567890") in Base32, as a token
// vendor's seed file would give it.
const hwSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestMFADeviceType(t *testing.T) {
	cases := []struct{ name, serial, want string }{
		{"virtual", "arn:aws:iam::111122223333:mfa/root-account-mfa-device", MFAVirtual},
		{"security key", "arn:aws:iam::111122223333:u2f/root-account-mfa-device/yubikey-ABC", MFAWebAuthn},
		{"hardware", "GAHT12345678", MFAHardware},
		{"other account's virtual ARN is not ours", "arn:aws:iam::999999999999:mfa/x", MFAHardware},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MFADeviceType("111122223333", tc.serial); got != tc.want {
				t.Fatalf("MFADeviceType = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestHardwareMFADevice(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	now := e.clock.Now()
	prev, cur := testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now)
	cases := []struct {
		name, serial, seed, c1, c2 string
		code                       awserr.Code
	}{
		{"ARN is not a hardware serial", "arn:aws:iam::" + acct + ":mfa/x", hwSeed, prev, cur, awserr.ValidationError},
		{"seed not base32", "GAHT00000001", "not base32!", prev, cur, awserr.InvalidInput},
		{"seed too short", "GAHT00000001", "GEZDGNBV", prev, cur, awserr.InvalidInput},
		{"codes not consecutive", "GAHT00000001", hwSeed, cur, prev, awserr.InvalidAuthenticationCode},
		{"valid", "GAHT00000001", hwSeed, prev, cur, ""},
		{"serial in use", "GAHT00000001", hwSeed, prev, cur, awserr.EntityAlreadyExists},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.EnableHardwareMFADevice(e.ctx, acct, "", tc.serial, tc.seed, tc.c1, tc.c2), tc.code)
		})
	}
	list, err := e.svc.ListMFADevices(e.ctx, acct, "", ListOpts{})
	if err != nil || len(list.Items) != 1 || list.Items[0].SerialNumber != "GAHT00000001" {
		t.Fatalf("ListMFADevices = %+v, %v", list, err)
	}
	// The code of the step used to enable is spent; the next step's is good once.
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", "GAHT00000001", cur, now), awserr.AccessDenied)
	next := now.Add(30 * time.Second)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", "GAHT00000001", testutil.TOTPCode(t, hwSeed, next), next), "")
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", "GAHT00000001", testutil.TOTPCode(t, hwSeed, next), next), awserr.AccessDenied)
	// Another owner cannot use it.
	e.user(t, "bob")
	later := next.Add(30 * time.Second)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "bob", "GAHT00000001", testutil.TOTPCode(t, hwSeed, later), later), awserr.AccessDenied)
	// Resync finds a token running five minutes fast.
	e.clock.Advance(10 * time.Minute)
	fast := e.clock.Now().Add(5 * time.Minute)
	testutil.WantCode(t, e.svc.ResyncMFADevice(e.ctx, acct, "", "GAHT00000001", testutil.TOTPCode(t, hwSeed, fast.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, fast)), "")
	then := e.clock.Now().Add(time.Minute)
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", "GAHT00000001", testutil.TOTPCode(t, hwSeed, then.Add(5*time.Minute)), then), "")
	// Deactivation forgets the token; registering it again works.
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "", "GAHT00000001"), "")
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "", "GAHT00000001"), awserr.NoSuchEntity)
	n := e.clock.Now()
	testutil.WantCode(t, e.svc.EnableHardwareMFADevice(e.ctx, acct, "bob", "GAHT00000001", hwSeed, testutil.TOTPCode(t, hwSeed, n.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, n)), "")
}

func TestWebAuthnDevices(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	serial := WebAuthnSerial(acct, "", "yubikey")
	if MFADeviceType(acct, serial) != MFAWebAuthn {
		t.Fatalf("serial %s is not a security key's", serial)
	}
	d := &WebAuthnDevice{SerialNumber: serial, Name: "yubikey", CredentialID: []byte{1, 2, 3}, Credential: []byte(`{"k":1}`)}
	testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "", d), "")
	// The same credential cannot be registered twice, even to another user.
	e.user(t, "alice")
	dup := &WebAuthnDevice{SerialNumber: WebAuthnSerial(acct, "alice", "k"), Name: "k", CredentialID: []byte{1, 2, 3}, Credential: []byte(`{}`)}
	testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "alice", dup), awserr.EntityAlreadyExists)
	bad := &WebAuthnDevice{SerialNumber: "GAHT1234567", Name: "k", CredentialID: []byte{9}, Credential: []byte(`{}`)}
	testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "alice", bad), awserr.ValidationError)

	got, err := e.svc.WebAuthnDevices(e.ctx, acct, "")
	if err != nil || len(got) != 1 || string(got[0].Credential) != `{"k":1}` || got[0].Name != "yubikey" {
		t.Fatalf("WebAuthnDevices = %+v, %v", got, err)
	}
	e.clock.Advance(time.Minute)
	testutil.WantCode(t, e.svc.UpdateWebAuthnCredential(e.ctx, acct, "", serial, []byte(`{"k":2}`), e.clock.Now()), "")
	testutil.WantCode(t, e.svc.UpdateWebAuthnCredential(e.ctx, acct, "alice", serial, []byte(`{"k":3}`), e.clock.Now()), awserr.NoSuchEntity)
	got, _ = e.svc.WebAuthnDevices(e.ctx, acct, "")
	if string(got[0].Credential) != `{"k":2}` || !got[0].LastUsed.Equal(e.clock.Now()) {
		t.Fatalf("after update = %+v", got[0])
	}
	// A key answers no TOTP code.
	testutil.WantCode(t, e.svc.VerifyMFACode(e.ctx, acct, "", serial, "123456", e.clock.Now()), awserr.AccessDenied)
	sum, _ := e.svc.GetAccountSummary(e.ctx, acct)
	if sum["AccountMFAEnabled"] != 1 || sum["MFADevicesInUse"] != 1 {
		t.Fatalf("summary = %v", sum)
	}
	testutil.WantCode(t, e.svc.DeactivateMFADevice(e.ctx, acct, "", serial), "")
	if got, _ := e.svc.WebAuthnDevices(e.ctx, acct, ""); len(got) != 0 {
		t.Fatalf("after deactivation = %+v", got)
	}
	// Its credential ID is free again.
	testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "alice", dup), "")
}

// The eight-device quota counts every type together.
func TestMixedMFAQuota(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	for i := range 3 {
		e.enable(t, "", fmt.Sprintf("root-%d", i))
	}
	for i := range 3 {
		d := &WebAuthnDevice{SerialNumber: WebAuthnSerial(acct, "", "key"), Name: "key", CredentialID: []byte{byte(i)}, Credential: []byte(`{}`)}
		testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "", d), "")
	}
	for i := range 3 {
		now := e.clock.Now()
		err := e.svc.EnableHardwareMFADevice(e.ctx, acct, "", fmt.Sprintf("GAHT0000000%d", i), hwSeed,
			testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now))
		if i < 2 {
			testutil.WantCode(t, err, "")
		} else {
			testutil.WantCode(t, err, awserr.LimitExceeded)
		}
		e.clock.Advance(time.Minute)
	}
	d := &WebAuthnDevice{SerialNumber: WebAuthnSerial(acct, "", "key"), Name: "key", CredentialID: []byte{99}, Credential: []byte(`{}`)}
	testutil.WantCode(t, e.svc.RegisterWebAuthnDevice(e.ctx, acct, "", d), awserr.LimitExceeded)
}
