package iam

import (
	"context"
	"errors"
	"slices"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// Reserved roles: the roles an AWS service provisions in an account and keeps in step with its own
// configuration — IAM Identity Center's AWSReservedSSO_ roles under /aws-reserved/sso.amazonaws.com/
// ("Permission sets", IAM Identity Center User Guide). The service sets the role's trust policy,
// managed policies, one inline policy and boundary exactly, in one transaction; callers cannot
// change or delete the role (protectedRole: UnmodifiableEntity), and its sessions are bound by
// SCPs like any role's (it is not service-linked).

// ReservedRoleInput is a reserved role's whole configuration.
type ReservedRoleInput struct {
	RoleName, Path, Trust, Description string
	MaxSessionDuration                 int
	// ManagedBy is the service principal that keeps the role.
	ManagedBy string
	// ManagedPolicies are the ARNs of the managed policies the role has (AWS managed, or customer
	// managed ones of the account); each must exist.
	ManagedPolicies []string
	// InlinePolicyName and InlinePolicy are the role's one inline policy, none when InlinePolicy
	// is "".
	InlinePolicyName, InlinePolicy string
	// Boundary is the ARN of the permissions boundary, "" for none.
	Boundary string
}

// PutReservedRole creates the reserved role, or brings the one of that name the same service keeps
// to in. Returns EntityAlreadyExists when a role of that name is not the service's, NoSuchEntity
// for a policy or boundary the account does not have, MalformedPolicyDocument, LimitExceeded.
func (s *Service) PutReservedRole(ctx context.Context, account string, in ReservedRoleInput) (*Role, error) {
	if in.ManagedBy == "" {
		return nil, errors.New("iam: a reserved role needs the service that keeps it")
	}
	if err := checkName("RoleName", in.RoleName, 64); err != nil {
		return nil, err
	}
	if err := checkPathSyntax("Path", in.Path); err != nil {
		return nil, err
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = 3600
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if _, err := ValidateDocument(in.Trust, policy.KindTrust, policy.LimitTrust); err != nil {
		return nil, err
	}
	if in.InlinePolicy != "" {
		if _, err := ValidateDocument(in.InlinePolicy, policy.KindIdentity, policy.LimitInlineRole); err != nil {
			return nil, err
		}
	}
	var out *Role
	err := s.update(ctx, account, func(t txn) error {
		key := fold(in.RoleName)
		r, err := t.role(account, in.RoleName)
		switch {
		case awserr.IsCode(err, awserr.NoSuchEntity):
			r = &Role{Path: in.Path, RoleName: in.RoleName, RoleID: newID("AROA", 17),
				Arn: rwarn.IAMEntity(account, "role", in.Path, in.RoleName), CreateDate: s.Now(), ManagedBy: in.ManagedBy}
		case err != nil:
			return err
		case r.ManagedBy != in.ManagedBy || r.Path != in.Path:
			return awserr.New(awserr.EntityAlreadyExists, "Role with name %s already exists.", in.RoleName)
		}
		r.AssumeRolePolicyDocument, r.Description, r.MaxSessionDuration = in.Trust, in.Description, in.MaxSessionDuration
		r.PermissionsBoundary = nil
		if in.Boundary != "" {
			if err := t.checkBoundary(account, in.Boundary); err != nil {
				return err
			}
			r.PermissionsBoundary = &Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: in.Boundary}
		}
		if err := roles.Put(t, account, key, roleRecordOf(r)); err != nil {
			return err
		}
		prefix := principalRoleT + sep + key + sep
		attached, err := attachments.List(t, account, prefix, "", 0)
		if err != nil {
			return err
		}
		for _, e := range attached {
			if !slices.Contains(in.ManagedPolicies, e.Record.PolicyArn) {
				if err := attachments.Delete(t, account, e.Key); err != nil {
					return err
				}
			}
		}
		for _, a := range in.ManagedPolicies {
			if err := t.attachPolicy(account, principalRoleT, in.RoleName, a); err != nil {
				return err
			}
		}
		inline, err := inlines.List(t, account, prefix, "", 0)
		if err != nil {
			return err
		}
		for _, e := range inline {
			if in.InlinePolicy == "" || e.Record.Name != in.InlinePolicyName {
				if err := inlines.Delete(t, account, e.Key); err != nil {
					return err
				}
			}
		}
		if in.InlinePolicy != "" {
			if err := inlines.Put(t, account, prefix+in.InlinePolicyName, &inlinePolicy{Name: in.InlinePolicyName, Document: in.InlinePolicy}); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// DeleteReservedRole deletes a reserved role the service managedBy keeps, with its policies; a role
// that is gone is not an error. Returns DeleteConflict while the role is in an instance profile.
func (s *Service) DeleteReservedRole(ctx context.Context, account, name, managedBy string) error {
	return s.update(ctx, account, func(t txn) error {
		r, err := t.role(account, name)
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.ManagedBy != managedBy || managedBy == "" {
			return awserr.New(awserr.UnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.RoleName)
		}
		key := fold(name)
		prefix := principalRoleT + sep + key + sep
		for _, del := range []func() error{
			func() error { return deleteRange(t, attachments, account, prefix) },
			func() error { return deleteRange(t, inlines, account, prefix) },
		} {
			if err := del(); err != nil {
				return err
			}
		}
		return roles.DeleteIfExists(t, account, key)
	})
}

// deleteRange deletes the records of k under prefix.
func deleteRange[R any](t txn, k *store.Kind[R], account, prefix string) error {
	items, err := k.List(t, account, prefix, "", 0)
	if err != nil {
		return err
	}
	for _, e := range items {
		if err := k.Delete(t, account, e.Key); err != nil {
			return err
		}
	}
	return nil
}
