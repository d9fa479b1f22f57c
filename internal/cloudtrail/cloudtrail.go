// Package cloudtrail is Rootward's AWS CloudTrail domain: the event history that LookupEvents
// reads (the trail's event log, internal/trail), and trails — the configurations under which
// log files and digests are delivered (internal/trail/logfiles reads them with LoggingTrails and
// reports back with SetDeliveryStatus). Organization trails are the management account's; member
// accounts see them and cannot change them.
//
// Every method takes the calling account (and, for trails, the region answered for) first. Errors
// are *awserr.Error with CloudTrail's shape names (awserr/cloudtrail.go), which the SDKs match.
//
// Sources: the AWS CloudTrail API Reference (operations, errors:
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/), the CloudTrail User Guide
// ("Creating a trail for an organization", "Naming requirements for CloudTrail resources, S3
// buckets, and KMS keys", "Quotas in AWS CloudTrail") and the aws-sdk-go-v2 service/cloudtrail
// model. Where AWS does not document an error's text, the message here says what is wrong in
// words of its own; the code is AWS's.
package cloudtrail

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
	"github.com/rootward/rootward/internal/trail/logfiles"
)

// ServicePrincipal is CloudTrail's service principal, whose trusted access an organization trail
// needs (CloudTrail User Guide, "Enabling CloudTrail trusted access with AWS Organizations").
const ServicePrincipal = "cloudtrail.amazonaws.com"

