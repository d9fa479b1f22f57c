// Package notify delivers Rootward's outgoing messages — password-reset links, recovery codes,
// security alerts — through one Notifier. Email goes over SMTP when a relay is configured, SMS and
// voice messages to an HTTP webhook (the bridge to whatever telephony provider an installation
// uses) when one is configured, and everything else to the outbox: a table in the store that
// `rootward outbox` lists, so the recovery flows work on one machine with nothing configured.
//
// Message bodies carry one-time secrets, so they are never logged, and an outbox body is sealed
// under the master key like every other secret at rest. A message delivered by SMTP or the webhook
// leaves only a delivery record (when, to whom, which transport, success or error) in the outbox,
// without its body: once an operator has configured a real transport, a copy of every reset link in
// the database would be one more place to steal it from.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
)

// Channel is how a message reaches its recipient.
type Channel string

// Channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
	Voice Channel = "voice"
)

// Transports, as recorded in outbox entries.
const (
	TransportOutbox  = "outbox"
	TransportSMTP    = "smtp"
	TransportWebhook = "webhook"
)

// Message is one outgoing message.
type Message struct {
	Channel Channel
	// To is an email address for Email, a phone number (E.164, "+15555550100") for SMS and Voice.
	To string
	// Subject is the email subject; ignored for SMS and Voice.
	Subject string
	// Body is the text. It may hold a one-time link or code: it is never logged.
	Body string
	// Account and Purpose label the message in the outbox ("password-reset", "mfa-recovery-phone"…).
	Account string
	Purpose string
}

// Entry is one outbox record: a message kept for `rootward outbox`, or the record of a delivery by
// SMTP or the webhook (Body empty). Its JSON is what `rootward outbox --json` prints; the store
// keeps entryRecord.
type Entry struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Channel   Channel   `json:"channel"`
	To        string    `json:"to"`
	Subject   string    `json:"subject,omitempty"`
	Account   string    `json:"account,omitempty"`
	Purpose   string    `json:"purpose,omitempty"`
	Transport string    `json:"transport"`
	// Error is why a delivery failed; "" on success.
	Error string `json:"error,omitempty"`
	// Body is filled on reads of messages kept in the outbox; it is stored sealed.
	Body string `json:"-"`
	// SealedBody is the stored, sealed body; reads leave it nil.
	SealedBody []byte `json:"sealed_body,omitempty"`
}

const kindOutbox = "outbox" // global: time-ordered ID → entryRecord

// entryRecord is an Entry as stored, with the JSON names entries were stored with before records
// were versioned (version 0 is version 1's JSON).
type entryRecord struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Channel    Channel   `json:"channel"`
	To         string    `json:"to"`
	Subject    string    `json:"subject,omitempty"`
	Account    string    `json:"account,omitempty"`
	Purpose    string    `json:"purpose,omitempty"`
	Transport  string    `json:"transport"`
	Error      string    `json:"error,omitempty"`
	SealedBody []byte    `json:"sealed_body,omitempty"`
}

// outbox is the kind of the entries, under their IDs. Its indexes list them newest first: all of
// them ("newest"), and those of one recipient ("to", folded as strings.EqualFold compares), one
// account ("account") or one purpose ("purpose"); Outbox reads one of them from its newest entry
// back to the query's Since or Limit, so a query costs the entries it answers (and those of its
// other filters' values it passes over), not the whole outbox.
var outbox = store.Define(store.Kind[entryRecord]{Name: kindOutbox, Version: 1, Indexes: []store.Index[entryRecord]{
	newestFirst("newest", func(*entryRecord) string { return "" }),
	newestFirst("to", func(r *entryRecord) string { return foldCase(r.To) }),
	newestFirst("account", func(r *entryRecord) string { return r.Account }),
	newestFirst("purpose", func(r *entryRecord) string { return r.Purpose }),
}})

// newestFirst is an outbox index of the entries by value, newest first: an entry's value is
// value(r), \x01, then its ID with every byte inverted (IDs are of one length, so inverted they
// sort in the opposite order). An entry whose field is empty (but for "newest") or holds a NUL
// (a value may not) has none.
func newestFirst(name string, value func(*entryRecord) string) store.Index[entryRecord] {
	return store.Index[entryRecord]{Name: name, Values: func(_ string, r *entryRecord) []string {
		v := value(r)
		if v == "" && name != "newest" || strings.IndexByte(v, 0) >= 0 {
			return nil
		}
		return []string{v + "\x01" + inverted(r.ID)}
	}}
}

