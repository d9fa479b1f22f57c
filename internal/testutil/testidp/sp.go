package testidp

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// The IdP as the identity source of a service provider that starts the sign-in (IAM Identity
// Center with an external identity provider): it reads the SP's HTTP-Redirect AuthnRequest and
// answers it, InResponseTo set, at the SP's ACS.

// MetadataAt is the IdP's metadata with its HTTP-Redirect SingleSignOnService at ssoURL.
func (p *IdP) MetadataAt(ssoURL string) string {
	return strings.Replace(p.Metadata(), "https://"+Host+"/saml/sso", ssoURL, 1)
}

// AuthnRequest is what an SP's HTTP-Redirect AuthnRequest says.
type AuthnRequest struct {
	ID, Issuer, Destination, ACS, IssueInstant string
	RelayState                                 string
	// Signed is whether the redirect carried a Signature and SigAlg.
	Signed bool
}

// ReadAuthnRequest decodes the AuthnRequest of an HTTP-Redirect URL (SAML V2.0 Bindings 3.4.4:
// DEFLATE, base64, URL-encoded).
func ReadAuthnRequest(t testing.TB, redirect string) AuthnRequest {
	t.Helper()
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	raw, err := base64.StdEncoding.DecodeString(q.Get("SAMLRequest"))
	if err != nil {
		t.Fatalf("SAMLRequest is not base64: %v", err)
	}
	xml, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("SAMLRequest is not DEFLATE: %v", err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		t.Fatalf("SAMLRequest is not XML: %v", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "AuthnRequest" {
		t.Fatalf("SAMLRequest is not an AuthnRequest:\n%s", xml)
	}
	r := AuthnRequest{ID: root.SelectAttrValue("ID", ""), Destination: root.SelectAttrValue("Destination", ""),
		ACS: root.SelectAttrValue("AssertionConsumerServiceURL", ""), IssueInstant: root.SelectAttrValue("IssueInstant", ""),
		RelayState: q.Get("RelayState"), Signed: q.Get("Signature") != "" && q.Get("SigAlg") != ""}
	if iss := root.SelectElement("Issuer"); iss != nil {
		r.Issuer = iss.Text()
	}
	return r
}

// SPResponse is a's response to the AuthnRequest inResponseTo (the Response's and the bearer
// confirmation's InResponseTo), its Assertion signed with the IdP's key unless a.Unsigned; wrongKey
// signs it with a key the metadata does not name.
func (p *IdP) SPResponse(t testing.TB, a Assertion, inResponseTo string, wrongKey bool) string {
	t.Helper()
	unsigned := a.Unsigned
	a.Unsigned = true
	key, cert := p.samlKey, p.samlCert
	if wrongKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, cert = k, selfSigned(t, k, "someone else")
	}
	return p.samlResponse(t, a, p.samlKey, p.samlCert, func(doc *etree.Document) {
		resp := doc.Root()
		resp.CreateAttr("InResponseTo", inResponseTo)
		as := resp.SelectElement("Assertion")
		if scd := doc.FindElement("//SubjectConfirmationData"); scd != nil {
			scd.CreateAttr("InResponseTo", inResponseTo)
		}
		if unsigned {
			return
		}
		ctx, err := dsig.NewSigningContext(key, [][]byte{cert})
		if err != nil {
			t.Fatal(err)
		}
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		sig, err := ctx.ConstructSignature(as, true)
		if err != nil {
			t.Fatal(err)
		}
		as.InsertChildAt(1, sig)
	})
}
