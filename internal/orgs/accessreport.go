package orgs

import (
	"context"
	"errors"
	"strings"
)

// The scope of IAM's organizations access report (IAM API Reference,
// GenerateOrganizationsAccessReport): an entity path names the root, an OU or an account of the
// caller's organization, and the report covers the accounts below it and the services the SCPs in
// effect there allow (or one SCP's, when the report names it).

// Errors of AccessReportScope; IAM's operations answer them in IAM's codes.
var (
	// ErrNotManagement: the caller is in no organization, or is not its management account.
	ErrNotManagement = errors.New("orgs: the caller is not the management account of an organization")
	// ErrSCPsDisabled: service control policies are not enabled on the organization's root.
	ErrSCPsDisabled = errors.New("orgs: service control policies are not enabled")
	// ErrBadEntityPath: the path names nothing of the caller's organization.
	ErrBadEntityPath = errors.New("orgs: the entity path names no entity of the organization")
	// ErrNoSuchSCP: the policy ID names no service control policy of the organization.
	ErrNoSuchSCP = errors.New("orgs: no such service control policy")
)

// ScopeAccount is an account below a report's entity, with its own entity path.
type ScopeAccount struct {
	ID, Path string
}

// AccessScope is what an organizations access report covers.
type AccessScope struct {
	Accounts []ScopeAccount
	// Levels are the SCP documents attached at each level from the root down to the entity (the
	// entity's own level last); when the report names a policy, the one level holding its document.
	Levels [][]string
}

// AccessReportScope resolves entityPath (o-…/r-…[/ou-…]…[/account]) in the caller's organization,
// for policyID ("" for the SCPs in effect). Returns ErrNotManagement, ErrSCPsDisabled,
// ErrBadEntityPath or ErrNoSuchSCP.
func (s *Service) AccessReportScope(ctx context.Context, caller, entityPath, policyID string) (*AccessScope, error) {
	var out *AccessScope
	err := s.view(ctx, func(t txn) error {
		o, err := t.orgOf(caller)
		if err != nil {
			return err
		}
		if o == nil || o.MasterAccountID != caller {
			return ErrNotManagement
		}
		if !o.typeEnabled(TypeSCP) {
			return ErrSCPsDisabled
		}
		parts := strings.Split(entityPath, "/")
		if len(parts) < 2 || parts[0] != o.ID || parts[1] != o.RootID {
			return ErrBadEntityPath
		}
		// Each OU must be a child of the one before it; an account, last, must sit in the last.
		parent := o.RootID
		levels := []string{o.RootID}
		account := ""
		for i, id := range parts[2:] {
			if strings.HasPrefix(id, "ou-") {
				u, err := t.ou(o, id)
				if err != nil {
					return err
				}
				if u == nil || u.ParentID != parent {
					return ErrBadEntityPath
				}
				parent = id
				levels = append(levels, id)
				continue
			}
			a, err := t.member(o, id)
			if err != nil {
				return err
			}
			if a == nil || a.ParentID != parent || i != len(parts)-3 {
				return ErrBadEntityPath
			}
			account = id
			levels = append(levels, id)
		}
		out = &AccessScope{}
		if account != "" {
			out.Accounts = []ScopeAccount{{ID: account, Path: entityPath}}
		} else if out.Accounts, err = t.scopeAccounts(o, parent, entityPath); err != nil {
			return err
		}
		if policyID != "" {
			p, err := t.policy(o, policyID)
			if err != nil {
				return err
			}
			if p == nil || p.Type != TypeSCP {
				return ErrNoSuchSCP
			}
			out.Levels = [][]string{{p.Content}}
			return nil
		}
		docs, err := t.levels(o, levels, TypeSCP)
		if err != nil {
			return err
		}
		for _, level := range docs {
			var l []string
			for _, d := range level {
				l = append(l, d.Document)
			}
			out.Levels = append(out.Levels, l)
		}
		return nil
	})
	return out, err
}

// scopeAccounts lists every account at or below parent, each with its entity path (parent's path
// is path).
func (t txn) scopeAccounts(o *Organization, parent, path string) ([]ScopeAccount, error) {
	var out []ScopeAccount
	type node struct{ id, path string }
	queue := []node{{parent, path}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		cs, err := t.children(o.ID, n.id, "")
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.Type == ChildAccount {
				out = append(out, ScopeAccount{ID: c.ID, Path: n.path + "/" + c.ID})
			} else {
				queue = append(queue, node{c.ID, n.path + "/" + c.ID})
			}
		}
	}
	return out, nil
}
