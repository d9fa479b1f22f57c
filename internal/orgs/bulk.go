package orgs

import (
	"context"

	"github.com/rootward/rootward/internal/iam"
)

// ImportAccounts creates accounts (iam.Service.ImportAccounts) and makes them members of the
// caller's organization under its root, as CreateAccount does but for many accounts in two
// transactions instead of several per account, and without the access role: a loader for large
// organizations (the scale benchmarks of `make bench`, internal/testutil/benchdata). The caller
// must be the management account; returns AWSOrganizationsNotInUseException or
// AccessDeniedException otherwise.
func (s *Service) ImportAccounts(ctx context.Context, caller string, in []iam.ImportAccount) ([]Account, error) {
	// Checked before any account is created, so that a refused call leaves nothing behind.
	err := s.view(ctx, func(t txn) error {
		_, err := t.management(caller)
		return err
	})
	if err != nil {
		return nil, err
	}
	accts, err := s.iam.ImportAccounts(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(accts))
	err = s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(accts))
		now := s.Now()
		for i, a := range accts {
			out[i] = Account{ID: a.ID, Name: a.Name, Email: a.Email, Status: StatusActive, JoinedMethod: JoinedCreated,
				JoinedTimestamp: now, ParentID: o.RootID, Arn: o.accountArn(a.ID)}
			if err := t.addMember(o, &out[i]); err != nil {
				return nil, err
			}
			ids[i] = a.ID
		}
		return ids, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
