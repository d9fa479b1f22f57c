package sns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
)

// Delivery is asynchronous and durable: Publish and Subscribe queue a delivery record per
// endpoint in the transaction that accepts the message, and the delivery loop (Run, or
// DeliverDue called by hand) sends each when it is due, retrying on failure, and records every
// attempt in the record. A delivery is claimed before it is sent (its due time moves a lease
// ahead), so two nodes over one database do not send it twice at once; one cut short by a crash
// is sent again once the lease has passed — at-least-once, as AWS's.
//
// Retries follow the Amazon SNS Developer Guide, "Amazon SNS message delivery retries": HTTP/S
// endpoints by their delivery policy (by default three retries 20 seconds apart; Rootward waits
// minDelayTarget between attempts whatever the backoff function), email and SMS by AWS's policy
// for customer managed endpoints: two retries 10 seconds apart, ten with exponential backoff up
// to 600 seconds, then 600 seconds apart, 50 attempts over about six hours.

// deliveryLease is how long a claimed delivery is kept from other senders: more than an HTTP/S
// attempt can take.
const deliveryLease = 2 * time.Minute

// httpTimeout bounds one HTTP/S attempt, connection and response included; maxResponseRead
// bounds what is read of an endpoint's answer (only its status matters).
const (
	httpTimeout     = 15 * time.Second
	maxResponseRead = 64 << 10
)

// maxEmailAttempts is the attempts of an email or SMS delivery.
const maxEmailAttempts = 50

// deliveryClient is the client of HTTP/S deliveries: it never follows a redirect (a 3xx is a
// failed attempt), so an endpoint cannot send the server's request on to an address the
// subscriber never named, and each attempt is bounded in time.
func deliveryClient(rt http.RoundTripper) *http.Client {
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = httpTimeout
		t.MaxResponseHeaderBytes = 64 << 10
		rt = t
	}
	return &http.Client{
		Transport:     rt,
		Timeout:       httpTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// newDeliveryID is a time-ordered ID, so that the oldest deliveries list first: the time, a
// sequence number ordering one process's deliveries of the same clock reading (an injected
// clock stands still), and random bytes keeping different processes' apart.
func (s *Service) newDeliveryID(t time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%016x-%s", timeKey(t), s.seq.Add(1), hex.EncodeToString(b[:]))
}

func deliveryAD(id string) string { return "sns-delivery:" + id }

// queue stores d as a pending delivery in tx, its payload sealed, due at once.
func (s *Service) queue(tx store.Tx, d *pendingDelivery) error {
	r := d.rec
	now := s.now().UTC()
	r.ID, r.State, r.Next = s.newDeliveryID(now), statePending, now
	switch r.Protocol {
	case ProtoHTTP, ProtoHTTPS:
		r.MaxAttempts, r.RetryDelay = httpRetries(d.policy)
	default:
		r.MaxAttempts = maxEmailAttempts
	}
	body, err := json.Marshal(d.payload)
	if err != nil {
		return err
	}
	r.Sealed = s.seal.Seal(body, deliveryAD(r.ID))
	return deliveries.Insert(tx, "", r.ID, &r)
}

// Wake tells the delivery loop that deliveries were queued.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pollInterval is how often the delivery loop looks for deliveries due (retries, and those queued
// by other nodes).
const pollInterval = time.Second

// Run delivers until ctx ends: whenever deliveries are queued on this node, and every second for
// retries and other nodes' deliveries. `rootward serve` runs it in a goroutine of its own.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		// A full batch means more may be due: go on at once.
		for {
			n, err := s.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("sns delivery", "err", err)
			}
			if err != nil || n < dueBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// deliveryWorkers bounds the deliveries sent at once; dueBatch is how many due deliveries one
// DeliverDue takes.
const (
	deliveryWorkers = 8
	dueBatch        = 256
)

// DeliverDue sends the deliveries due now (by the service's clock), at most dueBatch of them, and
// returns how many it took. It returns when they are done.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	now := s.now().UTC()
	limit := timeKey(now)
	var ids []string
	err := s.st.View(ctx, func(tx store.Tx) error {
		items, err := deliveries.IndexRange(tx, byDue, "", "")("", dueBatch)
		if err != nil {
			return err
		}
		for _, it := range items {
			due, _, _ := cutNUL(it.Key)
			if due > limit {
				break
			}
			ids = append(ids, store.EntryKey(it.Key))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, deliveryWorkers)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.deliverOne(ctx, id); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(ids), errors.Join(errs...)
}

func cutNUL(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// deliverOne claims a due delivery, sends it, and records the attempt.
func (s *Service) deliverOne(ctx context.Context, id string) error {
	now := s.now().UTC()
	var r *deliveryRecord
	var sub *subscriptionRecord
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		r, ok, err = deliveries.Get(tx, "", id)
		if err != nil || !ok || r.State != statePending || r.Next.After(now) {
			r = nil
			return err
		}
		if r.SubscriptionARN != "" {
			_, subID, err := s.parseSubscriptionARN(r.SubscriptionARN)
			if err != nil {
				return err
			}
			if sub, ok, err = subscriptions.Get(tx, "", subID); err != nil {
				return err
			}
			// A notification goes only to a confirmed subscription, a confirmation request only to a
			// pending one; the subscription may have gone since the message was queued. An
			// UnsubscribeConfirmation goes to the endpoint of a subscription that is gone.
			if r.Type != typeUnsubscribe && (!ok || (r.Type == typeConfirmation) != sub.Pending) {
				r.State, r.Sealed = stateDropped, nil
				err := deliveries.Put(tx, "", id, r)
				r = nil
				return err
			}
		}
		r.Next = now.Add(deliveryLease)
		return deliveries.Put(tx, "", id, r)
	})
	if err != nil || r == nil {
		return err
	}
	attempt := s.send(ctx, r)
	attempt.Time = now
	return s.st.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := deliveries.Get(tx, "", id)
		if err != nil || !ok {
			return err
		}
		cur.Attempts = append(cur.Attempts, attempt)
		switch {
		case attempt.OK:
			cur.State, cur.Sealed = stateDelivered, nil
		case len(cur.Attempts) >= cur.MaxAttempts:
			cur.State, cur.Sealed = stateFailed, nil
			s.log.Warn("sns delivery failed for good", "delivery", id, "protocol", cur.Protocol, "attempts", len(cur.Attempts), "err", attempt.Error)
		default:
			cur.Next = s.now().UTC().Add(retryDelay(cur, len(cur.Attempts)))
		}
		return deliveries.Put(tx, "", id, cur)
	})
}

