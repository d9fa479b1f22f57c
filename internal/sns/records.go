package sns

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The stored records of SNS. Record types are separate from the domain types the API encodes.

const (
	kindTopic        = "sns.topic"        // the topic's account: name → topicRecord
	kindSubscription = "sns.subscription" // global: subscription ID → subscriptionRecord
	kindDelivery     = "sns.delivery"     // global: time-ordered ID → deliveryRecord
	kindSigningKey   = "sns.signingkey"   // global: key ID → signingKeyRecord
	kindUnsubscribed = "sns.unsubscribed" // global: token hash → unsubscribedRecord
)

// topicRecord is a topic as stored. Policy "" is AWS's default policy (defaultPolicy), rendered
// when read, so that the default follows the topic's ARN.
type topicRecord struct {
	Name             string    `json:"name"`
	DisplayName      string    `json:"displayName,omitempty"`
	Policy           string    `json:"policy,omitempty"`
	DeliveryPolicy   string    `json:"deliveryPolicy,omitempty"`
	SignatureVersion string    `json:"signatureVersion,omitempty"`
	TracingConfig    string    `json:"tracingConfig,omitempty"`
	KmsMasterKeyID   string    `json:"kmsMasterKeyId,omitempty"`
	Tags             []Tag     `json:"tags,omitempty"`
	Created          time.Time `json:"created"`
	// Deleted counts the subscriptions removed from the topic (SubscriptionsDeleted).
	Deleted int `json:"deleted,omitempty"`
	// Fifo marks a FIFO topic (FifoTopic, set at creation only), ContentDedup its
	// ContentBasedDeduplication, Seq the SequenceNumber of its last message (fifo.go).
	Fifo         bool   `json:"fifo,omitempty"`
	ContentDedup bool   `json:"contentDedup,omitempty"`
	Seq          uint64 `json:"seq,omitempty"`
}

// topics: the index "fifo" lists an account's FIFO topics, which a quota of their own bounds.
var topics = store.Define(store.Kind[topicRecord]{Name: kindTopic, Version: 1,
	Indexes: []store.Index[topicRecord]{{Name: "fifo", Values: func(_ string, r *topicRecord) []string {
		if r.Fifo {
			return []string{"fifo"}
		}
		return nil
	}}},
})

// subscriptionRecord is a subscription as stored. The confirmation token is kept as its SHA-256
// (the unique index "token"), never in the clear.
type subscriptionRecord struct {
	ID       string `json:"id"`
	TopicARN string `json:"topicArn"`
	// TopicAccount is the topic's owner, Owner the subscription's (the account that subscribed).
	TopicAccount string `json:"topicAccount"`
	Owner        string `json:"owner"`
	Protocol     string `json:"protocol"`
	Endpoint     string `json:"endpoint"`
	Pending      bool   `json:"pending"`
	// TokenHash is the hex SHA-256 of the current confirmation token ("" once confirmed), valid
	// until TokenExpires.
	TokenHash    string    `json:"tokenHash,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitempty"`
	// Authenticated is ConfirmationWasAuthenticated; AuthOnUnsubscribe is the
	// AuthenticateOnUnsubscribe of an authenticated ConfirmSubscription.
	Authenticated     bool      `json:"authenticated,omitempty"`
	AuthOnUnsubscribe bool      `json:"authOnUnsubscribe,omitempty"`
	Raw               bool      `json:"raw,omitempty"`
	FilterPolicy      string    `json:"filterPolicy,omitempty"`
	FilterPolicyScope string    `json:"filterPolicyScope,omitempty"`
	DeliveryPolicy    string    `json:"deliveryPolicy,omitempty"`
	Created           time.Time `json:"created"`
}

// The subscription indexes: byTopic lists a topic's subscriptions, byOwner an account's, byState
// counts a topic's pending and confirmed ones, byEndpoint finds the one subscription of an
// endpoint to a topic (Subscribe is idempotent), byToken a confirmation token's.
const (
	byTopic    = "topic"
	byOwner    = "owner"
	byState    = "state"
	byEndpoint = "endpoint"
	byToken    = "token"
)

var subscriptions = store.Define(store.Kind[subscriptionRecord]{Name: kindSubscription, Version: 1,
	Indexes: []store.Index[subscriptionRecord]{
		{Name: byTopic, Values: func(_ string, r *subscriptionRecord) []string { return []string{r.TopicARN} }},
		{Name: byOwner, Values: func(_ string, r *subscriptionRecord) []string { return []string{r.Owner} }},
		{Name: byState, Values: func(_ string, r *subscriptionRecord) []string { return []string{stateValue(r.TopicARN, r.Pending)} }},
		{Name: byEndpoint, Unique: true, Values: func(_ string, r *subscriptionRecord) []string {
			return []string{endpointValue(r.TopicARN, r.Protocol, r.Endpoint)}
		}},
		{Name: byToken, Unique: true, Values: func(_ string, r *subscriptionRecord) []string {
			if r.TokenHash == "" {
				return nil
			}
			return []string{r.TokenHash}
		}},
	}})

