// Package storetest is the conformance suite every store.Store backend must pass. The contract it
// checks is the one in package store: bytewise key order, exact ErrNotFound/ErrExists semantics
// that leave the transaction usable, all-or-nothing transactions (also on panic), read-only View
// with a stable snapshot, isolation between kinds and accounts, and serializable behaviour of
// Update under concurrency, also between two handles on one database (two processes).
//
// A backend's tests call Run with a function that opens a fresh, empty database, and RunShared
// with a function that creates a fresh database and returns an Opener for it.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Opener opens a handle on one particular database; calling it twice gives two independent
// handles on the same data, as two processes would have.
type Opener func() (store.Store, error)

// Run runs the single-handle conformance suite. open must return a fresh, empty store and arrange
// for it to be closed (t.Cleanup); it is called once per subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Get", testGet},
		{"GetMany", testGetMany},
		{"Insert", testInsert},
		{"Put", testPut},
		{"Delete", testDelete},
		{"List", testList},
		{"ListPaging", testListPaging},
		{"ReadPage", testReadPage},
		{"Count", testCount},
		{"ByteOrder", testByteOrder},
		{"Bodies", testBodies},
		{"Scopes", testScopes},
		{"ErrorPassthroughAndRollback", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"ViewIsReadOnly", testViewReadOnly},
		{"ViewSnapshot", testViewSnapshot},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentInsertSameKey", func(t *testing.T, s store.Store) { testInsertRace(t, s, s) }},
		{"ConcurrentCounter", func(t *testing.T, s store.Store) { testCounter(t, s, s) }},
		{"ConcurrentQuota", func(t *testing.T, s store.Store) { testQuota(t, s, s) }},
		// Typed records (records.go).
		{"Scan", testScan},
		{"RecordIndexes", testRecordIndexes},
		{"Resolved", testResolved},
		{"UniqueIndex", testUniqueIndex},
		{"UpgradeOnRead", testUpgradeOnRead},
		{"Migrate", testMigrate},
		{"Registry", testRegistry},
		{"Retire", testRetire},
		{"RecordJSON", testRecordJSON},
	}
	tests = append(tests, feedCases()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// RunShared runs the tests that need more than one handle on a database: durability across Close
// and reopen, concurrent first Open (migrations must run once), and the concurrency tests with
// the writers split over two handles. fresh must create a new, empty database (and drop it at
// cleanup) and return an Opener for it; the suite closes every handle it opens.
func RunShared(t *testing.T, fresh func(t *testing.T) Opener) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Reopen", testReopen},
		{"ConcurrentOpen", testConcurrentOpen},
		{"TwoHandlesInsertSameKey", func(t *testing.T, open Opener) {
			a, b := mustOpen(t, open), mustOpen(t, open)
			testInsertRace(t, a, b)
		}},
		{"TwoHandlesCounter", func(t *testing.T, open Opener) {
			a, b := mustOpen(t, open), mustOpen(t, open)
			testCounter(t, a, b)
		}},
		{"TwoHandlesQuota", func(t *testing.T, open Opener) {
			a, b := mustOpen(t, open), mustOpen(t, open)
			testQuota(t, a, b)
		}},
	}
	tests = append(tests, sharedFeedCases()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

const (
	kind    = "user"
	account = "123456789012"
)

var errAbort = errors.New("storetest: abort")

func mustOpen(t *testing.T, open Opener) store.Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// seed commits the given key → body objects under (kind, account).
func seed(t *testing.T, s store.Store, objects map[string]string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for k, v := range objects {
			if err := tx.Put(kind, account, k, []byte(v)); err != nil {
				return fmt.Errorf("tx.Put %q: %w", k, err)
			}
		}
		return nil
	})
}

// get reads one object in its own View; missing objects read as ok == false.
func get(t *testing.T, s store.Store, kind, account, key string) (body string, ok bool) {
	t.Helper()
	view(t, s, func(tx store.Tx) error {
		b, err := tx.Get(kind, account, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		body, ok = string(b), true
		return nil
	})
	return body, ok
}

func keysOf(items []store.Item) []string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}

