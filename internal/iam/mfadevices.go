package iam

import (
	"context"
	"encoding/base64"
	"errors"
	rwarn "github.com/rootward/rootward/internal/arn"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Hardware TOTP tokens and FIDO2/WebAuthn security keys, the two MFA device types besides virtual
// devices (IAM User Guide, "AWS Multi-factor authentication in IAM": up to eight devices of any mix
// per user and per root user). Every assigned device, whatever its type, has its row in
// kindUserMFA, so the quota check counts all types in the same transaction that assigns one, and
// ListMFADevices and GetAccountSummary see them all.
//
// A device's type shows in its serial number, as in AWS: virtual devices have an
// arn:aws:iam::ACCT:mfa/… ARN, FIDO security keys an arn:aws:iam::ACCT:u2f/… ARN, and hardware
// tokens the serial printed on them.

const (
	kindHardwareMFA  = "hardwaremfa"  // serial → hardwareDevice
	kindWebAuthnCred = "webauthncred" // serial → WebAuthnDevice
	// kindWebAuthnID indexes credential IDs globally: an authenticator must not register one
	// credential twice (WebAuthn §7.1 step 25, "verify that the credentialId is not yet registered
	// for any user").
	kindWebAuthnID = "webauthnid" // base64url(credential ID) → serial
)

// MFA device types, as MFADeviceType reports them.
const (
	MFAVirtual  = "virtual"
	MFAHardware = "hardware"
	MFAWebAuthn = "webauthn"
)

// MFADeviceType tells a device's type from its serial number.
func MFADeviceType(account, serial string) string {
	switch {
	case strings.HasPrefix(serial, rwarn.IAM(account, "mfa/")):
		return MFAVirtual
	case strings.HasPrefix(serial, rwarn.IAM(account, "u2f/")):
		return MFAWebAuthn
	}
	return MFAHardware
}

// hardwareDevice is a hardware TOTP token: its seed, imported when it is registered, sealed like a
// virtual device's, with the same replay and drift state.
type hardwareDevice struct {
	SerialNumber string    `json:"serial"`
	SealedSeed   []byte    `json:"sealed_seed"`
	EnableDate   time.Time `json:"enabled"`
	LastStep     int64     `json:"last_step,omitempty"`
	Drift        int64     `json:"drift,omitempty"`
}

// EnableHardwareMFADevice registers a hardware TOTP token for a user ("" = the root user) by its
// serial number and imported Base32 seed (RFC 6238, SHA-1, six digits, 30 s), after checking two
// consecutive codes as EnableMFADevice does. Returns ValidationError, InvalidInput (bad seed),
// EntityAlreadyExists (serial in use in the account), LimitExceeded (eight devices), NoSuchEntity,
// InvalidAuthenticationCode.
func (s *Service) EnableHardwareMFADevice(ctx context.Context, account, user, serial, seed, code1, code2 string) error {
	if user != "" {
		if err := checkName("UserName", user, 128); err != nil {
			return err
		}
	}
	if err := checkSerial(serial); err != nil {
		return err
	}
	if MFADeviceType(account, serial) != MFAHardware || strings.HasPrefix(serial, "arn:") {
		return invalid("SerialNumber", serial, "A hardware token's serial number is the one printed on it, not an ARN")
	}
	seed = strings.ToUpper(strings.ReplaceAll(strings.TrimRight(seed, "="), " ", ""))
	if raw, err := b32.DecodeString(seed); err != nil || len(raw) < 10 {
		// RFC 4226 §4 R6: the shared secret is at least 128 bits; 80 bits is the floor tokens ship.
		return awserr.New(awserr.InvalidInput, "The seed must be a Base32 string of at least 80 bits.")
	}
	if err := checkCode("AuthenticationCode1", code1); err != nil {
		return err
	}
	if err := checkCode("AuthenticationCode2", code2); err != nil {
		return err
	}
	now := s.Now()
	step, ok, used := consecutive(seed, stepOf(now), mfaSkew, -1, code1, code2)
	if !ok {
		return codeRefusal(errBadCode, used)
	}
	d := &hardwareDevice{SerialNumber: serial, EnableDate: now, LastStep: step}
	d.SealedSeed = s.seal.Seal([]byte(seed), mfaAD(serial))
	return s.update(ctx, account, func(t txn) error {
		if err := t.checkMFAOwner(account, user); err != nil {
			return err
		}
		if err := t.InsertJSON(kindHardwareMFA, account, serial, d); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "MFA Device is already in use.")
			}
			return err
		}
		return t.PutJSON(kindUserMFA, account, mfaOwnerKey(user)+serial, MFADevice{SerialNumber: serial, EnableDate: now})
	})
}

