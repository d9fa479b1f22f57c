package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/rootward/rootward/internal/store"
)

// A database written by migration 00003's per-event table opens with its events moved into blocks:
// more rows than one move transaction takes, seqs with gaps (expired rows), times out of seq order,
// random IDs. Every event reads back equal, seq included, by scan, by attribute and by ID; the old
// table is gone; appends go on after the last seq; stored IDs stay deduplicated.
func TestMoveLegacyEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rootward.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	upTo3 := fstest.MapFS{}
	for _, name := range []string{"00001_objects.sql", "00002_changes.sql", "00003_events.sql"} {
		b, err := fs.ReadFile(migrations, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		upTo3[name] = &fstest.MapFile{Data: b}
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, upTo3, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var want []store.StoredEvent
	seq := int64(0)
	for i := range legacyMoveRows + 700 {
		seq++
		if i%500 == 499 {
			seq += 3 // a gap, as expiry leaves
		}
		e := store.StoredEvent{
			Seq: seq, Account: []string{"111122223333", "444455556666"}[i%2],
			Time: base.Add(time.Duration(i*7%1000) * time.Second), ID: benchUUID(0, 0, 4),
			Name: []string{"CreateUser", "ListUsers"}[i%2], Source: "iam.amazonaws.com",
			UserName: fmt.Sprintf("u%d", i%9), AccessKey: []string{"", "AKIA1"}[i%2],
			ResourceType: "AWS::IAM::User", ResourceName: fmt.Sprintf("r%d", i%13), ReadOnly: i%2 == 1,
			Body: []byte(fmt.Sprintf(`{"n":%d}`, i)),
		}
		if _, err := tx.Exec(`INSERT INTO events (seq, account, event_time, event_id, event_name, event_source,
			user_name, access_key_id, resource_type, resource_name, read_only, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.Account, micros(e.Time), e.ID, e.Name, e.Source, e.UserName, e.AccessKey, e.ResourceType,
			e.ResourceName, e.ReadOnly, e.Body); err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	_ = raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var tables int
	if err := db.read.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'events'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("events table left: %d, %v; want dropped", tables, err)
	}
	bySeq := map[int64]store.StoredEvent{}
	for _, e := range want {
		bySeq[e.Seq] = e
	}
	same := func(g store.StoredEvent) bool {
		w := bySeq[g.Seq]
		return g.Account == w.Account && g.Time.Equal(w.Time) && g.ID == w.ID && g.Name == w.Name &&
			g.Source == w.Source && g.UserName == w.UserName && g.AccessKey == w.AccessKey &&
			g.ResourceType == w.ResourceType && g.ResourceName == w.ResourceName && g.ReadOnly == w.ReadOnly &&
			string(g.Body) == string(w.Body)
	}
	t.Run("scan", func(t *testing.T) {
		got, err := db.ScanEvents(ctx, nil, len(want)+10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("scanned %d events; want %d", len(got), len(want))
		}
		for i, g := range got {
			if !same(g) {
				t.Fatalf("event %d (seq %d) = %+v; want %+v", i, g.Seq, g, bySeq[g.Seq])
			}
			if i > 0 && (g.Time.Before(got[i-1].Time) || (g.Time.Equal(got[i-1].Time) && g.Seq <= got[i-1].Seq)) {
				t.Fatalf("event %d out of (time, seq) order", i)
			}
		}
	})
	t.Run("by attribute and ID", func(t *testing.T) {
		got, err := db.LookupEvents(ctx, store.EventQuery{Account: "444455556666", UserName: "u5", Newest: true, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range want {
			if w.Account == "444455556666" && w.UserName == "u5" {
				n++
			}
		}
		if len(got) != n {
			t.Errorf("got %d of u5's events; want %d", len(got), n)
		}
		for _, g := range got {
			if !same(g) || g.UserName != "u5" {
				t.Errorf("seq %d = %+v; want %+v", g.Seq, g, bySeq[g.Seq])
			}
		}
		for _, w := range []store.StoredEvent{want[0], want[legacyMoveRows], want[len(want)-1]} {
			got, err := db.LookupEvents(ctx, store.EventQuery{Account: w.Account, ID: w.ID, Limit: 1})
			if err != nil || len(got) != 1 || got[0].Seq != w.Seq {
				t.Errorf("by ID %s: %v, %v; want seq %d", w.ID, got, err, w.Seq)
			}
		}
	})
	t.Run("append after", func(t *testing.T) {
		events := []*store.StoredEvent{
			{Account: "111122223333", Time: base, ID: want[3].ID, Body: []byte("{}")},
			{Account: "111122223333", Time: base, ID: "new", Body: []byte("{}")},
		}
		if err := db.AppendEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		if events[0].Seq != 0 || events[1].Seq != seq+1 {
			t.Errorf("seqs %d, %d; want 0 (stored ID) and %d", events[0].Seq, events[1].Seq, seq+1)
		}
	})
}