// inverted is id with every byte b replaced by 0xff-b. An ID is ASCII, so no byte becomes NUL.
func inverted(id string) string {
	b := []byte(id)
	for i := range b {
		b[i] = 0xff - b[i]
	}
	return string(b)
}

// foldCase maps every rune of s to the smallest rune of its case-folding orbit (unicode.SimpleFold),
// so two strings strings.EqualFold finds equal fold to the same string.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, s)
}

func newEntryRecord(e *Entry) *entryRecord {
	return &entryRecord{ID: e.ID, Time: e.Time, Channel: e.Channel, To: e.To, Subject: e.Subject, Account: e.Account,
		Purpose: e.Purpose, Transport: e.Transport, Error: e.Error, SealedBody: e.SealedBody}
}

func (r *entryRecord) entry() Entry {
	return Entry{ID: r.ID, Time: r.Time, Channel: r.Channel, To: r.To, Subject: r.Subject, Account: r.Account,
		Purpose: r.Purpose, Transport: r.Transport, Error: r.Error, SealedBody: r.SealedBody}
}

// ErrDelivery wraps every failure of SMTP or the webhook, so callers can tell a transport failure
// from a bad message.
var ErrDelivery = errors.New("notify: delivery failed")

// Notifier sends messages. It is safe for concurrent use.
type Notifier struct {
	st     store.Store
	seal   *seal.Sealer
	smtp   *smtpTransport
	hook   *webhookTransport
	now    func() time.Time
	log    *slog.Logger
	client *http.Client
	// seq orders the messages of one process sent at the same clock reading (an injected clock
	// that stands still, or a coarse one).
	seq atomic.Uint64
}

// Option configures a Notifier.
type Option func(*Notifier)

// WithClock injects the clock, for tests.
func WithClock(now func() time.Time) Option { return func(n *Notifier) { n.now = now } }

// WithLogger sets the logger for delivery records (never bodies).
func WithLogger(l *slog.Logger) Option { return func(n *Notifier) { n.log = l } }

// WithHTTPClient sets the client the webhook transport uses.
func WithHTTPClient(c *http.Client) Option { return func(n *Notifier) { n.client = c } }

// New returns a Notifier storing its outbox in st and sealing bodies with sealer. The transports
// come from cfg: SMTP when cfg.SMTPHost is set, the webhook when cfg.WebhookURL is set; what has no
// transport goes to the outbox. Returns an error for an invalid configuration.
func New(st store.Store, sealer *seal.Sealer, cfg Config, opts ...Option) (*Notifier, error) {
	n := &Notifier{st: st, seal: sealer, now: time.Now, log: slog.Default(), client: &http.Client{Timeout: 15 * time.Second}}
	for _, o := range opts {
		o(n)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.SMTPHost != "" {
		n.smtp = newSMTP(cfg, n.now)
	}
	if cfg.WebhookURL != "" {
		n.hook = &webhookTransport{url: cfg.WebhookURL, secret: []byte(cfg.WebhookSecret), client: n.client, now: n.now}
	}
	return n, nil
}

// Transport names the transport messages of a channel take: TransportSMTP, TransportWebhook or
// TransportOutbox. A console can say "we emailed you" or "see rootward outbox" from it.
func (n *Notifier) Transport(ch Channel) string {
	switch {
	case ch == Email && n.smtp != nil:
		return TransportSMTP
	case (ch == SMS || ch == Voice) && n.hook != nil:
		return TransportWebhook
	}
	return TransportOutbox
}

// Send delivers m and records it in the outbox. It returns an error wrapping ErrDelivery when the
// configured transport fails (the failure is recorded too), and a plain error for an invalid message.
func (n *Notifier) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	e := &Entry{
		ID: newEntryID(n.now(), n.seq.Add(1)), Time: n.now().UTC(), Channel: m.Channel, To: m.To, Subject: m.Subject,
		Account: m.Account, Purpose: m.Purpose, Transport: n.Transport(m.Channel),
	}
	var sendErr error
	switch e.Transport {
	case TransportSMTP:
		sendErr = n.smtp.send(ctx, m)
	case TransportWebhook:
		sendErr = n.hook.send(ctx, e.ID, m)
	default:
		e.SealedBody = n.seal.Seal([]byte(m.Body), bodyAD(e.ID))
	}
	if sendErr != nil {
		e.Error = sendErr.Error()
		sendErr = fmt.Errorf("%w: %s to %s: %v", ErrDelivery, e.Transport, redact(m.To), sendErr)
	}
	n.log.Info("notification", "channel", m.Channel, "to", redact(m.To), "purpose", m.Purpose, "transport", e.Transport, "ok", sendErr == nil)
	if err := n.st.Update(ctx, func(tx store.Tx) error { return outbox.Insert(tx, "", e.ID, newEntryRecord(e)) }); err != nil {
		return errors.Join(sendErr, err)
	}
	return sendErr
}

