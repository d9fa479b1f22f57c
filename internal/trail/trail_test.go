package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/store/testbackend"
)

func TestRecordAndList(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := NewRecorder(st, nil)
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		r.Record(&Event{
			UserIdentity: UserIdentity{Type: "Root", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"},
			EventTime:    base.Add(time.Duration(i) * time.Minute), EventSource: "iam.amazonaws.com",
			EventName: map[bool]string{true: "ListUsers", false: "CreateUser"}[i%2 == 0], EventType: AwsAPICall,
			RecipientAccountID: "111122223333",
		})
	}
	r.Record(&Event{EventName: "ConsoleLogin", EventType: AwsConsoleSignIn, RecipientAccountID: "444455556666", EventTime: base})
	r.Close()

	ctx := context.Background()
	all, err := List(ctx, st, Query{Account: "111122223333"})
	if err != nil || len(all.Events) != 10 {
		t.Fatalf("List = %d events, %v", len(all.Events), err)
	}
	for i, e := range all.Events {
		if !e.EventTime.Equal(base.Add(time.Duration(i)*time.Minute)) || e.EventID == "" || e.EventVersion != "1.08" || e.EventCategory != "Management" || e.AWSRegion != "us-east-1" {
			t.Fatalf("event %d = %+v", i, e)
		}
	}
	window, _ := List(ctx, st, Query{Account: "111122223333", Start: base.Add(3 * time.Minute), End: base.Add(6 * time.Minute)})
	if len(window.Events) != 4 || window.Events[0].EventTime != base.Add(3*time.Minute) {
		t.Fatalf("window = %d events", len(window.Events))
	}
	creates, _ := List(ctx, st, Query{Account: "111122223333", Match: func(e *Event) bool { return e.EventName == "CreateUser" }})
	if len(creates.Events) != 5 {
		t.Fatalf("filtered = %d", len(creates.Events))
	}
	p1, _ := List(ctx, st, Query{Account: "111122223333", Limit: 4})
	p2, _ := List(ctx, st, Query{Account: "111122223333", Limit: 4, After: p1.Next})
	if len(p1.Events) != 4 || p1.Next == "" || len(p2.Events) != 4 || p2.Events[0].EventTime != base.Add(4*time.Minute) {
		t.Fatalf("pages %d/%d next %q", len(p1.Events), len(p2.Events), p1.Next)
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

// Expire deletes the events before the cutoff, in batches smaller than their number, in every
// account — including one known only from the accounts argument (events stored before the account
// index existed) — and keeps the rest.
func TestExpire(t *testing.T) {
	counted := &countingStore{Store: testbackend.Open(t)}
	st := store.Store(counted)
	r := NewRecorder(st, nil)
	defer r.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cutoff := base.Add(7 * time.Hour)
	accounts := []string{"111122223333", "444455556666"}
	for _, a := range accounts {
		for i := range 10 { // 7 before the cutoff, 3 at or after it
			r.Record(&Event{EventName: "ListUsers", EventType: AwsAPICall, RecipientAccountID: a, EventTime: base.Add(time.Duration(i) * time.Hour)})
		}
	}
	r.Flush()
	// An account with old events but no index entry, as stored before the index existed.
	ctx := context.Background()
	legacy := "777788889999"
	err := st.Update(ctx, func(tx store.Tx) error {
		for i := range 4 {
			e := &Event{EventID: newEventID(), RecipientAccountID: legacy, EventTime: base.Add(time.Duration(i*3) * time.Hour)}
			b, _ := json.Marshal(e)
			if err := tx.Put(kindEvent, legacy, eventKey(e), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	counted.maxDeletes, counted.updates = 0, 0
	n, err := r.Expire(ctx, cutoff, 3, legacy)
	if err != nil || n != 2*7+3 {
		t.Fatalf("Expire = %d, %v; want %d, nil", n, err, 2*7+3)
	}
	// 7+7+3 deletions, at most 3 a transaction: 3+3+1 per indexed account, 3 (then an empty look) for
	// the legacy one.
	if counted.maxDeletes != 3 || counted.updates < 7 {
		t.Errorf("got %d transactions, at most %d deletions each; want at least 7, at most 3 each", counted.updates, counted.maxDeletes)
	}
	for _, a := range append(accounts, legacy) {
		p, err := List(ctx, st, Query{Account: a})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) == 0 {
			t.Fatalf("%s: got no events left; want the ones from %s on", a, cutoff)
		}
		for _, e := range p.Events {
			if e.EventTime.Before(cutoff) {
				t.Errorf("%s: event of %s survived; want every event before %s gone", a, e.EventTime, cutoff)
			}
		}
	}
	for _, a := range accounts {
		if p, _ := List(ctx, st, Query{Account: a}); len(p.Events) != 3 {
			t.Errorf("%s: got %d events left, want 3", a, len(p.Events))
		}
	}
	// Again: nothing more to delete.
	if n, err := r.Expire(ctx, cutoff, 3); n != 0 || err != nil {
		t.Fatalf("second Expire = %d, %v; want 0, nil", n, err)
	}
	// Everything expires, the legacy account's last event too (it joined the index above); the
	// emptied accounts leave the index, and a new event brings one back.
	if n, err := r.Expire(ctx, base.Add(24*time.Hour), 2); n != 2*3+1 || err != nil {
		t.Fatalf("Expire all = %d, %v; want 7, nil", n, err)
	}
	var left int
	_ = st.View(ctx, func(tx store.Tx) error { left, _ = tx.Count(kindEventAccount, "", ""); return nil })
	if left != 0 {
		t.Fatalf("got %d index entries after every indexed account emptied; want 0", left)
	}
	r.Record(&Event{EventName: "ListUsers", RecipientAccountID: accounts[0], EventTime: base.Add(48 * time.Hour)})
	r.Flush()
	if n, err := r.Expire(ctx, base.Add(72*time.Hour), 500); n != 1 || err != nil {
		t.Fatalf("Expire after a new event = %d, %v; want 1, nil", n, err)
	}
	if _, err := r.Expire(ctx, cutoff, 0); err == nil {
		t.Fatal("Expire with batch 0 succeeded; want an error")
	}
}

// countingStore counts write transactions and the most deletions one of them made.
type countingStore struct {
	store.Store
	updates, maxDeletes int
}

func (c *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	c.updates++
	return c.Store.Update(ctx, func(tx store.Tx) error {
		ct := &countingTx{Tx: tx}
		err := fn(ct)
		c.maxDeletes = max(c.maxDeletes, ct.deletes)
		return err
	})
}

type countingTx struct {
	store.Tx
	deletes int
}

func (c *countingTx) Delete(kind, account, key string) error {
	if kind == kindEvent {
		c.deletes++
	}
	return c.Tx.Delete(kind, account, key)
}
