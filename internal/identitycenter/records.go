package identitycenter

import (
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of Identity Center. Every record lives in the account that owns the
// instance (an organization instance's management account, or the account of an account
// instance), keyed under the instance or identity store it belongs to, so that one key range
// holds one store's users, one instance's permission sets and so on:
//
//	sso.instance       INSTANCE                                 → instanceRecord
//	sso.directory      (account "") INSTANCE or STORE           → directoryRecord: who owns it
//	sso.user           STORE/USERID                             → userRecord (attributes and sign-in)
//	sso.group          STORE/GROUPID                            → groupRecord
//	sso.membership     STORE/MEMBERSHIPID                       → membershipRecord
//	sso.permissionset  INSTANCE/PSID                            → permissionSetRecord
//	sso.assignment     INSTANCE/ACCOUNT/PSID/TYPE/PRINCIPALID   → assignmentRecord
//	sso.provisioned    INSTANCE/ACCOUNT/PSID                    → provisionedRecord (the role)
//	sso.request        INSTANCE/REQUESTID                       → requestRecord (asynchronous status)
//
// Unique indexes are scoped to their store or instance by a prefix of their value; user names,
// group display names and permission set names are unique case-insensitively (fold).

const (
	kindInstance      = "sso.instance"
	kindDirectory     = "sso.directory"
	kindUser          = "sso.user"
	kindGroup         = "sso.group"
	kindMembership    = "sso.membership"
	kindPermissionSet = "sso.permissionset"
	kindAssignment    = "sso.assignment"
	kindProvisioned   = "sso.provisioned"
	kindRequest       = "sso.request"
)

// fold is the form in which a name is unique.
func fold(s string) string { return strings.ToLower(s) }

// key joins the parts of a key or index value with "/", which no ID contains.
func key(parts ...string) string { return strings.Join(parts, "/") }

// instanceRecord is an Identity Center instance. OrgID is set for an organization instance.
type instanceRecord struct {
	ID      string    `json:"id"`
	StoreID string    `json:"store"`
	Name    string    `json:"name,omitempty"`
	OrgID   string    `json:"org,omitempty"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Tags    []Tag     `json:"tags,omitempty"`
	// ProviderID names the SAML provider AWSSSO_<ProviderID>_DO_NOT_DELETE the instance's
	// provisioned roles trust in each account.
	ProviderID string `json:"provider"`
}

var instances = store.Define(store.Kind[instanceRecord]{Name: kindInstance, Version: 1})

// directoryRecord finds an instance or identity store from its ID alone: the account that holds
// its records, and the instance. It lives in account "" because an ID names no account.
type directoryRecord struct {
	Account  string `json:"account"`
	Instance string `json:"instance"`
}

var directory = store.Define(store.Kind[directoryRecord]{Name: kindDirectory, Version: 1})

// userRecord is an identity store user: the attributes the identity store API reads and writes,
// and the sign-in state the access portal keeps (never answered by the API).
type userRecord struct {
	ID          string         `json:"id"`
	Attrs       UserAttributes `json:"attrs"`
	ExternalIDs []ExternalID   `json:"external_ids,omitempty"`
	Status      string         `json:"status"`
	Created     time.Time      `json:"created"`
	CreatedBy   string         `json:"created_by,omitempty"`
	Updated     time.Time      `json:"updated"`
	UpdatedBy   string         `json:"updated_by,omitempty"`
	SignIn      signInRecord   `json:"signin"`
}

// signInRecord is a user's sign-in state (signin.go).
type signInRecord struct {
	// PasswordHash is the argon2id PHC string (internal/password); "" until a password is set.
	PasswordHash string    `json:"password,omitempty"`
	PasswordSet  time.Time `json:"password_set,omitzero"`
	// OneTime marks a password an administrator generated: the user must change it at sign-in.
	OneTime bool `json:"one_time,omitempty"`
	// SetupHash is the SHA-256 of the one-time password setup token an email carried, valid until
	// SetupExpires; the token itself is never stored.
	SetupHash    string    `json:"setup,omitempty"`
	SetupExpires time.Time `json:"setup_expires,omitzero"`
	// Failed counts the wrong passwords since the last sign-in, the last at LastFailed.
	Failed     int       `json:"failed,omitempty"`
	LastFailed time.Time `json:"last_failed,omitzero"`
	LastSignIn time.Time `json:"last_signin,omitzero"`
	// Epoch increases whenever the password is set or reset: a portal session of an older epoch
	// is over.
	Epoch int         `json:"epoch,omitempty"`
	MFA   []mfaRecord `json:"mfa,omitempty"`
}

// mfaRecord is one of a user's MFA devices: a TOTP authenticator (its seed sealed under the master
// key, bound to the device ID; the last step accepted, each code being good once) or a WebAuthn
// credential (its ID and the verifier's stored credential), the fields of IAM's virtual and
// security-key devices (internal/iam records_mfa.go).
type mfaRecord struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Name         string    `json:"name"`
	Created      time.Time `json:"created"`
	SealedSeed   []byte    `json:"sealed_seed,omitempty"`
	LastStep     int64     `json:"last_step,omitempty"`
	CredentialID []byte    `json:"credential_id,omitempty"`
	Credential   []byte    `json:"credential,omitempty"`
	LastUsed     time.Time `json:"last_used,omitzero"`
}

// users are the users. "username" and "externalid" keep a user name and an external ID to one
// user of a store; "setup" finds the user a password setup token was sent to.
var users = store.Define(store.Kind[userRecord]{
	Name: kindUser, Version: 1,
	Indexes: []store.Index[userRecord]{
		scoped("username", true, func(r *userRecord) []string { return []string{fold(r.Attrs.UserName)} }),
		{Name: "externalid", Unique: true, Values: func(k string, r *userRecord) []string {
			return externalIDValues(storeOf(k), r.ExternalIDs)
		}},
		{Name: "setup", Unique: true, Values: func(_ string, r *userRecord) []string {
			if r.SignIn.SetupHash == "" {
				return nil
			}
			return []string{r.SignIn.SetupHash}
		}},
	},
})

// storeOf is the store (or instance) ID a record key starts with.
func storeOf(k string) string {
	s, _, _ := strings.Cut(k, "/")
	return s
}

func externalIDValues(store string, ids []ExternalID) []string {
	var out []string
	for _, e := range ids {
		out = append(out, key(store, e.Issuer+"\n"+e.ID))
	}
	return out
}

// groupRecord is an identity store group.
type groupRecord struct {
	ID          string       `json:"id"`
	DisplayName string       `json:"display_name"`
	Description string       `json:"description,omitempty"`
	ExternalIDs []ExternalID `json:"external_ids,omitempty"`
	Created     time.Time    `json:"created"`
	CreatedBy   string       `json:"created_by,omitempty"`
	Updated     time.Time    `json:"updated"`
	UpdatedBy   string       `json:"updated_by,omitempty"`
}

var groups = store.Define(store.Kind[groupRecord]{
	Name: kindGroup, Version: 1,
	Indexes: []store.Index[groupRecord]{
		scoped("displayname", true, func(r *groupRecord) []string { return []string{fold(r.DisplayName)} }),
		{Name: "externalid", Unique: true, Values: func(k string, r *groupRecord) []string {
			return externalIDValues(storeOf(k), r.ExternalIDs)
		}},
	},
})

// membershipRecord is a user's membership of a group. "pair" keeps one membership per (group,
// user); "group" lists a group's members and "member" a user's groups, each a key range.
type membershipRecord struct {
	ID      string    `json:"id"`
	Group   string    `json:"group"`
	User    string    `json:"user"`
	Created time.Time `json:"created"`
}

var memberships = store.Define(store.Kind[membershipRecord]{
	Name: kindMembership, Version: 1,
	Indexes: []store.Index[membershipRecord]{
		scoped("pair", true, func(r *membershipRecord) []string { return []string{r.Group, r.User} }),
		scoped("group", false, func(r *membershipRecord) []string { return []string{r.Group} }),
		scoped("member", false, func(r *membershipRecord) []string { return []string{r.User} }),
	},
})

// permissionSetRecord is a permission set. RoleSuffix is the 16 hex digits of the name of the
// roles it provisions (AWSReservedSSO_NAME_SUFFIX), fixed at creation.
type permissionSetRecord struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	Description     string              `json:"description,omitempty"`
	SessionDuration string              `json:"session_duration"`
	RelayState      string              `json:"relay_state,omitempty"`
	Created         time.Time           `json:"created"`
	Tags            []Tag               `json:"tags,omitempty"`
	RoleSuffix      string              `json:"role_suffix"`
	ManagedPolicies []string            `json:"managed,omitempty"`
	CustomerPolices []CustomerPolicyRef `json:"customer,omitempty"`
	InlinePolicy    string              `json:"inline,omitempty"`
	Boundary        *Boundary           `json:"boundary,omitempty"`
	// Changed is when the permission set last changed, for the provisioning status of accounts
	// (ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED).
	Changed time.Time `json:"changed,omitzero"`
}

var permissionSets = store.Define(store.Kind[permissionSetRecord]{
	Name: kindPermissionSet, Version: 1,
	Indexes: []store.Index[permissionSetRecord]{
		scoped("name", true, func(r *permissionSetRecord) []string { return []string{fold(r.Name)} }),
	},
})

// assignmentRecord is an account assignment: a principal (USER or GROUP) given a permission set
// in an account. "ps" lists a permission set's assignments by account; "principal" a user's or
// group's assignments.
type assignmentRecord struct {
	Account       string    `json:"account"`
	PermissionSet string    `json:"ps"`
	PrincipalType string    `json:"principal_type"`
	PrincipalID   string    `json:"principal_id"`
	Created       time.Time `json:"created"`
}

var assignments = store.Define(store.Kind[assignmentRecord]{
	Name: kindAssignment, Version: 1,
	Indexes: []store.Index[assignmentRecord]{
		scoped("ps", false, func(r *assignmentRecord) []string { return []string{r.PermissionSet, r.Account} }),
		scoped("principal", false, func(r *assignmentRecord) []string { return []string{r.PrincipalID} }),
	},
})

// provisionedRecord is a permission set provisioned to an account: the role it created there.
// "ps" lists the accounts a permission set is provisioned to.
type provisionedRecord struct {
	Account       string    `json:"account"`
	PermissionSet string    `json:"ps"`
	RoleName      string    `json:"role"`
	Provisioned   time.Time `json:"provisioned"`
}

var provisioned = store.Define(store.Kind[provisionedRecord]{
	Name: kindProvisioned, Version: 1,
	Indexes: []store.Index[provisionedRecord]{
		scoped("ps", false, func(r *provisionedRecord) []string { return []string{r.PermissionSet} }),
	},
})

// requestRecord is the status of an asynchronous request: an account assignment's creation or
// deletion, or a permission set's provisioning. "type" lists an instance's requests of one type,
// "status" those of one type and status (the List*Status operations' Filter), both in request ID
// order.
type requestRecord struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	Status        string    `json:"status"`
	Failure       string    `json:"failure,omitempty"`
	Created       time.Time `json:"created"`
	Account       string    `json:"account,omitempty"`
	PermissionSet string    `json:"ps"`
	PrincipalType string    `json:"principal_type,omitempty"`
	PrincipalID   string    `json:"principal_id,omitempty"`
	// Target is a provisioning request's target: an account, or "" for every provisioned one.
	Target string `json:"target,omitempty"`
}

var requests = store.Define(store.Kind[requestRecord]{
	Name: kindRequest, Version: 1,
	Indexes: []store.Index[requestRecord]{
		scoped("type", false, func(r *requestRecord) []string { return []string{r.Type} }),
		scoped("status", false, func(r *requestRecord) []string { return []string{r.Type, r.Status} }),
	},
})
