// Package orgs is Rootward's AWS Organizations domain: organizations with their root, organizational
// units and member accounts, account creation and invitations (handshakes), service control
// policies and their attachments, trusted service access, delegated administrators, and the two
// centralized-root-access features of IAM (RootCredentialsManagement, RootSessions). The Service
// applies Organizations' rules over a store.Store; the server package puts it on the wire
// (awsJson 1.1, X-Amz-Target AWSOrganizationsV20161128.*) and asks it, when it authorizes a
// request, which SCPs apply to the caller's account.
//
// Every method takes the calling account first: Organizations decides what a caller may do by the
// account it belongs to (the management account, a delegated administrator, a member or an
// outsider) after IAM has authorized the action itself. Errors are *awserr.Error with the
// Organizations shape names the SDKs match (AccessDeniedException, ConstraintViolationException
// with its Reason, …); the IAM root-access operations answer IAM's codes.
//
// Sources: the AWS Organizations API Reference (operations, errors, ID patterns) and User Guide
// ("Quotas for AWS Organizations", "Service control policies"), the aws-sdk-go-v2
// service/organizations model, and the IAM API Reference pages of the centralized root access
// operations (e.g. https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootCredentialsManagement.html).
package orgs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
)

// Feature sets, account states and other enumerations (aws-sdk-go-v2 service/organizations/types).
const (
	FeatureSetAll                 = "ALL"
	FeatureSetConsolidatedBilling = "CONSOLIDATED_BILLING"

	JoinedCreated = "CREATED"
	JoinedInvited = "INVITED"

	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"

	ChildAccount = "ACCOUNT"
	ChildOU      = "ORGANIZATIONAL_UNIT"
	ParentRoot   = "ROOT"

	TypeSCP = "SERVICE_CONTROL_POLICY"

	// IAMService is the service principal of IAM, whose trusted access and delegated
	// administrator gate centralized root access.
	IAMService = "iam.amazonaws.com"

	// The centralized root access features (IAM API reference, FeatureType).
	FeatureRootCredentialsManagement = "RootCredentialsManagement"
	FeatureRootSessions              = "RootSessions"
)

// Limits from "Quotas for AWS Organizations" (Organizations User Guide): OUs nest at most five
// levels below the root; at most five SCPs are attached to one root, OU or account; an SCP is at
// most 5,120 characters; an organization holds at most 1,000 policies of a type and 1,000 OUs.
const (
	maxOUDepth           = 5
	maxPoliciesPerTarget = 5
	maxPolicySize        = 5120
	maxPoliciesPerType   = 1000
	maxOUs               = 1000
	handshakeLifetime    = 15 * 24 * time.Hour
	defaultMaxResults    = 20
)

// Service applies Organizations' rules. It is safe for concurrent use.
type Service struct {
	st  store.Store
	iam *iam.Service
	now func() time.Time
	// onAccess are the hooks OnServiceAccessEnabled set, by service principal.
	onAccess map[string]AccessHook
}

// AccessHook is told, inside the transaction of EnableAWSServiceAccess, that a service gained
// trusted access to o: what it writes commits with the change or not at all (IAM Identity
// Center creates the organization's instance at once). It runs only when access was not
// enabled before.
type AccessHook func(tx store.Txn, o *Organization, at time.Time) error

