package sns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
)

// Subscription is a topic's subscription.
type Subscription struct {
	ARN, TopicARN       string
	TopicAccount, Owner string
	Protocol, Endpoint  string
	// Pending is set until the endpoint confirms (ConfirmSubscription).
	Pending       bool
	Authenticated bool
	Raw           bool
	FilterPolicy  string
	FilterScope   string
	DelivPolicy   string
}

// ListedARN is the subscription's ARN as the list actions show it: "PendingConfirmation" while
// it is pending, as AWS lists pending subscriptions.
func (s *Subscription) ListedARN() string {
	if s.Pending {
		return "PendingConfirmation"
	}
	return s.ARN
}

// PendingConfirmation is what Subscribe answers in place of a pending subscription's ARN (SNS API
// Reference, Subscribe: "pending confirmation").
const PendingConfirmation = "pending confirmation"

func subscriptionOf(r *subscriptionRecord) *Subscription {
	return &Subscription{
		ARN: r.TopicARN + ":" + r.ID, TopicARN: r.TopicARN, TopicAccount: r.TopicAccount, Owner: r.Owner,
		Protocol: r.Protocol, Endpoint: r.Endpoint, Pending: r.Pending, Authenticated: r.Authenticated, Raw: r.Raw,
		FilterPolicy: r.FilterPolicy, FilterScope: r.FilterPolicyScope, DelivPolicy: r.DeliveryPolicy,
	}
}

// The protocols Rootward delivers to.
const (
	ProtoEmail     = "email"
	ProtoEmailJSON = "email-json"
	ProtoSMS       = "sms"
	ProtoHTTP      = "http"
	ProtoHTTPS     = "https"
)

// tokenLifetime is how long a confirmation token is valid ("Confirmation tokens are valid for
// three days", SNS API Reference, Subscribe).
const tokenLifetime = 72 * time.Hour

// maxEndpointURL bounds an HTTP/S endpoint, which Rootward fetches.
const maxEndpointURL = 2048

// checkEndpoint validates an endpoint for its protocol.
//
// HTTP/S endpoints are URLs the server will POST to (server-side request forgery is the risk):
// as AWS, any URL of the protocol's scheme is accepted, private addresses included, since a
// self-hosted Rootward's subscribers are usually on the operator's own network; but a delivery
// never follows a redirect and is bounded in time and in what it reads back (delivery.go), and a
// URL carrying credentials (user:password@) is refused so that no password is stored in the
// clear (AWS accepts them and masks the password; Rootward's choice).
func checkEndpoint(protocol, endpoint string) error {
	if endpoint == "" {
		return invalid("Endpoint")
	}
	switch protocol {
	case ProtoHTTP, ProtoHTTPS:
		if !strings.HasPrefix(endpoint, protocol+"://") {
			return invalid("Endpoint must match the specified protocol")
		}
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || len(endpoint) > maxEndpointURL || strings.ContainsAny(endpoint, " \r\n") {
			return invalid("Endpoint")
		}
		if u.User != nil {
			return invalid("Endpoint Reason: credentials in the endpoint URL are not supported")
		}
	case ProtoEmail, ProtoEmailJSON:
		at := strings.LastIndexByte(endpoint, '@')
		if at < 1 || at == len(endpoint)-1 || len(endpoint) > 320 || strings.ContainsAny(endpoint, " \r\n<>,;") {
			return invalid("Email address")
		}
	case ProtoSMS:
		if !notify.ValidPhone(endpoint) {
			return invalid("Endpoint Reason: %s is not a valid E.164 phone number", endpoint)
		}
	default:
		return invalid("Amazon SNS does not support this protocol string: %s", protocol)
	}
	return nil
}

// needsConfirmation reports whether a protocol's subscriptions stay pending until confirmed:
// email and HTTP/S (Amazon SNS Developer Guide, "Subscribing to an Amazon SNS topic"); SMS
// subscriptions are confirmed at once.
func needsConfirmation(protocol string) bool { return protocol != ProtoSMS }

