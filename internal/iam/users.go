package iam

import (
	"context"
	"errors"
	rwarn "github.com/rootward/rootward/internal/arn"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// CreateUserInput are CreateUser's parameters.
type CreateUserInput struct {
	UserName            string
	Path                string
	PermissionsBoundary string
	Tags                []Tag
}

func userARN(account, path, name string) string {
	return rwarn.IAMEntity(account, "user", path, name)
}

// CreateUser creates an IAM user. Returns EntityAlreadyExists when the name is taken
// (case-insensitively), NoSuchEntity for an unknown boundary policy, ValidationError/InvalidInput
// for bad parameters.
func (s *Service) CreateUser(ctx context.Context, account string, in CreateUserInput) (*User, error) {
	if err := checkName("UserName", in.UserName, 64); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := checkPath("Path", in.Path); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	u := &User{
		Path: in.Path, UserName: in.UserName, UserID: newID("AIDA", 17),
		Arn: userARN(account, in.Path, in.UserName), CreateDate: s.Now(), Tags: in.Tags,
	}
	err := s.update(ctx, account, func(t txn) error {
		if in.PermissionsBoundary != "" {
			if err := t.checkBoundary(account, in.PermissionsBoundary); err != nil {
				return err
			}
			u.PermissionsBoundary = &Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: in.PermissionsBoundary}
		}
		if err := users.Insert(t, account, fold(in.UserName), userRecordOf(u)); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "User with name %s already exists.", in.UserName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (t txn) user(account, name string) (*User, error) {
	r, ok, err := users.Get(t, account, fold(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("UserName", name, 128, "user")
	}
	return r.user(), nil
}

// GetUser returns a user. Returns NoSuchEntity when it does not exist.
func (s *Service) GetUser(ctx context.Context, account, name string) (*User, error) {
	if err := checkName("UserName", name, 128); err != nil {
		return nil, err
	}
	var u *User
	err := s.view(ctx, func(t txn) (err error) {
		u, err = t.user(account, name)
		return err
	})
	return u, err
}

// ListUsers lists users whose path starts with pathPrefix: in name order without a prefix, else
// by path, then name (listPrincipals).
func (s *Service) ListUsers(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[User], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[User]{}, err
	}
	var p Page[User]
	err := s.view(ctx, func(t txn) (err error) {
		p, err = listPrincipals(t, users, account, pathPrefix, o, func(r *userRecord) User { return *r.user() })
		return err
	})
	return p, err
}

// UpdateUser renames a user or changes its path. Every object keyed by the user's name (group
// memberships, attached and inline policies, access keys, login profile, MFA devices) moves with it,
// in the same transaction.
func (s *Service) UpdateUser(ctx context.Context, account, name, newName, newPath string) error {
	if err := checkName("UserName", name, 128); err != nil {
		return err
	}
	if newName != "" {
		if err := checkName("NewUserName", newName, 64); err != nil {
			return err
		}
	}
	if newPath != "" {
		if err := checkPath("NewPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, name)
		if err != nil {
			return err
		}
		if newPath != "" {
			u.Path = newPath
		}
		oldKey := fold(u.UserName)
		if newName != "" {
			u.UserName = newName
		}
		u.Arn = userARN(account, u.Path, u.UserName)
		newKey := fold(u.UserName)
		if newKey == oldKey {
			return t.putUser(account, u)
		}
		if err := users.Insert(t, account, newKey, userRecordOf(u)); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "User with name %s already exists.", newName)
			}
			return err
		}
		if err := users.DeleteIfExists(t, account, oldKey); err != nil {
			return err
		}
		if err := t.renameUserRecords(account, oldKey, newKey, u.UserName); err != nil {
			return err
		}
		return t.renamePrincipal(account, principalUserT, oldKey, newKey)
	})
}

// renamePrincipal moves every object keyed by a principal's folded name.
func (t txn) renamePrincipal(account, ptype, oldKey, newKey string) error {
	if err := t.renamePolicyRecords(account, ptype, oldKey, newKey); err != nil {
		return err
	}
	if ptype != principalUserT {
		return nil
	}
	return t.renameMFARecords(account, oldKey, newKey)
}

// DeleteUser deletes a user that has nothing attached. Returns DeleteConflict, naming what must go
// first, as IAM does (IAM API reference, DeleteUser: "you must delete the items attached to the
// user manually"), and NoSuchEntity.
func (s *Service) DeleteUser(ctx context.Context, account, name string) error {
	if err := checkName("UserName", name, 128); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.user(account, name); err != nil {
			return err
		}
		key := fold(name)
		count := func(kind, prefix string) func() (int, error) {
			return func() (int, error) { return t.Count(kind, account, prefix) }
		}
		checks := []struct {
			n   func() (int, error)
			msg string
		}{
			{func() (int, error) {
				lp, err := t.loginProfile(account, name)
				if lp == nil {
					return 0, err
				}
				return 1, err
			}, "Cannot delete entity, must delete login profile first."},
			{func() (int, error) { return t.countAccessKeys(account, name) }, "Cannot delete entity, must delete access keys first."},
			{count(signingCerts.Name, key+sep), "Cannot delete entity, must delete signing certificates first."},
			{count(kindUserMFA, key+sep), "Cannot delete entity, must delete MFA device first."},
			// AWS's texts for these two are not documented; Rootward's, in the form of the others.
			{count(sshKeys.Name, key+sep), "Cannot delete entity, must delete SSH public keys first."},
			{count(serviceCreds.Name, key+sep), "Cannot delete entity, must delete service specific credentials first."},
			{count(kindInline, principalUserT+sep+key+sep), "Cannot delete entity, must delete policies first."},
			{count(kindAttached, principalUserT+sep+key+sep), "Cannot delete entity, must detach all policies first."},
			{func() (int, error) { return members.Count(t, "user", account, key+sep) }, "Cannot delete entity, must remove users from group first."},
		}
		for _, c := range checks {
			n, err := c.n()
			if err != nil {
				return err
			}
			if n > 0 {
				return awserr.New(awserr.DeleteConflict, "%s", c.msg)
			}
		}
		return users.DeleteIfExists(t, account, key)
	})
}

// TagUser adds or overwrites tags on a user (at most 50 in all).
func (s *Service) TagUser(ctx context.Context, account, name string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, name)
		if err != nil {
			return err
		}
		if u.Tags, err = mergeTags(u.Tags, tags, "TagsPerUser"); err != nil {
			return err
		}
		return t.putUser(account, u)
	})
}

// UntagUser removes the named tag keys from a user.
func (s *Service) UntagUser(ctx context.Context, account, name string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, name)
		if err != nil {
			return err
		}
		u.Tags = removeTags(u.Tags, keys)
		return t.putUser(account, u)
	})
}

// PutUserPermissionsBoundary sets a user's permissions boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, account, name, policyARN string) error {
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, name)
		if err != nil {
			return err
		}
		if err := t.checkBoundary(account, policyARN); err != nil {
			return err
		}
		u.PermissionsBoundary = &Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: policyARN}
		return t.putUser(account, u)
	})
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, name)
		if err != nil {
			return err
		}
		if u.PermissionsBoundary == nil {
			return awserr.New(awserr.NoSuchEntity, "The user %s has no permissions boundary.", name)
		}
		u.PermissionsBoundary = nil
		return t.putUser(account, u)
	})
}
