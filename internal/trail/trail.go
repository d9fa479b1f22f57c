// Package trail records what happens in Rootward — every API call, sign-in and security event — as
// CloudTrail-format event records (CloudTrail User Guide, "CloudTrail record contents"), keeps them
// in the store per recipient account, and lists them back in time order.
//
// Recording is asynchronous and batched: a request hands its event to a buffered queue and a single
// writer commits queued events together, so an audit write does not add a durable commit to every
// API call. Close drains the queue, so a graceful shutdown loses nothing.
package trail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/store"
)

const kindEvent = "event"

// kindEventAccount indexes the accounts that have events (under the empty account, keyed by account
// ID), so that Expire can find every account's events: the store cannot list the accounts of a kind.
const kindEventAccount = "event-account"

// Batching: the writer commits up to maxBatch events at once, waiting at most lingerTime after the
// first one for others to join it.
const (
	maxBatch   = 512
	lingerTime = 10 * time.Millisecond
)

// SessionIssuer names the role (or user) behind temporary credentials.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer  *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"` // creationDate, mfaAuthenticated
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
	AssumedRoot    string            `json:"assumedRoot,omitempty"`
}

// UserIdentity is CloudTrail's userIdentity element. Type is Root, IAMUser, AssumedRole,
// FederatedUser, AWSAccount or AWSService.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    *string         `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// Event is one CloudTrail record.
type Event struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           time.Time      `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress,omitempty"`
	UserAgent           string         `json:"userAgent,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID,omitempty"`
	EventID             string         `json:"eventID"`
	ReadOnly            *bool          `json:"readOnly,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	EventCategory       string         `json:"eventCategory"`
}

// Event types (CloudTrail User Guide, "eventType").
const (
	AwsAPICall       = "AwsApiCall"
	AwsServiceEvent  = "AwsServiceEvent"
	AwsConsoleAction = "AwsConsoleAction"
	AwsConsoleSignIn = "AwsConsoleSignIn"
)

// Hidden replaces sensitive request parameters, as CloudTrail does.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Recorder queues events and writes them in batches.
type Recorder struct {
	st    store.Store
	log   *slog.Logger
	queue chan *Event
	done  chan struct{}
	once  sync.Once
	now   func() time.Time

	mu      sync.Mutex
	flushed *sync.Cond
	pending int
}

// NewRecorder starts a recorder writing to st.
func NewRecorder(st store.Store, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	r := &Recorder{st: st, log: log, queue: make(chan *Event, 4096), done: make(chan struct{}), now: time.Now}
	r.flushed = sync.NewCond(&r.mu)
	go r.run()
	return r
}

// Record fills in the event's defaults (ID, version, time, category) and queues it. It blocks only
// when the queue is full, so audit records are never dropped.
func (r *Recorder) Record(e *Event) {
	if e.EventID == "" {
		e.EventID = newEventID()
	}
	if e.EventVersion == "" {
		e.EventVersion = "1.08"
	}
	if e.EventTime.IsZero() {
		e.EventTime = r.now()
	}
	e.EventTime = e.EventTime.UTC().Truncate(time.Second)
	if e.EventCategory == "" {
		e.EventCategory = "Management"
	}
	if e.AWSRegion == "" {
		e.AWSRegion = "us-east-1"
	}
	e.ManagementEvent = true
	r.mu.Lock()
	r.pending++
	r.mu.Unlock()
	r.queue <- e
}

// Flush waits until every event recorded so far is stored.
func (r *Recorder) Flush() {
	r.mu.Lock()
	for r.pending > 0 {
		r.flushed.Wait()
	}
	r.mu.Unlock()
}

// Close stores what is queued and stops the writer.
func (r *Recorder) Close() {
	r.once.Do(func() {
		close(r.queue)
		<-r.done
	})
}

func (r *Recorder) run() {
	defer close(r.done)
	for e := range r.queue {
		// Linger briefly so that a busy server commits many events per transaction: a durable
		// commit costs far more than the events in it.
		batch := []*Event{e}
		linger := time.NewTimer(lingerTime)
	more:
		for len(batch) < maxBatch {
			select {
			case e, ok := <-r.queue:
				if !ok {
					break more
				}
				batch = append(batch, e)
			case <-linger.C:
				break more
			}
		}
		linger.Stop()
		if err := r.write(batch); err != nil {
			r.log.Error("writing trail events", "events", len(batch), "err", err)
		}
		r.mu.Lock()
		r.pending -= len(batch)
		r.flushed.Broadcast()
		r.mu.Unlock()
	}
}

func (r *Recorder) write(batch []*Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return r.st.Update(ctx, func(tx store.Tx) error {
		indexed := map[string]bool{}
		for _, e := range batch {
			if !indexed[e.RecipientAccountID] {
				indexed[e.RecipientAccountID] = true
				if err := tx.Put(kindEventAccount, "", e.RecipientAccountID, []byte("{}")); err != nil {
					return err
				}
			}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := tx.Put(kindEvent, e.RecipientAccountID, eventKey(e), b); err != nil {
				return err
			}
		}
		return nil
	})
}

// eventKey orders events by time, then ID: a fixed-width UTC timestamp sorts bytewise.
func eventKey(e *Event) string {
	return e.EventTime.UTC().Format("20060102T150405Z") + "/" + e.EventID
}

// Expire deletes the events recorded before `before` (to the second: an event of the same second
// stays), oldest first, in transactions of at most batch deletions each, so a writer waits for at
// most one batch. It walks every account that has events (the index the writer keeps) and, in
// addition, accounts: events stored before that index existed are found through them, and such an
// account that keeps events joins the index, so one call naming every account covers them from then
// on. An account left without events leaves the index. It returns how many events it deleted; on an error, the
// batches already committed stay deleted.
func (r *Recorder) Expire(ctx context.Context, before time.Time, batch int, accounts ...string) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("trail: expire batch %d must be positive", batch)
	}
	// Keys start with the event's second: every key of an earlier second sorts before this one.
	cutoff := before.UTC().Format("20060102T150405Z")
	deleted := 0
	for _, a := range accounts {
		n, err := r.expireAccount(ctx, a, cutoff, batch, true)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	after := ""
	for {
		var page []store.Item
		err := r.st.View(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.List(kindEventAccount, "", "", after, 500)
			return err
		})
		if err != nil {
			return deleted, err
		}
		for _, it := range page {
			n, err := r.expireAccount(ctx, it.Key, cutoff, batch, false)
			deleted += n
			if err != nil {
				return deleted, err
			}
			after = it.Key
		}
		if len(page) < 500 {
			return deleted, nil
		}
	}
}

// expireAccount deletes one account's events with keys before cutoff, batch by batch; with index,
// an account that keeps events is put in the account index.
func (r *Recorder) expireAccount(ctx context.Context, account, cutoff string, batch int, index bool) (int, error) {
	deleted := 0
	for {
		n, more := 0, false
		err := r.st.Update(ctx, func(tx store.Tx) error {
			n, more = 0, false
			items, err := tx.List(kindEvent, account, "", "", batch)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Key >= cutoff {
					if index {
						return tx.Put(kindEventAccount, "", account, []byte("{}"))
					}
					return nil
				}
				if err := tx.Delete(kindEvent, account, it.Key); err != nil {
					return err
				}
				n++
			}
			if len(items) == batch {
				more = true
				return nil
			}
			// Every event of the account is gone: so is its index entry (a writer that records
			// one later puts it back).
			if err := tx.Delete(kindEventAccount, "", account); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += n
		if !more {
			return deleted, nil
		}
	}
}

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// Query selects events of one account.
type Query struct {
	Account    string
	Start, End time.Time // inclusive bounds; zero means open
	// Match, when set, keeps only events for which it returns true.
	Match func(*Event) bool
	// After continues a listing after the event key returned as Page.Next.
	After string
	Limit int
}

// Page is a page of events, oldest first.
type Page struct {
	Events []Event
	Next   string
}

// List returns the account's events in time order.
func List(ctx context.Context, st store.Store, q Query) (Page, error) {
	var p Page
	after := q.After
	if after == "" && !q.Start.IsZero() {
		// Keys start with the timestamp: start just before the first second of the range.
		after = q.Start.UTC().Add(-time.Second).Format("20060102T150405Z") + "/\xff"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	err := st.View(ctx, func(tx store.Tx) error {
		for {
			items, err := tx.List(kindEvent, q.Account, "", after, 256)
			if err != nil {
				return err
			}
			for _, it := range items {
				after = it.Key
				var e Event
				if err := json.Unmarshal(it.Body, &e); err != nil {
					return err
				}
				if !q.End.IsZero() && e.EventTime.After(q.End) {
					return nil
				}
				if !q.Start.IsZero() && e.EventTime.Before(q.Start) {
					continue
				}
				if q.Match != nil && !q.Match(&e) {
					continue
				}
				if len(p.Events) == limit {
					p.Next = p.Events[len(p.Events)-1].key()
					return nil
				}
				p.Events = append(p.Events, e)
			}
			if len(items) < 256 {
				return nil
			}
		}
	})
	return p, err
}

func (e *Event) key() string { return eventKey(e) }
