package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// A batch of read-only events is written to the segment and leaves an fsync owed (within
// segmentSyncDelay); a batch with a change is fsynced before AppendEvents returns. (With rings off:
// TestRingDurability covers them.)
func TestEventDurability(t *testing.T) {
	t.Setenv(ringEnv, "off")
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The owed fsync is checked, then made by the test itself, not by the timer.
	db.tail.syncDelay = time.Hour
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	owed := func() (dirty, armed bool) {
		db.tail.appendMu.Lock()
		defer db.tail.appendMu.Unlock()
		return db.tail.dirty, db.tail.syncTimer != nil
	}
	cases := []struct {
		name     string
		readOnly []bool
		wantOwed bool
	}{
		{"read-only batch", []bool{true, true}, true},
		{"batch with a change", []bool{true, false}, false},
		{"one change", []bool{false}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var events []*store.StoredEvent
			for j, ro := range tc.readOnly {
				events = append(events, &store.StoredEvent{Account: "111122223333", Time: at, ID: fmt.Sprintf("%c%d", 'a'+i, j), ReadOnly: ro, Body: []byte("{}")})
			}
			if err := db.AppendEvents(ctx, events); err != nil {
				t.Fatal(err)
			}
			if got, _ := owed(); got != tc.wantOwed {
				t.Errorf("fsync owed = %v; want %v", got, tc.wantOwed)
			}
		})
	}
	t.Run("owed fsync made", func(t *testing.T) {
		if err := db.AppendEvents(ctx, []*store.StoredEvent{{Account: "111122223333", Time: at, ID: "ro", ReadOnly: true, Body: []byte("{}")}}); err != nil {
			t.Fatal(err)
		}
		if dirty, armed := owed(); !dirty || !armed {
			t.Fatalf("owed %v, timer armed %v after a read-only append; want both", dirty, armed)
		}
		// What the timer runs within segmentSyncDelay, run now rather than waited for.
		db.tail.syncOwed()
		if dirty, _ := owed(); dirty {
			t.Error("fsync still owed after syncOwed")
		}
	})
}

// crash stops db's indexer and then drops the database as a killed process would: the segment
// files stay as they are, unlocked, and nothing more is indexed.
func crash(t *testing.T, db *DB) {
	t.Helper()
	tl := db.tail
	tl.appendMu.Lock()
	tl.closed = true
	if tl.syncTimer != nil {
		tl.syncTimer.Stop()
	}
	for _, s := range append(tl.retired, tl.active) {
		if s != nil {
			_ = s.f.Close()
		}
	}
	// The rings' pages stay in their files, as a killed process's do.
	for _, r := range append(append(tl.retiredRings, tl.pool...), tl.ring) {
		if r != nil {
			_ = unmap(r.mem)
			_ = r.f.Close()
		}
	}
	tl.appendMu.Unlock()
	db.feed.Close()
	_ = db.read.Close()
	_ = db.write.Close()
}

// pauseIndexer stops db's indexer, so that appended events stay in the segment and the tail.
func pauseIndexer(db *DB) {
	close(db.tail.stop)
	<-db.tail.done
	db.tail.stop, db.tail.done = make(chan struct{}), make(chan struct{})
	close(db.tail.done) // Close's wait for the indexer returns at once
}

// ringModes runs test twice: with rings off (every record in the segment) and with rings in a
// directory of the test's (read-only batches in a ring, the others in the segment).
func ringModes(t *testing.T, test func(t *testing.T, rings bool)) {
	t.Run("segment only", func(t *testing.T) {
		t.Setenv(ringEnv, "off")
		test(t, false)
	})
	t.Run("rings", func(t *testing.T) {
		t.Setenv(ringEnv, t.TempDir())
		test(t, true)
	})
}

// ringRecord is a segment record (encodeRecord's) as a ring holds it in the given epoch.
func ringRecord(rec []byte, epoch uint64) []byte {
	out := append([]byte{}, rec[:8]...)
	out = binary.LittleEndian.AppendUint64(out, epoch)
	return append(out, rec[segmentHeader:]...)
}

