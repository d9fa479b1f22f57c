package trail

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/sqlite"
)

// legacyEvents are records as the trail stored them before the event log: objects of kind
// "event" under the recipient account, keyed "time/ID".
func legacyEvents() []*Event {
	key, yes, no := "AKIAEXAMPLE", true, false
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	return []*Event{
		{EventID: "e1", EventTime: base, EventName: "CreateUser", EventSource: "iam.amazonaws.com", RecipientAccountID: "111122223333",
			UserIdentity: UserIdentity{Type: "IAMUser", UserName: "admin", AccessKeyID: &key}, ReadOnly: &no,
			RequestParameters: map[string]any{"userName": "bob", "path": "/"}},
		{EventID: "e2", EventTime: base.Add(time.Minute), EventName: "ListUsers", EventSource: "iam.amazonaws.com", RecipientAccountID: "111122223333",
			UserIdentity: UserIdentity{Type: "Root"}, ReadOnly: &yes},
		{EventID: "e3", EventTime: base.Add(2 * time.Minute), EventName: "AttachUserPolicy", RecipientAccountID: "111122223333",
			RequestParameters: map[string]any{"userName": "", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{EventID: "e4", EventTime: base.Add(3 * time.Minute), EventName: "X", RecipientAccountID: "111122223333",
			RequestParameters: map[string]any{"roleName": 7, "accountId": "444455556666"}},
		{EventID: "e5", EventTime: base, EventName: "ConsoleLogin", EventSource: "signin.amazonaws.com", RecipientAccountID: "444455556666",
			UserIdentity: UserIdentity{Type: "IAMUser", UserName: "carol"}, ResponseElements: map[string]any{"ConsoleLogin": "Success"}},
		// A client's bytes: a literal backslash-u0000 text, a NUL in a parameter that is not a column.
		{EventID: "e6", EventTime: base.Add(4 * time.Minute), EventName: "GetUser", RecipientAccountID: "111122223333",
			RequestParameters: map[string]any{"userName": `x\u0000y`, "marker": "a\x00b"}},
	}
}

func legacyKey(e *Event) string {
	return e.EventTime.UTC().Format("20060102T150405Z") + "/" + e.EventID
}

// migration00001 is the first migration only: the schema the legacy records were written under.
func migration00001(t *testing.T, backend string) fstest.MapFS {
	b, err := os.ReadFile(filepath.Join("..", "store", backend, "migrations", "00001_objects.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{"00001_objects.sql": {Data: b}}
}

// writeLegacy brings db to the first schema and stores the legacy records as objects, with the
// account index of the time.
func writeLegacy(t *testing.T, db *sql.DB, dialect goose.Dialect, backend, placeholder string) {
	p, err := goose.NewProvider(dialect, db, migration00001(t, backend), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO objects (kind, account, key, body) VALUES (` + placeholder + `)`
	for _, e := range legacyEvents() {
		e.EventVersion, e.EventCategory, e.AWSRegion, e.ManagementEvent = "1.08", "Management", "us-east-1", true
		body, _ := json.Marshal(e)
		for _, row := range [][]any{
			{[]byte("event"), []byte(e.RecipientAccountID), []byte(legacyKey(e)), body},
			{[]byte("event-account"), []byte{}, []byte(e.RecipientAccountID), []byte("{}")},
		} {
			if _, err := db.Exec(insert+` ON CONFLICT DO NOTHING`, row...); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Records stored as objects move into the event log when the store opens: the same records, with
// the columns the recorder would give them, and no event objects left.
func TestMigrateLegacyEvents(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rootward.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		writeLegacy(t, db, goose.DialectSQLite3, "sqlite", "?, ?, ?, ?")
		_ = db.Close()
		st, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		checkMigrated(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.FreshSchema(t, pgtest.DSN(t))
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		writeLegacy(t, db, goose.DialectPostgres, "postgres", "$1, $2, $3, $4")
		_ = db.Close()
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		checkMigrated(t, st)
	})
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" database/sql driver

func checkMigrated(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	want := map[string]*Event{}
	for _, e := range legacyEvents() {
		e.EventVersion, e.EventCategory, e.AWSRegion, e.ManagementEvent = "1.08", "Management", "us-east-1", true
		want[e.EventID] = e
	}
	got := 0
	for _, account := range []string{"111122223333", "444455556666"} {
		rows, err := st.LookupEvents(ctx, store.EventQuery{Account: account, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if i > 0 && row.Seq <= rows[i-1].Seq {
				t.Errorf("%s: seq %d after %d; want the records' order kept", row.ID, row.Seq, rows[i-1].Seq)
			}
			w := want[row.ID]
			if w == nil {
				t.Errorf("unexpected record %s", row.ID)
				continue
			}
			got++
			cols, err := storedEvent(w)
			if err != nil {
				t.Fatal(err)
			}
			cols.Seq, cols.Body = row.Seq, row.Body
			if row.ID == "e6" {
				// PostgreSQL reads the columns with \u0000 escapes turned into \ufffd (jsonb has no
				// NUL): what matters is that the record moved, with the body unchanged.
				cols.ResourceName = row.ResourceName
			}
			if !reflect.DeepEqual(&row, cols) {
				t.Errorf("%s: migrated row %+v; want the recorder's columns %+v", row.ID, row, *cols)
			}
			var e Event
			if err := json.Unmarshal(row.Body, &e); err != nil {
				t.Fatal(err)
			}
			if wb, _ := json.Marshal(w); string(wb) != string(row.Body) {
				t.Errorf("%s: body %s; want %s", row.ID, row.Body, wb)
			}
		}
	}
	if got != len(want) {
		t.Errorf("got %d records in the event log; want %d", got, len(want))
	}
	p, err := List(ctx, st, Query{Account: "111122223333", UserName: "admin"})
	if err != nil || len(p.Events) != 1 || p.Events[0].EventID != "e1" {
		t.Errorf("List by user = %+v, %v; want e1", p.Events, err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		for _, c := range []struct{ kind, account string }{{"event", "111122223333"}, {"event", "444455556666"}, {"event-account", ""}} {
			n, err := tx.Count(c.kind, c.account, "")
			if err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("%d objects of kind %q left in account %q; want none", n, c.kind, c.account)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
