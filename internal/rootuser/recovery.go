package rootuser

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/trail"
)

// Recovery of the root user. Both flows are refused for member accounts whose root credentials are
// centrally managed unless the management account allowed recovery (the WithRecoveryPolicy hook).
//
// Forgotten password: RequestPasswordReset mails a link valid one hour and once; asking again
// invalidates the previous link. CompletePasswordReset sets the new password and raises the root
// user's session epoch, which ends every console session.
//
// Lost MFA (after the password step of a sign-in): BeginMFARecovery mails a link to the root email
// and VerifyMFARecoveryEmail follows it; SendMFARecoveryCode then sends a code to the account's
// phone by SMS or voice, and VerifyMFARecoveryPhone checks it — both within 30 minutes of the
// start. Then a cooling-off period (24 hours by default) starts, during which every security contact
// (the root email, the security alternate contact, the phone) is told and any of them can cancel
// with its own link. When it ends, the root user's devices are deactivated and its next sign-in goes
// straight to MFA registration.

// Purposes of recovery messages (notify.Message.Purpose), for the outbox.
const (
	PurposePasswordReset      = "password-reset"
	PurposePasswordChanged    = "password-changed"
	PurposeMFARecoveryEmail   = "mfa-recovery-email"
	PurposeMFARecoveryPhone   = "mfa-recovery-phone"
	PurposeMFARecoveryCooling = "mfa-recovery-cooling-off"
	PurposeMFARecoveryDone    = "mfa-recovery-completed"
	PurposeMFARecoveryCancel  = "mfa-recovery-cancelled"
	PurposeRootCredential     = "root-credential-created"
	PurposeMFAReset           = "root-mfa-reset"
	PurposeMFALocked          = "mfa-locked"
)

// Console paths the emailed links open (the console serves them).
const (
	PathPasswordReset     = "/recover/password"
	PathMFARecoveryEmail  = "/recover/mfa/email"
	PathMFARecoveryCancel = "/recover/mfa/cancel"
)

type resetRecord struct {
	Account   string    `json:"account"`
	ExpiresAt time.Time `json:"expires"`
}

var errLinkGone = awserr.New(awserr.ExpiredToken, "This link has expired or was already used.")

func (s *Service) recoveryPermitted(ctx context.Context, a *iam.Account) error {
	ok, err := s.recoveryAllowed(ctx, a)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.New(awserr.AccessDenied, "The root credentials of this account are managed centrally by its organization: recovery is not allowed unless the management account allows it.")
	}
	return nil
}

// RequestPasswordReset mails a password-reset link to the root user whose email this is. The
// lookup, the link and the mail happen in the background after the answer, which is the same —
// nil — for known and unknown emails and takes as long: neither the answer nor its timing (an SMTP
// exchange takes long) tells which emails have accounts. A failed delivery is logged and recorded
// in the outbox. Returns Throttling after MessagesPerHour requests for one email (known or not).
// Drain waits for the background work.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) error {
	key := strings.ToLower(strings.TrimSpace(email))
	scopes := []scope{s.messageScope("reset:" + key)}
	if ip, ok := s.ipScope("reset", c.SourceIP); ok {
		scopes = append(scopes, ip)
	}
	if err := s.reserve(ctx, scopes...); err != nil {
		return err
	}
	s.background(ctx, "password reset", func(ctx context.Context) error { return s.sendReset(ctx, key, c) })
	return nil
}

// background runs fn after the caller's answer, under a context that outlives the request but not
// a minute.
func (s *Service) background(ctx context.Context, what string, fn func(ctx context.Context) error) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := fn(ctx); err != nil {
			s.log.Error("root-user background task failed", "task", what, "err", err)
		}
	}()
}

// Drain waits until background work (password-reset mails) is done; shutdown and tests call it.
func (s *Service) Drain() { s.bg.Wait() }

