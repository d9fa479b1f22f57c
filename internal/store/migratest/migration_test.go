package migratest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/sqlite"

	// The console declares kinds of its own; the registry lists them only when it is linked in.
	_ "github.com/rootward/rootward/internal/console"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the code reads now: only on the commit that wrote the fixtures (see testdata/README.md)")

// fixture is one backend's copy of the fixture, opened by the current code (every migration run),
// and a way to look at its rows underneath the store.
type fixture struct {
	name string
	st   store.Store
	// kinds lists the distinct kinds stored in the objects table.
	kinds func(t *testing.T) []string
}

// fixtures opens the SQLite fixture always and the PostgreSQL one when ROOTWARD_TEST_BACKEND=postgres
// and ROOTWARD_TEST_POSTGRES are set, as the other suites choose their backend.
func fixtures(t *testing.T) []fixture {
	t.Helper()
	fs := []fixture{openSQLite(t)}
	if dsn := os.Getenv(pgtest.EnvDSN); dsn != "" && os.Getenv("ROOTWARD_TEST_BACKEND") == "postgres" {
		fs = append(fs, openPostgres(t, dsn))
	}
	return fs
}

// openSQLite copies the SQLite fixture into a data directory of the test's and opens it.
func openSQLite(t *testing.T) fixture {
	t.Helper()
	b, err := os.ReadFile(sqliteFixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rootward.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("opening the SQLite fixture: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return fixture{name: "sqlite", st: st, kinds: func(t *testing.T) []string {
		db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(`SELECT DISTINCT kind FROM objects ORDER BY kind`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			out = append(out, string(k))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}}
}

// openPostgres loads the dump into a fresh schema and opens it.
func openPostgres(t *testing.T, dsn string) fixture {
	t.Helper()
	dump, err := os.ReadFile(postgresFixture)
	if err != nil {
		t.Fatal(err)
	}
	schemaDSN := pgtest.FreshSchema(t, dsn)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, schemaDSN)
	if err != nil {
		t.Fatal(err)
	}
	// Without arguments Exec sends the dump as one simple-protocol query: every statement in it.
	if _, err := conn.Exec(ctx, string(dump)); err != nil {
		t.Fatalf("loading %s: %v", postgresFixture, err)
	}
	_ = conn.Close(ctx)
	st, err := postgres.Open(ctx, schemaDSN)
	if err != nil {
		t.Fatalf("opening the PostgreSQL fixture: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return fixture{name: "postgres", st: st, kinds: func(t *testing.T) []string {
		conn, err := pgx.Connect(ctx, schemaDSN)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, `SELECT DISTINCT kind FROM objects ORDER BY kind`)
		if err != nil {
			t.Fatal(err)
		}
		ks, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = string(k)
		}
		return out
	}}
}

// TestMigrations opens the fixtures written by the previous schema with the current code and
// reads every entity back through the domain services: each read must equal what the previous
// code read (testdata/golden).
func TestMigrations(t *testing.T) {
	h := readHandles(t)
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			s := newServices(t, f.st, h.Now)
			ctx := context.Background()
			for _, r := range reads {
				t.Run(r.name, func(t *testing.T) {
					v, err := r.fn(ctx, s, h)
					if err != nil {
						t.Fatalf("reading %s: %v", r.name, err)
					}
					var buf bytes.Buffer
					enc := json.NewEncoder(&buf)
					enc.SetEscapeHTML(false)
					enc.SetIndent("", "  ")
					if err := enc.Encode(plain(reflect.ValueOf(v))); err != nil {
						t.Fatal(err)
					}
					got := buf.Bytes()
					path := filepath.Join(goldenDir, r.name+".json")
					if *update && f.name == "sqlite" {
						if err := os.MkdirAll(goldenDir, 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, got, 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if d := lineDiff(string(want), string(got)); d != "" {
						t.Errorf("%s read back differently from %s (-want +got):\n%s", r.name, path, d)
					}
				})
			}
		})
	}
}

// TestNoOrphanedKinds checks that after the migrations every kind left in the objects table is
// one the current code reads: a kind renamed or retired without migrating its objects would
// leave data no service can reach. A kind is known when it is registered (store.Kinds), is the
// index of a registered kind's declared index, or is the registry's own.
func TestNoOrphanedKinds(t *testing.T) {
	known := map[string]bool{registryKind: true}
	for _, ki := range store.Kinds() {
		known[ki.Name] = true
		for _, ix := range ki.Indexes {
			known[store.IndexKind(ki.Name, strings.TrimSuffix(ix, "!"))] = true
		}
	}
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			for _, k := range f.kinds(t) {
				if !known[k] {
					t.Errorf("kind %q is stored after the migrations, but it is neither registered (store.Kinds) nor a registered kind's index", k)
				}
			}
		})
	}
}

// registryKind is where store.Migrate records what each kind's data was brought up to.
const registryKind = "store.kind"

func fmtErr(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }

var (
	timeType  = reflect.TypeFor[time.Time]()
	errorType = reflect.TypeFor[error]()
)

// plain turns a value into maps, slices and scalars for the golden file, by Go field name and
// ignoring json tags: domain structs may lose or change their tags when their storage records
// become separate types, and a field the storage shape omits (json:"-") is compared too.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Type().Implements(errorType) {
			return v.Interface().(error).Error()
		}
		return plain(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
		}
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			m[f.Name] = plain(v.Field(i))
		}
		return m
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = plain(it.Value())
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			// Text (a credential report's CSV, a JSON document) as itself, to diff line by line.
			if b := v.Bytes(); utf8.Valid(b) && !slices.ContainsFunc([]rune(string(b)), unprintable) {
				return string(b)
			}
			return "base64:" + base64.StdEncoding.EncodeToString(v.Bytes())
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	case reflect.Func, reflect.Chan:
		return nil
	default:
		return v.Interface()
	}
}

func unprintable(r rune) bool { return !unicode.IsPrint(r) && r != '\n' && r != '\r' && r != '\t' }

// lineDiff returns the lines of want and got that differ, with two lines of context, or "" when
// they are equal: a longest-common-subsequence diff, enough for files of a few hundred lines.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var ls []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ls = append(ls, line{' ', a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ls = append(ls, line{'-', a[i]})
			i++
		default:
			ls = append(ls, line{'+', b[j]})
			j++
		}
	}
	const context = 2
	var sb strings.Builder
	last := -1
	for k, l := range ls {
		if l.op == ' ' {
			continue
		}
		from := max(k-context, last+1)
		if last >= 0 && from > last+1 {
			sb.WriteString("  ...\n")
		}
		for c := from; c < k; c++ {
			fmt.Fprintf(&sb, "  %s\n", ls[c].text)
		}
		fmt.Fprintf(&sb, "%c %s\n", l.op, l.text)
		last = k
		// Trailing context after the last change of a run.
		if k+1 == len(ls) || ls[k+1].op == ' ' {
			end := min(k+context, len(ls)-1)
			for c := k + 1; c <= end && ls[c].op == ' '; c++ {
				fmt.Fprintf(&sb, "  %s\n", ls[c].text)
				last = c
			}
		}
	}
	return sb.String()
}