// Subscription attributes (SNS API Reference, SetSubscriptionAttributes) Rootward applies.
const (
	SubAttrRawMessageDelivery = "RawMessageDelivery"
	SubAttrFilterPolicy       = "FilterPolicy"
	SubAttrFilterPolicyScope  = "FilterPolicyScope"
	SubAttrDeliveryPolicy     = "DeliveryPolicy"
)

// setSubAttribute checks one subscription attribute and sets it on r.
func setSubAttribute(r *subscriptionRecord, name, value string) error {
	switch name {
	case SubAttrRawMessageDelivery:
		switch strings.ToLower(value) {
		case "true":
			r.Raw = true
		case "false":
			r.Raw = false
		default:
			return invalid("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if r.Raw && r.Protocol != ProtoHTTP && r.Protocol != ProtoHTTPS {
			return invalid("Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", r.Protocol)
		}
	case SubAttrFilterPolicy:
		if value != "" {
			if err := checkFilterPolicy(value); err != nil {
				return err
			}
		}
		r.FilterPolicy = value
	case SubAttrFilterPolicyScope:
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalid("FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
		r.FilterPolicyScope = value
	case SubAttrDeliveryPolicy:
		if r.Protocol != ProtoHTTP && r.Protocol != ProtoHTTPS {
			return invalid("DeliveryPolicy: only HTTP/S subscriptions take a delivery policy")
		}
		if value != "" {
			if err := checkDeliveryPolicy(value); err != nil {
				return err
			}
		}
		r.DeliveryPolicy = value
	default:
		return invalid("AttributeName")
	}
	return nil
}

// SubscribeInput is a Subscribe request: Owner is the calling account.
type SubscribeInput struct {
	Owner, TopicARN, Protocol, Endpoint string
	Attributes                          map[string]string
}

// Subscribe subscribes an endpoint to a topic. An email or HTTP/S subscription is pending until
// its endpoint confirms: a SubscriptionConfirmation message with a token and SubscribeURL is
// queued for it. Subscribing an endpoint again returns its subscription (a pending one gets a new
// token and confirmation message). Returns NotFound for a topic that does not exist.
func (s *Service) Subscribe(ctx context.Context, in SubscribeInput) (*Subscription, error) {
	topicAccount, topicName, err := s.ParseTopicARN(in.TopicARN, "TopicArn")
	if err != nil {
		return nil, err
	}
	if err := checkEndpoint(in.Protocol, in.Endpoint); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	fresh := &subscriptionRecord{ID: newID(), TopicARN: in.TopicARN, TopicAccount: topicAccount, Owner: in.Owner,
		Protocol: in.Protocol, Endpoint: in.Endpoint, Pending: needsConfirmation(in.Protocol), Created: now}
	for _, k := range sortedKeys(in.Attributes) {
		if err := setSubAttribute(fresh, k, in.Attributes[k]); err != nil {
			return nil, err
		}
	}
	var out *Subscription
	queued := false
	err = s.createOnce(ctx, func(tx store.Tx) error {
		queued = false
		t, ok, err := topics.Get(tx, topicAccount, topicName)
		if err != nil {
			return err
		}
		if !ok {
			return errTopicNotFound
		}
		if t.Fifo {
			// FIFO topics deliver to Amazon SQS queues only (Amazon SNS Developer Guide, "Amazon SNS
			// FIFO topics"), which Rootward does not serve. AWS's text for this refusal is not
			// documented; this is Rootward's.
			return invalid("Protocol Reason: FIFO topics deliver only to Amazon SQS queues; protocol %s is not supported for FIFO topics", in.Protocol)
		}
		r := fresh
		_, old, exists, err := subscriptions.Lookup(tx, byEndpoint, "", endpointValue(in.TopicARN, in.Protocol, in.Endpoint))
		if err != nil {
			return err
		}
		if exists {
			cp := *old
			for k, v := range in.Attributes {
				if err := setSubAttribute(&cp, k, v); err != nil {
					return err
				}
			}
			if cp != *old {
				return invalid("Attributes Reason: Subscription already exists with different attributes")
			}
			r = old
			if !r.Pending {
				out = subscriptionOf(r)
				return nil
			}
		}
		var token string
		if r.Pending {
			token = newToken()
			r.TokenHash, r.TokenExpires = tokenHash(token), now.Add(tokenLifetime)
		}
		if err := subscriptions.Put(tx, "", r.ID, r); err != nil {
			return err
		}
		out = subscriptionOf(r)
		if r.Pending {
			queued = true
			return s.queue(tx, s.confirmationFor(t, out, token, now))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if queued {
		s.Wake()
	}
	return out, nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ConfirmSubscription confirms the pending subscription a token was sent for. authenticated says
// whether the request was signed (ConfirmSubscription through the API) rather than a visit of
// the SubscribeURL; only then may it ask that unsubscribing require authentication. Confirming a
// confirmed subscription again with its token answers its ARN. Returns InvalidParameter for a
// token that is unknown, expired or for another topic.
func (s *Service) ConfirmSubscription(ctx context.Context, topicARN, token string, authenticated, authOnUnsubscribe bool) (*Subscription, error) {
	if _, _, err := s.ParseTopicARN(topicARN, "Topic"); err != nil {
		return nil, invalid("Topic")
	}
	if token == "" || len(token) > 512 {
		return nil, invalid("Token")
	}
	now := s.now().UTC()
	var out *Subscription
	err := s.st.Update(ctx, func(tx store.Tx) error {
		_, r, ok, err := subscriptions.Lookup(tx, byToken, "", tokenHash(token))
		if err != nil {
			return err
		}
		if !ok {
			out, err = s.resubscribe(tx, topicARN, token, now)
			return err
		}
		if now.After(r.TokenExpires) {
			return invalid("Token")
		}
		if r.TopicARN != topicARN {
			return invalid("Topic")
		}
		if !r.Pending {
			out = subscriptionOf(r)
			return nil
		}
		r.Pending, r.Authenticated = false, authenticated
		r.AuthOnUnsubscribe = authenticated && authOnUnsubscribe
		out = subscriptionOf(r)
		return subscriptions.Put(tx, "", r.ID, r)
	})
	return out, err
}

// resubscribe restores the subscription an UnsubscribeConfirmation's token was sent for, as the
// confirmed subscription it was, with its ARN (AWS documents that the SubscribeURL restores the
// subscription, not under which ARN; Rootward keeps the old one). When the endpoint has subscribed
// to the topic again meanwhile, that subscription is the answer. Returns InvalidParameter for a
// token that is unknown, expired or for another topic, and NotFound when the topic is gone.
func (s *Service) resubscribe(tx store.Tx, topicARN, token string, now time.Time) (*Subscription, error) {
	hash := tokenHash(token)
	u, ok, err := unsubscribed.Get(tx, "", hash)
	if err != nil {
		return nil, err
	}
	if !ok || now.After(u.Expires) {
		return nil, invalid("Token")
	}
	r := &u.Subscription
	if r.TopicARN != topicARN {
		return nil, invalid("Topic")
	}
	_, topicName, err := s.ParseTopicARN(r.TopicARN, "TopicArn")
	if err != nil {
		return nil, err
	}
	t, ok, err := topics.Get(tx, r.TopicAccount, topicName)
	if err != nil {
		return nil, err
	}
	if !ok || !t.Created.Equal(u.TopicCreated) {
		return nil, errTopicNotFound
	}
	if err := unsubscribed.Delete(tx, "", hash); err != nil {
		return nil, err
	}
	_, live, exists, err := subscriptions.Lookup(tx, byEndpoint, "", endpointValue(r.TopicARN, r.Protocol, r.Endpoint))
	if err != nil || exists {
		if exists {
			return subscriptionOf(live), nil
		}
		return nil, err
	}
	// Confirming again with the same token answers the ARN, as for a subscription confirmation.
	r.Pending, r.TokenHash, r.TokenExpires = false, hash, u.Expires
	if err := subscriptions.Insert(tx, "", r.ID, r); err != nil {
		return nil, err
	}
	return subscriptionOf(r), nil
}

// sendsUnsubscribeConfirmation reports whether AWS sends a subscription's endpoint an
// UnsubscribeConfirmation when it is deleted: a confirmed HTTP/S or email-json subscription
// (Amazon SNS Developer Guide, "Parsing message formats").
func sendsUnsubscribeConfirmation(r *subscriptionRecord) bool {
	switch r.Protocol {
	case ProtoHTTP, ProtoHTTPS, ProtoEmailJSON:
		return !r.Pending
	}
	return false
}

// Subscription returns the subscription of subARN, or NotFound.
func (s *Service) Subscription(ctx context.Context, subARN string) (*Subscription, error) {
	_, id, err := s.parseSubscriptionARN(subARN)
	if err != nil {
		return nil, err
	}
	var out *Subscription
	err = s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := subscriptions.Get(tx, "", id)
		if err != nil {
			return err
		}
		if !ok || r.TopicARN+":"+r.ID != subARN {
			return errSubNotFound
		}
		out = subscriptionOf(r)
		return nil
	})
	return out, err
}

// managedSubscription reads the subscription of subARN (its ID id) for account, which must own
// it or its topic: NotFound when there is none, AuthorizationError for another account.
func managedSubscription(tx store.Tx, id, subARN, account string) (*subscriptionRecord, error) {
	r, ok, err := subscriptions.Get(tx, "", id)
	if err != nil {
		return nil, err
	}
	if !ok || r.TopicARN+":"+r.ID != subARN {
		return nil, errSubNotFound
	}
	return r, mayManage(r, account)
}

// mayManage is the rule of Unsubscribe and the subscription attribute actions: only the
// subscription's owner or the topic's owner (SNS API Reference, Unsubscribe).
func mayManage(r *subscriptionRecord, account string) error {
	if account == r.Owner || account == r.TopicAccount {
		return nil
	}
	return Errorf(CodeAuthorizationError, "The account %s is not the owner of the subscription or of its topic.", account)
}

// Unsubscribe deletes a subscription on behalf of account (an authenticated caller), which must own
// it or its topic. A subscription that does not exist is not an error (AWS's Unsubscribe is
// idempotent).
func (s *Service) Unsubscribe(ctx context.Context, subARN, account string) error {
	return s.unsubscribe(ctx, subARN, func(r *subscriptionRecord) error { return mayManage(r, account) })
}

// unsubscribeByURL is a visit of a message's UnsubscribeURL: no credentials, the subscription's
// ARN being the capability (as AWS's). A subscription confirmed with AuthenticateOnUnsubscribe
// refuses it.
func (s *Service) unsubscribeByURL(ctx context.Context, subARN string) error {
	return s.unsubscribe(ctx, subARN, func(r *subscriptionRecord) error {
		if r.AuthOnUnsubscribe {
			return Errorf(CodeAuthorizationError, "This subscription requires an authenticated Unsubscribe request.")
		}
		return nil
	})
}

// unsubscribe deletes the subscription of subARN when allowed lets it. A confirmed HTTP/S or
// email-json subscription's endpoint is sent an UnsubscribeConfirmation whose SubscribeURL
// restores the subscription within the token's lifetime.
func (s *Service) unsubscribe(ctx context.Context, subARN string, allowed func(*subscriptionRecord) error) error {
	_, id, err := s.parseSubscriptionARN(subARN)
	if err != nil {
		return err
	}
	queued := false
	err = s.st.Update(ctx, func(tx store.Tx) error {
		queued = false
		r, ok, err := subscriptions.Get(tx, "", id)
		if err != nil || !ok || r.TopicARN+":"+r.ID != subARN {
			return err
		}
		if err := allowed(r); err != nil {
			return err
		}
		if err := subscriptions.Delete(tx, "", id); err != nil {
			return err
		}
		_, topicName, _ := s.ParseTopicARN(r.TopicARN, "TopicArn")
		t, ok, err := topics.Get(tx, r.TopicAccount, topicName)
		if err != nil || !ok {
			return err
		}
		t.Deleted++
		if err := topics.Put(tx, r.TopicAccount, topicName, t); err != nil {
			return err
		}
		if !sendsUnsubscribeConfirmation(r) {
			return nil
		}
		now := s.now().UTC()
		token := newToken()
		kept := *r
		kept.TokenHash, kept.TokenExpires = "", time.Time{}
		if err := unsubscribed.Put(tx, "", tokenHash(token), &unsubscribedRecord{Subscription: kept, Expires: now.Add(tokenLifetime), TopicCreated: t.Created}); err != nil {
			return err
		}
		queued = true
		return s.queue(tx, s.unsubscribeConfirmationFor(t, subscriptionOf(r), token, now))
	})
	if queued && err == nil {
		s.Wake()
	}
	return err
}

// SubscriptionPage is a page of subscriptions and the position after it ("" on the last).
type SubscriptionPage struct {
	Items []*Subscription
	Next  string
}

// ListSubscriptions returns a page of owner's subscriptions after the position after.
func (s *Service) ListSubscriptions(ctx context.Context, owner, after string) (SubscriptionPage, error) {
	return s.listSubs(ctx, byOwner, owner, after)
}

// ListSubscriptionsByTopic returns a page of a topic's subscriptions, or NotFound.
func (s *Service) ListSubscriptionsByTopic(ctx context.Context, topicARN, after string) (SubscriptionPage, error) {
	t, err := s.Topic(ctx, topicARN)
	if err != nil {
		return SubscriptionPage{}, err
	}
	if t == nil {
		return SubscriptionPage{}, errTopicNotFound
	}
	return s.listSubs(ctx, byTopic, topicARN, after)
}

func (s *Service) listSubs(ctx context.Context, index, value, after string) (SubscriptionPage, error) {
	var out SubscriptionPage
	err := s.st.View(ctx, func(tx store.Tx) error {
		p, err := store.ReadPage(subscriptions.IndexRange(tx, index, "", value+"\x00"), after, pageSize,
			func(it store.Item) (*Subscription, bool, error) {
				_, r, ok, err := subscriptions.Resolve(tx, "", it)
				if !ok || err != nil {
					return nil, false, err
				}
				return subscriptionOf(r), true, nil
			})
		out = SubscriptionPage{Items: p.Items}
		if p.Truncated {
			out.Next = p.Last
		}
		return err
	})
	return out, err
}

// SubscriptionAttributes are GetSubscriptionAttributes' attributes (SNS API Reference), for
// account, which must own the subscription or its topic.
func (s *Service) SubscriptionAttributes(ctx context.Context, subARN, account string) (map[string]string, error) {
	_, id, err := s.parseSubscriptionARN(subARN)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	err = s.st.View(ctx, func(tx store.Tx) error {
		r, err := managedSubscription(tx, id, subARN, account)
		if err != nil {
			return err
		}
		out = map[string]string{
			"SubscriptionArn": subARN, "TopicArn": r.TopicARN, "Owner": r.Owner, "Protocol": r.Protocol,
			"Endpoint": r.Endpoint, "PendingConfirmation": strconv.FormatBool(r.Pending),
			"ConfirmationWasAuthenticated": strconv.FormatBool(r.Authenticated),
			"RawMessageDelivery":           strconv.FormatBool(r.Raw),
		}
		if r.FilterPolicy != "" {
			out["FilterPolicy"] = r.FilterPolicy
			out["FilterPolicyScope"] = orDefault(r.FilterPolicyScope, "MessageAttributes")
		}
		if r.Protocol == ProtoHTTP || r.Protocol == ProtoHTTPS {
			_, topicName, _ := s.ParseTopicARN(r.TopicARN, "TopicArn")
			topicPolicy := ""
			if t, ok, err := topics.Get(tx, r.TopicAccount, topicName); err != nil {
				return err
			} else if ok {
				topicPolicy = t.DeliveryPolicy
			}
			out["EffectiveDeliveryPolicy"] = effectiveDeliveryPolicy(firstNonEmpty(r.DeliveryPolicy, topicPolicy))
			if r.DeliveryPolicy != "" {
				out["DeliveryPolicy"] = r.DeliveryPolicy
			}
		}
		return nil
	})
	return out, err
}

// SetSubscriptionAttribute sets one attribute of a subscription for account, which must own the
// subscription or its topic.
func (s *Service) SetSubscriptionAttribute(ctx context.Context, subARN, account, name, value string) error {
	_, id, err := s.parseSubscriptionARN(subARN)
	if err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, err := managedSubscription(tx, id, subARN, account)
		if err != nil {
			return err
		}
		if err := setSubAttribute(r, name, value); err != nil {
			return err
		}
		return subscriptions.Put(tx, "", id, r)
	})
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
