package iam

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/throttle"
)

// Login profiles (console passwords of IAM users) and the account password policy.
//
// Hashing is slow on purpose (argon2id), so no password is hashed or verified inside a write
// transaction: a change reads what it needs in a snapshot, does the hashing outside, and then
// writes only if the login profile is still the one it read (compared by its current hash), retrying
// a few times otherwise. A write transaction therefore never holds the store's writer for the
// 25 ms per hash (or the up to 24 hashes of a reuse check) that a change can cost.

const (
	keyPasswordPolicy = "policy"
	// maxPasswordHistory is the largest PasswordReusePrevention (IAM API reference,
	// UpdateAccountPasswordPolicy: "Valid Range: Minimum value of 1. Maximum value of 24"). The
	// history is kept whether or not a policy asks for it, so a policy set later applies to the
	// passwords already used.
	maxPasswordHistory = 24
	passwordMaxLen     = 128
	// passwordSymbols are the characters IAM counts as symbols in passwords of IAM users (IAM API
	// reference, UpdateAccountPasswordPolicy, RequireSymbols: "! @ # $ % ^ & * ( ) _ + - = [ ] { } | '").
	passwordSymbols = "!@#$%^&*()_+-=[]{}|'"
)

// errPolicyViolation is the answer to any password that breaks the rules. AWS answers every
// violation, the reuse rule included, with this one message, which names no rule.
var errPolicyViolation = awserr.New(awserr.PasswordPolicyViolation, "Password does not conform to the account password policy.")

// PasswordPolicy is an account's password policy for IAM users (it does not apply to the root user).
// Zero MaxPasswordAge and PasswordReusePrevention mean "not set".
type PasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	HardExpiry                 *bool
}

// ExpirePasswords is the derived member of GetAccountPasswordPolicy: "Returns true if
// MaxPasswordAge contains a value greater than 0" (IAM API reference, PasswordPolicy).
func (p *PasswordPolicy) ExpirePasswords() bool { return p.MaxPasswordAge > 0 }

// PasswordPolicyInput are UpdateAccountPasswordPolicy's parameters; nil means "not sent", which
// resets the member to its default because the operation "does not support partial updates".
type PasswordPolicyInput struct {
	MinimumPasswordLength      *int
	MaxPasswordAge             *int
	PasswordReusePrevention    *int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	HardExpiry                 *bool
}

// UpdateAccountPasswordPolicy sets the account password policy, replacing the previous one whole.
// Ranges from the IAM API reference: MinimumPasswordLength 6–128 (default 6), MaxPasswordAge
// 1–1095, PasswordReusePrevention 1–24. Returns ValidationError.
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, account string, in PasswordPolicyInput) error {
	p := PasswordPolicy{
		MinimumPasswordLength: 6, RequireSymbols: in.RequireSymbols, RequireNumbers: in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword, HardExpiry: in.HardExpiry,
	}
	var violations []string
	for _, f := range []struct {
		name   string
		v      *int
		lo, hi int
		dst    *int
	}{
		{"MinimumPasswordLength", in.MinimumPasswordLength, 6, 128, &p.MinimumPasswordLength},
		{"MaxPasswordAge", in.MaxPasswordAge, 1, 1095, &p.MaxPasswordAge},
		{"PasswordReusePrevention", in.PasswordReusePrevention, 1, maxPasswordHistory, &p.PasswordReusePrevention},
	} {
		if f.v == nil {
			continue
		}
		switch {
		case *f.v < f.lo:
			violations = append(violations, violation(f.name, itoa(*f.v), "Member must have value greater than or equal to "+itoa(f.lo)))
		case *f.v > f.hi:
			violations = append(violations, violation(f.name, itoa(*f.v), "Member must have value less than or equal to "+itoa(f.hi)))
		default:
			*f.dst = *f.v
		}
	}
	// Every violated parameter in one answer, as AWS's request validation reports them:
	// "2 validation errors detected: Value '5' at 'minimumPasswordLength' failed to satisfy
	// constraint: …; Value '0' at 'maxPasswordAge' …".
	if n := len(violations); n > 0 {
		noun := "error"
		if n > 1 {
			noun = "errors"
		}
		return awserr.New(awserr.ValidationError, "%d validation %s detected: %s", n, noun, strings.Join(violations, "; "))
	}
	return s.update(ctx, account, func(t txn) error {
		r := passwordPolicyRecord(p)
		return passwordPolicies.Put(t, account, keyPasswordPolicy, &r)
	})
}

