// Package compliance is the check engine behind AWS Config's managed rules, Security Hub's controls,
// Trusted Advisor's security checks and `rootward audit`: pure functions from Facts — what can be
// read about one account's root user, IAM users, groups, policies, password policy and contacts —
// to Results. Facts come from Rootward's own state (Gatherer) or from any endpoint's AWS API (the
// audit command); the checks are written once for both.
package compliance

import "time"

// Facts is what the checks read about one account.
type Facts struct {
	Account     string
	AccountName string
	// Member is true for an account of an organization other than its management account.
	Member bool
	Now    time.Time
	Root   Root
	Users  []User
	Groups []Group
	// Policies are the account's customer managed policies.
	Policies []Policy
	// PasswordPolicy is nil when the account has none.
	PasswordPolicy *PasswordPolicy
	Contacts       Contacts
	// OtherAddresses are addresses the root email must not be: the root emails of the
	// organization's other accounts and the contacts' emails.
	OtherAddresses []string
	// RootSignInApproval is whether Multi-party approval protects the root user's console sign-in
	// in the account; nil when it was not read (GroupApproval is then Missing).
	RootSignInApproval *Approval
	// Missing maps a fact group that could not be read to why; checks that need it answer Error.
	Missing map[string]string
}

// The fact groups of Facts.Missing.
const (
	GroupRoot           = "root"
	GroupUsers          = "users"
	GroupGroups         = "groups"
	GroupPolicies       = "policies"
	GroupPasswordPolicy = "passwordPolicy"
	GroupContacts       = "contacts"
	GroupOrganization   = "organization"
	GroupApproval       = "approval"
)

// Approval is what Multi-party approval says of one protected operation in an account: the ARNs
// of the ACTIVE approval teams whose policies include it (the account's own, or its
// organization's management account's); none means nothing protects it.
type Approval struct {
	Teams []string
}

// Miss records that group could not be read, and why.
func (f *Facts) Miss(group, why string) {
	if f.Missing == nil {
		f.Missing = map[string]string{}
	}
	f.Missing[group] = why
}

// Root is the account's root user.
type Root struct {
	// CredentialsRemoved is true when the root user has no credential at all (no password, no
	// MFA device, no access key, no signing certificate): a member account whose root
	// credentials were removed through centralized root access.
	CredentialsRemoved bool
	Email              string
	PasswordEnabled    bool
	MFAEnabled         bool
	VirtualMFA         int // virtual (authenticator app) devices
	HardwareMFA        int // hardware TOTP tokens and FIDO security keys or passkeys
	AccessKeys         int // access keys in any state
	SigningCerts       int
	// LastUsed is the last use of the root password or of a root access key; zero if never.
	LastUsed time.Time
}

// User is an IAM user.
type User struct {
	Name, ID, ARN    string
	Created          time.Time
	PasswordEnabled  bool
	PasswordLastUsed time.Time // zero: never
	MFADevices       int
	AccessKeys       []AccessKey
	AttachedPolicies []string // ARNs
	InlinePolicies   []string // names
	Groups           []string // names
}

// AccessKey is an IAM user's access key.
type AccessKey struct {
	ID       string
	Active   bool
	Created  time.Time
	LastUsed time.Time // zero: never
}

// Group is an IAM group.
type Group struct {
	Name, ID, ARN string
	Members       int
}

// Policy is a customer managed policy with its default version's document.
type Policy struct {
	Name, ID, ARN, Document string
	AttachmentCount         int
}

// PasswordPolicy is the account's IAM password policy.
type PasswordPolicy struct {
	MinimumPasswordLength, MaxPasswordAge, PasswordReusePrevention     int
	RequireSymbols, RequireNumbers, RequireUppercase, RequireLowercase bool
	AllowUsersToChangePassword, HardExpiry                             bool
}

// Contacts are the account's contact information and alternate contacts.
type Contacts struct {
	// Name and Phone are the contact information's full name and phone number.
	Name, Phone                   string
	Security, Billing, Operations *Contact
}

// Contact is an alternate contact.
type Contact struct {
	Name, Title, Email, Phone string
}
