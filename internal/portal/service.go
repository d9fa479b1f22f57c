// Package portal is IAM Identity Center's access portal: how an Identity Center user signs in at
// PUBLIC_URL/start and what a signed-in user gets from it.
//
//   - OIDC (oidc.go): the clients that RegisterClient registers, the device authorizations that
//     StartDeviceAuthorization opens and the signed-in user approves at PUBLIC_URL/device, and
//     the access and refresh tokens CreateToken issues (random, stored under their SHA-256,
//     expiring; a refresh token is spent by its use and replaced).
//   - The portal (access.go): the accounts and roles an access token's user is assigned, the
//     credentials of a role, logout.
//   - Unsigned callers (guard.go): every call of the two unsigned APIs is counted against its
//     source address in the sign-in throttling counters, and refunded unless it guessed wrong.
//
// Identity Center's own model — instances, the identity store's users and groups, permission
// sets, account assignments and the AWSReservedSSO_* roles they provision — is not this
// package's: it reads it through Directory. No token, secret or code is logged or stored in the
// clear, and every comparison of a presented secret with a stored one is in constant time (the
// store is keyed by SHA-256, and client secrets are compared with subtle.ConstantTimeCompare).
package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// User is an Identity Center user as the portal sees it: an identity store user of an instance.
type User struct {
	// InstanceAccount is the account that holds the user's Identity Center instance (the
	// management account for the organization's instance); CloudTrail records the user's
	// sign-in and portal events there.
	InstanceAccount string
	// InstanceID is the Identity Center instance ("ssoins-" and sixteen hex digits).
	InstanceID string
	// IdentityStoreID is the instance's identity store ("d-" and ten characters).
	IdentityStoreID string
	UserID          string
	UserName        string
	DisplayName     string
	Email           string
}

// Assignment is one role a user may use in the portal: a permission set assigned to the user in
// an account, directly or through a group, and the role it provisioned there.
type Assignment struct {
	AccountID    string
	AccountName  string
	AccountEmail string
	// PermissionSetName is the role's name in the portal (ListAccountRoles' roleName).
	PermissionSetName string
	// RoleName is the provisioned IAM role: AWSReservedSSO_<permission set>_<16 hex>.
	RoleName string
	// SessionDuration is the permission set's session duration (0: one hour).
	SessionDuration time.Duration
	// ProviderName is the SAML provider the role trusts (AWSSSO_<id>_DO_NOT_DELETE), through which
	// CloudTrail records the role session's start in the account.
	ProviderName string
}

// Directory is what the portal reads of Identity Center's model. Every method returns
// (nil, nil) or an empty list when there is nothing, never a not-found error.
type Directory interface {
	// UserByName finds the user named userName in the instance instanceID.
	UserByName(ctx context.Context, instanceID, userName string) (*User, error)
	// UserByID finds a user by its instance and user ID.
	UserByID(ctx context.Context, instanceID, userID string) (*User, error)
	// Assignments lists the roles assigned to the user, directly and through its groups.
	Assignments(ctx context.Context, u *User) ([]Assignment, error)
}

// Service is the access portal. It is safe for concurrent use.
type Service struct {
	st        store.Store
	trail     *trail.Recorder
	counters  *throttle.Counters
	dir       Directory
	ic        *identitycenter.Service
	iam       *iam.Service
	notifier  *notify.Notifier
	publicURL string
	region    string
	now       func() time.Time
	// wa is the WebAuthn relying party of PublicURL, for passkeys at sign-in (passkey.go); nil
	// without a public URL.
	wa *webauthn.WebAuthn
}

// Config holds what a Service needs.
type Config struct {
	Store store.Store
	// Trail records the portal's events (sign-in, token and portal calls).
	Trail *trail.Recorder
	// Counters are the sign-in throttling counters (rootuser.Service.Counters), which the
	// unsigned calls are counted in per source address.
	Counters *throttle.Counters
	// Directory is Identity Center's model; ICDirectory{IC, IAM} when nil and IC is set.
	Directory Directory
	// IC is Identity Center, whose users' passwords and MFA devices sign-in checks; without it
	// the portal serves tokens and the portal API but no sign-in.
	IC *identitycenter.Service
	// IAM seals the authenticator seed a pending MFA registration holds; required with IC.
	IAM *iam.Service
	// Notifier sends the password setup emails (admin.go).
	Notifier *notify.Notifier
	// PublicURL is the server's public base URL: the start URL is PublicURL/start, the device
	// verification page PublicURL/device.
	PublicURL string
	// Region is the region the server answers for (us-east-1 when empty).
	Region string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Directory == nil && cfg.IC != nil && cfg.IAM != nil {
		cfg.Directory = ICDirectory{IC: cfg.IC, IAM: cfg.IAM}
	}
	if cfg.Store == nil || cfg.Counters == nil || cfg.Directory == nil || (cfg.IC != nil && cfg.IAM == nil) {
		return nil, errors.New("portal: Store, Counters and Directory (or IC and IAM) are required")
	}
	s := &Service{st: cfg.Store, trail: cfg.Trail, counters: cfg.Counters, dir: cfg.Directory, ic: cfg.IC, iam: cfg.IAM, notifier: cfg.Notifier,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), region: cfg.Region, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.publicURL != "" && cfg.IC != nil {
		wa, err := rootuser.NewRelyingParty(s.publicURL, "AWS access portal")
		if err != nil {
			return nil, fmt.Errorf("portal: %w", err)
		}
		s.wa = wa
	}
	return s, nil
}

// StartURL is the access portal's start URL, PUBLIC_URL/start.
func (s *Service) StartURL() string { return s.publicURL + "/start" }

// DeviceURL is the device verification page, PUBLIC_URL/device.
func (s *Service) DeviceURL() string { return s.publicURL + "/device" }

// Now is the service clock, in UTC and truncated to seconds.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Directory is Identity Center's model the service reads.
func (s *Service) Directory() Directory { return s.dir }

type txn struct{ store.Txn }

func (s *Service) update(ctx context.Context, fn func(t txn) error) error {
	return store.Update(ctx, s.st, fn)
}

func (s *Service) view(ctx context.Context, fn func(t txn) error) error {
	return store.View(ctx, s.st, fn)
}

// newSecret returns n random bytes, base64url without padding, after prefix.
func newSecret(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("portal: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// secretKey is the store key of a secret: its SHA-256 in hex, so that a reader of the database
// cannot present it, and a lookup by it compares digests, not the secret.
func secretKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Service) seal(b []byte, ad string) []byte { return s.iam.Seal(b, ad) }

func (s *Service) open(b []byte, ad string) ([]byte, error) { return s.iam.Unseal(b, ad) }
