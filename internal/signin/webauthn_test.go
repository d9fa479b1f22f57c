package signin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
)

// softKey is a software FIDO2 authenticator: it answers navigator.credentials.create() and get()
// with "none" attestation and ES256 signatures, as a browser would pass them on, so the tests
// drive the real WebAuthn verification end to end.
type softKey struct {
	t       *testing.T
	priv    *ecdsa.PrivateKey
	id      []byte
	counter uint32
	// uv is whether the key reports user verification (a PIN or a fingerprint).
	uv     bool
	origin string
}

func newSoftKey(t *testing.T) *softKey {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softKey{t: t, priv: priv, id: id, uv: true, origin: consoleURL}
}

var b64 = base64.RawURLEncoding

func (k *softKey) clientData(typ string, challenge protocol.URLEncodedBase64) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": b64.EncodeToString(challenge), "origin": k.origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash ‖ flags ‖ signCount ‖ attested credential data (WebAuthn §6.1).
func (k *softKey) authData(rpID string, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := byte(0x01) // UP
	if k.uv {
		flags |= 0x04 // UV
	}
	if attested != nil {
		flags |= 0x40 // AT
	}
	k.counter++
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.counter)
	return append(out, attested...)
}

func (k *softKey) create(c *protocol.CredentialCreation) []byte {
	k.t.Helper()
	// The uncompressed point is 0x04 ‖ x ‖ y (SEC 1 §2.3.3).
	point, err := k.priv.PublicKey.Bytes()
	if err != nil {
		k.t.Fatal(err)
	}
	x, y := point[1:33], point[33:]
	// COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y (RFC 9053).
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		k.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: zero, as "none" attestation allows
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(c.Response.RelyingParty.ID, attested)})
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", c.Response.Challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"usb"},
		},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

func (k *softKey) get(a *protocol.CredentialAssertion) []byte {
	k.t.Helper()
	cd := k.clientData("webauthn.get", a.Response.Challenge)
	ad := k.authData(a.Response.RelyingPartyID, nil)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
		},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

// register runs a registration ceremony with key and returns the device or the error.
func (e *env) register(account, user, name string, key *softKey) (*Device, error) {
	e.t.Helper()
	creation, ceremony, err := e.root.BeginWebAuthnRegistration(e.ctx, account, user, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.root.FinishWebAuthnRegistration(e.ctx, ceremony, key.create(creation), e.client)
}

func TestWebAuthnSignIn(t *testing.T) {
	e := newEnv(t)
	key := newSoftKey(t)
	d, err := e.register(e.account, "", "passkey", key)
	if err != nil {
		t.Fatal(err)
	}
	assert := func(p *Pending, k *softKey) (*Pending, error) {
		a, err := e.svc.BeginWebAuthnMFA(e.ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		if a.Response.UserVerification != protocol.VerificationRequired || len(a.Response.AllowedCredentials) != 1 {
			t.Fatalf("assertion options = %+v", a.Response)
		}
		return e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{WebAuthn: k.get(a)}, e.client)
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
	stale := key.get(a1)
	p2 := e.signInRoot(StepMFA)
	if _, err := e.svc.BeginWebAuthnMFA(e.ctx, p2.Token); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CompleteMFA(e.ctx, p2.Token, MFAResponse{WebAuthn: stale}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)

	// Without user verification the assertion is refused.
	key.uv = false
	_, err = assert(e.signInRoot(StepMFA), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	key.uv = true
	// A signature counter that goes backwards betrays a cloned key.
	key.counter = 0
	_, err = assert(e.signInRoot(StepMFA), key)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	key.counter = 100
	if _, err := assert(e.signInRoot(StepMFA), key); err != nil {
		t.Fatalf("sign-in after the counter moved on: %v", err)
	}
	// A key that is not registered is refused.
	_, err = assert(e.signInRoot(StepMFA), newSoftKey(t))
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// A WebAuthn answer without BeginWebAuthnMFA is refused.
	_, err = e.svc.CompleteMFA(e.ctx, e.signInRoot(StepMFA).Token, MFAResponse{WebAuthn: []byte(`{}`)}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
}

// IAM users register keys and sign in with them the same way.
func TestWebAuthnIAMUser(t *testing.T) {
	e := newEnv(t)
	if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	key := newSoftKey(t)
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
	done, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{WebAuthn: key.get(a)}, e.client)
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
