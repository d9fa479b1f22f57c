package logfiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
	"github.com/rootward/rootward/internal/trail/logfiles"
)

const (
	acctA  = "111111111111" // a standalone account with a trail of its own
	mgmt   = "222222222222" // an organization's management account, with an organization trail
	member = "333333333333" // a member of that organization
	orgID  = "o-abcdef1234"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// fixture is a store, a clock, a trail directory and the trails of the tests.
type fixture struct {
	st    store.Store
	clock *testutil.Clock
	dir   string
	rec   *trail.Recorder
	cfgs  []logfiles.TrailConfig
	seen  map[string]logfiles.DeliveryStatus
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := testbackend.Open(t)
	f := &fixture{st: st, clock: testutil.NewClock(t0), dir: t.TempDir(), rec: trail.NewRecorder(st, nil), seen: map[string]logfiles.DeliveryStatus{}}
	t.Cleanup(f.rec.Close)
	f.cfgs = []logfiles.TrailConfig{
		{ARN: "arn:aws:cloudtrail:us-east-1:" + acctA + ":trail/audit", Name: "audit", Account: acctA, Region: "us-east-1",
			Bucket: "audit-logs", KeyPrefix: "team", Validation: true, LoggingSince: t0.Add(-time.Hour)},
		{ARN: "arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/org", Name: "org", Account: mgmt, Region: "us-east-1",
			Bucket: "org-logs", OrgID: orgID, Organization: true, Validation: true, LoggingSince: t0.Add(-time.Hour)},
	}
	return f
}

func (f *fixture) deliverer(t *testing.T) *logfiles.Deliverer {
	t.Helper()
	d, err := logfiles.New(logfiles.Config{
		Store: f.st, Sealer: testutil.Sealer(t), Dir: f.dir, Now: f.clock.Now,
		Trails: func(context.Context) ([]logfiles.TrailConfig, error) { return f.cfgs, nil },
		SetStatus: func(_ context.Context, arn string, st logfiles.DeliveryStatus) error {
			f.seen[arn] = st
			return nil
		},
		OrgOf: func(_ context.Context, account string) (string, error) {
			if account == mgmt || account == member {
				return orgID, nil
			}
			return "", nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// record records an event of account at the clock's time and returns its ID.
func (f *fixture) record(t *testing.T, account, name string) string {
	t.Helper()
	e := &trail.Event{
		UserIdentity: trail.UserIdentity{Type: "Root", AccountID: account, ARN: "arn:aws:iam::" + account + ":root"},
		EventTime:    f.clock.Now(), EventSource: "iam.amazonaws.com", EventName: name, EventType: trail.AwsAPICall,
		RecipientAccountID: account,
	}
	if err := f.rec.Record(e); err != nil {
		t.Fatal(err)
	}
	return e.EventID
}

func step(t *testing.T, d *logfiles.Deliverer) {
	t.Helper()
	if err := d.Step(context.Background()); err != nil {
		t.Fatalf("Step: %v", err)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// files lists the files under root (paths relative to it, slash-separated) matching re.
func files(t *testing.T, root string, re *regexp.Regexp) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if rel = filepath.ToSlash(rel); re.MatchString(rel) {
				out = append(out, rel)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// delivered reads every log file under the bucket's directory and returns the event IDs by file
// folder (the part of the key before the date).
func delivered(t *testing.T, dir, bucket string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	root := filepath.Join(dir, bucket)
	for _, rel := range files(t, root, regexp.MustCompile(`/CloudTrail/.*\.json\.gz$`)) {
		var lf struct{ Records []trail.Event }
		if err := json.Unmarshal(gunzip(t, filepath.Join(root, rel)), &lf); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		folder := rel[:strings.Index(rel, "/CloudTrail/")]
		for _, e := range lf.Records {
			if e.EventTime.IsZero() || e.RecipientAccountID == "" {
				t.Fatalf("%s: record %+v is not a CloudTrail record", rel, e)
			}
			out[folder] = append(out[folder], e.EventID)
		}
	}
	return out
}

// Log files land at CloudTrail's keys (a normal trail under its prefix, an organization trail
// under o-ID/ACCOUNT for the management account and each member), hold the trail's events as
// CloudTrail records, and only once the grace period has passed.
func TestDeliveryLayout(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	a1 := f.record(t, acctA, "CreateUser")
	m1 := f.record(t, mgmt, "ListUsers")
	b1 := f.record(t, member, "DeleteUser")
	other := f.record(t, "444444444444", "GetUser") // no trail

	step(t, d)
	if got := files(t, f.dir, regexp.MustCompile(`\.json\.gz$`)); len(got) != 0 {
		t.Fatalf("within the grace period, files = %v; want none", got)
	}
	f.clock.Advance(5 * time.Minute)
	step(t, d)

	for _, c := range []struct {
		bucket, folder, account string
	}{
		{"audit-logs", "team/AWSLogs/", acctA},
		{"org-logs", "AWSLogs/" + orgID + "/", mgmt},
		{"org-logs", "AWSLogs/" + orgID + "/", member},
	} {
		re := regexp.MustCompile(`^` + c.folder + c.account + `/CloudTrail/us-east-1/2026/12/06/` + c.account +
			`_CloudTrail_us-east-1_20261206T1005Z_[A-Za-z0-9]{16}\.json\.gz$`)
		if got := files(t, filepath.Join(f.dir, c.bucket), re); len(got) != 1 {
			t.Errorf("%s: files matching %s = %v; want one", c.bucket, re, got)
		}
	}
	got := delivered(t, f.dir, "audit-logs")
	if want := map[string][]string{"team/AWSLogs/" + acctA: {a1}}; !equalSets(got, want) {
		t.Errorf("audit trail delivered %v; want %v", got, want)
	}
	got = delivered(t, f.dir, "org-logs")
	if want := map[string][]string{"AWSLogs/" + orgID + "/" + mgmt: {m1}, "AWSLogs/" + orgID + "/" + member: {b1}}; !equalSets(got, want) {
		t.Errorf("organization trail delivered %v; want %v", got, want)
	}
	for _, ids := range got {
		if slices.Contains(ids, other) {
			t.Errorf("the event of an account without a trail was delivered")
		}
	}
	if st := f.seen[f.cfgs[0].ARN]; !st.LatestDeliveryTime.Equal(t0.Add(5*time.Minute)) || st.LatestDeliveryError != "" {
		t.Errorf("status = %+v; want LatestDeliveryTime %s", st, t0.Add(5*time.Minute))
	}
}

func equalSets(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := b[k]
		v, w = slices.Clone(v), slices.Clone(w)
		slices.Sort(v)
		slices.Sort(w)
		if !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// A restart — a new deliverer over the same store — continues after the durable cursor: every
// event is delivered exactly once.
func TestRestartNeitherRepeatsNorSkips(t *testing.T) {
	f := newFixture(t)
	var want []string
	d := f.deliverer(t)
	for round := range 4 {
		for range 3 {
			want = append(want, f.record(t, acctA, "CreateUser"))
			f.clock.Advance(10 * time.Second)
		}
		f.clock.Advance(5 * time.Minute)
		step(t, d)
		if round%2 == 1 {
			d = f.deliverer(t) // a restart
		}
	}
	got := delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %d events %v; want each of the %d recorded once %v", len(got), got, len(want), want)
	}
}

// A second node sharing the database does not deliver while the first holds the lease, and takes
// over once the lease has expired.
func TestLease(t *testing.T) {
	f := newFixture(t)
	d1, d2 := f.deliverer(t), f.deliverer(t)
	f.record(t, acctA, "CreateUser")
	f.clock.Advance(5 * time.Minute)
	step(t, d1)
	f.record(t, acctA, "DeleteUser")
	f.clock.Advance(30 * time.Second)
	step(t, d2)
	if n := len(delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]); n != 1 {
		t.Fatalf("after the second node's step, %d events delivered; want 1 (the first node holds the lease)", n)
	}
	f.clock.Advance(5 * time.Minute) // the lease expires
	step(t, d2)
	if n := len(delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]); n != 2 {
		t.Fatalf("after the lease expired, %d events delivered; want 2", n)
	}
}

// Digests follow CloudTrail's format: the first with empty previous fields, each next one
// chained to the one before, each signed with SHA256withRSA by a key ListPublicKeys returns.
func TestDigestChainAndSignature(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	f.record(t, acctA, "CreateUser")
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	f.clock.Advance(time.Hour)
	step(t, d)
	f.record(t, acctA, "DeleteUser")
	f.clock.Advance(time.Hour)
	step(t, d)

	root := filepath.Join(f.dir, "audit-logs")
	digests := files(t, root, regexp.MustCompile(`^team/AWSLogs/`+acctA+`/CloudTrail-Digest/us-east-1/2026/12/06/`+acctA+
		`_CloudTrail-Digest_us-east-1_audit_us-east-1_\d{8}T\d{6}Z\.json\.gz$`))
	if len(digests) != 2 {
		t.Fatalf("digests = %v; want 2", digests)
	}
	keys, err := d.PublicKeys(context.Background(), t0, f.clock.Now())
	if err != nil || len(keys) != 1 {
		t.Fatalf("PublicKeys = %v, %v; want one key", keys, err)
	}
	pub, err := x509.ParsePKCS1PublicKey(keys[0].Value)
	if sum := md5.Sum(keys[0].Value); err != nil || hex.EncodeToString(sum[:]) != keys[0].Fingerprint {
		t.Fatalf("public key %v / fingerprint %s: want PKCS #1 DER and its hex MD5", err, keys[0].Fingerprint)
	}
	var prevHash, prevSig string
	for i, key := range digests {
		body := gunzip(t, filepath.Join(root, key))
		var df map[string]any
		if err := json.Unmarshal(body, &df); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint",
			"digestSignatureAlgorithm", "newestEventTime", "oldestEventTime", "previousDigestS3Bucket", "previousDigestS3Object",
			"previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature", "logFiles"} {
			if _, ok := df[m]; !ok {
				t.Errorf("digest %d has no %s", i, m)
			}
		}
		if df["digestS3Object"] != key || df["digestS3Bucket"] != "audit-logs" || df["digestSignatureAlgorithm"] != "SHA256withRSA" || df["digestPublicKeyFingerprint"] != keys[0].Fingerprint {
			t.Errorf("digest %d = %v", i, df)
		}
		if lfs, _ := df["logFiles"].([]any); len(lfs) != 1 {
			t.Errorf("digest %d lists %d log files; want 1", i, len(lfs))
		} else {
			lf := lfs[0].(map[string]any)
			sum := sha256.Sum256(gunzip(t, filepath.Join(root, lf["s3Object"].(string))))
			if lf["hashValue"] != hex.EncodeToString(sum[:]) || lf["hashAlgorithm"] != "SHA-256" {
				t.Errorf("digest %d log file %v: want the SHA-256 of its uncompressed content", i, lf)
			}
		}
		prev := "null"
		if i == 0 {
			for _, m := range []string{"previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature"} {
				if df[m] != nil {
					t.Errorf("first digest's %s = %v; want null", m, df[m])
				}
			}
		} else {
			if df["previousDigestS3Object"] != digests[i-1] || df["previousDigestHashValue"] != prevHash || df["previousDigestSignature"] != prevSig || df["previousDigestHashAlgorithm"] != "SHA-256" {
				t.Errorf("digest %d does not chain to the previous: %v", i, df)
			}
			prev = prevSig
		}
		sigHex, err := os.ReadFile(filepath.Join(root, key) + ".sig")
		if err != nil {
			t.Fatal(err)
		}
		sig, err := hex.DecodeString(string(sigHex))
		if err != nil {
			t.Fatalf("signature file: %v", err)
		}
		sum := sha256.Sum256(body)
		msg := df["digestEndTime"].(string) + "\naudit-logs/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
		h := sha256.Sum256([]byte(msg))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			t.Errorf("digest %d signature: %v", i, err)
		}
		prevHash, prevSig = hex.EncodeToString(sum[:]), string(sigHex)
	}
	if st := f.seen[f.cfgs[0].ARN]; !st.LatestDigestDeliveryTime.Equal(f.clock.Now()) {
		t.Errorf("LatestDigestDeliveryTime = %s; want %s", st.LatestDigestDeliveryTime, f.clock.Now())
	}
}

// deliverHours records an event and delivers every few minutes for hours, with digests hourly.
func deliverHours(t *testing.T, f *fixture, d *logfiles.Deliverer, hours int) {
	t.Helper()
	for range hours * 4 {
		f.record(t, acctA, "CreateUser")
		f.record(t, member, "CreateUser")
		f.clock.Advance(15 * time.Minute)
		step(t, d)
	}
}

// The test: after editing, deleting and inserting log files and a digest, Validate names
// each; an untouched trail validates clean.
func TestValidateFindsTampering(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	deliverHours(t, f, d, 4)
	ctx := context.Background()
	validate := func(name string) *logfiles.Report {
		t.Helper()
		r, err := logfiles.Validate(ctx, f.st, logfiles.ValidateInput{Trail: name}, f.clock.Now())
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		return r
	}
	for _, name := range []string{"audit", "org", f.cfgs[1].ARN} {
		r := validate(name)
		if len(r.Problems) != 0 || r.DigestsValid < 3 || r.LogFilesValid < 12 {
			t.Fatalf("clean %s: problems %v, %d/%d digests, %d/%d log files valid", name, r.Problems, r.DigestsValid, r.Digests, r.LogFilesValid, r.LogFiles)
		}
	}

	root := filepath.Join(f.dir, "audit-logs")
	logs := files(t, root, regexp.MustCompile(`/CloudTrail/.*\.json\.gz$`))
	digests := files(t, root, regexp.MustCompile(`/CloudTrail-Digest/.*\.json\.gz$`))
	rewrite := func(rel string, edit func([]byte) []byte) {
		t.Helper()
		body := edit(gunzip(t, filepath.Join(root, rel)))
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		if err := os.WriteFile(filepath.Join(root, rel), b.Bytes(), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	edited, deleted := logs[1], logs[3]
	rewrite(edited, func(b []byte) []byte { return bytes.Replace(b, []byte("CreateUser"), []byte("DeleteUser"), 1) })
	if err := os.Remove(filepath.Join(root, deleted)); err != nil {
		t.Fatal(err)
	}
	inserted := strings.Replace(logs[5], filepath.Base(logs[5])[len(filepath.Base(logs[5]))-24:], "ZZZZZZZZZZZZZZZZ.json.gz", 1)
	if err := os.WriteFile(filepath.Join(root, inserted), mustRead(t, filepath.Join(root, logs[5])), 0o640); err != nil {
		t.Fatal(err)
	}
	editedDigest := digests[1]
	rewrite(editedDigest, func(b []byte) []byte { return bytes.Replace(b, []byte(`"logFiles":[`), []byte(`"logFiles":[ `), 1) })
	insertedDigest := strings.Replace(digests[0], "T111500Z", "T114500Z", 1)
	if insertedDigest == digests[0] {
		t.Fatalf("digest %s: not the time expected", digests[0])
	}
	for _, ext := range []string{"", ".sig"} {
		if err := os.WriteFile(filepath.Join(root, insertedDigest+ext), mustRead(t, filepath.Join(root, digests[0]+ext)), 0o640); err != nil {
			t.Fatal(err)
		}
	}

	r := validate("audit")
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.String())
	}
	for _, want := range []string{
		"Log file\t" + edited + "\tINVALID: hash value doesn't match",
		"Log file\t" + deleted + "\tINVALID: not found",
		"Log file\t" + inserted + "\tINVALID: not in any digest (added)",
		"Digest file\t" + editedDigest + "\tINVALID: has been modified",
		"Digest file\t" + insertedDigest + "\tINVALID: not in the digest chain (added)",
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("problems %q\nlack %q", got, want)
		}
	}

	// Deleting a digest, the newest included, and a signature file are found too.
	if err := os.Remove(filepath.Join(root, digests[len(digests)-1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, digests[0]) + ".sig"); err != nil {
		t.Fatal(err)
	}
	r = validate("audit")
	got = got[:0]
	for _, p := range r.Problems {
		got = append(got, p.String())
	}
	for _, want := range []string{
		"Digest file\t" + digests[len(digests)-1] + "\tINVALID: not found",
		"Digest file\t" + digests[0] + "\tINVALID: signature file",
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("problems %q\nlack %q", got, want)
		}
	}
	// The organization trail, untouched, is still clean.
	if r := validate("org"); len(r.Problems) != 0 {
		t.Errorf("org trail problems %v; want none", r.Problems)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validateClean fails the test unless the trail validates without a problem.
func validateClean(t *testing.T, f *fixture, name string) *logfiles.Report {
	t.Helper()
	r, err := logfiles.Validate(context.Background(), f.st, logfiles.ValidateInput{Trail: name}, f.clock.Now())
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if len(r.Problems) != 0 || r.DigestsValid != r.Digests || r.LogFilesValid != r.LogFiles {
		t.Fatalf("Validate %s: problems %v, %d/%d digests, %d/%d log files valid; want none, all", name, r.Problems, r.DigestsValid, r.Digests, r.LogFilesValid, r.LogFiles)
	}
	return r
}

// A crash after a round committed its cursor but before its files were on disk (here: the
// bucket's directory cannot be made) loses nothing: the next step, on a new deliverer, writes
// the same files from the same events, and the digests' hashes match them.
func TestUnwrittenBatchIsWrittenAgain(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	want := []string{f.record(t, acctA, "CreateUser"), f.record(t, acctA, "DeleteUser")}
	blocker := filepath.Join(f.dir, "audit-logs")
	if err := os.WriteFile(blocker, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	if err := d.Step(context.Background()); err == nil {
		t.Fatal("Step wrote into a file as if it were a directory")
	}
	if st := f.seen[f.cfgs[0].ARN]; st.LatestDeliveryError != "InternalError" || !st.LatestDeliveryTime.IsZero() {
		t.Errorf("status after the failure = %+v; want LatestDeliveryError InternalError", st)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	want = append(want, f.record(t, acctA, "GetUser"))
	f.clock.Advance(5 * time.Minute)
	step(t, f.deliverer(t)) // a restart
	got := delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]
	if !equalSets(map[string][]string{"": got}, map[string][]string{"": want}) {
		t.Fatalf("delivered %v; want %v, each once", got, want)
	}
	if st := f.seen[f.cfgs[0].ARN]; st.LatestDeliveryError != "" || !st.LatestDeliveryTime.Equal(f.clock.Now()) {
		t.Errorf("status after recovery = %+v; want delivered now, no error", st)
	}
	f.clock.Advance(time.Hour)
	step(t, f.deliverer(t))
	validateClean(t, f, "audit")
}

// A bucket name that cannot be a directory under --trail-dir delivers nothing outside it: the
// trail's status says InvalidBucketName, and other trails are delivered.
func TestBadBucketStaysInside(t *testing.T) {
	f := newFixture(t)
	f.cfgs[0].Bucket = ".."
	d := f.deliverer(t)
	f.record(t, acctA, "CreateUser")
	m := f.record(t, mgmt, "CreateUser")
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	f.clock.Advance(time.Hour)
	step(t, d)
	if st := f.seen[f.cfgs[0].ARN]; st.LatestDeliveryError != "InvalidBucketName" || st.LatestDigestDeliveryError != "InvalidBucketName" {
		t.Errorf("status = %+v; want InvalidBucketName for log files and digests", st)
	}
	if got := files(t, filepath.Dir(f.dir), regexp.MustCompile(`AWSLogs/`+acctA)); len(got) != 0 {
		t.Errorf("files of the bad bucket = %v; want none", got)
	}
	if got := delivered(t, f.dir, "org-logs")["AWSLogs/"+orgID+"/"+mgmt]; !slices.Equal(got, []string{m}) {
		t.Errorf("organization trail delivered %v; want %v", got, []string{m})
	}
}

// Keys rotate: a new key signs once the old one's validity ends, PublicKeys returns both for a
// range spanning them, and digests signed by either validate.
func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	d, err := logfiles.New(logfiles.Config{Store: f.st, Sealer: testutil.Sealer(t), Dir: f.dir, Now: f.clock.Now, KeyLifetime: 2 * time.Hour,
		Trails: func(context.Context) ([]logfiles.TrailConfig, error) { return f.cfgs[:1], nil }})
	if err != nil {
		t.Fatal(err)
	}
	deliverHours(t, f, d, 5)
	keys, err := d.PublicKeys(context.Background(), t0, f.clock.Now())
	if err != nil || len(keys) < 2 {
		t.Fatalf("PublicKeys over 5 hours = %d keys, %v; want at least 2", len(keys), err)
	}
	if now, _ := d.PublicKeys(context.Background(), f.clock.Now(), f.clock.Now()); len(now) != 1 || now[0].Fingerprint != keys[len(keys)-1].Fingerprint {
		t.Errorf("PublicKeys now = %v; want the newest key alone", now)
	}
	validateClean(t, f, "audit")
}

// Turning validation off ends the chain (a last digest covers the files delivered meanwhile);
// turning it on again starts a new chain whose first digest has empty previous fields. The
// gap is a note, not a problem, and files delivered without validation are not "added".
func TestValidationOffAndOn(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	deliverHours(t, f, d, 2)
	f.cfgs[0].Validation = false
	deliverHours(t, f, d, 2)
	f.cfgs[0].Validation = true
	deliverHours(t, f, d, 2)
	r := validateClean(t, f, "audit")
	if len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "No log files were delivered by CloudTrail between") {
		t.Errorf("notes = %q; want one gap", r.Notes)
	}
}

// Events of another region go to that region's folder, and its digests to its own chain.
func TestRegions(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(t)
	e := &trail.Event{EventTime: f.clock.Now(), EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity", EventType: trail.AwsAPICall,
		RecipientAccountID: acctA, AWSRegion: "eu-west-1", UserIdentity: trail.UserIdentity{Type: "Root"}}
	if err := f.rec.Record(e); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	f.clock.Advance(time.Hour)
	step(t, d)
	root := filepath.Join(f.dir, "audit-logs")
	if got := files(t, root, regexp.MustCompile(`^team/AWSLogs/`+acctA+`/CloudTrail/eu-west-1/.*/`+acctA+`_CloudTrail_eu-west-1_`)); len(got) != 1 {
		t.Errorf("eu-west-1 log files = %v; want 1", got)
	}
	if got := files(t, root, regexp.MustCompile(`^team/AWSLogs/`+acctA+`/CloudTrail-Digest/eu-west-1/.*_CloudTrail-Digest_eu-west-1_audit_us-east-1_\d{8}T\d{6}Z\.json\.gz$`)); len(got) != 1 {
		t.Errorf("eu-west-1 digests = %v; want 1", got)
	}
	validateClean(t, f, "audit")
}

// A trail receives the events from its LoggingSince on: those recorded while no trail logged
// (which delivery skips without reading) and before it started are not in its files.
func TestTrailStartsAtLoggingSince(t *testing.T) {
	f := newFixture(t)
	all := f.cfgs
	f.cfgs = nil
	d := f.deliverer(t)
	f.record(t, acctA, "CreateUser")
	f.clock.Advance(10 * time.Minute)
	step(t, d)
	f.record(t, acctA, "CreateUser")
	f.clock.Advance(time.Minute)
	f.cfgs = all[:1]
	f.cfgs[0].LoggingSince = f.clock.Now()
	want := f.record(t, acctA, "DeleteUser")
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	if got := delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]; !slices.Equal(got, []string{want}) {
		t.Fatalf("delivered %v; want only %v, recorded after logging started", got, want)
	}
}

// The calls just before StopLogging, and the StopLogging itself, reach the trail's files: a
// trail that stopped logging still gets the events from before it stopped, then its chain ends
// with a digest of them, and it validates.
func TestStopLoggingDeliversTheRest(t *testing.T) {
	f := newFixture(t)
	f.cfgs = f.cfgs[:1]
	d := f.deliverer(t)
	want := []string{f.record(t, acctA, "CreateUser")}
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	f.clock.Advance(4*time.Minute + 50*time.Second)
	want = append(want, f.record(t, acctA, "DeleteTrail"))
	f.cfgs = nil // stopped
	f.clock.Advance(10 * time.Second)
	step(t, d)
	f.record(t, acctA, "CreateUser") // after the stop: not the trail's
	for range 3 {
		f.clock.Advance(5 * time.Minute)
		step(t, d)
	}
	got := delivered(t, f.dir, "audit-logs")["team/AWSLogs/"+acctA]
	if !equalSets(map[string][]string{"": got}, map[string][]string{"": want}) {
		t.Fatalf("delivered %v; want %v", got, want)
	}
	validateClean(t, f, "audit")
}

// pageCounter records the pages delivery reads from the log.
type pageCounter struct {
	store.Store
	calls, maxLimit int
}

func (p *pageCounter) ScanEvents(ctx context.Context, after *store.EventPos, limit int) ([]store.StoredEvent, error) {
	p.calls++
	p.maxLimit = max(p.maxLimit, limit)
	return p.Store.ScanEvents(ctx, after, limit)
}

// Delivery reads the log in bounded pages, however many events wait, and delivers them all.
func TestDeliveryReadsBoundedPages(t *testing.T) {
	f := newFixture(t)
	rows := make([]*store.StoredEvent, 1200)
	for i := range rows {
		id := fmt.Sprintf("event-%04d", i)
		body, _ := json.Marshal(&trail.Event{EventID: id, EventTime: t0, RecipientAccountID: acctA, AWSRegion: "us-east-1", EventName: "ListUsers"})
		rows[i] = &store.StoredEvent{Account: acctA, Time: t0, ID: id, Name: "ListUsers", Body: body}
	}
	if err := f.st.AppendEvents(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	pc := &pageCounter{Store: f.st}
	d, err := logfiles.New(logfiles.Config{Store: pc, Sealer: testutil.Sealer(t), Dir: f.dir, Now: f.clock.Now,
		Trails: func(context.Context) ([]logfiles.TrailConfig, error) { return f.cfgs[:1], nil }})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	step(t, d)
	if pc.maxLimit > 500 || pc.calls < 3 {
		t.Errorf("ScanEvents called %d times, pages up to %d; want pages of at most 500", pc.calls, pc.maxLimit)
	}
	var n int
	for _, ids := range delivered(t, f.dir, "audit-logs") {
		n += len(ids)
	}
	if n != 1200 {
		t.Errorf("delivered %d records; want 1200", n)
	}
}