// GetAccountPasswordPolicy returns the account password policy. Returns NoSuchEntity when none is
// set, as IAM does ("The Password Policy with domain name ACCOUNT cannot be found.").
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, account string) (*PasswordPolicy, error) {
	var p *PasswordPolicy
	err := s.view(ctx, func(t txn) (err error) {
		p, err = t.passwordPolicy(account)
		return err
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noPasswordPolicy(account)
	}
	return p, nil
}

func noPasswordPolicy(account string) error {
	return awserr.New(awserr.NoSuchEntity, "The Password Policy with domain name %s cannot be found.", account)
}

// DeleteAccountPasswordPolicy removes the policy; the default rules apply again. Returns
// NoSuchEntity when none is set.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, account string) error {
	return s.update(ctx, account, func(t txn) error {
		p, err := t.passwordPolicy(account)
		if err != nil {
			return err
		}
		if p == nil {
			return noPasswordPolicy(account)
		}
		return passwordPolicies.DeleteIfExists(t, account, keyPasswordPolicy)
	})
}

// passwordPolicy returns the account's policy, nil when none is set.
func (t txn) passwordPolicy(account string) (*PasswordPolicy, error) {
	r, ok, err := passwordPolicies.Get(t, account, keyPasswordPolicy)
	if err != nil || !ok {
		return nil, err
	}
	p := PasswordPolicy(*r)
	return &p, nil
}

// LoginProfile is an IAM user's console password. Only argon2id hashes are stored: the current
// password's first, then earlier ones, newest first.
type LoginProfile struct {
	// UserName is filled from the user on every read (profiles are keyed by the folded name and
	// move with the user when it is renamed). It is "" for the root user.
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
	PasswordLastChanged   time.Time
	Hashes                []string
}

// PasswordExpiry returns when the current password expires under policy (nil: never).
func (lp *LoginProfile) PasswordExpiry(policy *PasswordPolicy) *time.Time {
	if policy == nil || policy.MaxPasswordAge == 0 {
		return nil
	}
	t := lp.PasswordLastChanged.AddDate(0, 0, policy.MaxPasswordAge)
	return &t
}

// checkPasswordParam applies the API's constraints on a Password member: 1–128 characters of
// [\u0009\u000A\u000D\u0020-\u00FF]. The password is never echoed, unlike other members' values.
func checkPasswordParam(param, pw string) error {
	if pw == "" {
		return missing(param)
	}
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || n > passwordMaxLen {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", lowerFirst(param), passwordMaxLen)
	}
	for _, r := range pw {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xFF) {
			return awserr.New(awserr.ValidationError, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", lowerFirst(param))
		}
	}
	return nil
}

// charClasses reports which of IAM's four character classes pw contains.
func charClasses(pw string) (upper, lower, digit, symbol bool) {
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return
}