func (m *Message) validate() error {
	switch m.Channel {
	case Email:
		if !strings.Contains(m.To, "@") || strings.ContainsAny(m.To, "\r\n") {
			return fmt.Errorf("notify: %q is not an email address", m.To)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			return errors.New("notify: subject has a line break")
		}
	case SMS, Voice:
		if !phonePattern(m.To) {
			return fmt.Errorf("notify: %q is not an E.164 phone number", m.To)
		}
	default:
		return fmt.Errorf("notify: unknown channel %q", m.Channel)
	}
	return nil
}

// phonePattern accepts E.164 numbers: "+" and 8 to 15 digits (ITU-T E.164 allows at most 15).
func phonePattern(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ValidPhone reports whether s is an E.164 phone number the SMS and voice channels accept.
func ValidPhone(s string) bool { return phonePattern(s) }

func bodyAD(id string) string { return "outbox:" + id }

// newEntryID is a time-ordered ID: a fixed-width UTC timestamp sorts bytewise, the sequence number
// orders one process's messages of the same instant, and the random suffix keeps IDs of different
// processes apart.
func newEntryID(t time.Time, seq uint64) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%016x-%s", t.UTC().Format("20060102T150405.000000000Z"), seq, hex.EncodeToString(b[:]))
}

// redact keeps enough of an address to tell messages apart in a log: the first character and the
// domain of an email, the last two digits of a phone number.
func redact(to string) string {
	if at := strings.LastIndexByte(to, '@'); at > 0 {
		return to[:1] + "…" + to[at:]
	}
	if len(to) > 2 {
		return "…" + to[len(to)-2:]
	}
	return "…"
}

// Query selects outbox entries; zero fields match everything.
type Query struct {
	Account string
	To      string // compared case-insensitively
	Purpose string
	Since   time.Time
	// Limit keeps the newest Limit entries (0: all).
	Limit int
}

// Outbox lists entries oldest first, with the bodies of messages kept in the outbox opened. It
// reads the index of the query's recipient, else its account, else its purpose, else of every
// entry, newest first, and stops at the query's Limit or at the first entry before its Since; the
// other filters are checked on each entry read.
func (n *Notifier) Outbox(ctx context.Context, q Query) ([]Entry, error) {
	index, value := "newest", ""
	switch {
	case q.To != "":
		index, value = "to", foldCase(q.To)
	case q.Account != "":
		index, value = "account", q.Account
	case q.Purpose != "":
		index, value = "purpose", q.Purpose
	}
	// Entries before since (by ID, as IDs are made) end the reading; e.Time decides the rest.
	since := ""
	if !q.Since.IsZero() {
		since = q.Since.UTC().Add(-time.Nanosecond).Format("20060102T150405.000000000Z") + "-\xff"
	}
	var out []Entry
	err := n.st.View(ctx, func(tx store.Tx) error {
		src := outbox.Resolved(tx, "", outbox.IndexRange(tx, index, "", value+"\x01"))
		// Small batches first, as a query's answer is usually short (a Since stops the reading
		// where the answer ends, and the batch may read past it), doubling up to 256.
		batch := 16
		if q.Limit > 0 {
			batch = min(batch, q.Limit)
		}
		for after := ""; ; batch = min(2*batch, 256) {
			items, err := src(after, batch)
			if err != nil {
				return err
			}
			for _, it := range items {
				after = it.Key
				if store.EntryKey(it.Key) < since {
					return nil
				}
				if it.Body == nil {
					continue // gone since the index was read
				}
				r, err := outbox.Decode(it.Body)
				if err != nil {
					return err
				}
				e := r.entry()
				if q.Account != "" && e.Account != q.Account || q.To != "" && !strings.EqualFold(e.To, q.To) ||
					q.Purpose != "" && e.Purpose != q.Purpose || !q.Since.IsZero() && e.Time.Before(q.Since) {
					continue
				}
				if e.SealedBody != nil {
					body, err := n.seal.Open(e.SealedBody, bodyAD(e.ID))
					if err != nil {
						return fmt.Errorf("outbox entry %s: %w", e.ID, err)
					}
					e.Body = string(body)
				}
				e.SealedBody = nil
				out = append(out, e)
				if len(out) == q.Limit {
					return nil
				}
			}
			if len(items) < batch {
				return nil
			}
		}
	})
	slices.Reverse(out)
	return out, err
}
