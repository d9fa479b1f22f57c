package trail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Recorder writes events to the store's event log with group commit (see the package comment).
type Recorder struct {
	st  store.EventLog
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	queue   []*waiter  // guarded by mu: recorded, not yet taken by a writer
	pending int        // guarded by mu: recorded, not yet committed (or failed)
	writing bool       // guarded by mu: a caller is appending a batch (it is the writer)
	settled *sync.Cond // signalled when pending or writing changes
	closed  bool       // guarded by mu

	subs []func([]*Event) // guarded by mu: told of each committed batch (Subscribe)
	ids  idMinter         // guarded by mu: mints IDs in queue order

	// The context of the batches' appends (commitContext); used only by the writer (one at a
	// time: the role passes under mu), and by Close once no writer is left.
	wctx      context.Context
	wcancel   context.CancelFunc
	wdeadline time.Time
}

// waiter is one Record call waiting for its event's commit.
type waiter struct {
	ev  *Event
	row *store.StoredEvent
	// done tells the caller, in this order: errLead at most once (it is to write the next batch),
	// then its event's outcome. Its capacity of 1 suffices: the event stays queued until its
	// caller took the errLead, so the outcome is sent after it was received; the writer never
	// blocks on a caller.
	done chan error
}

// NewRecorder starts a recorder writing to st's event log.
func NewRecorder(st store.EventLog, log *slog.Logger) *Recorder {
	r := &Recorder{st: st, now: time.Now}
	r.init(log)
	return r
}

// init sets up r's logger and condition.
func (r *Recorder) init(log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	r.log = log
	r.settled = sync.NewCond(&r.mu)
}

// Record fills in the event's defaults (ID, version, time, category), stores it, and returns once
// it is durable: nil means the record is committed. It returns an error when the record could not
// be stored (it is then not stored: the caller must not answer success), ErrClosed after Close.
func (r *Recorder) Record(e *Event) error {
	if !recording {
		return nil
	}
	// An event without an ID gets one minted when it joins the queue, so that the IDs of the queue
	// increase (see idMinter); it is encoded here, in the caller's goroutine, with a placeholder
	// the minted ID overwrites in place.
	mint := -1
	if e.EventID == "" {
		e.EventID = idPlaceholder
		mint = 0
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
	row, idAt, err := encodeStored(e)
	if err != nil {
		if mint == 0 {
			e.EventID = ""
		}
		return err
	}
	if mint == 0 {
		mint = idAt
	}
	w := &waiter{ev: e, row: row, done: make(chan error, 1)}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		if mint >= 0 {
			e.EventID = ""
		}
		return ErrClosed
	}
	if mint >= 0 {
		id := r.ids.next(r.now())
		copy(row.Body[mint:], id)
		e.EventID, row.ID = id, id
	}
	r.queue = append(r.queue, w)
	r.pending++
	lead := !r.writing
	r.writing = true
	r.settled.Broadcast()
	r.mu.Unlock()
	if lead {
		// Let the goroutines that are ready to run (other calls' handlers, under load) reach
		// their Record first, so that their events join this batch: one write for several calls
		// instead of one each. When none is ready, Gosched returns at once.
		runtime.Gosched()
		r.write()
	}
	for {
		err := <-w.done
		if err != errLead {
			return err
		}
		r.write()
	}
}

// errLead, sent on a waiter's done, hands it the writing of the next batch (see write).
var errLead = errors.New("trail: write the next batch")

// Subscribe makes fn see every event committed from now on: the writer calls it with each
// committed batch, in commit order, after the batch is durable and before its callers are answered.
// fn runs on the writer's goroutine (a Record caller's, see write), so it must only hand the events
// on (to a queue of its own) and never block or call back into the recorder; it must not modify them. Events of a batch that failed
// to commit are not passed on. This is how EventBridge's default bus and GuardDuty see the trail.
func (r *Recorder) Subscribe(fn func([]*Event)) {
	r.mu.Lock()
	r.subs = append(r.subs, fn)
	r.mu.Unlock()
}

// Flush waits until every event recorded so far is committed or has failed. Record itself waits
// for its own event; Flush is for a caller that must see the events of other goroutines stored.
func (r *Recorder) Flush() {
	r.mu.Lock()
	for r.pending > 0 {
		r.settled.Wait()
	}
	r.mu.Unlock()
}