// OnServiceAccessEnabled sets the hook of service principal p. Set hooks before the service is
// used; it is not safe to call concurrently with EnableAWSServiceAccess.
func (s *Service) OnServiceAccessEnabled(p string, hook AccessHook) {
	if s.onAccess == nil {
		s.onAccess = map[string]AccessHook{}
	}
	s.onAccess[p] = hook
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New returns a Service over the IAM service's store. IAM creates the accounts Organizations makes.
func New(svc *iam.Service, opts ...Option) *Service {
	s := &Service{st: svc.Store(), iam: svc, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Now returns the service clock's time truncated to seconds.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Reasons of ConstraintViolationException, InvalidInputException and
// HandshakeConstraintViolationException (the SDK's *ExceptionReason enums).
const (
	ReasonOUDepth                 = "OU_DEPTH_LIMIT_EXCEEDED"
	ReasonOUNumber                = "OU_NUMBER_LIMIT_EXCEEDED"
	ReasonPolicyNumber            = "POLICY_NUMBER_LIMIT_EXCEEDED"
	ReasonPolicyContent           = "POLICY_CONTENT_LIMIT_EXCEEDED"
	ReasonMaxAttachments          = "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
	ReasonMinAttachments          = "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
	ReasonNotAllFeatures          = "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"
	ReasonMasterAsDelegated       = "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
	ReasonRemoveDelegated         = "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
	ReasonDelegatedExists         = "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE"
	ReasonServiceAccessNotEnabled = "SERVICE_ACCESS_NOT_ENABLED"
	ReasonCloseManagement         = "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
	ReasonAlreadyInOrganization   = "ALREADY_IN_AN_ORGANIZATION"
	ReasonInputRequired           = "INPUT_REQUIRED"
	ReasonInvalidPattern          = "INVALID_PATTERN"
	ReasonInvalidTargetID         = "INVALID_PATTERN_TARGET_ID"
	ReasonInvalidEnum             = "INVALID_ENUM"
	ReasonInvalidPolicyType       = "INVALID_ENUM_POLICY_TYPE"
	ReasonMaxLength               = "MAX_LENGTH_EXCEEDED"
	ReasonMinLength               = "MIN_LENGTH_EXCEEDED"
	ReasonMaxValue                = "MAX_VALUE_EXCEEDED"
	ReasonMinValue                = "MIN_VALUE_EXCEEDED"
	ReasonImmutablePolicy         = "IMMUTABLE_POLICY"
	ReasonInvalidNextToken        = "INVALID_NEXT_TOKEN"
	ReasonUnknownService          = "UNRECOGNIZED_SERVICE_PRINCIPAL"
	ReasonInvalidRoleName         = "INVALID_ROLE_NAME"
	ReasonInvalidPartyType        = "INVALID_PARTY_TYPE_TARGET"
	ReasonInvalidEmailTarget      = "INVALID_EMAIL_ADDRESS_TARGET"
)

func errorf(code awserr.Code, format string, args ...any) error {
	return awserr.New(code, format, args...)
}

// withReason returns an error carrying the Reason member of Organizations' JSON errors.
func withReason(code awserr.Code, reason, format string, args ...any) error {
	e := awserr.New(code, format, args...)
	e.Fields = map[string]string{"Reason": reason}
	return e
}

func invalid(reason, format string, args ...any) error {
	return withReason(awserr.OrgsInvalidInput, reason, format, args...)
}

func constraint(reason, format string, args ...any) error {
	return withReason(awserr.OrgsConstraintViolation, reason, format, args...)
}

// errPattern is Organizations' refusal of a value outside its parameter's pattern (the
// InvalidInputException reason INVALID_PATTERN: "You provided a value that doesn't match the
// required pattern", API Reference, InvalidInputException).
func errPattern(param string) error {
	return invalid(ReasonInvalidPattern, "You provided a value that doesn't match the required pattern for %s.", param)
}

// hasControl reports whether s holds a NUL or another control character (Unicode Cc: C0, DEL, C1).
// Organizations' free-text names (OU and policy Name and Description, pattern [\s\S]*) accept
// any character; Rootward refuses these, which no name needs and which would reach logs, the
// console and CloudTrail records raw.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// Messages of the common refusals, worded as AWS words them.
var (
	errNotInUse = errorf(awserr.OrgsNotInUse, "Your account is not a member of an organization.")
	errDenied   = errorf(awserr.OrgsAccessDenied, "You don't have permissions to access this resource.")
)

// txn is Organizations' transaction: the store's, with Organizations' reads and writes as methods.
type txn struct{ store.Txn }

// view runs fn in a read-only transaction.
func (s *Service) view(ctx context.Context, fn func(t txn) error) error {
	return store.View(ctx, s.st, fn)
}

// update runs fn in a write transaction. fn returns the accounts whose policies its change
// affects, which documents each operation's reach; caches need no more: the store's change feed
// tells them which objects fn wrote, and each cached policy set knows which objects it was built
// from (an SCP attached to an OU reaches every account below it because each account's
// placement read that OU's attachments).
func (s *Service) update(ctx context.Context, fn func(t txn) ([]string, error)) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		_, err := fn(txn{store.Txn{Tx: tx}})
		return err
	})
}

