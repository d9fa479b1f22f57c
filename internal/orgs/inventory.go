package orgs

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// RootInventory is the organization-wide root credential inventory (`rootward org root-status` and
// the console page): for each account, what its root user can sign in or sign requests with.
type RootInventory struct {
	OrganizationID string
	// Features are the enabled centralized root access features.
	Features []string
	Accounts []RootStatus
}

// RootStatus is one account's root user.
type RootStatus struct {
	AccountID  string `json:"accountId"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Management bool   `json:"management"`
	Status     string `json:"status"`
	Password   bool   `json:"password"`
	// RecoveryAllowed: a privileged root session allowed password recovery.
	RecoveryAllowed     bool              `json:"passwordRecoveryAllowed"`
	PasswordLastChanged *time.Time        `json:"passwordLastChanged,omitempty"`
	MFADevices          []RootMFADevice   `json:"mfaDevices"`
	AccessKeys          []RootAccessKey   `json:"accessKeys"`
	SigningCertificates []RootSigningCert `json:"signingCertificates"`
	// LastUsed is when the root user was last used and LastUsedBy how (RootLastUsed): what
	// `rootward org root-status` and the console's organization page both show.
	LastUsed   *time.Time `json:"lastUsed,omitempty"`
	LastUsedBy string     `json:"lastUsedBy,omitempty"`
}

// RootMFADevice is an MFA device of a root user; Kind is iam.MFADeviceType's "virtual" (TOTP app),
// "webauthn" (FIDO2 security key or passkey) or "hardware" (hardware TOTP token).
type RootMFADevice struct {
	SerialNumber string    `json:"serialNumber"`
	Kind         string    `json:"kind"`
	EnableDate   time.Time `json:"enableDate"`
}

// RootAccessKey is a root access key (never its secret).
type RootAccessKey struct {
	AccessKeyID string     `json:"accessKeyId"`
	Status      string     `json:"status"`
	CreateDate  time.Time  `json:"createDate"`
	LastUsed    *time.Time `json:"lastUsed,omitempty"`
}

// RootSigningCert is a root X.509 signing certificate.
type RootSigningCert struct {
	CertificateID string    `json:"certificateId"`
	Status        string    `json:"status"`
	UploadDate    time.Time `json:"uploadDate"`
}

// HasCredentials reports whether the root user has any credential at all.
func (r *RootStatus) HasCredentials() bool {
	return r.Password || r.RecoveryAllowed || len(r.MFADevices) > 0 || len(r.AccessKeys) > 0 || len(r.SigningCertificates) > 0
}

// RootInventory returns the root credential inventory of the caller's organization, accounts in ID
// order. The caller must be the management account or IAM's delegated administrator; returns
// AWSOrganizationsNotInUseException or AccessDeniedException otherwise.
func (s *Service) RootInventory(ctx context.Context, caller string) (*RootInventory, error) {
	var (
		o       *Organization
		members []Account
		creds   []*iam.RootCredentials
	)
	// One snapshot for the members and their root credentials: a transaction per account made
	// the inventory of 10,000 accounts cost seconds of transaction overhead alone.
	err := s.view(ctx, func(t txn) error {
		var err error
		if o, err = t.memberOrg(caller); err != nil {
			return err
		}
		if caller != o.MasterAccountID && !o.DelegatedAdmin(caller, IAMService) {
			return errDenied
		}
		ids, err := t.members(o.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a, err := t.member(o, id)
			if err != nil {
				return err
			}
			if a == nil {
				continue
			}
			rc, err := iam.RootCredentialsIn(t.Tx, a.ID)
			if err != nil {
				return err
			}
			members = append(members, *a)
			creds = append(creds, rc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	inv := &RootInventory{OrganizationID: o.ID, Features: o.rootAccess().EnabledFeatures}
	now := s.Now()
	for i, a := range members {
		rc := creds[i]
		st := RootStatus{
			AccountID: a.ID, Name: a.Name, Email: a.Email, Management: a.ID == o.MasterAccountID, Status: a.Status,
			Password: rc.HasPassword, RecoveryAllowed: rc.RecoveryAllowed != nil, PasswordLastChanged: rc.PasswordLastChanged,
			MFADevices: []RootMFADevice{}, AccessKeys: []RootAccessKey{}, SigningCertificates: []RootSigningCert{},
		}
		var err error
		if st.LastUsed, st.LastUsedBy, err = s.RootLastUsed(ctx, rc, now); err != nil {
			return nil, err
		}
		for _, d := range rc.MFADevices {
			st.MFADevices = append(st.MFADevices, RootMFADevice{SerialNumber: d.SerialNumber, Kind: iam.MFADeviceType(a.ID, d.SerialNumber), EnableDate: d.EnableDate})
		}
		for _, k := range rc.AccessKeys {
			st.AccessKeys = append(st.AccessKeys, RootAccessKey{AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: k.CreateDate, LastUsed: k.LastUsed})
		}
		for _, c := range rc.Certificates {
			st.SigningCertificates = append(st.SigningCertificates, RootSigningCert{CertificateID: c.CertificateID, Status: c.Status, UploadDate: c.UploadDate})
		}
		inv.Accounts = append(inv.Accounts, st)
	}
	return inv, nil
}

// ManagementAccount returns the management account of the installation's organization, the
// lowest account ID when it holds several; "" when there is none. It reads the organizations, not
// every account.
func (s *Service) ManagementAccount(ctx context.Context) (string, error) {
	var first string
	err := s.view(ctx, func(t txn) error {
		ids, err := t.Keys(kindOrg, "", "")
		if err != nil {
			return err
		}
		for _, id := range ids {
			o, err := t.org(id)
			if err != nil {
				return err
			}
			if o != nil && (first == "" || o.MasterAccountID < first) {
				first = o.MasterAccountID
			}
		}
		return nil
	})
	return first, err
}

// LastUseWindow bounds how far back RootLastUsed searches the CloudTrail records for root use: 90
// days, the window of CloudTrail's event history and LookupEvents (CloudTrail User Guide, "Working
// with CloudTrail event history"), which is where the AWS console looks too. Older use still shows
// when IAM kept it: a password's last sign-in, an access key's last use.
const LastUseWindow = 90 * 24 * time.Hour

// Kinds of root use RootLastUsed reports.
const (
	UseConsoleSignIn = "console sign-in"
	UseAccessKey     = "access key"
	UseRootSession   = "privileged root session"
	UseAPICall       = "API call"
)

// RootLastUsed returns when the root user of rc's account was last used and how, nil and "" when
// never: the latest of its password's last sign-in and its access keys' last use, which IAM keeps,
// and of its newest root use in the account's CloudTrail records of the last LastUseWindow before
// now. It is the one computation of "last used" that `rootward org root-status` and the console's
// organization page share.
func (s *Service) RootLastUsed(ctx context.Context, rc *iam.RootCredentials, now time.Time) (*time.Time, string, error) {
	var (
		last *time.Time
		by   string
	)
	later := func(t *time.Time, kind string) {
		if t != nil && (last == nil || t.After(*last)) {
			at := t.UTC()
			last, by = &at, kind
		}
	}
	later(rc.PasswordLastUsed, UseConsoleSignIn)
	for _, k := range rc.AccessKeys {
		later(k.LastUsed, UseAccessKey)
	}
	start := now.Add(-LastUseWindow)
	if last != nil && last.After(start) {
		start = *last
	}
	var (
		at   time.Time
		kind string
	)
	// Records come oldest first; Match keeps the newest use and declines every record, so the
	// listing holds none of them in memory however many there are.
	_, err := trail.List(ctx, s.st, trail.Query{Account: rc.Account, Start: start, Match: func(e *trail.Event) bool {
		if k := RootUse(e); k != "" {
			at, kind = e.EventTime, k
		}
		return false
	}})
	if err != nil {
		return nil, "", err
	}
	if kind != "" {
		later(&at, kind)
	}
	return last, by, nil
}

// RootUse says what kind of root use a CloudTrail record is, "" if it is none. Root use is what
// CIS's root-usage metric filter counts (userIdentity.type Root, not invoked by a service, not an
// AwsServiceEvent), narrowed for sign-in records to successful ConsoleLogins: a failed sign-in or a
// recovery request is an attempt anybody who knows the email can make, not use.
func RootUse(e *trail.Event) string {
	id := e.UserIdentity
	if id.Type != "Root" || id.InvokedBy != "" {
		return ""
	}
	switch e.EventType {
	case trail.AwsConsoleSignIn:
		if e.EventName == "ConsoleLogin" && e.ResponseElements["ConsoleLogin"] == "Success" {
			return UseConsoleSignIn
		}
	case trail.AwsAPICall, trail.AwsConsoleAction:
		if id.SessionContext != nil && id.SessionContext.AssumedRoot == "true" {
			return UseRootSession
		}
		return UseAPICall
	}
	return ""
}
