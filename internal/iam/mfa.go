package iam

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	rwarn "github.com/rootward/rootward/internal/arn"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Virtual MFA devices: RFC 6238 TOTP with the authenticator-app defaults AWS uses (SHA-1, six
// digits, 30-second steps).
//
// A device is stored once per account under its path and name (virtualMFAs). Its assignment
// lives in mfaAssignments under the owner's folded name (the empty name for the root user), because
// that kind moves with a renamed user; the device itself records only its enable date, the last
// time step accepted and the clock drift learned by ResyncMFADevice. The seed is sealed under the
// master key with the serial number as additional data, so a sealed seed copied to another
// device's row does not open.

const (
	// mfaStep is the TOTP time step (RFC 6238 §4.1, X = 30 seconds).
	mfaStep = 30
	// mfaSkew is how many steps a code may lag or lead the server's clock: RFC 6238 §5.2 recommends
	// allowing one step of transmission delay.
	mfaSkew = 1
	// mfaResyncWindow bounds the drift ResyncMFADevice searches for, in steps either way (10
	// minutes). AWS does not document its window; this one finds a phone clock that is minutes off
	// without turning resync into a brute-force oracle over all of time.
	mfaResyncWindow = 20
	// mfaDevicesPerUser is the quota on MFA devices per IAM user and per root user (IAM User Guide,
	// "Using multi-factor authentication (MFA) in AWS": "up to eight MFA devices").
	mfaDevicesPerUser = 8
	// mfaSeedBytes gives a 64-character base32 seed (320 bits), the length of AWS's seeds.
	mfaSeedBytes = 40
	qrSize       = 200
)

var (
	otpOpts       = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	b32           = base32.StdEncoding.WithPadding(base32.NoPadding)
	serialPattern = regexp.MustCompile(`^[\w+=/:,.@-]+$`)
	codePattern   = regexp.MustCompile(`^[0-9]{6}$`)
)

// VirtualMFADevice is a virtual (TOTP) MFA device.
type VirtualMFADevice struct {
	SerialNumber string
	Path         string
	Name         string
	CreateDate   time.Time
	SealedSeed   []byte
	Tags         []Tag
	EnableDate   *time.Time // set while the device is assigned
	// LastStep is the last time step whose code was accepted: each code is good once.
	LastStep int64
	// Drift is the device clock's offset in steps, learned by ResyncMFADevice.
	Drift int64

	// Filled on reads that report the assignment: the owning user, or AssignedToRoot.
	User           *User
	AssignedToRoot bool
	// Filled only in CreateVirtualMFADevice's answer, never stored in the clear. OTPAuthURL is
	// the key URI the QR code carries (it holds the seed too).
	Base32StringSeed string
	QRCodePNG        []byte
	OTPAuthURL       string
}

// MFADevice is an MFA device assigned to a user (ListMFADevices).
type MFADevice struct {
	UserName     string // "" for the root user
	SerialNumber string
	EnableDate   time.Time
}

func mfaAD(serial string) string { return "mfa:" + serial }

func mfaARN(account, path, name string) string {
	return rwarn.IAMEntity(account, "mfa", path, name)
}

// CreateVirtualMFADeviceInput are CreateVirtualMFADevice's parameters.
type CreateVirtualMFADeviceInput struct {
	VirtualMFADeviceName string
	Path                 string
	Tags                 []Tag
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device and returns it with its seed and
// the QR code of its key URI (OTPAuthURL). The IAM API reference says AccountName
// is "the user name if set (otherwise, the account ID otherwise)"; a new device has no user, so
// Rootward names the account by its alias, or its ID without one. Returns EntityAlreadyExists,
// ValidationError.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, account string, in CreateVirtualMFADeviceInput) (*VirtualMFADevice, error) {
	// VirtualMFADeviceName: length 1–226, pattern [\w+=,.@-]+ (IAM API reference).
	if err := checkName("VirtualMFADeviceName", in.VirtualMFADeviceName, 226); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := checkPath("Path", in.Path); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	raw := make([]byte, mfaSeedBytes)
	if _, err := rand.Read(raw); err != nil {
		panic(err)
	}
	seed := b32.EncodeToString(raw)
	d := &VirtualMFADevice{
		SerialNumber: mfaARN(account, in.Path, in.VirtualMFADeviceName), Path: in.Path, Name: in.VirtualMFADeviceName,
		CreateDate: s.Now(), Tags: in.Tags,
	}
	d.SealedSeed = s.seal.Seal([]byte(seed), mfaAD(d.SerialNumber))
	var label string
	err := s.update(ctx, account, func(t txn) error {
		a, _, err := accounts.Get(t, "", account)
		if err != nil {
			return err
		}
		label = account
		if a != nil && a.Alias != "" {
			label = a.Alias
		}
		if err := virtualMFAs.Insert(t, account, fold(in.Path+in.VirtualMFADeviceName), virtualMFARecordOf(d)); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "MFADevice entity at the same path and name already exists.")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	uri := OTPAuthURL(in.VirtualMFADeviceName, label, seed)
	qr, err := qrPNG(uri)
	if err != nil {
		return nil, err
	}
	d.Base32StringSeed, d.QRCodePNG, d.OTPAuthURL = seed, qr, uri
	return d, nil
}

// MFAIssuer names Rootward in authenticator apps: the issuer of every virtual MFA device's key URI.
const MFAIssuer = "Rootward"

// OTPAuthURL is the key URI a virtual MFA device's QR code carries. The IAM API reference
// (CreateVirtualMFADevice, QRCodePNG) gives otpauth://totp/$virtualMFADeviceName@$AccountName?
// secret=$Base32String; Google Authenticator's Key URI Format
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format) adds the issuer, as a
// label prefix and as a parameter, so that an app lists the account under "Rootward" and keeps
// it apart from the same name at AWS: otpauth://totp/Rootward:NAME@ACCOUNT?secret=SEED&issuer=Rootward.
// account is the account's alias, or its ID without one.
func OTPAuthURL(deviceName, account, seed string) string {
	return "otpauth://totp/" + url.PathEscape(MFAIssuer+":"+deviceName+"@"+account) + "?secret=" + seed + "&issuer=" + url.QueryEscape(MFAIssuer)
}

func qrPNG(uri string) ([]byte, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func checkSerial(serial string) error {
	// SerialNumber: length 9–256, pattern [\w+=/:,.@-]+ (IAM API reference, EnableMFADevice).
	if serial == "" {
		return missing("SerialNumber")
	}
	if len(serial) < 9 || len(serial) > 256 {
		return invalid("SerialNumber", serial, "Member must have length between 9 and 256")
	}
	if !serialPattern.MatchString(serial) {
		return invalid("SerialNumber", serial, `Member must satisfy regular expression pattern: [\w+=/:,.@-]+`)
	}
	return nil
}

func checkCode(param, code string) error {
	// AuthenticationCode: exactly 6 characters, pattern [\d]+ (IAM API reference).
	if code == "" {
		return missing(param)
	}
	if !codePattern.MatchString(code) {
		return invalid(param, code, `Member must satisfy regular expression pattern: [\d]+ and have length 6`)
	}
	return nil
}

func noSuchDevice(serial string) error {
	return awserr.New(awserr.NoSuchEntity, "VirtualMFADevice with serial number %s doesn't exist.", serial)
}

// deviceKey returns the store key of the virtual device a serial names in account, false for a
// serial that is not a virtual device ARN of the account (a hardware token's serial, say).
func deviceKey(account, serial string) (string, bool) {
	rest, ok := strings.CutPrefix(serial, rwarn.IAM(account, "mfa/"))
	if !ok || rest == "" {
		return "", false
	}
	return fold("/" + rest), true
}

// device loads the virtual device a serial names; NoSuchEntity if none.
func (t txn) device(account, serial string) (*VirtualMFADevice, string, error) {
	key, ok := deviceKey(account, serial)
	if !ok {
		return nil, "", noSuchDevice(serial)
	}
	r, found, err := virtualMFAs.Get(t, account, key)
	if err != nil {
		return nil, "", err
	}
	if !found || r.SerialNumber != serial {
		return nil, "", noSuchDevice(serial)
	}
	return r.device(), key, nil
}

func (s *Service) openSeed(d *VirtualMFADevice) (string, error) {
	seed, err := s.seal.Open(d.SealedSeed, mfaAD(d.SerialNumber))
	if err != nil {
		return "", err
	}
	return string(seed), nil
}

// codeAt reports whether code is the device's code for time step n, in constant time.
func codeAt(seed string, n int64, code string) bool {
	if n < 0 {
		return false
	}
	want, err := hotp.GenerateCodeCustom(seed, uint64(n), otpOpts)
	return err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
}

func stepOf(t time.Time) int64 { return t.Unix() / mfaStep }

// consecutive returns the step of code2 when code1 and code2 are the codes of two consecutive
// steps whose second lies within [center-window, center+window], newer than the device's last
// accepted step. used tells a refusal of codes already accepted from one of a wrong pair: the pair
// belongs to steps not newer than last, or one good code was typed in both boxes (the second box
// needs the code after it).
func consecutive(seed string, center, window, last int64, code1, code2 string) (step int64, ok, used bool) {
	for off := int64(0); off <= window; off++ {
		for _, n := range []int64{center - off, center + off} {
			if codeAt(seed, n-1, code1) && codeAt(seed, n, code2) {
				if n-1 > last {
					return n, true, false
				}
				used = true
			}
			if off == 0 {
				break
			}
		}
	}
	if !used && code1 == code2 {
		for n := center - window; n <= center+window; n++ {
			if codeAt(seed, n, code1) {
				return 0, false, true
			}
		}
	}
	return 0, false, used
}

// codeStep returns the step of code among the device's codes within one step of center, when
// that step is newer than last. used tells a code of an already accepted step from a wrong one.
func codeStep(seed string, center, last int64, code string) (step int64, ok, used bool) {
	for n := center - mfaSkew; n <= center+mfaSkew; n++ {
		if codeAt(seed, n, code) {
			if n > last {
				return n, true, false
			}
			used = true
		}
	}
	return 0, false, used
}

// ErrMFACodeUsed marks the refusal of a TOTP code that was already accepted: each code is good
// once (RFC 6238 §5.2). The refusal keeps its AWS error code and message, since AWS answers a
// reused code as it answers a wrong one (STS: "MultiFactorAuthentication failed with invalid MFA
// one time pass code."; IAM: "Authentication code for device is not valid."), and it counts as a
// wrong code against the guessing limits (guessing.go): a replayed code observed over a shoulder
// buys no more attempts than a guess. errors.Is finds the mark, so the console can tell the person
// to wait for the next code.
var ErrMFACodeUsed = errors.New("iam: the MFA code was already used")

// CodeUsed marks err, the refusal of a code, as the refusal of a code already used.
func CodeUsed(err error) error { return &codeUsedError{err} }

type codeUsedError struct{ err error }

func (e *codeUsedError) Error() string   { return e.err.Error() }
func (e *codeUsedError) Unwrap() []error { return []error{e.err, ErrMFACodeUsed} }

// codeRefusal is err, marked when the code was already used.
func codeRefusal(err error, used bool) error {
	if used {
		return CodeUsed(err)
	}
	return err
}

var errBadCode = awserr.New(awserr.InvalidAuthenticationCode, "Authentication code for device is not valid.")

// mfaOwnerKey is the mfaAssignments key prefix of a user, "" being the root user.
func mfaOwnerKey(user string) string { return fold(user) + sep }

// EnableMFADevice assigns a virtual MFA device to a user (user "" assigns it to the root user, which
// AWS does only in the console) after checking two consecutive codes. Returns NoSuchEntity,
// EntityAlreadyExists (device in use), LimitExceeded (eight devices), InvalidAuthenticationCode,
// Throttling (too many wrong codes, guessing.go; the wrong code that locks comes wrapped in an
// *MFALockedError).
func (s *Service) EnableMFADevice(ctx context.Context, account, user, serial, code1, code2 string) error {
	if user != "" {
		if err := checkName("UserName", user, 128); err != nil {
			return err
		}
	}
	if err := checkSerial(serial); err != nil {
		return err
	}
	if err := checkCode("AuthenticationCode1", code1); err != nil {
		return err
	}
	if err := checkCode("AuthenticationCode2", code2); err != nil {
		return err
	}
	return s.guardMFA(ctx, "EnableMFADevice", account, user, serial, true, wrongCode, func() error {
		return s.enableMFADevice(ctx, account, user, serial, code1, code2)
	})
}

func (s *Service) enableMFADevice(ctx context.Context, account, user, serial, code1, code2 string) error {
	now := s.Now()
	return s.update(ctx, account, func(t txn) error {
		if user != "" {
			if _, err := t.user(account, user); err != nil {
				return err
			}
		}
		d, key, err := t.device(account, serial)
		if err != nil {
			return err
		}
		if d.EnableDate != nil {
			return awserr.New(awserr.EntityAlreadyExists, "MFA Device is already in use.")
		}
		n, err := t.Count(kindUserMFA, account, mfaOwnerKey(user))
		if err != nil {
			return err
		}
		if n >= mfaDevicesPerUser {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for MFADevicesPerUser: %d", mfaDevicesPerUser)
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		// The second code is the newest: it may be up to one step off the clock either way.
		step, ok, used := consecutive(seed, stepOf(now), mfaSkew, d.LastStep, code1, code2)
		if !ok {
			return codeRefusal(errBadCode, used)
		}
		d.EnableDate, d.LastStep, d.Drift = &now, step, 0
		if err := t.putDevice(account, key, d); err != nil {
			return err
		}
		return t.assignMFA(account, user, serial, now)
	})
}

// ResyncMFADevice realigns a device whose clock has drifted: two consecutive codes within ten
// minutes of the server's clock set the drift used from then on. Returns NoSuchEntity,
// InvalidAuthenticationCode, Throttling (as EnableMFADevice).
func (s *Service) ResyncMFADevice(ctx context.Context, account, user, serial, code1, code2 string) error {
	if err := checkSerial(serial); err != nil {
		return err
	}
	if err := checkCode("AuthenticationCode1", code1); err != nil {
		return err
	}
	if err := checkCode("AuthenticationCode2", code2); err != nil {
		return err
	}
	owned, err := s.ownsMFADevice(ctx, account, user, serial)
	if err != nil {
		return err
	}
	return s.guardMFA(ctx, "ResyncMFADevice", account, user, serial, owned, wrongCode, func() error {
		return s.resyncMFADevice(ctx, account, user, serial, code1, code2)
	})
}

func (s *Service) resyncMFADevice(ctx context.Context, account, user, serial, code1, code2 string) error {
	if MFADeviceType(account, serial) == MFAHardware {
		return s.resyncHardware(ctx, account, user, serial, code1, code2)
	}
	now := s.Now()
	return s.update(ctx, account, func(t txn) error {
		d, key, err := t.assigned(account, user, serial)
		if err != nil {
			return err
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		step, ok, used := consecutive(seed, stepOf(now), mfaResyncWindow, d.LastStep, code1, code2)
		if !ok {
			return codeRefusal(errBadCode, used)
		}
		d.LastStep, d.Drift = step, step-stepOf(now)
		return t.putDevice(account, key, d)
	})
}

// assigned loads a device and checks that it is assigned to user ("" = root); NoSuchEntity if not.
func (t txn) assigned(account, user, serial string) (*VirtualMFADevice, string, error) {
	if user != "" {
		if _, err := t.user(account, user); err != nil {
			return nil, "", err
		}
	}
	if ok, err := t.mfaAssigned(account, user, serial); err != nil || !ok {
		if err == nil {
			err = notAssigned(serial)
		}
		return nil, "", err
	}
	return t.device(account, serial)
}

// DeactivateMFADevice unassigns a device from a user ("" = root); a virtual device stays, in the
// unassigned state, until DeleteVirtualMFADevice; a hardware token or security key is forgotten
// (mfadevices.go). Returns NoSuchEntity.
func (s *Service) DeactivateMFADevice(ctx context.Context, account, user, serial string) error {
	if err := checkSerial(serial); err != nil {
		return err
	}
	if MFADeviceType(account, serial) != MFAVirtual {
		return s.deactivateOther(ctx, account, user, serial)
	}
	return s.update(ctx, account, func(t txn) error {
		d, key, err := t.assigned(account, user, serial)
		if err != nil {
			return err
		}
		d.EnableDate, d.Drift = nil, 0
		if err := t.putDevice(account, key, d); err != nil {
			return err
		}
		return mfaAssignments.DeleteIfExists(t, account, mfaOwnerKey(user)+serial)
	})
}

// DeleteVirtualMFADevice deletes an unassigned virtual device. Returns DeleteConflict while it is
// assigned (IAM API reference: "you must first use DeactivateMFADevice"), NoSuchEntity.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, account, serial string) error {
	if err := checkSerial(serial); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		d, key, err := t.device(account, serial)
		if err != nil {
			return err
		}
		if d.EnableDate != nil {
			return awserr.New(awserr.DeleteConflict, "MFA device %s is in use and cannot be deleted. Deactivate it first.", serial)
		}
		return virtualMFAs.DeleteIfExists(t, account, key)
	})
}

// ListMFADevices lists the devices assigned to a user ("" = the root user), by serial number.
// Returns NoSuchEntity for an unknown user.
func (s *Service) ListMFADevices(ctx context.Context, account, user string, o ListOpts) (Page[MFADevice], error) {
	var p Page[MFADevice]
	err := s.view(ctx, func(t txn) (err error) {
		name := ""
		if user != "" {
			u, err := t.user(account, user)
			if err != nil {
				return err
			}
			name = u.UserName
		}
		p, err = t.mfaDevices(account, user, name, o)
		return err
	})
	return p, err
}

// ListVirtualMFADevices lists the account's virtual devices filtered by assignment status
// (Assigned, Unassigned, or Any/"" for all), with their owners.
func (s *Service) ListVirtualMFADevices(ctx context.Context, account, status string, o ListOpts) (Page[VirtualMFADevice], error) {
	switch status {
	case "", "Any", "Assigned", "Unassigned":
	default:
		return Page[VirtualMFADevice]{}, invalid("AssignmentStatus", status, "Member must satisfy enum value set: [Unassigned, Any, Assigned]")
	}
	var p Page[VirtualMFADevice]
	err := s.view(ctx, func(t txn) error {
		var err error
		p, err = readPage(virtualMFAs.Range(t, account, ""), o, func(it store.Item) (VirtualMFADevice, bool, error) {
			r, err := virtualMFAs.Decode(it.Body)
			if err != nil {
				return VirtualMFADevice{}, false, err
			}
			d := *r.device()
			if status == "Assigned" && d.EnableDate == nil || status == "Unassigned" && d.EnableDate != nil {
				return d, false, nil
			}
			if d.EnableDate != nil {
				owner, ok, err := t.mfaOwner(account, d.SerialNumber)
				if err != nil {
					return d, false, err
				}
				switch {
				case ok && owner == "":
					d.AssignedToRoot = true
				case ok:
					if d.User, err = t.user(account, owner); err != nil {
						return d, false, err
					}
				}
			}
			return d, true, nil
		})
		return err
	})
	return p, err
}

// mfaDevices reads a page of the devices assigned to user ("" = root), by serial number; name is
// the user's name as created, for the answer.
func (t txn) mfaDevices(account, user, name string, o ListOpts) (Page[MFADevice], error) {
	return readPage(mfaAssignments.Range(t, account, mfaOwnerKey(user)), o, func(it store.Item) (MFADevice, bool, error) {
		r, err := mfaAssignments.Decode(it.Body)
		if err != nil {
			return MFADevice{}, false, err
		}
		return MFADevice{UserName: name, SerialNumber: r.SerialNumber, EnableDate: r.EnableDate}, true, nil
	})
}

func notAssigned(serial string) error {
	return awserr.New(awserr.NoSuchEntity, "MFA Device with serial number %s is not assigned to the user.", serial)
}

// errInvalidPassCode is STS's answer to a wrong, malformed or reused code.
func errInvalidPassCode() error {
	return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed with invalid MFA one time pass code.")
}

// mfaDenied is STS's answer for a serial that is not the caller's device.
var mfaDenied = awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")

// VerifyMFACode checks a TOTP code from an MFA device assigned to the user (root when user is ""),
// for STS GetSessionToken and AssumeRole. A code is accepted within one step of the device's clock
// (its learned drift applied) and only once: the step it belongs to must be newer than the last one
// accepted, which is then recorded. Returns AccessDenied with STS's messages.
func (s *Service) VerifyMFACode(ctx context.Context, account, user, serial, code string, now time.Time) error {
	if !codePattern.MatchString(code) {
		return errInvalidPassCode()
	}
	switch MFADeviceType(account, serial) {
	case MFAHardware:
		return s.verifyHardwareCode(ctx, account, user, serial, code, now)
	case MFAWebAuthn:
		// A security key answers challenges, not codes.
		return mfaDenied
	}
	return store.Update(ctx, s.st, func(t txn) error {
		d, key, err := t.assigned(account, user, serial)
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return mfaDenied
		}
		if err != nil {
			return err
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		step, ok, used := codeStep(seed, stepOf(now)+d.Drift, d.LastStep, code)
		if !ok {
			return codeRefusal(errInvalidPassCode(), used)
		}
		d.LastStep = step
		return t.putDevice(account, key, d)
	})
}
