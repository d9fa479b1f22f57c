package trail

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/testbackend"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Minted IDs are UUIDv7s that increase in mint order whatever the clock does: standing still (more
// IDs in a millisecond than the counter holds), stepping back, or moving on.
func TestIDMinterIncreases(t *testing.T) {
	base := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	clocks := []struct {
		name string
		at   func(i int) time.Time
	}{
		{"standing still", func(int) time.Time { return base }},
		{"stepping back", func(i int) time.Time { return base.Add(-time.Duration(i) * time.Millisecond) }},
		{"moving on", func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond / 3) }},
	}
	for _, c := range clocks {
		t.Run(c.name, func(t *testing.T) {
			var m idMinter
			prev := ""
			for i := range 10_000 {
				id := m.next(c.at(i))
				if !uuidV7.MatchString(id) {
					t.Fatalf("ID %d = %q; want a canonical UUIDv7", i, id)
				}
				if id <= prev {
					t.Fatalf("ID %d = %s after %s; want increasing", i, id, prev)
				}
				prev = id
			}
		})
	}
	t.Run("time prefix", func(t *testing.T) {
		var m idMinter
		// 2026-12-06T15:00:00Z is 1796569200000 ms, 0x01a24bde7580.
		if got, want := m.next(base)[:13], "01a24bde-7580"; got != want {
			t.Errorf("ID of %s begins %s; want its Unix milliseconds %x", base, got, base.UnixMilli())
		}
	})
}

// Record mints an ID for an event without one, in its body too; an event with an ID keeps it.
func TestRecordMintsIDs(t *testing.T) {
	st := testbackend.Open(t)
	r := NewRecorder(st, nil)
	defer r.Close()
	var ids []string
	for i := range 3 {
		e := &Event{EventName: "GetUser", RecipientAccountID: "111122223333",
			RequestParameters: map[string]any{"eventID": idPlaceholder, "n": i}}
		if err := r.Record(e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.EventID)
	}
	given := &Event{EventID: "copied-id", EventName: "GetUser", RecipientAccountID: "111122223333"}
	if err := r.Record(given); err != nil {
		t.Fatal(err)
	}
	p, err := List(t.Context(), st, Query{Account: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 4 {
		t.Fatalf("got %d events; want 4", len(p.Events))
	}
	for i, e := range p.Events[:3] {
		if !uuidV7.MatchString(e.EventID) || e.EventID != ids[i] || (i > 0 && e.EventID <= ids[i-1]) {
			t.Errorf("event %d has ID %q, Record set %q; want the same increasing UUIDv7", i, e.EventID, ids[i])
		}
		// The request parameter that looks like the placeholder is left as it was.
		if got := e.RequestParameters["eventID"]; got != idPlaceholder {
			t.Errorf("event %d: requestParameters.eventID = %v; want %s", i, got, idPlaceholder)
		}
		b, _ := json.Marshal(e)
		var back Event
		if err := json.Unmarshal(b, &back); err != nil || back.EventID != ids[i] {
			t.Errorf("event %d body's ID = %q, %v; want %s", i, back.EventID, err, ids[i])
		}
	}
	if p.Events[3].EventID != "copied-id" {
		t.Errorf("given ID stored as %q; want copied-id", p.Events[3].EventID)
	}
}