// Close commits what is queued, waits for the writer and makes later Records fail with ErrClosed.
func (r *Recorder) Close() {
	r.mu.Lock()
	r.closed = true
	// Record refuses events once closed is set, so the queue only drains.
	for r.writing || len(r.queue) > 0 {
		r.settled.Wait()
	}
	if r.wcancel != nil {
		r.wcancel()
		r.wctx, r.wcancel = nil, nil
	}
	r.mu.Unlock()
}

// write is the writer, run by a Record caller: the caller that finds no writer at work, or the
// one a writer hands the next batch to. It takes whatever is queued (up to maxBatch; the caller's
// own event is first), appends it as one batch, tells each waiter, and hands the rest of the
// queue to the first caller in it, or notes that no writer is at work. So there is one writer at
// a time, no goroutine of its own to wake (an idle recorder appends in the caller's goroutine at
// once), and each caller writes at most one batch; events that arrive while a batch is appended
// form the next one, so a busy recorder batches by itself.
func (r *Recorder) write() {
	r.mu.Lock()
	n := min(len(r.queue), maxBatch)
	batch := r.queue[:n:n]
	r.queue = r.queue[n:]
	r.mu.Unlock()
	r.commit(batch)
	r.mu.Lock()
	if len(r.queue) > 0 {
		r.queue[0].done <- errLead
	} else {
		r.writing = false
		r.settled.Broadcast()
	}
	r.mu.Unlock()
}

func (r *Recorder) commit(batch []*waiter) {
	rows := make([]*store.StoredEvent, len(batch))
	for i, w := range batch {
		rows[i] = w.row
	}
	err := r.st.AppendEvents(r.commitContext(), rows)
	if err != nil {
		r.log.Error("writing trail events", "events", len(batch), "err", err)
		err = fmt.Errorf("trail: recording the event: %w", err)
	} else {
		// The log keeps no body once the append returned (store.EventLog.AppendEvents).
		for _, w := range batch {
			recycle(w.row)
		}
		r.publish(batch)
	}
	for _, w := range batch {
		w.done <- err
	}
	r.mu.Lock()
	r.pending -= len(batch)
	r.settled.Broadcast()
	r.mu.Unlock()
}

// commitContext is the context of a batch's append: it bounds the append by writeTimeout at least
// and by twice that at most. One context serves the batches of writeTimeout's time, since a
// context with a timer of its own per batch cost about 1 µs of CPU per call under load, where
// batches hold about one event. Only the writer calls it.
func (r *Recorder) commitContext() context.Context {
	now := time.Now()
	if r.wctx == nil || r.wdeadline.Sub(now) < writeTimeout {
		if r.wcancel != nil {
			r.wcancel()
		}
		r.wdeadline = now.Add(2 * writeTimeout)
		r.wctx, r.wcancel = context.WithDeadline(context.Background(), r.wdeadline)
	}
	return r.wctx
}

// publish tells the subscribers of a committed batch. Events the log skipped as already stored (a
// zero Seq) are not new, so they are not passed on.
func (r *Recorder) publish(batch []*waiter) {
	r.mu.Lock()
	subs := r.subs
	r.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	events := make([]*Event, 0, len(batch))
	for _, w := range batch {
		if w.row.Seq != 0 {
			events = append(events, w.ev)
		}
	}
	if len(events) == 0 {
		return
	}
	for _, fn := range subs {
		fn(events)
	}
}

// storedEvent is e as a row of the event log: its body and the columns lookups filter on.
func storedEvent(e *Event) (*store.StoredEvent, error) {
	row, _, err := encodeStored(e)
	return row, err
}

// bodies holds buffers for the bodies of events being recorded (*[]byte): the event log does not
// keep a body once AppendEvents returns, so the writer gives each back after its batch.
var bodies sync.Pool

// maxPooledBody bounds the buffers kept in bodies, so that one large event does not stay in memory.
const maxPooledBody = 64 << 10

