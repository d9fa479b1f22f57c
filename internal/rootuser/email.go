package rootuser

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
)

// Changing the root email, as AWS does it: the new address must prove it receives mail before it
// becomes the root user's sign-in and recovery address (AWS Account Management API Reference,
// StartPrimaryEmailUpdate and AcceptPrimaryEmailUpdate, where a one-time code goes to the new
// address: https://docs.aws.amazon.com/accounts/latest/reference/API_StartPrimaryEmailUpdate.html).
// Here the request mails a one-time link to the new address and tells the current one; opening
// the link and confirming makes the change.

const (
	kindEmailChange = "ru.emailchange" // global: hex SHA-256(token) → emailChangeRecord
	// EmailChangeLifetime is how long the verification link of a root email change works.
	EmailChangeLifetime = 24 * time.Hour
	// PathVerifyEmail is the console path of the verification link.
	PathVerifyEmail = "/verify-email"
	// PurposeEmailChange marks the verification and notification messages.
	PurposeEmailChange = "root-email-change"
)

type emailChangeRecord struct {
	Account   string    `json:"account"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires"`
}

// EmailChange is a pending root email change, as its verification page shows it.
type EmailChange struct {
	Account string
	Email   string
}

// RequestRootEmailChange starts changing the root email of account to email: it mails a one-time
// link (valid EmailChangeLifetime) to the new address and a notice to the current one. A newer
// request replaces an older one. Returns InvalidInput for a malformed address, EntityAlreadyExists
// when another root user has it, NoSuchEntity for an unknown account.
func (s *Service) RequestRootEmailChange(ctx context.Context, account, email string, c Client) error {
	email = strings.TrimSpace(email)
	a, err := s.checkNewRootEmail(ctx, account, email)
	if err != nil {
		return err
	}
	token := randomToken()
	err = s.update(ctx, func(t txn) error {
		// One pending change per account: drop the links and code of earlier requests.
		if err := dropEmailChangeLinks(t, account); err != nil {
			return err
		}
		return emailChanges.Put(t, "", tokenKey(token), &emailChangeRecord{Account: account, Email: email, ExpiresAt: s.Now().Add(EmailChangeLifetime)})
	})
	if err != nil {
		return err
	}
	// Without its record the request goes no further: the link is not sent, so the pending change
	// can never be confirmed (a new request replaces it).
	if err := s.apiEvent(rootIdentity(account), c, sourceAccount, "RequestRootEmailChange", map[string]any{"newEmail": email}, nil, nil, nil); err != nil {
		return err
	}
	if err := s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: email, Account: account, Purpose: PurposeEmailChange,
		Subject: "Confirm the new root email of account " + account,
		Body: "Someone asked to make " + email + " the root user email of account " + account + " (" + a.Name + ").\n\n" +
			"To confirm, open this link within 24 hours. It works once:\n\n" + s.link(PathVerifyEmail, token) + "\n\n" +
			"If you did not expect this, ignore this message: nothing changes until the link is confirmed.\n"}); err != nil {
		return err
	}
	return s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: a.Email, Account: account, Purpose: PurposeEmailChange,
		Subject: "A change of the root email of account " + account + " was requested",
		Body: "Someone asked to change the root user email of account " + account + " from " + a.Email + " to " + email + ".\n" +
			"It takes effect only when the new address confirms it. If this was not you, your root user or the server may be compromised.\n"})
}

// checkNewRootEmail checks that email can become account's root email — well formed, not the
// root email of this or another account — and returns the account. Returns InvalidInput,
// EntityAlreadyExists, NoSuchEntity.
func (s *Service) checkNewRootEmail(ctx context.Context, account, email string) (*iam.Account, error) {
	if err := iam.CheckEmail(email); err != nil {
		return nil, err
	}
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	if other, err := s.iam.AccountByRootEmail(ctx, email); err == nil {
		if other.ID == account {
			return nil, awserr.New(awserr.InvalidInput, "%s is already the root email of account %s.", email, account)
		}
		return nil, awserr.New(awserr.EntityAlreadyExists, "An account with the email address %s already exists.", email)
	} else if !awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, err
	}
	return a, nil
}

// CheckRootEmailChange returns the pending change of a verification token. Returns ExpiredToken
// when the link is unknown, used or expired.
func (s *Service) CheckRootEmailChange(ctx context.Context, token string) (*EmailChange, error) {
	r, err := s.emailChange(ctx, token)
	if err != nil {
		return nil, err
	}
	return &EmailChange{Account: r.Account, Email: r.Email}, nil
}

