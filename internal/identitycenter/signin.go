package identitycenter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
)

// Sign-in state of identity store users, for the access portal (Identity Center's "Decided"
// points: an administrator sends a password setup link valid 7 days, or generates a one-time
// password shown once; at first sign-in the user sets a password under IAM-user password rules
// and registers an MFA device, TOTP or WebAuthn, as Identity Center requires MFA by default).
//
// The portal finds a user by instance and user name (FindUser), checks the password
// (VerifyPassword: constant time, the same cost whether or not the user has one), then an MFA
// device (VerifyTOTP, or a WebAuthn assertion against WebAuthnCredentials the portal verifies and
// reports with TouchWebAuthn). Guessing limits are the portal's (internal/throttle, as for IAM
// users); RecordFailure and RecordSuccess keep the user's own count for the console to show.

// SetupTokenLifetime is how long a password setup link is good for ("valid 7 days").
const SetupTokenLifetime = 7 * 24 * time.Hour

// MFA device types.
const (
	MFATOTP     = "totp"
	MFAWebAuthn = "webauthn"
)

// maxMFADevices is Identity Center's quota of MFA devices per user ("IAM Identity Center quotas":
// eight MFA devices per user).
const maxMFADevices = 8

// UserRef names a user for the portal: the account holding the instance's records, the instance,
// its identity store and the user.
type UserRef struct {
	Account, Instance, IdentityStoreID, UserID string
}

func (u UserRef) ref() ref {
	return ref{account: u.Account, instance: u.Instance, store: u.IdentityStoreID}
}

// SignInUser is what the portal needs of a user: who, whether a password is set and must be
// changed, the session epoch and the MFA devices (no secrets).
type SignInUser struct {
	Ref         UserRef
	UserName    string
	DisplayName string
	Email       string
	Enabled     bool
	HasPassword bool
	// MustChangePassword is set for a one-time password an administrator generated.
	MustChangePassword bool
	Epoch              int
	LastSignIn         time.Time
	FailedSignIns      int
	MFADevices         []MFADevice
}

// MFADevice is a user's MFA device without its secret.
type MFADevice struct {
	ID, Type, Name string
	Created        time.Time
	LastUsed       time.Time
	// CredentialID is a WebAuthn credential's ID.
	CredentialID []byte
}

func (r *userRecord) signInUser(ref UserRef) *SignInUser {
	u := &SignInUser{Ref: ref, UserName: r.Attrs.UserName, DisplayName: r.Attrs.DisplayName, Enabled: r.Status != UserDisabled,
		HasPassword: r.SignIn.PasswordHash != "", MustChangePassword: r.SignIn.OneTime, Epoch: r.SignIn.Epoch,
		LastSignIn: r.SignIn.LastSignIn, FailedSignIns: r.SignIn.Failed}
	for _, e := range r.Attrs.Emails {
		if u.Email == "" || e.Primary {
			u.Email = e.Value
		}
	}
	for _, d := range r.SignIn.MFA {
		u.MFADevices = append(u.MFADevices, MFADevice{ID: d.ID, Type: d.Type, Name: d.Name, Created: d.Created, LastUsed: d.LastUsed,
			CredentialID: slices.Clone(d.CredentialID)})
	}
	return u
}

// errNoUser is the portal's refusal of a user it cannot find; the portal answers sign-in failures
// in its own words, so this is never sent as it is.
var errNoUser = awserr.New(awserr.ICResourceNotFound, "USER not found.")

// FindUser returns the user of instance instanceID whose user name is userName
// (case-insensitively). Returns ResourceNotFoundException when there is none.
func (s *Service) FindUser(ctx context.Context, instanceID, userName string) (*SignInUser, error) {
	var out *SignInUser
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.instanceRef(instanceID)
		if err != nil {
			return err
		}
		k, u, ok, err := users.Lookup(t, "username", r.account, key(r.store, fold(userName)))
		if err != nil {
			return err
		}
		if !ok {
			return errNoUser
		}
		out = u.signInUser(UserRef{r.account, r.instance, r.store, k[len(r.store)+1:]})
		return nil
	})
	return out, err
}

// SignInUser returns the sign-in state of a user. Returns ResourceNotFoundException.
func (s *Service) SignInUser(ctx context.Context, u UserRef) (*SignInUser, error) {
	var out *SignInUser
	err := store.View(ctx, s.st, func(t txn) error {
		rec, err := t.userIn(u.ref(), u.UserID)
		if err == nil {
			out = rec.signInUser(u)
		}
		return err
	})
	return out, err
}

