package trail

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
)

func mustRecord(t *testing.T, r *Recorder, e *Event) {
	t.Helper()
	if err := r.Record(e); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func TestRecordAndList(t *testing.T) {
	st := testbackend.Open(t)
	r := NewRecorder(st, nil)
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		mustRecord(t, r, &Event{
			UserIdentity: UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/alice", AccountID: "111122223333", UserName: []string{"alice", "bob"}[i/5]},
			EventTime:    base.Add(time.Duration(i) * time.Minute), EventSource: "iam.amazonaws.com",
			EventName: map[bool]string{true: "ListUsers", false: "CreateUser"}[i%2 == 0], EventType: AwsAPICall,
			RecipientAccountID: "111122223333",
		})
	}
	mustRecord(t, r, &Event{EventName: "ConsoleLogin", EventType: AwsConsoleSignIn, RecipientAccountID: "444455556666", EventTime: base})
	r.Close()

	ctx := context.Background()
	all, err := List(ctx, st, Query{Account: "111122223333"})
	if err != nil || len(all.Events) != 10 || all.Next != "" {
		t.Fatalf("List = %d events, next %q, %v; want 10, none", len(all.Events), all.Next, err)
	}
	for i, e := range all.Events {
		if !e.EventTime.Equal(base.Add(time.Duration(i)*time.Minute)) || e.EventID == "" || e.EventVersion != "1.08" || e.EventCategory != "Management" || e.AWSRegion != "us-east-1" {
			t.Fatalf("event %d = %+v", i, e)
		}
	}
	names := func(p Page) []string {
		var out []string
		for _, e := range p.Events {
			out = append(out, e.EventTime.Format("15:04")+" "+e.EventName)
		}
		return out
	}
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"window", Query{Start: base.Add(3 * time.Minute), End: base.Add(5 * time.Minute)}, []string{"12:03 CreateUser", "12:04 ListUsers", "12:05 CreateUser"}},
		{"match", Query{Match: func(e *Event) bool { return e.EventName == "CreateUser" }, Limit: 2}, []string{"12:01 CreateUser", "12:03 CreateUser"}},
		{"event name", Query{EventName: "ListUsers", Newest: true, Limit: 2}, []string{"12:08 ListUsers", "12:06 ListUsers"}},
		{"user name newest first", Query{UserName: "bob", Newest: true, Limit: 3}, []string{"12:09 CreateUser", "12:08 ListUsers", "12:07 CreateUser"}},
		{"user name and match", Query{UserName: "alice", Match: func(e *Event) bool { return e.EventName == "CreateUser" }}, []string{"12:01 CreateUser", "12:03 CreateUser"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Account = "111122223333"
			p, err := List(ctx, st, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p); !slices.Equal(got, tc.want) {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		for _, newest := range []bool{false, true} {
			for _, match := range []func(*Event) bool{nil, func(*Event) bool { return true }} {
				var got []string
				q := Query{Account: "111122223333", Limit: 4, Newest: newest, Match: match}
				for range 5 {
					p, err := List(ctx, st, q)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, names(p)...)
					if p.Next == "" {
						break
					}
					q.After = p.Next
				}
				want := names(all)
				if newest {
					slices.Reverse(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("newest %v, match %v: pages gave %v; want %v", newest, match != nil, got, want)
				}
			}
		}
	})
	if _, err := List(ctx, st, Query{Account: "111122223333", After: "20261101T120000Z/x"}); !errors.Is(err, ErrBadToken) {
		t.Errorf("List with a foreign After = %v; want ErrBadToken", err)
	}
	other, _ := List(ctx, st, Query{Account: "444455556666"})
	if len(other.Events) != 1 || other.Events[0].EventName != "ConsoleLogin" {
		t.Fatalf("other account = %+v", other.Events)
	}
	// The record keeps CloudTrail's field names.
	b, _ := json.Marshal(all.Events[0])
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "eventID", "eventType", "recipientAccountId", "requestParameters", "responseElements"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record lacks %s: %s", k, b)
		}
	}
}

