// Package testidp is an identity provider for federation tests: it issues SAML 2.0 responses
// signed with a test key (and the metadata document that names its certificate), and OpenID
// Connect ID tokens signed with test keys (RS256 and ES256), serving its discovery document and
// JWKS over HTTPS under a test CA.
//
// The HTTPS side answers for the host name idp.test on a local listener; Client is an http.Client
// that trusts the test CA and dials the listener whatever the host, so a server under test is
// given Client (Rootward's server.Config.WebIdentityClient) instead of its default client, whose
// trust store is the system's (and SSL_CERT_FILE's). CAPEM is the CA, for tests that want a file.
package testidp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/golang-jwt/jwt/v5"
	dsig "github.com/russellhaering/goxmldsig"
)

// Host is the host name the IdP's HTTPS server answers for.
const Host = "idp.test"

// AWS's SAML endpoint: the Audience and Recipient/Destination AWS expects (IAM User Guide,
// "Configure SAML assertions for the authentication response").
const (
	AWSAudience   = "https://signin.aws.amazon.com/saml"
	RoleAttr      = "https://aws.amazon.com/SAML/Attributes/Role"
	SessionAttr   = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	DurationAttr  = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	SourceIDAttr  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	PrincipalTag  = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	TransitiveTag = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
)

// IdP is a running test identity provider.
type IdP struct {
	// EntityID is the SAML entity ID (the Issuer of its responses).
	EntityID string
	// Issuer is the OpenID Connect issuer, https://idp.test/PATH.
	Issuer string
	// Client trusts the test CA and reaches the IdP's server for any host.
	Client *http.Client
	// CAPEM is the test CA's certificate.
	CAPEM []byte

	samlKey  *rsa.PrivateKey
	samlCert []byte // DER
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	srv      *httptest.Server

	mu       sync.Mutex
	jwksHits int
	down     bool
}

// New starts an IdP whose OIDC issuer is https://idp.test/path ("" for none); it stops when the
// test ends.
func New(t testing.TB, path string) *IdP {
	t.Helper()
	p := &IdP{EntityID: "https://" + Host + "/saml/metadata", Issuer: "https://" + Host + path}
	var err error
	if p.samlKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	p.samlCert = selfSigned(t, p.samlKey, "test idp signing")
	if p.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if p.ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "testidp CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: Host}, DNSNames: []string{Host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})

	mux := http.NewServeMux()
	mux.HandleFunc(strings.TrimSuffix(path, "/")+"/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("/jwks", p.jwks)
	p.srv = httptest.NewUnstartedServer(mux)
	p.srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	addr := p.srv.Listener.Addr().String()
	p.Client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
	return p
}

func selfSigned(t testing.TB, key crypto.Signer, cn string) []byte {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// SetDown makes the IdP's HTTPS endpoints answer 503 (true) or serve again (false).
func (p *IdP) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

// JWKSFetches is how many times the JWKS was fetched.
func (p *IdP) JWKSFetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jwksHits
}

func (p *IdP) isDown() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

func (p *IdP) discovery(w http.ResponseWriter, _ *http.Request) {
	if p.isDown() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer": p.Issuer, "jwks_uri": "https://" + Host + "/jwks",
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *IdP) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.jwksHits++
	p.mu.Unlock()
	if p.isDown() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	ecX, ecY := p.ecKey.X.FillBytes(make([]byte, 32)), p.ecKey.Y.FillBytes(make([]byte, 32))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": b64(p.rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(p.rsaKey.E)).Bytes())},
		{"kty": "EC", "kid": "ec1", "use": "sig", "alg": "ES256", "crv": "P-256", "x": b64(ecX), "y": b64(ecY)},
	}})
}

// Claims are an ID token's claims.
type Claims map[string]any

// Standard returns the claims of a token of the IdP for subject sub and audience aud, issued at
// now and valid for an hour.
func (p *IdP) Standard(sub, aud string, now time.Time) Claims {
	return Claims{"iss": p.Issuer, "sub": sub, "aud": aud, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// Token signs claims with the IdP's RS256 key ("RS256") or ES256 key ("ES256").
func (p *IdP) Token(t testing.TB, alg string, c Claims) string {
	t.Helper()
	var method jwt.SigningMethod
	var key any
	var kid string
	switch alg {
	case "RS256":
		method, key, kid = jwt.SigningMethodRS256, p.rsaKey, "rsa1"
	case "ES256":
		method, key, kid = jwt.SigningMethodES256, p.ecKey, "ec1"
	default:
		t.Fatalf("testidp: no key for %s", alg)
	}
	return sign(t, method, key, kid, c)
}

// Forged signs claims with a fresh RSA key under the kid of the IdP's RS256 key: a token that
// names a key of the IdP but was not signed by it.
func (p *IdP) Forged(t testing.TB, c Claims) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return sign(t, jwt.SigningMethodRS256, k, "rsa1", c)
}

// Unsigned is the token with alg "none".
func (p *IdP) Unsigned(t testing.TB, c Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(c))
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, c Claims) string {
	tok := jwt.NewWithClaims(m, jwt.MapClaims(c))
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Metadata is the IdP's SAML metadata document, naming its signing certificate.
func (p *IdP) Metadata() string {
	return metadata(p.EntityID, p.samlCert)
}

func metadata(entityID string, cert []byte) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://%s/saml/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, entityID, base64.StdEncoding.EncodeToString(cert), Host)
}