func testGet(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"alice": `{"n":1}`})
	tests := []struct {
		name               string
		kind, account, key string
		want               string
		wantErr            error
	}{
		{"present", kind, account, "alice", `{"n":1}`, nil},
		{"missing key", kind, account, "bob", "", store.ErrNotFound},
		{"key differs in case", kind, account, "Alice", "", store.ErrNotFound},
		{"key is a prefix", kind, account, "alic", "", store.ErrNotFound},
		{"other kind", "role", account, "alice", "", store.ErrNotFound},
		{"other account", kind, "210987654321", "alice", "", store.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				got, err := tx.Get(tc.kind, tc.account, tc.key)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
					t.Fatalf("Get error = %v, want %v", err, tc.wantErr)
				}
				if string(got) != tc.want {
					t.Errorf("Get = %q, want %q", got, tc.want)
				}
				return nil
			})
		})
	}
}

func testInsert(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"taken": "old"})
	tests := []struct {
		name string
		// fn runs in one Update that must commit; a failed Insert must leave the transaction
		// usable, which matters on PostgreSQL where an error aborts the whole transaction.
		fn   func(tx store.Tx) error
		want map[string]string // expected bodies after commit ("" = absent)
	}{
		{
			name: "new key",
			fn:   func(tx store.Tx) error { return tx.Insert(kind, account, "new", []byte("v")) },
			want: map[string]string{"new": "v"},
		},
		{
			name: "committed key gives ErrExists and the transaction goes on",
			fn: func(tx store.Tx) error {
				if err := tx.Insert(kind, account, "taken", []byte("x")); !errors.Is(err, store.ErrExists) {
					return fmt.Errorf("tx.Insert over committed key: %v, want ErrExists", err)
				}
				return tx.Insert(kind, account, "after-conflict", []byte("y"))
			},
			want: map[string]string{"taken": "old", "after-conflict": "y"},
		},
		{
			name: "key inserted earlier in the same transaction gives ErrExists",
			fn: func(tx store.Tx) error {
				if err := tx.Insert(kind, account, "twice", []byte("1")); err != nil {
					return err
				}
				if err := tx.Insert(kind, account, "twice", []byte("2")); !errors.Is(err, store.ErrExists) {
					return fmt.Errorf("second Insert: %v, want ErrExists", err)
				}
				return nil
			},
			want: map[string]string{"twice": "1"},
		},
		{
			name: "key deleted earlier in the same transaction can be inserted",
			fn: func(tx store.Tx) error {
				if err := tx.Delete(kind, account, "taken"); err != nil {
					return err
				}
				return tx.Insert(kind, account, "taken", []byte("reborn"))
			},
			want: map[string]string{"taken": "reborn"},
		},
		{
			name: "long key",
			fn: func(tx store.Tx) error {
				return tx.Insert(kind, account, strings.Repeat("k", 1024), []byte("long"))
			},
			want: map[string]string{strings.Repeat("k", 1024): "long"},
		},
		{
			name: "inserted object is visible to the same transaction",
			fn: func(tx store.Tx) error {
				if err := tx.Insert(kind, account, "visible", []byte("me")); err != nil {
					return err
				}
				b, err := tx.Get(kind, account, "visible")
				if err != nil || string(b) != "me" {
					return fmt.Errorf("tx.Get after Insert = %q, %v", b, err)
				}
				return nil
			},
			want: map[string]string{"visible": "me"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			update(t, s, tc.fn)
			for k, want := range tc.want {
				if got, _ := get(t, s, kind, account, k); got != want {
					t.Errorf("after commit %q = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func testPut(t *testing.T, s store.Store) {
	tests := []struct {
		name   string
		bodies []string // successive Puts of one key, each in its own Update
	}{
		{"creates", []string{"first"}},
		{"replaces", []string{"first", "second"}},
		{"replaces with shorter", []string{"a long body", "x"}},
		{"replaces with empty", []string{"full", ""}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "put-" + strconv.Itoa(i)
			for _, b := range tc.bodies {
				update(t, s, func(tx store.Tx) error { return tx.Put(kind, account, key, []byte(b)) })
			}
			got, ok := get(t, s, kind, account, key)
			if want := tc.bodies[len(tc.bodies)-1]; !ok || got != want {
				t.Errorf("Get = %q (found %v), want %q", got, ok, want)
			}
		})
	}
	t.Run("replace is visible to the same transaction", func(t *testing.T) {
		update(t, s, func(tx store.Tx) error {
			for _, b := range []string{"one", "two"} {
				if err := tx.Put(kind, account, "rw", []byte(b)); err != nil {
					return err
				}
			}
			got, err := tx.Get(kind, account, "rw")
			if err != nil || string(got) != "two" {
				return fmt.Errorf("tx.Get = %q, %v; want two", got, err)
			}
			return nil
		})
	})
	t.Run("stored body does not alias the caller's slice", func(t *testing.T) {
		body := []byte("original")
		update(t, s, func(tx store.Tx) error { return tx.Put(kind, account, "alias", body) })
		copy(body, "XXXXXXXX")
		if got, _ := get(t, s, kind, account, "alias"); got != "original" {
			t.Errorf("Get = %q, want original", got)
		}
	})
}

func testDelete(t *testing.T, s store.Store) {
	tests := []struct {
		name    string
		seed    bool
		wantErr error
	}{
		{"existing", true, nil},
		{"missing", false, store.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "del-" + tc.name
			if tc.seed {
				seed(t, s, map[string]string{key: "v"})
			}
			update(t, s, func(tx store.Tx) error {
				err := tx.Delete(kind, account, key)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
					return fmt.Errorf("tx.Delete: %v, want %v", err, tc.wantErr)
				}
				// The transaction must remain usable after ErrNotFound.
				if _, err := tx.Get(kind, account, key); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("tx.Get after Delete: %v, want ErrNotFound", err)
				}
				return tx.Put(kind, account, key+"-marker", []byte("m"))
			})
			if _, ok := get(t, s, kind, account, key); ok {
				t.Errorf("%q still present after commit", key)
			}
			if _, ok := get(t, s, kind, account, key+"-marker"); !ok {
				t.Errorf("write after Delete was not committed")
			}
		})
	}
	t.Run("second delete in one transaction", func(t *testing.T) {
		seed(t, s, map[string]string{"twice": "v"})
		update(t, s, func(tx store.Tx) error {
			if err := tx.Delete(kind, account, "twice"); err != nil {
				return err
			}
			if err := tx.Delete(kind, account, "twice"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("second Delete: %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}

// listData is the object set the List and Count tests query: shared prefixes, a prefix that is
// itself a key, and keys that only differ after the prefix.
var listData = map[string]string{
	"a": "1", "ab": "2", "abc": "3", "abd": "4", "ac": "5", "b": "6", "ba": "7", "c": "8",
}

func testList(t *testing.T, s store.Store) {
	seed(t, s, listData)
	seedOther(t, s)
	tests := []struct {
		name          string
		prefix, after string
		limit         int
		want          []string
	}{
		{"all", "", "", 0, []string{"a", "ab", "abc", "abd", "ac", "b", "ba", "c"}},
		{"negative limit is no limit", "", "", -1, []string{"a", "ab", "abc", "abd", "ac", "b", "ba", "c"}},
		{"limit", "", "", 3, []string{"a", "ab", "abc"}},
		{"limit larger than result", "b", "", 10, []string{"b", "ba"}},
		{"prefix includes the key equal to it", "ab", "", 0, []string{"ab", "abc", "abd"}},
		{"prefix with no match", "abz", "", 0, nil},
		{"prefix after every key", "d", "", 0, nil},
		{"after excludes the cursor", "", "abc", 0, []string{"abd", "ac", "b", "ba", "c"}},
		{"after need not be a key", "", "abca", 0, []string{"abd", "ac", "b", "ba", "c"}},
		{"after inside prefix", "ab", "abc", 0, []string{"abd"}},
		{"after equal to prefix", "ab", "ab", 0, []string{"abc", "abd"}},
		{"after before prefix", "b", "a", 0, []string{"b", "ba"}},
		{"after past prefix", "a", "b", 0, nil},
		{"after the last key", "", "c", 0, nil},
		{"prefix, after and limit", "a", "ab", 2, []string{"abc", "abd"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				items, err := tx.List(kind, account, tc.prefix, tc.after, tc.limit)
				if err != nil {
					return err
				}
				if got := keysOf(items); !slices.Equal(got, tc.want) {
					t.Errorf("List(%q, %q, %d) = %q, want %q", tc.prefix, tc.after, tc.limit, got, tc.want)
				}
				for _, it := range items {
					if string(it.Body) != listData[it.Key] {
						t.Errorf("body of %q = %q, want %q", it.Key, it.Body, listData[it.Key])
					}
				}
				return nil
			})
		})
	}
}

// seedOther writes objects in neighbouring kinds and accounts that no List or Count of
// (kind, account) may return.
func seedOther(t *testing.T, s store.Store) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, sc := range [][2]string{{kind + "s", account}, {"use", account}, {kind, account + "0"}, {kind, "12345678901"}} {
			for _, k := range []string{"a", "ab", "zz"} {
				if err := tx.Put(sc[0], sc[1], k, []byte("other")); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func testListPaging(t *testing.T, s store.Store) {
	const n = 23
	objects := map[string]string{}
	var all []string
	for i := range n {
		k := fmt.Sprintf("page/%03d", i)
		objects[k] = strconv.Itoa(i)
		all = append(all, k)
	}
	objects["pagf"] = "outside the prefix"
	seed(t, s, objects)
	for _, limit := range []int{1, 5, 22, 23, 24} {
		t.Run("limit "+strconv.Itoa(limit), func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > n+1 {
					t.Fatal("paging does not terminate")
				}
				var items []store.Item
				view(t, s, func(tx store.Tx) error {
					var err error
					items, err = tx.List(kind, account, "page/", after, limit)
					return err
				})
				if len(items) > limit {
					t.Fatalf("page of %d items, limit %d", len(items), limit)
				}
				got = append(got, keysOf(items)...)
				if len(items) < limit {
					break
				}
				after = items[len(items)-1].Key
			}
			if !slices.Equal(got, all) {
				t.Errorf("pages joined = %q, want %q", got, all)
			}
		})
	}
}

func testCount(t *testing.T, s store.Store) {
	seed(t, s, listData)
	seedOther(t, s)
	tests := []struct {
		name   string
		prefix string
		want   int
	}{
		{"all", "", 8},
		{"prefix", "a", 5},
		{"prefix equal to a key", "ab", 3},
		{"longest prefix", "abc", 1},
		{"no match", "abz", 0},
		{"after every key", "d", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				got, err := tx.Count(kind, account, tc.prefix)
				if err != nil {
					return err
				}
				if got != tc.want {
					t.Errorf("Count(%q) = %d, want %d", tc.prefix, got, tc.want)
				}
				return nil
			})
		})
	}
	t.Run("sees the transaction's own writes", func(t *testing.T) {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Insert(kind, account, "abe", nil); err != nil {
				return err
			}
			if err := tx.Delete(kind, account, "a"); err != nil {
				return err
			}
			if n, err := tx.Count(kind, account, "a"); err != nil || n != 5 {
				return fmt.Errorf("tx.Count = %d, %v; want 5", n, err)
			}
			return errAbort // leave listData as it was
		})
		if err != errAbort {
			t.Fatalf("Update = %v", err)
		}
	})
}

// orderKeys covers the ways bytewise order differs from collations: case, NUL bytes, multi-byte
// UTF-8, bytes above 0x7F that are not valid UTF-8, and the empty key.
var orderKeys = []string{
	"", "\x00", "\x00\x00", "\x01", " ", "A", "AB", "Z", "_", "a", "a\x00", "a\x00b", "a\x01", "aB",
	"ab", "z", "~", "\x7f", "\xc3", "é", "ü", "日本", "日本語", "\xfe", "\xff", "\xff\x00", "\xff\xff",
}

func testByteOrder(t *testing.T, s store.Store) {
	objects := map[string]string{}
	for i, k := range orderKeys {
		objects[k] = strconv.Itoa(i)
	}
	seed(t, s, objects)
	want := slices.Clone(orderKeys)
	slices.Sort(want) // Go compares strings bytewise: the order the store promises.

	view(t, s, func(tx store.Tx) error {
		items, err := tx.List(kind, account, "", "", 0)
		if err != nil {
			return err
		}
		if got := keysOf(items); !slices.Equal(got, want) {
			t.Errorf("List order\n got %q\nwant %q", got, want)
		}
		for _, k := range orderKeys {
			b, err := tx.Get(kind, account, k)
			if err != nil || string(b) != objects[k] {
				t.Errorf("Get(%q) = %q, %v; want %q", k, b, err, objects[k])
			}
		}
		// Every prefix and cursor drawn from the keys, against the definition.
		for _, prefix := range orderKeys {
			for _, after := range orderKeys {
				items, err := tx.List(kind, account, prefix, after, 0)
				if err != nil {
					return err
				}
				var want []string
				for _, k := range orderKeys {
					if strings.HasPrefix(k, prefix) && (after == "" || k > after) {
						want = append(want, k)
					}
				}
				slices.Sort(want)
				if got := keysOf(items); !slices.Equal(got, want) {
					t.Errorf("List(%q, %q) = %q, want %q", prefix, after, got, want)
				}
			}
			n, err := tx.Count(kind, account, prefix)
			if err != nil {
				return err
			}
			want := 0
			for _, k := range orderKeys {
				if strings.HasPrefix(k, prefix) {
					want++
				}
			}
			if n != want {
				t.Errorf("Count(%q) = %d, want %d", prefix, n, want)
			}
		}
		return nil
	})
}

func testBodies(t *testing.T, s store.Store) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	large := bytes.Repeat([]byte("0123456789abcdef\x00\xff"), 1<<16) // 1.1 MiB
	tests := []struct {
		name string
		body []byte
		want []byte
	}{
		{"nil reads back empty", nil, []byte{}},
		{"empty", []byte{}, []byte{}},
		{"every byte value", every, every},
		{"NUL only", []byte{0}, []byte{0}},
		{"invalid UTF-8", []byte("\xc3\x28\xff"), []byte("\xc3\x28\xff")},
		{"JSON", []byte(`{"Arn":"arn:aws:iam::123456789012:user/a","Tags":[]}`), []byte(`{"Arn":"arn:aws:iam::123456789012:user/a","Tags":[]}`)},
		{"large", large, large},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "body-" + strconv.Itoa(i)
			update(t, s, func(tx store.Tx) error { return tx.Insert(kind, account, key, tc.body) })
			view(t, s, func(tx store.Tx) error {
				got, err := tx.Get(kind, account, key)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, tc.want) || got == nil {
					t.Errorf("Get = %d bytes (nil %v), want %d bytes", len(got), got == nil, len(tc.want))
				}
				items, err := tx.List(kind, account, key, "", 0)
				if err != nil {
					return err
				}
				if len(items) != 1 || !bytes.Equal(items[0].Body, tc.want) {
					t.Errorf("List returned %d items, body mismatch", len(items))
				}
				return nil
			})
		})
	}
}