// The columns a record is looked up by come from its fields: user name and access key of the
// identity, the resource from the first request parameter naming one, read-only.
func TestColumns(t *testing.T) {
	key, yes := "AKIAEXAMPLE", true
	cases := []struct {
		name             string
		e                Event
		user, key, rtype string
		rname            string
		ro               bool
	}{
		{"user and key", Event{UserIdentity: UserIdentity{UserName: "alice", AccessKeyID: &key}}, "alice", key, "", "", false},
		{"user resource", Event{RequestParameters: map[string]any{"userName": "bob", "groupName": "g"}}, "", "", "AWS::IAM::User", "bob", false},
		{"empty user name is no resource", Event{RequestParameters: map[string]any{"userName": "", "roleName": "r"}}, "", "", "AWS::IAM::Role", "r", false},
		{"non-string is no resource", Event{RequestParameters: map[string]any{"policyArn": 5, "accessKeyId": "AKIA2"}}, "", "", "AWS::IAM::AccessKey", "AKIA2", false},
		{"read-only", Event{ReadOnly: &yes}, "", "", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			row, err := storedEvent(&tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if row.UserName != tc.user || row.AccessKey != tc.key || row.ResourceType != tc.rtype || row.ResourceName != tc.rname || row.ReadOnly != tc.ro {
				t.Errorf("got user %q key %q resource %q %q read-only %v; want %q %q %q %q %v",
					row.UserName, row.AccessKey, row.ResourceType, row.ResourceName, row.ReadOnly, tc.user, tc.key, tc.rtype, tc.rname, tc.ro)
			}
		})
	}
	if _, err := storedEvent(&Event{RequestParameters: map[string]any{"x": make(chan int)}}); err == nil {
		t.Error("an event that cannot be encoded was accepted")
	}
}

// gate is an event log whose appends wait for a release, so a test can hold the writer inside a
// commit while other records arrive.
type gate struct {
	store.EventLog
	mu      sync.Mutex
	batches [][]string // the event names of each append, in order
	entered chan int   // told the size of each append as it starts
	release chan error // each append returns what it receives (nil: it goes on to store)
}

func (g *gate) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	g.mu.Lock()
	g.batches = append(g.batches, names)
	g.mu.Unlock()
	g.entered <- len(events)
	if err := <-g.release; err != nil {
		return err
	}
	return g.EventLog.AppendEvents(ctx, events)
}

func newGate(t *testing.T) (*gate, *Recorder) {
	g := &gate{EventLog: testbackend.Open(t), entered: make(chan int), release: make(chan error)}
	r := &Recorder{st: g, now: time.Now}
	r.init(nil)
	t.Cleanup(func() {
		go func() {
			for range g.entered {
			}
		}()
		go func() {
			for {
				g.release <- nil
			}
		}()
		r.Close()
	})
	return g, r
}

// recordAsync records an event named name in a goroutine and returns where its result arrives.
func recordAsync(r *Recorder, name string) chan error {
	res := make(chan error, 1)
	go func() { res <- r.Record(&Event{EventName: name, RecipientAccountID: "111122223333"}) }()
	return res
}

// Record returns only once its commit has returned; records that arrive while the writer commits
// share the next commit (group commit), and each caller learns its own commit's outcome.
func TestGroupCommit(t *testing.T) {
	g, r := newGate(t)
	first := recordAsync(r, "first")
	if n := <-g.entered; n != 1 {
		t.Fatalf("first commit holds %d events; want 1 (an idle recorder commits at once)", n)
	}
	var later []chan error
	for range 5 {
		later = append(later, recordAsync(r, "later"))
	}
	// The five are queued behind the held commit once Flush would wait for six.
	waitPending(r, 6)
	select {
	case err := <-first:
		t.Fatalf("Record returned %v before its commit did", err)
	default:
	}
	g.release <- nil
	if err := <-first; err != nil {
		t.Fatalf("first Record = %v", err)
	}
	if n := <-g.entered; n != 5 {
		t.Fatalf("second commit holds %d events; want the 5 that queued meanwhile", n)
	}
	g.release <- errors.New("disk full")
	for _, c := range later {
		if err := <-c; err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("Record in a failed commit = %v; want the commit's error", err)
		}
	}
	// The failure is its batch's only: the next record is stored.
	next := recordAsync(r, "next")
	<-g.entered
	g.release <- nil
	if err := <-next; err != nil {
		t.Fatalf("Record after a failed commit = %v; want nil", err)
	}
	p, err := List(context.Background(), g.EventLog, Query{Account: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Events {
		got = append(got, e.EventName)
	}
	if !slices.Equal(got, []string{"first", "next"}) {
		t.Errorf("stored %v; want [first next] (the failed batch stored nothing)", got)
	}
}

// waitPending waits until n records are queued or committing.
func waitPending(r *Recorder, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.pending < n {
		r.settled.Wait()
	}
}

// Close commits what is queued; a Record after Close fails with ErrClosed.
func TestCloseDrains(t *testing.T) {
	st := testbackend.Open(t)
	r := NewRecorder(st, nil)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Record(&Event{EventName: "x", RecipientAccountID: "111122223333"})
		}()
	}
	wg.Wait()
	r.Close()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Record(&Event{EventName: "late", RecipientAccountID: "111122223333"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Record after Close = %v; want ErrClosed", err)
	}
	r.Close() // twice is harmless
	p, _ := List(context.Background(), st, Query{Account: "111122223333"})
	if len(p.Events) != 20 {
		t.Fatalf("got %d events; want 20", len(p.Events))
	}
}

