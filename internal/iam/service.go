package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
)

// Object kinds in the store. Names are folded to lower case in keys because IAM names are unique
// case-insensitively ("names are not distinguished by case", IAM User Guide, IAM identifiers).
// The principals' kinds are typed records, declared in records.go.
const (
	kindAttached     = "attached" // ptype \x00 lower(name) \x00 policy ARN → AttachedPolicy
	kindInline       = "inline"   // ptype \x00 lower(name) \x00 policy name → inlinePolicy
	kindUserMFA      = "usermfa"  // lower(user) \x00 serial → {}
	principalUserT   = "user"
	principalGroupT  = "group"
	principalRoleT   = "role"
	sep              = "\x00"
	defaultMaxItems  = 100
	maxItemsCeiling  = 1000
	accessKeysPerUsr = 2
)

// Service applies IAM's rules over a store. It is safe for concurrent use.
type Service struct {
	st     store.Store
	seal   *seal.Sealer
	now    func() time.Time
	pwCost password.Params
	// guesses limit the guessing of MFA codes and old passwords on the API (guessing.go).
	guesses *throttle.Counters
	// publicURL is the base URL outbound federation's issuers live under (SetPublicURL).
	publicURL atomic.Pointer[string]
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPasswordCost sets the argon2id cost, for tests that hash many passwords.
func WithPasswordCost(p password.Params) Option { return func(s *Service) { s.pwCost = p } }

// New returns a Service over st, sealing secrets with sealer.
func New(st store.Store, sealer *seal.Sealer, opts ...Option) *Service {
	s := &Service{st: st, seal: sealer, now: time.Now, pwCost: password.Default}
	for _, o := range opts {
		o(s)
	}
	s.guesses = throttle.New(st, throttle.DefaultLimits, s.now)
	return s
}

// Store returns the underlying store.
func (s *Service) Store() store.Store { return s.st }

// Subkey derives a key for one purpose from the master key (seal.Sealer.Subkey).
func (s *Service) Subkey(purpose string) []byte { return s.seal.Subkey(purpose) }

// Seal encrypts a secret under the master key, bound to ad (the same ad opens it), for callers
// that keep a secret briefly outside IAM's own records (the console's one-time reveal of a new
// access key).
func (s *Service) Seal(plaintext []byte, ad string) []byte { return s.seal.Seal(plaintext, ad) }

// Unseal decrypts a value made by Seal with the same ad.
func (s *Service) Unseal(sealed []byte, ad string) ([]byte, error) { return s.seal.Open(sealed, ad) }

// Now returns the service clock's time truncated to seconds, the precision IAM reports.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// txn is IAM's transaction: the store's, with IAM's reads and writes as methods.
type txn struct{ store.Txn }

// update runs fn in a write transaction. account names the account fn writes in, for the
// reader; nothing else is kept per account: the store's change feed (store.Feed) tells every
// node's caches which objects fn wrote, so concurrent writes to different entities of one account
// share no row.
func (s *Service) update(ctx context.Context, account string, fn func(t txn) error) error {
	_ = account
	return store.Update(ctx, s.st, fn)
}

func (s *Service) view(ctx context.Context, fn func(t txn) error) error {
	return store.View(ctx, s.st, fn)
}

// fold is the store key of an IAM name.
func fold(name string) string { return strings.ToLower(name) }

// idAlphabet is the alphabet of IAM unique IDs after their 4-letter prefix (upper-case letters and
// digits 2–7, as in base32, which is what real IDs such as AIDAJQABLZS4A3QDU576Q draw from).
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newID returns prefix followed by n random characters of idAlphabet.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

// newSecret returns a 40-character secret access key.
func newSecret() string {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Validation patterns from the IAM API reference (e.g. CreateUser: UserName pattern [\w+=,.@-]+,
// Path pattern (\u002F)|(\u002F[\u0021-\u007E]+\u002F)).
var (
	namePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern   = regexp.MustCompile(`^(/|/[\x{21}-\x{7E}]+/)$`)
	prefixPattern = regexp.MustCompile(`^\x{2F}[\x{21}-\x{7F}]*$`)
)

func checkName(param, v string, max int) error {
	if v == "" {
		return missing(param)
	}
	if len(v) > max {
		return invalid(param, v, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	if !namePattern.MatchString(v) {
		return invalid(param, v, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// checkPath validates a path a caller chose for a user, group, role, policy or virtual MFA device:
// the API's pattern, and none of the paths AWS reserves for itself (see reservedPath).
func checkPath(param, v string) error {
	if err := checkPathSyntax(param, v); err != nil {
		return err
	}
	if p := reservedPath(v); p != "" {
		// AWS's text for other entities than roles is not documented; Rootward's own.
		return awserr.New(awserr.InvalidInput, "Path prefix '%s' is reserved for use by AWS.", p)
	}
	return nil
}

func checkPathSyntax(param, v string) error {
	if len(v) > 512 {
		return invalid(param, v, "Member must have length less than or equal to 512")
	}
	if !pathPattern.MatchString(v) {
		return invalid(param, v, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return nil
}

// Path prefixes AWS keeps for the entities its services create: /aws-service-role/ holds the
// service-linked roles (IAM User Guide, "Using service-linked roles"), /aws-reserved/ the roles
// IAM Identity Center provisions (sso.amazonaws.com). No caller may create an entity under them,
// so that nothing there can pass for AWS's own — though no authorization decision reads a path:
// a service-linked role is one because Rootward created it as one (Role.ServiceLinked).
const (
	ServiceRolePath  = "/aws-service-role/"
	reservedRootPath = "/aws-reserved/"
)

// reservedPath returns the reserved prefix v starts with, or "". Paths are case-sensitive in IAM,
// but the prefixes are refused in any case: a look-alike such as /AWS-Service-Role/ is no use to
// a caller and could mislead a reader.
func reservedPath(v string) string {
	for _, p := range []string{ServiceRolePath, reservedRootPath} {
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) {
			return p
		}
	}
	return ""
}

func checkPathPrefix(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > 512 || !prefixPattern.MatchString(v) {
		return invalid("PathPrefix", v, `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	return nil
}

func missing(param string) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(param))
}

func invalid(param, value, constraint string) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: %s", violation(param, value, constraint))
}

// violation is one violated constraint as a validation error message names it.
func violation(param, value, constraint string) string {
	return "Value '" + value + "' at '" + lowerFirst(param) + "' failed to satisfy constraint: " + constraint
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// notFound answers a lookup by name that found nothing: the parameter's ValidationError when the
// name could not be one (a NUL or control character, a character outside the pattern, too long),
// as IAM validates the request before looking anything up; NoSuchEntity otherwise. Every stored
// name passes the check, so it never hides an entity.
func notFound(param, name string, max int, kind string) error {
	if err := checkName(param, name, max); err != nil {
		return err
	}
	return noSuch(kind, name)
}

func noSuch(kind, name string) error {
	return awserr.New(awserr.NoSuchEntity, "The %s with name %s cannot be found.", kind, name)
}

// Page is one page of a Marker/MaxItems listing.
type Page[T any] struct {
	Items       []T
	IsTruncated bool
	Marker      string
}

// ListOpts are the common pagination inputs. MaxItems 0 means the default, 100.
type ListOpts struct {
	Marker   string
	MaxItems int
}

func (o ListOpts) limit() (int, error) {
	switch {
	case o.MaxItems == 0:
		return defaultMaxItems, nil
	case o.MaxItems < 1 || o.MaxItems > maxItemsCeiling:
		return 0, invalid("MaxItems", fmt.Sprint(o.MaxItems), "Member must have value between 1 and 1000")
	}
	return o.MaxItems, nil
}

// markerKey decodes a Marker: the opaque base64 of the last key returned.
func markerKey(m string) (string, error) {
	if m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return "", awserr.New(awserr.InvalidInput, "Invalid Marker.")
	}
	return string(b), nil
}

func encodeMarker(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// readPage reads the page o asks for of src; the Marker is the position of the last item returned.
func readPage[T any](src store.Source, o ListOpts, decode func(it store.Item) (T, bool, error)) (Page[T], error) {
	limit, err := o.limit()
	if err != nil {
		return Page[T]{}, err
	}
	after, err := markerKey(o.Marker)
	if err != nil {
		return Page[T]{}, err
	}
	p, err := store.ReadPage(src, after, limit, decode)
	if err != nil {
		return Page[T]{}, err
	}
	out := Page[T]{Items: p.Items, IsTruncated: p.Truncated}
	if p.Truncated {
		out.Marker = encodeMarker(p.Last)
	}
	return out, nil
}