// CheckPassword checks an IAM user password against the account's rules: the custom policy when
// one is set, otherwise IAM's default policy (IAM User Guide, "Set an account password policy for
// IAM users": "minimum password length of 8 characters and a maximum length of 128 characters;
// minimum of three of the following mix of character types: uppercase, lowercase, numbers, and
// ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' symbols; must not be identical to your AWS account name or
// email address"). Returns PasswordPolicyViolation. It does not check reuse, which needs the user's
// history.
func CheckPassword(pw string, policy *PasswordPolicy, acct *Account) error {
	n := utf8.RuneCountInString(pw)
	upper, lower, digit, symbol := charClasses(pw)
	if policy == nil {
		classes := 0
		for _, b := range []bool{upper, lower, digit, symbol} {
			if b {
				classes++
			}
		}
		if n < 8 || n > passwordMaxLen || classes < 3 {
			return errPolicyViolation
		}
		if acct != nil && (strings.EqualFold(pw, acct.Name) || strings.EqualFold(pw, acct.Email)) {
			return errPolicyViolation
		}
		return nil
	}
	if n < policy.MinimumPasswordLength || n > passwordMaxLen ||
		policy.RequireUppercaseCharacters && !upper || policy.RequireLowercaseCharacters && !lower ||
		policy.RequireNumbers && !digit || policy.RequireSymbols && !symbol {
		return errPolicyViolation
	}
	return nil
}

// pwSnapshot is what a password change reads before it hashes.
type pwSnapshot struct {
	acct    *Account
	user    *User
	policy  *PasswordPolicy
	profile *LoginProfile // nil when the user has none
}

func (t txn) loginProfile(account, user string) (*LoginProfile, error) {
	r, ok, err := loginProfiles.Get(t, account, fold(user))
	if err != nil || !ok {
		return nil, err
	}
	return r.loginProfile(), nil
}

func noLoginProfile(user string) error {
	return awserr.New(awserr.NoSuchEntity, "Login Profile for User %s cannot be found.", user)
}

func (s *Service) pwSnapshot(ctx context.Context, account, user string) (*pwSnapshot, error) {
	snap := &pwSnapshot{acct: &Account{}}
	err := s.view(ctx, func(t txn) (err error) {
		if snap.user, err = t.user(account, user); err != nil {
			return err
		}
		if r, _, err := accounts.Get(t, "", account); err != nil {
			return err
		} else if r != nil {
			snap.acct = r.account()
		}
		if snap.policy, err = t.passwordPolicy(account); err != nil {
			return err
		}
		snap.profile, err = t.loginProfile(account, user)
		return err
	})
	return snap, err
}

// currentHash identifies the version of a profile that a change was computed against.
func currentHash(lp *LoginProfile) string {
	if lp == nil || len(lp.Hashes) == 0 {
		return ""
	}
	return lp.Hashes[0]
}

// reused reports whether pw matches one of the last n passwords in history.
func reused(pw string, history []string, n int) bool {
	for i := 0; i < n && i < len(history); i++ {
		if ok, err := password.Verify(pw, history[i]); err == nil && ok {
			return true
		}
	}
	return false
}

// setPassword is the shared path of CreateLoginProfile, UpdateLoginProfile and ChangePassword:
// prepare reads a snapshot and returns the new profile (doing all hashing), and the write stores it
// if the profile has not changed meanwhile.
func (s *Service) setPassword(ctx context.Context, account, user string, create bool, prepare func(snap *pwSnapshot) (*LoginProfile, error)) (*LoginProfile, error) {
	for attempt := 0; attempt < 3; attempt++ {
		snap, err := s.pwSnapshot(ctx, account, user)
		if err != nil {
			return nil, err
		}
		if create && snap.profile != nil {
			return nil, awserr.New(awserr.EntityAlreadyExists, "Login Profile for user %s already exists.", snap.user.UserName)
		}
		if !create && snap.profile == nil {
			return nil, noLoginProfile(snap.user.UserName)
		}
		lp, err := prepare(snap)
		if err != nil {
			return nil, err
		}
		raced := false
		err = s.update(ctx, account, func(t txn) error {
			cur, err := t.loginProfile(account, user)
			if err != nil {
				return err
			}
			if (cur == nil) != (snap.profile == nil) || currentHash(cur) != currentHash(snap.profile) {
				raced = true
				return nil
			}
			if _, err := t.user(account, user); err != nil {
				return err
			}
			return loginProfiles.Put(t, account, fold(user), loginProfileRecordOf(lp))
		})
		if err != nil {
			return nil, err
		}
		if !raced {
			lp.UserName = snap.user.UserName
			return lp, nil
		}
	}
	return nil, awserr.New(awserr.ConcurrentModification, "The login profile of user %s was changed by another request. Retry the request.", user)
}

