package identitycenter

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
)

// An instance's identity source: its own identity store (the default), or an external SAML 2.0
// identity provider, whose metadata an administrator uploads in the console ("Change your identity
// source", IAM Identity Center User Guide,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html).
// AWS has no public API for it — the change is its console's — so Rootward's is a console setting
// too (internal/console's Identity Center settings page), recorded in CloudTrail by the portal.
//
// With an external identity provider, the access portal's sign-in redirects to the provider with
// a SAML AuthnRequest signed with the instance's own key (the service provider's: spKeyRecord,
// created the first time the settings are read) and accepts its response at the assertion
// consumer service PUBLIC_URL/start/saml; the users are still the identity store's, matched by
// user name to the response's NameID (internal/portal's external.go). Passwords and Identity
// Center's MFA are then the provider's business, as in AWS ("MFA settings apply only to users
// signing in with the Identity Center directory or Active Directory").

// Identity source types.
const (
	SourceIdentityStore = "IDENTITY_STORE"
	SourceExternalSAML  = "EXTERNAL_SAML"
)

// IdentitySource is an instance's identity source as the console and the portal read it.
type IdentitySource struct {
	// Type is SourceIdentityStore or SourceExternalSAML.
	Type string
	// The external identity provider's metadata as uploaded, its entity ID, signing certificates
	// and HTTP-Redirect SingleSignOnService URL (Type SourceExternalSAML).
	Metadata string
	IdP      *iam.SAMLIdP
	// Updated and UpdatedBy say when and by whom (a principal ARN) the source last changed.
	Updated   time.Time
	UpdatedBy string
	// SPCert is the instance's service provider certificate (DER), which signs its
	// AuthnRequests; the identity provider is given it with the SP metadata.
	SPCert []byte
}

const (
	kindIdentitySource = "sso.identitysource"
	kindSPKey          = "sso.spkey"
)

