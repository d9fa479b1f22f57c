package portal

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/trail"
)

// Sign-in through an external SAML 2.0 identity provider, for an instance whose identity source
// is one (identitycenter's identitysource.go). The portal is the service provider:
//
//  1. PUBLIC_URL/start redirects the browser to the provider's HTTP-Redirect SingleSignOnService
//     with an AuthnRequest (ID, IssueInstant, Destination, AssertionConsumerServiceURL, Issuer =
//     the SP entity ID) signed with the instance's SP key (SAML V2.0 Bindings 3.4.4.1: SigAlg
//     rsa-sha256 over SAMLRequest, RelayState and SigAlg). RelayState is a random state; the
//     browser gets a second random value in a cookie, and the outstanding request (its ID, the
//     instance, the cookie's digest) is stored under the state's digest for ten minutes.
//  2. The provider posts its SAMLResponse and the RelayState to the ACS, PUBLIC_URL/start/saml.
//     The request is found by RelayState and must be this browser's (its cookie), the response
//     is verified by sts.VerifySPResponse — AssumeRoleWithSAML's verifier: the signature against
//     the uploaded metadata's certificates, Audience = SP entity ID, Recipient and Destination =
//     ACS URL, InResponseTo = the request, NotBefore/NotOnOrAfter at the service's clock — and
//     the NameID is matched to an identity store user by UserName, as AWS matches it ("Manage
//     your identity source", IAM Identity Center User Guide: users must exist in Identity Center,
//     provisioned manually or by SCIM, before they sign in; nothing is created at sign-in).
//  3. The request and the assertion's ID are spent in one transaction (a replay finds the ID
//     taken), the sign-in is recorded and a portal session opened.
//
// Each ACS post is counted against its source address in the sign-in counters ("auth", which
// IAM users' and the portal's password sign-ins share), refunded when it succeeds. A refusal
// changes nothing but that counter and its CloudTrail record. No response, assertion or NameID
// of a refused response is logged or recorded.

const (
	authnRequestLifetime = 10 * time.Minute
	// sigAlgRSASHA256 is the HTTP-Redirect binding's SigAlg of the AuthnRequest's signature.
	sigAlgRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	// credentialExternal is the CredentialType of a sign-in the external identity provider
	// authenticated (Rootward's choice: AWS documents the values of its own credentials).
	credentialExternal = "EXTERNAL_IDP"
)

// ACSURL is the assertion consumer service, PUBLIC_URL/start/saml.
func (s *Service) ACSURL() string { return s.publicURL + "/start/saml" }

// SPEntityID is the entity ID of instance's service provider: PUBLIC_URL/start/saml/STOREID, the
// URL its SP metadata is served at (AWS's has the same shape, a URL ending in the identity store
// ID).
func (s *Service) SPEntityID(identityStoreID string) string {
	return s.publicURL + "/start/saml/" + identityStoreID
}

