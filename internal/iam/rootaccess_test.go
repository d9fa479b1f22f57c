package iam

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/testutil"
)

// addRootKey stores a root access key the way keys are stored (no API creates root keys).
func (e *credEnv) addRootKey(t *testing.T, id string, lastUsed *time.Time) {
	t.Helper()
	k := AccessKey{AccessKeyID: id, Account: e.account.ID, Status: "Active", CreateDate: e.svc.Now(), LastUsed: lastUsed,
		SealedSecret: e.svc.seal.Seal([]byte("secret"), keyAD(id))}
	err := e.svc.update(e.ctx, e.account.ID, func(t txn) error {
		return accessKeys.Insert(t, "", id, accessKeyRecordOf(&k))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRootCredentialsOf(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	empty, err := e.svc.RootCredentialsOf(e.ctx, acct)
	if err != nil || !empty.Empty() || empty.PasswordLastUsed != nil {
		t.Fatalf("fresh account root credentials = %+v, %v", empty, err)
	}
	if err := e.svc.SetRootPassword(e.ctx, acct, "Un1que-Root-Pass!"); err != nil {
		t.Fatal(err)
	}
	e.enable(t, "", "root-account-mfa-device")
	early, late := e.svc.Now().Add(-time.Hour), e.svc.Now().Add(-time.Minute)
	e.addRootKey(t, "AKIAROOTKEY000000001", &early)
	e.addRootKey(t, "AKIAROOTKEY000000002", &late)
	if _, err := e.svc.UploadSigningCertificate(e.ctx, acct, "", testutil.SelfSignedPEM(t, "root")); err != nil {
		t.Fatal(err)
	}
	// An IAM user's credentials are not the root's.
	e.user(t, "alice")
	if _, err := e.svc.CreateAccessKey(e.ctx, acct, "alice"); err != nil {
		t.Fatal(err)
	}
	rc, err := e.svc.RootCredentialsOf(e.ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !rc.HasPassword || rc.PasswordLastChanged == nil || rc.Empty():
		t.Fatalf("password: %+v", rc)
	case len(rc.MFADevices) != 1 || rc.MFADevices[0].SerialNumber != "arn:aws:iam::"+acct+":mfa/root-account-mfa-device":
		t.Fatalf("MFA devices: %+v", rc.MFADevices)
	case len(rc.AccessKeys) != 2 || rc.AccessKeys[0].SealedSecret != nil:
		t.Fatalf("access keys: %+v", rc.AccessKeys)
	case len(rc.Certificates) != 1:
		t.Fatalf("certificates: %+v", rc.Certificates)
	case rc.AccessKeys[0].LastUsed == nil || rc.AccessKeys[1].LastUsed == nil:
		t.Fatalf("access keys' last use: %+v", rc.AccessKeys)
	}
	if _, err := e.svc.RootCredentialsOf(e.ctx, "999999999999"); err == nil {
		t.Fatal("unknown account: no error")
	}
}

func TestAllowRootPasswordRecovery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password bool // the root has a password first
		twice    bool // recovery was already allowed
		wantCode string
	}{
		{name: "no credentials", wantCode: ""},
		{name: "root already has a password", password: true, wantCode: "EntityAlreadyExists"},
		{name: "recovery already allowed", twice: true, wantCode: "EntityAlreadyExists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCredEnv(t)
			acct := e.account.ID
			if tc.password {
				if err := e.svc.SetRootPassword(e.ctx, acct, "Un1que-Root-Pass!"); err != nil {
					t.Fatal(err)
				}
			}
			if tc.twice {
				if _, err := e.svc.AllowRootPasswordRecovery(e.ctx, acct); err != nil {
					t.Fatal(err)
				}
			}
			lp, err := e.svc.AllowRootPasswordRecovery(e.ctx, acct)
			testutil.WantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				return
			}
			// The profile exists without a password: GetLoginProfile sees it, the summary does not
			// count a password, and setting a password uses the recovery up.
			got, err := e.svc.GetLoginProfile(e.ctx, acct, "")
			if err != nil || !got.CreateDate.Equal(lp.CreateDate) {
				t.Fatalf("GetLoginProfile = %+v, %v; want created %v", got, err, lp.CreateDate)
			}
			sum, err := e.svc.GetAccountSummary(e.ctx, acct)
			if err != nil || sum["AccountPasswordPresent"] != 0 {
				t.Fatalf("AccountPasswordPresent = %d, %v", sum["AccountPasswordPresent"], err)
			}
			if err := e.svc.SetRootPassword(e.ctx, acct, "Un1que-Root-Pass!"); err != nil {
				t.Fatal(err)
			}
			rc, err := e.svc.RootCredentialsOf(e.ctx, acct)
			if err != nil || rc.RecoveryAllowed != nil || !rc.HasPassword {
				t.Fatalf("after recovery: %+v, %v", rc, err)
			}
			// DeleteLoginProfile removes the password; a second delete finds nothing.
			testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, ""), "")
			testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, ""), "NoSuchEntity")
		})
	}
}
