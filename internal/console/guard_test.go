package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
)

// The root user of a member account is denied only by the organization's SCPs. Each of its
// console actions that the rootuser service performs (no API operation serves them) must be
// refused when an SCP denies the IAM action it stands for, and change nothing.
func TestRootActionsObeySCPs(t *testing.T) {
	oe := newOrgEnv(t)
	ctx := context.Background()
	mgmt := oe.account.ID
	st, err := oe.orgs.CreateAccount(ctx, mgmt, orgs.CreateAccountInput{Email: "guarded@acme.example", AccountName: "guarded"})
	if err != nil {
		t.Fatal(err)
	}
	if st, err = oe.orgs.DescribeCreateAccountStatus(ctx, mgmt, st.ID); err != nil || st.AccountID == "" {
		t.Fatalf("CreateAccount: %+v, %v", st, err)
	}
	member := st.AccountID
	if err := oe.svc.SetRootPassword(ctx, member, memberRootPw); err != nil {
		t.Fatal(err)
	}
	d, err := oe.svc.CreateVirtualMFADevice(ctx, member, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "root-account-mfa-device"})
	if err != nil {
		t.Fatal(err)
	}
	now := oe.clock.Now()
	if err := oe.svc.EnableMFADevice(ctx, member, "", d.SerialNumber, totpCode(t, d.Base32StringSeed, now.Add(-30*time.Second)), totpCode(t, d.Base32StringSeed, now)); err != nil {
		t.Fatal(err)
	}
	oe.clock.Advance(time.Minute)

	b := oe.browser()
	p := b.signInRootPassword("guarded@acme.example", memberRootPw)
	serial := serialOption.FindStringSubmatch(p.body)
	if serial == nil {
		t.Fatalf("no MFA step:\n%.2000s", p.body)
	}
	if p := b.submit("/console/signin/mfa", url.Values{"device": {serial[1]}, "code": {totpCode(t, d.Base32StringSeed, oe.clock.Now())}}); p.status != http.StatusSeeOther {
		t.Fatalf("MFA: %d\n%.1500s", p.status, p.body)
	}

	roots, err := oe.orgs.ListRoots(ctx, mgmt)
	if err != nil || len(roots) != 1 {
		t.Fatalf("ListRoots: %+v, %v", roots, err)
	}
	if _, err := oe.orgs.EnablePolicyType(ctx, mgmt, roots[0].ID, orgs.TypeSCP); err != nil {
		t.Fatal(err)
	}
	scp, err := oe.orgs.CreatePolicy(ctx, mgmt, orgs.CreatePolicyInput{Name: "no-root-credentials", Description: "no-root-credentials", Type: orgs.TypeSCP,
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:ChangePassword","iam:CreateAccessKey","iam:UploadSigningCertificate","iam:EnableMFADevice","iam:DeactivateMFADevice"],"Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := oe.orgs.AttachPolicy(ctx, mgmt, scp.ID, member); err != nil {
		t.Fatal(err)
	}

	newPw := "Marmalade-Otter-77"
	tests := []struct {
		name, action, path string
		form               url.Values
	}{
		{"change password", "iam:ChangePassword", "/console/security-credentials/password",
			url.Values{"old_password": {memberRootPw}, "new_password": {newPw}, "confirm_password": {newPw}}},
		{"create access key", "iam:CreateAccessKey", "/console/access-keys/create", url.Values{"confirm": {rootuser.RootAccessKeyRisk}}},
		{"upload signing certificate", "iam:UploadSigningCertificate", "/console/certificates/upload",
			url.Values{"certificate": {selfSignedPEM(t)}, "confirm": {rootuser.RootSigningCertificateRisk}}},
		{"register an authenticator app", "iam:EnableMFADevice", "/console/mfa/totp", url.Values{"name": {"second-phone"}}},
		{"remove the MFA device", "iam:DeactivateMFADevice", "/console/mfa/remove", url.Values{"serial": {d.SerialNumber}, "confirm": {d.SerialNumber}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.t = t
			b.get("/console/security-credentials")
			p := b.submit(tc.path, tc.form)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "is not authorized to perform: "+tc.action) ||
				!strings.Contains(p.body, "service control policy") {
				t.Errorf("status %d, want 400 with AWS's AccessDenied for %s by an SCP\n%.1500s", p.status, tc.action, p.body)
			}
		})
	}

	// Nothing changed: the password, the (absent) keys and certificates, the one device.
	other := oe.browser()
	other.t = t
	if p := other.signInRootPassword("guarded@acme.example", memberRootPw); !serialOption.MatchString(p.body) {
		t.Errorf("signing in with the old root password: %d, want the MFA step\n%.1500s", p.status, p.body)
	}
	if keys, err := oe.svc.ListAccessKeys(ctx, member, "", iam.ListOpts{}); err != nil || len(keys.Items) != 0 {
		t.Errorf("root access keys: %+v, %v; want none", keys, err)
	}
	if certs, err := oe.svc.ListSigningCertificates(ctx, member, "", iam.ListOpts{}); err != nil || len(certs.Items) != 0 {
		t.Errorf("root signing certificates: %+v, %v; want none", certs, err)
	}
	if devs, err := oe.root.Devices(ctx, member, ""); err != nil || len(devs) != 1 || devs[0].Serial != d.SerialNumber {
		t.Errorf("root MFA devices: %+v, %v; want only %s", devs, err, d.SerialNumber)
	}
}