func (s *Service) sendReset(ctx context.Context, key string, c Client) error {
	acct, err := s.iam.AccountByRootEmail(ctx, key)
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.recoveryPermitted(ctx, acct); err != nil {
		if !awserr.IsCode(err, awserr.AccessDenied) {
			return err
		}
		// The root email hears of the request whether or not its record could be stored.
		rerr := s.consoleEvent(rootIdentity(acct.ID), c, "PasswordRecoveryRequested", nil, "Recovery not allowed")
		if err := s.notify.Send(ctx, notify.Message{
			Channel: notify.Email, To: acct.Email, Account: acct.ID, Purpose: PurposePasswordReset,
			Subject: "Root password recovery is not available for account " + acct.ID,
			Body: "Someone asked to reset the root password of AWS account " + acct.ID + " (" + acct.Name + ").\n\n" +
				"The root credentials of this account are managed centrally by its organization, so the password cannot be\n" +
				"recovered from here. Ask an administrator of the management account to allow root password recovery.\n",
		}); err != nil {
			return err
		}
		return rerr
	}
	token := randomToken()
	rec := resetRecord{Account: acct.ID, ExpiresAt: s.Now().Add(ResetLinkLifetime)}
	err = s.update(ctx, func(t txn) error {
		st, err := t.state(acct.ID)
		if err != nil {
			return err
		}
		if st.ResetToken != "" {
			if err := resets.DeleteIfExists(t, "", st.ResetToken); err != nil {
				return err
			}
		}
		st.ResetToken = tokenKey(token)
		if err := resets.Put(t, "", st.ResetToken, &rec); err != nil {
			return err
		}
		return states.Put(t, acct.ID, keyState, st)
	})
	if err != nil {
		return err
	}
	// Without its record the link is not sent, so no reset happens unrecorded; the link it
	// replaced stays spent, and a new request sends a new one.
	if err := s.consoleEvent(rootIdentity(acct.ID), c, "PasswordRecoveryRequested", nil, ""); err != nil {
		return err
	}
	return s.notify.Send(ctx, notify.Message{
		Channel: notify.Email, To: acct.Email, Account: acct.ID, Purpose: PurposePasswordReset,
		Subject: "Reset the root password of account " + acct.ID,
		Body: "Someone, hopefully you, asked to reset the root user password of account " + acct.ID + " (" + acct.Name + ").\n\n" +
			"Open this link within one hour to choose a new password. It works once:\n\n" + s.link(PathPasswordReset, token) + "\n\n" +
			"Resetting the password signs the root user out of every console session.\n" +
			"If you did not ask for this, ignore this message: your password stays as it is.\n",
	})
}

// ResetInfo describes a valid reset link, for the page that asks for the new password.
type ResetInfo struct {
	Account   string
	Email     string
	ExpiresAt time.Time
}

// CheckPasswordReset tells whether a reset link is valid, without using it. Returns ExpiredToken.
func (s *Service) CheckPasswordReset(ctx context.Context, token string) (*ResetInfo, error) {
	rec, err := s.resetRecord(ctx, token)
	if err != nil {
		return nil, err
	}
	a, err := s.iam.GetAccount(ctx, rec.Account)
	if err != nil {
		return nil, err
	}
	return &ResetInfo{Account: a.ID, Email: a.Email, ExpiresAt: rec.ExpiresAt}, nil
}

