package iam

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of IAM's identity providers: SAML providers under their name, OpenID
// Connect providers under their URL without the scheme (host folded to lower case, the path as
// given), which is also the resource part of their ARN.

// samlProviderRecord is a stored SAML provider.
type samlProviderRecord struct {
	Name       string      `json:"name"`
	Arn        string      `json:"arn"`
	Metadata   string      `json:"metadata"`
	EntityID   string      `json:"entity_id"`
	Created    time.Time   `json:"created"`
	ValidUntil time.Time   `json:"valid_until"`
	Tags       []tagRecord `json:"tags,omitempty"`
	// ManagedBy is the service principal that keeps a reserved provider (reservedproviders.go).
	ManagedBy string `json:"managed_by,omitempty"`
}

var samlProviders = store.Define(store.Kind[samlProviderRecord]{Name: "samlprovider", Version: 1})

func samlProviderRecordOf(p *SAMLProvider) *samlProviderRecord {
	return &samlProviderRecord{Name: p.Name, Arn: p.Arn, Metadata: p.Metadata, EntityID: p.EntityID,
		Created: p.CreateDate, ValidUntil: p.ValidUntil, Tags: tagRecords(p.Tags), ManagedBy: p.ManagedBy}
}

func (r *samlProviderRecord) provider() *SAMLProvider {
	return &SAMLProvider{Name: r.Name, Arn: r.Arn, Metadata: r.Metadata, EntityID: r.EntityID,
		CreateDate: r.Created, ValidUntil: r.ValidUntil, Tags: fromTagRecords(r.Tags), ManagedBy: r.ManagedBy}
}

// oidcProviderRecord is a stored OpenID Connect provider.
type oidcProviderRecord struct {
	URL         string      `json:"url"` // without the scheme: host/path
	Arn         string      `json:"arn"`
	ClientIDs   []string    `json:"client_ids,omitempty"`
	Thumbprints []string    `json:"thumbprints,omitempty"`
	Created     time.Time   `json:"created"`
	Tags        []tagRecord `json:"tags,omitempty"`
}

var oidcProviders = store.Define(store.Kind[oidcProviderRecord]{Name: "oidcprovider", Version: 1})

func oidcProviderRecordOf(p *OIDCProvider) *oidcProviderRecord {
	return &oidcProviderRecord{URL: p.URL, Arn: p.Arn, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints,
		Created: p.CreateDate, Tags: tagRecords(p.Tags)}
}

func (r *oidcProviderRecord) provider() *OIDCProvider {
	return &OIDCProvider{URL: r.URL, Arn: r.Arn, ClientIDs: r.ClientIDs, Thumbprints: r.Thumbprints,
		CreateDate: r.Created, Tags: fromTagRecords(r.Tags)}
}
