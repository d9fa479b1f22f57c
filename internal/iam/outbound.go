package iam

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/uuid"
)

// Outbound identity federation (IAM User Guide, "Federating AWS identities to external
// services"; IAM API Reference, EnableOutboundWebIdentityFederation): while an account has it
// enabled, its principals get JWTs from sts:GetWebIdentityToken, signed with keys the account's
// issuer publishes. AWS's issuer is https://<uuid>.tokens.sts.global.api.aws; Rootward's is
// PUBLIC_URL/oidc/<uuid> (OutboundIssuerPath), serving /.well-known/openid-configuration and
// /.well-known/jwks.json unsigned (OutboundDocument, served by internal/api/iamapi.IssuerHandler).
//
// The account's record (kind iam.outbound, global, under the account ID) keeps the issuer's UUID
// and one signing key per algorithm, made at the first enable; the private halves are sealed
// under the master key, bound to their key ID. Disabling stops issuing but keeps the issuer and
// its keys published: "This operation does not affect tokens that were issued before the
// feature was disabled" (DisableOutboundWebIdentityFederation). Enabling again reuses them, so
// the issuer URL external services trust stays the same.

// OutboundIssuerPath is the path under PUBLIC_URL below which every account's issuer lives.
const OutboundIssuerPath = "/oidc/"

// outboundKey is one signing key of an issuer.
type outboundKey struct {
	Alg    string `json:"alg"`
	Kid    string `json:"kid"`
	Public []byte `json:"public"` // PKIX DER
	Sealed []byte `json:"sealed"` // the private key's PKCS #8 DER, sealed under outboundAD(Kid)
}

// outboundRecord is an account's outbound federation state.
type outboundRecord struct {
	Enabled  bool          `json:"enabled"`
	IssuerID string        `json:"issuer_id"`
	Keys     []outboundKey `json:"keys"`
}

// outbound holds each account's record; the unique index "issuer" finds the account an issuer
// URL names.
var outbound = store.Define(store.Kind[outboundRecord]{
	Name: "iam.outbound", Version: 1,
	Indexes: []store.Index[outboundRecord]{
		{Name: "issuer", Unique: true, Values: func(_ string, r *outboundRecord) []string { return []string{r.IssuerID} }},
	},
})

// outboundAD binds a sealed signing key to its key ID: a sealed key copied under another ID
// does not open.
func outboundAD(kid string) string { return "iam.outbound.key/" + kid }

// OutboundAlgorithms are the signing algorithms GetWebIdentityToken offers (STS API Reference,
// GetWebIdentityToken, SigningAlgorithm).
var OutboundAlgorithms = []string{"RS256", "ES384"}

// SetPublicURL sets the base URL ("https://rootward.example.com") under which the accounts'
// outbound federation issuers are published (PUBLIC_URL/oidc/<uuid>). Until it is set, the
// base is http://localhost.
func (s *Service) SetPublicURL(base string) {
	b := strings.TrimRight(base, "/")
	s.publicURL.Store(&b)
}

// OutboundIssuerURL is the issuer URL of the issuer ID.
func (s *Service) OutboundIssuerURL(issuerID string) string {
	base := "http://localhost"
	if p := s.publicURL.Load(); p != nil {
		base = *p
	}
	return base + OutboundIssuerPath + issuerID
}

// OutboundInfo is an account's outbound federation state: the issuer URL ("" if it was never
// enabled) and whether tokens are issued.
type OutboundInfo struct {
	IssuerURL string
	Enabled   bool
}

// featureDisabled is FeatureDisabled in AWS's documented words (IAM API Reference,
// DisableOutboundWebIdentityFederation, Errors; the exact message AWS sends is not documented).
func featureDisabled() error {
	return awserr.New(awserr.FeatureDisabled, "Outbound identity federation is disabled for your AWS account.")
}

