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
// mfaAssignments, so the quota check counts all types in the same transaction that assigns one, and
// ListMFADevices and GetAccountSummary see them all.
//
// A device's type shows in its serial number, as in AWS: virtual devices have an
// arn:aws:iam::ACCT:mfa/… ARN, FIDO security keys an arn:aws:iam::ACCT:u2f/… ARN, and hardware
// tokens the serial printed on them.

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
		if err := hardwareDevices.Insert(t, account, serial, d); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "MFA Device is already in use.")
			}
			return err
		}
		return t.assignMFA(account, user, serial, now)
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
	if ok, err := t.mfaAssigned(account, user, serial); err != nil || !ok {
		if err == nil {
			err = notAssigned(serial)
		}
		return nil, err
	}
	d, ok, err := hardwareDevices.Get(t, account, serial)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notAssigned(serial)
	}
	return d, nil
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
		return hardwareDevices.Put(t, account, serial, d)
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
		return hardwareDevices.Put(t, account, serial, d)
	})
}

// WebAuthnDevice is a FIDO2/WebAuthn credential registered as an MFA device. Credential is the
// relying party's record of it (public key, sign count, flags) in the encoding of the WebAuthn
// library the caller uses: this package stores it and never reads it.
type WebAuthnDevice struct {
	UserName     string // "" for the root user
	SerialNumber string
	Name         string
	CredentialID []byte
	Credential   []byte
	EnableDate   time.Time
	LastUsed     time.Time
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
		claim := account + sep + d.SerialNumber
		if err := webAuthnIDs.Insert(t, "", credKey(d.CredentialID), &claim); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "This security key is already registered.")
			}
			return err
		}
		if err := webAuthnDevices.Insert(t, account, d.SerialNumber, webAuthnRecordOf(d)); err != nil {
			return err
		}
		return t.assignMFA(account, user, d.SerialNumber, d.EnableDate)
	})
}

func credKey(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// WebAuthnDevices lists the security keys assigned to a user ("" = the root user).
func (s *Service) WebAuthnDevices(ctx context.Context, account, user string) ([]WebAuthnDevice, error) {
	var out []WebAuthnDevice
	err := s.view(ctx, func(t txn) error {
		serials, err := t.Keys(mfaAssignments.Name, account, mfaOwnerKey(user))
		if err != nil {
			return err
		}
		for _, serial := range serials {
			if MFADeviceType(account, serial) != MFAWebAuthn {
				continue
			}
			r, ok, err := webAuthnDevices.Get(t, account, serial)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, r.device(user))
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
		if ok, err := t.mfaAssigned(account, user, serial); err != nil || !ok {
			if err == nil {
				err = notAssigned(serial)
			}
			return err
		}
		d, ok, err := webAuthnDevices.Get(t, account, serial)
		if err != nil {
			return err
		}
		if !ok {
			return notAssigned(serial)
		}
		d.Credential, d.LastUsed = credential, used.UTC().Truncate(time.Second)
		return webAuthnDevices.Put(t, account, serial, d)
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
		if ok, err := t.mfaAssigned(account, user, serial); err != nil || !ok {
			if err == nil {
				err = notAssigned(serial)
			}
			return err
		}
		if MFADeviceType(account, serial) == MFAWebAuthn {
			if d, ok, err := webAuthnDevices.Get(t, account, serial); err != nil {
				return err
			} else if ok {
				if err := webAuthnIDs.DeleteIfExists(t, "", credKey(d.CredentialID)); err != nil {
					return err
				}
			}
			if err := webAuthnDevices.DeleteIfExists(t, account, serial); err != nil {
				return err
			}
		} else if err := hardwareDevices.DeleteIfExists(t, account, serial); err != nil {
			return err
		}
		return mfaAssignments.DeleteIfExists(t, account, mfaOwnerKey(user)+serial)
	})
}
