package iam

import (
	"context"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// GrantingPolicy is a policy that applies to a user, group or role, with the entity it is
// attached to (ListPoliciesGrantingServiceAccess).
type GrantingPolicy struct {
	Name string
	// Arn is the managed policy's ARN, empty for an inline policy.
	Arn string
	// EntityType ("user", "group" or "role") and EntityName are the entity it is attached to.
	EntityType, EntityName string
	Document               string
}

// PoliciesApplying lists the inline and managed policies of a user, group or role (ptype "user",
// "group" or "role"): a user's include those of its groups. Returns NoSuchEntity when the entity
// does not exist.
func (s *Service) PoliciesApplying(ctx context.Context, account, ptype, name string) ([]GrantingPolicy, error) {
	var out []GrantingPolicy
	err := s.view(ctx, func(t txn) error {
		type entity struct{ typ, name string }
		var ents []entity
		switch ptype {
		case principalUserT:
			u, err := t.user(account, name)
			if err != nil {
				return err
			}
			ents = append(ents, entity{ptype, u.UserName})
			groups, err := t.groupsOf(account, u.UserName, u.UserID)
			if err != nil {
				return err
			}
			for _, g := range groups {
				gr, err := t.group(account, g)
				if err != nil {
					return err
				}
				ents = append(ents, entity{principalGroupT, gr.GroupName})
			}
		case principalGroupT:
			g, err := t.group(account, name)
			if err != nil {
				return err
			}
			ents = append(ents, entity{ptype, g.GroupName})
		case principalRoleT:
			r, err := t.role(account, name)
			if err != nil {
				return err
			}
			ents = append(ents, entity{ptype, r.RoleName})
		default:
			return awserr.New(awserr.NoSuchEntity, "The %s with name %s cannot be found.", ptype, name)
		}
		for _, e := range ents {
			var pp PrincipalPolicies
			if err := t.collect(account, e.typ, e.name, &pp); err != nil {
				return err
			}
			for _, d := range pp.Identity {
				gp := GrantingPolicy{EntityType: e.typ, EntityName: e.name, Document: d.Document}
				gp.Name = d.Label[strings.LastIndexByte(d.Label, '/')+1:]
				if strings.HasPrefix(d.Label, "arn:") {
					gp.Arn = d.Label
				}
				out = append(out, gp)
			}
		}
		return nil
	})
	return out, err
}
