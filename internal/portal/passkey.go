package portal

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/rootuser"
)

// Passkeys and security keys at the portal's MFA steps: registered at first sign-in instead of an
// authenticator app, and asserted at later sign-ins. The ceremonies are internal/rootuser's (the
// console's), with the relying party of PUBLIC_URL (its host the RP ID). Each begin call stores
// its challenge on the pending sign-in; the answer is checked against it once: a wrong answer
// clears it and counts as a wrong code (three end the pending sign-in), a right one spends the
// pending sign-in, so an assertion replayed against any sign-in is refused. A signature counter
// that does not advance (a cloned authenticator) is refused as in the console.

// credentialWebAuthn is the credential type of a passkey's sign-in events ("Understanding IAM
// Identity Center sign-in events" lists PASSWORD, TOTP and WEBAUTHN among them).
const credentialWebAuthn = "WEBAUTHN"

// keyUser is an Identity Center user as go-webauthn sees it. Its user handle is the identity
// store's user ID, an opaque identifier that never changes.
type keyUser struct {
	id      []byte
	name    string
	creds   []webauthn.Credential
	devices []string // devices[i] is the MFA device of creds[i]
}

func (u *keyUser) WebAuthnID() []byte                         { return u.id }
func (u *keyUser) WebAuthnName() string                       { return u.name }
func (u *keyUser) WebAuthnDisplayName() string                { return u.name }
func (u *keyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) keyUser(ctx context.Context, u *User) (*keyUser, error) {
	list, err := s.ic.WebAuthnCredentials(ctx, ref(u))
	if err != nil {
		return nil, err
	}
	ku := &keyUser{id: []byte(u.UserID), name: u.UserName}
	for _, c := range list {
		var cred webauthn.Credential
		if err := json.Unmarshal(c.Credential, &cred); err != nil {
			return nil, err
		}
		ku.creds, ku.devices = append(ku.creds, cred), append(ku.devices, c.DeviceID)
	}
	return ku, nil
}

// hasPasskey says whether devices hold a WebAuthn credential.
func hasPasskey(devices []identitycenter.MFADevice) (webauthn, totp bool) {
	for _, d := range devices {
		webauthn = webauthn || d.Type == identitycenter.MFAWebAuthn
		totp = totp || d.Type == identitycenter.MFATOTP
	}
	return webauthn, totp
}

// rememberCeremony stores a begin call's challenge on the pending sign-in at step.
func (s *Service) rememberCeremony(ctx context.Context, token string, step Step, session *webauthn.SessionData) error {
	return s.update(ctx, func(t txn) error {
		r, ok, err := pendings.Get(t, "", secretKey(token))
		if err != nil {
			return err
		}
		if !ok || r.Step != step || !s.Now().Before(r.ExpiresAt) {
			return errPending
		}
		r.WebAuthn = session
		return pendings.Put(t, "", secretKey(token), r)
	})
}

// ceremonyUser reads the pending sign-in of token at step and its user as the relying party's
// user, for a ceremony to begin. Returns ExpiredToken, or errNoPasskeys without a public URL.
func (s *Service) ceremonyUser(ctx context.Context, token string, step Step) (*pendingRecord, *keyUser, error) {
	rec, err := s.pending(ctx, token, step)
	if err != nil {
		return nil, nil, err
	}
	if s.wa == nil {
		return nil, nil, errNoPasskeys
	}
	ku, err := s.keyUser(ctx, &rec.User)
	if err != nil {
		return nil, nil, err
	}
	return rec, ku, nil
}

// BeginPasskeyRegistration starts registering a passkey at the MFA registration step: the options
// for navigator.credentials.create(). Returns ExpiredToken.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, token string) (*protocol.CredentialCreation, error) {
	_, ku, err := s.ceremonyUser(ctx, token, StepMFARegistration)
	if err != nil {
		return nil, err
	}
	creation, session, err := rootuser.BeginKeyRegistration(s.wa, ku)
	if err != nil {
		return nil, err
	}
	if err := s.rememberCeremony(ctx, token, StepMFARegistration, session); err != nil {
		return nil, err
	}
	return creation, nil
}