// EnableOutboundFederation turns outbound identity federation on for account, making its issuer
// and signing keys the first time, and returns the issuer URL. Returns FeatureEnabled when it is
// already on, NoSuchEntity for an unknown account.
func (s *Service) EnableOutboundFederation(ctx context.Context, account string) (string, error) {
	var fresh *outboundRecord
	var issuer string
	for {
		err := s.update(ctx, account, func(t txn) error {
			if _, err := t.account(account); err != nil {
				return err
			}
			r, ok, err := outbound.Get(t, "", account)
			if err != nil {
				return err
			}
			switch {
			case ok && r.Enabled:
				// The exact message AWS sends is not documented; the text is the model's.
				return awserr.New(awserr.FeatureEnabled, "Outbound identity federation is already enabled for your AWS account.")
			case ok:
				r.Enabled = true
			case fresh == nil:
				return errNeedKeys
			default:
				r = fresh
			}
			issuer = r.IssuerID
			return outbound.Put(t, "", account, r)
		})
		if errors.Is(err, errNeedKeys) {
			// Keys are made outside the transaction (an RSA key takes a while), then the
			// transaction runs again; another enable may have won meanwhile, and then these
			// keys are dropped.
			if fresh, err = s.newOutboundRecord(); err != nil {
				return "", err
			}
			continue
		}
		if err != nil {
			return "", err
		}
		return s.OutboundIssuerURL(issuer), nil
	}
}

var errNeedKeys = errors.New("iam: outbound federation needs new keys")

// newOutboundRecord makes an enabled issuer with a fresh UUID and one key per algorithm.
func (s *Service) newOutboundRecord() (*outboundRecord, error) {
	r := &outboundRecord{Enabled: true, IssuerID: uuid.Random()}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	for _, k := range []struct {
		alg  string
		priv any
		pub  any
	}{{"RS256", rsaKey, &rsaKey.PublicKey}, {"ES384", ecKey, &ecKey.PublicKey}} {
		pub, err := x509.MarshalPKIXPublicKey(k.pub)
		if err != nil {
			return nil, err
		}
		priv, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(pub)
		kid := hex.EncodeToString(sum[:16])
		r.Keys = append(r.Keys, outboundKey{Alg: k.alg, Kid: kid, Public: pub, Sealed: s.seal.Seal(priv, outboundAD(kid))})
	}
	return r, nil
}

// DisableOutboundFederation turns outbound identity federation off for account; the issuer and
// its keys stay published. Returns FeatureDisabled when it is not on.
func (s *Service) DisableOutboundFederation(ctx context.Context, account string) error {
	return s.update(ctx, account, func(t txn) error {
		r, ok, err := outbound.Get(t, "", account)
		if err != nil {
			return err
		}
		if !ok || !r.Enabled {
			return featureDisabled()
		}
		r.Enabled = false
		return outbound.Put(t, "", account, r)
	})
}

// OutboundFederation is account's outbound federation state. Returns FeatureDisabled when the
// account never enabled it (it has no issuer URL to report; GetOutboundWebIdentityFederationInfo's
// one modelled error).
func (s *Service) OutboundFederation(ctx context.Context, account string) (OutboundInfo, error) {
	var info OutboundInfo
	err := s.view(ctx, func(t txn) error {
		r, ok, err := outbound.Get(t, "", account)
		if err != nil {
			return err
		}
		if !ok {
			return featureDisabled()
		}
		info = OutboundInfo{IssuerURL: s.OutboundIssuerURL(r.IssuerID), Enabled: r.Enabled}
		return nil
	})
	return info, err
}

// maxOutboundPayload is the largest claims set SignOutboundToken signs, in bytes of JSON.
// AWS does not publish its limit (JWTPayloadSizeExceededException says only that the payload
// is too large); Rootward's is 16 KiB.
const maxOutboundPayload = 16 << 10

