package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rootward/rootward/internal/awserr"
)

// AssumeRoleWithWebIdentity's token rules: an OpenID Connect ID token (a JWT) signed RS256 or
// ES256 with a key of its issuer's JWKS, whose iss is an OIDC provider of the role's account,
// whose audience is one of the provider's client IDs, and which is within its exp and nbf (IAM User
// Guide, "Create an OpenID Connect (OIDC) identity provider in IAM"; STS API Reference,
// AssumeRoleWithWebIdentity). internal/api/stsapi fetches the keys; this file checks the token.
//
// AWS's messages, where known, are those its users report: "No OpenIDConnect provider found in your
// account for ISSUER", "Incorrect token audience", "Token expired: current date/time N must be before
// the expiration date/time M" (ExpiredTokenException), "The ID Token provided is not a valid JWT.
// (You may see this error if you sent an Access Token)", "Couldn't retrieve verification key from
// your identity provider,  please reference AssumeRoleWithWebIdentity documentation for
// requirements" (IDPCommunicationError). For a bad signature and a token not yet valid Rootward
// answers InvalidIdentityToken "Signature verification failed" and "Token is not yet valid",
// its own choice.

// WebTokenMax is the longest WebIdentityToken STS takes (STS API Reference: 4–20,000 characters).
const WebTokenMax = 20000

// Errors of AssumeRoleWithWebIdentity's token checks.
var (
	ErrNotJWT = awserr.New(awserr.InvalidIdentityToken, "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	// ErrIDPUnreachable answers when the issuer's discovery document or JWKS cannot be fetched.
	ErrIDPUnreachable = awserr.New(awserr.IDPCommunicationError, "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	errBadSignature   = awserr.New(awserr.InvalidIdentityToken, "Signature verification failed")
	errAudience       = awserr.New(awserr.InvalidIdentityToken, "Incorrect token audience")
)

// NoOIDCProvider is the refusal of a token whose issuer is no OIDC provider of the role's account.
func NoOIDCProvider(iss string) error {
	return awserr.New(awserr.InvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", iss)
}

// WebClaims are the claims of a verified web identity token that STS uses.
type WebClaims struct {
	Issuer  string
	Subject string
	// Audience is the token's audience as AWS uses it: azp when the token has one, else the aud
	// that is a client ID of the provider; OtherAudiences are the token's other aud values (the
	// :oaud key).
	Audience       string
	OtherAudiences []string
	AZP            string
	AMR            []string
	// SourceIdentity and the session tags come from the token's AWS claims
	// (https://aws.amazon.com/source_identity, https://aws.amazon.com/tags).
	SourceIdentity string
	Tags           map[string]string
	TagOrder       []string
	Transitive     []string
}

// PeekIssuer returns the iss claim of token without verifying anything, to find the provider whose
// keys verify it. Returns ErrNotJWT.
func PeekIssuer(token string) (string, error) {
	if len(token) < 4 || len(token) > WebTokenMax {
		return "", ErrNotJWT
	}
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil {
		return "", ErrNotJWT
	}
	iss, _ := claims["iss"].(string)
	if iss == "" {
		return "", ErrNotJWT
	}
	return iss, nil
}

// jwk is one key of a JWKS (RFC 7517): RSA (n, e) or EC P-256 (x, y).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// KeySet is an issuer's signing keys by kid.
type KeySet struct {
	byKID map[string]crypto.PublicKey
	all   []crypto.PublicKey
}

// Has reports whether the set holds a key named kid.
func (k *KeySet) Has(kid string) bool { _, ok := k.byKID[kid]; return ok }

// ParseJWKS reads a JWKS document's RSA and P-256 signature keys; other keys are skipped. It fails
// when the document holds no usable key.
func ParseJWKS(body []byte) (*KeySet, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	ks := &KeySet{byKID: map[string]crypto.PublicKey{}}
	dec := base64.RawURLEncoding
	for _, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		var pub crypto.PublicKey
		switch k.Kty {
		case "RSA":
			n, err1 := dec.DecodeString(strings.TrimRight(k.N, "="))
			e, err2 := dec.DecodeString(strings.TrimRight(k.E, "="))
			if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
				continue
			}
			pk := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			if pk.N.BitLen() < 2048 {
				continue
			}
			pub = pk
		case "EC":
			if k.Crv != "P-256" {
				continue
			}
			x, err1 := dec.DecodeString(strings.TrimRight(k.X, "="))
			y, err2 := dec.DecodeString(strings.TrimRight(k.Y, "="))
			if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
				continue
			}
			uncompressed := append(append([]byte{4}, x...), y...)
			pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), uncompressed)
			if err != nil {
				continue
			}
			pub = pk
		default:
			continue
		}
		ks.all = append(ks.all, pub)
		if k.Kid != "" {
			ks.byKID[k.Kid] = pub
		}
	}
	if len(ks.all) == 0 {
		return nil, errors.New("sts: the JWKS holds no RSA or P-256 signature key")
	}
	return ks, nil
}

