package notify

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// An outbox entry stored before records were versioned — the JSON of Entry, body sealed, no
// record envelope — reads back with its body once Migrate has indexed it; a new entry is stored as
// a version-1 record.
func TestLegacyOutboxEntry(t *testing.T) {
	st, sealer := testStore(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	id := newEntryID(at, 1)
	old, err := json.Marshal(Entry{ID: id, Time: at, Channel: Email, To: "root@example.com", Subject: "Reset", Account: "111122223333",
		Purpose: "password-reset", Transport: TransportOutbox, SealedBody: sealer.Seal([]byte("the old body"), bodyAD(id))})
	if err != nil {
		t.Fatal(err)
	}
	// The row as a database of the previous schema holds it: no index entries, and no registry
	// row (store.kind) for the kind, so that Migrate, when the store opens, builds its indexes.
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Delete("store.kind", "", kindOutbox); err != nil {
			return err
		}
		return tx.Put(kindOutbox, "", id, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, st); err != nil {
		t.Fatal(err)
	}
	n, err := New(st, sealer, Config{}, WithClock(func() time.Time { return at.Add(time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(ctx, Message{Channel: Email, To: "root@example.com", Subject: "Again", Body: "the new body", Purpose: "alert"}); err != nil {
		t.Fatal(err)
	}
	got, err := n.Outbox(ctx, Query{To: "ROOT@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != id || got[0].Body != "the old body" || got[0].Subject != "Reset" || got[0].Account != "111122223333" ||
		got[1].Body != "the new body" || got[1].Purpose != "alert" {
		t.Fatalf("Outbox = %+v, want the old entry then the new one, bodies opened", got)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		body, err := tx.Get(kindOutbox, "", got[1].ID)
		if err == nil && (len(body) < 2 || body[0] != 0x01 || body[1] != 1) {
			t.Errorf("new entry stored as %q, want a version-1 record envelope", body[:min(len(body), 8)])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
