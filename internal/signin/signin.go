package signin

import (
	"context"
	"errors"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
)

// Step is what a pending sign-in needs next.
type Step string

// Steps of a sign-in.
const (
	// StepMFA: present a code or an assertion of any one of Pending.Devices (CompleteMFA).
	StepMFA Step = "mfa"
	// StepMFARegistration: register an MFA device (the registration methods, with the account and
	// user PendingSubject gives), then CompleteMFARegistration. When Pending.RegistrationOptional
	// is true — a root user inside its 35-day window — SkipMFARegistration may postpone it.
	StepMFARegistration Step = "mfa-registration"
	// StepPasswordChange: an IAM user whose password must be changed (CompletePasswordChange).
	StepPasswordChange Step = "password-change"
	// StepDone: signed in; Pending.Principal is the principal.
	StepDone Step = "done"
)

// errSignIn is the one answer to a wrong email, user name, account or password, identical for
// identities that exist and those that do not.
var errSignIn = awserr.New(awserr.AccessDenied, "Your authentication information is incorrect. Please try again.")

var errMFA = awserr.New(awserr.InvalidAuthenticationCode, "Your authentication information is incorrect. Please try again.")

// BeginRootSignIn checks the root user's email and password. Wrong, unknown and throttled
// identities all cost one argon2id verification. Returns AccessDenied for bad credentials (the same
// for every email), Throttling while the email or the address is throttled.
func (s *Service) BeginRootSignIn(ctx context.Context, email, pw string, c Client) (*Pending, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	scopes, bind, err := s.passwordScopes(ctx, "signin-root", key, c)
	if err != nil {
		return nil, err
	}
	if err := s.reserve(ctx, scopes...); err != nil {
		return nil, err
	}
	acct, err := s.iam.AccountByRootEmail(ctx, key)
	if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, err
	}
	hash := s.dummyHash()
	if acct != nil && acct.RootPasswordHash != "" {
		hash = acct.RootPasswordHash
	}
	ok, _ := verifyPassword(pw, hash)
	if acct == nil {
		return nil, errSignIn
	}
	// The 35-day window runs from the first sign-in attempt, successful or not.
	if err := s.root.NoteSignInAttempt(ctx, acct.ID); err != nil {
		return nil, err
	}
	if !ok || acct.RootPasswordHash == "" {
		if err := s.signInEvent(rootuser.RootIdentity(acct.ID), c, false, false, "", nil); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	if err := s.passwordSucceeded(ctx, "signin-root", key, bind, c); err != nil {
		return nil, err
	}
	// The password is right: that is what the credential report's password_last_used records, "the
	// date and time when the user's password was last used to sign in to an AWS website" (IAM User
	// Guide, "Getting credential reports"), whatever the MFA step brings next.
	if err := s.iam.RecordPasswordUse(ctx, acct.ID, "", s.Now()); err != nil {
		return nil, err
	}
	// A lost-MFA recovery whose cooling-off has ended takes effect now, before devices are listed.
	if err := s.root.CompleteDueRecovery(ctx, acct.ID); err != nil {
		return nil, err
	}
	return s.afterRootPassword(ctx, acct.ID, c, bind)
}

func (s *Service) afterRootPassword(ctx context.Context, account string, c Client, bind deviceBinding) (*Pending, error) {
	devices, err := s.root.Devices(ctx, account, "")
	if err != nil {
		return nil, err
	}
	if len(devices) > 0 {
		if err := s.checkMFAEvent(rootuser.RootIdentity(account), c, devices); err != nil {
			return nil, err
		}
		return s.newPending(ctx, pendingRecord{Account: account, Step: StepMFA, deviceBinding: bind}, devices)
	}
	// Without a device the root user registers one: at once after a completed MFA recovery,
	// otherwise by the end of its 35-day window.
	optional, deadline, err := s.root.MFARegistrationWindow(ctx, account)
	if err != nil {
		return nil, err
	}
	return s.newPending(ctx, pendingRecord{Account: account, Step: StepMFARegistration, Optional: optional, Deadline: deadline, deviceBinding: bind}, nil)
}