// retryDelay is the wait after the n-th failed attempt of r.
func retryDelay(r *deliveryRecord, n int) time.Duration {
	if r.Protocol == ProtoHTTP || r.Protocol == ProtoHTTPS {
		return time.Duration(max(r.RetryDelay, 1)) * time.Second
	}
	switch {
	case n <= 2:
		return 10 * time.Second
	case n <= 12:
		return min(10*time.Second<<(n-2), 600*time.Second)
	}
	return 600 * time.Second
}

// send makes one attempt of r.
func (s *Service) send(ctx context.Context, r *deliveryRecord) attemptRecord {
	fail := func(err error) attemptRecord { return attemptRecord{Error: err.Error()} }
	plain, err := s.seal.Open(r.Sealed, deliveryAD(r.ID))
	if err != nil {
		return fail(fmt.Errorf("opening the message: %w", err))
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return fail(err)
	}
	switch r.Protocol {
	case ProtoHTTP, ProtoHTTPS:
		return s.sendHTTP(ctx, r, &p)
	case ProtoEmail, ProtoEmailJSON, ProtoSMS:
		if s.notifier == nil {
			return fail(errors.New("no notifier is configured"))
		}
		m, err := s.notification(ctx, r, &p)
		if err != nil {
			return fail(err)
		}
		if err := s.notifier.Send(ctx, m); err != nil {
			return fail(err)
		}
		return attemptRecord{OK: true}
	}
	return fail(fmt.Errorf("unknown protocol %q", r.Protocol))
}

