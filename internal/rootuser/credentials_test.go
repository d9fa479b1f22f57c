package rootuser

import (
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

func TestRootAccessKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.principal()
	testutil.WantCode(t, e.svc.SetSecurityContact(e.ctx, root, &Contact{Name: "Sec", EmailAddress: securityMail}, e.client), "")
	if f, err := e.svc.RootCredentials(e.ctx, e.account); err != nil || f.Present() {
		t.Fatalf("a new root user has credentials: %+v, %v", f, err)
	}
	user := &Principal{Account: e.account, UserName: "admin", ARN: "arn:aws:iam::" + e.account + ":user/admin"}
	cases := []struct {
		name, confirm string
		code          awserr.Code
		p             *Principal
	}{
		{"IAM user", RootAccessKeyRisk, awserr.AccessDenied, user},
		{"no confirmation", "", awserr.InvalidInput, root},
		{"a confirmation that does not name the risk", "yes", awserr.InvalidInput, root},
		{"confirmed", RootAccessKeyRisk, "", root},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateRootAccessKey(e.ctx, tc.p, tc.confirm, e.client)
			testutil.WantCode(t, err, tc.code)
		})
	}
	f, _ := e.svc.RootCredentials(e.ctx, e.account)
	if !f.Present() || len(f.AccessKeyIDs) != 1 {
		t.Fatalf("flags = %+v", f)
	}
	id := f.AccessKeyIDs[0]
	// The key works as the root user's.
	k, owner, err := e.iam.AccessKey(e.ctx, id)
	if err != nil || k.UserName != "" || k.Account != e.account || owner != nil {
		t.Fatalf("AccessKey = %+v, %+v, %v", k, owner, err)
	}
	evs := e.events("CreateAccessKey")
	if len(evs) != 1 {
		t.Fatalf("%d CreateAccessKey events", len(evs))
	}
	ev := evs[0]
	ak, _ := ev.ResponseElements["accessKey"].(map[string]any)
	if ev.UserIdentity.Type != "Root" || ev.EventType != trail.AwsAPICall || ev.AdditionalEventData["Severity"] != SeverityHigh ||
		ak["accessKeyId"] != id || ak["secretAccessKey"] != trail.Hidden {
		t.Fatalf("event = %+v", ev)
	}
	for _, to := range []string{rootEmail, securityMail} {
		if m := e.lastMessage(to, PurposeRootCredential); !strings.Contains(m.Body, id) {
			t.Fatalf("alert to %s = %q", to, m.Body)
		}
	}
	// Two keys at most, as for IAM users.
	if _, err := e.svc.CreateRootAccessKey(e.ctx, root, RootAccessKeyRisk, e.client); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateRootAccessKey(e.ctx, root, RootAccessKeyRisk, e.client)
	testutil.WantCode(t, err, awserr.LimitExceeded)
	f, _ = e.svc.RootCredentials(e.ctx, e.account)
	for _, id := range f.AccessKeyIDs {
		testutil.WantCode(t, e.svc.DeleteRootAccessKey(e.ctx, root, id, e.client), "")
	}
	testutil.WantCode(t, e.svc.DeleteRootAccessKey(e.ctx, root, id, e.client), awserr.NoSuchEntity)
	if f, _ := e.svc.RootCredentials(e.ctx, e.account); f.Present() {
		t.Fatalf("flags after deletion = %+v", f)
	}

	// Signing certificates: the same confirmation rule and flag.
	_, err = e.svc.UploadRootSigningCertificate(e.ctx, root, testutil.SelfSignedPEM(t, "root"), RootAccessKeyRisk, e.client)
	testutil.WantCode(t, err, awserr.InvalidInput)
	cert, err := e.svc.UploadRootSigningCertificate(e.ctx, root, testutil.SelfSignedPEM(t, "root"), RootSigningCertificateRisk, e.client)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := e.svc.RootCredentials(e.ctx, e.account); len(f.CertificateIDs) != 1 || !f.Present() {
		t.Fatalf("flags = %+v", f)
	}
	if evs := e.events("UploadSigningCertificate"); len(evs) != 1 || evs[0].AdditionalEventData["Severity"] != SeverityHigh {
		t.Fatalf("certificate events = %+v", evs)
	}
	testutil.WantCode(t, e.svc.DeleteRootSigningCertificate(e.ctx, root, cert.CertificateID, e.client), "")
	if f, _ := e.svc.RootCredentials(e.ctx, e.account); f.Present() {
		t.Fatal("certificate still flagged")
	}
	_, err = e.svc.UploadRootSigningCertificate(e.ctx, user, testutil.SelfSignedPEM(t, "root"), RootSigningCertificateRisk, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
}

func TestAccountDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.principal()
	if _, err := e.iam.CreateAccount(e.ctx, "Other", "other@example.com", ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		code awserr.Code
	}{
		{"phone in national format", func() error { return e.svc.SetPhone(e.ctx, root, "555-0100", e.client) }, awserr.InvalidInput},
		{"phone", func() error { return e.svc.SetPhone(e.ctx, root, "+15555550100", e.client) }, ""},
		{"contact without email", func() error {
			return e.svc.SetSecurityContact(e.ctx, root, &Contact{Name: "Sec"}, e.client)
		}, awserr.InvalidInput},
		{"contact", func() error {
			return e.svc.SetSecurityContact(e.ctx, root, &Contact{Name: "Sec", Title: "CISO", EmailAddress: securityMail, PhoneNumber: securitySMS}, e.client)
		}, ""},
		{"empty account name", func() error { return e.svc.SetAccountName(e.ctx, root, " ", e.client) }, awserr.InvalidInput},
		{"account name", func() error { return e.svc.SetAccountName(e.ctx, root, "Example Production", e.client) }, ""},
		{"email without the password", func() error { return e.svc.SetRootEmail(e.ctx, root, "new@example.com", "wrong", e.client) }, awserr.AccessDenied},
		{"email of another account, other case", func() error {
			return e.svc.SetRootEmail(e.ctx, root, "OTHER@example.com", rootPass, e.client)
		}, awserr.EntityAlreadyExists},
		{"email", func() error { return e.svc.SetRootEmail(e.ctx, root, "new-root@example.com", rootPass, e.client) }, ""},
		{"IAM users cannot", func() error {
			return e.svc.SetPhone(e.ctx, &Principal{Account: e.account, UserName: "admin"}, "+15555550101", e.client)
		}, awserr.AccessDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.run(), tc.code) })
	}
	d, err := e.svc.AccountDetails(e.ctx, e.account)
	if err != nil || d.AccountName != "Example Production" || d.Email != "new-root@example.com" || d.Phone != "+15555550100" ||
		d.SecurityContact == nil || d.SecurityContact.Title != "CISO" {
		t.Fatalf("AccountDetails = %+v, %v", d, err)
	}
	// Both the old and the new address heard of the change; sign-in uses the new one.
	for _, to := range []string{rootEmail, "new-root@example.com"} {
		e.lastMessage(to, "root-email-changed")
	}
	if a, err := e.iam.AccountByRootEmail(e.ctx, "new-root@example.com"); err != nil || a.ID != e.account {
		t.Fatalf("AccountByRootEmail(new) = %+v, %v", a, err)
	}
	if len(e.events("PutAlternateContact")) != 1 || len(e.events("PutContactInformation")) != 1 {
		t.Fatal("contact changes not recorded")
	}
	testutil.WantCode(t, e.svc.SetSecurityContact(e.ctx, root, nil, e.client), "")
	if d, _ := e.svc.AccountDetails(e.ctx, e.account); d.SecurityContact != nil {
		t.Fatal("contact not removed")
	}
}

func TestNormalizeAndCheckPhone(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"+15555550100", "+15555550100", true},
		{" +1 (555) 555-0100 ", "+15555550100", true},
		{"+44 20 7946 0958", "+442079460958", true},
		{"15555550100", "15555550100", false},
		{"555-0100", "555-0100", false},
		{"+1 555 CALL-NOW", "+1555CALLNOW", false},
		{"+0123456789", "+0123456789", false},
		{"+1234567", "+1234567", false},
		{"+1234567890123456", "+1234567890123456", false},
		{"", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := NormalizePhone(tc.in)
			if got != tc.want {
				t.Fatalf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if err := CheckPhone(got); (err == nil) != tc.ok {
				t.Fatalf("CheckPhone(%q) = %v, want ok %t", got, err, tc.ok)
			}
			if !tc.ok && !awserr.IsCode(CheckPhone(got), awserr.InvalidInput) {
				t.Fatalf("CheckPhone(%q): want InvalidInput", got)
			}
		})
	}
}
