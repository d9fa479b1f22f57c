package rootuser

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// MFA devices of root users and IAM users. The devices themselves live in internal/iam, which
// enforces the eight-device quota across all types in the transaction that assigns one and keeps
// each TOTP step good once; this file adds the console's flows around them: enrolment with a QR
// code, WebAuthn ceremonies, the rule that a root user whose MFA is required keeps at least one
// device, and the events.

// Device is an MFA device as the console lists it.
type Device struct {
	Serial string
	// Type is iam.MFAVirtual, iam.MFAHardware or iam.MFAWebAuthn.
	Type       string
	Name       string
	EnableDate time.Time
}

// Devices lists the MFA devices of a principal (user "" = the root user), oldest first.
func (s *Service) Devices(ctx context.Context, account, user string) ([]Device, error) {
	page, err := s.iam.ListMFADevices(ctx, account, user, iam.ListOpts{MaxItems: 100})
	if err != nil {
		return nil, err
	}
	var keys map[string]string
	out := make([]Device, 0, len(page.Items))
	for _, m := range page.Items {
		d := Device{Serial: m.SerialNumber, Type: iam.MFADeviceType(account, m.SerialNumber), EnableDate: m.EnableDate}
		switch d.Type {
		case iam.MFAVirtual:
			d.Name = m.SerialNumber[strings.LastIndexByte(m.SerialNumber, '/')+1:]
		case iam.MFAHardware:
			d.Name = m.SerialNumber
		case iam.MFAWebAuthn:
			if keys == nil {
				keys = map[string]string{}
				wd, err := s.iam.WebAuthnDevices(ctx, account, user)
				if err != nil {
					return nil, err
				}
				for _, k := range wd {
					keys[k.SerialNumber] = k.Name
				}
			}
			d.Name = keys[m.SerialNumber]
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EnableDate.Before(out[j].EnableDate) })
	return out, nil
}

// TOTPEnrollment is a new virtual MFA device, to be shown once: the QR code and the Base32 seed.
type TOTPEnrollment struct {
	Serial     string
	Seed       string
	QRCodePNG  []byte
	OTPAuthURL string
}

