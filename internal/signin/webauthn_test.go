package signin

import (
	"testing"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser/webauthntest"
	"github.com/rootward/rootward/internal/testutil"
)

// register runs a registration ceremony with key and returns the device or the error.
func (e *env) register(account, user, name string, key *webauthntest.Key) (*Device, error) {
	e.t.Helper()
	creation, ceremony, err := e.root.BeginWebAuthnRegistration(e.ctx, account, user, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.root.FinishWebAuthnRegistration(e.ctx, ceremony, key.Create(creation), e.client)
}

func TestWebAuthnSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := webauthntest.New(t, consoleURL)
	d, err := e.register(e.account, "", "passkey", key)
	if err != nil {
		t.Fatal(err)
	}
	assert := func(p *Pending, k *webauthntest.Key) (*Pending, error) {
		a, err := e.svc.BeginWebAuthnMFA(e.ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		if a.Response.UserVerification != protocol.VerificationRequired || len(a.Response.AllowedCredentials) != 1 {
			t.Fatalf("assertion options = %+v", a.Response)
		}
		return e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{WebAuthn: k.Get(a)}, e.client)
	}
	p := e.signInRoot(StepMFA)
	if len(p.Devices) != 1 || p.Devices[0].Type != iam.MFAWebAuthn {
		t.Fatalf("devices = %+v", p.Devices)
	}
	done, err := assert(p, key)
	if err != nil || done.Next != StepDone || done.Principal.MFASerial != d.Serial {
		t.Fatalf("passkey sign-in = %+v, %v", done, err)
	}

	// An answer to one challenge does not open another sign-in.
	p1 := e.signInRoot(StepMFA)
	a1, _ := e.svc.BeginWebAuthnMFA(e.ctx, p1.Token)
	stale := key.Get(a1)
	p2 := e.signInRoot(StepMFA)
	if _, err := e.svc.BeginWebAuthnMFA(e.ctx, p2.Token); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CompleteMFA(e.ctx, p2.Token, MFAResponse{WebAuthn: stale}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)

	// Without user verification the assertion is refused.
	key.UV = false
	_, err = assert(e.signInRoot(StepMFA), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	key.UV = true
	// A signature counter that goes backwards betrays a cloned key.
	key.Counter = 0
	_, err = assert(e.signInRoot(StepMFA), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	key.Counter = 100
	if _, err := assert(e.signInRoot(StepMFA), key); err != nil {
		t.Fatalf("sign-in after the counter moved on: %v", err)
	}
	// A key that is not registered is refused.
	_, err = assert(e.signInRoot(StepMFA), webauthntest.New(t, consoleURL))
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// A WebAuthn answer without BeginWebAuthnMFA is refused.
	_, err = e.svc.CompleteMFA(e.ctx, e.signInRoot(StepMFA).Token, MFAResponse{WebAuthn: []byte(`{}`)}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
}

// IAM users register keys and sign in with them the same way.
func TestWebAuthnIAMUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	key := webauthntest.New(t, consoleURL)
	d, err := e.register(e.account, "alice", "laptop", key)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.BeginUserSignIn(e.ctx, e.account, "alice", "Alice-Pass-1", e.client)
	if err != nil || p.Next != StepMFA {
		t.Fatalf("BeginUserSignIn = %+v, %v", p, err)
	}
	a, err := e.svc.BeginWebAuthnMFA(e.ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{WebAuthn: key.Get(a)}, e.client)
	if err != nil || done.Principal.UserName != "alice" || done.Principal.MFASerial != d.Serial {
		t.Fatalf("CompleteMFA = %+v, %v", done, err)
	}
	// The root user's keys and Alice's are separate: the root user has none.
	_, err = e.svc.BeginWebAuthnMFA(e.ctx, "")
	testutil.WantCode(t, err, awserr.ExpiredToken)
	testutil.WantCode(t, e.root.RemoveDevice(e.ctx, e.account, "alice", d.Serial, e.client), "")
	if p, _ := e.svc.BeginUserSignIn(e.ctx, e.account, "alice", "Alice-Pass-1", e.client); p.Next != StepDone {
		t.Fatalf("after removal: %s", p.Next)
	}
}