func (s *Service) resetRecord(ctx context.Context, token string) (*resetRecord, error) {
	var rec resetRecord
	var current bool
	err := s.view(ctx, func(t txn) error {
		ok, err := resets.Load(t, "", tokenKey(token), &rec)
		if err != nil || !ok {
			return err
		}
		st, err := t.state(rec.Account)
		current = err == nil && st.ResetToken == tokenKey(token)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !current || !s.Now().Before(rec.ExpiresAt) {
		return nil, errLinkGone
	}
	return &rec, nil
}

// CompletePasswordReset sets a new root password through a reset link, spends the link and ends
// every console session of the root user. A password that breaks the rules leaves the link usable.
// Returns ExpiredToken, PasswordPolicyViolation.
func (s *Service) CompletePasswordReset(ctx context.Context, token, newPw string, c Client) error {
	rec, err := s.resetRecord(ctx, token)
	if err != nil {
		return err
	}
	a, err := s.iam.GetAccount(ctx, rec.Account)
	if err != nil {
		return err
	}
	if err := password.CheckRoot(newPw, a.Name, a.Email); err != nil {
		return awserr.New(awserr.PasswordPolicyViolation, "%s", sentence(err.Error()))
	}
	// Spend the link first, in one transaction: of two concurrent completions only one proceeds.
	err = s.update(ctx, func(t txn) error {
		st, err := t.state(rec.Account)
		if err != nil {
			return err
		}
		if st.ResetToken != tokenKey(token) {
			return errLinkGone
		}
		st.ResetToken = ""
		st.Epoch++
		if err := resets.DeleteIfExists(t, "", tokenKey(token)); err != nil {
			return err
		}
		return states.Put(t, rec.Account, keyState, st)
	})
	if err != nil {
		return err
	}
	if err := s.iam.SetRootPassword(ctx, rec.Account, newPw); err != nil {
		return err
	}
	// The password has changed: the root email is told even when the records cannot be stored,
	// and the caller then gets the recorder's error.
	id := rootIdentity(rec.Account)
	rerr := errors.Join(s.consoleEvent(id, c, "PasswordRecoveryCompleted", nil, ""), s.consoleEvent(id, c, "PasswordUpdated", nil, ""))
	if err := s.notify.Send(ctx, notify.Message{
		Channel: notify.Email, To: a.Email, Account: a.ID, Purpose: PurposePasswordChanged,
		Subject: "The root password of account " + a.ID + " was changed",
		Body: "The root user password of account " + a.ID + " (" + a.Name + ") was reset with a recovery link, and every console\n" +
			"session of the root user was ended. If this was not you, secure your email account and reset the password again.\n",
	}); err != nil {
		return err
	}
	return rerr
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// RecoveryState is the state of a lost-MFA recovery.
type RecoveryState string

// Recovery states.
const (
	RecoveryVerifying RecoveryState = "verifying" // proving email and phone
	RecoveryCooling   RecoveryState = "cooling"   // both proved; contacts may cancel
	RecoveryCompleted RecoveryState = "completed" // devices deactivated
	RecoveryCancelled RecoveryState = "cancelled"
	RecoveryExpired   RecoveryState = "expired" // not proved within 30 minutes
	RecoveryFailed    RecoveryState = "failed"  // too many wrong phone codes
)

type recoveryRecord struct {
	ID              string        `json:"id"`
	Account         string        `json:"account"`
	State           RecoveryState `json:"state"`
	CreatedAt       time.Time     `json:"created"`
	Deadline        time.Time     `json:"deadline"`
	EmailVerified   bool          `json:"email_verified,omitempty"`
	PhoneVerified   bool          `json:"phone_verified,omitempty"`
	PhoneCodeHash   string        `json:"phone_code,omitempty"`
	PhoneCodeSentAt time.Time     `json:"phone_code_sent,omitzero"`
	PhoneAttempts   int           `json:"phone_attempts,omitempty"`
	CoolingEnds     time.Time     `json:"cooling_ends,omitzero"`
	EndedBy         string        `json:"ended_by,omitempty"`
}

type recoveryToken struct {
	Recovery string `json:"recovery"`
	Role     string `json:"role"` // "session", "email" or "cancel"
	Contact  string `json:"contact,omitempty"`
}

// MFARecovery is the progress of a lost-MFA recovery, as the console shows it.
type MFARecovery struct {
	// Token is the browser's handle on the recovery: returned by BeginMFARecovery only.
	Token          string
	State          RecoveryState
	Deadline       time.Time
	EmailVerified  bool
	PhoneVerified  bool
	PhoneHint      string
	CoolingOffEnds time.Time
}

func (s *Service) recoveryView(r *recoveryRecord, phone string) *MFARecovery {
	hint := ""
	if len(phone) > 2 {
		hint = "…" + phone[len(phone)-2:]
	}
	return &MFARecovery{State: r.State, Deadline: r.Deadline, EmailVerified: r.EmailVerified, PhoneVerified: r.PhoneVerified, PhoneHint: hint, CoolingOffEnds: r.CoolingEnds}
}

// BeginMFARecoveryFor starts a lost-MFA recovery of the account's root user and mails the email
// link. The caller must have proved the root password: internal/signin calls it for a root sign-in
// at its MFA step (signin.Service.BeginMFARecovery). The account needs a phone number. A recovery
// still proving email and phone is superseded by the new one. Returns AccessDenied (recovery not
// allowed), InvalidInput (no phone number), EntityAlreadyExists (a recovery is in its cooling-off
// period), Throttling.
func (s *Service) BeginMFARecoveryFor(ctx context.Context, account string, c Client) (*MFARecovery, error) {
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	if err := s.recoveryPermitted(ctx, a); err != nil {
		return nil, err
	}
	st, err := s.loadState(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if st.Phone == "" {
		// Accounts claimed before the claim asked for a phone have none: name the way out that is
		// left, the operator's command on the server (cmd/rootward root.go).
		return nil, awserr.New(awserr.InvalidInput, "The account has no contact phone number, which MFA recovery needs. The operator of this installation can remove the root user's MFA devices on the server: %s root reset-mfa --data DIR --account %s --confirm %s", s.cli, a.ID, a.ID)
	}
	if err := s.reserve(ctx, s.messageScope("mfa-recovery:"+a.ID)); err != nil {
		return nil, err
	}
	session, emailTok := randomToken(), randomToken()
	now := s.Now()
	rec := &recoveryRecord{ID: randomToken()[:22], Account: a.ID, State: RecoveryVerifying, CreatedAt: now, Deadline: now.Add(RecoveryWindow)}
	err = s.update(ctx, func(t txn) error {
		st, err := t.state(a.ID)
		if err != nil {
			return err
		}
		if st.Recovery != "" {
			var old recoveryRecord
			if ok, err := recoveries.Load(t, "", st.Recovery, &old); err != nil {
				return err
			} else if ok && old.State == RecoveryCooling {
				return awserr.New(awserr.EntityAlreadyExists, "An MFA recovery is already in its cooling-off period until %s.", old.CoolingEnds.Format(time.RFC3339))
			} else if ok && old.State == RecoveryVerifying {
				old.State, old.EndedBy = RecoveryCancelled, "superseded"
				if err := recoveries.Put(t, "", old.ID, &old); err != nil {
					return err
				}
			}
		}
		st.Recovery = rec.ID
		if err := recoveries.Put(t, "", rec.ID, rec); err != nil {
			return err
		}
		for tok, role := range map[string]string{session: "session", emailTok: "email"} {
			if err := recTokens.Put(t, "", tokenKey(tok), &recoveryToken{Recovery: rec.ID, Role: role}); err != nil {
				return err
			}
		}
		return states.Put(t, a.ID, keyState, st)
	})
	if err != nil {
		return nil, err
	}
	if err := s.consoleEvent(rootIdentity(a.ID), c, "MFARecoveryRequested", nil, ""); err != nil {
		// Without its record the recovery goes no further: it ends before its link is sent.
		if _, _, cerr := s.endRecovery(ctx, rec.ID, "ended: its start could not be recorded"); cerr != nil {
			s.log.Error("rootuser: ending an unrecorded MFA recovery", "account", a.ID, "err", cerr)
		}
		return nil, err
	}
	if err := s.notify.Send(ctx, notify.Message{
		Channel: notify.Email, To: a.Email, Account: a.ID, Purpose: PurposeMFARecoveryEmail,
		Subject: "Confirm the MFA recovery of account " + a.ID,
		Body: "Someone who knows the root password of account " + a.ID + " (" + a.Name + ") started recovering its MFA.\n\n" +
			"To confirm this email address, open this link within 30 minutes:\n\n" + s.link(PathMFARecoveryEmail, emailTok) + "\n\n" +
			"If this was not you, do not open the link, and change the root password at once: it is known to someone else.\n",
	}); err != nil {
		return nil, err
	}
	v := s.recoveryView(rec, st.Phone)
	v.Token = session
	return v, nil
}

// recoveryByToken loads the recovery a token of the given role opens, first settling any state
// change that time brought (expiry, end of cooling-off).
func (s *Service) recoveryByToken(ctx context.Context, token, role string) (*recoveryRecord, *recoveryToken, error) {
	var tok recoveryToken
	var ok bool
	err := s.view(ctx, func(t txn) (err error) {
		ok, err = recTokens.Load(t, "", tokenKey(token), &tok)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !ok || tok.Role != role {
		return nil, nil, errLinkGone
	}
	var rec recoveryRecord
	err = s.view(ctx, func(t txn) (err error) {
		ok, err = recoveries.Load(t, "", tok.Recovery, &rec)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errLinkGone
	}
	if err := s.completeDueRecovery(ctx, rec.Account); err != nil {
		return nil, nil, err
	}
	// Reload: completion or expiry may have changed it.
	err = s.update(ctx, func(t txn) error {
		if _, err := recoveries.Load(t, "", tok.Recovery, &rec); err != nil {
			return err
		}
		if rec.State == RecoveryVerifying && !s.Now().Before(rec.Deadline) {
			rec.State = RecoveryExpired
			return recoveries.Put(t, "", rec.ID, &rec)
		}
		return nil
	})
	return &rec, &tok, err
}

// MFARecoveryStatus returns the progress of the recovery a browser's token names. Returns
// ExpiredToken for an unknown token.
func (s *Service) MFARecoveryStatus(ctx context.Context, token string) (*MFARecovery, error) {
	rec, _, err := s.recoveryByToken(ctx, token, "session")
	if err != nil {
		return nil, err
	}
	st, err := s.loadState(ctx, rec.Account)
	if err != nil {
		return nil, err
	}
	return s.recoveryView(rec, st.Phone), nil
}

var errRecoveryOver = awserr.New(awserr.ExpiredToken, "This MFA recovery is no longer in progress. Start again from the sign-in page.")

// VerifyMFARecoveryEmail records that the root email received the recovery link. Returns
// ExpiredToken when the link is unknown or the 30 minutes have passed.
func (s *Service) VerifyMFARecoveryEmail(ctx context.Context, emailToken string, c Client) (*MFARecovery, error) {
	rec, _, err := s.recoveryByToken(ctx, emailToken, "email")
	if err != nil {
		return nil, err
	}
	if rec.State != RecoveryVerifying {
		return nil, errRecoveryOver
	}
	view, err := s.advanceRecovery(ctx, rec.Account, rec.ID, c, func(r *recoveryRecord) error {
		r.EmailVerified = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Events are recorded after the transaction: a retried transaction must not record twice.
	// Following the link again, after a record that could not be stored, records it again.
	if err := s.consoleEvent(rootIdentity(rec.Account), c, "MFARecoveryEmailVerified", nil, ""); err != nil {
		return nil, err
	}
	return view, nil
}

// SendMFARecoveryCode sends a six-digit code to the account's phone by SMS or voice (channel
// notify.SMS or notify.Voice), once the email is verified. A new code replaces the previous one;
// codes are at least 30 seconds apart. Returns ExpiredToken, AccessDenied (email not verified yet),
// Throttling, InvalidInput.
func (s *Service) SendMFARecoveryCode(ctx context.Context, token string, channel notify.Channel, c Client) error {
	if channel != notify.SMS && channel != notify.Voice {
		return awserr.New(awserr.InvalidInput, "The code can be sent by SMS or by voice call.")
	}
	rec, _, err := s.recoveryByToken(ctx, token, "session")
	if err != nil {
		return err
	}
	if rec.State != RecoveryVerifying {
		return errRecoveryOver
	}
	if !rec.EmailVerified {
		return awserr.New(awserr.AccessDenied, "Confirm the email address first: open the link we sent to the root email.")
	}
	if !rec.PhoneCodeSentAt.IsZero() && s.Now().Sub(rec.PhoneCodeSentAt) < phoneCodeResendWait {
		return throttled(phoneCodeResendWait - s.Now().Sub(rec.PhoneCodeSentAt))
	}
	if err := s.reserve(ctx, s.messageScope("mfa-recovery-phone:"+rec.Account)); err != nil {
		return err
	}
	st, err := s.loadState(ctx, rec.Account)
	if err != nil {
		return err
	}
	code := sixDigits()
	if _, err := s.advanceRecovery(ctx, rec.Account, rec.ID, c, func(r *recoveryRecord) error {
		r.PhoneCodeHash, r.PhoneCodeSentAt, r.PhoneAttempts = codeHash(r.ID, code), s.Now(), 0
		return nil
	}); err != nil {
		return err
	}
	body := "Your Rootward account recovery code is " + code + ". It expires in 30 minutes."
	if channel == notify.Voice {
		body = "Your Rootward account recovery code is " + strings.Join(strings.Split(code, ""), " ") + ". Again: " + strings.Join(strings.Split(code, ""), " ") + "."
	}
	return s.notify.Send(ctx, notify.Message{Channel: channel, To: st.Phone, Account: rec.Account, Purpose: PurposeMFARecoveryPhone, Body: body})
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeHash binds a phone code to its recovery, so a hash copied to another recovery is useless.
func codeHash(recovery, code string) string {
	h := sha256.Sum256([]byte("rootward-mfa-recovery:" + recovery + ":" + code))
	return hex.EncodeToString(h[:])
}

// VerifyMFARecoveryPhone checks the phone code. Five wrong codes end the recovery. When the email
// and the phone are both proved, the cooling-off period starts and every security contact is
// told, each with a link that cancels. Returns InvalidAuthenticationCode, ExpiredToken.
func (s *Service) VerifyMFARecoveryPhone(ctx context.Context, token, code string, c Client) (*MFARecovery, error) {
	rec, _, err := s.recoveryByToken(ctx, token, "session")
	if err != nil {
		return nil, err
	}
	if rec.State != RecoveryVerifying || rec.PhoneCodeHash == "" {
		return nil, errRecoveryOver
	}
	good := subtle.ConstantTimeCompare([]byte(codeHash(rec.ID, strings.TrimSpace(code))), []byte(rec.PhoneCodeHash)) == 1
	var bad bool
	view, err := s.advanceRecovery(ctx, rec.Account, rec.ID, c, func(r *recoveryRecord) error {
		if r.PhoneCodeHash != rec.PhoneCodeHash {
			// A new code was sent meanwhile: this answer was for the old one.
			bad = true
			return nil
		}
		if !good {
			bad = true
			r.PhoneAttempts++
			if r.PhoneAttempts >= phoneCodeAttempts {
				r.State, r.EndedBy = RecoveryFailed, "too many wrong phone codes"
			}
			return nil
		}
		r.PhoneVerified, r.PhoneCodeHash = true, ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	if bad {
		const msg = "Wrong code"
		return nil, answer(awserr.New(awserr.InvalidAuthenticationCode, "The code is not valid."),
			s.consoleEvent(rootIdentity(rec.Account), c, "MFARecoveryPhoneVerified", nil, msg))
	}
	if err := s.consoleEvent(rootIdentity(rec.Account), c, "MFARecoveryPhoneVerified", nil, ""); err != nil {
		return nil, err
	}
	return view, nil
}

// advanceRecovery applies fn to a recovery still being verified, and starts the cooling-off when
// both proofs are in.
func (s *Service) advanceRecovery(ctx context.Context, account, id string, c Client, fn func(r *recoveryRecord) error) (*MFARecovery, error) {
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	var rec recoveryRecord
	var startCooling bool
	var cancelTokens map[string]string // contact → token
	var st *rootState
	err = s.update(ctx, func(t txn) error {
		startCooling, cancelTokens = false, nil
		ok, err := recoveries.Load(t, "", id, &rec)
		if err != nil {
			return err
		}
		if !ok || rec.State != RecoveryVerifying || !s.Now().Before(rec.Deadline) {
			return errRecoveryOver
		}
		if err := fn(&rec); err != nil {
			return err
		}
		if st, err = t.state(rec.Account); err != nil {
			return err
		}
		if rec.State == RecoveryVerifying && rec.EmailVerified && rec.PhoneVerified {
			rec.State, rec.CoolingEnds, startCooling = RecoveryCooling, s.Now().Add(s.coolingOff), true
			cancelTokens = map[string]string{}
			for _, contact := range s.contacts(st, a.Email) {
				tok := randomToken()
				cancelTokens[contact.to] = tok
				if err := recTokens.Put(t, "", tokenKey(tok), &recoveryToken{Recovery: id, Role: "cancel", Contact: contact.to}); err != nil {
					return err
				}
			}
		}
		return recoveries.Put(t, "", id, &rec)
	})
	if err != nil {
		return nil, err
	}
	var rerr error
	if startCooling {
		// The cooling-off has started: every contact is told, with its link to cancel, even when
		// the record cannot be stored; the caller then gets the recorder's error.
		rerr = s.consoleEvent(rootIdentity(rec.Account), c, "MFARecoveryVerified",
			map[string]any{"CoolingOffEnds": rec.CoolingEnds.Format(time.RFC3339)}, "")
		for _, contact := range s.contacts(st, a.Email) {
			link := s.link(PathMFARecoveryCancel, cancelTokens[contact.to])
			m := notify.Message{Channel: contact.channel, To: contact.to, Account: a.ID, Purpose: PurposeMFARecoveryCooling}
			if contact.channel == notify.Email {
				m.Subject = "MFA of the root user of account " + a.ID + " will be removed on " + rec.CoolingEnds.Format(time.RFC1123)
				m.Body = "Someone proved access to the root email and the phone of account " + a.ID + " (" + a.Name + ") to recover\n" +
					"its root user's MFA. On " + rec.CoolingEnds.Format(time.RFC1123) + " every MFA device of the root user will be\n" +
					"deactivated and the next sign-in will register a new one.\n\nIf this is not expected, cancel it now:\n\n" + link + "\n"
			} else {
				m.Body = "Rootward: MFA recovery of root user of account " + a.ID + " completes " + rec.CoolingEnds.Format(time.RFC3339) + ". Not you? Cancel: " + link
			}
			if err := s.notify.Send(ctx, m); err != nil {
				return nil, err
			}
		}
	}
	if rerr != nil {
		return nil, rerr
	}
	return s.recoveryView(&rec, st.Phone), nil
}

type contact struct {
	channel notify.Channel
	to      string
}

// contacts are the security contacts of an account: the root email (when rootEmail is given), the
// security alternate contact's email and phone, and the account phone by SMS.
func (s *Service) contacts(st *rootState, rootEmail string) []contact {
	var out []contact
	seen := map[string]bool{}
	add := func(ch notify.Channel, to string) {
		if to != "" && !seen[strings.ToLower(to)] {
			seen[strings.ToLower(to)] = true
			out = append(out, contact{ch, to})
		}
	}
	add(notify.Email, rootEmail)
	if sc := st.SecurityContact; sc != nil {
		add(notify.Email, sc.EmailAddress)
		if notify.ValidPhone(sc.PhoneNumber) {
			add(notify.SMS, sc.PhoneNumber)
		}
	}
	add(notify.SMS, st.Phone)
	return out
}

// CancelMFARecovery cancels a recovery with a contact's link, while it is being verified or cooling
// off, and tells every contact. Returns ExpiredToken.
func (s *Service) CancelMFARecovery(ctx context.Context, cancelToken string, c Client) error {
	rec, tok, err := s.recoveryByToken(ctx, cancelToken, "cancel")
	if err != nil {
		return err
	}
	return s.cancelRecovery(ctx, rec.ID, "cancelled by "+tok.Contact, c)
}

// PendingRecovery is a lost-MFA recovery in progress, as the signed-in root user sees it.
type PendingRecovery struct {
	State       RecoveryState
	StartedAt   time.Time
	CoolingEnds time.Time // zero while the email and phone are being verified
}

// PendingMFARecovery returns the account's lost-MFA recovery in progress, or nil when none: every
// page a signed-in root user sees shows it, with a way to cancel it.
func (s *Service) PendingMFARecovery(ctx context.Context, account string) (*PendingRecovery, error) {
	st, err := s.loadState(ctx, account)
	if err != nil || st.Recovery == "" {
		return nil, err
	}
	var rec recoveryRecord
	var ok bool
	if err := s.view(ctx, func(t txn) (err error) {
		ok, err = recoveries.Load(t, "", st.Recovery, &rec)
		return err
	}); err != nil || !ok {
		return nil, err
	}
	if rec.State != RecoveryCooling && rec.State != RecoveryVerifying {
		return nil, nil
	}
	return &PendingRecovery{State: rec.State, StartedAt: rec.CreatedAt, CoolingEnds: rec.CoolingEnds}, nil
}

// CancelMFARecoveryAsRoot cancels the account's recovery in progress for the signed-in root user,
// who evidently still holds an MFA device. Returns AccessDenied for anyone else, and the same
// errors as CancelMFARecovery when there is nothing to cancel.
func (s *Service) CancelMFARecoveryAsRoot(ctx context.Context, p *Principal, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	st, err := s.loadState(ctx, p.Account)
	if err != nil {
		return err
	}
	if st.Recovery == "" {
		return errRecoveryOver
	}
	return s.cancelRecovery(ctx, st.Recovery, "cancelled by the signed-in root user", c)
}

// cancelRecovery ends recovery id unless it is over already, and tells every contact.
func (s *Service) cancelRecovery(ctx context.Context, id, endedBy string, c Client) error {
	account, st, err := s.endRecovery(ctx, id, endedBy)
	if err != nil {
		return err
	}
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return err
	}
	// The recovery has ended: every contact is told even when the record cannot be stored.
	rerr := s.consoleEvent(rootIdentity(a.ID), c, "MFARecoveryCancelled", map[string]any{"EndedBy": endedBy}, "")
	for _, ct := range s.contacts(st, a.Email) {
		m := notify.Message{Channel: ct.channel, To: ct.to, Account: a.ID, Purpose: PurposeMFARecoveryCancel,
			Body: "The MFA recovery of the root user of account " + a.ID + " was " + endedBy + ". Its MFA devices stay as they are."}
		if ct.channel == notify.Email {
			m.Subject = "MFA recovery of account " + a.ID + " cancelled"
		}
		if err := s.notify.Send(ctx, m); err != nil {
			return err
		}
	}
	return rerr
}

// endRecovery marks recovery id cancelled unless it is over already (errRecoveryOver), and
// returns its account and that account's root state.
func (s *Service) endRecovery(ctx context.Context, id, endedBy string) (account string, st *rootState, err error) {
	err = s.update(ctx, func(t txn) error {
		var cur recoveryRecord
		if _, err := recoveries.Load(t, "", id, &cur); err != nil {
			return err
		}
		if cur.State != RecoveryCooling && cur.State != RecoveryVerifying {
			return errRecoveryOver
		}
		cur.State, cur.EndedBy = RecoveryCancelled, endedBy
		account = cur.Account
		var err error
		if st, err = t.state(cur.Account); err != nil {
			return err
		}
		if st.Recovery == cur.ID {
			st.Recovery = ""
			if err := states.Put(t, cur.Account, keyState, st); err != nil {
				return err
			}
		}
		return recoveries.Put(t, "", cur.ID, &cur)
	})
	return account, st, err
}

// completeDueRecovery finishes the account's recovery if its cooling-off has ended: every root MFA
// device is deactivated (virtual ones deleted) and the next sign-in must register one.
func (s *Service) completeDueRecovery(ctx context.Context, account string) error {
	st, err := s.loadState(ctx, account)
	if err != nil || st.Recovery == "" {
		return err
	}
	var rec recoveryRecord
	done := false
	err = s.update(ctx, func(t txn) error {
		done = false
		ok, err := recoveries.Load(t, "", st.Recovery, &rec)
		if err != nil || !ok || rec.State != RecoveryCooling || s.Now().Before(rec.CoolingEnds) {
			return err
		}
		cur, err := t.state(account)
		if err != nil {
			return err
		}
		rec.State = RecoveryCompleted
		// Whoever recovered, sessions opened with the old devices end: the owner's, if an attacker
		// recovered, must be re-established; an attacker's, if the owner did, must not survive.
		cur.Recovery, cur.MFARegistrationRequired = "", true
		cur.Epoch++
		done = true
		if err := states.Put(t, account, keyState, cur); err != nil {
			return err
		}
		return recoveries.Put(t, "", rec.ID, &rec)
	})
	if err != nil || !done {
		return err
	}
	serials, err := s.removeRootDevices(ctx, account)
	if err != nil {
		return err
	}
	// The devices are gone: every contact is told even when the record cannot be stored, and
	// the caller then gets the recorder's error.
	b, _ := json.Marshal(serials)
	rerr := s.consoleEvent(rootIdentity(account), Client{}, "MFARecoveryCompleted", map[string]any{"DeactivatedDevices": string(b)}, "")
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return err
	}
	for _, ct := range s.contacts(st, a.Email) {
		m := notify.Message{Channel: ct.channel, To: ct.to, Account: a.ID, Purpose: PurposeMFARecoveryDone,
			Body: "The MFA recovery of the root user of account " + a.ID + " is complete: its MFA devices were deactivated and the next root sign-in registers a new one."}
		if ct.channel == notify.Email {
			m.Subject = "MFA of the root user of account " + a.ID + " was removed"
		}
		if err := s.notify.Send(ctx, m); err != nil {
			return err
		}
	}
	return rerr
}

// removeRootDevices deactivates every MFA device of the account's root user (and deletes the
// virtual ones, so their seeds are gone) and returns their serial numbers.
func (s *Service) removeRootDevices(ctx context.Context, account string) ([]string, error) {
	devices, err := s.Devices(ctx, account, "")
	if err != nil {
		return nil, err
	}
	serials := make([]string, 0, len(devices))
	for _, d := range devices {
		err := s.iam.DeactivateMFADevice(ctx, account, "", d.Serial)
		if err == nil && d.Type == iam.MFAVirtual {
			err = s.iam.DeleteVirtualMFADevice(ctx, account, d.Serial)
		}
		if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
			return nil, err
		}
		serials = append(serials, d.Serial)
	}
	return serials, nil
}

// Operator describes who ran an administrative command on the server machine, for the trail.
type Operator struct {
	User string // the operating-system user
	Host string // the machine's host name
}

// ResetRootMFA removes every MFA device of an account's root user for the operator of a
// self-hosted installation who lost them all: it ends the root user's console sessions, makes the
// next root sign-in register a new device (not optional), records a high-severity event and tells
// the root email and every security contact. It is reachable only from the server machine (it needs
// the data directory and the master key), never over the network. Returns the serial numbers
// removed; NoSuchEntity when the account does not exist.
func (s *Service) ResetRootMFA(ctx context.Context, account string, op Operator) ([]string, error) {
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	serials, err := s.removeRootDevices(ctx, account)
	if err != nil {
		return nil, err
	}
	if err := s.updateState(ctx, account, func(st *rootState) error {
		st.MFARegistrationRequired = true
		st.Epoch++
		return nil
	}); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(serials)
	id := trail.UserIdentity{Type: "Unknown", PrincipalID: "rootward-operator", AccountID: account, UserName: op.User, InvokedBy: "rootward root reset-mfa"}
	// The devices are gone: the contacts are alerted even when the record cannot be stored.
	rerr := s.apiEvent(id, Client{SourceIP: op.Host}, sourceIAM, "ResetRootMFA", map[string]any{"accountId": account}, nil,
		map[string]any{"Severity": SeverityHigh, "DeactivatedDevices": string(b), "OperatorUser": op.User, "OperatorHost": op.Host}, nil)
	body := "An operator (" + op.User + " on " + op.Host + ") removed every MFA device of the root user of account " + a.ID +
		" with the rootward root reset-mfa command on the server machine. The next root sign-in must register a new device; every root console session was ended.\n" +
		"If nobody you know did this, someone controls the server: treat it as an incident."
	if err := s.alertContacts(ctx, account, PurposeMFAReset, "MFA of the root user of account "+a.ID+" was reset on the server", body); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, fmt.Errorf("rootuser: the %d MFA device(s) of the root user of account %s were removed and the contacts told, but the trail record could not be stored: %w", len(serials), account, rerr)
	}
	return serials, nil
}

// CompleteDueRecoveries finishes every recovery whose cooling-off has ended and returns how many it
// finished. Sign-ins and status checks finish their own account's recovery anyway; a periodic call
// makes the devices go (and the contacts hear of it) on time even when nobody signs in.
func (s *Service) CompleteDueRecoveries(ctx context.Context) (int, error) {
	var due []string
	err := s.view(ctx, func(t txn) error {
		// The cooling index in order of the time the cooling-off ends, up to now.
		now, after := sortableTime(s.Now()), ""
		for {
			items, err := recoveries.IndexRange(t, byCoolingEnd, "", "")(after, 256)
			if err != nil {
				return err
			}
			for _, it := range items {
				if ends, _, _ := strings.Cut(it.Key, "\x00"); ends > now {
					return nil
				}
				_, r, ok, err := recoveries.Resolve(t, "", it)
				if err != nil {
					return err
				}
				if ok && r.State == RecoveryCooling && !s.Now().Before(r.CoolingEnds) {
					due = append(due, r.Account)
				}
				after = it.Key
			}
			if len(items) < 256 {
				return nil
			}
		}
	})
	if err != nil {
		return 0, err
	}
	for _, account := range due {
		if err := s.completeDueRecovery(ctx, account); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