// Service applies CloudTrail's rules over a store. It is safe for concurrent use.
type Service struct {
	st   store.Store
	orgs *orgs.Service
	now  func() time.Time
	// publicKeys lists the digest signing keys: by default those the log-file deliverer keeps in
	// the store (logfiles.PublicKeys); nil answers none.
	publicKeys func(ctx context.Context, start, end time.Time) ([]PublicKey, error)
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (time.Now by default).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPublicKeys sets the source of ListPublicKeys: the digest signing keys valid in a time range.
func WithPublicKeys(fn func(ctx context.Context, start, end time.Time) ([]PublicKey, error)) Option {
	return func(s *Service) { s.publicKeys = fn }
}

// New returns a Service over IAM's store, consulting o for organization trails; ListPublicKeys
// answers the digest signing keys the log-file deliverer keeps in that store. It returns nil
// when svc is nil (a server built without IAM serves nothing).
func New(svc *iam.Service, o *orgs.Service, opts ...Option) *Service {
	if svc == nil {
		return nil
	}
	s := &Service{st: svc.Store(), orgs: o, now: time.Now}
	s.publicKeys = func(ctx context.Context, start, end time.Time) ([]PublicKey, error) {
		return logfiles.PublicKeys(ctx, s.st, start, end)
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// SetPublicKeys sets the source of ListPublicKeys after construction (a test's keys).
func (s *Service) SetPublicKeys(fn func(ctx context.Context, start, end time.Time) ([]PublicKey, error)) {
	s.publicKeys = fn
}

// PublicKey is a digest signing key (CloudTrail API Reference, "PublicKey"): Value is its DER,
// Fingerprint the hex MD5 of Value. The log-file deliverer (internal/trail/logfiles) owns the keys.
type PublicKey = logfiles.PublicKey

// ListPublicKeys returns the public keys whose validity overlaps [start, end]. With neither given,
// AWS answers the keys of the last 24 hours; start after end is InvalidTimeRangeException.
func (s *Service) ListPublicKeys(ctx context.Context, start, end *time.Time) ([]PublicKey, error) {
	now := s.now().UTC()
	e := now
	if end != nil {
		e = end.UTC()
	}
	b := e.Add(-24 * time.Hour)
	if start != nil {
		b = start.UTC()
	}
	if b.After(e) {
		return nil, awserr.New(awserr.CTInvalidTimeRange, "StartTime must be earlier than EndTime.")
	}
	if s.publicKeys == nil {
		return nil, nil
	}
	return s.publicKeys(ctx, b, e)
}

// Lookup attribute keys (CloudTrail API Reference, "LookupAttribute").
const (
	AttrEventID      = "EventId"
	AttrEventName    = "EventName"
	AttrReadOnly     = "ReadOnly"
	AttrUsername     = "Username"
	AttrResourceType = "ResourceType"
	AttrResourceName = "ResourceName"
	AttrEventSource  = "EventSource"
	AttrAccessKeyID  = "AccessKeyId"
)

// CategoryInsight is the one EventCategory LookupEvents takes: Insights events, of which Rootward
// raises none.
const CategoryInsight = "insight"

// LookupQuery is a LookupEvents request after its paging token was opened.
type LookupQuery struct {
	// AttributeKey and AttributeValue are the one lookup attribute, if any.
	AttributeKey, AttributeValue string
	HasAttribute                 bool
	Start, End                   *time.Time
	Category                     string
	// Limit is the page size (1–50, default 50); After the position of the page before.
	Limit int
	After string
}

// MaxLookupResults is LookupEvents' largest and default page.
const MaxLookupResults = 50

// CheckLookup validates a LookupEvents request's members: the attribute's key and value, the time
// range, the category and the page size. It changes nothing, so it runs before authorization.
func CheckLookup(q *LookupQuery, attributes int) error {
	if attributes > 1 {
		// "Currently the list can contain only one item." (API Reference, LookupEvents)
		return awserr.New(awserr.CTInvalidLookupAttributes, "You can specify only one lookup attribute.")
	}
	if q.HasAttribute {
		switch q.AttributeKey {
		case AttrEventID, AttrEventName, AttrEventSource:
		case AttrReadOnly:
			if q.AttributeValue != "true" && q.AttributeValue != "false" {
				return awserr.New(awserr.CTInvalidLookupAttributes, "The value of the ReadOnly lookup attribute must be true or false.")
			}
		case AttrUsername, AttrResourceType, AttrResourceName, AttrAccessKeyID:
			if q.Category == CategoryInsight {
				// Insights events are looked up by EventId, EventName and EventSource only.
				return awserr.New(awserr.CTInvalidLookupAttributes, "Insights events can be looked up only by EventId, EventName or EventSource, not by %s.", q.AttributeKey)
			}
		default:
			return awserr.New(awserr.CTInvalidLookupAttributes, "The lookup attribute key %q is not valid; use one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource or AccessKeyId.", q.AttributeKey)
		}
		if q.AttributeValue == "" || len(q.AttributeValue) > 2000 {
			// AttributeValue is 1–2000 characters (API Reference, LookupAttribute).
			return awserr.New(awserr.CTInvalidLookupAttributes, "The lookup attribute value must be 1 to 2000 characters long.")
		}
	}
	if q.Start != nil && q.End != nil && q.Start.After(*q.End) {
		return awserr.New(awserr.CTInvalidTimeRange, "StartTime must be earlier than EndTime.")
	}
	if q.Category != "" && q.Category != CategoryInsight {
		return awserr.New(awserr.CTInvalidEventCategory, "The event category %q is not valid; the only valid category is insight.", q.Category)
	}
	if q.Limit < 0 || q.Limit > MaxLookupResults {
		return awserr.New(awserr.CTInvalidMaxResults, "MaxResults must be between 1 and 50.")
	}
	return nil
}

// LookupEvents returns a page of account's events, newest first, as LookupEvents does: those that
// match the attribute, if any, in the time range. Returns the errors of CheckLookup, and
// InvalidNextTokenException for a position no page gave.
//
// Username matches the event log's user name column (trail.LookupUserName): the IAM user name the
// event's userIdentity carries, "root" for the root user's events, privileged root sessions'
// included, or an assumed role's session name (the Username CloudTrail shows for them). Each is an
// index range read.
func (s *Service) LookupEvents(ctx context.Context, account string, q LookupQuery) (trail.Page, error) {
	if err := CheckLookup(&q, 0); err != nil {
		return trail.Page{}, err
	}
	if q.Category == CategoryInsight {
		return trail.Page{}, nil
	}
	tq := trail.Query{Account: account, Newest: true, Limit: q.Limit, After: q.After}
	if tq.Limit == 0 {
		tq.Limit = MaxLookupResults
	}
	if q.Start != nil {
		tq.Start = q.Start.UTC()
	}
	if q.End != nil {
		tq.End = q.End.UTC()
	}
	if q.HasAttribute {
		v := q.AttributeValue
		switch q.AttributeKey {
		case AttrEventID:
			tq.EventID = v
		case AttrEventName:
			tq.EventName = v
		case AttrEventSource:
			tq.EventSource = v
		case AttrReadOnly:
			ro := v == "true"
			tq.ReadOnly = &ro
		case AttrUsername:
			tq.UserName = v
		case AttrResourceType:
			tq.ResourceType = v
		case AttrResourceName:
			tq.ResourceName = v
		case AttrAccessKeyID:
			tq.AccessKeyID = v
		}
	}
	p, err := trail.List(ctx, s.st, tq)
	if err == trail.ErrBadToken {
		return p, awserr.New(awserr.CTInvalidNextToken, "The NextToken is not valid.")
	}
	return p, err
}

// Username is the user name LookupEvents shows for an event: the IAM user's name, "root" for the
// root user (privileged root sessions included), a role session's name, else the principal ID.
func Username(e *trail.Event) string {
	u := &e.UserIdentity
	if n := trail.LookupUserName(u); n != "" {
		return n
	}
	switch {
	case u.Type == "AssumedRole" && u.ARN != "":
		for i := len(u.ARN) - 1; i >= 0; i-- {
			if u.ARN[i] == '/' {
				return u.ARN[i+1:]
			}
		}
	}
	return u.PrincipalID
}
