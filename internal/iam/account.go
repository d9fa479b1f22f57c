package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"unicode"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
)

// CreateAccount creates an account and its root user. rootPassword may be empty (a root user with no
// password, as member accounts created under centralized root access have); otherwise it must pass
// the root password rules. The root email is unique across the installation, case-insensitively.
// Returns InvalidInput for a bad password and EntityAlreadyExists for a taken email.
func (s *Service) CreateAccount(ctx context.Context, name, email, rootPassword string) (*Account, error) {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if err := CheckAccountDetails(name, email); err != nil {
		return nil, err
	}
	acct := &Account{Name: name, Email: email, CreatedAt: s.Now()}
	if rootPassword != "" {
		if err := password.CheckRoot(rootPassword, name, email); err != nil {
			return nil, awserr.New(awserr.PasswordPolicyViolation, "%s", capitalize(err.Error()))
		}
		acct.RootPasswordHash = password.Hash(rootPassword, s.pwCost)
		now := acct.CreatedAt
		acct.RootPasswordChange = &now
	}
	for attempt := 0; ; attempt++ {
		acct.ID = newAccountID()
		err := s.update(ctx, acct.ID, func(t txn) error {
			err := accounts.Insert(t, "", acct.ID, accountRecordOf(acct))
			if taken := (*store.ErrIndexTaken)(nil); errors.As(err, &taken) {
				return awserr.New(awserr.EntityAlreadyExists, "An account with the email address %s already exists.", email)
			}
			return err
		})
		// A clash of random 12-digit IDs is vanishingly rare; retry it rather than fail.
		if errors.Is(err, store.ErrExists) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return acct, nil
	}
}

// CheckAccountDetails checks an account name and root email as CreateAccount does, so that a
// caller can refuse them before it writes anything. Returns InvalidInput.
func CheckAccountDetails(name, email string) error {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if name == "" || len(name) > 50 {
		return awserr.New(awserr.InvalidInput, "The account name must be 1 to 50 characters long.")
	}
	return CheckEmail(email)
}

// CheckEmail checks a root email address (ValidEmail). Returns InvalidInput.
func CheckEmail(email string) error {
	if len(email) < 6 || len(email) > 64 {
		return awserr.New(awserr.InvalidInput, "The email address must be 6 to 64 characters long.")
	}
	if !ValidEmail(email) {
		return awserr.New(awserr.InvalidInput, "%q is not an email address (expected the form name@example.com).", email)
	}
	return nil
}

// emailPattern is the Email pattern of Organizations' CreateAccount (Organizations API Reference,
// CreateAccount: [^\s@]*@[^\s@]*\.[^\s@]* with non-empty parts here; Java's \s, which also
// matches \v).
var emailPattern = regexp.MustCompile(`^[^ \t\n\v\f\r@]+@[^ \t\n\v\f\r@]+\.[^ \t\n\v\f\r@]+$`)

// ValidEmail reports whether email is a root email address AWS accepts: 6–64 characters of
// CreateAccount's pattern, and, as Rootward's own rule for an address it mails, no control
// character.
func ValidEmail(email string) bool {
	return len(email) >= 6 && len(email) <= 64 && emailPattern.MatchString(email) &&
		strings.IndexFunc(email, unicode.IsControl) < 0
}

// CheckUserName checks an IAM user name as CreateUser does. Returns ValidationError.
func CheckUserName(name string) error { return checkName("UserName", name, 64) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func newAccountID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e12))
	if err != nil {
		panic(err)
	}
	s := n.String()
	return strings.Repeat("0", 12-len(s)) + s
}

