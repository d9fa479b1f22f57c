package sts

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/rootward/rootward/internal/awserr"
)

// AssumeRoleWithSAML's assertion rules: a base64 SAML 2.0 Response whose Response or Assertion
// carries an enveloped XML signature by a certificate of the SAML provider's metadata, verified
// with goxmldsig (its canonicalization, not ours); claims are read only from the element the
// signature covers, as goxmldsig returns it, never from the document as received (the defence
// against signature wrapping). The rules of the IAM User Guide, "Configure SAML assertions for the
// authentication response": the Issuer is the provider's entityID; an AudienceRestriction names
// https://signin.aws.amazon.com/saml (or the region's https://REGION.signin.aws.amazon.com/saml,
// or urn:amazon:webservices); the SubjectConfirmationData's Recipient (and the Response's
// Destination, when set) is such an endpoint; NotBefore and NotOnOrAfter hold now; the attribute
// https://aws.amazon.com/SAML/Attributes/Role pairs role and provider ARNs; RoleSessionName,
// SessionDuration, SourceIdentity, PrincipalTag:KEY and TransitiveTagKeys are the optional
// attributes.
//
// AWS's messages for refused assertions are not documented; Rootward answers InvalidIdentityToken
// with a message naming what failed ("Response signature invalid", "Invalid SAML response: …"),
// ExpiredTokenException "Token has expired" past NotOnOrAfter, and IDPRejectedClaim when the
// identity provider's Status is not Success — its own choices.

const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"

	samlAttrPrefix = "https://aws.amazon.com/SAML/Attributes/"
	// SAMLAssertionMax is the longest SAMLAssertion STS takes (STS API Reference: 4–100,000).
	SAMLAssertionMax = 100000
	// samlSkew is the clock difference tolerated before NotBefore.
	samlSkew = time.Minute
)

var (
	regionalSignIn = regexp.MustCompile(`^https://[a-z0-9-]+\.signin\.aws\.amazon\.com/saml$`)
	errSAMLSig     = awserr.New(awserr.InvalidIdentityToken, "Response signature invalid")
)

func samlInvalid(what string) error {
	return awserr.New(awserr.InvalidIdentityToken, "Invalid SAML response: %s", what)
}

// SAMLRole is one value of the Role attribute: a role and the provider it may be assumed through.
type SAMLRole struct{ Role, Provider string }

// SAMLClaims are what STS reads from a verified SAML response.
type SAMLClaims struct {
	Issuer      string
	Subject     string
	SubjectType string // "persistent", "transient", or the NameID Format's full URI
	Recipient   string // the saml:aud key and the Audience output
	Roles       []SAMLRole
	SessionName string
	// SessionDuration is the SessionDuration attribute, 0 when absent.
	SessionDuration int
	SourceIdentity  string
	Tags            map[string]string
	Transitive      []string
	// SessionNotOnOrAfter bounds the session, zero when the AuthnStatement sets none.
	SessionNotOnOrAfter time.Time
	// AssertionID is the Assertion's ID, which a service provider accepts once, until
	// NotOnOrAfter: the earliest of the Conditions' and the bearer confirmation's (zero when
	// neither sets one).
	AssertionID  string
	NotOnOrAfter time.Time
}

// NameQualifier is the hash AWS derives for a provider's subjects: base64 of the SHA-1 of the
// Issuer, the account ID, "/" and the provider's name (IAM User Guide, "Configure SAML assertions",
// saml:namequalifier). It is a public identifier, not a secret, so SHA-1 is what must be computed.
func NameQualifier(issuer, account, providerName string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + providerName))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// signInEndpoint reports whether v is AWS's SAML endpoint, global or regional.
func signInEndpoint(v string) bool {
	return v == "https://signin.aws.amazon.com/saml" || regionalSignIn.MatchString(v)
}

// VerifySAMLResponse decodes the base64 response, verifies its signature against certs and its
// conditions at now, and returns its claims. Returns InvalidIdentityToken, ExpiredTokenException,
// IDPRejectedClaim.
func VerifySAMLResponse(b64 string, certs []*x509.Certificate, issuer string, now time.Time) (*SAMLClaims, error) {
	c, err := verifySAML(b64, certs, issuer, now, awsTarget)
	if err != nil {
		return nil, err
	}
	if c.SessionName == "" {
		return nil, samlInvalid("RoleSessionName is required in AuthnResponse")
	}
	if len(c.Roles) == 0 {
		return nil, samlInvalid("no Role attribute")
	}
	return c, nil
}

// samlTarget is who a response must be addressed to: the Recipient and Destination it accepts,
// the Audience it accepts, and, for a service provider's own request, the request's ID.
type samlTarget struct {
	endpoint, audience func(string) bool
	// endpointName and audienceName say what was expected, in the refusals' messages.
	endpointName, audienceName string
	// requestID is the AuthnRequest the response must answer (InResponseTo); "" for AWS's
	// IdP-initiated responses, which answer none.
	requestID string
	// attributes reads AWS's attributes (Role, RoleSessionName, …).
	attributes bool
}