func (s *Service) emailChange(ctx context.Context, token string) (*emailChangeRecord, error) {
	var r emailChangeRecord
	var ok bool
	err := s.view(ctx, func(t txn) (err error) {
		ok, err = emailChanges.Load(t, "", tokenKey(token), &r)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok || !s.Now().Before(r.ExpiresAt) {
		return nil, awserr.New(awserr.ExpiredToken, "This link has expired, has been replaced by a newer one, or has already been used.")
	}
	return &r, nil
}

// ConfirmRootEmailChange makes the change a verification token stands for, once, and tells the old
// and the new address. Returns ExpiredToken, EntityAlreadyExists (the address was taken meanwhile).
func (s *Service) ConfirmRootEmailChange(ctx context.Context, token string, c Client) (*EmailChange, error) {
	r, err := s.emailChange(ctx, token)
	if err != nil {
		return nil, err
	}
	a, err := s.iam.GetAccount(ctx, r.Account)
	if err != nil {
		return nil, err
	}
	// Burn the link first: a second confirmation, concurrent or later, finds nothing.
	var burned bool
	if err := s.update(ctx, func(t txn) error {
		var cur emailChangeRecord
		ok, err := emailChanges.Load(t, "", tokenKey(token), &cur)
		if err != nil || !ok {
			return err
		}
		burned = true
		return emailChanges.DeleteIfExists(t, "", tokenKey(token))
	}); err != nil {
		return nil, err
	}
	if !burned {
		return nil, awserr.New(awserr.ExpiredToken, "This link has expired, has been replaced by a newer one, or has already been used.")
	}
	err = s.iam.SetRootEmail(ctx, r.Account, r.Email)
	rerr := s.apiEvent(rootIdentity(r.Account), c, sourceAccount, "UpdateRootEmail", map[string]any{"newEmail": r.Email}, nil, nil, err)
	if err != nil {
		return nil, answer(err, rerr)
	}
	// The email has changed: both addresses are told even when the record cannot be stored.
	if err := s.notifyRootEmailChanged(ctx, a, r.Email); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return &EmailChange{Account: r.Account, Email: r.Email}, nil
}

// notifyRootEmailChanged tells the old and the new root email of account a that the root email
// changed to email.
func (s *Service) notifyRootEmailChanged(ctx context.Context, a *iam.Account, email string) error {
	for _, to := range []string{a.Email, email} {
		if err := s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: to, Account: a.ID, Purpose: "root-email-changed",
			Subject: "The root email of account " + a.ID + " was changed",
			Body:    "The root user email of account " + a.ID + " changed from " + a.Email + " to " + email + ".\n"}); err != nil {
			return err
		}
	}
	return nil
}

// The Account Management API's primary email update (StartPrimaryEmailUpdate,
// AcceptPrimaryEmailUpdate): the same rules as the console's change above — a well-formed address
// that no other root user has, proved by mail before it takes effect, the current address told —
// with a six-character one-time code mailed to the new address instead of a link, which the caller
// sends back with the address. One update is pending per account; a newer request replaces it, and
// the console's link and the API's code replace each other. The code works EmailChangeLifetime and
// at most primaryEmailAttempts wrong guesses; only its hash is stored.

const (
	kindEmailOTP = "ru.emailotp" // account → emailOTPRecord
	keyEmailOTP  = "pending"
	// primaryEmailAttempts wrong codes end a pending update. AWS documents no limit; Rootward
	// chose the lost-MFA phone code's.
	primaryEmailAttempts = phoneCodeAttempts
)

// ErrPrimaryEmailMismatch answers an AcceptPrimaryEmailUpdate whose address is not the pending
// update's (InvalidInput).
var ErrPrimaryEmailMismatch = awserr.New(awserr.InvalidInput, "The primary email must be the address the update was started for.")

type emailOTPRecord struct {
	Email     string    `json:"email"`
	CodeHash  string    `json:"code"`
	ExpiresAt time.Time `json:"expires"`
	Attempts  int       `json:"attempts,omitempty"`
}

// otpHash binds a primary-email code to its account and address.
func otpHash(account, email, code string) string {
	return codeHash("primary-email:"+account+":"+strings.ToLower(email), strings.ToUpper(code))
}

