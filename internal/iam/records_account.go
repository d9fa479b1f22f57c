package iam

import (
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of accounts and of what IAM keeps per account besides its principals and
// policies: the password policy and the credential report. Their JSON names are those the structs
// were stored under before records existed (see records.go).

// accountRecord is a stored account with its root user, under its ID, in no account (""): the
// kind is global, and so are its indexes.
type accountRecord struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name"`
	Email                string     `json:"email"`
	CreatedAt            time.Time  `json:"created_at"`
	RootPasswordHash     string     `json:"root_password_hash,omitempty"`
	RootPasswordChange   *time.Time `json:"root_password_changed,omitempty"`
	Alias                string     `json:"alias,omitempty"`
	RootRecoveryAllowed  *time.Time `json:"root_recovery_allowed,omitempty"`
	RootPasswordLastUsed *time.Time `json:"root_password_last_used,omitempty"`
}

// accounts are the accounts. Two unique indexes make the installation-wide rules: a root email is
// one account's, case-insensitively ("email", the folded address), and so is an alias ("alias",
// none while the account has no alias). They replace the hand-kept "rootemail" and "alias"
// objects, which are retired.
var accounts = store.Define(store.Kind[accountRecord]{
	Name: "account", Version: 1,
	Indexes: []store.Index[accountRecord]{
		{Name: "email", Unique: true, Values: func(_ string, r *accountRecord) []string {
			return []string{strings.ToLower(r.Email)}
		}},
		{Name: "alias", Unique: true, Values: func(_ string, r *accountRecord) []string {
			if r.Alias == "" {
				return nil
			}
			return []string{r.Alias}
		}},
	},
})

func init() {
	store.Retire("rootemail")
	store.Retire("alias")
}

// installation is the installation marker (ClaimInstallation): kind "meta", one global record
// under installationKey, the time the installation was claimed. Its body has always been that
// time alone, as JSON, so the record type is time.Time.
var installation = store.Define(store.Kind[time.Time]{Name: "meta", Version: 1})

const installationKey = "installation"

func accountRecordOf(a *Account) *accountRecord { r := accountRecord(*a); return &r }

func (r *accountRecord) account() *Account { a := Account(*r); return &a }

// putAccount stores a, replacing the record under its ID; a root email or alias another account
// holds is a *store.ErrIndexTaken.
func (t txn) putAccount(a *Account) error {
	return accounts.Put(t, "", a.ID, accountRecordOf(a))
}

// passwordPolicyRecord is an account's stored password policy, under keyPasswordPolicy.
type passwordPolicyRecord struct {
	MinimumPasswordLength      int   `json:"min_length"`
	RequireSymbols             bool  `json:"symbols,omitempty"`
	RequireNumbers             bool  `json:"numbers,omitempty"`
	RequireUppercaseCharacters bool  `json:"upper,omitempty"`
	RequireLowercaseCharacters bool  `json:"lower,omitempty"`
	AllowUsersToChangePassword bool  `json:"allow_change,omitempty"`
	MaxPasswordAge             int   `json:"max_age,omitempty"`
	PasswordReusePrevention    int   `json:"reuse_prevention,omitempty"`
	HardExpiry                 *bool `json:"hard_expiry,omitempty"`
}

var passwordPolicies = store.Define(store.Kind[passwordPolicyRecord]{Name: "passwordpolicy", Version: 1})

// credentialReportRecord is an account's stored credential report, under keyCredReport.
type credentialReportRecord struct {
	Content       []byte    `json:"csv"`
	GeneratedTime time.Time `json:"generated"`
}

var credentialReports = store.Define(store.Kind[credentialReportRecord]{Name: "credreport", Version: 1})