// checkMFAOwner checks that user exists ("" = root, always) and has room for one more device.
func (t txn) checkMFAOwner(account, user string) error {
	if user != "" {
		if _, err := t.user(account, user); err != nil {
			return err
		}
	}
	n, err := t.Count(kindUserMFA, account, mfaOwnerKey(user))
	if err != nil {
		return err
	}
	if n >= mfaDevicesPerUser {
		return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for MFADevicesPerUser: %d", mfaDevicesPerUser)
	}
	return nil
}

// assignedHardware loads a hardware device assigned to user; NoSuchEntity if not.
func (t txn) assignedHardware(account, user, serial string) (*hardwareDevice, error) {
	if _, err := t.Get(kindUserMFA, account, mfaOwnerKey(user)+serial); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
		}
		return nil, err
	}
	var d hardwareDevice
	ok, err := t.GetJSON(kindHardwareMFA, account, serial, &d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
	}
	return &d, nil
}

// verifyHardwareCode is VerifyMFACode for hardware tokens: the same window, drift and single use.
func (s *Service) verifyHardwareCode(ctx context.Context, account, user, serial, code string, now time.Time) error {
	return store.Update(ctx, s.st, func(t txn) error {
		d, err := t.assignedHardware(account, user, serial)
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return mfaDenied
		}
		if err != nil {
			return err
		}
		seed, err := s.seal.Open(d.SealedSeed, mfaAD(serial))
		if err != nil {
			return err
		}
		step, ok, used := codeStep(string(seed), stepOf(now)+d.Drift, d.LastStep, code)
		if !ok {
			return codeRefusal(errInvalidPassCode(), used)
		}
		d.LastStep = step
		return t.PutJSON(kindHardwareMFA, account, serial, d)
	})
}

// resyncHardware is ResyncMFADevice for hardware tokens.
func (s *Service) resyncHardware(ctx context.Context, account, user, serial, code1, code2 string) error {
	now := s.Now()
	return s.update(ctx, account, func(t txn) error {
		d, err := t.assignedHardware(account, user, serial)
		if err != nil {
			return err
		}
		seed, err := s.seal.Open(d.SealedSeed, mfaAD(serial))
		if err != nil {
			return err
		}
		step, ok, used := consecutive(string(seed), stepOf(now), mfaResyncWindow, d.LastStep, code1, code2)
		if !ok {
			return codeRefusal(errBadCode, used)
		}
		d.LastStep, d.Drift = step, step-stepOf(now)
		return t.PutJSON(kindHardwareMFA, account, serial, d)
	})
}

// WebAuthnDevice is a FIDO2/WebAuthn credential registered as an MFA device. Credential is the
// relying party's record of it (public key, sign count, flags) in the encoding of the WebAuthn
// library the caller uses: this package stores it and never reads it.
type WebAuthnDevice struct {
	UserName     string    `json:"-"` // "" for the root user
	SerialNumber string    `json:"serial"`
	Name         string    `json:"name"`
	CredentialID []byte    `json:"credential_id"`
	Credential   []byte    `json:"credential"`
	EnableDate   time.Time `json:"enabled"`
	LastUsed     time.Time `json:"last_used,omitzero"`
}

// WebAuthnSerial returns the serial number ARN of a new security key named name: the shape of AWS's
// arn:aws:iam::ACCT:u2f/user/NAME/KEYNAME-ID (root-account-mfa-device for the root user) with a
// random suffix, so two keys may share a display name.
func WebAuthnSerial(account, user, name string) string {
	owner := "root-account-mfa-device"
	if user != "" {
		owner = "user/" + user
	}
	return rwarn.IAM(account, "u2f/"+owner+"/"+name+"-"+newID("", 26))
}

