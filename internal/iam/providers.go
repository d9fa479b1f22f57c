package iam

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// IAM's identity providers: SAML 2.0 providers (CreateSAMLProvider and friends) and OpenID Connect
// providers (CreateOpenIDConnectProvider and friends), which AssumeRoleWithSAML and
// AssumeRoleWithWebIdentity trust. Constraints from the IAM API Reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html) and
// the quotas of the IAM User Guide, "IAM and AWS STS quotas" (100 SAML providers and 100 OIDC
// providers per account, 100 client IDs and 5 thumbprints per OIDC provider).

const (
	maxSAMLProviders  = 100
	maxOIDCProviders  = 100
	maxClientIDs      = 100
	maxThumbprints    = 5
	samlMetadataMin   = 1000
	samlMetadataMax   = 10_000_000
	oidcURLMax        = 255
	clientIDMax       = 255
	thumbprintLen     = 40
	samlNameMax       = 128
	samlNameRegexp    = `[\w._-]+`
	defaultValidYears = 100
)

var samlNamePattern = regexp.MustCompile(`^` + samlNameRegexp + `$`)

// SAMLProvider is an IAM SAML 2.0 identity provider.
type SAMLProvider struct {
	Name, Arn string
	// Metadata is the SAMLMetadataDocument as uploaded; EntityID is its entityID, which the
	// Issuer of the provider's assertions must equal.
	Metadata   string
	EntityID   string
	CreateDate time.Time
	// ValidUntil is the metadata's validUntil, or CreateDate plus 100 years when it has none.
	ValidUntil time.Time
	Tags       []Tag
	// ManagedBy is the service principal that keeps a reserved provider, "" for the account's own
	// (reservedproviders.go).
	ManagedBy string
}

// SigningCertificates are the X.509 certificates the provider's metadata names for signing.
func (p *SAMLProvider) SigningCertificates() ([]*x509.Certificate, error) {
	md, err := parseSAMLMetadata(p.Metadata)
	if err != nil {
		return nil, err
	}
	return md.certs, nil
}

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	// URL is the issuer without its scheme, host/path, as GetOpenIDConnectProvider answers it.
	URL         string
	Arn         string
	ClientIDs   []string
	Thumbprints []string
	CreateDate  time.Time
	Tags        []Tag
}

// Issuer is the provider's issuer URL, https://URL, which its tokens' iss claim names.
func (p *OIDCProvider) Issuer() string { return "https://" + p.URL }

// The SAML metadata document (SAML V2.0 Metadata, urn:oasis:names:tc:SAML:2.0:metadata): an
// EntityDescriptor with an IDPSSODescriptor whose KeyDescriptors carry X.509 certificates in
// XML-DSig KeyInfo (http://www.w3.org/2000/09/xmldsig#).

type mdEntity struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string   `xml:"entityID,attr"`
	ValidUntil string   `xml:"validUntil,attr"`
	IDPs       []mdIDP  `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type mdIDP struct {
	Keys []mdKey `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	SSO  []mdSSO `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
}

type mdKey struct {
	Use     string    `xml:"use,attr"`
	KeyInfo mdKeyInfo `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
}

