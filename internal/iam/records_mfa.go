package iam

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of MFA: the assignment of a device to a principal, virtual devices, hardware
// tokens and security keys (mfa.go, mfadevices.go). JSON names are those the structs were stored
// under before records existed (see records.go).

// mfaAssignment is a device assigned to a principal, under mfaOwnerKey(owner) + serial. Every
// assigned device has one, whatever its type, so the quota counts them all.
type mfaAssignment struct {
	SerialNumber string    `json:"serial"`
	EnableDate   time.Time `json:"enabled"`
}

// mfaAssignments are the assignments. The unique "serial" index finds a device's owner without
// reading the account's other assignments, and keeps a device assigned to one principal at most.
var mfaAssignments = store.Define(store.Kind[mfaAssignment]{
	Name: kindUserMFA, Version: 1,
	Indexes: []store.Index[mfaAssignment]{{Name: "serial", Unique: true, Values: func(_ string, r *mfaAssignment) []string {
		return []string{r.SerialNumber}
	}}},
})

// assignMFA records that serial is assigned to user ("" = root) since at.
func (t txn) assignMFA(account, user, serial string, at time.Time) error {
	return mfaAssignments.Insert(t, account, mfaOwnerKey(user)+serial, &mfaAssignment{SerialNumber: serial, EnableDate: at})
}

// mfaAssigned reports whether serial is assigned to user ("" = root).
func (t txn) mfaAssigned(account, user, serial string) (bool, error) {
	_, ok, err := mfaAssignments.Get(t, account, mfaOwnerKey(user)+serial)
	return ok, err
}

// mfaOwner returns the folded name of the principal serial is assigned to ("" = root); ok is false
// when it is assigned to none.
func (t txn) mfaOwner(account, serial string) (owner string, ok bool, err error) {
	key, _, ok, err := mfaAssignments.Lookup(t, "serial", account, serial)
	if err != nil || !ok {
		return "", false, err
	}
	owner = key[:len(key)-len(sep+serial)]
	return owner, true, nil
}

// renameMFARecords moves a user's MFA assignments to the user's new folded name.
func (t txn) renameMFARecords(account, oldKey, newKey string) error {
	return moveRecords(t, mfaAssignments, account, oldKey+sep, newKey+sep)
}

// virtualMFARecord is a stored virtual MFA device, under its folded path and name.
type virtualMFARecord struct {
	SerialNumber string      `json:"serial"`
	Path         string      `json:"path"`
	Name         string      `json:"name"`
	CreateDate   time.Time   `json:"created"`
	SealedSeed   []byte      `json:"sealed_seed"`
	Tags         []tagRecord `json:"tags,omitempty"`
	EnableDate   *time.Time  `json:"enabled,omitempty"`
	LastStep     int64       `json:"last_step,omitempty"`
	Drift        int64       `json:"drift,omitempty"`
}

var virtualMFAs = store.Define(store.Kind[virtualMFARecord]{Name: "virtualmfa", Version: 1})

func virtualMFARecordOf(d *VirtualMFADevice) *virtualMFARecord {
	return &virtualMFARecord{
		SerialNumber: d.SerialNumber, Path: d.Path, Name: d.Name, CreateDate: d.CreateDate, SealedSeed: d.SealedSeed,
		Tags: tagRecords(d.Tags), EnableDate: d.EnableDate, LastStep: d.LastStep, Drift: d.Drift,
	}
}

func (r *virtualMFARecord) device() *VirtualMFADevice {
	return &VirtualMFADevice{
		SerialNumber: r.SerialNumber, Path: r.Path, Name: r.Name, CreateDate: r.CreateDate, SealedSeed: r.SealedSeed,
		Tags: fromTagRecords(r.Tags), EnableDate: r.EnableDate, LastStep: r.LastStep, Drift: r.Drift,
	}
}

// putDevice stores a virtual device under its key.
func (t txn) putDevice(account, key string, d *VirtualMFADevice) error {
	return virtualMFAs.Put(t, account, key, virtualMFARecordOf(d))
}

// hardwareDevices are the hardware TOTP tokens, under their serial numbers (hardwareDevice is
// their storage record).
var hardwareDevices = store.Define(store.Kind[hardwareDevice]{Name: "hardwaremfa", Version: 1})

// webAuthnRecord is a stored security key, under its serial number.
type webAuthnRecord struct {
	SerialNumber string    `json:"serial"`
	Name         string    `json:"name"`
	CredentialID []byte    `json:"credential_id"`
	Credential   []byte    `json:"credential"`
	EnableDate   time.Time `json:"enabled"`
	LastUsed     time.Time `json:"last_used,omitzero"`
}

var webAuthnDevices = store.Define(store.Kind[webAuthnRecord]{Name: "webauthncred", Version: 1})

func webAuthnRecordOf(d *WebAuthnDevice) *webAuthnRecord {
	return &webAuthnRecord{SerialNumber: d.SerialNumber, Name: d.Name, CredentialID: d.CredentialID,
		Credential: d.Credential, EnableDate: d.EnableDate, LastUsed: d.LastUsed}
}

func (r *webAuthnRecord) device(user string) WebAuthnDevice {
	return WebAuthnDevice{UserName: user, SerialNumber: r.SerialNumber, Name: r.Name, CredentialID: r.CredentialID,
		Credential: r.Credential, EnableDate: r.EnableDate, LastUsed: r.LastUsed}
}

// webAuthnIDs claim credential IDs across the installation, under base64url(credential ID): the
// account and serial number of the security key, as "account \x00 serial". An authenticator must
// not register one credential twice (WebAuthn §7.1 step 25, "verify that the credentialId is not
// yet registered for any user"), in any account — which a declared index cannot say, since a
// kind's index entries live in the record's account.
var webAuthnIDs = store.Define(store.Kind[string]{Name: "webauthnid", Version: 1})