// RegisterWebAuthnDevice assigns a verified WebAuthn credential to a user ("" = the root user).
// Returns ValidationError, EntityAlreadyExists (credential already registered), LimitExceeded
// (eight devices), NoSuchEntity.
func (s *Service) RegisterWebAuthnDevice(ctx context.Context, account, user string, d *WebAuthnDevice) error {
	if err := checkName("Name", d.Name, 64); err != nil {
		return err
	}
	if len(d.CredentialID) == 0 || len(d.Credential) == 0 {
		return missing("Credential")
	}
	if MFADeviceType(account, d.SerialNumber) != MFAWebAuthn {
		return invalid("SerialNumber", d.SerialNumber, "Not a security key serial number of the account")
	}
	d.EnableDate = s.Now()
	return s.update(ctx, account, func(t txn) error {
		if err := t.checkMFAOwner(account, user); err != nil {
			return err
		}
		if err := t.InsertJSON(kindWebAuthnID, "", credKey(d.CredentialID), account+sep+d.SerialNumber); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "This security key is already registered.")
			}
			return err
		}
		if err := t.InsertJSON(kindWebAuthnCred, account, d.SerialNumber, d); err != nil {
			return err
		}
		return t.PutJSON(kindUserMFA, account, mfaOwnerKey(user)+d.SerialNumber, MFADevice{SerialNumber: d.SerialNumber, EnableDate: d.EnableDate})
	})
}

func credKey(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// WebAuthnDevices lists the security keys assigned to a user ("" = the root user).
func (s *Service) WebAuthnDevices(ctx context.Context, account, user string) ([]WebAuthnDevice, error) {
	var out []WebAuthnDevice
	err := s.view(ctx, func(t txn) error {
		items, err := t.List(kindUserMFA, account, mfaOwnerKey(user), "", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			serial := strings.TrimPrefix(it.Key, mfaOwnerKey(user))
			if MFADeviceType(account, serial) != MFAWebAuthn {
				continue
			}
			var d WebAuthnDevice
			ok, err := t.GetJSON(kindWebAuthnCred, account, serial, &d)
			if err != nil {
				return err
			}
			if ok {
				d.UserName = user
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// UpdateWebAuthnCredential stores a security key's record after a successful assertion (its new
// signature counter and flags) and its last use. Returns NoSuchEntity.
func (s *Service) UpdateWebAuthnCredential(ctx context.Context, account, user, serial string, credential []byte, used time.Time) error {
	return store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.Get(kindUserMFA, account, mfaOwnerKey(user)+serial); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
			}
			return err
		}
		var d WebAuthnDevice
		ok, err := t.GetJSON(kindWebAuthnCred, account, serial, &d)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
		}
		d.Credential, d.LastUsed = credential, used.UTC().Truncate(time.Second)
		return t.PutJSON(kindWebAuthnCred, account, serial, &d)
	})
}

// deactivateOther removes a hardware token or security key from a user. Unlike a virtual device,
// neither outlives its assignment: a hardware token's seed and a key's public key are forgotten,
// and registering them again starts afresh.
func (s *Service) deactivateOther(ctx context.Context, account, user, serial string) error {
	return s.update(ctx, account, func(t txn) error {
		if user != "" {
			if _, err := t.user(account, user); err != nil {
				return err
			}
		}
		if _, err := t.Get(kindUserMFA, account, mfaOwnerKey(user)+serial); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
			}
			return err
		}
		if MFADeviceType(account, serial) == MFAWebAuthn {
			var d WebAuthnDevice
			if ok, err := t.GetJSON(kindWebAuthnCred, account, serial, &d); err != nil {
				return err
			} else if ok {
				if err := t.DeleteIfExists(kindWebAuthnID, "", credKey(d.CredentialID)); err != nil {
					return err
				}
			}
			if err := t.DeleteIfExists(kindWebAuthnCred, account, serial); err != nil {
				return err
			}
		} else if err := t.DeleteIfExists(kindHardwareMFA, account, serial); err != nil {
			return err
		}
		return t.DeleteIfExists(kindUserMFA, account, mfaOwnerKey(user)+serial)
	})
}