// instanceRef resolves an instance ID without a caller (the portal's own lookups).
func (t txn) instanceRef(instanceID string) (ref, error) {
	d, ok, err := directory.Get(t, "", instanceID)
	if err != nil {
		return ref{}, err
	}
	if !ok || d.Instance != instanceID {
		return ref{}, instanceNotFound()
	}
	in, ok, err := instances.Get(t, d.Account, d.Instance)
	if err != nil {
		return ref{}, err
	}
	if !ok {
		return ref{}, instanceNotFound()
	}
	return ref{account: d.Account, instance: in.ID, store: in.StoreID}, nil
}

// modifyUser applies fn to the user's record.
func (s *Service) modifyUser(ctx context.Context, u UserRef, fn func(r *userRecord) error) error {
	return store.Update(ctx, s.st, func(t txn) error {
		rec, err := t.userIn(u.ref(), u.UserID)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		return users.Put(t, u.Account, key(u.IdentityStoreID, u.UserID), rec)
	})
}

// CheckNewPassword applies IAM-user password rules of the instance's account (its password
// policy, or IAM's default) to a new password. Returns PasswordPolicyViolation.
func (s *Service) CheckNewPassword(ctx context.Context, account, pw string) error {
	policy, err := s.iam.GetAccountPasswordPolicy(ctx, account)
	if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
		return err
	}
	return iam.CheckPassword(pw, policy, nil)
}

// SetPassword sets the user's password (the user's own choice: at first sign-in, after a one-time
// password, through a setup link): it must satisfy CheckNewPassword. The setup token and the
// one-time mark are cleared and the epoch moves on, ending other portal sessions. Returns
// PasswordPolicyViolation, ResourceNotFoundException.
func (s *Service) SetPassword(ctx context.Context, u UserRef, pw string) error {
	if err := s.CheckNewPassword(ctx, u.Account, pw); err != nil {
		return err
	}
	hash := password.Hash(pw, s.pwCost)
	now := s.Now()
	return s.modifyUser(ctx, u, func(r *userRecord) error {
		r.SignIn.PasswordHash, r.SignIn.PasswordSet, r.SignIn.OneTime = hash, now, false
		r.SignIn.SetupHash, r.SignIn.SetupExpires = "", time.Time{}
		r.SignIn.Failed = 0
		r.SignIn.Epoch++
		return nil
	})
}

// GenerateOneTimePassword gives the user a random password that must be changed at the next
// sign-in ("generate a one-time password", shown once to the administrator). It returns the
// password, which is not stored. Returns ResourceNotFoundException.
func (s *Service) GenerateOneTimePassword(ctx context.Context, u UserRef) (string, error) {
	pw := oneTimePassword()
	hash := password.Hash(pw, s.pwCost)
	now := s.Now()
	err := s.modifyUser(ctx, u, func(r *userRecord) error {
		r.SignIn.PasswordHash, r.SignIn.PasswordSet, r.SignIn.OneTime = hash, now, true
		r.SignIn.SetupHash, r.SignIn.SetupExpires = "", time.Time{}
		r.SignIn.Failed = 0
		r.SignIn.Epoch++
		return nil
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// oneTimePassword is 20 characters drawn from letters, digits and symbols, with one of each of
// IAM's four classes, so it satisfies any password policy's classes.
func oneTimePassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		symbol = "!@#$%^&*()_+-=[]{}|'"
		all    = upper + lower + digits + symbol
	)
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		set := all
		switch i {
		case 0:
			set = upper
		case 1:
			set = lower
		case 2:
			set = digits
		case 3:
			set = symbol
		}
		out[i] = set[int(c)%len(set)]
	}
	return string(out)
}