var awsTarget = samlTarget{
	endpoint: signInEndpoint, endpointName: "AWS's SAML endpoint",
	audience:     func(v string) bool { return signInEndpoint(v) || v == "urn:amazon:webservices" },
	audienceName: "AWS", attributes: true,
}

// SP is a SAML service provider that sent an AuthnRequest: IAM Identity Center with an external
// identity provider (internal/portal), whose entity ID the Audience must name, whose assertion
// consumer service URL the Recipient and Destination must be, and whose request, RequestID, the
// response must answer.
type SP struct {
	EntityID, ACS, RequestID string
}

// VerifySPResponse verifies, as VerifySAMLResponse does (the same signature verification, the
// same conditions), a response the identity provider issuer sent to sp in answer to its
// AuthnRequest, and returns its claims (Subject, AssertionID). Returns InvalidIdentityToken,
// ExpiredTokenException, IDPRejectedClaim.
func VerifySPResponse(b64 string, certs []*x509.Certificate, issuer string, sp SP, now time.Time) (*SAMLClaims, error) {
	if sp.EntityID == "" || sp.ACS == "" || sp.RequestID == "" {
		return nil, samlInvalid("no outstanding request")
	}
	eq := func(want string) func(string) bool { return func(v string) bool { return v == want } }
	return verifySAML(b64, certs, issuer, now, samlTarget{
		endpoint: eq(sp.ACS), endpointName: "the assertion consumer service URL",
		audience: eq(sp.EntityID), audienceName: "the service provider", requestID: sp.RequestID,
	})
}

func verifySAML(b64 string, certs []*x509.Certificate, issuer string, now time.Time, target samlTarget) (*SAMLClaims, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, samlInvalid("not base64")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, samlInvalid("not XML")
	}
	root := doc.Root()
	if root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, samlInvalid("not a SAML 2.0 Response")
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	vc.Clock = dsig.NewFakeClockAt(now)
	assertions := children(root, nsAssertion, "Assertion")
	if len(assertions) != 1 || len(children(root, nsAssertion, "EncryptedAssertion")) != 0 {
		return nil, samlInvalid("a response must hold exactly one unencrypted Assertion")
	}
	var resp, as *etree.Element
	if len(children(root, nsDSig, "Signature")) > 0 {
		// The Response is signed: everything is read from the validated copy.
		if resp, err = validated(vc, root); err != nil {
			return nil, errSAMLSig
		}
		if as1 := children(resp, nsAssertion, "Assertion"); len(as1) == 1 {
			as = as1[0]
		} else {
			return nil, errSAMLSig
		}
	} else {
		resp = root
		if as, err = validated(vc, assertions[0]); err != nil {
			return nil, errSAMLSig
		}
	}
	if st := first(resp, nsProtocol, "Status"); st != nil {
		if code := first(st, nsProtocol, "StatusCode"); code == nil || code.SelectAttrValue("Value", "") != "urn:oasis:names:tc:SAML:2.0:status:Success" {
			return nil, awserr.New(awserr.IDPRejectedClaim, "The identity provider reported that authentication failed.")
		}
	}
	if d := resp.SelectAttrValue("Destination", ""); d != "" && !target.endpoint(d) {
		return nil, samlInvalid("Destination is not " + target.endpointName)
	}
	if target.requestID != "" {
		// A response to a request names it; an unsolicited one (no InResponseTo) is refused.
		if v := resp.SelectAttrValue("InResponseTo", ""); v != target.requestID {
			return nil, samlInvalid("InResponseTo is not the outstanding request")
		}
	}
	return assertionClaims(as, issuer, now, target)
}

func validated(vc *dsig.ValidationContext, el *etree.Element) (*etree.Element, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return vc.Validate(detached)
}

