// Package identitycenter is Rootward's IAM Identity Center: instances (the organization's, created
// when its management account gives sso.amazonaws.com trusted access, and account instances), the
// identity store of each (users, groups, group memberships), permission sets, account assignments
// and the roles they provision in the assigned accounts (AWSReservedSSO_NAME_SUFFIX under
// /aws-reserved/sso.amazonaws.com/).
//
// Users carry, beside the identity store's attributes, their sign-in state for the access portal
// (signin.go): an argon2id password hash, a one-time setup token's hash, failed attempts, MFA
// devices (TOTP, WebAuthn). The API never answers any of it.
//
// Every method takes the calling account first; records live in the account that owns the
// instance (records.go), and a caller that is neither that account nor the organization's
// delegated administrator for sso.amazonaws.com finds nothing. Errors are *awserr.Error with the
// codes of awserr/identitycenter.go.
//
// Sources: the IAM Identity Center API Reference
// (https://docs.aws.amazon.com/singlesignon/latest/APIReference/welcome.html), the Identity Store
// API Reference (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/welcome.html),
// the IAM Identity Center User Guide ("Permission sets", "Referencing permission sets in resource
// policies, Amazon EKS, and AWS KMS", "IAM Identity Center quotas") and the aws-sdk-go-v2
// service/ssoadmin and service/identitystore models. Where AWS does not document an error's text,
// the message says what is wrong in words of its own; the code is AWS's.
package identitycenter

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/uuid"
)

// ServicePrincipal is Identity Center's service principal, whose trusted access creates the
// organization's instance.
const ServicePrincipal = "sso.amazonaws.com"

// Service applies Identity Center's rules over IAM's store. It is safe for concurrent use.
type Service struct {
	st     store.Store
	iam    *iam.Service
	orgs   *orgs.Service
	now    func() time.Time
	pwCost password.Params
	// decoy is the hash a password is checked against when a user has none, so that the answer
	// takes as long either way.
	decoy func() string
	// async runs the background half of asynchronous requests (assignments, provisioning); wg
	// counts those running, for Wait.
	async func(func())
	wg    sync.WaitGroup
	// work serializes the background work.
	work sync.Mutex
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (time.Now by default).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPasswordCost sets the argon2id cost, for tests that hash many passwords.
func WithPasswordCost(p password.Params) Option { return func(s *Service) { s.pwCost = p } }

// New returns a Service over IAM's store and registers, with o, the creation of the organization's
// instance when the management account enables trusted access for sso.amazonaws.com. It returns
// nil when svc is nil.
func New(svc *iam.Service, o *orgs.Service, opts ...Option) *Service {
	if svc == nil {
		return nil
	}
	s := &Service{st: svc.Store(), iam: svc, orgs: o, now: time.Now, pwCost: password.Default}
	for _, opt := range opts {
		opt(s)
	}
	s.decoy = password.Decoy(s.pwCost)
	s.async = func(f func()) { go f() }
	if o != nil {
		o.OnServiceAccessEnabled(ServicePrincipal, s.createOrgInstance)
	}
	return s
}

// Wait returns once the background work of every asynchronous request started so far is done
// (tests, and a clean shutdown).
func (s *Service) Wait() { s.wg.Wait() }

// Now is the service clock's time, UTC, to the millisecond.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

type txn struct{ store.Txn }

// Tag is a tag of an instance or a permission set.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Resource types of ResourceNotFoundException (the identity store's ResourceType enum; sso-admin's
// exception has none, its message names the resource).
const (
	ResourceUser            = "USER"
	ResourceGroup           = "GROUP"
	ResourceIdentityStore   = "IDENTITY_STORE"
	ResourceGroupMembership = "GROUP_MEMBERSHIP"
)

// notFound is the identity store's ResourceNotFoundException (HTTP 404) naming what was not
// found. AWS's message is not documented; this one names the type, as the ResourceType member does.
func notFound(resourceType, id string) error {
	e := awserr.New(awserr.ICResourceNotFound, "%s not found.", resourceType)
	e.Status = http.StatusNotFound
	e.Fields = map[string]string{"ResourceType": resourceType, "ResourceId": id}
	return e
}

// ssoNotFound is sso-admin's ResourceNotFoundException (HTTP 404).
func ssoNotFound(format string, args ...any) error {
	e := awserr.New(awserr.ICResourceNotFound, format, args...)
	e.Status = http.StatusNotFound
	return e
}

// Reasons of ConflictException.
const (
	ReasonUniqueness = "UNIQUENESS_CONSTRAINT_VIOLATION"
	ReasonConcurrent = "CONCURRENT_MODIFICATION"
)

// conflict is ConflictException (HTTP 409); reason is the identity store's Reason member, "" for
// sso-admin's exception, which has none.
func conflict(reason, format string, args ...any) error {
	e := awserr.New(awserr.ICConflict, format, args...)
	e.Status = http.StatusConflict
	if reason != "" {
		e.Fields = map[string]string{"Reason": reason}
	}
	return e
}

// invalid is ValidationException (HTTP 400).
func invalid(format string, args ...any) error {
	return awserr.New(awserr.ICValidation, format, args...)
}

// denied is AccessDeniedException (HTTP 403).
func denied(format string, args ...any) error {
	e := awserr.New(awserr.ICAccessDenied, format, args...)
	e.Status = http.StatusForbidden
	return e
}

// quota is ServiceQuotaExceededException (HTTP 402).
func quota(format string, args ...any) error {
	e := awserr.New(awserr.ICServiceQuotaExceeded, format, args...)
	e.Status = http.StatusPaymentRequired
	return e
}

// randomHex returns n random lower-case hex digits (n even).
func randomHex(n int) string {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID, the form of identity store IDs and request IDs.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuid.Format(b)
}