// testScopes checks that kind and account partition the key space, including scopes that are
// prefixes of each other and scopes with bytes a naive key concatenation would confuse.
func testScopes(t *testing.T, s store.Store) {
	scopes := [][2]string{
		{"user", "111111111111"}, {"users", "111111111111"}, {"use", "r111111111111"},
		{"user", "11111111111"}, {"user", "1111111111111"}, {"role", "111111111111"},
		{"user\x00", "111111111111"}, {"", ""}, {"user", ""}, {"", "111111111111"},
	}
	update(t, s, func(tx store.Tx) error {
		for i, sc := range scopes {
			for _, k := range []string{"k", "k2"} {
				if err := tx.Insert(sc[0], sc[1], k, []byte(strconv.Itoa(i))); err != nil {
					return fmt.Errorf("tx.Insert %q/%q/%q: %w", sc[0], sc[1], k, err)
				}
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.Delete("user", "111111111111", "k2") })
	for i, sc := range scopes {
		t.Run(fmt.Sprintf("%q/%q", sc[0], sc[1]), func(t *testing.T) {
			wantKeys := []string{"k", "k2"}
			if i == 0 {
				wantKeys = []string{"k"}
			}
			view(t, s, func(tx store.Tx) error {
				b, err := tx.Get(sc[0], sc[1], "k")
				if err != nil || string(b) != strconv.Itoa(i) {
					t.Errorf("Get = %q, %v; want %d", b, err, i)
				}
				items, err := tx.List(sc[0], sc[1], "", "", 0)
				if err != nil {
					return err
				}
				if got := keysOf(items); !slices.Equal(got, wantKeys) {
					t.Errorf("List = %q, want %q", got, wantKeys)
				}
				n, err := tx.Count(sc[0], sc[1], "")
				if err != nil {
					return err
				}
				if n != len(wantKeys) {
					t.Errorf("Count = %d, want %d", n, len(wantKeys))
				}
				return nil
			})
		})
	}
}

func testRollbackOnError(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"keep": "v1", "doomed": "v1"})
	tests := []struct {
		name    string
		fnErr   error
		wantErr func(error) bool
	}{
		{"sentinel returned unchanged", errAbort, func(err error) bool { return err == errAbort }},
		{"wrapped error keeps its chain", fmt.Errorf("outer: %w", errAbort), func(err error) bool { return errors.Is(err, errAbort) }},
		{"store error from fn", store.ErrExists, func(err error) bool { return errors.Is(err, store.ErrExists) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(context.Background(), func(tx store.Tx) error {
				for _, op := range []error{
					tx.Insert(kind, account, "new", []byte("x")),
					tx.Put(kind, account, "keep", []byte("v2")),
					tx.Delete(kind, account, "doomed"),
				} {
					if op != nil {
						return fmt.Errorf("write: %v", op)
					}
				}
				return tc.fnErr
			})
			if !tc.wantErr(err) {
				t.Fatalf("Update = %v, want %v", err, tc.fnErr)
			}
			assertUntouched(t, s)
		})
	}
}