// encodeStored is storedEvent, the body in a buffer of bodies (to be given back with recycle),
// and where in the body the eventID's value begins.
func encodeStored(e *Event) (*store.StoredEvent, int, error) {
	var buf []byte
	if b, ok := bodies.Get().(*[]byte); ok {
		buf = (*b)[:0]
	}
	body, idAt, err := appendEvent(buf, e)
	if err != nil {
		return nil, 0, fmt.Errorf("trail: encoding the event: %w", err)
	}
	row := &store.StoredEvent{
		Account: e.RecipientAccountID, Time: e.EventTime, ID: e.EventID, Name: e.EventName,
		Source: e.EventSource, UserName: LookupUserName(&e.UserIdentity), Body: body,
	}
	if e.UserIdentity.AccessKeyID != nil {
		row.AccessKey = *e.UserIdentity.AccessKeyID
	}
	if e.ReadOnly != nil {
		row.ReadOnly = *e.ReadOnly
	}
	row.ResourceType, row.ResourceName = resourceOf(e.RequestParameters)
	return row, idAt, nil
}

// recycle gives a stored row's body buffer back to bodies; nothing may use it afterwards.
func recycle(row *store.StoredEvent) {
	if cap(row.Body) <= maxPooledBody {
		b := row.Body[:0]
		bodies.Put(&b)
	}
	row.Body = nil
}

// RootUserName is the user name CloudTrail's event history gives the root user's events, privileged
// root sessions' included (their userIdentity.type is Root too): LookupEvents by the Username
// attribute "root" finds them (CloudTrail User Guide, "Viewing CloudTrail events with the AWS CLI":
// "Username", and "CloudTrail userIdentity element": type Root).
const RootUserName = "root"

// LookupUserName is the value of the event log's user name column, which LookupEvents' Username
// attribute matches: the IAM user's name, RootUserName for the root user, the session's name for an
// assumed role (the last part of arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: the User name
// CloudTrail's event history shows for a role session, CloudTrail User Guide, "Viewing CloudTrail
// events with the CloudTrail console"), the federated user's name for a GetFederationToken session
// (the last part of arn:aws:sts::ACCOUNT:federated-user/NAME, read the same way: CloudTrail's event
// history names a caller by its user or session name; AWS documents no other), "" for other
// principals.
// The event log's migrations derive the same column for records stored before root's were indexed
// (internal/store/postgres/migrations/00004_root_user_name.sql, 00005 for sessions, 00006 for
// federated users; internal/store/sqlite/eventroot.go);
// the migration test checks they agree.
func LookupUserName(u *UserIdentity) string {
	if u.UserName == "" && u.Type == "Root" {
		return RootUserName
	}
	if u.UserName == "" && u.Type == "AssumedRole" {
		if _, res, ok := strings.Cut(u.ARN, ":assumed-role/"); ok {
			if i := strings.LastIndexByte(res, '/'); i >= 0 {
				return res[i+1:]
			}
		}
	}
	if u.UserName == "" && u.Type == "FederatedUser" {
		if _, name, ok := strings.Cut(u.ARN, ":federated-user/"); ok {
			return name
		}
	}
	return u.UserName
}

// resourceParams are the request parameters that name the resource an event acted on, in the order
// they are looked for, with the CloudTrail resource type each names (CloudTrail User Guide,
// "LookupAttribute": ResourceType and ResourceName). An event keeps one resource: the first of these
// parameters that holds a non-empty string. The migration of older records
// (internal/store/*/migrations/00003_events.sql) derives the same columns from the same list; the
// migration test checks they agree.
var resourceParams = []struct{ param, typ string }{
	{"userName", "AWS::IAM::User"},
	{"roleName", "AWS::IAM::Role"},
	{"groupName", "AWS::IAM::Group"},
	{"policyArn", "AWS::IAM::Policy"},
	{"instanceProfileName", "AWS::IAM::InstanceProfile"},
	{"accessKeyId", "AWS::IAM::AccessKey"},
	{"accountId", "AWS::Organizations::Account"},
}

func resourceOf(params map[string]any) (typ, name string) {
	for _, p := range resourceParams {
		if v, ok := params[p.param].(string); ok && v != "" {
			return p.typ, v
		}
	}
	return "", ""
}

// ResourceOf is the resource an event acted on, as its ResourceType and ResourceName lookup
// columns hold it ("", "" for none): CloudTrail's LookupEvents answers it as the event's Resources.
func ResourceOf(e *Event) (typ, name string) { return resourceOf(e.RequestParameters) }