// SPMetadata is the SAML metadata document of an instance's service provider, for its external
// identity provider: the entity ID, the ACS (HTTP-POST) and the signing certificate (DER).
func (s *Service) SPMetadata(identityStoreID string, cert []byte) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`, html.EscapeString(s.SPEntityID(identityStoreID)), base64.StdEncoding.EncodeToString(cert), html.EscapeString(s.ACSURL()))
}

// CertPEM is a DER certificate in PEM.
func CertPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// authnRequestRecord is an outstanding AuthnRequest, keyed by the SHA-256 of its RelayState.
type authnRequestRecord struct {
	Instance  string    `json:"instance"`
	RequestID string    `json:"request_id"`
	Browser   string    `json:"browser"` // SHA-256 of the browser's cookie
	ExpiresAt time.Time `json:"expires"`
	// UserCode is the device authorization the sign-in is for, when it started at /device.
	UserCode string `json:"user_code,omitempty"`
}

var authnRequests = store.Define(store.Kind[authnRequestRecord]{Name: "portal.authnrequest", Version: 1})

// usedAssertionRecord keeps an accepted assertion's ID (keyed by the SHA-256 of issuer and ID)
// until it would have expired anyway.
type usedAssertionRecord struct {
	ExpiresAt time.Time `json:"expires"`
}

var usedAssertions = store.Define(store.Kind[usedAssertionRecord]{Name: "portal.samlassertion", Version: 1})

// sweepSample is how many records of a kind sweepExpired looks at.
const sweepSample = 16

// sweepExpired deletes the expired records among up to sweepSample of kind's, read from a random
// point of its key space (the keys are SHA-256 digests, so the sample is uniform). Every
// AuthnRequest sent and every assertion accepted sweeps once, so requests that browsers started
// and never finished, and assertion IDs past their expiry, stay a small fraction of the live ones
// instead of piling up (anyone can start a request by opening PUBLIC_URL/start).
func sweepExpired[R any](t txn, kind *store.Kind[R], now time.Time, expires func(*R) time.Time) error {
	page, err := kind.List(t, "", "", secretKey(newSecret("", 8)), sweepSample)
	if err != nil {
		return err
	}
	_, err = deleteExpired(t, kind, page, now, expires)
	return err
}

// ExternalRedirect is where PUBLIC_URL/start sends the browser of an instance with an external
// identity provider, and the value of the cookie that binds the request to the browser.
type ExternalRedirect struct {
	URL     string
	Browser string
}

// ExternalSignIn returns the redirect to instance instanceID's external identity provider, or nil
// when its identity source is the identity store (or there is no instance to choose: the sign-in
// page asks). userCode is the device authorization the sign-in is for, "" for none.
func (s *Service) ExternalSignIn(ctx context.Context, instanceID, userCode string) (*ExternalRedirect, error) {
	if s.ic == nil {
		return nil, nil
	}
	in, err := s.resolveInstance(ctx, instanceID)
	if errors.Is(err, errNoAccount) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	src, err := s.ic.PortalIdentitySource(ctx, in.InstanceID)
	if err != nil || src.Type != identitycenter.SourceExternalSAML {
		return nil, err
	}
	key, _, err := s.ic.SPKey(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, errors.New("portal: the instance has an external identity provider but no SP key")
	}
	now := s.Now()
	id := "_" + strings.TrimPrefix(newSecret("", 20), "-")
	req := fmt.Sprintf(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="%s" Version="2.0" IssueInstant="%s" Destination="%s" AssertionConsumerServiceURL="%s" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>%s</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" AllowCreate="false"/></samlp:AuthnRequest>`,
		id, now.Format("2006-01-02T15:04:05Z"), html.EscapeString(src.IdP.SSOURL), html.EscapeString(s.ACSURL()), html.EscapeString(s.SPEntityID(in.IdentityStoreID)))
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	_, _ = fw.Write([]byte(req))
	_ = fw.Close()
	state, browser := newSecret("", 32), newSecret("", 32)
	q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated.Bytes())) +
		"&RelayState=" + url.QueryEscape(state) + "&SigAlg=" + url.QueryEscape(sigAlgRSASHA256)
	sum := sha256.Sum256([]byte(q))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, err
	}
	q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	rec := &authnRequestRecord{Instance: in.InstanceID, RequestID: id, Browser: secretKey(browser), ExpiresAt: now.Add(authnRequestLifetime),
		UserCode: NormalizeUserCode(userCode)}
	err = s.update(ctx, func(t txn) error {
		if err := sweepExpired(t, authnRequests, now, func(r *authnRequestRecord) time.Time { return r.ExpiresAt }); err != nil {
			return err
		}
		return authnRequests.Insert(t, "", secretKey(state), rec)
	})
	if err != nil {
		return nil, err
	}
	sep := "?"
	if strings.Contains(src.IdP.SSOURL, "?") {
		sep = "&"
	}
	return &ExternalRedirect{URL: src.IdP.SSOURL + sep + q, Browser: browser}, nil
}

// refusedExternal is the answer to a response the ACS refuses, saying why in words safe to show.
func refusedExternal(why string) error {
	return awserr.New(awserr.AccessDenied, "Sign-in through your identity provider was refused: %s. Sign in again.", why)
}

// CompleteExternalSignIn accepts the identity provider's SAMLResponse posted to the ACS with its
// RelayState, from the browser whose cookie is browser, and opens the user's portal session; it
// returns the user code of the device authorization the sign-in was for, if any. Returns
// AccessDenied (why, in its message), Throttling; nothing changes on error but the address's
// counter.
func (s *Service) CompleteExternalSignIn(ctx context.Context, samlResponse, relayState, browser string, c Call) (*Pending, string, error) {
	if s.ic == nil {
		return nil, "", errNoSignIn
	}
	ip, counted := s.counters.Limits().Address("auth", c.SourceIP)
	if counted {
		if _, err := s.counters.Reserve(ctx, ip); err != nil {
			return nil, "", err
		}
	}
	p, code, err := s.completeExternal(ctx, samlResponse, relayState, browser, c)
	if err == nil && counted {
		if err := s.counters.Refund(ctx, ip); err != nil {
			return nil, "", err
		}
	}
	return p, code, err
}

