package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/internal/keyrange"
)

// TestViewConnectionsRefuseWrites bypasses the ErrReadOnly check to show that the database itself
// refuses writes on View's connections (PRAGMA query_only).
func TestViewConnectionsRefuseWrites(t *testing.T) {
	db := openTemp(t).(*DB)
	ctx := context.Background()
	err := db.View(ctx, func(st store.Tx) error {
		_, err := st.(*tx).sql.ExecContext(ctx, `INSERT INTO objects (kind, account, key, body) VALUES (x'01', x'01', x'01', x'')`)
		return err
	})
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
		t.Fatalf("raw INSERT in View = %v, want SQLITE_READONLY", err)
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"plain", "/var/lib/rootward/db", "file:///var/lib/rootward/db"},
		{"question mark and hash are escaped", "/tmp/a?b#c", "file:///tmp/a%3Fb%23c"},
		{"percent is escaped", "/tmp/100%", "file:///tmp/100%25"},
		{"space", "/tmp/my db", "file:///tmp/my%20db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fileURI(tc.path, nil); got != tc.want {
				t.Errorf("fileURI(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

// TestOpenOddPath opens a database whose path holds the characters the DSN syntax uses.
func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a?b#c%d e.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), func(tx store.Tx) error { return tx.Put("k", "a", "x", nil) }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not created under its literal name: %v", err)
	}
}

// TestEveryStatementPrepared checks that the statements Open prepares cover every SQL text List
// and Count can build, over prefixes and cursors of every shape.
func TestEveryStatementPrepared(t *testing.T) {
	prepared := map[string]bool{}
	for _, q := range statements() {
		prepared[q] = true
	}
	values := []string{"", "a", "ab", "b", "\x00", "\xff", "\xff\xff", "a\xff"}
	for _, prefix := range values {
		for _, after := range values {
			cond, _ := keyrange.For(prefix, after).Where("key", 2, question)
			if !prepared[listSQL(cond)] {
				t.Errorf("List(%q, %q) runs unprepared: %s", prefix, after, listSQL(cond))
			}
		}
		cond, _ := keyrange.For(prefix, "").Where("key", 2, question)
		if !prepared[countSQL(cond)] {
			t.Errorf("Count(%q) runs unprepared: %s", prefix, countSQL(cond))
		}
	}
}

// TestReadChangesUsesTheKey shows that the change feed's poll reads rows by seq, not by a walk of
// the whole changes table: the plan of readChangesSQL has no full SCAN of it (with one OR of the
// two conditions it had, and every poll cost every row not yet pruned).
func TestReadChangesUsesTheKey(t *testing.T) {
	db := openTemp(t).(*DB)
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+readChangesSQL, 5, "[1,2]", 100)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		if detail == "SCAN changes" {
			t.Errorf("the poll's plan scans the changes table: %q", plan)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(plan) == 0 {
		t.Fatal("no query plan")
	}
}