// hashToken is the stored form of a setup token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartPasswordSetup gives the user a one-time password setup token valid SetupTokenLifetime
// ("send an email with password setup instructions"); the caller puts it in the link it sends.
// Only its hash is stored; a new token replaces the previous one. Returns
// ResourceNotFoundException.
func (s *Service) StartPasswordSetup(ctx context.Context, u UserRef) (token string, expires time.Time, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	expires = s.Now().Add(SetupTokenLifetime)
	err = s.modifyUser(ctx, u, func(r *userRecord) error {
		r.SignIn.SetupHash, r.SignIn.SetupExpires = hashToken(token), expires
		return nil
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// ErrSetupToken refuses a setup token that is unknown, used or expired.
var ErrSetupToken = awserr.New(awserr.ICValidation, "The password setup link is not valid or has expired.")

// CheckSetupToken returns the user a setup token of instance instanceID was given to, while it is
// valid. Returns ErrSetupToken.
func (s *Service) CheckSetupToken(ctx context.Context, instanceID, token string) (*SignInUser, error) {
	var out *SignInUser
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.instanceRef(instanceID)
		if err != nil {
			return ErrSetupToken
		}
		k, u, ok, err := users.Lookup(t, "setup", r.account, hashToken(token))
		if err != nil {
			return err
		}
		if !ok || storeOf(k) != r.store || !s.Now().Before(u.SignIn.SetupExpires) {
			return ErrSetupToken
		}
		out = u.signInUser(UserRef{r.account, r.instance, r.store, u.ID})
		return nil
	})
	return out, err
}

// SetPasswordWithToken sets the password of the user a valid setup token names, and uses the token
// up. Returns ErrSetupToken, PasswordPolicyViolation.
func (s *Service) SetPasswordWithToken(ctx context.Context, instanceID, token, pw string) (*SignInUser, error) {
	u, err := s.CheckSetupToken(ctx, instanceID, token)
	if err != nil {
		return nil, err
	}
	if err := s.CheckNewPassword(ctx, u.Ref.Account, pw); err != nil {
		return nil, err
	}
	hash := password.Hash(pw, s.pwCost)
	now := s.Now()
	err = s.modifyUser(ctx, u.Ref, func(r *userRecord) error {
		// The token is checked again inside the transaction, so two uses of one token cannot
		// both succeed.
		if r.SignIn.SetupHash == "" || r.SignIn.SetupHash != hashToken(token) || !now.Before(r.SignIn.SetupExpires) {
			return ErrSetupToken
		}
		r.SignIn.PasswordHash, r.SignIn.PasswordSet, r.SignIn.OneTime = hash, now, false
		r.SignIn.SetupHash, r.SignIn.SetupExpires = "", time.Time{}
		r.SignIn.Failed = 0
		r.SignIn.Epoch++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.SignInUser(ctx, u.Ref)
}

// VerifyPassword reports whether pw is the user's password, comparing in constant time; a user
// without a password, or disabled, is checked against a decoy hash and refused, so that the
// answer takes as long. It changes nothing (RecordFailure, RecordSuccess do).
func (s *Service) VerifyPassword(ctx context.Context, u UserRef, pw string) (bool, error) {
	var hash string
	enabled := false
	err := store.View(ctx, s.st, func(t txn) error {
		rec, err := t.userIn(u.ref(), u.UserID)
		if err != nil {
			return err
		}
		hash, enabled = rec.SignIn.PasswordHash, rec.Status != UserDisabled
		return nil
	})
	if err != nil && !awserr.IsCode(err, awserr.ICResourceNotFound) {
		return false, err
	}
	if hash == "" {
		_, _ = password.Verify(pw, s.decoy())
		return false, nil
	}
	ok, err := password.Verify(pw, hash)
	if err != nil {
		return false, err
	}
	return ok && enabled, nil
}

// RecordFailure counts a wrong password or MFA code against the user.
func (s *Service) RecordFailure(ctx context.Context, u UserRef) error {
	now := s.Now()
	return s.modifyUser(ctx, u, func(r *userRecord) error {
		r.SignIn.Failed++
		r.SignIn.LastFailed = now
		return nil
	})
}

// RecordSuccess records a completed sign-in and clears the failures.
func (s *Service) RecordSuccess(ctx context.Context, u UserRef) error {
	now := s.Now()
	return s.modifyUser(ctx, u, func(r *userRecord) error {
		r.SignIn.Failed, r.SignIn.LastSignIn = 0, now
		return nil
	})
}

func mfaAD(deviceID string) string { return "sso-mfa:" + deviceID }

// checkDeviceName applies IAM's rule for a device's name: 1–64 characters of [\w+=,.@-].
func checkDeviceName(name string) error {
	if name == "" || len(name) > 64 || !namePattern.MatchString(name) {
		return invalid("An MFA device name must be 1 to 64 characters of letters, digits and +=,.@_-.")
	}
	return nil
}

// AddTOTPDevice registers an authenticator app whose seed (base32, from iam.NewTOTPSeed) the user
// was shown, once code is one of its current codes. Returns ValidationException (name, a wrong
// code), ServiceQuotaExceededException (eight devices), ResourceNotFoundException.
func (s *Service) AddTOTPDevice(ctx context.Context, u UserRef, name, seed, code string) (*MFADevice, error) {
	if err := checkDeviceName(name); err != nil {
		return nil, err
	}
	step, ok, _ := iam.CheckTOTP(seed, s.now(), 0, -1, code)
	if !ok {
		return nil, invalid("The authentication code is not valid.")
	}
	d := mfaRecord{ID: "totp-" + randomHex(16), Type: MFATOTP, Name: name, Created: s.Now(), LastStep: step}
	d.SealedSeed = s.iam.Seal([]byte(seed), mfaAD(d.ID))
	return s.addDevice(ctx, u, d)
}

func (s *Service) addDevice(ctx context.Context, u UserRef, d mfaRecord) (*MFADevice, error) {
	err := s.modifyUser(ctx, u, func(r *userRecord) error {
		if len(r.SignIn.MFA) >= maxMFADevices {
			return quota("A user may have at most %d MFA devices.", maxMFADevices)
		}
		for _, o := range r.SignIn.MFA {
			if o.Name == d.Name {
				return conflict("", "An MFA device named %s exists already.", d.Name)
			}
		}
		r.SignIn.MFA = append(r.SignIn.MFA, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MFADevice{ID: d.ID, Type: d.Type, Name: d.Name, Created: d.Created, CredentialID: d.CredentialID}, nil
}

// ErrMFACode refuses a wrong or reused MFA code; errors.Is(err, iam.ErrMFACodeUsed) tells reuse.
var ErrMFACode = awserr.New(awserr.ICValidation, "The authentication code is not valid.")

// VerifyTOTP accepts code from any of the user's authenticator apps within one step of the
// clock, once: the step it belongs to must be newer than the device's last, which is recorded.
// Returns ErrMFACode (marked with iam.CodeUsed for a reused code), ResourceNotFoundException.
func (s *Service) VerifyTOTP(ctx context.Context, u UserRef, code string) (deviceID string, err error) {
	now := s.now()
	err = s.modifyUser(ctx, u, func(r *userRecord) error {
		used := false
		for i := range r.SignIn.MFA {
			d := &r.SignIn.MFA[i]
			if d.Type != MFATOTP {
				continue
			}
			seed, err := s.iam.Unseal(d.SealedSeed, mfaAD(d.ID))
			if err != nil {
				return err
			}
			step, ok, u := iam.CheckTOTP(string(seed), now, 0, d.LastStep, code)
			used = used || u
			if ok {
				d.LastStep, d.LastUsed, deviceID = step, now.UTC().Truncate(time.Second), d.ID
				return nil
			}
		}
		if used {
			return iam.CodeUsed(ErrMFACode)
		}
		return ErrMFACode
	})
	return deviceID, err
}

// AddWebAuthnDevice registers a WebAuthn credential the portal verified (its ID and the
// verifier's stored credential). Returns ValidationException, ConflictException (the name or the
// credential registered already), ServiceQuotaExceededException, ResourceNotFoundException.
func (s *Service) AddWebAuthnDevice(ctx context.Context, u UserRef, name string, credentialID, credential []byte) (*MFADevice, error) {
	if err := checkDeviceName(name); err != nil {
		return nil, err
	}
	if len(credentialID) == 0 || len(credentialID) > 1023 || len(credential) == 0 {
		return nil, invalid("The WebAuthn credential is not valid.")
	}
	d := mfaRecord{ID: "webauthn-" + randomHex(16), Type: MFAWebAuthn, Name: name, Created: s.Now(),
		CredentialID: slices.Clone(credentialID), Credential: slices.Clone(credential)}
	return s.addDevice(ctx, u, d)
}

// WebAuthnCredential is a registered credential, for the portal's assertion check.
type WebAuthnCredential struct {
	DeviceID     string
	CredentialID []byte
	Credential   []byte
}

// WebAuthnCredentials returns the user's WebAuthn credentials.
func (s *Service) WebAuthnCredentials(ctx context.Context, u UserRef) ([]WebAuthnCredential, error) {
	var out []WebAuthnCredential
	err := store.View(ctx, s.st, func(t txn) error {
		rec, err := t.userIn(u.ref(), u.UserID)
		if err != nil {
			return err
		}
		for _, d := range rec.SignIn.MFA {
			if d.Type == MFAWebAuthn {
				out = append(out, WebAuthnCredential{d.ID, slices.Clone(d.CredentialID), slices.Clone(d.Credential)})
			}
		}
		return nil
	})
	return out, err
}

// TouchWebAuthn stores a credential the verifier updated after an assertion (its sign count) and
// the time it was used.
func (s *Service) TouchWebAuthn(ctx context.Context, u UserRef, deviceID string, credential []byte) error {
	now := s.Now()
	return s.modifyUser(ctx, u, func(r *userRecord) error {
		for i := range r.SignIn.MFA {
			if d := &r.SignIn.MFA[i]; d.ID == deviceID && d.Type == MFAWebAuthn {
				d.Credential, d.LastUsed = slices.Clone(credential), now
				return nil
			}
		}
		return notFound("MFA_DEVICE", deviceID)
	})
}

// DeleteMFADevice removes one of the user's MFA devices. Returns ResourceNotFoundException.
func (s *Service) DeleteMFADevice(ctx context.Context, u UserRef, deviceID string) error {
	return s.modifyUser(ctx, u, func(r *userRecord) error {
		i := slices.IndexFunc(r.SignIn.MFA, func(d mfaRecord) bool { return d.ID == deviceID })
		if i < 0 {
			return notFound("MFA_DEVICE", deviceID)
		}
		r.SignIn.MFA = slices.Delete(r.SignIn.MFA, i, i+1)
		return nil
	})
}