// SignOutboundToken signs claims as a JWT of account's issuer with alg (RS256 or ES384), setting
// iss to the issuer URL. Returns OutboundWebIdentityFederationDisabledException while the
// account has outbound federation off, JWTPayloadSizeExceededException for claims over the limit.
func (s *Service) SignOutboundToken(ctx context.Context, account, alg string, claims map[string]any) (string, error) {
	var r *outboundRecord
	err := s.view(ctx, func(t txn) error {
		var ok bool
		var err error
		r, ok, err = outbound.Get(t, "", account)
		if err != nil {
			return err
		}
		if !ok || !r.Enabled {
			// The exception's documented meaning; AWS's exact message is not documented.
			return awserr.New(awserr.OutboundWebIdentityFederationDisabled, "The outbound web identity federation feature is not enabled for this account.")
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	claims["iss"] = s.OutboundIssuerURL(r.IssuerID)
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	if len(body) > maxOutboundPayload {
		return "", awserr.New(awserr.JWTPayloadSizeExceeded, "The requested token payload size exceeds the maximum allowed size.")
	}
	for _, k := range r.Keys {
		if k.Alg != alg {
			continue
		}
		der, err := s.seal.Open(k.Sealed, outboundAD(k.Kid))
		if err != nil {
			return "", fmt.Errorf("iam: opening the outbound signing key %s: %w", k.Kid, err)
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return "", err
		}
		method := jwt.GetSigningMethod(alg)
		tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
		tok.Header["kid"] = k.Kid
		return tok.SignedString(priv)
	}
	return "", fmt.Errorf("iam: the issuer has no %s key", alg)
}

// OutboundDocument is the JSON of an issuer's document, for a path below OutboundIssuerPath:
// <uuid>/.well-known/openid-configuration (the discovery document) or
// <uuid>/.well-known/jwks.json (its keys); ok is false for any other path or an unknown issuer.
// An issuer whose account disabled outbound federation keeps its documents (tokens issued
// before stay verifiable). internal/api/iamapi.IssuerHandler serves them.
func (s *Service) OutboundDocument(ctx context.Context, path string) (body []byte, ok bool, err error) {
	id, doc, found := strings.Cut(path, "/")
	if !found || (doc != ".well-known/openid-configuration" && doc != ".well-known/jwks.json") {
		return nil, false, nil
	}
	var rec *outboundRecord
	err = s.view(ctx, func(t txn) error {
		_, r, ok, err := outbound.Lookup(t, "issuer", "", id)
		if ok {
			rec = r
		}
		return err
	})
	if err != nil || rec == nil {
		return nil, false, err
	}
	issuer := s.OutboundIssuerURL(rec.IssuerID)
	var v any
	if doc == ".well-known/openid-configuration" {
		v = map[string]any{
			"issuer":                                issuer,
			"jwks_uri":                              issuer + "/.well-known/jwks.json",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": OutboundAlgorithms,
			"scopes_supported":                      []string{"openid"},
		}
	} else {
		keys := []map[string]string{}
		for _, k := range rec.Keys {
			if jwk := publicJWK(k); jwk != nil {
				keys = append(keys, jwk)
			}
		}
		v = map[string]any{"keys": keys}
	}
	body, err = json.Marshal(v)
	return body, err == nil, err
}

// publicJWK is a key's public half as a JWK (RFC 7517, RFC 7518 section 6); nil if it cannot be
// read.
func publicJWK(k outboundKey) map[string]string {
	pub, err := x509.ParsePKIXPublicKey(k.Public)
	if err != nil {
		return nil
	}
	b64 := base64.RawURLEncoding.EncodeToString
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "use": "sig", "alg": k.Alg, "kid": k.Kid, "n": b64(p.N.Bytes()), "e": b64(big.NewInt(int64(p.E)).Bytes())}
	case *ecdsa.PublicKey:
		raw, err := p.Bytes() // 0x04 || X || Y, each 48 bytes for P-384
		if err != nil {
			return nil
		}
		n := (len(raw) - 1) / 2
		return map[string]string{"kty": "EC", "use": "sig", "alg": k.Alg, "kid": k.Kid, "crv": "P-384", "x": b64(raw[1 : 1+n]), "y": b64(raw[1+n:])}
	}
	return nil
}
