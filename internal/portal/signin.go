package portal

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// Sign-in of Identity Center users at the start URL. Like internal/signin's for IAM users, each
// step is a method over an opaque, single-use, short-lived pending token that says what comes
// next:
//
//	password → [set a new password: a one-time password was generated] → [register an MFA
//	device: the user has none, and Identity Center requires one] → [MFA code] → signed in
//
// Every password and code attempt is reserved in the sign-in throttling counters before it is
// checked (per user, and per address in the "auth" counter IAM users' sign-ins share), so the
// limits, back-off and locks are IAM users' own. Each step is recorded as AWS records Identity
// Center sign-ins ("Understanding IAM Identity Center sign-in events", IAM Identity Center User
// Guide): CredentialChallenge and CredentialVerification per credential (PASSWORD, TOTP), and
// UserAuthentication once every challenge is met, event source signin.amazonaws.com, in the
// account of the user's instance.

// Step is what a pending sign-in needs next.
type Step string

// Steps of a portal sign-in.
const (
	StepSetPassword     Step = "set-password"
	StepMFARegistration Step = "mfa-registration"
	StepMFA             Step = "mfa"
	StepDone            Step = "done"
)

// Lifetimes: a pending sign-in ten minutes and three wrong codes (as IAM users'), a portal
// session 8 hours (IAM Identity Center's default session duration).
const (
	pendingLifetime = 10 * time.Minute
	mfaAttempts     = 3
	// SessionLifetime is how long a portal session lasts.
	SessionLifetime = sessionLifetime
)

// Pending is a sign-in in progress, or done (Next StepDone, with Session).
type Pending struct {
	Token string
	Next  Step
	User  *User
	// TOTP is the authenticator seed to show at StepMFARegistration (base32) and its otpauth URL.
	TOTPSeed, TOTPURL string
	// Passkey: at StepMFA, the user has a passkey to answer with; at StepMFARegistration, the
	// portal can register one.
	Passkey bool
	// TOTP: at StepMFA, the user has an authenticator app to answer with a code (a user whose only
	// MFA is a passkey is asked for nothing else).
	TOTP bool
	// Session is the portal session's cookie value once signed in.
	Session *Session
}

type pendingRecord struct {
	User       User      `json:"user"`
	Step       Step      `json:"step"`
	ExpiresAt  time.Time `json:"expires"`
	Failures   int       `json:"failures,omitempty"`
	SealedSeed []byte    `json:"seed,omitempty"`
	Workflow   string    `json:"workflow"` // AuthWorkflowID of the sign-in's events
	// WebAuthn is the challenge of a passkey ceremony begun at this step (passkey.go).
	WebAuthn *webauthn.SessionData `json:"webauthn,omitempty"`
}

var pendings = store.Define(store.Kind[pendingRecord]{Name: "portal.pending", Version: 1})

var (
	errSignIn     = awserr.New(awserr.AccessDenied, "Your authentication information is incorrect. Please try again.")
	errMFA        = awserr.New(awserr.InvalidAuthenticationCode, "Your authentication information is incorrect. Please try again.")
	errPending    = awserr.New(awserr.ExpiredToken, "Your sign-in session has expired or was already used. Please sign in again.")
	errNoSignIn   = errors.New("portal: the portal has no Identity Center service for sign-in")
	errNoNotifier = errors.New("portal: the portal has no notifier for setup emails")
	errNoAccount  = awserr.New(awserr.AccessDenied, "Choose the Identity Center instance to sign in to.")
	errNoPasskeys = errors.New("portal: passkeys need the portal's public URL")
)

// Instances lists the instances users may sign in to; the start page asks for one only when
// there are several.
func (s *Service) Instances(ctx context.Context) ([]identitycenter.PortalInstance, error) {
	if s.ic == nil {
		return nil, errNoSignIn
	}
	return s.ic.PortalInstances(ctx)
}

// resolveInstance returns instanceID, or the one instance when instanceID is empty and there is
// exactly one. Returns AccessDenied when it cannot tell.
func (s *Service) resolveInstance(ctx context.Context, instanceID string) (*identitycenter.PortalInstance, error) {
	all, err := s.Instances(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].InstanceID == instanceID || (instanceID == "" && len(all) == 1) {
			return &all[i], nil
		}
	}
	return nil, errNoAccount
}

func (s *Service) identityScope(kind, id string) throttle.Scope {
	return s.counters.Limits().Identity(kind, id)
}