// StartPrimaryEmailUpdate starts changing the root email of account to email: it mails a one-time
// code to the new address and a notice to the current one. Returns InvalidInput (malformed
// address, or already the account's), EntityAlreadyExists (another root user has it),
// NoSuchEntity, Throttling (too many messages).
func (s *Service) StartPrimaryEmailUpdate(ctx context.Context, account, email string) error {
	email = strings.TrimSpace(email)
	a, err := s.checkNewRootEmail(ctx, account, email)
	if err != nil {
		return err
	}
	if err := s.reserve(ctx, s.messageScope("primary-email:"+account)); err != nil {
		return err
	}
	code := sixDigits()
	if err := s.update(ctx, func(t txn) error {
		if err := dropEmailChangeLinks(t, account); err != nil {
			return err
		}
		return emailOTPs.Put(t, account, keyEmailOTP, &emailOTPRecord{Email: email, CodeHash: otpHash(account, email, code), ExpiresAt: s.Now().Add(EmailChangeLifetime)})
	}); err != nil {
		return err
	}
	if err := s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: email, Account: account, Purpose: PurposeEmailChange,
		Subject: "Your code to confirm the new root email of account " + account,
		Body: "Someone asked to make " + email + " the root user email of account " + account + " (" + a.Name + ").\n\n" +
			"The one-time code is " + code + ". It works for 24 hours, once.\n\n" +
			"If you did not expect this, ignore this message: nothing changes until the code is accepted.\n"}); err != nil {
		return err
	}
	return s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: a.Email, Account: account, Purpose: PurposeEmailChange,
		Subject: "A change of the root email of account " + account + " was requested",
		Body: "Someone asked to change the root user email of account " + account + " from " + a.Email + " to " + email + ".\n" +
			"It takes effect only when the code mailed to the new address is accepted. If this was not you, your organization's\n" +
			"management account or the server may be compromised.\n"})
}

// AcceptPrimaryEmailUpdate makes the pending update of account to email, given the code mailed to
// it, and tells the old and the new address. Returns NoSuchEntity (no pending update, or it
// expired), InvalidInput (ErrPrimaryEmailMismatch: another address than the pending one; or a wrong code), Throttling (the
// wrong code that ended the update), EntityAlreadyExists (the address was taken meanwhile).
func (s *Service) AcceptPrimaryEmailUpdate(ctx context.Context, account, email, code string) error {
	email = strings.TrimSpace(email)
	var outcome error
	if err := s.update(ctx, func(t txn) error {
		outcome = nil
		var r emailOTPRecord
		ok, err := emailOTPs.Load(t, account, keyEmailOTP, &r)
		if err != nil {
			return err
		}
		if !ok || !s.Now().Before(r.ExpiresAt) {
			outcome = awserr.New(awserr.NoSuchEntity, "There is no pending primary email update for account %s.", account)
			return emailOTPs.DeleteIfExists(t, account, keyEmailOTP)
		}
		good := subtle.ConstantTimeCompare([]byte(otpHash(account, email, code)), []byte(r.CodeHash)) == 1
		if good {
			return emailOTPs.DeleteIfExists(t, account, keyEmailOTP)
		}
		if !strings.EqualFold(email, r.Email) {
			// A wrong address is not a guess at the code: it does not count.
			outcome = ErrPrimaryEmailMismatch
			return nil
		}
		r.Attempts++
		if r.Attempts >= primaryEmailAttempts {
			outcome = awserr.New(awserr.Throttling, "Too many wrong codes: the primary email update was cancelled. Start a new one.")
			return emailOTPs.DeleteIfExists(t, account, keyEmailOTP)
		}
		outcome = awserr.New(awserr.InvalidInput, "The one-time code is not valid.")
		return emailOTPs.Put(t, account, keyEmailOTP, &r)
	}); err != nil {
		return err
	}
	if outcome != nil {
		return outcome
	}
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return err
	}
	if err := s.iam.SetRootEmail(ctx, account, email); err != nil {
		return err
	}
	return s.notifyRootEmailChanged(ctx, a, email)
}

// dropEmailChangeLinks deletes the account's pending console email changes and its pending API
// update: one change is pending per account.
func dropEmailChangeLinks(t txn, account string) error {
	earlier, err := t.Keys(store.IndexKind(kindEmailChange, byAccount), "", account+"\x00")
	if err != nil {
		return err
	}
	for _, key := range earlier {
		if err := emailChanges.DeleteIfExists(t, "", key); err != nil {
			return err
		}
	}
	return emailOTPs.DeleteIfExists(t, account, keyEmailOTP)
}