// lowerAlnum is the alphabet of Organizations IDs after their prefix: o-[a-z0-9]{10,32},
// r-[0-9a-z]{4,32}, ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}, p-[0-9a-zA-Z_]{8,128}, car-[a-z0-9]{8,32},
// h-[0-9a-z]{8,32} (Organizations API Reference, the Id parameters' patterns).
const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = lowerAlnum[int(b[i])%len(lowerAlnum)]
	}
	return string(b)
}

// Page is one page of a NextToken/MaxResults listing.
type Page[T any] struct {
	Items     []T
	NextToken string
}

// ListOpts are the pagination inputs; MaxResults 0 means the default (20) unless MaxResultsGiven
// says the caller sent it (MaxResults is 1–20 on every list operation, API Reference: an explicit
// 0 is refused).
type ListOpts struct {
	NextToken       string
	MaxResults      int
	MaxResultsGiven bool
}

func (o ListOpts) limit() (int, error) {
	if o.MaxResults == 0 && !o.MaxResultsGiven {
		return defaultMaxResults, nil
	}
	return o.MaxResults, CheckMaxResults(o.MaxResults)
}

// CheckMaxResults checks a MaxResults a caller sent: every Organizations list operation takes 1–20
// (API Reference, e.g. ListAccounts: "Valid Range: Minimum value of 1. Maximum value of 20"), also
// those that answer everything in one page. Returns InvalidInputException MIN_VALUE_EXCEEDED or
// MAX_VALUE_EXCEEDED.
func CheckMaxResults(n int) error {
	switch {
	case n < 1:
		return invalid(ReasonMinValue, "MaxResults must be at least 1.")
	case n > defaultMaxResults:
		return invalid(ReasonMaxValue, "MaxResults must be at most %d.", defaultMaxResults)
	}
	return nil
}

// pageKeys reads the page o asks for of the keys of (kind, scope) under prefix, in key order,
// handing load each key without the prefix; NextToken is the last key returned, without the
// prefix too. It reads one page of keys (store.ReadPage), not the whole range.
func pageKeys[T any](t txn, kind, scope, prefix string, o ListOpts, load func(key string) (T, bool, error)) (Page[T], error) {
	return paginate(store.Range(t, kind, scope, prefix), prefix, o, load)
}

// paginate reads the page o asks for of src, whose positions are prefix followed by the key load
// is given and NextToken holds.
func paginate[T any](src store.Source, prefix string, o ListOpts, load func(key string) (T, bool, error)) (Page[T], error) {
	return pageItems(src, prefix, o, func(it store.Item) (T, bool, error) { return load(it.Key) })
}

// pageItems is paginate handing load the whole item (a record's body), its key without the prefix.
func pageItems[T any](src store.Source, prefix string, o ListOpts, load func(it store.Item) (T, bool, error)) (Page[T], error) {
	limit, err := o.limit()
	if err != nil {
		return Page[T]{}, err
	}
	after := ""
	if o.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(o.NextToken)
		if err != nil || len(b) == 0 {
			return Page[T]{}, invalid(ReasonInvalidNextToken, "The NextToken is not valid.")
		}
		after = prefix + string(b)
	}
	p, err := store.ReadPage(src, after, limit, func(it store.Item) (T, bool, error) {
		it.Key = strings.TrimPrefix(it.Key, prefix)
		return load(it)
	})
	if err != nil {
		return Page[T]{}, err
	}
	out := Page[T]{Items: p.Items}
	if p.Truncated {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(strings.TrimPrefix(p.Last, prefix)))
	}
	return out, nil
}

// pageSlice pages a list computed whole: the NextToken is the index of the page's first item.
func pageSlice[T any](items []T, o ListOpts) (Page[T], error) {
	limit, err := o.limit()
	if err != nil {
		return Page[T]{}, err
	}
	start := 0
	if o.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(o.NextToken)
		n, convErr := strconv.Atoi(string(b))
		if err != nil || convErr != nil || n < 0 || n > len(items) {
			return Page[T]{}, invalid(ReasonInvalidNextToken, "The NextToken is not valid.")
		}
		start = n
	}
	end := min(start+limit, len(items))
	out := Page[T]{Items: items[start:end]}
	if end < len(items) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return out, nil
}