func (s *Service) scopes(kind, id string, c Call) []throttle.Scope {
	out := []throttle.Scope{s.identityScope(kind, id)}
	if ip, ok := s.counters.Limits().Address("auth", c.SourceIP); ok {
		out = append(out, ip)
	}
	return out
}

// succeeded clears the identity's counter and refunds the address's attempt.
func (s *Service) succeeded(ctx context.Context, kind, id string, c Call) error {
	if err := s.counters.Clear(ctx, s.identityScope(kind, id)); err != nil {
		return err
	}
	if ip, ok := s.counters.Limits().Address("auth", c.SourceIP); ok {
		return s.counters.Refund(ctx, ip)
	}
	return nil
}

// BeginSignIn checks an Identity Center user's password. instanceID may be empty when the server
// has one instance. Wrong, unknown and disabled users cost one password verification alike.
// Returns AccessDenied (the same for every wrong input), Throttling.
func (s *Service) BeginSignIn(ctx context.Context, instanceID, userName, pw string, c Call) (*Pending, error) {
	if s.ic == nil {
		return nil, errNoSignIn
	}
	in, err := s.resolveInstance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	if ext, err := s.usesExternalIdP(ctx, in.InstanceID); err != nil {
		return nil, err
	} else if ext {
		return nil, errExternalIdP
	}
	key := in.InstanceID + "/" + strings.ToLower(strings.TrimSpace(userName))
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-signin", key, c)...); err != nil {
		return nil, err
	}
	u, err := s.dir.UserByName(ctx, in.InstanceID, strings.TrimSpace(userName))
	if err != nil {
		return nil, err
	}
	ref := identitycenter.UserRef{Account: in.Account, Instance: in.InstanceID, IdentityStoreID: in.IdentityStoreID}
	if u != nil {
		ref.UserID = u.UserID
	}
	ok, err := s.ic.VerifyPassword(ctx, ref, pw)
	if err != nil {
		return nil, err
	}
	workflow := newSecret("", 16)
	if u == nil {
		// The typed name may be a password typed in the wrong field: the record hides it, as AWS
		// hides the user name of failed IAM sign-ins.
		hidden := &User{InstanceAccount: in.Account, InstanceID: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserName: trail.Hidden}
		if err := s.credentialEvents(hidden, c, workflow, "PASSWORD", false); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	if err := s.credentialEvents(u, c, workflow, "PASSWORD", ok); err != nil {
		return nil, err
	}
	if !ok {
		if err := s.ic.RecordFailure(ctx, ref); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	if err := s.succeeded(ctx, "portal-signin", key, c); err != nil {
		return nil, err
	}
	su, err := s.ic.SignInUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	rec := pendingRecord{User: *u, Workflow: workflow}
	switch {
	case su.MustChangePassword:
		rec.Step = StepSetPassword
	case len(su.MFADevices) == 0:
		rec.Step = StepMFARegistration
	default:
		rec.Step = StepMFA
		if err := s.totpChallenge(u, c, workflow, su.MFADevices); err != nil {
			return nil, err
		}
	}
	return s.newPending(ctx, rec)
}

// totpChallenge records the TOTP challenge of an MFA step when the user has an authenticator
// app; a passkey's challenge is recorded when it is issued (BeginPasskeyMFA).
func (s *Service) totpChallenge(u *User, c Call, workflow string, devices []identitycenter.MFADevice) error {
	if _, totp := hasPasskey(devices); !totp {
		return nil
	}
	return s.challengeEvent(u, c, workflow, "TOTP")
}

// mfaChoices says how the page of a step may answer MFA: with a passkey (the portal can run the
// ceremony and, at StepMFA, the user has one) and with an authenticator app's code (at StepMFA,
// the user has one; a user with neither usable is shown the code field, which refuses).
func (s *Service) mfaChoices(ctx context.Context, rec *pendingRecord) (passkey, totp bool, err error) {
	switch rec.Step {
	case StepMFARegistration:
		return s.wa != nil, true, nil
	case StepMFA:
		su, err := s.ic.SignInUser(ctx, ref(&rec.User))
		if err != nil {
			return false, false, err
		}
		passkey, totp = hasPasskey(su.MFADevices)
		passkey = passkey && s.wa != nil
		return passkey, totp || !passkey, nil
	}
	return false, false, nil
}

// newPending stores rec under a fresh token.
func (s *Service) newPending(ctx context.Context, rec pendingRecord) (*Pending, error) {
	token := newSecret("", 32)
	rec.ExpiresAt = s.Now().Add(pendingLifetime)
	p := &Pending{Token: token, Next: rec.Step, User: &rec.User}
	if rec.Step == StepMFARegistration {
		seed := iam.NewTOTPSeed()
		rec.SealedSeed = s.seal([]byte(seed), "portal-seed:"+secretKey(token))
		p.TOTPSeed, p.TOTPURL = seed, iam.OTPAuthURL("IAM Identity Center", rec.User.UserName, seed)
	}
	if err := s.update(ctx, func(t txn) error { return pendings.Insert(t, "", secretKey(token), &rec) }); err != nil {
		return nil, err
	}
	var err error
	if p.Passkey, p.TOTP, err = s.mfaChoices(ctx, &rec); err != nil {
		return nil, err
	}
	return p, nil
}

// pending loads the live pending sign-in of token at step. Returns ExpiredToken.
func (s *Service) pending(ctx context.Context, token string, step Step) (*pendingRecord, error) {
	if token == "" || len(token) > 128 {
		return nil, errPending
	}
	var rec *pendingRecord
	err := s.view(ctx, func(t txn) error {
		r, ok, err := pendings.Get(t, "", secretKey(token))
		if err != nil {
			return err
		}
		if !ok || r.Step != step || !s.Now().Before(r.ExpiresAt) {
			return errPending
		}
		rec = r
		return nil
	})
	return rec, err
}

// PendingStep returns what a pending sign-in needs next, with the seed of an MFA registration to
// show again. Returns ExpiredToken.
func (s *Service) PendingStep(ctx context.Context, token string) (*Pending, error) {
	var rec *pendingRecord
	err := s.view(ctx, func(t txn) error {
		r, ok, err := pendings.Get(t, "", secretKey(token))
		if err != nil {
			return err
		}
		if !ok || !s.Now().Before(r.ExpiresAt) {
			return errPending
		}
		rec = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := &Pending{Token: token, Next: rec.Step, User: &rec.User}
	if rec.Step == StepMFARegistration {
		seed, err := s.open(rec.SealedSeed, "portal-seed:"+secretKey(token))
		if err != nil {
			return nil, err
		}
		p.TOTPSeed, p.TOTPURL = string(seed), iam.OTPAuthURL("IAM Identity Center", rec.User.UserName, string(seed))
	}
	if p.Passkey, p.TOTP, err = s.mfaChoices(ctx, rec); err != nil {
		return nil, err
	}
	return p, nil
}

// consume spends a pending token; a second use finds it gone.
func (s *Service) consume(ctx context.Context, token string) error {
	return s.update(ctx, func(t txn) error {
		if _, ok, err := pendings.Get(t, "", secretKey(token)); err != nil {
			return err
		} else if !ok {
			return errPending
		}
		return pendings.Delete(t, "", secretKey(token))
	})
}

// CompleteSetPassword replaces a one-time password with the user's own (IAM-user password
// rules). Returns ExpiredToken, PasswordPolicyViolation.
func (s *Service) CompleteSetPassword(ctx context.Context, token, newPw string, c Call) (*Pending, error) {
	rec, err := s.pending(ctx, token, StepSetPassword)
	if err != nil {
		return nil, err
	}
	if err := s.ic.SetPassword(ctx, ref(&rec.User), newPw); err != nil {
		return nil, err
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	su, err := s.ic.SignInUser(ctx, ref(&rec.User))
	if err != nil {
		return nil, err
	}
	next := pendingRecord{User: rec.User, Workflow: rec.Workflow, Step: StepMFARegistration}
	if len(su.MFADevices) > 0 {
		next.Step = StepMFA
		if err := s.totpChallenge(&rec.User, c, rec.Workflow, su.MFADevices); err != nil {
			return nil, err
		}
	}
	return s.newPending(ctx, next)
}

// CompleteMFARegistration registers the authenticator app whose seed the registration step
// showed, with one of its current codes, and signs in. Returns ExpiredToken,
// InvalidAuthenticationCode, Throttling.
func (s *Service) CompleteMFARegistration(ctx context.Context, token, code string, c Call) (*Pending, error) {
	rec, err := s.pending(ctx, token, StepMFARegistration)
	if err != nil {
		return nil, err
	}
	seed, err := s.open(rec.SealedSeed, "portal-seed:"+secretKey(token))
	if err != nil {
		return nil, err
	}
	key := rec.User.InstanceID + "/" + rec.User.UserID
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-mfa", key, c)...); err != nil {
		return nil, err
	}
	if _, err := s.ic.AddTOTPDevice(ctx, ref(&rec.User), "authenticator-"+s.Now().Format("20060102150405"), string(seed), strings.TrimSpace(code)); err != nil {
		if awserr.IsCode(err, awserr.ICValidation) {
			return nil, s.mfaFailed(ctx, token, errMFA)
		}
		return nil, err
	}
	return s.mfaPassed(ctx, key, token, rec, c)
}

// CompleteMFA checks a code of one of the user's authenticator apps. Three wrong codes end the
// pending sign-in. Returns ExpiredToken, InvalidAuthenticationCode, Throttling.
func (s *Service) CompleteMFA(ctx context.Context, token, code string, c Call) (*Pending, error) {
	rec, err := s.pending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	key := rec.User.InstanceID + "/" + rec.User.UserID
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-mfa", key, c)...); err != nil {
		return nil, err
	}
	_, verr := s.ic.VerifyTOTP(ctx, ref(&rec.User), strings.TrimSpace(code))
	if verr != nil && !awserr.IsCode(verr, awserr.ICValidation) {
		return nil, verr
	}
	if err := s.mfaVerdict(ctx, token, rec, c, "TOTP", verr); err != nil {
		return nil, err
	}
	return s.mfaPassed(ctx, key, token, rec, c)
}

// mfaVerdict records the verification of an MFA answer (verr nil: right) and, for a wrong one,
// counts it against the user and the pending sign-in and returns InvalidAuthenticationCode.
func (s *Service) mfaVerdict(ctx context.Context, token string, rec *pendingRecord, c Call, credential string, verr error) error {
	if err := s.verificationEvent(&rec.User, c, rec.Workflow, credential, verr == nil); err != nil {
		return err
	}
	if verr == nil {
		return nil
	}
	if err := s.ic.RecordFailure(ctx, ref(&rec.User)); err != nil {
		return err
	}
	return s.mfaFailed(ctx, token, errMFA)
}

// mfaFailed counts a wrong code on the pending sign-in, ending it at the third, and returns
// answer.
func (s *Service) mfaFailed(ctx context.Context, token string, answer error) error {
	err := s.update(ctx, func(t txn) error {
		r, ok, err := pendings.Get(t, "", secretKey(token))
		if err != nil || !ok {
			return err
		}
		r.Failures++
		r.WebAuthn = nil // a challenge gets one answer
		if r.Failures >= mfaAttempts {
			return pendings.Delete(t, "", secretKey(token))
		}
		return pendings.Put(t, "", secretKey(token), r)
	})
	if err != nil {
		return err
	}
	return answer
}

// mfaPassed ends a pending sign-in whose MFA answer (a TOTP code, or a passkey registered at it)
// was right: the guesses counted against key are forgotten, the pending sign-in is spent, and the
// user is signed in.
func (s *Service) mfaPassed(ctx context.Context, key, token string, rec *pendingRecord, c Call) (*Pending, error) {
	if err := s.succeeded(ctx, "portal-mfa", key, c); err != nil {
		return nil, err
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	return s.signedIn(ctx, rec, c)
}

// signedIn records the sign-in and opens the user's portal session.
func (s *Service) signedIn(ctx context.Context, rec *pendingRecord, c Call) (*Pending, error) {
	if err := s.ic.RecordSuccess(ctx, ref(&rec.User)); err != nil {
		return nil, err
	}
	if err := s.authenticationEvent(&rec.User, c, rec.Workflow); err != nil {
		return nil, err
	}
	sess, err := s.newSession(ctx, &rec.User)
	if err != nil {
		return nil, err
	}
	return &Pending{Next: StepDone, User: &rec.User, Session: sess}, nil
}

// SetupPassword sets a password through the link an administrator sent (valid 7 days, used
// once). Returns AccessDenied (the link is unknown, used or expired), PasswordPolicyViolation.
func (s *Service) SetupPassword(ctx context.Context, instanceID, token, pw string, c Call) error {
	if s.ic == nil {
		return errNoSignIn
	}
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-setup", instanceID, c)...); err != nil {
		return err
	}
	_, err := s.ic.SetPasswordWithToken(ctx, instanceID, token, pw)
	if errors.Is(err, identitycenter.ErrSetupToken) || awserr.IsCode(err, awserr.ICResourceNotFound) {
		return awserr.New(awserr.AccessDenied, "This password setup link is not valid. Ask your administrator for a new one.")
	}
	if err != nil {
		return err
	}
	return s.succeeded(ctx, "portal-setup", instanceID, c)
}