// assertUntouched checks that the writes testRollbackOnError and testRollbackOnPanic attempt
// left no trace.
func assertUntouched(t *testing.T, s store.Store) {
	t.Helper()
	if _, ok := get(t, s, kind, account, "new"); ok {
		t.Error("Insert survived the rollback")
	}
	if got, _ := get(t, s, kind, account, "keep"); got != "v1" {
		t.Errorf("Put survived the rollback: %q", got)
	}
	if _, ok := get(t, s, kind, account, "doomed"); !ok {
		t.Error("Delete survived the rollback")
	}
}

func testRollbackOnPanic(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"keep": "v1", "doomed": "v1"})
	// Twice: a backend with a single write connection must get it back after the panic.
	for round := range 2 {
		t.Run("round "+strconv.Itoa(round), func(t *testing.T) {
			recovered := func() (p any) {
				defer func() { p = recover() }()
				_ = s.Update(context.Background(), func(tx store.Tx) error {
					_ = tx.Insert(kind, account, "new", []byte("x"))
					_ = tx.Put(kind, account, "keep", []byte("v2"))
					_ = tx.Delete(kind, account, "doomed")
					panic(errAbort)
				})
				return nil
			}()
			if recovered != errAbort {
				t.Fatalf("recovered %v, want the panic value re-raised", recovered)
			}
			assertUntouched(t, s)
		})
	}
	t.Run("store still writable", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			done <- s.Update(context.Background(), func(tx store.Tx) error {
				return tx.Put(kind, account, "after-panic", []byte("ok"))
			})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Update after a panic did not finish: the write transaction leaked")
		}
	})
}

