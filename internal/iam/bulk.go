package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Bulk loading: many entities in one transaction, under the same rules as the one-at-a-time
// operations, for loaders that build large data sets (the scale benchmarks of `make bench`,
// internal/testutil/benchdata). One durable commit per entity would make a million users take
// hours; one per batch takes seconds.

// ImportUser is one user ImportUsers creates.
type ImportUser struct {
	UserName string
	Path     string // "" means "/"
	// Policies are managed policy ARNs attached to the user.
	Policies []string
	// AccessKey gives the user one access key, returned with its secret.
	AccessKey bool
}

// ImportUsers creates users in account in one transaction: all of them or, on the first error,
// none. Each follows CreateUser's rules (EntityAlreadyExists for a taken name, ValidationError
// for a bad name or path), AttachPolicy's (NoSuchEntity for an unknown policy) and
// CreateAccessKey's. It returns the access keys it created, with their secrets, in input order.
func (s *Service) ImportUsers(ctx context.Context, account string, in []ImportUser) ([]AccessKey, error) {
	now := s.Now()
	list := make([]User, len(in))
	for i, u := range in {
		if err := checkName("UserName", u.UserName, 64); err != nil {
			return nil, err
		}
		if u.Path == "" {
			u.Path = "/"
		}
		if err := checkPath("Path", u.Path); err != nil {
			return nil, err
		}
		for _, p := range u.Policies {
			if err := checkPolicyARN("PolicyArn", p); err != nil {
				return nil, err
			}
		}
		list[i] = User{Path: u.Path, UserName: u.UserName, UserID: newID("AIDA", 17), Arn: userARN(account, u.Path, u.UserName), CreateDate: now}
	}
	var keys []AccessKey
	err := s.update(ctx, account, func(t txn) error {
		keys = keys[:0]
		for i, u := range in {
			if err := users.Insert(t, account, fold(u.UserName), userRecordOf(&list[i])); err != nil {
				if errors.Is(err, store.ErrExists) {
					return awserr.New(awserr.EntityAlreadyExists, "User with name %s already exists.", u.UserName)
				}
				return err
			}
			for _, p := range u.Policies {
				if err := t.attachPolicy(account, principalUserT, u.UserName, p); err != nil {
					return err
				}
			}
			if u.AccessKey {
				secret := newSecret()
				k := AccessKey{AccessKeyID: newKeyID("AKIA", account), Account: account, UserName: u.UserName, UserID: list[i].UserID, Status: "Active", CreateDate: now}
				k.SealedSecret = s.seal.Seal([]byte(secret), keyAD(k.AccessKeyID))
				if err := accessKeys.Insert(t, "", k.AccessKeyID, accessKeyRecordOf(&k)); err != nil {
					return err
				}
				k.Secret = secret
				keys = append(keys, k)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// ImportAccount is one account ImportAccounts creates: no root password, as Organizations'
// CreateAccount makes them.
type ImportAccount struct{ Name, Email string }

// ImportAccounts creates accounts in one transaction, all or none, under CreateAccount's rules
// (InvalidInput for a bad name or email, EntityAlreadyExists for an email in use), and returns
// them in input order.
func (s *Service) ImportAccounts(ctx context.Context, in []ImportAccount) ([]Account, error) {
	now := s.Now()
	out := make([]Account, len(in))
	ids := make(map[string]bool, len(in))
	for i, a := range in {
		name, email := strings.TrimSpace(a.Name), strings.TrimSpace(a.Email)
		if err := CheckAccountDetails(name, email); err != nil {
			return nil, err
		}
		id := newAccountID()
		for ids[id] {
			id = newAccountID()
		}
		ids[id] = true
		out[i] = Account{ID: id, Name: name, Email: email, CreatedAt: now}
	}
	err := store.Update(ctx, s.st, func(t txn) error {
		for i := range out {
			a := &out[i]
			err := accounts.Insert(t, "", a.ID, accountRecordOf(a))
			if taken := (*store.ErrIndexTaken)(nil); errors.As(err, &taken) {
				return awserr.New(awserr.EntityAlreadyExists, "An account with the email address %s already exists.", a.Email)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