// BeginUserSignIn checks an IAM user's console password. account is the account ID or alias.
// Returns AccessDenied for bad credentials (the same whether the account, the user or the password
// is wrong), Throttling.
func (s *Service) BeginUserSignIn(ctx context.Context, account, userName, pw string, c Client) (*Pending, error) {
	acct, err := s.resolveAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	// The counter is keyed by the account ID once resolved, so an alias and the ID share it.
	id := strings.ToLower(strings.TrimSpace(account))
	if acct != nil {
		id = acct.ID
	}
	key := id + "/" + foldName(userName)
	scopes, bind, err := s.passwordScopes(ctx, "signin-user", key, c)
	if err != nil {
		return nil, err
	}
	if err := s.reserve(ctx, scopes...); err != nil {
		return nil, err
	}
	var lp *iam.LoginProfile
	var user *iam.User
	if acct != nil && userName != "" {
		if lp, err = s.iam.GetLoginProfile(ctx, acct.ID, userName); err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) && !awserr.IsCode(err, awserr.ValidationError) {
			return nil, err
		}
		if lp != nil {
			if user, err = s.iam.GetUser(ctx, acct.ID, userName); err != nil {
				return nil, err
			}
		}
	}
	hash := s.dummyHash()
	if lp != nil && len(lp.Hashes) > 0 {
		hash = lp.Hashes[0]
	}
	ok, _ := verifyPassword(pw, hash)
	if lp == nil || len(lp.Hashes) == 0 || !ok {
		if acct != nil {
			// AWS hides the user name of failed IAM sign-ins (CloudTrail User Guide): it may be a
			// password typed into the wrong field.
			if err := s.signInEvent(rootuser.UserIdentity(acct.ID, "", "", "HIDDEN_DUE_TO_SECURITY_REASONS"), c, false, false, "", nil); err != nil {
				return nil, err
			}
		}
		return nil, errSignIn
	}
	if err := s.passwordSucceeded(ctx, "signin-user", key, bind, c); err != nil {
		return nil, err
	}
	resetRequired := lp.PasswordResetRequired
	if policy, err := s.iam.GetAccountPasswordPolicy(ctx, acct.ID); err == nil {
		if exp := lp.PasswordExpiry(policy); exp != nil && !s.Now().Before(*exp) {
			if policy.HardExpiry != nil && *policy.HardExpiry {
				// HardExpiry: "IAM users are prevented from setting a new console password after
				// their password has expired" (IAM API reference, UpdateAccountPasswordPolicy).
				if err := s.signInEvent(rootuser.UserIdentity(acct.ID, user.UserID, user.Arn, user.UserName), c, false, false, "", nil); err != nil {
					return nil, err
				}
				return nil, awserr.New(awserr.AccessDenied, "Your password has expired. Contact your administrator to reset it.")
			}
			resetRequired = true
		}
	} else if !awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, err
	}
	// A right password that is not hard-expired signs in (or leads to MFA or a password change):
	// record it for GetUser's PasswordLastUsed and the credential report, as for the root above.
	if err := s.iam.RecordPasswordUse(ctx, acct.ID, user.UserName, s.Now()); err != nil {
		return nil, err
	}
	devices, err := s.root.Devices(ctx, acct.ID, user.UserName)
	if err != nil {
		return nil, err
	}
	rec := pendingRecord{Account: acct.ID, UserName: user.UserName, ResetRequired: resetRequired, deviceBinding: bind}
	switch {
	case len(devices) > 0:
		if err := s.checkMFAEvent(rootuser.UserIdentity(acct.ID, user.UserID, user.Arn, user.UserName), c, devices); err != nil {
			return nil, err
		}
		rec.Step = StepMFA
	case resetRequired:
		rec.Step = StepPasswordChange
	default:
		return s.signedIn(ctx, acct.ID, user.UserName, false, "", c, bind, nil)
	}
	return s.newPending(ctx, rec, devices)
}

func (s *Service) resolveAccount(ctx context.Context, idOrAlias string) (*iam.Account, error) {
	idOrAlias = strings.TrimSpace(idOrAlias)
	var a *iam.Account
	var err error
	if len(idOrAlias) == 12 && strings.Trim(idOrAlias, "0123456789") == "" {
		a, err = s.iam.GetAccount(ctx, idOrAlias)
	} else {
		a, err = s.iam.AccountByAlias(ctx, strings.ToLower(idOrAlias))
	}
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, nil
	}
	return a, err
}

func foldName(s string) string { return strings.ToLower(s) }

// MFAResponse answers the MFA step: a TOTP code of the virtual or hardware device Serial, or the
// JSON of the PublicKeyCredential navigator.credentials.get() returned for BeginWebAuthnMFA's
// options.
type MFAResponse struct {
	Serial   string
	Code     string
	WebAuthn []byte
}