func assertionClaims(as *etree.Element, issuer string, now time.Time, target samlTarget) (*SAMLClaims, error) {
	c := &SAMLClaims{Tags: map[string]string{}, AssertionID: as.SelectAttrValue("ID", "")}
	iss := first(as, nsAssertion, "Issuer")
	if iss == nil || strings.TrimSpace(iss.Text()) != issuer {
		return nil, samlInvalid("Issuer is not the provider's entity ID")
	}
	c.Issuer = issuer
	subj := first(as, nsAssertion, "Subject")
	if subj == nil {
		return nil, samlInvalid("no Subject")
	}
	nid := first(subj, nsAssertion, "NameID")
	if nid == nil || strings.TrimSpace(nid.Text()) == "" {
		return nil, samlInvalid("no NameID")
	}
	c.Subject = strings.TrimSpace(nid.Text())
	c.SubjectType = nid.SelectAttrValue("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
	for _, short := range []string{"persistent", "transient"} {
		if c.SubjectType == "urn:oasis:names:tc:SAML:2.0:nameid-format:"+short {
			c.SubjectType = short
		}
	}
	expired := func() error { return awserr.New(awserr.ExpiredTokenException, "Token has expired") }
	confirmed := false
	for _, sc := range children(subj, nsAssertion, "SubjectConfirmation") {
		if sc.SelectAttrValue("Method", "") != "urn:oasis:names:tc:SAML:2.0:cm:bearer" {
			continue
		}
		d := first(sc, nsAssertion, "SubjectConfirmationData")
		if d == nil {
			continue
		}
		if !target.endpoint(d.SelectAttrValue("Recipient", "")) {
			return nil, samlInvalid("Recipient is not " + target.endpointName)
		}
		if target.requestID != "" && d.SelectAttrValue("InResponseTo", "") != target.requestID {
			return nil, samlInvalid("InResponseTo is not the outstanding request")
		}
		if t, ok, err := attrTime(d, "NotOnOrAfter"); err != nil {
			return nil, err
		} else if ok && !now.Before(t) {
			return nil, expired()
		} else if ok && (c.NotOnOrAfter.IsZero() || t.Before(c.NotOnOrAfter)) {
			c.NotOnOrAfter = t
		}
		c.Recipient, confirmed = d.SelectAttrValue("Recipient", ""), true
	}
	if !confirmed {
		return nil, samlInvalid("no bearer SubjectConfirmation")
	}
	cond := first(as, nsAssertion, "Conditions")
	if cond == nil {
		return nil, samlInvalid("no Conditions")
	}
	if t, ok, err := attrTime(cond, "NotBefore"); err != nil {
		return nil, err
	} else if ok && now.Add(samlSkew).Before(t) {
		return nil, samlInvalid("the assertion is not yet valid")
	}
	if t, ok, err := attrTime(cond, "NotOnOrAfter"); err != nil {
		return nil, err
	} else if ok && !now.Before(t) {
		return nil, expired()
	} else if ok && (c.NotOnOrAfter.IsZero() || t.Before(c.NotOnOrAfter)) {
		c.NotOnOrAfter = t
	}
	audOK := false
	for _, ar := range children(cond, nsAssertion, "AudienceRestriction") {
		for _, a := range children(ar, nsAssertion, "Audience") {
			audOK = audOK || target.audience(strings.TrimSpace(a.Text()))
		}
	}
	if !audOK {
		return nil, samlInvalid("no AudienceRestriction names " + target.audienceName)
	}
	for _, an := range children(as, nsAssertion, "AuthnStatement") {
		if t, ok, err := attrTime(an, "SessionNotOnOrAfter"); err != nil {
			return nil, err
		} else if ok {
			c.SessionNotOnOrAfter = t
		}
	}
	if !target.attributes {
		return c, nil
	}
	for _, st := range children(as, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			name, ok := strings.CutPrefix(at.SelectAttrValue("Name", ""), samlAttrPrefix)
			if !ok {
				continue
			}
			var values []string
			for _, v := range children(at, nsAssertion, "AttributeValue") {
				values = append(values, strings.TrimSpace(v.Text()))
			}
			if err := c.attribute(name, values); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *SAMLClaims) attribute(name string, values []string) error {
	one := func() (string, error) {
		if len(values) != 1 {
			return "", samlInvalid(name + " must have one value")
		}
		return values[0], nil
	}
	var err error
	switch {
	case name == "Role":
		for _, v := range values {
			a, b, ok := strings.Cut(v, ",")
			a, b = strings.TrimSpace(a), strings.TrimSpace(b)
			if !ok {
				return samlInvalid("a Role value must pair a role and a provider")
			}
			if strings.Contains(a, ":saml-provider/") {
				a, b = b, a
			}
			c.Roles = append(c.Roles, SAMLRole{Role: a, Provider: b})
		}
	case name == "RoleSessionName":
		if c.SessionName, err = one(); err != nil {
			return err
		}
		if CheckSessionName(c.SessionName) != nil {
			return samlInvalid("RoleSessionName must be 2–64 characters of [\\w+=,.@-]")
		}
	case name == "SessionDuration":
		v, err := one()
		if err != nil {
			return err
		}
		if c.SessionDuration, err = strconv.Atoi(v); err != nil || c.SessionDuration < 900 || c.SessionDuration > 43200 {
			return samlInvalid("SessionDuration must be 900–43200 seconds")
		}
	case name == "SourceIdentity":
		if c.SourceIdentity, err = one(); err != nil {
			return err
		}
	case name == "TransitiveTagKeys":
		c.Transitive = append(c.Transitive, values...)
	case strings.HasPrefix(name, "PrincipalTag:"):
		v, err := one()
		if err != nil {
			return err
		}
		c.Tags[strings.TrimPrefix(name, "PrincipalTag:")] = v
	}
	return nil
}

// RoleFor reports whether the Role attribute pairs role with provider.
func (c *SAMLClaims) RoleFor(role, provider string) bool {
	for _, r := range c.Roles {
		if r.Role == role && r.Provider == provider {
			return true
		}
	}
	return false
}

func attrTime(el *etree.Element, name string) (time.Time, bool, error) {
	v := el.SelectAttrValue(name, "")
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, samlInvalid(name + " is not a dateTime")
	}
	return t, true, nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func first(el *etree.Element, ns, tag string) *etree.Element {
	if cs := children(el, ns, tag); len(cs) > 0 {
		return cs[0]
	}
	return nil
}