// GetAccount returns an account. Returns NoSuchEntity when unknown.
func (s *Service) GetAccount(ctx context.Context, id string) (*Account, error) {
	var a *Account
	err := s.view(ctx, func(t txn) (err error) {
		a, err = t.account(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AccountIn reads an account inside a transaction another package opened on the same store; nil
// when there is none. Organizations reads each member's root email and account name through it, so
// that they have one source of truth (SetRootEmail, SetAccountName) and no copy goes stale.
func AccountIn(tx store.Tx, id string) (*Account, error) {
	r, ok, err := accounts.Get(tx, "", id)
	if err != nil || !ok {
		return nil, err
	}
	return r.account(), nil
}

// Accounts lists every account, in ID order, page by page so that no installation is cut short.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.view(ctx, func(t txn) error {
		o := ListOpts{MaxItems: maxItemsCeiling}
		for {
			p, err := readPage(accounts.Range(t, "", ""), o, func(it store.Item) (Account, bool, error) {
				r, err := accounts.Decode(it.Body)
				if err != nil {
					return Account{}, false, err
				}
				return *r.account(), true, nil
			})
			if err != nil {
				return err
			}
			out = append(out, p.Items...)
			if !p.IsTruncated {
				return nil
			}
			o.Marker = p.Marker
		}
	})
	return out, err
}

// AccountCount returns how many accounts the installation holds, without reading them.
func (s *Service) AccountCount(ctx context.Context) (int, error) {
	var n int
	err := s.view(ctx, func(t txn) (err error) {
		n, err = t.Count(accounts.Name, "", "")
		return err
	})
	return n, err
}

// SetRootPassword sets the root user's password after checking the root rules.
func (s *Service) SetRootPassword(ctx context.Context, accountID, pw string) error {
	return s.update(ctx, accountID, func(t txn) error {
		a, err := t.account(accountID)
		if err != nil {
			return err
		}
		if err := password.CheckRoot(pw, a.Name, a.Email); err != nil {
			return awserr.New(awserr.PasswordPolicyViolation, "%s", capitalize(err.Error()))
		}
		a.RootPasswordHash = password.Hash(pw, s.pwCost)
		now := s.Now()
		a.RootPasswordChange = &now
		// A recovery allowed by a privileged root session is used up once a password is set.
		a.RootRecoveryAllowed = nil
		return t.putAccount(a)
	})
}

// CreateAccountAlias sets the account's alias (an account has at most one). Alias rules from the
// IAM API reference: 3–63 characters, ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$, unique globally.
func (s *Service) CreateAccountAlias(ctx context.Context, accountID, alias string) error {
	if err := checkAlias(alias); err != nil {
		return err
	}
	return s.update(ctx, accountID, func(t txn) error {
		a, err := t.account(accountID)
		if err != nil {
			return err
		}
		if a.Alias == alias {
			return nil
		}
		a.Alias = alias
		err = t.putAccount(a)
		if taken := (*store.ErrIndexTaken)(nil); errors.As(err, &taken) {
			return awserr.New(awserr.EntityAlreadyExists, "The account alias %s already exists.", alias)
		}
		return err
	})
}

// DeleteAccountAlias removes the alias. Returns NoSuchEntity when the account has not that alias.
func (s *Service) DeleteAccountAlias(ctx context.Context, accountID, alias string) error {
	return s.update(ctx, accountID, func(t txn) error {
		a, err := t.account(accountID)
		if err != nil {
			return err
		}
		if a.Alias == "" || a.Alias != alias {
			return awserr.New(awserr.NoSuchEntity, "The account alias %s cannot be found.", alias)
		}
		a.Alias = ""
		return t.putAccount(a)
	})
}

func checkAlias(alias string) error {
	if len(alias) < 3 || len(alias) > 63 {
		return invalid("AccountAlias", alias, "Member must have length between 3 and 63")
	}
	for i, c := range alias {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(alias)-1 && alias[i-1] != '-'
		if !ok {
			return invalid("AccountAlias", alias, `Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`)
		}
	}
	return nil
}

// ClaimInstallation marks the database as set up and reports whether this caller was the one to
// do it. Several `rootward serve` nodes starting at once on an empty database all call it; exactly
// one gets true and creates the first account.
func (s *Service) ClaimInstallation(ctx context.Context) (bool, error) {
	err := store.Update(ctx, s.st, func(t txn) error {
		now := s.Now()
		return installation.Insert(t, "", installationKey, &now)
	})
	if errors.Is(err, store.ErrExists) {
		return false, nil
	}
	return err == nil, err
}
