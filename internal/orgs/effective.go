package orgs

import (
	"context"
	"sort"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// EffectivePolicy is an account's effective management policy of one type.
type EffectivePolicy struct {
	PolicyContent        string
	PolicyType           string
	TargetID             string
	LastUpdatedTimestamp time.Time
}

// checkEffectiveType accepts the management policy types: SCPs and RCPs have no effective policy
// (EffectivePolicyType enum, Organizations API Reference).
func checkEffectiveType(t string) error {
	if err := checkPolicyType(t); err != nil {
		return err
	}
	if authorizationType(t) {
		return invalid(ReasonInvalidPolicyType, "%s has no effective policy; specify a management policy type.", t)
	}
	return nil
}

// effectiveTarget resolves whose effective policy the caller asks for: its own account when target
// is empty; any account of the organization for the management account or a delegated
// administrator; only itself for another member.
func (t txn) effectiveTarget(caller, target string) (*Organization, *Account, error) {
	o, err := t.memberOrg(caller)
	if err != nil {
		return nil, nil, err
	}
	if target == "" {
		target = caller
	}
	if !accountIDPattern.MatchString(target) {
		return nil, nil, invalid(ReasonInvalidPattern, "TargetId must be an account ID: roots and OUs have no effective policy.")
	}
	if target != caller && o.MasterAccountID != caller && !o.DelegatedAdmin(caller, "") {
		return nil, nil, errDenied
	}
	a, err := t.member(o, target)
	if err != nil {
		return nil, nil, err
	}
	if a == nil {
		return nil, nil, errorf(awserr.OrgsTargetNotFound, "We can't find a root, OU, or account with the TargetId that you specified.")
	}
	return o, a, nil
}

// effective merges the policies of type typ that apply to account a.
func (t txn) effective(o *Organization, a *Account, typ string) (string, []ValidationError, error) {
	chain, err := t.ancestry(o, a.ParentID)
	if err != nil {
		return "", nil, err
	}
	targets := append(append([]string{o.RootID}, chain...), a.ID)
	levels := make([]levelPolicies, len(targets))
	for i, target := range targets {
		ids, err := t.attachedOfType(o, target, typ)
		if err != nil {
			return "", nil, err
		}
		sort.Strings(ids)
		for _, id := range ids {
			p, err := t.policy(o, id)
			if err != nil {
				return "", nil, err
			}
			levels[i] = append(levels[i], *p)
		}
	}
	return effectivePolicy(levels)
}

// DescribeEffectivePolicy returns an account's effective policy of a management policy type: the
// policies attached to the root, the OUs above the account and the account, merged. Returns
// EffectivePolicyNotFoundException when no policy of the type applies, TargetNotFoundException,
// InvalidInputException and AccessDeniedException.
func (s *Service) DescribeEffectivePolicy(ctx context.Context, caller, policyType, target string) (*EffectivePolicy, error) {
	if err := checkEffectiveType(policyType); err != nil {
		return nil, err
	}
	var out *EffectivePolicy
	err := s.view(ctx, func(t txn) error {
		o, a, err := t.effectiveTarget(caller, target)
		if err != nil {
			return err
		}
		content, _, err := t.effective(o, a, policyType)
		if err != nil {
			return err
		}
		if content == "" || !o.typeEnabled(policyType) {
			return errorf(awserr.OrgsEffectivePolicyNotFound, "We can't find an effective policy of type %s for the target %s.", policyType, a.ID)
		}
		out = &EffectivePolicy{PolicyContent: content, PolicyType: policyType, TargetID: a.ID, LastUpdatedTimestamp: s.now().UTC().Truncate(time.Second)}
		return nil
	})
	return out, err
}

// ListEffectivePolicyValidationErrors lists the problems found merging an account's effective
// policy of a type: operators that a policy higher in the organization does not allow.
func (s *Service) ListEffectivePolicyValidationErrors(ctx context.Context, caller, account, policyType string, lo ListOpts) (Page[ValidationError], time.Time, error) {
	var p Page[ValidationError]
	if account == "" {
		return p, time.Time{}, invalid(ReasonInputRequired, "You must specify a value for AccountId.")
	}
	if err := checkEffectiveType(policyType); err != nil {
		return p, time.Time{}, err
	}
	err := s.view(ctx, func(t txn) error {
		o, a, err := t.effectiveTarget(caller, account)
		if err != nil {
			return err
		}
		_, errs, err := t.effective(o, a, policyType)
		if err != nil {
			return err
		}
		p, err = pageSlice(errs, lo)
		return err
	})
	return p, s.now().UTC().Truncate(time.Second), err
}

// ListAccountsWithInvalidEffectivePolicy lists the accounts whose effective policy of a type has
// validation errors, in ID order. Management account or delegated administrator only. A page
// reads the accounts in order only as far as it needs (each one's effective policy merged), and
// its NextToken is the last account's position, not an offset that a joining or leaving account
// would shift.
func (s *Service) ListAccountsWithInvalidEffectivePolicy(ctx context.Context, caller, policyType string, lo ListOpts) (Page[Account], error) {
	var p Page[Account]
	if err := checkEffectiveType(policyType); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		p, err = t.pageMembers(o, lo, func(a *Account) (bool, error) {
			_, errs, err := t.effective(o, a, policyType)
			return len(errs) > 0, err
		})
		return err
	})
	return p, err
}
