// Package iam holds Rootward's identity domain — accounts and their root users, IAM users, groups,
// roles, managed and inline policies, access keys, login profiles, MFA devices — and the service that
// applies IAM's business rules to them over a store.Store. It does no wire encoding and no
// authorization: the server authorizes a call before it reaches this package. The entity structs
// carry AWS's shape names as XML tags because the IAM API returns exactly these shapes.
package iam

import (
	rwarn "github.com/rootward/rootward/internal/arn"
	"strings"
	"time"
)

// Tag is a key/value tag on a user, role, policy or MFA device.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Boundary is a permissions boundary as IAM returns it (AttachedPermissionsBoundary).
type Boundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

// Account is an AWS account with its root user.
type Account struct {
	ID        string
	Name      string
	Email     string
	CreatedAt time.Time
	// RootPasswordHash is the argon2id hash of the root password, "" when root has none.
	RootPasswordHash   string
	RootPasswordChange *time.Time
	Alias              string
	// RootRecoveryAllowed is when a privileged root session (task IAMCreateRootUserPassword) called
	// CreateLoginProfile without a password, which lets the root user of a member account whose
	// root credentials are centrally managed recover its password; nil otherwise.
	RootRecoveryAllowed *time.Time
	// RootPasswordLastUsed is when the root user's password was last accepted at sign-in (the
	// credential report's password_last_used); nil when never.
	RootPasswordLastUsed *time.Time
}

// PlaceholderRootEmail is the root email `rootward serve` gives the account it creates on a new
// data directory, until a person claims the root user (the .invalid top-level domain never
// resolves, RFC 2606).
const PlaceholderRootEmail = "root@rootward.invalid"

// Unclaimed reports whether nobody has claimed the account's root user yet: it still has the
// placeholder email and no password.
func (a *Account) Unclaimed() bool {
	return a.RootPasswordHash == "" && strings.EqualFold(a.Email, PlaceholderRootEmail)
}

// RootARN is the account root user's ARN.
func (a *Account) RootARN() string { return rwarn.Root(a.ID) }

// User is an IAM user.
type User struct {
	Path                string     `xml:"Path"`
	UserName            string     `xml:"UserName"`
	UserID              string     `xml:"UserId"`
	Arn                 string     `xml:"Arn"`
	CreateDate          time.Time  `xml:"CreateDate"`
	PasswordLastUsed    *time.Time `xml:"PasswordLastUsed,omitempty"`
	PermissionsBoundary *Boundary  `xml:"PermissionsBoundary,omitempty"`
	Tags                TagList    `xml:"Tags,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Path       string    `xml:"Path"`
	GroupName  string    `xml:"GroupName"`
	GroupID    string    `xml:"GroupId"`
	Arn        string    `xml:"Arn"`
	CreateDate time.Time `xml:"CreateDate"`
}

// RoleLastUsed is when and where a role was last used.
type RoleLastUsed struct {
	LastUsedDate *time.Time `xml:"LastUsedDate,omitempty"`
	Region       string     `xml:"Region,omitempty"`
}

// Role is an IAM role.
type Role struct {
	Path                     string        `xml:"Path"`
	RoleName                 string        `xml:"RoleName"`
	RoleID                   string        `xml:"RoleId"`
	Arn                      string        `xml:"Arn"`
	CreateDate               time.Time     `xml:"CreateDate"`
	AssumeRolePolicyDocument string        `xml:"AssumeRolePolicyDocument"`
	Description              string        `xml:"Description,omitempty"`
	MaxSessionDuration       int           `xml:"MaxSessionDuration"`
	PermissionsBoundary      *Boundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     TagList       `xml:"Tags,omitempty"`
	RoleLastUsed             *RoleLastUsed `xml:"RoleLastUsed,omitempty"`
	// TrustPrincipalIDs maps each IAM user and role ARN the trust policy named when it was saved
	// to that entity's unique ID then, so that a principal deleted and created again under the
	// same name is not trusted (see Service.GetRole).
	TrustPrincipalIDs map[string]string `xml:"-"`
	// ServiceLinked marks a service-linked role. Only CreateServiceLinkedRole sets it, never a
	// caller's input nor a path: its sessions are outside SCPs, and callers cannot change it.
	ServiceLinked bool `xml:"-"`
	// ManagedBy is the service principal that provisioned a reserved role (IAM Identity Center's
	// AWSReservedSSO_ roles: sso.amazonaws.com), "" for any other. Only PutReservedRole sets it;
	// callers cannot change or delete such a role, and, unlike a service-linked role's, its
	// sessions are bound by SCPs like any role's.
	ManagedBy string `xml:"-"`
}

// PolicyVersion is one version of a managed policy. Document is the JSON text as submitted.
type PolicyVersion struct {
	Document         string    `xml:"Document,omitempty"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

// ManagedPolicy is a customer managed policy, or an AWS managed one (Path /, account "aws").
type ManagedPolicy struct {
	PolicyName                    string          `xml:"PolicyName"`
	PolicyID                      string          `xml:"PolicyId"`
	Arn                           string          `xml:"Arn"`
	Path                          string          `xml:"Path"`
	DefaultVersionID              string          `xml:"DefaultVersionId"`
	AttachmentCount               int             `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `xml:"IsAttachable"`
	Description                   string          `xml:"Description,omitempty"`
	CreateDate                    time.Time       `xml:"CreateDate"`
	UpdateDate                    time.Time       `xml:"UpdateDate"`
	Tags                          TagList         `xml:"Tags,omitempty"`
	Versions                      []PolicyVersion `xml:"-"`
	// NextVersion numbers versions: v1, v2, … never reused after deletion, as in IAM.
	NextVersion int `xml:"-"`
}

// DefaultDocument returns the document of the default version.
func (p *ManagedPolicy) DefaultDocument() string {
	for _, v := range p.Versions {
		if v.VersionID == p.DefaultVersionID {
			return v.Document
		}
	}
	return ""
}

// AttachedPolicy names a managed policy attached to a principal.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// AccessKey is a long-term access key. The secret is kept sealed; Secret is filled only in the
// answer to CreateAccessKey.
type AccessKey struct {
	AccessKeyID string
	Account     string
	UserName    string // "" for the root user's keys
	// UserID is the unique ID (AIDA…) of the user the key was created for: the key authenticates
	// only that user, never a later user of the same name. Keys written before the ID was
	// recorded have none; see keyOwner.
	UserID       string
	Status       string
	CreateDate   time.Time
	SealedSecret []byte
	LastUsed     *time.Time
	LastService  string
	LastRegion   string
	Secret       string
}

// Principal kinds as in the request context key aws:PrincipalType.
const (
	PrincipalRoot        = "Account"
	PrincipalUser        = "User"
	PrincipalAssumedRole = "AssumedRole"
	// PrincipalFederatedUser is a GetFederationToken session: Session.SessionName is the federated
	// user's name, UserName and UserID the IAM user who asked ("" for the root user).
	PrincipalFederatedUser = "FederatedUser"
)

// PolicyDoc is one policy document that applies to a principal, labelled for AccessDenied reasons
// and the simulator.
type PolicyDoc struct {
	Label    string // policy ARN, or "user/alice/inline-name" for inline policies
	Document string
}

// PrincipalPolicies are the identity policies and the permissions boundary that apply to a user or
// role, as the authorizer needs them.
type PrincipalPolicies struct {
	Identity []PolicyDoc
	Boundary *PolicyDoc
}