// Expire deletes the events before the cutoff of every account, oldest first, in batches smaller
// than their number, and keeps the rest.
func TestExpire(t *testing.T) {
	st := testbackend.Open(t)
	counted := &countingLog{EventLog: st}
	r := &Recorder{st: counted, now: time.Now}
	r.init(nil)
	defer r.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cutoff := base.Add(7 * time.Hour)
	accounts := []string{"111122223333", "444455556666"}
	for _, a := range accounts {
		for i := range 10 { // 7 before the cutoff, 3 at or after it
			mustRecord(t, r, &Event{EventName: "ListUsers", EventType: AwsAPICall, RecipientAccountID: a, EventTime: base.Add(time.Duration(i) * time.Hour)})
		}
	}
	ctx := context.Background()
	n, err := r.Expire(ctx, cutoff, 3)
	if err != nil || n != 2*7 {
		t.Fatalf("Expire = %d, %v; want %d, nil", n, err, 2*7)
	}
	// 14 deletions, at most 3 a transaction: 5 transactions (the last one deleting 2).
	if !slices.Equal(counted.expired, []int{3, 3, 3, 3, 2}) {
		t.Errorf("deleted per transaction %v; want [3 3 3 3 2]", counted.expired)
	}
	for _, a := range accounts {
		p, err := List(ctx, st, Query{Account: a})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 3 || p.Events[0].EventTime.Before(cutoff) {
			t.Errorf("%s: got %d events left, first %v; want 3 from %s on", a, len(p.Events), p.Events, cutoff)
		}
	}
	if n, err := r.Expire(ctx, cutoff, 3); n != 0 || err != nil {
		t.Fatalf("second Expire = %d, %v; want 0, nil", n, err)
	}
	if _, err := r.Expire(ctx, cutoff, 0); err == nil {
		t.Fatal("Expire with batch 0 succeeded; want an error")
	}
}

// countingLog records how many events each ExpireEvents call deleted.
type countingLog struct {
	store.EventLog
	expired []int
}

func (c *countingLog) ExpireEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	n, err := c.EventLog.ExpireEvents(ctx, before, batch)
	c.expired = append(c.expired, n)
	return n, err
}

// A subscriber sees each committed batch once, after its commit and before its callers are
// answered, in commit order; a batch whose commit failed is not passed on.
func TestSubscribe(t *testing.T) {
	g, r := newGate(t)
	var (
		mu   sync.Mutex
		seen [][]string
	)
	r.Subscribe(func(events []*Event) {
		var names []string
		for _, e := range events {
			names = append(names, e.EventName)
		}
		mu.Lock()
		seen = append(seen, names)
		mu.Unlock()
	})
	seenNow := func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
	failed := recordAsync(r, "failed")
	<-g.entered
	g.release <- errors.New("disk full")
	if err := <-failed; err == nil {
		t.Fatal("Record in a failed commit = nil")
	}
	if got := seenNow(); len(got) != 0 {
		t.Fatalf("subscriber saw %v after a failed commit; want nothing", got)
	}
	ok := recordAsync(r, "stored")
	<-g.entered
	g.release <- nil
	if err := <-ok; err != nil {
		t.Fatal(err)
	}
	// Record returned, so the subscriber has already been told.
	if got := seenNow(); len(got) != 1 || !slices.Equal(got[0], []string{"stored"}) {
		t.Fatalf("subscriber saw %v; want [[stored]]", got)
	}
}

// deadlineLog records the time left before the deadline of each append's context.
type deadlineLog struct {
	store.EventLog
	left []time.Duration
	ctxs []context.Context
}

func (d *deadlineLog) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	dl, _ := ctx.Deadline() // none: zero, far past
	d.left = append(d.left, time.Until(dl))
	d.ctxs = append(d.ctxs, ctx)
	return d.EventLog.AppendEvents(ctx, events)
}

// Every append is bounded by writeTimeout at least and twice that at most, and the context that
// bounds them is released on Close.
func TestAppendDeadline(t *testing.T) {
	logged := &deadlineLog{EventLog: testbackend.Open(t)}
	r := &Recorder{st: logged, now: time.Now}
	r.init(nil)
	for range 3 {
		mustRecord(t, r, &Event{EventName: "GetCallerIdentity", EventType: AwsAPICall, RecipientAccountID: "111122223333"})
	}
	r.Close()
	if len(logged.left) != 3 {
		t.Fatalf("got %d appends; want 3", len(logged.left))
	}
	for i, left := range logged.left {
		if left <= writeTimeout/2 || left > 2*writeTimeout {
			t.Errorf("append %d: %v before its deadline; want within (%v, %v]", i, left, writeTimeout/2, 2*writeTimeout)
		}
	}
	if err := logged.ctxs[0].Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("the appends' context after Close: %v; want canceled", err)
	}
}