// identitySourceRecord is an instance's external identity provider, keyed by instance in the
// owner account; no record means the identity store.
type identitySourceRecord struct {
	Type      string    `json:"type"`
	Metadata  string    `json:"metadata,omitempty"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

var identitySources = store.Define(store.Kind[identitySourceRecord]{Name: kindIdentitySource, Version: 1})

// spKeyRecord is an instance's service provider key: an RSA key sealed under the master key
// (bound to the instance) and its self-signed certificate.
type spKeyRecord struct {
	SealedKey []byte    `json:"sealed_key"`
	Cert      []byte    `json:"cert"`
	Created   time.Time `json:"created"`
}

var spKeys = store.Define(store.Kind[spKeyRecord]{Name: kindSPKey, Version: 1})

// ownedInstance resolves instanceID for caller, which must be the account that owns it (the
// management account for the organization's instance). Returns ResourceNotFoundException.
func (t txn) ownedInstance(caller, instanceID string) (ref, error) {
	r, err := t.instanceRef(instanceID)
	if err != nil {
		return ref{}, err
	}
	if r.account != caller {
		return ref{}, instanceNotFound()
	}
	return r, nil
}

// IdentitySource returns the identity source of instance instanceID of caller's account, creating
// the instance's service provider key the first time. Returns ResourceNotFoundException.
func (s *Service) IdentitySource(ctx context.Context, caller, instanceID string) (*IdentitySource, error) {
	if err := s.ensureSPKey(ctx, caller, instanceID); err != nil {
		return nil, err
	}
	var out *IdentitySource
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.ownedInstance(caller, instanceID)
		if err != nil {
			return err
		}
		out, err = t.identitySource(r)
		return err
	})
	return out, err
}

// PortalIdentitySource is the identity source of instance instanceID, found without a caller (the
// access portal's sign-in). Returns ResourceNotFoundException.
func (s *Service) PortalIdentitySource(ctx context.Context, instanceID string) (*IdentitySource, error) {
	var out *IdentitySource
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.instanceRef(instanceID)
		if err != nil {
			return err
		}
		out, err = t.identitySource(r)
		return err
	})
	return out, err
}

func (t txn) identitySource(r ref) (*IdentitySource, error) {
	out := &IdentitySource{Type: SourceIdentityStore}
	rec, ok, err := identitySources.Get(t, r.account, r.instance)
	if err != nil {
		return nil, err
	}
	if ok {
		out.Type, out.Metadata, out.Updated, out.UpdatedBy = rec.Type, rec.Metadata, rec.Updated, rec.UpdatedBy
		if rec.Type == SourceExternalSAML {
			if out.IdP, err = iam.ParseSAMLIdP(rec.Metadata); err != nil {
				return nil, err
			}
		}
	}
	if k, ok, err := spKeys.Get(t, r.account, r.instance); err != nil {
		return nil, err
	} else if ok {
		out.SPCert = k.Cert
	}
	return out, nil
}

// SetExternalIdP makes the SAML identity provider of metadata (validated as IAM's SAML providers'
// metadata is, with an HTTP-Redirect SingleSignOnService: iam.ParseSAMLIdP) the identity source of
// instance instanceID of caller's account; by is the principal's ARN. Returns
// ResourceNotFoundException, InvalidInput; nothing changes on error.
func (s *Service) SetExternalIdP(ctx context.Context, caller, instanceID, metadata, by string) (*iam.SAMLIdP, error) {
	idp, err := iam.ParseSAMLIdP(metadata)
	if err != nil {
		return nil, err
	}
	if err := s.ensureSPKey(ctx, caller, instanceID); err != nil {
		return nil, err
	}
	err = store.Update(ctx, s.st, func(t txn) error {
		r, err := t.ownedInstance(caller, instanceID)
		if err != nil {
			return err
		}
		return identitySources.Put(t, r.account, r.instance, &identitySourceRecord{Type: SourceExternalSAML, Metadata: metadata, Updated: s.Now(), UpdatedBy: by})
	})
	if err != nil {
		return nil, err
	}
	return idp, nil
}

// UseIdentityStore makes the instance's own identity store its identity source again. Returns
// ResourceNotFoundException.
func (s *Service) UseIdentityStore(ctx context.Context, caller, instanceID string) error {
	return store.Update(ctx, s.st, func(t txn) error {
		r, err := t.ownedInstance(caller, instanceID)
		if err != nil {
			return err
		}
		return identitySources.DeleteIfExists(t, r.account, r.instance)
	})
}

// spSealAD binds a sealed service provider key to its instance.
func spSealAD(instanceID string) string { return "sso-sp-key:" + instanceID }

// ensureSPKey creates the instance's service provider key and certificate unless it has them.
func (s *Service) ensureSPKey(ctx context.Context, caller, instanceID string) error {
	var have bool
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.ownedInstance(caller, instanceID)
		if err != nil {
			return err
		}
		_, have, err = spKeys.Get(t, r.account, r.instance)
		return err
	})
	if err != nil || have {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	now := s.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "IAM Identity Center " + instanceID},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	rec := &spKeyRecord{SealedKey: s.iam.Seal(x509.MarshalPKCS1PrivateKey(key), spSealAD(instanceID)), Cert: der, Created: now}
	return store.Update(ctx, s.st, func(t txn) error {
		r, err := t.ownedInstance(caller, instanceID)
		if err != nil {
			return err
		}
		if _, ok, err := spKeys.Get(t, r.account, r.instance); err != nil || ok {
			return err // another request made one meanwhile: keep it
		}
		return spKeys.Insert(t, r.account, r.instance, rec)
	})
}

// SPKey returns instance instanceID's service provider key and certificate, for the portal to
// sign its AuthnRequests; nil when the instance has none yet. Returns ResourceNotFoundException.
func (s *Service) SPKey(ctx context.Context, instanceID string) (*rsa.PrivateKey, *x509.Certificate, error) {
	var rec *spKeyRecord
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.instanceRef(instanceID)
		if err != nil {
			return err
		}
		rec, _, err = spKeys.Get(t, r.account, r.instance)
		return err
	})
	if err != nil || rec == nil {
		return nil, nil, err
	}
	der, err := s.iam.Unseal(rec.SealedKey, spSealAD(instanceID))
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(rec.Cert)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}
