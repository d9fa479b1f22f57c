package iam

import (
	"crypto/x509"
	"net/url"
)

// mdSSO is a SingleSignOnService endpoint of an IDPSSODescriptor: its binding and location.
type mdSSO struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// BindingRedirect is SAML 2.0's HTTP-Redirect binding (SAML V2.0 Bindings, section 3.4).
const BindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

// SAMLIdP is what a service provider needs of an identity provider's metadata: its entity ID,
// its signing certificates and the URL its HTTP-Redirect SingleSignOnService answers at.
type SAMLIdP struct {
	EntityID string
	Certs    []*x509.Certificate
	SSOURL   string
}

// ParseSAMLIdP reads an identity provider's metadata document as CreateSAMLProvider validates
// one (parseSAMLMetadata: an entityID, an IDPSSODescriptor with a signing certificate), and
// requires, beside, a SingleSignOnService with the HTTP-Redirect binding at an http(s) URL: a
// service provider that starts the sign-in (IAM Identity Center with an external identity
// provider) sends its AuthnRequest there. Returns InvalidInput "Could not parse metadata".
func ParseSAMLIdP(doc string) (*SAMLIdP, error) {
	if len(doc) > samlMetadataMax {
		return nil, errMetadata
	}
	md, err := parseSAMLMetadata(doc)
	if err != nil {
		return nil, err
	}
	for _, e := range md.sso {
		u, err := url.Parse(e.Location)
		if e.Binding != BindingRedirect || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
			continue
		}
		return &SAMLIdP{EntityID: md.entityID, Certs: md.certs, SSOURL: e.Location}, nil
	}
	return nil, errMetadata
}