// Events acknowledged but not yet indexed when the process dies are indexed by the next Open, from
// the segment and the ring; a torn record at the segment's end (a write the crash cut short), or
// after the ring's last record, is discarded, and so is a ring record of an earlier epoch (one
// indexed before the ring was reused).
func TestSegmentRecovery(t *testing.T) { ringModes(t, testSegmentRecovery) }

func testSegmentRecovery(t *testing.T, rings bool) {
	path := filepath.Join(t.TempDir(), "rootward.db")
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	n := 0
	events := func(ids ...string) []*store.StoredEvent {
		var out []*store.StoredEvent
		for i, id := range ids {
			n++
			out = append(out, &store.StoredEvent{Account: "111122223333", Time: at.Add(time.Duration(n) * time.Second),
				ID: id, Name: "GetUser", UserName: "alice", ReadOnly: i%2 == 0, Body: []byte(`{"eventID":"` + id + `"}`)})
		}
		return out
	}
	type tornCase struct {
		name string
		torn []byte // appended to the segment after the crash
		// ring is written after the ring's last record, given the ring's epoch
		ring func(epoch uint64) []byte
	}
	cases := []tornCase{
		{name: "clean end"},
		{name: "torn header", torn: []byte{0x40, 0, 0}},
		{name: "torn payload", torn: func() []byte {
			r, _ := encodeRecord(events("torn"))
			return append(r[:20:20], 0)
		}()},
		{name: "bad checksum", torn: func() []byte {
			r, _ := encodeRecord(events("corrupt"))
			r[len(r)-1] ^= 1
			return r
		}()},
	}
	if rings {
		rec, _ := encodeRecord(events("ring"))
		cases = append(cases,
			tornCase{name: "ring: torn header", ring: func(uint64) []byte { return []byte{0x40, 0, 0} }},
			tornCase{name: "ring: torn payload", ring: func(e uint64) []byte { r := ringRecord(rec, e); return r[:len(r)-5] }},
			tornCase{name: "ring: bad checksum", ring: func(e uint64) []byte { r := ringRecord(rec, e); r[len(r)-1] ^= 1; return r }},
			tornCase{name: "ring: earlier epoch", ring: func(e uint64) []byte { return ringRecord(rec, e-1) }},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.RemoveAll(filepath.Dir(path))
			_ = os.MkdirAll(filepath.Dir(path), 0o700)
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			indexed := events("i1", "i2")
			if err := db.AppendEvents(ctx, indexed); err != nil {
				t.Fatal(err)
			}
			if err := db.tail.flush(ctx); err != nil {
				t.Fatal(err)
			}
			pauseIndexer(db)
			acked := events("a1", "a2", "a3")
			if err := db.AppendEvents(ctx, acked[:2]); err != nil {
				t.Fatal(err)
			}
			if err := db.AppendEvents(ctx, acked[2:]); err != nil {
				t.Fatal(err)
			}
			seg := db.tail.active.path
			var ringPath string
			if rings {
				r := db.tail.ring
				if r == nil {
					t.Fatal("no ring after a read-only append with rings on")
				}
				if got := len(readRing(r.mem)); got != 1 {
					t.Fatalf("ring holds %d records; want 1 (a3's; a1 and a2's batch has a change: segment)", got)
				}
				ringPath = r.path
				if tc.ring != nil {
					copy(r.mem[r.pos:], tc.ring(r.epoch))
				}
			} else if db.tail.ring != nil {
				t.Fatal("a ring with rings off")
			}
			crash(t, db)
			if tc.torn != nil {
				f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write(tc.torn); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
			db, err = Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n := db.tail.len(); n != 0 {
				t.Errorf("tail after Open holds %d events; want 0 (recovered events are indexed)", n)
			}
			for _, f := range []string{seg, ringPath} {
				if _, err := os.Stat(f); f != "" && !os.IsNotExist(err) {
					t.Errorf("%s after recovery: %v; want it deleted", f, err)
				}
			}
			got, err := db.LookupEvents(ctx, store.EventQuery{Account: "111122223333", UserName: "alice", Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			want := append(indexed, acked...)
			if len(got) != len(want) {
				t.Fatalf("lookup after recovery: %d events; want %d", len(got), len(want))
			}
			for i, w := range want {
				if got[i].ID != w.ID || got[i].Seq != w.Seq || !bytes.Equal(got[i].Body, w.Body) || got[i].ReadOnly != w.ReadOnly {
					t.Errorf("event %d = %s seq %d; want %s seq %d", i, got[i].ID, got[i].Seq, w.ID, w.Seq)
				}
			}
			// Seqs go on after the recovered ones.
			more := events("m1")
			if err := db.AppendEvents(ctx, more); err != nil {
				t.Fatal(err)
			}
			if more[0].Seq <= acked[2].Seq {
				t.Errorf("seq after recovery = %d; want > %d", more[0].Seq, acked[2].Seq)
			}
		})
	}
}

// A segment or ring that another open database (another process, in production) holds is live:
// Open leaves it alone, and the events in it stay that database's to index.
func TestSegmentOfLiveProcessLeftAlone(t *testing.T) { ringModes(t, testSegmentOfLiveProcessLeftAlone) }

func testSegmentOfLiveProcessLeftAlone(t *testing.T, rings bool) {
	path := filepath.Join(t.TempDir(), "rootward.db")
	ctx := context.Background()
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	pauseIndexer(a)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ea := []*store.StoredEvent{{Account: "111122223333", Time: at, ID: "from-a", ReadOnly: true, Body: []byte("{}")}}
	if err := a.AppendEvents(ctx, ea); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	live := func() string {
		if rings {
			return a.tail.ring.path
		}
		return a.tail.active.path
	}()
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("a's %s after b's Open: %v; want it kept", live, err)
	}
	eb := []*store.StoredEvent{{Account: "111122223333", Time: at, ID: "from-b", ReadOnly: true, Body: []byte("{}")}}
	if err := b.AppendEvents(ctx, eb); err != nil {
		t.Fatal(err)
	}
	if eb[0].Seq == ea[0].Seq || eb[0].Seq == 0 {
		t.Errorf("seqs of the two processes' events = %d, %d; want distinct", ea[0].Seq, eb[0].Seq)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := b.LookupEvents(ctx, store.EventQuery{Account: "111122223333", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("b sees %d events after a closed; want 2 (a's indexed at its Close, b's in its tail)", len(got))
	}
}

func TestIsUUIDv7(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", true},
		{"0193a1b2-c3d4-7e5f-ba6b-7c8d9e0f1a2b", true},
		{"0193a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b", false}, // version 4
		{"0193a1b2-c3d4-7e5f-ca6b-7c8d9e0f1a2b", false}, // variant
		{"0193A1B2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", false}, // upper case
		{"0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2", false},
		{"0193a1b2xc3d4-7e5f-8a6b-7c8d9e0f1a2b", false},
		{"0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2g", false},
		{"0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1-2b", false},
	} {
		if got := isUUIDv7(tc.id); got != tc.want {
			t.Errorf("isUUIDv7(%q) = %v; want %v", tc.id, got, tc.want)
		}
	}
}

// The tail keeps the event as appended: a caller that reuses its body buffer afterwards changes
// nothing that lookups return before or after the indexer runs.
func TestAppendKeepsItsOwnBody(t *testing.T) {
	db := openTemp(t).(*DB)
	ctx := context.Background()
	body := []byte(`{"n":1}`)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := db.AppendEvents(ctx, []*store.StoredEvent{{Account: "111122223333", Time: at, ID: "e1", Body: body}}); err != nil {
		t.Fatal(err)
	}
	copy(body, `{"n":2}`)
	for _, when := range []string{"in the tail", "indexed"} {
		if when == "indexed" {
			if err := db.tail.flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.LookupEvents(ctx, store.EventQuery{Account: "111122223333", Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || string(got[0].Body) != `{"n":1}` {
			t.Errorf("%s: got %d events, the first %q; want one, with the body as appended", when, len(got), firstBody(got))
		}
	}
}

func firstBody(events []store.StoredEvent) []byte {
	if len(events) == 0 {
		return nil
	}
	return events[0].Body
}

// The owed fsync of read-only records runs without the append lock: an append made during it
// goes on (a read's record waits for its write, not for another record's fsync), and stays owed,
// since that fsync may not cover it.
func TestOwedSyncLetsAppendsGoOn(t *testing.T) {
	t.Setenv(ringEnv, "off")
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.tail.syncDelay = time.Hour // the test runs syncOwed itself
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	readOnly := func(id string) []*store.StoredEvent {
		return []*store.StoredEvent{{Account: "111122223333", Time: at, ID: id, ReadOnly: true, Body: []byte("{}")}}
	}
	if err := db.AppendEvents(ctx, readOnly("first")); err != nil {
		t.Fatal(err)
	}
	var heldDuringSync, appended bool
	var appendErr error
	db.tail.syncFile = func(f *os.File) error {
		if !db.tail.appendMu.TryLock() {
			heldDuringSync = true // an append would wait for this fsync
			return f.Sync()
		}
		db.tail.appendMu.Unlock()
		appendErr = db.AppendEvents(ctx, readOnly("during"))
		appended = true
		return f.Sync()
	}
	db.tail.syncOwed()
	if heldDuringSync {
		t.Fatal("the append lock was held during the owed fsync; want it free")
	}
	if !appended || appendErr != nil {
		t.Fatalf("append during the fsync: done %v, err %v; want done, nil", appended, appendErr)
	}
	db.tail.appendMu.Lock()
	dirty, armed := db.tail.dirty, db.tail.syncTimer != nil
	db.tail.appendMu.Unlock()
	if !dirty || !armed {
		t.Errorf("after an append during the fsync: owed %v, timer armed %v; want both", dirty, armed)
	}
	db.tail.syncFile = (*os.File).Sync
	db.tail.syncOwed()
	db.tail.appendMu.Lock()
	dirty = db.tail.dirty
	db.tail.appendMu.Unlock()
	if dirty {
		t.Error("fsync still owed after a second syncOwed with no append meanwhile")
	}
	if got, err := db.LookupEvents(ctx, store.EventQuery{Account: "111122223333", Limit: 10}); err != nil || len(got) != 2 {
		t.Errorf("LookupEvents: %d events, %v; want 2, nil", len(got), err)
	}
}

// With rings on, a read-only batch is copied into the ring (no segment, no fsync owed); a batch with
// a change goes to the segment and is fsynced; an index pass hands the appends a ring of its pool
// and, once the events are committed, voids the ring it retired and keeps it for reuse, so that
// maxRings files at most exist.
func TestRingDurability(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(ringEnv, dir)
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	pauseIndexer(db)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ev := func(id string, ro bool) *store.StoredEvent {
		return &store.StoredEvent{Account: "111122223333", Time: at, ID: id, UserName: "alice", ReadOnly: ro, Body: []byte(`{"eventID":"` + id + `"}`)}
	}
	state := func() (ring *ring, seg *segment, dirty bool) {
		db.tail.appendMu.Lock()
		defer db.tail.appendMu.Unlock()
		return db.tail.ring, db.tail.active, db.tail.dirty
	}
	if err := db.AppendEvents(ctx, []*store.StoredEvent{ev("r1", true), ev("r2", true)}); err != nil {
		t.Fatal(err)
	}
	r, seg, dirty := state()
	if r == nil || seg != nil || dirty {
		t.Fatalf("after a read-only batch: ring %v, segment %v, fsync owed %v; want a ring only", r != nil, seg != nil, dirty)
	}
	if got := readRing(r.mem); len(got) != 1 {
		t.Fatalf("ring holds %d records; want 1", len(got))
	}
	if err := db.AppendEvents(ctx, []*store.StoredEvent{ev("w1", false)}); err != nil {
		t.Fatal(err)
	}
	if _, seg, dirty = state(); seg == nil || dirty {
		t.Fatalf("after a change: segment %v, fsync owed %v; want a segment, fsynced", seg != nil, dirty)
	}
	first := r.path
	for pass := range 3 {
		if err := db.AppendEvents(ctx, []*store.StoredEvent{ev(fmt.Sprintf("p%d", pass), true)}); err != nil {
			t.Fatal(err)
		}
		if err := db.tail.flush(ctx); err != nil {
			t.Fatal(err)
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.ring"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) > maxRings {
			t.Errorf("pass %d: %d ring files; want at most %d", pass, len(files), maxRings)
		}
	}
	db.tail.indexMu.Lock()
	pooled := len(db.tail.pool)
	var reused bool
	for _, p := range db.tail.pool {
		reused = reused || p.path == first
		if got := readRing(p.mem); len(got) != 0 {
			t.Errorf("a pooled ring holds %d valid records; want 0 (voided once indexed)", len(got))
		}
	}
	db.tail.indexMu.Unlock()
	if r, _, _ := state(); !reused && (r == nil || r.path != first) {
		t.Errorf("the first ring %s is neither pooled nor written again", first)
	}
	if pooled == 0 {
		t.Error("no ring pooled after the passes")
	}
	got, err := db.LookupEvents(ctx, store.EventQuery{Account: "111122223333", UserName: "alice", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Errorf("lookup: %d events; want 6", len(got))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Errorf("files left in the ring directory after Close: %v", files)
	}
}

// A batch that does not fit in the ring's space left goes to the segment instead.
func TestRingFullFallsBackToSegment(t *testing.T) {
	t.Setenv(ringEnv, t.TempDir())
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pauseIndexer(db)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	big := make([]byte, ringSize/2)
	for i := range big {
		big[i] = 'x'
	}
	for i := range 3 {
		e := &store.StoredEvent{Account: "111122223333", Time: at, ID: fmt.Sprintf("big%d", i), ReadOnly: true, Body: big}
		if err := db.AppendEvents(ctx, []*store.StoredEvent{e}); err != nil {
			t.Fatal(err)
		}
	}
	db.tail.appendMu.Lock()
	inRing, seg := len(readRing(db.tail.ring.mem)), db.tail.active
	db.tail.appendMu.Unlock()
	if inRing != 1 || seg == nil {
		t.Fatalf("ring holds %d records, segment %v; want 1 and a segment for the two that did not fit", inRing, seg != nil)
	}
	got, err := db.LookupEvents(ctx, store.EventQuery{Account: "111122223333", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("lookup: %d events; want 3", len(got))
	}
}

// When no ring can be made (here: its directory does not exist), read-only records go to the
// segment, as with rings off.
func TestRingUnavailable(t *testing.T) {
	t.Setenv(ringEnv, filepath.Join(t.TempDir(), "missing"))
	db, err := Open(filepath.Join(t.TempDir(), "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := &store.StoredEvent{Account: "111122223333", Time: time.Now(), ID: "ro", ReadOnly: true, Body: []byte("{}")}
	if err := db.AppendEvents(context.Background(), []*store.StoredEvent{e}); err != nil {
		t.Fatal(err)
	}
	db.tail.appendMu.Lock()
	defer db.tail.appendMu.Unlock()
	if db.tail.ring != nil || db.tail.active == nil || db.tail.ringDir != "" {
		t.Errorf("ring %v, segment %v, ring dir %q; want the segment, rings off", db.tail.ring != nil, db.tail.active != nil, db.tail.ringDir)
	}
}

// crashAfterRead opens the database at path (making its directory), appends one read-only event
// with the given ID, which goes to a ring, and crashes; it returns the ring's path.
func crashAfterRead(t *testing.T, path, id string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	pauseIndexer(db)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := db.AppendEvents(context.Background(), []*store.StoredEvent{{Account: "111122223333", Time: at, ID: id, ReadOnly: true, Body: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}
	if db.tail.ring == nil {
		t.Fatal("the read-only append made no ring")
	}
	ring := db.tail.ring.path
	crash(t, db)
	return ring
}

// eventIDs returns the IDs of the events db holds for account 111122223333, sorted.
func eventIDs(t *testing.T, db *DB) []string {
	t.Helper()
	got, err := db.LookupEvents(context.Background(), store.EventQuery{Account: "111122223333", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

// A dead process's rings are recovered by the database whose trail ID names them: after the
// database's directory moved, too (the ID moves with it), and never by another database sharing
// the ring directory. A trail ID file that holds no ID stops Open with an error naming it.
func TestRingsBelongToTheirTrail(t *testing.T) {
	rings := t.TempDir()
	t.Setenv(ringEnv, rings)
	base := t.TempDir()
	moved := crashAfterRead(t, filepath.Join(base, "a", "rootward.db"), "from-a")
	other := crashAfterRead(t, filepath.Join(base, "b", "rootward.db"), "from-b")
	if err := os.Rename(filepath.Join(base, "a"), filepath.Join(base, "a2")); err != nil {
		t.Fatal(err)
	}
	a, err := Open(filepath.Join(base, "a2", "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := eventIDs(t, a); len(got) != 1 || got[0] != "from-a" {
		t.Errorf("moved database's events after Open = %v; want [from-a], from its ring", got)
	}
	if _, err := os.Stat(moved); !os.IsNotExist(err) {
		t.Errorf("its ring %s after recovery: %v; want it deleted", moved, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("b's ring after a's Open: %v; want it left alone", err)
	}
	if err := os.MkdirAll(filepath.Join(base, "c"), 0o700); err != nil {
		t.Fatal(err)
	}
	fresh, err := Open(filepath.Join(base, "c", "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got := eventIDs(t, fresh); len(got) != 0 {
		t.Errorf("a new database's events = %v; want none (b's ring is b's)", got)
	}

	bad := filepath.Join(base, "d")
	if err := os.MkdirAll(filepath.Join(bad, "rootward.db-trail"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "rootward.db-trail", ringIDFile), []byte("not an id"), 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(filepath.Join(bad, "rootward.db")); err == nil || !strings.Contains(err.Error(), ringIDFile) {
		if db != nil {
			db.Close()
		}
		t.Errorf("Open with a malformed %s: %v; want an error naming it", ringIDFile, err)
	}
}

// A dead process's rings are read by the next Open wherever the environment now puts rings: with
// rings turned off, and with rings moved to another directory (ring.dirs lists each directory the
// trail's rings were made in).
func TestRingsReadAfterRingsMoveOrStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rootward.db")
	reopen := func(want []string) {
		t.Helper()
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := eventIDs(t, db); !slices.Equal(got, want) {
			t.Errorf("events after Open with %s=%q = %v; want %v", ringEnv, os.Getenv(ringEnv), got, want)
		}
	}

	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv(ringEnv, a)
	inA := crashAfterRead(t, path, "in-a")
	t.Setenv(ringEnv, "off")
	reopen([]string{"in-a"})
	if _, err := os.Stat(inA); !os.IsNotExist(err) {
		t.Errorf("the ring in %s after recovery with rings off: %v; want it deleted", a, err)
	}

	t.Setenv(ringEnv, b)
	inB := crashAfterRead(t, path, "in-b")
	t.Setenv(ringEnv, c)
	reopen([]string{"in-a", "in-b"})
	if _, err := os.Stat(inB); !os.IsNotExist(err) {
		t.Errorf("the ring in %s after recovery with rings in %s: %v; want it deleted", b, c, err)
	}
	listed, err := ringDirs(path + "-trail")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a, b, c}; !slices.Equal(listed, want) {
		t.Errorf("%s = %v; want %v", ringDirsFile, listed, want)
	}
}