// BeginWebAuthnMFA returns the assertion options for the principal's security keys; the browser
// passes them to navigator.credentials.get() and CompleteMFA checks the answer. Returns
// ExpiredToken, NoSuchEntity (no security key).
func (s *Service) BeginWebAuthnMFA(ctx context.Context, token string) (*protocol.CredentialAssertion, error) {
	rec, err := s.loadPending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	assertion, session, err := s.root.BeginWebAuthnLogin(ctx, rec.Account, rec.UserName)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(t txn) error {
		var cur pendingRecord
		ok, err := pendings.Load(t, "", tokenKey(token), &cur)
		if err != nil {
			return err
		}
		if !ok {
			return errPendingGone
		}
		cur.WebAuthn = session
		return pendings.Put(t, "", tokenKey(token), &cur)
	})
	if err != nil {
		return nil, err
	}
	return assertion, nil
}

// CompleteMFA checks the MFA step. A wrong answer counts against the principal's and the address's
// throttling counters; three on one pending sign-in end it. Returns InvalidAuthenticationCode
// (marked iam.ErrMFACodeUsed for a code already accepted, which counts as a wrong one),
// ExpiredToken, Throttling.
func (s *Service) CompleteMFA(ctx context.Context, token string, r MFAResponse, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	key := rec.Account + "/" + foldName(rec.UserName)
	// The principal's MFA counter is the one the API's codes count under too (internal/iam
	// guessing.go): one allowance for the console and the API.
	principal := s.identityScope("mfa", key)
	res, err := s.counters.Reserve(ctx, s.scopes("mfa", key, c)...)
	if err != nil {
		return nil, err
	}
	serial, verr := s.verifyMFA(ctx, rec, r)
	id, err := s.root.Identity(ctx, rec.Account, rec.UserName)
	if err != nil {
		return nil, err
	}
	if verr != nil {
		if !awserr.IsCode(verr, awserr.InvalidAuthenticationCode) && !awserr.IsCode(verr, awserr.AccessDenied) {
			return nil, verr
		}
		// A failure to record is answered only once the wrong code has counted.
		rerr := s.signInEvent(id, c, false, true, serial, nil)
		for _, sc := range res.Locking() {
			if sc.Key == principal.Key {
				// As on the API: the security contacts hear of a lock of the principal's MFA.
				s.root.MFALocked(ctx, iam.MFALock{Account: rec.Account, UserName: rec.UserName, Serial: serial, Principal: true,
					Until: s.Now().Add(sc.Lock), Operation: "the console sign-in"})
			}
		}
		if err := s.update(ctx, func(t txn) error {
			var cur pendingRecord
			ok, err := pendings.Load(t, "", tokenKey(token), &cur)
			if err != nil || !ok {
				return err
			}
			cur.MFAFailures++
			if cur.MFAFailures >= mfaAttemptsPerStep {
				return pendings.DeleteIfExists(t, "", tokenKey(token))
			}
			return pendings.Put(t, "", tokenKey(token), &cur)
		}); err != nil {
			return nil, err
		}
		if rerr != nil {
			return nil, rerr
		}
		if errors.Is(verr, iam.ErrMFACodeUsed) {
			// Counted as a wrong code, but marked so the page can say to wait for the next one.
			return nil, iam.CodeUsed(errMFA)
		}
		return nil, errMFA
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	if err := s.succeeded(ctx, "mfa", key, c); err != nil {
		return nil, err
	}
	if rec.ResetRequired {
		return s.newPending(ctx, pendingRecord{Account: rec.Account, UserName: rec.UserName, Step: StepPasswordChange, MFAUsed: true, MFASerial: serial, deviceBinding: rec.deviceBinding}, nil)
	}
	return s.done(ctx, rec, true, serial, c)
}

// verifyMFA checks a response against the principal's devices and returns the serial used.
func (s *Service) verifyMFA(ctx context.Context, rec *pendingRecord, r MFAResponse) (string, error) {
	if len(r.WebAuthn) > 0 {
		if rec.WebAuthn == nil {
			return "", errMFA
		}
		return s.root.FinishWebAuthnLogin(ctx, rec.Account, rec.UserName, *rec.WebAuthn, r.WebAuthn)
	}
	if r.Serial == "" || r.Code == "" {
		return r.Serial, errMFA
	}
	if err := s.iam.VerifyMFACode(ctx, rec.Account, rec.UserName, r.Serial, r.Code, s.now()); err != nil {
		return r.Serial, err
	}
	return r.Serial, nil
}

// SkipMFARegistration postpones MFA registration inside the root user's 35-day window and signs
// in without MFA. Returns ExpiredToken, AccessDenied when registration is mandatory.
func (s *Service) SkipMFARegistration(ctx context.Context, token string, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepMFARegistration)
	if err != nil {
		return nil, err
	}
	if !rec.Optional || !s.Now().Before(rec.Deadline) {
		return nil, awserr.New(awserr.AccessDenied, "MFA registration is required before you can sign in.")
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	return s.done(ctx, rec, false, "", c)
}

// CompleteMFARegistration finishes a sign-in at the registration step once the principal has an
// MFA device (registered with the methods of mfa.go); registering it proved possession, so the
// sign-in counts as MFA-authenticated with it. Returns ExpiredToken, AccessDenied (no device yet).
func (s *Service) CompleteMFARegistration(ctx context.Context, token string, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepMFARegistration)
	if err != nil {
		return nil, err
	}
	devices, err := s.root.Devices(ctx, rec.Account, rec.UserName)
	if err != nil {
		return nil, err
	}
	if len(devices) == 0 {
		return nil, awserr.New(awserr.AccessDenied, "Register an MFA device first.")
	}
	newest := devices[0]
	for _, d := range devices {
		if d.EnableDate.After(newest.EnableDate) {
			newest = d
		}
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	return s.done(ctx, rec, true, newest.Serial, c)
}

// CompletePasswordChange is an IAM user's forced password change at sign-in: the old password and
// a new one that satisfies the account's password policy. Returns ExpiredToken, AccessDenied (old
// password wrong), PasswordPolicyViolation.
func (s *Service) CompletePasswordChange(ctx context.Context, token, oldPw, newPw string, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepPasswordChange)
	if err != nil {
		return nil, err
	}
	id, err := s.root.Identity(ctx, rec.Account, rec.UserName)
	if err != nil {
		return nil, err
	}
	err = s.iam.ChangePassword(ctx, rec.Account, rec.UserName, oldPw, newPw)
	errCode, errMsg := "", ""
	if e, ok := awserr.As(err); ok {
		errCode, errMsg = string(e.Code), e.Message
	} else if err != nil {
		errCode = string(awserr.InternalFailure)
	}
	if rerr := s.apiEvent(id, c, "ChangePassword", errCode, errMsg); rerr != nil {
		return nil, rerr
	}
	if err != nil {
		return nil, err
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	return s.done(ctx, rec, rec.MFAUsed, rec.MFASerial, c)
}

// done completes the sign-in of a pending record whose last step succeeded: a root user's waits for
// approval when a team protects it (approval.go).
func (s *Service) done(ctx context.Context, rec *pendingRecord, mfa bool, serial string, c Client) (*Pending, error) {
	if rec.UserName == "" {
		return s.rootDone(ctx, rec.Account, mfa, serial, c, rec.deviceBinding, rec.Evidence)
	}
	return s.signedIn(ctx, rec.Account, rec.UserName, mfa, serial, c, rec.deviceBinding, nil)
}

// signedIn builds the principal, records the successful sign-in (with evidence in its
// additionalEventData), issues the browser's device cookie for the identity and returns the
// final step.
func (s *Service) signedIn(ctx context.Context, account, user string, mfa bool, serial string, c Client, bind deviceBinding, evidence map[string]any) (*Pending, error) {
	p := &Principal{Account: account, Root: user == "", MFA: mfa, MFASerial: serial, AuthTime: s.Now()}
	if p.Root {
		p.ARN, p.UserID = arn.Root(account), account
	} else {
		u, err := s.iam.GetUser(ctx, account, user)
		if err != nil {
			return nil, err
		}
		p.UserName, p.ARN, p.UserID = u.UserName, u.Arn, u.UserID
	}
	epoch, err := s.root.SessionEpoch(ctx, account, user)
	if err != nil {
		return nil, err
	}
	p.Epoch = epoch
	dev, err := s.issueDevice(ctx, bind)
	if err != nil {
		return nil, err
	}
	if err := s.signInEvent(rootuser.PrincipalIdentity(p), c, true, mfa, serial, evidence); err != nil {
		return nil, err
	}
	return &Pending{Next: StepDone, Kind: kindOf(p.UserName), Account: account, UserName: p.UserName, Principal: p, Device: dev}, nil
}
