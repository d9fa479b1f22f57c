package identitycenter

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The SAML provider AWSSSO_<id>_DO_NOT_DELETE that Identity Center creates in each account it
// provisions a permission set to, and that the AWSReservedSSO_ roles trust ("Permission sets",
// IAM Identity Center User Guide,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html): created
// with the first role of the instance in the account, deleted with the last one, kept by the
// service (iam.PutReservedSAMLProvider: callers cannot update, tag or delete it).
//
// Rootward's portal issues the roles' credentials itself, without a SAML assertion, so the
// provider's metadata names a certificate whose private key is discarded at once: no assertion
// can ever verify against it, and AssumeRoleWithSAML through the provider is refused.

// SAMLIssuer is the entity ID of the SAML identity provider of the instance instanceID held by
// account (its metadata's entityID, the Issuer of its assertions). AWS's is the regional portal's
// URL with the instance; Rootward's is this URN (its own choice: the portal's public URL may
// change, the provider's identity must not).
func SAMLIssuer(account, instanceID string) string {
	return "urn:rootward:sso:saml:" + base64.RawURLEncoding.EncodeToString([]byte(account+"_"+instanceID))
}

// SAMLIssuer is the entity ID of the instance's SAML identity provider.
func (i *Instance) SAMLIssuer() string { return SAMLIssuer(i.OwnerAccount, i.ID) }

// providerMetadata is the SAML metadata document of the instance's provider.
func providerMetadata(in *Instance, now time.Time) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "IAM Identity Center " + in.ID},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", err
	}
	cert := base64.StdEncoding.EncodeToString(der)
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>%s</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`, in.SAMLIssuer(), cert, in.SAMLIssuer()), nil
}

// ensureProvider creates the instance's SAML provider in account unless it is there.
func (s *Service) ensureProvider(ctx context.Context, account string, in *Instance) error {
	md, err := providerMetadata(in, s.Now())
	if err != nil {
		return err
	}
	_, err = s.iam.PutReservedSAMLProvider(ctx, account, in.ProviderName(), md, ServicePrincipal)
	return err
}

// dropProviderIfUnused deletes the instance's SAML provider in account once no role of the
// instance is provisioned there.
func (s *Service) dropProviderIfUnused(ctx context.Context, r ref, account string) error {
	var in *Instance
	err := store.View(ctx, s.st, func(t txn) error {
		n, err := t.Count(provisioned.Name, r.account, key(r.instance, account)+"/")
		if err != nil || n > 0 {
			return err
		}
		rec, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil || !ok {
			return err
		}
		in = rec.instance(r.account)
		return nil
	})
	if err != nil || in == nil {
		return err
	}
	return s.iam.DeleteReservedSAMLProvider(ctx, account, in.ProviderName(), ServicePrincipal)
}
