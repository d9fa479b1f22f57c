package iam

import (
	"context"
	"errors"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Reserved SAML providers: the provider IAM Identity Center creates in each account it provisions
// a permission set to, AWSSSO_<id>_DO_NOT_DELETE, which the AWSReservedSSO_ roles' trust policies
// name ("Permission sets", IAM Identity Center User Guide). Like the reserved roles
// (reservedroles.go), the service keeps it and callers cannot update, tag or delete it
// (UnmodifiableEntity); it shows in ListSAMLProviders and GetSAMLProvider like any provider.

// protectedSAMLProvider is IAM's refusal to change a reserved provider. AWS's text for a SAML
// provider is not documented: Rootward's follows the one IAM answers for a protected role.
func protectedSAMLProvider(p *SAMLProvider) error {
	return awserr.New(awserr.UnmodifiableEntity, "Cannot perform the operation on the protected SAML provider '%s' - this SAML provider is only modifiable by AWS", p.Name)
}

// PutReservedSAMLProvider creates the SAML provider name that the service managedBy keeps, from
// its metadata document, or leaves the one it keeps already as it is. Returns EntityAlreadyExists
// when a provider of that name is the account's own, InvalidInput for the document, LimitExceeded.
func (s *Service) PutReservedSAMLProvider(ctx context.Context, account, name, metadata, managedBy string) (*SAMLProvider, error) {
	if managedBy == "" {
		return nil, errors.New("iam: a reserved SAML provider needs the service that keeps it")
	}
	if err := checkSAMLName(name); err != nil {
		return nil, err
	}
	md, err := checkSAMLMetadata(metadata)
	if err != nil {
		return nil, err
	}
	var out *SAMLProvider
	err = s.update(ctx, account, func(t txn) error {
		r, found, err := samlProviders.Get(t, account, name)
		if err != nil {
			return err
		}
		if found {
			if r.ManagedBy != managedBy {
				return awserr.New(awserr.EntityAlreadyExists, "SAMLProvider named %s already exists.", name)
			}
			out = r.provider()
			return nil
		}
		n, err := t.Count(samlProviders.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxSAMLProviders {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		now := s.Now()
		out = &SAMLProvider{Name: name, Arn: rwarn.SAMLProvider(account, name), Metadata: metadata, EntityID: md.entityID,
			CreateDate: now, ValidUntil: md.validUntil, ManagedBy: managedBy}
		if out.ValidUntil.IsZero() {
			out.ValidUntil = now.AddDate(defaultValidYears, 0, 0)
		}
		err = samlProviders.Insert(t, account, name, samlProviderRecordOf(out))
		if errors.Is(err, store.ErrExists) {
			return awserr.New(awserr.EntityAlreadyExists, "SAMLProvider named %s already exists.", name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteReservedSAMLProvider deletes the SAML provider name that the service managedBy keeps; a
// provider that is gone is not an error, one that is the account's own is refused
// (UnmodifiableEntity).
func (s *Service) DeleteReservedSAMLProvider(ctx context.Context, account, name, managedBy string) error {
	return s.update(ctx, account, func(t txn) error {
		r, found, err := samlProviders.Get(t, account, name)
		if err != nil || !found {
			return err
		}
		if r.ManagedBy != managedBy || managedBy == "" {
			return awserr.New(awserr.UnmodifiableEntity, "Cannot delete the SAML provider '%s': it is not kept by %s", name, managedBy)
		}
		return samlProviders.Delete(t, account, name)
	})
}
