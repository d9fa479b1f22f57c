package identitycenter

import (
	"context"

	"github.com/rootward/rootward/internal/store"
)

// ListAccountAssignmentsForPrincipal lists the account assignments made to one principal (a
// user's or a group's own: a user's groups' assignments are the groups'), optionally only those
// in account, in the order of the principal's index (account, then permission set). Returns
// ValidationException, ResourceNotFoundException (the instance, or a principal the identity store
// does not have).
func (s *Service) ListAccountAssignmentsForPrincipal(ctx context.Context, caller, instanceARN, principalType, principalID, account string, o ListOpts) (store.Page[Assignment], error) {
	if principalType != PrincipalUser && principalType != PrincipalGroup {
		return store.Page[Assignment]{}, invalid("The value of PrincipalType must be USER or GROUP.")
	}
	if !principalPattern.MatchString(principalID) {
		return store.Page[Assignment]{}, invalid("The value of PrincipalId is not a valid user or group ID.")
	}
	if account != "" && !accountIDPattern.MatchString(account) {
		return store.Page[Assignment]{}, invalid("The value of AccountId is not a valid account ID.")
	}
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return store.Page[Assignment]{}, err
	}
	var p store.Page[Assignment]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		if err := t.principalExists(r, principalType, principalID); err != nil {
			return err
		}
		src := assignments.Resolved(t, r.account, assignments.IndexRange(t, "principal", r.account, key(r.instance, principalID)+"\x00"))
		p, err = store.ReadPage(src, o.After, o.limit(), func(it store.Item) (Assignment, bool, error) {
			if it.Body == nil {
				return Assignment{}, false, nil
			}
			a, err := assignments.Decode(it.Body)
			if err != nil || a.PrincipalType != principalType || (account != "" && a.Account != account) {
				return Assignment{}, false, err
			}
			return Assignment{AccountID: a.Account, PermissionSetARN: PermissionSetARN(r.instance, a.PermissionSet),
				PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}, true, nil
		})
		return err
	})
	return p, err
}
