// Package sns is Amazon SNS's domain: topics with their attributes, access policy and tags;
// subscriptions, which stay pending until their endpoint confirms them (Amazon SNS Developer
// Guide, "Subscribing to an Amazon SNS topic"); publishing; and the asynchronous delivery of
// every message — email and SMS through internal/notify, HTTP/S as AWS's signed JSON — with
// retries and a record of every attempt (delivery.go).
//
// Records (records.go) are store.Kind records on both backends. Topics live in their owner's
// account; subscriptions and deliveries are global records, since a subscription may belong to
// another account than its topic, and its owner lists it (ListSubscriptions).
//
// The HTTP layer (internal/api/snsapi) decodes and authorizes; this package decides what a
// topic's access policy allows a service principal (PublishAs) and holds everything else. What
// Rootward serves to subscribers without AWS credentials — the signing certificate, the
// SubscribeURL and the UnsubscribeURL — is CertHandler's (handler.go).
package sns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
)

// Notifier sends email and SMS (internal/notify's Notifier).
type Notifier interface {
	Send(ctx context.Context, m notify.Message) error
}

// Config configures a Service.
type Config struct {
	Store  store.Store
	Sealer *seal.Sealer
	// Notifier sends the email, email-json and sms deliveries (required for those protocols).
	Notifier Notifier
	// PublicURL is the base URL subscribers reach Rootward at ("https://rootward.example.com"):
	// SubscribeURL, UnsubscribeURL and SigningCertURL are paths under it, which CertHandler
	// serves.
	PublicURL string
	// Region is the region topics are created in (default us-east-1).
	Region string
	Now    func() time.Time
	Log    *slog.Logger
	// Transport carries the HTTP/S deliveries (default: a clone of http.DefaultTransport). A test
	// passes one that trusts its local subscriber's certificate.
	Transport http.RoundTripper
}

// Service is SNS over a store. It is safe for concurrent use.
type Service struct {
	st        store.Store
	seal      *seal.Sealer
	notifier  Notifier
	publicURL string
	region    string
	now       func() time.Time
	log       *slog.Logger
	client    *http.Client

	// wake tells the delivery loop (Run) that deliveries were queued.
	wake chan struct{}
	// seq orders the deliveries this process queues at one clock reading.
	seq atomic.Uint64

	keyMu sync.Mutex
	key   *signingKey // the current signing key, once loaded or made
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{
		st: cfg.Store, seal: cfg.Sealer, notifier: cfg.Notifier, region: cfg.Region, now: cfg.Now, log: cfg.Log,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), wake: make(chan struct{}, 1),
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.client = deliveryClient(cfg.Transport)
	return s
}

// createOnce runs fn, an idempotent create, in a transaction, and once more when a concurrent
// request created the same record first (store.ErrExists, also as a unique index's
// ErrIndexTaken): the second run finds that record and answers as for a repeated request.
func (s *Service) createOnce(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.st.Update(ctx, fn)
	if errors.Is(err, store.ErrExists) {
		err = s.st.Update(ctx, fn)
	}
	return err
}

// Region is the region the service's topics are in.
func (s *Service) Region() string { return s.region }

// The error codes of the SNS API Reference ("Errors" of each action, and "Common Errors"), with
// their HTTP statuses. Each error carries its status itself (awserr.Error.Status), so the wire
// layer answers it whatever its registry holds.
const (
	CodeAuthorizationError    awserr.Code = "AuthorizationError"    // 403
	CodeInvalidParameter      awserr.Code = "InvalidParameter"      // 400
	CodeParameterValueInvalid awserr.Code = "ParameterValueInvalid" // 400 (InvalidParameterValueException)
	CodeNotFound              awserr.Code = "NotFound"              // 404
	CodeResourceNotFound      awserr.Code = "ResourceNotFound"      // 404
	CodeTagLimitExceeded      awserr.Code = "TagLimitExceeded"      // 400
	CodeTagPolicy             awserr.Code = "TagPolicy"             // 400
	CodeTopicLimitExceeded    awserr.Code = "TopicLimitExceeded"    // 403
)

// Errorf returns an SNS error with its HTTP status.
func Errorf(code awserr.Code, format string, args ...any) *awserr.Error {
	e := awserr.New(code, format, args...)
	switch code {
	case CodeAuthorizationError, CodeTopicLimitExceeded:
		e.Status = http.StatusForbidden
	case CodeNotFound, CodeResourceNotFound:
		e.Status = http.StatusNotFound
	default:
		e.Status = http.StatusBadRequest
	}
	return e
}

// invalid is InvalidParameter with AWS's "Invalid parameter: " prefix.
func invalid(format string, args ...any) *awserr.Error {
	return Errorf(CodeInvalidParameter, "Invalid parameter: "+format, args...)
}

var (
	errTopicNotFound = Errorf(CodeNotFound, "Topic does not exist")
	errSubNotFound   = Errorf(CodeNotFound, "Subscription does not exist")
)

// TopicARN is the ARN of account's topic name in the service's region.
func (s *Service) TopicARN(account, name string) string {
	return arn.ARN{Partition: "aws", Service: "sns", Region: s.region, Account: account, Resource: name}.String()
}

// ParseTopicARN splits a topic ARN of the service's region into its account and name, or answers
// InvalidParameter naming member ("TopicArn", "TargetArn", "ResourceArn").
func (s *Service) ParseTopicARN(topicARN, member string) (account, name string, err error) {
	a, perr := arn.Parse(topicARN)
	if perr != nil || a.Partition != "aws" || a.Service != "sns" || a.Region != s.region || !isAccountID(a.Account) || !validTopicName(a.Resource) {
		return "", "", invalid("%s", member)
	}
	return a.Account, a.Resource, nil
}

// parseSubscriptionARN splits a subscription ARN (the topic's ARN, ":", the subscription's ID)
// into its topic ARN and ID.
func (s *Service) parseSubscriptionARN(subARN string) (topicARN, id string, err error) {
	i := strings.LastIndexByte(subARN, ':')
	if i < 0 {
		return "", "", invalid("SubscriptionArn")
	}
	topicARN, id = subARN[:i], subARN[i+1:]
	if _, _, err := s.ParseTopicARN(topicARN, "SubscriptionArn"); err != nil || !validID(id) {
		return "", "", invalid("SubscriptionArn")
	}
	return topicARN, id, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validTopicName is CreateTopic's rule: "Topic names must be made up of only uppercase and
// lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256
// characters long" (SNS API Reference, CreateTopic), a FIFO topic's name ending in ".fifo"
// (whether a name fits its topic's type is CreateTopic's to check).
func validTopicName(n string) bool {
	if n == "" || len(n) > 256 {
		return false
	}
	n = strings.TrimSuffix(n, fifoSuffix)
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// newID is a random UUID (version 4), the form of AWS's subscription and message IDs.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// newToken is a confirmation token: 32 random bytes, hex (AWS's tokens are longer hex strings;
// the length is Rootward's).
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