// newPasswordProfile returns base with pw as the current password, after the rules and the reuse
// check.
func (s *Service) newPasswordProfile(snap *pwSnapshot, base LoginProfile, pw string) (*LoginProfile, error) {
	if err := CheckPassword(pw, snap.policy, snap.acct); err != nil {
		return nil, err
	}
	if snap.policy != nil && reused(pw, base.Hashes, snap.policy.PasswordReusePrevention) {
		return nil, errPolicyViolation
	}
	base.Hashes = append([]string{password.Hash(pw, s.pwCost)}, base.Hashes...)
	if len(base.Hashes) > maxPasswordHistory {
		base.Hashes = base.Hashes[:maxPasswordHistory]
	}
	base.PasswordLastChanged = s.Now()
	return &base, nil
}

// CreateLoginProfile gives an IAM user a console password. Returns EntityAlreadyExists,
// NoSuchEntity, PasswordPolicyViolation, ValidationError.
func (s *Service) CreateLoginProfile(ctx context.Context, account, user, pw string, resetRequired bool) (*LoginProfile, error) {
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	if err := checkPasswordParam("Password", pw); err != nil {
		return nil, err
	}
	return s.setPassword(ctx, account, user, true, func(snap *pwSnapshot) (*LoginProfile, error) {
		return s.newPasswordProfile(snap, LoginProfile{CreateDate: s.Now(), PasswordResetRequired: resetRequired}, pw)
	})
}

// UpdateLoginProfile changes a user's password (when pw is non-nil) and/or its reset flag. An
// administrator's reset is subject to the policy too. Returns NoSuchEntity, PasswordPolicyViolation.
func (s *Service) UpdateLoginProfile(ctx context.Context, account, user string, pw *string, resetRequired *bool) error {
	if err := checkName("UserName", user, 128); err != nil {
		return err
	}
	if pw != nil {
		if err := checkPasswordParam("Password", *pw); err != nil {
			return err
		}
	}
	_, err := s.setPassword(ctx, account, user, false, func(snap *pwSnapshot) (*LoginProfile, error) {
		lp := *snap.profile
		if resetRequired != nil {
			lp.PasswordResetRequired = *resetRequired
		}
		if pw == nil {
			return &lp, nil
		}
		return s.newPasswordProfile(snap, lp, *pw)
	})
	return err
}

// ChangePassword is an IAM user changing its own password. The old password must verify; the
// new one must satisfy the policy and its reuse rule; the reset flag is cleared. Returns
// NoSuchEntity (no login profile), PasswordPolicyViolation, and AccessDenied for a wrong old
// password: the IAM API reference lists no dedicated code for that case, and AccessDenied is the
// common error for a caller who fails to prove who it is. Returns Throttling after too many wrong
// old passwords (guessing.go).
func (s *Service) ChangePassword(ctx context.Context, account, user, oldPw, newPw string) error {
	if err := checkPasswordParam("OldPassword", oldPw); err != nil {
		return err
	}
	if err := checkPasswordParam("NewPassword", newPw); err != nil {
		return err
	}
	// OldPassword is a secret an attacker holding the user's access keys could guess: it is
	// limited like a console password (back-off after 5 wrong ones, a lock after 10).
	_, err := s.guard(ctx, []throttle.Scope{s.passwordScope(account, user)}, passwordThrottled, isWrongOldPassword, func() error {
		_, err := s.setPassword(ctx, account, user, false, func(snap *pwSnapshot) (*LoginProfile, error) {
			if ok, err := password.Verify(oldPw, currentHash(snap.profile)); err != nil || !ok {
				return nil, errWrongOldPassword
			}
			lp := *snap.profile
			lp.PasswordResetRequired = false
			return s.newPasswordProfile(snap, lp, newPw)
		})
		return err
	})
	return err
}

