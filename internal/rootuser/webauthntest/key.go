// Package webauthntest is a software FIDO2 authenticator for the tests of the packages that
// register and check security keys (internal/rootuser, internal/signin). Test support only.
package webauthntest

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
)

// Key is a software FIDO2 authenticator: it answers navigator.credentials.create() and get()
// with "none" attestation and ES256 signatures, as a browser would pass them on, so the tests
// drive the real WebAuthn verification end to end.
type Key struct {
	t    testing.TB
	priv *ecdsa.PrivateKey
	id   []byte
	// Counter is the signature counter the next answer reports, less one.
	Counter uint32
	// UV is whether the key reports user verification (a PIN or a fingerprint); true from New.
	UV     bool
	origin string
}

// New returns a key that answers for pages of origin ("https://console.example.test").
func New(t testing.TB, origin string) *Key {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &Key{t: t, priv: priv, id: id, UV: true, origin: origin}
}

var b64 = base64.RawURLEncoding

func (k *Key) clientData(typ string, challenge protocol.URLEncodedBase64) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": b64.EncodeToString(challenge), "origin": k.origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash ‖ flags ‖ signCount ‖ attested credential data (WebAuthn §6.1).
func (k *Key) authData(rpID string, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := byte(0x01) // UP
	if k.UV {
		flags |= 0x04 // UV
	}
	if attested != nil {
		flags |= 0x40 // AT
	}
	k.Counter++
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.Counter)
	return append(out, attested...)
}

// Create answers navigator.credentials.create() for the options c: the JSON of the
// PublicKeyCredential a browser would post.
func (k *Key) Create(c *protocol.CredentialCreation) []byte {
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

// Get answers navigator.credentials.get() for the options a: the JSON of the PublicKeyCredential
// a browser would post.
func (k *Key) Get(a *protocol.CredentialAssertion) []byte {
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