// CreateTOTPDevice creates a virtual MFA device for a principal to enrol in an authenticator app;
// EnableTOTPDevice then assigns it. name defaults to "root-account-mfa-device" for the root user
// (the classic name of AWS's root virtual device) and to the user name for IAM users. The seed and
// QR code are in this answer only. Returns EntityAlreadyExists, ValidationError.
func (s *Service) CreateTOTPDevice(ctx context.Context, account, user, name string, c Client) (*TOTPEnrollment, error) {
	if name == "" {
		name = user
		if user == "" {
			name = "root-account-mfa-device"
		}
	}
	id, err := s.identity(ctx, account, user)
	if err != nil {
		return nil, err
	}
	d, err := s.iam.CreateVirtualMFADevice(ctx, account, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	resp := map[string]any{}
	if err == nil {
		// CloudTrail hides the seed and the QR code of CreateVirtualMFADevice.
		resp["virtualMFADevice"] = map[string]any{"serialNumber": d.SerialNumber, "base32StringSeed": trail.Hidden, "qRCodePNG": trail.Hidden}
	}
	rerr := s.apiEvent(id, c, sourceIAM, "CreateVirtualMFADevice", map[string]any{"virtualMFADeviceName": name}, resp, nil, err)
	if err != nil || rerr != nil {
		return nil, answer(err, rerr) // the seed is not handed out without the record
	}
	return &TOTPEnrollment{Serial: d.SerialNumber, Seed: d.Base32StringSeed, QRCodePNG: d.QRCodePNG, OTPAuthURL: d.OTPAuthURL}, nil
}

// EnableTOTPDevice assigns a virtual device after two consecutive codes. Returns
// InvalidAuthenticationCode, LimitExceeded (a ninth device), NoSuchEntity, EntityAlreadyExists.
func (s *Service) EnableTOTPDevice(ctx context.Context, account, user, serial, code1, code2 string, c Client) error {
	err := s.iam.EnableMFADevice(ctx, account, user, serial, code1, code2)
	return s.afterEnable(ctx, account, user, serial, err, c)
}

// EnableHardwareDevice registers a hardware TOTP token by serial number and imported Base32 seed,
// after two consecutive codes. Returns InvalidAuthenticationCode, InvalidInput, LimitExceeded,
// EntityAlreadyExists, ValidationError.
func (s *Service) EnableHardwareDevice(ctx context.Context, account, user, serial, seed, code1, code2 string, c Client) error {
	err := s.iam.EnableHardwareMFADevice(ctx, account, user, serial, seed, code1, code2)
	return s.afterEnable(ctx, account, user, serial, err, c)
}

// afterEnable records the EnableMFADevice an assignment amounts to, opErr being its outcome, and
// ends a root user's mandatory registration once a device is assigned.
func (s *Service) afterEnable(ctx context.Context, account, user, serial string, opErr error, c Client) error {
	id, err := s.identity(ctx, account, user)
	if err != nil {
		return err
	}
	rerr := s.apiEvent(id, c, sourceIAM, "EnableMFADevice", map[string]any{"userName": mfaUserName(user), "serialNumber": serial}, nil, nil, opErr)
	if opErr != nil {
		// The contacts hear of a lock whether or not the wrong code's record could be stored.
		s.noteMFALock(ctx, opErr)
		return answer(opErr, rerr)
	}
	// The device is assigned: the state follows it even when the record could not be stored, and
	// the caller gets the recorder's error (registering again finds the device there).
	if user == "" {
		if err := s.updateState(ctx, account, func(st *rootState) error {
			st.MFARegistrationRequired = false
			return nil
		}); err != nil {
			return err
		}
	}
	return rerr
}

// CheckRootDeviceRemoval returns DeleteConflict when serial is the last MFA device of a root user
// (every root user's MFA is required), so no path — console or IAM API — leaves a root without MFA.
func (s *Service) CheckRootDeviceRemoval(ctx context.Context, account, serial string) error {
	devices, err := s.Devices(ctx, account, "")
	if err != nil {
		return err
	}
	if len(devices) == 1 && devices[0].Serial == serial {
		return awserr.New(awserr.DeleteConflict, "MFA is required for this root user: register another device before removing the last one.")
	}
	return nil
}

// RemoveDevice deactivates a device (and deletes a virtual one, so its seed is gone). A root user
// whose MFA is required keeps at least one device: removing the last is refused with
// DeleteConflict. Returns NoSuchEntity.
func (s *Service) RemoveDevice(ctx context.Context, account, user, serial string, c Client) error {
	if user == "" {
		if err := s.CheckRootDeviceRemoval(ctx, account, serial); err != nil {
			return answer(err, s.apiEvent(rootIdentity(account), c, sourceIAM, "DeactivateMFADevice", map[string]any{"userName": rootUserName, "serialNumber": serial}, nil, nil, err))
		}
	}
	id, err := s.identity(ctx, account, user)
	if err != nil {
		return err
	}
	// Both operations run before either is recorded, so a record that cannot be stored leaves no
	// deactivated virtual device behind with its seed; each is recorded as AWS records the
	// console's removal, DeactivateMFADevice then DeleteVirtualMFADevice.
	derr := s.iam.DeactivateMFADevice(ctx, account, user, serial)
	virtual := derr == nil && iam.MFADeviceType(account, serial) == iam.MFAVirtual
	var verr error
	if virtual {
		verr = s.iam.DeleteVirtualMFADevice(ctx, account, serial)
	}
	rerr := s.apiEvent(id, c, sourceIAM, "DeactivateMFADevice", map[string]any{"userName": mfaUserName(user), "serialNumber": serial}, nil, nil, derr)
	if virtual {
		rerr = errors.Join(rerr, s.apiEvent(id, c, sourceIAM, "DeleteVirtualMFADevice", map[string]any{"serialNumber": serial}, nil, nil, verr))
	}
	if derr != nil {
		return answer(derr, rerr)
	}
	return answer(verr, rerr)
}

// waUser is a principal as go-webauthn sees it.
type waUser struct {
	id      []byte
	name    string
	creds   []webauthn.Credential
	serials []string // serials[i] is the device of creds[i]
}

func (u *waUser) WebAuthnID() []byte                         { return u.id }
func (u *waUser) WebAuthnName() string                       { return u.name }
func (u *waUser) WebAuthnDisplayName() string                { return u.name }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// webAuthnUser loads a principal's user handle (creating it on first use) and security keys.
func (s *Service) webAuthnUser(ctx context.Context, account, user string) (*waUser, error) {
	u := &waUser{}
	if user == "" {
		a, err := s.iam.GetAccount(ctx, account)
		if err != nil {
			return nil, err
		}
		u.name = a.Email
		err = s.updateState(ctx, account, func(st *rootState) error {
			if len(st.WebAuthnID) == 0 {
				st.WebAuthnID = newHandle()
			}
			u.id = st.WebAuthnID
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		iu, err := s.iam.GetUser(ctx, account, user)
		if err != nil {
			return nil, err
		}
		u.name = iu.UserName + " @ " + account
		err = s.update(ctx, func(t txn) error {
			var aux userAux
			if _, err := userAuxes.Load(t, account, foldName(user), &aux); err != nil {
				return err
			}
			if len(aux.WebAuthnID) == 0 {
				aux.WebAuthnID = newHandle()
				if err := userAuxes.Put(t, account, foldName(user), &aux); err != nil {
					return err
				}
			}
			u.id = aux.WebAuthnID
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	devices, err := s.iam.WebAuthnDevices(ctx, account, user)
	if err != nil {
		return nil, err
	}
	for _, d := range devices {
		var cred webauthn.Credential
		if err := json.Unmarshal(d.Credential, &cred); err != nil {
			return nil, err
		}
		u.creds = append(u.creds, cred)
		u.serials = append(u.serials, d.SerialNumber)
	}
	return u, nil
}

// newHandle is a random 64-byte WebAuthn user handle (WebAuthn §5.4.3 recommends 64 random bytes).
func newHandle() []byte {
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// ceremonyRecord is a WebAuthn registration between its Begin and Finish calls.
type ceremonyRecord struct {
	Account   string               `json:"account"`
	UserName  string               `json:"user,omitempty"`
	Name      string               `json:"name"`
	Session   webauthn.SessionData `json:"session"`
	ExpiresAt time.Time            `json:"expires"`
}

// BeginWebAuthnRegistration starts registering a security key or passkey named name: it returns
// the options for navigator.credentials.create() (user verification required; the principal's
// keys excluded) and a ceremony token for FinishWebAuthnRegistration. Returns LimitExceeded when
// the principal has eight devices already, ValidationError.
func (s *Service) BeginWebAuthnRegistration(ctx context.Context, account, user, name string) (*protocol.CredentialCreation, string, error) {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, "/ ") {
		return nil, "", awserr.New(awserr.ValidationError, "The key name must be 1 to 64 characters without spaces or slashes.")
	}
	devices, err := s.Devices(ctx, account, user)
	if err != nil {
		return nil, "", err
	}
	if len(devices) >= 8 {
		return nil, "", awserr.New(awserr.LimitExceeded, "Cannot exceed quota for MFADevicesPerUser: 8")
	}
	u, err := s.webAuthnUser(ctx, account, user)
	if err != nil {
		return nil, "", err
	}
	creation, session, err := BeginKeyRegistration(s.wa, u)
	if err != nil {
		return nil, "", err
	}
	token := randomToken()
	rec := ceremonyRecord{Account: account, UserName: user, Name: name, Session: *session, ExpiresAt: s.Now().Add(ceremonyLifetime)}
	if err := s.update(ctx, func(t txn) error { return ceremonies.Put(t, "", tokenKey(token), &rec) }); err != nil {
		return nil, "", err
	}
	return creation, token, nil
}

// FinishWebAuthnRegistration checks the browser's answer (the JSON of the PublicKeyCredential
// navigator.credentials.create() returned) and assigns the key. The ceremony token is single-use.
// Returns InvalidInput (the answer does not verify), ExpiredToken, LimitExceeded,
// EntityAlreadyExists.
func (s *Service) FinishWebAuthnRegistration(ctx context.Context, ceremony string, response []byte, c Client) (*Device, error) {
	var rec ceremonyRecord
	var ok bool
	err := s.update(ctx, func(t txn) (err error) {
		if ok, err = ceremonies.Load(t, "", tokenKey(ceremony), &rec); err != nil || !ok {
			return err
		}
		return ceremonies.DeleteIfExists(t, "", tokenKey(ceremony))
	})
	if err != nil {
		return nil, err
	}
	if !ok || !s.Now().Before(rec.ExpiresAt) {
		return nil, awserr.New(awserr.ExpiredToken, "The security key registration expired. Start again.")
	}
	u, err := s.webAuthnUser(ctx, rec.Account, rec.UserName)
	if err != nil {
		return nil, err
	}
	cred, err := FinishKeyRegistration(s.wa, u, rec.Session, response)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	d := &iam.WebAuthnDevice{
		SerialNumber: iam.WebAuthnSerial(rec.Account, rec.UserName, rec.Name), Name: rec.Name,
		CredentialID: cred.ID, Credential: raw,
	}
	regErr := s.iam.RegisterWebAuthnDevice(ctx, rec.Account, rec.UserName, d)
	if err := s.afterEnable(ctx, rec.Account, rec.UserName, d.SerialNumber, regErr, c); err != nil {
		return nil, err
	}
	return &Device{Serial: d.SerialNumber, Type: iam.MFAWebAuthn, Name: d.Name, EnableDate: d.EnableDate}, nil
}

// validateAssertion checks a WebAuthn assertion against the principal's keys and stores the key's
// new signature counter. Returns the serial of the key used.
func (s *Service) validateAssertion(ctx context.Context, account, user string, session webauthn.SessionData, response []byte) (string, error) {
	u, err := s.webAuthnUser(ctx, account, user)
	if err != nil {
		return "", err
	}
	cred, err := FinishKeyLogin(s.wa, u, session, response)
	if err != nil {
		return "", err
	}
	serial := ""
	for i, c := range u.creds {
		if bytes.Equal(c.ID, cred.ID) {
			serial = u.serials[i]
		}
	}
	if serial == "" {
		return "", errMFA
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return "", err
	}
	if err := s.iam.UpdateWebAuthnCredential(ctx, account, user, serial, raw, s.now()); err != nil {
		return "", err
	}
	return serial, nil
}

// errMFA is the one answer to a wrong MFA code or security key assertion.
var errMFA = awserr.New(awserr.InvalidAuthenticationCode, "Your authentication information is incorrect. Please try again.")

// foldName is an IAM user name as this package keys its records: IAM user names are unique
// case-insensitively.
func foldName(s string) string { return strings.ToLower(s) }
