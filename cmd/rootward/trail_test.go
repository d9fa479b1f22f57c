package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
	"github.com/rootward/rootward/internal/trail/logfiles"
)

// deliverTrail makes a data directory (and, on PostgreSQL, a database) in which trail "audit"
// of account 111111111111 has delivered log files every 15 minutes for three hours, with hourly
// digests, and returns the data flags to pass and the bucket's directory.
func deliverTrail(t *testing.T) (args []string, bucketDir string) {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	d := dataFlags{dir: data}
	args = []string{"--data", data}
	if os.Getenv("ROOTWARD_TEST_BACKEND") == "postgres" {
		d.db = pgtest.FreshSchema(t, pgtest.DSN(t))
		args = append(args, "--db", d.db)
	}
	ctx := context.Background()
	_, st, err := d.open(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, err := d.masterKey(false)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	cfg := logfiles.TrailConfig{ARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit", Name: "audit", Account: "111111111111",
		Region: "us-east-1", Bucket: "audit-logs", Validation: true, LoggingSince: clock.Now()}
	dl, err := logfiles.New(logfiles.Config{Store: st, Sealer: sealer, Dir: filepath.Join(data, "trails"), Now: clock.Now,
		Trails: func(context.Context) ([]logfiles.TrailConfig, error) { return []logfiles.TrailConfig{cfg}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	rec := trail.NewRecorder(st, nil)
	defer rec.Close()
	for range 12 {
		if err := rec.Record(&trail.Event{EventTime: clock.Now(), EventSource: "iam.amazonaws.com", EventName: "CreateUser",
			EventType: trail.AwsAPICall, RecipientAccountID: "111111111111", UserIdentity: trail.UserIdentity{Type: "Root"}}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(15 * time.Minute)
		if err := dl.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return args, filepath.Join(data, "trails", "audit-logs")
}

// listFiles lists the .json.gz files under root, relative to it, in name order.
func listFiles(t *testing.T, root, part string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() && strings.HasSuffix(p, ".json.gz") && strings.Contains(p, part) {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// regzip rewrites a gzip file with edit applied to its content.
func regzip(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(edit(body))
	_ = zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
}

// The check: `rootward trail validate` passes an untouched trail (exit 0, a summary), and
// after a log file is edited, one deleted, one inserted, a digest edited and one inserted it
// names each, one line per problem with the file's path under the trail directory, and exits 1.
func TestTrailValidate(t *testing.T) {
	args, root := deliverTrail(t)
	validate := append([]string{"trail", "validate", "--trail", "audit"}, args...)

	out, stderr, code := run(t, validate...)
	if code != 0 || !strings.Contains(out, "Validating log files for trail arn:aws:cloudtrail:us-east-1:111111111111:trail/audit") ||
		!strings.Contains(out, "2/2 digest files valid\n") || !strings.Contains(out, "12/12 log files valid\n") || strings.Contains(out, "INVALID") {
		t.Fatalf("clean trail: exit %d\n%s%s\nwant 0, 2/2 digest and 12/12 log files valid", code, out, stderr)
	}

	logs := listFiles(t, root, "/CloudTrail/")
	digests := listFiles(t, root, "/CloudTrail-Digest/")
	if len(logs) != 12 || len(digests) != 2 {
		t.Fatalf("delivered %d log files and %d digests; want 12 and 2", len(logs), len(digests))
	}
	// Files of the first digest's hour, a file inserted in the second's, and the second digest
	// (validate-logs does not check the log files of a digest that is itself invalid).
	edited, deleted, digest := logs[1], logs[3], digests[1]
	regzip(t, filepath.Join(root, edited), func(b []byte) []byte { return bytes.Replace(b, []byte("CreateUser"), []byte("DeleteUser"), 1) })
	if err := os.Remove(filepath.Join(root, deleted)); err != nil {
		t.Fatal(err)
	}
	inserted := logs[7][:len(logs[7])-len("XXXXXXXXXXXXXXXX.json.gz")] + "AAAAAAAAAAAAAAAA.json.gz"
	if err := os.WriteFile(filepath.Join(root, inserted), mustReadFile(t, filepath.Join(root, logs[7])), 0o640); err != nil {
		t.Fatal(err)
	}
	regzip(t, filepath.Join(root, digest), func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"awsAccountId":"111111111111"`), []byte(`"awsAccountId":"999999999999"`), 1)
	})
	insertedDigest := strings.Replace(digests[0], "T101500Z", "T104500Z", 1)
	for _, ext := range []string{"", ".sig"} {
		if err := os.WriteFile(filepath.Join(root, insertedDigest+ext), mustReadFile(t, filepath.Join(root, digests[0]+ext)), 0o640); err != nil {
			t.Fatal(err)
		}
	}

	out, stderr, code = run(t, validate...)
	if code != 1 {
		t.Fatalf("tampered trail: exit %d\n%s%s\nwant 1", code, out, stderr)
	}
	for _, want := range []string{
		"Log file\t" + edited + "\tINVALID: hash value doesn't match\n",
		"Log file\t" + deleted + "\tINVALID: not found\n",
		"Log file\t" + inserted + "\tINVALID: not in any digest (added)\n",
		"Digest file\t" + digest + "\tINVALID: has been modified",
		"Digest file\t" + insertedDigest + "\tINVALID: not in the digest chain (added)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "INVALID: "); n != 5 {
		t.Errorf("output names %d problems; want 5:\n%s", n, out)
	}

	// Bad flags and an unknown trail are usage errors.
	for _, c := range []struct {
		name string
		args []string
	}{
		{"unknown trail", []string{"trail", "validate", "--trail", "nope"}},
		{"no trail", []string{"trail", "validate"}},
		{"bad start", []string{"trail", "validate", "--trail", "audit", "--start-time", "yesterday"}},
		{"reversed range", []string{"trail", "validate", "--trail", "audit", "--start-time", "2026-12-06T10:00:00Z", "--end-time", "2026-12-06T09:00:00Z"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, stderr, code := run(t, append(c.args, args...)...); code != 2 {
				t.Errorf("exit %d (%s); want 2", code, stderr)
			}
		})
	}
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve refuses delivery and digest intervals under a second before touching the data directory.
func TestServeRefusesShortTrailIntervals(t *testing.T) {
	for _, flag := range []string{"--trail-delivery-interval", "--trail-digest-interval"} {
		data := filepath.Join(t.TempDir(), "data")
		_, stderr, code := run(t, "serve", "--data", data, flag, "500ms")
		if code != 2 || !strings.Contains(stderr, flag) {
			t.Errorf("%s 500ms: exit %d, %q; want 2 naming the flag", flag, code, stderr)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("%s 500ms: serve created the data directory", flag)
		}
	}
}