func (s *Service) completeExternal(ctx context.Context, samlResponse, relayState, browser string, c Call) (*Pending, string, error) {
	if relayState == "" || len(relayState) > 128 || len(samlResponse) > sts.SAMLAssertionMax*2 {
		return nil, "", refusedExternal("the response answers no sign-in request of this browser")
	}
	now := s.Now()
	var req *authnRequestRecord
	err := s.view(ctx, func(t txn) error {
		r, ok, err := authnRequests.Get(t, "", secretKey(relayState))
		if ok && now.Before(r.ExpiresAt) && subtle.ConstantTimeCompare([]byte(r.Browser), []byte(secretKey(browser))) == 1 {
			req = r
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if req == nil {
		return nil, "", refusedExternal("the response answers no sign-in request of this browser")
	}
	in, err := s.resolveInstance(ctx, req.Instance)
	if err != nil {
		return nil, "", err
	}
	src, err := s.ic.PortalIdentitySource(ctx, in.InstanceID)
	if err != nil {
		return nil, "", err
	}
	if src.Type != identitycenter.SourceExternalSAML {
		return nil, "", refusedExternal("the instance no longer signs in through an external identity provider")
	}
	workflow := newSecret("", 16)
	hidden := &User{InstanceAccount: in.Account, InstanceID: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserName: trail.Hidden}
	claims, verr := sts.VerifySPResponse(samlResponse, src.IdP.Certs, src.IdP.EntityID,
		sts.SP{EntityID: s.SPEntityID(in.IdentityStoreID), ACS: s.ACSURL(), RequestID: req.RequestID}, s.now().UTC())
	if verr != nil {
		e, ok := awserr.As(verr)
		if !ok {
			return nil, "", verr
		}
		if err := s.externalEvent(hidden, c, workflow, "CredentialVerification", src.IdP.EntityID, false); err != nil {
			return nil, "", err
		}
		why := e.Message
		if e.Code == awserr.ExpiredTokenException {
			why = "the response has expired"
		}
		return nil, "", refusedExternal(strings.TrimSuffix(why, "."))
	}
	u, err := s.dir.UserByName(ctx, in.InstanceID, claims.Subject)
	if err != nil {
		return nil, "", err
	}
	if u == nil {
		if err := s.externalEvent(hidden, c, workflow, "CredentialVerification", src.IdP.EntityID, false); err != nil {
			return nil, "", err
		}
		return nil, "", refusedExternal("the identity provider's user is not an Identity Center user of this instance")
	}
	keep := claims.NotOnOrAfter
	if keep.IsZero() || keep.Before(now) {
		keep = now.Add(authnRequestLifetime)
	}
	replay := false
	err = s.update(ctx, func(t txn) error {
		if _, ok, err := authnRequests.Get(t, "", secretKey(relayState)); err != nil {
			return err
		} else if !ok {
			replay = true
			return nil
		}
		used := secretKey(claims.Issuer + "\n" + claims.AssertionID)
		if r, ok, err := usedAssertions.Get(t, "", used); err != nil {
			return err
		} else if ok && now.Before(r.ExpiresAt) {
			replay = true
			return nil
		}
		if err := authnRequests.Delete(t, "", secretKey(relayState)); err != nil {
			return err
		}
		if err := sweepExpired(t, usedAssertions, now, func(r *usedAssertionRecord) time.Time { return r.ExpiresAt }); err != nil {
			return err
		}
		return usedAssertions.Put(t, "", used, &usedAssertionRecord{ExpiresAt: keep})
	})
	if err != nil {
		return nil, "", err
	}
	if replay {
		if err := s.externalEvent(hidden, c, workflow, "CredentialVerification", src.IdP.EntityID, false); err != nil {
			return nil, "", err
		}
		return nil, "", refusedExternal("the assertion was already used")
	}
	if err := s.externalEvent(u, c, workflow, "CredentialVerification", src.IdP.EntityID, true); err != nil {
		return nil, "", err
	}
	if err := s.ic.RecordSuccess(ctx, ref(u)); err != nil {
		return nil, "", err
	}
	if err := s.externalEvent(u, c, workflow, "UserAuthentication", src.IdP.EntityID, true); err != nil {
		return nil, "", err
	}
	sess, err := s.newSession(ctx, u)
	if err != nil {
		return nil, "", err
	}
	return &Pending{Next: StepDone, User: u, Session: sess}, req.UserCode, nil
}

// externalEvent records a step of a sign-in through the external identity provider idp as the
// password steps are recorded (signInEvent), with CredentialType EXTERNAL_IDP and the provider's
// entity ID (additionalEventData IdentityProvider).
func (s *Service) externalEvent(u *User, c Call, workflow, name, idp string, success bool) error {
	return s.recordSignIn(u, c, workflow, name, credentialExternal, success, map[string]any{"IdentityProvider": idp})
}

// SPMetadataOf is the SP metadata of the instance whose identity store is identityStoreID, served
// at its entity ID; ok is false when there is no such instance or it has no SP key yet.
func (s *Service) SPMetadataOf(ctx context.Context, identityStoreID string) (string, bool, error) {
	if s.ic == nil {
		return "", false, nil
	}
	all, err := s.Instances(ctx)
	if err != nil {
		return "", false, err
	}
	for _, in := range all {
		if in.IdentityStoreID != identityStoreID {
			continue
		}
		_, cert, err := s.ic.SPKey(ctx, in.InstanceID)
		if err != nil || cert == nil {
			return "", false, err
		}
		return s.SPMetadata(identityStoreID, cert.Raw), true, nil
	}
	return "", false, nil
}
