package rootuser

import (
	"context"
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
	if err := iam.CheckEmail(email); err != nil {
		return err
	}
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return err
	}
	if other, err := s.iam.AccountByRootEmail(ctx, email); err == nil {
		if other.ID == account {
			return awserr.New(awserr.InvalidInput, "%s is already the root email of account %s.", email, account)
		}
		return awserr.New(awserr.EntityAlreadyExists, "An account with the email address %s already exists.", email)
	} else if !awserr.IsCode(err, awserr.NoSuchEntity) {
		return err
	}
	token := randomToken()
	err = s.update(ctx, func(t txn) error {
		// One pending change per account: drop the links of earlier requests.
		earlier, err := t.Keys(store.IndexKind(kindEmailChange, byAccount), "", account+"\x00")
		if err != nil {
			return err
		}
		for _, key := range earlier {
			if err := emailChanges.DeleteIfExists(t, "", key); err != nil {
				return err
			}
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
