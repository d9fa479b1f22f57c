package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
)

// Root-user account details and credentials that no IAM API operation creates: AWS changes the
// account name and root email in the console (Account Management), and creates root access keys
// only from the root user's "Security credentials" page. The root-user service (internal/rootuser)
// adds the confirmations and events around these calls.

// rootAccessKeys is the quota of access keys of the root user, as for IAM users ("you can have a
// maximum of two access keys", IAM User Guide, "Manage access keys for IAM users"; the root user's
// page enforces the same two).
const rootAccessKeys = 2

// CreateRootAccessKey makes a long-term access key for the account's root user, indexed under the
// empty user name like the root user's other credentials. The secret is returned once and stored
// only sealed. Returns LimitExceeded (two keys), NoSuchEntity (unknown account).
func (s *Service) CreateRootAccessKey(ctx context.Context, account string) (*AccessKey, error) {
	secret := newSecret()
	k := &AccessKey{AccessKeyID: newKeyID("AKIA", account), Account: account, Status: "Active", CreateDate: s.Now()}
	k.SealedSecret = s.seal.Seal([]byte(secret), keyAD(k.AccessKeyID))
	err := s.update(ctx, account, func(t txn) error {
		if _, err := t.account(account); err != nil {
			return err
		}
		return t.insertAccessKey(k, rootAccessKeys)
	})
	if err != nil {
		return nil, err
	}
	k.Secret = secret
	return k, nil
}

func (t txn) account(id string) (*Account, error) {
	r, ok, err := accounts.Get(t, "", id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(awserr.NoSuchEntity, "The account %s cannot be found.", id)
	}
	return r.account(), nil
}

// AccountByRootEmail returns the account whose root email is email, compared case-insensitively.
// Returns NoSuchEntity when none.
func (s *Service) AccountByRootEmail(ctx context.Context, email string) (*Account, error) {
	return s.accountByIndex(ctx, "email", strings.ToLower(strings.TrimSpace(email)))
}

// UnclaimedAccount returns the account whose root user nobody has claimed yet (see
// Account.Unclaimed), or nil when there is none.
func (s *Service) UnclaimedAccount(ctx context.Context) (*Account, error) {
	a, err := s.AccountByRootEmail(ctx, PlaceholderRootEmail)
	if awserr.IsCode(err, awserr.NoSuchEntity) || (err == nil && !a.Unclaimed()) {
		return nil, nil
	}
	return a, err
}

// AccountByAlias returns the account with the alias. Returns NoSuchEntity when none.
func (s *Service) AccountByAlias(ctx context.Context, alias string) (*Account, error) {
	return s.accountByIndex(ctx, "alias", alias)
}

// accountByIndex finds the account a unique index of the account kind maps value to.
func (s *Service) accountByIndex(ctx context.Context, index, value string) (*Account, error) {
	var a *Account
	err := s.view(ctx, func(t txn) error {
		_, r, ok, err := accounts.Lookup(t, index, "", value)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.New(awserr.NoSuchEntity, "No account matches.")
		}
		a = r.account()
		return nil
	})
	return a, err
}

// SetAccountName renames the account (1–50 characters, as Organizations' CreateAccount allows).
// Returns InvalidInput, NoSuchEntity.
func (s *Service) SetAccountName(ctx context.Context, account, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 50 {
		return awserr.New(awserr.InvalidInput, "The account name must be 1 to 50 characters long.")
	}
	return s.update(ctx, account, func(t txn) error {
		a, err := t.account(account)
		if err != nil {
			return err
		}
		a.Name = name
		return t.putAccount(a)
	})
}

// SetRootEmail changes the root user's email address, which stays unique across the installation
// case-insensitively: the old address is released and the new one claimed in one transaction.
// Returns InvalidInput, EntityAlreadyExists, NoSuchEntity.
func (s *Service) SetRootEmail(ctx context.Context, account, email string) error {
	email = strings.TrimSpace(email)
	if len(email) < 6 || len(email) > 64 || !strings.Contains(email, "@") {
		return awserr.New(awserr.InvalidInput, "The email address must be 6 to 64 characters long and contain @.")
	}
	return s.update(ctx, account, func(t txn) error {
		a, err := t.account(account)
		if err != nil {
			return err
		}
		// The email index moves with the address, in this transaction; an address that differs
		// only in case keeps its entry.
		a.Email = email
		err = t.putAccount(a)
		if taken := (*store.ErrIndexTaken)(nil); errors.As(err, &taken) {
			return awserr.New(awserr.EntityAlreadyExists, "An account with the email address %s already exists.", email)
		}
		return err
	})
}

// PasswordCost returns the argon2id parameters new password hashes use, so a sign-in service can
// verify unknown names against a dummy hash of the same cost and take as long as for known ones.
func (s *Service) PasswordCost() password.Params { return s.pwCost }