func testViewReadOnly(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"existing": "v"})
	tests := []struct {
		name  string
		write func(tx store.Tx) error
	}{
		{"Insert", func(tx store.Tx) error { return tx.Insert(kind, account, "new", []byte("x")) }},
		{"Put new", func(tx store.Tx) error { return tx.Put(kind, account, "new", []byte("x")) }},
		{"Put existing", func(tx store.Tx) error { return tx.Put(kind, account, "existing", []byte("x")) }},
		{"Delete", func(tx store.Tx) error { return tx.Delete(kind, account, "existing") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				if err := tc.write(tx); !errors.Is(err, store.ErrReadOnly) {
					t.Errorf("write in View = %v, want ErrReadOnly", err)
				}
				// Reads still work after the refused write.
				if b, err := tx.Get(kind, account, "existing"); err != nil || string(b) != "v" {
					t.Errorf("Get after refused write = %q, %v", b, err)
				}
				return nil
			})
			if got, _ := get(t, s, kind, account, "existing"); got != "v" {
				t.Errorf("existing = %q after View, want v", got)
			}
			if _, ok := get(t, s, kind, account, "new"); ok {
				t.Error("View created an object")
			}
		})
	}
}

// testViewSnapshot commits writes while a View is open and checks that the View keeps seeing the
// state of its first read, for Get, List and Count alike.
func testViewSnapshot(t *testing.T, s store.Store) {
	seed(t, s, map[string]string{"snap/a": "1", "snap/b": "1"})
	type state struct {
		a     string
		keys  []string
		count int
	}
	read := func(tx store.Tx) (st state, err error) {
		b, err := tx.Get(kind, account, "snap/a")
		if err != nil {
			return st, err
		}
		items, err := tx.List(kind, account, "snap/", "", 0)
		if err != nil {
			return st, err
		}
		n, err := tx.Count(kind, account, "snap/")
		return state{string(b), keysOf(items), n}, err
	}
	view(t, s, func(tx store.Tx) error {
		before, err := read(tx)
		if err != nil {
			return err
		}
		// The writer runs in another goroutine, as it would in a server; the View waits for it
		// to commit before reading again.
		done := make(chan error)
		go func() {
			done <- s.Update(context.Background(), func(w store.Tx) error {
				if err := w.Put(kind, account, "snap/a", []byte("2")); err != nil {
					return err
				}
				if err := w.Delete(kind, account, "snap/b"); err != nil {
					return err
				}
				return w.Insert(kind, account, "snap/c", []byte("2"))
			})
		}()
		if err := <-done; err != nil {
			return fmt.Errorf("concurrent Update: %w", err)
		}
		after, err := read(tx)
		if err != nil {
			return err
		}
		if before.a != after.a || !slices.Equal(before.keys, after.keys) || before.count != after.count {
			t.Errorf("View saw a concurrent commit: before %+v, after %+v", before, after)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		st, err := read(tx)
		if err != nil {
			return err
		}
		if want := (state{"2", []string{"snap/a", "snap/c"}, 2}); st.a != want.a || !slices.Equal(st.keys, want.keys) || st.count != want.count {
			t.Errorf("new View = %+v, want %+v", st, want)
		}
		return nil
	})
}

func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		run  func(fn func(tx store.Tx) error) error
	}{
		{"Update", func(fn func(tx store.Tx) error) error { return s.Update(ctx, fn) }},
		{"View", func(fn func(tx store.Tx) error) error { return s.View(ctx, fn) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(func(tx store.Tx) error {
				// Reaching fn is allowed only if its statements then fail.
				return tx.Put(kind, account, "canceled", []byte("x"))
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
	}
	if _, ok := get(t, s, kind, account, "canceled"); ok {
		t.Error("a write under a canceled context was committed")
	}
}

// Concurrency sizes: enough goroutines to overlap on a 2-core machine, few enough to keep the
// suite quick on SQLite, where writers queue.
const (
	writers    = 8
	increments = 20
)

// runWriters runs fn(i) for i in [0, writers) concurrently, alternating between two handles (the
// same handle twice in the single-handle suite), and returns the errors by writer.
func runWriters(a, b store.Store, fn func(s store.Store, i int) error) []error {
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			errs[i] = fn(s, i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// testInsertRace: writers Insert the same key at once; exactly one wins, every other one sees
// ErrExists. Several rounds, since one round may not overlap.
func testInsertRace(t *testing.T, a, b store.Store) {
	for round := range 5 {
		key := "race-" + strconv.Itoa(round)
		errs := runWriters(a, b, func(s store.Store, i int) error {
			return s.Update(context.Background(), func(tx store.Tx) error {
				// Check-then-act, as services write it: a lookup first, then the Insert.
				if _, err := tx.Get(kind, account, key); err == nil {
					return store.ErrExists
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				return tx.Insert(kind, account, key, []byte(strconv.Itoa(i)))
			})
		})
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Errorf("round %d: writers %d and %d both inserted %q", round, won, i, key)
			case err == nil:
				won = i
			case !errors.Is(err, store.ErrExists):
				t.Errorf("round %d: writer %d: %v, want nil or ErrExists", round, i, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: no writer inserted %q", round, key)
		}
		if got, _ := get(t, a, kind, account, key); got != strconv.Itoa(won) {
			t.Errorf("round %d: stored body %q, want the winner's %d", round, got, won)
		}
	}
}

// testCounter: read-modify-write of one counter from many writers loses no increment. Half the
// writers hide the store's errors behind new ones, as a service turning them into AWS errors
// does: a backend that retries conflicts must not depend on seeing its own error come back.
func testCounter(t *testing.T, a, b store.Store) {
	seed(t, a, map[string]string{"counter": "0"})
	errs := runWriters(a, b, func(s store.Store, i int) error {
		hide := func(err error) error {
			if err != nil && i%2 == 0 {
				return errors.New("opaque: " + err.Error())
			}
			return err
		}
		for range increments {
			err := s.Update(context.Background(), func(tx store.Tx) error {
				body, err := tx.Get(kind, account, "counter")
				if err != nil {
					return hide(err)
				}
				n, err := strconv.Atoi(string(body))
				if err != nil {
					return err
				}
				return hide(tx.Put(kind, account, "counter", []byte(strconv.Itoa(n+1))))
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if got, want := mustGet(t, a, "counter"), strconv.Itoa(writers*increments); got != want {
		t.Errorf("counter = %s, want %s", got, want)
	}
}

// testQuota: each writer counts the existing objects and inserts a new, distinct one only while
// fewer than quota exist, as IAM does for "at most two access keys per user". Distinct keys mean
// no primary-key conflict saves the day: only serializable execution keeps the count at quota
// (under snapshot isolation this is the classic write-skew anomaly).
func testQuota(t *testing.T, a, b store.Store) {
	const quota = 3
	errLimit := errors.New("limit exceeded")
	errs := runWriters(a, b, func(s store.Store, i int) error {
		return s.Update(context.Background(), func(tx store.Tx) error {
			n, err := tx.Count(kind, account, "quota/")
			if err != nil {
				return err
			}
			if n >= quota {
				return errLimit
			}
			return tx.Insert(kind, account, "quota/"+strconv.Itoa(i), nil)
		})
	})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, errLimit):
			t.Errorf("writer %d: %v", i, err)
		}
	}
	var n int
	view(t, a, func(tx store.Tx) (err error) {
		n, err = tx.Count(kind, account, "quota/")
		return err
	})
	if n != quota || ok != quota {
		t.Errorf("%d objects stored, %d writers succeeded; want %d and %d", n, ok, quota, quota)
	}
}

func mustGet(t *testing.T, s store.Store, key string) string {
	t.Helper()
	body, ok := get(t, s, kind, account, key)
	if !ok {
		t.Fatalf("%q not found", key)
	}
	return body
}

func testReopen(t *testing.T, open Opener) {
	first, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	update(t, first, func(tx store.Tx) error {
		for _, k := range []string{"durable/1", "durable/2", "durable/\x00"} {
			if err := tx.Insert(kind, account, k, []byte("body "+k)); err != nil {
				return err
			}
		}
		return nil
	})
	// A rolled-back transaction just before Close must not reappear.
	_ = first.Update(context.Background(), func(tx store.Tx) error {
		_ = tx.Put(kind, account, "durable/rolled-back", []byte("x"))
		return errAbort
	})
	if err := first.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for round := range 2 { // the second reopen runs migrations on an up-to-date schema
		s, err := open()
		if err != nil {
			t.Fatalf("reopen %d: %v", round, err)
		}
		view(t, s, func(tx store.Tx) error {
			items, err := tx.List(kind, account, "durable/", "", 0)
			if err != nil {
				return err
			}
			want := []string{"durable/\x00", "durable/1", "durable/2"}
			if got := keysOf(items); !slices.Equal(got, want) {
				t.Errorf("reopen %d: keys %q, want %q", round, got, want)
			}
			for _, it := range items {
				if string(it.Body) != "body "+it.Key {
					t.Errorf("reopen %d: body of %q = %q", round, it.Key, it.Body)
				}
			}
			return nil
		})
		if err := s.Close(); err != nil {
			t.Fatalf("close %d: %v", round, err)
		}
	}
}

// testConcurrentOpen opens a fresh database from several goroutines at once: the migration lock
// must let exactly one of them create the schema and the others wait for it.
func testConcurrentOpen(t *testing.T, open Opener) {
	const n = 4
	stores := make([]store.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = open() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	for i, s := range stores {
		update(t, s, func(tx store.Tx) error { return tx.Insert(kind, account, "open-"+strconv.Itoa(i), nil) })
	}
	view(t, stores[0], func(tx store.Tx) error {
		n, err := tx.Count(kind, account, "open-")
		if err != nil {
			return err
		}
		if n != len(stores) {
			t.Errorf("Count = %d, want %d", n, len(stores))
		}
		return nil
	})
}
