package rootuser

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"

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
	creation, ceremony, err := e.svc.BeginWebAuthnRegistration(e.ctx, account, user, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, key.create(creation), e.client)
}

func TestWebAuthnRegistration(t *testing.T) {
	e := newEnv(t)
	creation, ceremony, err := e.svc.BeginWebAuthnRegistration(e.ctx, e.account, "", "yubikey")
	if err != nil {
		t.Fatal(err)
	}
	if creation.Response.AuthenticatorSelection.UserVerification != protocol.VerificationRequired ||
		creation.Response.RelyingParty.ID != "console.rootward.test" || len(creation.Response.CredentialExcludeList) != 0 {
		t.Fatalf("creation options = %+v", creation.Response)
	}
	key := newSoftKey(t)
	d, err := e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, key.create(creation), e.client)
	if err != nil || d.Type != iam.MFAWebAuthn || d.Name != "yubikey" {
		t.Fatalf("FinishWebAuthnRegistration = %+v, %v", d, err)
	}
	// The ceremony token is single-use.
	_, err = e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, key.create(creation), e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)

	cases := []struct {
		name  string
		key   func() *softKey
		delay time.Duration
		code  awserr.Code
	}{
		{"same key again", func() *softKey { return key }, 0, awserr.EntityAlreadyExists},
		{"no user verification", func() *softKey { k := newSoftKey(t); k.uv = false; return k }, 0, awserr.InvalidInput},
		{"another origin", func() *softKey { k := newSoftKey(t); k.origin = "https://evil.test"; return k }, 0, awserr.InvalidInput},
		{"ceremony older than five minutes", func() *softKey { return newSoftKey(t) }, 5*time.Minute + time.Second, awserr.ExpiredToken},
		{"a second key", func() *softKey { return newSoftKey(t) }, 0, ""},
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
			_, err = e.svc.FinishWebAuthnRegistration(e.ctx, ceremony, tc.key().create(creation), e.client)
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Two keys registered and one refused by IAM as a duplicate; answers that do not verify never
	// reach IAM.
	if n := len(e.events("EnableMFADevice")); n != 3 {
		t.Fatalf("EnableMFADevice events: %d, want 3", n)
	}
}
