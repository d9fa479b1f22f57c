package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Root events stored before the recorder named them "root" (user name column empty) get the user
// name and its posting when the store opens: across more blocks than one transaction rewrites,
// merged with the postings of an IAM user named root in the same blocks, in both posting tables,
// and only once.
func TestIndexRootEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rootward.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const account = "111122223333"
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	rootBody := []byte(`{"userIdentity":{"type":"Root","principalId":"111122223333"},"eventName":"X"}`)
	userBody := []byte(`{"userIdentity":{"type":"IAMUser","userName":"root"},"eventName":"X"}`)
	otherBody := []byte(`{"userIdentity":{"type":"IAMUser","userName":"alice"},"eventName":"X"}`)
	var wantRoot []string
	n := 0
	// Batches of 5 events make a block each: more blocks than one transaction of the index rewrites,
	// and more events than event_recent keeps, so both posting tables hold rows to merge.
	for b := range rootIndexBlocks + 10 {
		var batch []*store.StoredEvent
		for i := range 5 {
			n++
			e := &store.StoredEvent{Account: account, Time: base.Add(time.Duration(n) * time.Second),
				ID: fmt.Sprintf("id-%05d", n), Name: "X", Source: "iam.amazonaws.com", Body: otherBody, UserName: "alice"}
			switch {
			case i == 0 && b%3 == 0:
				e.Body, e.UserName = rootBody, "" // as the recorder stored root's events before
				wantRoot = append(wantRoot, e.ID)
			case i == 1 && b%5 == 0:
				e.Body, e.UserName = userBody, "root" // an IAM user named root
				wantRoot = append(wantRoot, e.ID)
			}
			batch = append(batch, e)
		}
		if err := db.AppendEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	// The store was written as before the index: the migration has not run on these blocks.
	if _, err := db.write.ExecContext(ctx, `DELETE FROM event_meta WHERE name IN (?, ?)`, rootIndexDone, rootIndexCursor); err != nil {
		t.Fatal(err)
	}
	lookup := func(db *DB) []string {
		t.Helper()
		rows, err := db.LookupEvents(ctx, store.EventQuery{Account: account, UserName: "root", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rows {
			if r.UserName != "root" {
				t.Errorf("event %s has user name %q, want root", r.ID, r.UserName)
			}
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := lookup(db); len(got) >= len(wantRoot) {
		t.Fatalf("before the migration got %d root events, want fewer than %d (the set-up is wrong)", len(got), len(wantRoot))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		db, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got := lookup(db)
		if fmt.Sprint(got) != fmt.Sprint(wantRoot) {
			t.Errorf("round %d: got root events %v, want %v", round, got, wantRoot)
		}
		all, err := db.LookupEvents(ctx, store.EventQuery{Account: account, Limit: 10000})
		if err != nil || len(all) != n {
			t.Errorf("round %d: got %d events (%v), want all %d", round, len(all), err, n)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Assumed-role events stored before the recorder named them by their session get the session's
// name and its posting when the store opens, once; other principals' events keep theirs.
func TestIndexSessionEvents(t *testing.T) {
	testIndexNamedEvents(t, sessionIndexDone, sessionIndexCursor, func(name string) []byte {
		return []byte(`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deployer/` + name + `"},"eventName":"X"}`)
	})
}

// Federated users' events (GetFederationToken sessions) stored before the recorder named them get
// the federated user's name and its posting when the store opens, once, as role sessions' do.
func TestIndexFederatedEvents(t *testing.T) {
	testIndexNamedEvents(t, federatedIndexDone, federatedIndexCursor, func(name string) []byte {
		return []byte(`{"userIdentity":{"type":"FederatedUser","principalId":"111122223333:` + name + `","arn":"arn:aws:sts::111122223333:federated-user/` + name + `"},"eventName":"X"}`)
	})
}

// testIndexNamedEvents stores events whose body names their user (session) without a user name
// column, as the recorder did before deriving one, forgets that the pass under doneKey and
// cursorKey ran, and checks that opening the store indexes them under the names.
func testIndexNamedEvents(t *testing.T, doneKey, cursorKey string, session func(name string) []byte) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rootward.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const account = "111122223333"
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	otherBody := []byte(`{"userIdentity":{"type":"IAMUser","userName":"alice"},"eventName":"X"}`)
	want := map[string][]string{}
	n := 0
	for b := range rootIndexBlocks + 10 {
		var batch []*store.StoredEvent
		for i := range 4 {
			n++
			e := &store.StoredEvent{Account: account, Time: base.Add(time.Duration(n) * time.Second),
				ID: fmt.Sprintf("id-%05d", n), Name: "X", Source: "iam.amazonaws.com", Body: otherBody, UserName: "alice"}
			if i == 0 && b%4 == 0 {
				name := []string{"deploy-42", "nightly"}[b%8/4]
				e.Body, e.UserName = session(name), ""
				want[name] = append(want[name], e.ID)
			}
			batch = append(batch, e)
		}
		if err := db.AppendEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM event_meta WHERE name IN (?, ?)`, doneKey, cursorKey); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		db, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for name, ids := range want {
			rows, err := db.LookupEvents(ctx, store.EventQuery{Account: account, UserName: name, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Errorf("round %d: Username %s found %v, want %v", round, name, got, ids)
			}
		}
		if rows, err := db.LookupEvents(ctx, store.EventQuery{Account: account, UserName: "alice", Limit: 10000}); err != nil || len(rows) != n-len(want["deploy-42"])-len(want["nightly"]) {
			t.Errorf("round %d: alice's events = %d, %v", round, len(rows), err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