type mdKeyInfo struct {
	Data []mdX509Data `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
}

type mdX509Data struct {
	Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
}

type samlMetadata struct {
	entityID string
	// sso are the IDPSSODescriptors' SingleSignOnService endpoints (samlidp.go).
	sso        []mdSSO
	validUntil time.Time // zero when the document sets none
	certs      []*x509.Certificate
}

// errMetadata is IAM's answer to a SAMLMetadataDocument it cannot use. AWS answers InvalidInput
// "Could not parse metadata" for a document that is not SAML metadata (as reported for the AWS
// CLI's create-saml-provider); Rootward answers it for every refusal of the document's content.
var errMetadata = awserr.New(awserr.InvalidInput, "Could not parse metadata")

// parseSAMLMetadata reads a SAML metadata document: an EntityDescriptor with an entityID and an
// IDPSSODescriptor holding at least one signing certificate (a KeyDescriptor with use="signing"
// or no use). Returns InvalidInput.
func parseSAMLMetadata(doc string) (*samlMetadata, error) {
	var e mdEntity
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	if err := d.Decode(&e); err != nil || e.EntityID == "" || len(e.IDPs) == 0 {
		return nil, errMetadata
	}
	md := &samlMetadata{entityID: e.EntityID}
	if e.ValidUntil != "" {
		t, err := time.Parse(time.RFC3339Nano, e.ValidUntil)
		if err != nil {
			return nil, errMetadata
		}
		md.validUntil = t.UTC()
	}
	for _, idp := range e.IDPs {
		md.sso = append(md.sso, idp.SSO...)
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, data := range k.KeyInfo.Data {
				for _, c := range data.Certs {
					der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
					if err != nil {
						return nil, errMetadata
					}
					cert, err := x509.ParseCertificate(der)
					if err != nil {
						return nil, errMetadata
					}
					md.certs = append(md.certs, cert)
				}
			}
		}
	}
	if len(md.certs) == 0 {
		return nil, errMetadata
	}
	return md, nil
}

// checkSAMLMetadata validates a SAMLMetadataDocument's length (1,000–10,000,000 characters) and
// content. Returns ValidationError or InvalidInput.
func checkSAMLMetadata(doc string) (*samlMetadata, error) {
	if doc == "" {
		return nil, missing("SAMLMetadataDocument")
	}
	if len(doc) < samlMetadataMin {
		return nil, invalid("SAMLMetadataDocument", doc, fmt.Sprintf("Member must have length greater than or equal to %d", samlMetadataMin))
	}
	if len(doc) > samlMetadataMax {
		return nil, invalid("SAMLMetadataDocument", "...", fmt.Sprintf("Member must have length less than or equal to %d", samlMetadataMax))
	}
	return parseSAMLMetadata(doc)
}

func checkSAMLName(name string) error {
	if name == "" {
		return missing("Name")
	}
	if len(name) > samlNameMax {
		return invalid("Name", name, fmt.Sprintf("Member must have length less than or equal to %d", samlNameMax))
	}
	if !samlNamePattern.MatchString(name) {
		return invalid("Name", name, "Member must satisfy regular expression pattern: "+samlNameRegexp)
	}
	return nil
}

// samlProviderKey is the store key of the SAML provider whose ARN is arn in account; ok false
// when arn names no SAML provider of account.
func samlProviderKey(account, arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, rwarn.IAM(account, "saml-provider/"))
	return name, ok && samlNamePattern.MatchString(name) && len(name) <= samlNameMax
}

func noSAMLProvider(arn string) error {
	return awserr.New(awserr.NoSuchEntity, "Manifest not found for arn %s", arn)
}

func checkProviderARN(param, arn string) error {
	if arn == "" {
		return missing(param)
	}
	if len(arn) < 20 || len(arn) > 2048 {
		return invalid(param, arn, "Member must have length between 20 and 2048")
	}
	return nil
}

// CreateSAMLProvider creates a SAML provider named name from its metadata document. Returns
// ValidationError, InvalidInput (the document), EntityAlreadyExists, LimitExceeded.
func (s *Service) CreateSAMLProvider(ctx context.Context, account, name, metadata string, tags []Tag) (*SAMLProvider, error) {
	if err := checkSAMLName(name); err != nil {
		return nil, err
	}
	md, err := checkSAMLMetadata(metadata)
	if err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	now := s.Now()
	p := &SAMLProvider{Name: name, Arn: rwarn.SAMLProvider(account, name), Metadata: metadata, EntityID: md.entityID,
		CreateDate: now, ValidUntil: md.validUntil, Tags: tags}
	if p.ValidUntil.IsZero() {
		p.ValidUntil = now.AddDate(defaultValidYears, 0, 0)
	}
	err = s.update(ctx, account, func(t txn) error {
		n, err := t.Count(samlProviders.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxSAMLProviders {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		err = samlProviders.Insert(t, account, name, samlProviderRecordOf(p))
		if errors.Is(err, store.ErrExists) {
			return awserr.New(awserr.EntityAlreadyExists, "SAMLProvider named %s already exists.", name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (t txn) samlProvider(account, arn string) (*SAMLProvider, error) {
	key, ok := samlProviderKey(account, arn)
	if !ok {
		return nil, noSAMLProvider(arn)
	}
	r, found, err := samlProviders.Get(t, account, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noSAMLProvider(arn)
	}
	return r.provider(), nil
}

// GetSAMLProvider returns the SAML provider whose ARN is arn. Returns NoSuchEntity,
// ValidationError.
func (s *Service) GetSAMLProvider(ctx context.Context, account, arn string) (*SAMLProvider, error) {
	if err := checkProviderARN("SAMLProviderArn", arn); err != nil {
		return nil, err
	}
	var p *SAMLProvider
	err := s.view(ctx, func(t txn) (err error) {
		p, err = t.samlProvider(account, arn)
		return err
	})
	return p, err
}

// modifySAMLProvider changes the SAML provider arn with fn in one transaction.
func (s *Service) modifySAMLProvider(ctx context.Context, account, arn string, fn func(p *SAMLProvider) error) error {
	if err := checkProviderARN("SAMLProviderArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.samlProvider(account, arn)
		if err != nil {
			return err
		}
		if p.ManagedBy != "" {
			return protectedSAMLProvider(p)
		}
		if err := fn(p); err != nil {
			return err
		}
		return samlProviders.Put(t, account, p.Name, samlProviderRecordOf(p))
	})
}

// UpdateSAMLProvider replaces a SAML provider's metadata document. Returns NoSuchEntity,
// UnmodifiableEntity (a reserved provider), ValidationError, InvalidInput.
func (s *Service) UpdateSAMLProvider(ctx context.Context, account, arn, metadata string) (*SAMLProvider, error) {
	md, err := checkSAMLMetadata(metadata)
	if err != nil {
		return nil, err
	}
	var out *SAMLProvider
	err = s.modifySAMLProvider(ctx, account, arn, func(p *SAMLProvider) error {
		p.Metadata, p.EntityID = metadata, md.entityID
		if !md.validUntil.IsZero() {
			p.ValidUntil = md.validUntil
		}
		out = p
		return nil
	})
	return out, err
}

// DeleteSAMLProvider deletes a SAML provider. Returns NoSuchEntity, UnmodifiableEntity (a reserved
// provider), ValidationError.
func (s *Service) DeleteSAMLProvider(ctx context.Context, account, arn string) error {
	if err := checkProviderARN("SAMLProviderArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.samlProvider(account, arn)
		if err != nil {
			return err
		}
		if p.ManagedBy != "" {
			return protectedSAMLProvider(p)
		}
		return samlProviders.Delete(t, account, p.Name)
	})
}

// TagSAMLProvider adds or replaces tags of a SAML provider. Returns NoSuchEntity, InvalidInput,
// LimitExceeded, ValidationError.
func (s *Service) TagSAMLProvider(ctx context.Context, account, arn string, tags []Tag) error {
	return tagResource(tags, "TagsPerSAMLProvider", s.samlProviderTags(ctx, account, arn))
}

// UntagSAMLProvider removes tag keys from a SAML provider. Returns NoSuchEntity, ValidationError.
func (s *Service) UntagSAMLProvider(ctx context.Context, account, arn string, keys []string) error {
	return untagResource(keys, s.samlProviderTags(ctx, account, arn))
}

// samlProviderTags edits the tags of the SAML provider arn names.
func (s *Service) samlProviderTags(ctx context.Context, account, arn string) func(tagEdit) error {
	return func(edit tagEdit) error {
		return s.modifySAMLProvider(ctx, account, arn, func(p *SAMLProvider) (err error) {
			p.Tags, err = edit(p.Tags)
			return err
		})
	}
}

// ListSAMLProviders lists the account's SAML providers, by name (IAM does not page this list).
func (s *Service) ListSAMLProviders(ctx context.Context, account string) ([]SAMLProvider, error) {
	return listProviders(s, ctx, samlProviders, account, (*samlProviderRecord).provider)
}

// ParseOIDCURL checks an OpenID Connect provider's URL as CreateOpenIDConnectProvider does and
// returns it without its scheme, the host folded to lower case: the provider's key and the
// resource part of its ARN. The messages follow AWS's as the versitygw project's integration tests
// record them: ValidationError "Invalid Open ID Connect Provider URL" for a URL without a scheme
// or host, InvalidInput "… The URL must begin with https://." for another scheme, and InvalidInput
// "Invalid Open ID Connect Provider URL." for credentials, a query, a fragment, a port or a host
// that is not a host name.
func ParseOIDCURL(raw string) (string, error) {
	if raw == "" {
		return "", missing("Url")
	}
	if len(raw) > oidcURLMax {
		return "", invalid("Url", raw, fmt.Sprintf("Member must have length less than or equal to %d", oidcURLMax))
	}
	bad := awserr.New(awserr.InvalidInput, "Invalid Open ID Connect Provider URL.")
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "", awserr.New(awserr.ValidationError, "Invalid Open ID Connect Provider URL")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", awserr.New(awserr.InvalidInput, "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	}
	if u.Host == "" {
		return "", awserr.New(awserr.ValidationError, "Invalid Open ID Connect Provider URL")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") || u.Port() != "" || !validHost(u.Hostname()) {
		return "", bad
	}
	return strings.ToLower(u.Host) + u.EscapedPath(), nil
}

var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// validHost reports whether h is a DNS host name or an IP address.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if !hostLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// checkClientIDs validates a ClientIDList: each 1–255 characters, at most 100 (LimitExceeded);
// repeated IDs are kept once.
func checkClientIDs(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		if err := checkClientID(id); err != nil {
			return nil, err
		}
		if !containsString(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > maxClientIDs {
		return nil, awserr.New(awserr.LimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	return out, nil
}

func checkClientID(id string) error {
	if id == "" || len(id) > clientIDMax {
		return invalid("ClientID", id, fmt.Sprintf("Member must have length less than or equal to %d; Member must have length greater than or equal to 1", clientIDMax))
	}
	return nil
}

// checkThumbprints validates a ThumbprintList: each exactly 40 characters (kept in lower case), at
// most five. The messages are AWS's as the versitygw project records them ("Thumbprint must be
// exactly 40 characters.", "Thumbprint list must contain fewer than 5 entries.").
func checkThumbprints(tps []string) ([]string, error) {
	if len(tps) > maxThumbprints {
		return nil, awserr.New(awserr.InvalidInput, "Thumbprint list must contain fewer than %d entries.", maxThumbprints)
	}
	var out []string
	for _, tp := range tps {
		if len(tp) != thumbprintLen {
			return nil, awserr.New(awserr.InvalidInput, "Thumbprint must be exactly %d characters.", thumbprintLen)
		}
		if tp = strings.ToLower(tp); !containsString(out, tp) {
			out = append(out, tp)
		}
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CreateOIDCProviderInput is CreateOpenIDConnectProvider's request.
type CreateOIDCProviderInput struct {
	URL         string
	ClientIDs   []string
	Thumbprints []string // optional: AWS no longer requires them
	Tags        []Tag
}

// CreateOIDCProvider creates an OpenID Connect provider. Returns ValidationError, InvalidInput,
// EntityAlreadyExists, LimitExceeded.
func (s *Service) CreateOIDCProvider(ctx context.Context, account string, in CreateOIDCProviderInput) (*OIDCProvider, error) {
	key, err := ParseOIDCURL(in.URL)
	if err != nil {
		return nil, err
	}
	ids, err := checkClientIDs(in.ClientIDs)
	if err != nil {
		return nil, err
	}
	tps, err := checkThumbprints(in.Thumbprints)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	p := &OIDCProvider{URL: key, Arn: rwarn.OIDCProvider(account, key), ClientIDs: ids, Thumbprints: tps, CreateDate: s.Now(), Tags: in.Tags}
	err = s.update(ctx, account, func(t txn) error {
		n, err := t.Count(oidcProviders.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxOIDCProviders {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", maxOIDCProviders)
		}
		err = oidcProviders.Insert(t, account, key, oidcProviderRecordOf(p))
		if errors.Is(err, store.ErrExists) {
			return awserr.New(awserr.EntityAlreadyExists, "Provider with url %s already exists.", in.URL)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func noOIDCProvider(arn string) error {
	return awserr.New(awserr.NoSuchEntity, "OpenIDConnect Provider not found for arn %s", arn)
}

func (t txn) oidcProvider(account, arn string) (*OIDCProvider, error) {
	key, ok := strings.CutPrefix(arn, rwarn.IAM(account, "oidc-provider/"))
	if !ok || key == "" {
		return nil, noOIDCProvider(arn)
	}
	r, found, err := oidcProviders.Get(t, account, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noOIDCProvider(arn)
	}
	return r.provider(), nil
}

// GetOIDCProvider returns the OpenID Connect provider whose ARN is arn. Returns NoSuchEntity,
// ValidationError.
func (s *Service) GetOIDCProvider(ctx context.Context, account, arn string) (*OIDCProvider, error) {
	if err := checkProviderARN("OpenIDConnectProviderArn", arn); err != nil {
		return nil, err
	}
	var p *OIDCProvider
	err := s.view(ctx, func(t txn) (err error) {
		p, err = t.oidcProvider(account, arn)
		return err
	})
	return p, err
}

// OIDCProviderByIssuer returns the account's OpenID Connect provider whose issuer is iss (the
// iss claim of a token), or nil when it has none.
func (s *Service) OIDCProviderByIssuer(ctx context.Context, account, iss string) (*OIDCProvider, error) {
	key, err := ParseOIDCURL(iss)
	if err != nil {
		return nil, nil
	}
	var p *OIDCProvider
	err = s.view(ctx, func(t txn) error {
		r, found, err := oidcProviders.Get(t, account, key)
		if err != nil || !found {
			return err
		}
		p = r.provider()
		return nil
	})
	return p, err
}

// modifyOIDCProvider changes the OpenID Connect provider arn with fn in one transaction.
func (s *Service) modifyOIDCProvider(ctx context.Context, account, arn string, fn func(p *OIDCProvider) error) error {
	if err := checkProviderARN("OpenIDConnectProviderArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.oidcProvider(account, arn)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		return oidcProviders.Put(t, account, p.URL, oidcProviderRecordOf(p))
	})
}

// DeleteOIDCProvider deletes an OpenID Connect provider. Returns NoSuchEntity, ValidationError.
func (s *Service) DeleteOIDCProvider(ctx context.Context, account, arn string) error {
	if err := checkProviderARN("OpenIDConnectProviderArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.oidcProvider(account, arn)
		if err != nil {
			return err
		}
		return oidcProviders.Delete(t, account, p.URL)
	})
}

// UpdateOIDCThumbprints replaces a provider's thumbprints. Returns NoSuchEntity, InvalidInput,
// ValidationError.
func (s *Service) UpdateOIDCThumbprints(ctx context.Context, account, arn string, thumbprints []string) error {
	if thumbprints == nil {
		return missing("ThumbprintList")
	}
	tps, err := checkThumbprints(thumbprints)
	if err != nil {
		return err
	}
	return s.modifyOIDCProvider(ctx, account, arn, func(p *OIDCProvider) error {
		p.Thumbprints = tps
		return nil
	})
}

// AddOIDCClientID adds a client ID (audience) to a provider; one it has is left alone. Returns
// NoSuchEntity, LimitExceeded, ValidationError.
func (s *Service) AddOIDCClientID(ctx context.Context, account, arn, id string) error {
	if id == "" {
		return missing("ClientID")
	}
	if err := checkClientID(id); err != nil {
		return err
	}
	return s.modifyOIDCProvider(ctx, account, arn, func(p *OIDCProvider) error {
		if containsString(p.ClientIDs, id) {
			return nil
		}
		if len(p.ClientIDs) >= maxClientIDs {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
		}
		p.ClientIDs = append(p.ClientIDs, id)
		return nil
	})
}

// RemoveOIDCClientID removes a client ID from a provider; one it does not have is no error (IAM
// API reference, RemoveClientIDFromOpenIDConnectProvider). Returns NoSuchEntity, ValidationError.
func (s *Service) RemoveOIDCClientID(ctx context.Context, account, arn, id string) error {
	if id == "" {
		return missing("ClientID")
	}
	if err := checkClientID(id); err != nil {
		return err
	}
	return s.modifyOIDCProvider(ctx, account, arn, func(p *OIDCProvider) error {
		out := p.ClientIDs[:0:0]
		for _, c := range p.ClientIDs {
			if c != id {
				out = append(out, c)
			}
		}
		p.ClientIDs = out
		return nil
	})
}

// TagOIDCProvider adds or replaces tags of an OpenID Connect provider. Returns NoSuchEntity,
// InvalidInput, LimitExceeded, ValidationError.
func (s *Service) TagOIDCProvider(ctx context.Context, account, arn string, tags []Tag) error {
	return tagResource(tags, "TagsPerOpenIdConnectProvider", s.oidcProviderTags(ctx, account, arn))
}

// UntagOIDCProvider removes tag keys from an OpenID Connect provider. Returns NoSuchEntity,
// ValidationError.
func (s *Service) UntagOIDCProvider(ctx context.Context, account, arn string, keys []string) error {
	return untagResource(keys, s.oidcProviderTags(ctx, account, arn))
}

// oidcProviderTags edits the tags of the OpenID Connect provider arn names.
func (s *Service) oidcProviderTags(ctx context.Context, account, arn string) func(tagEdit) error {
	return func(edit tagEdit) error {
		return s.modifyOIDCProvider(ctx, account, arn, func(p *OIDCProvider) (err error) {
			p.Tags, err = edit(p.Tags)
			return err
		})
	}
}

// ListOIDCProviders lists the account's OpenID Connect providers (IAM does not page this list).
func (s *Service) ListOIDCProviders(ctx context.Context, account string) ([]OIDCProvider, error) {
	return listProviders(s, ctx, oidcProviders, account, (*oidcProviderRecord).provider)
}

// listProviders reads every provider of kind in account, in key order, as the wire answers it
// (IAM does not page ListSAMLProviders or ListOpenIDConnectProviders).
func listProviders[R, P any](s *Service, ctx context.Context, kind *store.Kind[R], account string, provider func(*R) *P) ([]P, error) {
	var out []P
	err := s.view(ctx, func(t txn) error {
		items, err := kind.Range(t, account, "")("", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			r, err := kind.Decode(it.Body)
			if err != nil {
				return err
			}
			out = append(out, *provider(r))
		}
		return nil
	})
	return out, err
}