// CompletePasskeyRegistration checks the authenticator's answer (the JSON of the
// PublicKeyCredential navigator.credentials.create() returned), registers the passkey and signs
// in. Returns ExpiredToken, InvalidAuthenticationCode, Throttling.
func (s *Service) CompletePasskeyRegistration(ctx context.Context, token string, response []byte, c Call) (*Pending, error) {
	rec, err := s.pending(ctx, token, StepMFARegistration)
	if err != nil {
		return nil, err
	}
	key := rec.User.InstanceID + "/" + rec.User.UserID
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-mfa", key, c)...); err != nil {
		return nil, err
	}
	if rec.WebAuthn == nil || s.wa == nil {
		return nil, s.mfaFailed(ctx, token, errMFA)
	}
	ku, err := s.keyUser(ctx, &rec.User)
	if err != nil {
		return nil, err
	}
	cred, err := rootuser.FinishKeyRegistration(s.wa, ku, *rec.WebAuthn, response)
	if err != nil {
		return nil, s.mfaFailed(ctx, token, errMFA)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	if _, err := s.ic.AddWebAuthnDevice(ctx, ref(&rec.User), "passkey-"+s.Now().Format("20060102150405"), cred.ID, raw); err != nil {
		return nil, err
	}
	return s.mfaPassed(ctx, key, token, rec, c)
}

// BeginPasskeyMFA starts the MFA step with one of the user's passkeys: the options for
// navigator.credentials.get(). Returns ExpiredToken, InvalidAuthenticationCode (the user has no
// passkey).
func (s *Service) BeginPasskeyMFA(ctx context.Context, token string, c Call) (*protocol.CredentialAssertion, error) {
	rec, ku, err := s.ceremonyUser(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	if len(ku.creds) == 0 {
		return nil, errMFA
	}
	assertion, session, err := rootuser.BeginKeyLogin(s.wa, ku)
	if err != nil {
		return nil, err
	}
	if err := s.rememberCeremony(ctx, token, StepMFA, session); err != nil {
		return nil, err
	}
	if err := s.challengeEvent(&rec.User, c, rec.Workflow, credentialWebAuthn); err != nil {
		return nil, err
	}
	return assertion, nil
}

// CompletePasskeyMFA checks the answer to BeginPasskeyMFA's challenge (the JSON of the
// PublicKeyCredential navigator.credentials.get() returned), stores the passkey's new signature
// counter and signs in. Three wrong answers end the pending sign-in. Returns ExpiredToken,
// InvalidAuthenticationCode, Throttling.
func (s *Service) CompletePasskeyMFA(ctx context.Context, token string, response []byte, c Call) (*Pending, error) {
	rec, err := s.pending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	key := rec.User.InstanceID + "/" + rec.User.UserID
	if _, err := s.counters.Reserve(ctx, s.scopes("portal-mfa", key, c)...); err != nil {
		return nil, err
	}
	device, raw, verr := s.checkAssertion(ctx, rec, response)
	if verr != nil && verr != errMFA {
		return nil, verr
	}
	if err := s.mfaVerdict(ctx, token, rec, c, credentialWebAuthn, verr); err != nil {
		return nil, err
	}
	// Spend the pending sign-in before storing the counter: of two answers racing, one signs in.
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	if err := s.ic.TouchWebAuthn(ctx, ref(&rec.User), device, raw); err != nil {
		return nil, err
	}
	if err := s.succeeded(ctx, "portal-mfa", key, c); err != nil {
		return nil, err
	}
	return s.signedIn(ctx, rec, c)
}

// checkAssertion verifies response against the pending sign-in's challenge and the user's
// passkeys. Returns the device used and its updated credential, or errMFA.
func (s *Service) checkAssertion(ctx context.Context, rec *pendingRecord, response []byte) (string, []byte, error) {
	if rec.WebAuthn == nil || s.wa == nil {
		return "", nil, errMFA
	}
	ku, err := s.keyUser(ctx, &rec.User)
	if err != nil {
		return "", nil, err
	}
	cred, err := rootuser.FinishKeyLogin(s.wa, ku, *rec.WebAuthn, response)
	if err != nil {
		return "", nil, errMFA
	}
	for i, c := range ku.creds {
		if bytes.Equal(c.ID, cred.ID) {
			raw, err := json.Marshal(cred)
			return ku.devices[i], raw, err
		}
	}
	return "", nil, errMFA
}