// unsubscribedRecord is a subscription deleted by Unsubscribe whose endpoint was sent an
// UnsubscribeConfirmation: until Expires, the token of that message (kept as its SHA-256, the
// record's key) restores it through ConfirmSubscription.
type unsubscribedRecord struct {
	Subscription subscriptionRecord `json:"subscription"`
	Expires      time.Time          `json:"expires"`
	// TopicCreated is when the topic was created: a topic deleted and created again under the
	// same name within the token's lifetime is another topic, which the token may not join.
	TopicCreated time.Time `json:"topicCreated"`
}

// unsubscribed: the index "expires" orders the records by expiry, for PruneDeliveries.
var unsubscribed = store.Define(store.Kind[unsubscribedRecord]{Name: kindUnsubscribed, Version: 1,
	Indexes: []store.Index[unsubscribedRecord]{
		{Name: "expires", Values: func(_ string, r *unsubscribedRecord) []string { return []string{timeKey(r.Expires)} }},
	}})

// stateValue is a subscription's byState value: its topic and whether it is pending. Topic ARNs
// hold no space.
func stateValue(topicARN string, pending bool) string {
	if pending {
		return topicARN + " pending"
	}
	return topicARN + " confirmed"
}

func endpointValue(topicARN, protocol, endpoint string) string {
	return topicARN + "\n" + protocol + "\n" + endpoint
}

// deliveryRecord is one message on its way to one endpoint, and afterwards the record of how it
// went: every attempt with its time and outcome. The message itself is sealed while the delivery
// is pending, and dropped once it is done.
type deliveryRecord struct {
	ID              string    `json:"id"`
	Type            string    `json:"type"` // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	MessageID       string    `json:"messageId"`
	TopicARN        string    `json:"topicArn,omitempty"`
	SubscriptionARN string    `json:"subscriptionArn,omitempty"`
	Protocol        string    `json:"protocol"`
	Endpoint        string    `json:"endpoint"`
	Raw             bool      `json:"raw,omitempty"`
	Subject         string    `json:"subject,omitempty"`
	DisplayName     string    `json:"displayName,omitempty"`
	SigVersion      string    `json:"sigVersion,omitempty"`
	Timestamp       time.Time `json:"timestamp"`
	// Sealed is the sealed payload (payload: message, attributes, token), nil once done.
	Sealed []byte `json:"sealed,omitempty"`
	// MaxAttempts and Delays are the retry schedule taken from the delivery policy when queued.
	MaxAttempts int             `json:"maxAttempts"`
	RetryDelay  int             `json:"retryDelay,omitempty"` // seconds between HTTP/S attempts
	State       string          `json:"state"`                // pending, delivered, failed, dropped
	Next        time.Time       `json:"next"`                 // when the next attempt is due (pending)
	Attempts    []attemptRecord `json:"attempts,omitempty"`
}

// attemptRecord is one delivery attempt.
type attemptRecord struct {
	Time   time.Time `json:"time"`
	OK     bool      `json:"ok"`
	Status int       `json:"status,omitempty"` // the HTTP status an HTTP/S endpoint answered
	Error  string    `json:"error,omitempty"`
}

// The delivery indexes: byDue orders pending deliveries by when they are due, bySubscription
// lists a subscription's (or a phone number's) deliveries.
const (
	byDue          = "due"
	bySubscription = "subscription"
)

var deliveries = store.Define(store.Kind[deliveryRecord]{Name: kindDelivery, Version: 1,
	Indexes: []store.Index[deliveryRecord]{
		{Name: byDue, Values: func(_ string, r *deliveryRecord) []string {
			if r.State != statePending {
				return nil
			}
			return []string{timeKey(r.Next)}
		}},
		{Name: bySubscription, Values: func(_ string, r *deliveryRecord) []string { return []string{r.target()} }},
	}})

// target is what bySubscription files a delivery under: its subscription, or for a message
// published to a phone number, the number.
func (r *deliveryRecord) target() string {
	if r.SubscriptionARN != "" {
		return r.SubscriptionARN
	}
	return "phone:" + r.Endpoint
}

// Delivery states.
const (
	statePending   = "pending"
	stateDelivered = "delivered"
	stateFailed    = "failed"
	stateDropped   = "dropped" // the subscription went (or was never confirmed) before delivery
)

// timeKey is a time as a fixed-width UTC string that sorts bytewise in time order.
func timeKey(t time.Time) string { return t.UTC().Format("20060102T150405.000000000Z") }

// signingKeyRecord is a message signing key: the RSA private key (PKCS #8 DER) sealed under the
// master key, and its self-signed certificate (PEM), which CertHandler serves.
type signingKeyRecord struct {
	ID        string    `json:"id"`
	SealedKey []byte    `json:"sealedKey"`
	CertPEM   string    `json:"certPem"`
	Created   time.Time `json:"created"`
}

var signingKeys = store.Define(store.Kind[signingKeyRecord]{Name: kindSigningKey, Version: 1})