// Assertion describes a SAML response to issue. Zero values take defaults: Audience, Recipient
// and Destination AWS's endpoint, NotBefore now less a minute, NotOnOrAfter now plus five
// minutes, Issuer the IdP's entity ID, NameIDFormat persistent.
type Assertion struct {
	Now          time.Time
	Subject      string
	NameIDFormat string
	// Roles are the values of the Role attribute, "ROLE_ARN,PROVIDER_ARN" (either order).
	Roles       []string
	SessionName string
	// Attributes are further attributes by name (SessionDuration, PrincipalTag:…, …).
	Attributes   map[string][]string
	Audience     string
	Recipient    string
	Destination  string
	Issuer       string
	NotBefore    time.Time
	NotOnOrAfter time.Time
	// SignResponse signs the Response element instead of the Assertion.
	SignResponse bool
	// Unsigned leaves the response unsigned.
	Unsigned bool
}

// SAMLResponse is the base64 SAMLResponse of a, signed with the IdP's key.
func (p *IdP) SAMLResponse(t testing.TB, a Assertion) string {
	t.Helper()
	return p.samlResponse(t, a, p.samlKey, p.samlCert, nil)
}

// SAMLResponseWrongKey is a, signed with a key the metadata does not name (its certificate in
// the signature's KeyInfo).
func (p *IdP) SAMLResponseWrongKey(t testing.TB, a Assertion) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return p.samlResponse(t, a, k, selfSigned(t, k, "someone else"), nil)
}

// SAMLResponseTampered is a signed with the IdP's key, then altered: the subject replaced by
// tamper after signing.
func (p *IdP) SAMLResponseTampered(t testing.TB, a Assertion, tamper string) string {
	t.Helper()
	return p.samlResponse(t, a, p.samlKey, p.samlCert, func(doc *etree.Document) {
		for _, el := range doc.FindElements("//NameID") {
			el.SetText(tamper)
		}
	})
}

// SAMLResponseWrapped is a signed with the IdP's key, with a forged unsigned copy of the
// assertion, naming subject, put before the signed one: a signature-wrapping attack.
func (p *IdP) SAMLResponseWrapped(t testing.TB, a Assertion, subject string) string {
	t.Helper()
	return p.samlResponse(t, a, p.samlKey, p.samlCert, func(doc *etree.Document) {
		signed := doc.FindElement("//Assertion")
		forged := signed.Copy()
		for _, sig := range forged.SelectElements("Signature") {
			forged.RemoveChild(sig)
		}
		for _, el := range forged.FindElements(".//NameID") {
			el.SetText(subject)
		}
		forged.CreateAttr("ID", "_forged")
		signed.Parent().InsertChildAt(signed.Index(), forged)
	})
}

func (p *IdP) samlResponse(t testing.TB, a Assertion, key *rsa.PrivateKey, cert []byte, after func(*etree.Document)) string {
	now := a.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&a.Audience, AWSAudience)
	def(&a.Recipient, AWSAudience)
	def(&a.Destination, AWSAudience)
	def(&a.Issuer, p.EntityID)
	def(&a.NameIDFormat, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
	if a.NotBefore.IsZero() {
		a.NotBefore = now.Add(-time.Minute)
	}
	if a.NotOnOrAfter.IsZero() {
		a.NotOnOrAfter = now.Add(5 * time.Minute)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
	resp.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	resp.CreateAttr("ID", "_r"+randHex())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", ts(now))
	resp.CreateAttr("Destination", a.Destination)
	resp.CreateElement("saml:Issuer").SetText(a.Issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")

	as := resp.CreateElement("saml:Assertion")
	as.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	as.CreateAttr("ID", "_a"+randHex())
	as.CreateAttr("Version", "2.0")
	as.CreateAttr("IssueInstant", ts(now))
	as.CreateElement("saml:Issuer").SetText(a.Issuer)
	subj := as.CreateElement("saml:Subject")
	nid := subj.CreateElement("saml:NameID")
	nid.CreateAttr("Format", a.NameIDFormat)
	nid.SetText(a.Subject)
	sc := subj.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(a.NotOnOrAfter))
	scd.CreateAttr("Recipient", a.Recipient)
	cond := as.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(a.NotBefore))
	cond.CreateAttr("NotOnOrAfter", ts(a.NotOnOrAfter))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(a.Audience)
	an := as.CreateElement("saml:AuthnStatement")
	an.CreateAttr("AuthnInstant", ts(now))
	an.CreateAttr("SessionIndex", "_s"+randHex())
	an.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	st := as.CreateElement("saml:AttributeStatement")
	attr := func(name string, values []string) {
		at := st.CreateElement("saml:Attribute")
		at.CreateAttr("Name", name)
		for _, v := range values {
			at.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	if len(a.Roles) > 0 {
		attr(RoleAttr, a.Roles)
	}
	if a.SessionName != "" {
		attr(SessionAttr, []string{a.SessionName})
	}
	for name, vs := range a.Attributes {
		attr(name, vs)
	}

	if !a.Unsigned {
		ctx, err := dsig.NewSigningContext(key, [][]byte{cert})
		if err != nil {
			t.Fatal(err)
		}
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		target := as
		if a.SignResponse {
			target = resp
		}
		sig, err := ctx.ConstructSignature(target, true)
		if err != nil {
			t.Fatal(err)
		}
		// The schema puts the Signature right after the Issuer.
		target.InsertChildAt(1, sig)
	}
	if after != nil {
		after(doc)
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func randHex() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