var errWrongOldPassword = awserr.New(awserr.AccessDenied, "The old password is incorrect.")

func isWrongOldPassword(err error) bool {
	e, ok := awserr.As(err)
	return ok && e == errWrongOldPassword
}

// VerifyUserPassword checks an IAM user's console password, for sign-in. It returns the login
// profile on success (the caller decides what PasswordResetRequired and expiry mean for the
// session) and AccessDenied otherwise, without saying whether the user or the password was wrong.
func (s *Service) VerifyUserPassword(ctx context.Context, account, user, pw string) (*LoginProfile, error) {
	denied := awserr.New(awserr.AccessDenied, "The user name or password is incorrect.")
	var lp *LoginProfile
	var u *User
	err := s.view(ctx, func(t txn) (err error) {
		if u, err = t.user(account, user); err != nil {
			return err
		}
		lp, err = t.loginProfile(account, user)
		return err
	})
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, denied
	}
	if err != nil {
		return nil, err
	}
	if lp == nil {
		return nil, denied
	}
	if ok, err := password.Verify(pw, currentHash(lp)); err != nil || !ok {
		return nil, denied
	}
	lp.UserName = u.UserName
	return lp, nil
}

// GetLoginProfile returns a user's login profile (user "" is the root user, whose profile is its
// password: IAM answers GetLoginProfile for the root in a root session). Returns NoSuchEntity when
// there is no password.
func (s *Service) GetLoginProfile(ctx context.Context, account, user string) (*LoginProfile, error) {
	if user == "" {
		a, err := s.GetAccount(ctx, account)
		if err != nil {
			return nil, err
		}
		if a.RootPasswordHash == "" && a.RootRecoveryAllowed == nil {
			return nil, awserr.New(awserr.NoSuchEntity, "Login Profile for the root user of account %s cannot be found.", account)
		}
		lp := &LoginProfile{CreateDate: a.CreatedAt}
		if a.RootPasswordHash == "" {
			// A profile without a password: password recovery allowed by a privileged root session.
			lp.CreateDate = *a.RootRecoveryAllowed
		} else if a.RootPasswordChange != nil {
			lp.CreateDate, lp.PasswordLastChanged = *a.RootPasswordChange, *a.RootPasswordChange
		}
		return lp, nil
	}
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	var lp *LoginProfile
	err := s.view(ctx, func(t txn) error {
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		if lp, err = t.loginProfile(account, user); err != nil {
			return err
		}
		if lp == nil {
			return noLoginProfile(u.UserName)
		}
		lp.UserName = u.UserName
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lp, nil
}

// DeleteLoginProfile removes a user's console password (user "" removes the root user's password,
// as the IAMDeleteRootUserCredentials task does). Returns NoSuchEntity.
func (s *Service) DeleteLoginProfile(ctx context.Context, account, user string) error {
	if user == "" {
		return s.update(ctx, account, func(t txn) error {
			r, ok, err := accounts.Get(t, "", account)
			if err != nil {
				return err
			}
			if !ok || (r.RootPasswordHash == "" && r.RootRecoveryAllowed == nil) {
				return awserr.New(awserr.NoSuchEntity, "Login Profile for the root user of account %s cannot be found.", account)
			}
			r.RootPasswordHash, r.RootPasswordChange, r.RootRecoveryAllowed = "", nil, nil
			return accounts.Put(t, "", account, r)
		})
	}
	if err := checkName("UserName", user, 128); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		lp, err := t.loginProfile(account, user)
		if err != nil {
			return err
		}
		if lp == nil {
			return noLoginProfile(u.UserName)
		}
		return loginProfiles.DeleteIfExists(t, account, fold(user))
	})
}

// String keeps hashes out of logs and error messages that format a profile with %v.
func (lp LoginProfile) String() string {
	return fmt.Sprintf("LoginProfile{UserName:%q CreateDate:%s PasswordResetRequired:%t}", lp.UserName, lp.CreateDate.Format(time.RFC3339), lp.PasswordResetRequired)
}