// jsonMessage is the signed JSON message of r, as HTTP/S and email-json endpoints receive it.
func (s *Service) jsonMessage(ctx context.Context, r *deliveryRecord, p *payload) ([]byte, error) {
	k, err := s.signer(ctx)
	if err != nil {
		return nil, err
	}
	m := &message{Type: r.Type, MessageID: r.MessageID, TopicArn: r.TopicARN, Message: p.Message,
		Timestamp: r.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")}
	if r.Type == typeNotification {
		m.Subject = r.Subject
		m.UnsubscribeURL = s.unsubscribeURL(r.SubscriptionARN)
		if len(p.Attributes) > 0 {
			m.MessageAttributes = map[string]messageAttributeJS{}
			for name, a := range p.Attributes {
				v := a.StringValue
				if a.BinaryValue != nil {
					v = base64.StdEncoding.EncodeToString(a.BinaryValue)
				}
				m.MessageAttributes[name] = messageAttributeJS{Type: a.DataType, Value: v}
			}
		}
	} else {
		m.Token = p.Token
		m.SubscribeURL = s.subscribeURL(r.TopicARN, p.Token)
	}
	if err := s.sign(k, m, r.SigVersion); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // AWS's messages keep <, > and & as they are
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// subscribeURL and unsubscribeURL are the links in messages, on Rootward's own listener in the
// form of AWS's (?Action=ConfirmSubscription&TopicArn=…&Token=…, ?Action=Unsubscribe&
// SubscriptionArn=…), answered by CertHandler.
func (s *Service) subscribeURL(topicARN, token string) string {
	return s.publicURL + "/sns/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(topicARN) + "&Token=" + url.QueryEscape(token)
}

func (s *Service) unsubscribeURL(subARN string) string {
	return s.publicURL + "/sns/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(subARN)
}

// sendHTTP POSTs r to its HTTP/S endpoint with AWS's headers (Amazon SNS Developer Guide,
// "Parsing message formats", "HTTP/HTTPS headers"); a 2xx answer is a delivery.
func (s *Service) sendHTTP(ctx context.Context, r *deliveryRecord, p *payload) attemptRecord {
	var body []byte
	raw := r.Raw && r.Type == typeNotification
	if raw {
		body = []byte(p.Message)
	} else {
		var err error
		if body, err = s.jsonMessage(ctx, r, p); err != nil {
			return attemptRecord{Error: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.Endpoint, bytes.NewReader(body))
	if err != nil {
		return attemptRecord{Error: err.Error()}
	}
	h := req.Header
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", r.Type)
	h.Set("x-amz-sns-message-id", r.MessageID)
	h.Set("x-amz-sns-topic-arn", r.TopicARN)
	if r.Type == typeNotification || r.Type == typeUnsubscribe {
		h.Set("x-amz-sns-subscription-arn", r.SubscriptionARN)
	}
	if raw {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return attemptRecord{Error: err.Error()}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return attemptRecord{Status: resp.StatusCode, Error: "HTTP " + strconv.Itoa(resp.StatusCode)}
	}
	return attemptRecord{OK: true, Status: resp.StatusCode}
}

// notification is r as an email or SMS. An email carries the message and the unsubscribe link
// (a subscription confirmation, the SubscribeURL); email-json the signed JSON message; an SMS the
// message, after the topic's display name as AWS prefixes it.
func (s *Service) notification(ctx context.Context, r *deliveryRecord, p *payload) (notify.Message, error) {
	m := notify.Message{To: r.Endpoint, Channel: notify.Email, Purpose: "sns-notification"}
	if r.TopicARN != "" {
		if a, _, err := s.ParseTopicARN(r.TopicARN, "TopicArn"); err == nil {
			m.Account = a
		}
	}
	switch r.Protocol {
	case ProtoSMS:
		m.Channel, m.Body = notify.SMS, p.Message
		if r.DisplayName != "" {
			m.Body = r.DisplayName + "> " + p.Message
		}
		return m, nil
	case ProtoEmailJSON:
		body, err := s.jsonMessage(ctx, r, p)
		if err != nil {
			return m, err
		}
		m.Subject, m.Body = emailSubject(r), string(body)
	default:
		m.Subject = emailSubject(r)
		if r.Type == typeConfirmation {
			m.Body = "You have chosen to subscribe to the topic: \n" + r.TopicARN +
				"\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \n" +
				"Confirm subscription: " + s.subscribeURL(r.TopicARN, p.Token) + "\n"
		} else {
			m.Body = p.Message + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
				s.unsubscribeURL(r.SubscriptionARN) + "\n"
		}
	}
	if r.Type == typeConfirmation {
		m.Purpose = "sns-subscription-confirmation"
	}
	return m, nil
}

// emailSubject is an email's subject: the message's Subject, else AWS's defaults.
func emailSubject(r *deliveryRecord) string {
	switch {
	case r.Type == typeConfirmation:
		return "AWS Notification - Subscription Confirmation"
	case r.Type == typeUnsubscribe:
		// AWS documents no subject for an email-json UnsubscribeConfirmation; Rootward chose
		// this one, after the SubscriptionConfirmation's.
		return "AWS Notification - Unsubscribe Confirmation"
	case r.Subject != "":
		return r.Subject
	}
	return "AWS Notification Message"
}

// Delivery is the record of one message's delivery to one endpoint.
type Delivery struct {
	ID, Type, MessageID, TopicARN, SubscriptionARN, Protocol, Endpoint string
	// State is pending, delivered, failed (attempts exhausted) or dropped (the subscription went
	// before the message could be sent).
	State    string
	Next     time.Time // when a pending delivery's next attempt is due
	Attempts []Attempt
}

// Attempt is one delivery attempt: when, whether it succeeded, the HTTP status an HTTP/S endpoint
// answered, and why it failed.
type Attempt struct {
	Time   time.Time
	OK     bool
	Status int
	Error  string
}

// Deliveries lists the deliveries to a subscription (its ARN) or to a phone number published to
// directly, oldest first.
func (s *Service) Deliveries(ctx context.Context, subscriptionOrPhone string) ([]Delivery, error) {
	target := subscriptionOrPhone
	if len(target) > 0 && target[0] == '+' {
		target = "phone:" + target
	}
	var out []Delivery
	err := s.st.View(ctx, func(tx store.Tx) error {
		src := deliveries.IndexRange(tx, bySubscription, "", target+"\x00")
		after := ""
		for {
			items, err := src(after, 256)
			if err != nil {
				return err
			}
			for _, it := range items {
				after = it.Key
				_, r, ok, err := deliveries.Resolve(tx, "", it)
				if err != nil {
					return err
				}
				if ok {
					out = append(out, deliveryOf(r))
				}
			}
			if len(items) < 256 {
				return nil
			}
		}
	})
	return out, err
}

func deliveryOf(r *deliveryRecord) Delivery {
	d := Delivery{ID: r.ID, Type: r.Type, MessageID: r.MessageID, TopicARN: r.TopicARN, SubscriptionARN: r.SubscriptionARN,
		Protocol: r.Protocol, Endpoint: r.Endpoint, State: r.State, Next: r.Next}
	for _, a := range r.Attempts {
		d.Attempts = append(d.Attempts, Attempt(a))
	}
	return d
}

// PruneDeliveries deletes the records of deliveries queued before cutoff that are done
// (delivered, failed or dropped), and returns how many it deleted. The records of a deployment's
// deliveries would otherwise grow without end; `rootward serve` runs it with its retention.
//
// It also deletes the unsubscribed subscriptions whose UnsubscribeConfirmation token has expired
// (not counted).
func (s *Service) PruneDeliveries(ctx context.Context, cutoff time.Time) (int, error) {
	if err := s.pruneUnsubscribed(ctx); err != nil {
		return 0, err
	}
	limit := timeKey(cutoff)
	n := 0
	after := ""
	for {
		more := false
		err := s.st.Update(ctx, func(tx store.Tx) error {
			items, err := deliveries.List(tx, "", "", after, 256)
			if err != nil {
				return err
			}
			for _, e := range items {
				if e.Key >= limit {
					return nil
				}
				after = e.Key
				if e.Record.State == statePending {
					continue
				}
				if err := deliveries.Delete(tx, "", e.Key); err != nil {
					return err
				}
				n++
			}
			more = len(items) == 256
			return nil
		})
		if err != nil || !more {
			return n, err
		}
	}
}

// pruneUnsubscribed deletes the unsubscribed subscriptions that can no longer be restored.
func (s *Service) pruneUnsubscribed(ctx context.Context) error {
	limit := timeKey(s.now().UTC())
	for {
		more := false
		err := s.st.Update(ctx, func(tx store.Tx) error {
			items, err := unsubscribed.IndexRange(tx, "expires", "", "")("", 256)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Key >= limit {
					return nil
				}
				if err := unsubscribed.DeleteIfExists(tx, "", store.EntryKey(it.Key)); err != nil {
					return err
				}
			}
			more = len(items) == 256
			return nil
		})
		if err != nil || !more {
			return err
		}
	}
}
