package orgs

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/iam"
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
	// LastUsed is the latest recorded use of the root's access keys. Rootward's IAM records key use;
	// root sign-ins are in the CloudTrail records (ConsoleLogin), not here.
	LastUsed *time.Time `json:"lastUsed,omitempty"`
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
	)
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
			if a != nil {
				members = append(members, *a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	inv := &RootInventory{OrganizationID: o.ID, Features: o.rootAccess().EnabledFeatures}
	for _, a := range members {
		rc, err := s.iam.RootCredentialsOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		st := RootStatus{
			AccountID: a.ID, Name: a.Name, Email: a.Email, Management: a.ID == o.MasterAccountID, Status: a.Status,
			Password: rc.HasPassword, RecoveryAllowed: rc.RecoveryAllowed != nil, PasswordLastChanged: rc.PasswordLastChanged,
			MFADevices: []RootMFADevice{}, AccessKeys: []RootAccessKey{}, SigningCertificates: []RootSigningCert{},
			LastUsed: rc.LastUsed(),
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
