package rootuser

import (
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser/webauthntest"
	"github.com/rootward/rootward/internal/testutil"
)

func TestWebAuthnRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creation, ceremony, err := e.svc.BeginWebAuthnRegistration(e.ctx, e.account, "", "yubikey")
	if err != nil {
		t.Fatal(err)
	}
	if creation.Response.AuthenticatorSelection.UserVerification != protocol.VerificationRequired ||
		creation.Response.RelyingParty.ID != "console.rootward.test" || len(creation.Response.CredentialExcludeList) != 0 {
		t.Fatalf("creation options = %+v", creation.Response)
	}
	key := webauthntest.New(t, consoleURL)
	d, err := e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, key.Create(creation), e.client)
	if err != nil || d.Type != iam.MFAWebAuthn || d.Name != "yubikey" {
		t.Fatalf("FinishWebAuthnRegistration = %+v, %v", d, err)
	}
	// The ceremony token is single-use.
	_, err = e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, key.Create(creation), e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)

	cases := []struct {
		name  string
		key   func() *webauthntest.Key
		delay time.Duration
		code  awserr.Code
	}{
		{"same key again", func() *webauthntest.Key { return key }, 0, awserr.EntityAlreadyExists},
		{"no user verification", func() *webauthntest.Key { k := webauthntest.New(t, consoleURL); k.UV = false; return k }, 0, awserr.InvalidInput},
		{"another origin", func() *webauthntest.Key { return webauthntest.New(t, "https://evil.test") }, 0, awserr.InvalidInput},
		{"ceremony older than five minutes", func() *webauthntest.Key { return webauthntest.New(t, consoleURL) }, 5*time.Minute + time.Second, awserr.ExpiredToken},
		{"a second key", func() *webauthntest.Key { return webauthntest.New(t, consoleURL) }, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			creation, ceremony, err := e.svc.BeginWebAuthnRegistration(e.ctx, e.account, "", "key")
			if err != nil {
				t.Fatal(err)
			}
			// Keys already registered are excluded, so a browser refuses to register them twice.
			devices, _ := e.svc.Devices(e.ctx, e.account, "")
			if len(creation.Response.CredentialExcludeList) != len(devices) {
				t.Fatalf("%d keys excluded, %d registered", len(creation.Response.CredentialExcludeList), len(devices))
			}
			e.clock.Advance(tc.delay)
			_, err = e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, tc.key().Create(creation), e.client)
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Two keys registered and one refused by IAM as a duplicate; answers that do not verify never
	// reach IAM.
	if n := len(e.events("EnableMFADevice")); n != 3 {
		t.Fatalf("EnableMFADevice events: %d, want 3", n)
	}
}