// TokenKID is the kid of token's header, "" when it names none or is not a JWT.
func TokenKID(token string) string {
	t, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		return ""
	}
	kid, _ := t.Header["kid"].(string)
	return kid
}

// VerifyWebToken checks token's signature with keys, then its claims against the provider: iss
// equal to issuer, exp after now, nbf (when set) at or before now, and an audience among
// clientIDs. Returns InvalidIdentityToken or ExpiredTokenException.
func VerifyWebToken(token string, keys *KeySet, issuer string, clientIDs []string, now time.Time) (*WebClaims, error) {
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	var claims jwt.MapClaims
	_, err := p.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != "" {
			if k, ok := keys.byKID[kid]; ok {
				return k, nil
			}
			return nil, errBadSignature
		}
		set := jwt.VerificationKeySet{}
		for _, k := range keys.all {
			set.Keys = append(set.Keys, k)
		}
		return set, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, ErrNotJWT
	case err != nil:
		return nil, errBadSignature
	}
	if iss, _ := claims["iss"].(string); iss != issuer {
		return nil, NoOIDCProvider(iss)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil, ErrNotJWT
	}
	if !now.Before(exp.Time) {
		return nil, awserr.New(awserr.ExpiredTokenException, "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	}
	if nbf, err := claims.GetNotBefore(); err != nil {
		return nil, ErrNotJWT
	} else if nbf != nil && now.Before(nbf.Time) {
		return nil, awserr.New(awserr.InvalidIdentityToken, "Token is not yet valid")
	}
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return nil, ErrNotJWT
	}
	aud, err := claims.GetAudience()
	if err != nil {
		return nil, ErrNotJWT
	}
	wc := &WebClaims{Issuer: issuer, Subject: sub}
	wc.AZP, _ = claims["azp"].(string)
	// The aud key is azp when the token has one, else aud (IAM User Guide, "Available keys for AWS
	// OIDC federation"): the effective audience must be a client ID of the provider.
	wc.Audience = wc.AZP
	if wc.Audience == "" {
		for _, a := range aud {
			if containsString(clientIDs, a) {
				wc.Audience = a
				break
			}
		}
	}
	if wc.Audience == "" || !containsString(clientIDs, wc.Audience) {
		return nil, errAudience
	}
	for _, a := range aud {
		if a != wc.Audience {
			wc.OtherAudiences = append(wc.OtherAudiences, a)
		}
	}
	wc.AMR = stringList(claims["amr"])
	wc.SourceIdentity, _ = claims["https://aws.amazon.com/source_identity"].(string)
	if tags, ok := claims["https://aws.amazon.com/tags"].(map[string]any); ok {
		wc.Tags = map[string]string{}
		if pt, ok := tags["principal_tags"].(map[string]any); ok {
			for k, v := range pt {
				vs := stringList(v)
				if len(vs) != 1 {
					return nil, awserr.New(awserr.InvalidIdentityToken, "Invalid principal_tags claim")
				}
				wc.Tags[k] = vs[0]
				wc.TagOrder = append(wc.TagOrder, k)
			}
		}
		wc.Transitive = stringList(tags["transitive_tag_keys"])
	}
	return wc, nil
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
