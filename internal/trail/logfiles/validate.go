package logfiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// ValidateInput selects what Validate checks.
type ValidateInput struct {
	// Trail is the trail's name or ARN.
	Trail string
	// Dir is the directory standing in for S3; "" for the one delivery last wrote the trail to.
	Dir string
	// Start and End bound the digests checked (by their time range) and the log files (by their
	// delivery time); a zero Start is the beginning, a zero End the present.
	Start, End time.Time
}

// Problem is one thing wrong: a log or digest file (its path under the trail's directory,
// DIR/BUCKET) and what is wrong with it, in the words of `aws cloudtrail validate-logs` where it
// has them ("INVALID: not found", "INVALID: hash value doesn't match", "INVALID: signature
// verification failed", "INVALID: invalid format", "INVALID: has been moved from its original
// location") and Rootward's where it checks more (a digest modified, a broken chain, a file
// added).
type Problem struct {
	File string // "Log file" or "Digest file"
	Path string
	What string
}

func (p Problem) String() string { return p.File + "\t" + p.Path + "\tINVALID: " + p.What }

// Report is the outcome of Validate.
type Report struct {
	Trail                   string // the trail's ARN
	Start, End              time.Time
	FoundStart, FoundEnd    time.Time // the time range the valid digests cover
	Problems                []Problem
	Notes                   []string // gaps in a chain (validation or logging was off), not problems
	Digests, DigestsValid   int
	LogFiles, LogFilesValid int
}

// Validate errors.
var (
	ErrNoTrail   = errors.New("no trail of that name or ARN has delivered log files")
	ErrAmbiguous = errors.New("several trails have that name: give the trail's ARN")
	ErrNoDigests = errors.New("the trail has no digest files to validate: its log file validation has never been on")
)

// Validate checks a trail's digest and log files as `aws cloudtrail validate-logs` does (CloudTrail
// User Guide, "Validating CloudTrail log file integrity with the AWS CLI"): from each chain's
// newest digest back through previousDigestS3Object, each digest's signature with the public key
// of its fingerprint, its hash against the one the next digest recorded, and each log file it
// lists against its hash. Rootward also knows each chain's newest digest from its own records, so
// deleting or editing the newest digest is found too, and it names files in the trail's folders
// that no digest lists (added), within the time the chain covers.
func Validate(ctx context.Context, st store.Store, in ValidateInput, now time.Time) (*Report, error) {
	var recs []trailRecord
	var all []chainRecord
	pending := map[string][]fileRecord{} // by chain key
	if err := st.View(ctx, func(tx store.Tx) error {
		ts, err := listAll(tx, trails, "")
		if err != nil {
			return err
		}
		recs = recs[:0]
		for _, e := range ts {
			if e.Key == in.Trail || e.Record.Config.Name == in.Trail {
				recs = append(recs, *e.Record)
			}
		}
		if all, err = allChains(tx, ""); err != nil {
			return err
		}
		ps, err := listAll(tx, pendings, "")
		clear(pending)
		for _, e := range ps {
			f := e.Record
			k := chainKey(f.Trail, f.Account, f.Region)
			pending[k] = append(pending[k], *f)
		}
		return err
	}); err != nil {
		return nil, err
	}
	switch {
	case len(recs) == 0:
		return nil, ErrNoTrail
	case len(recs) > 1:
		return nil, ErrAmbiguous
	}
	tr := recs[0]
	end := in.End
	if end.IsZero() {
		end = now
	}
	r := &Report{Trail: tr.Config.ARN, Start: in.Start.UTC(), End: end.UTC()}
	if in.Start.After(end) {
		return nil, fmt.Errorf("the start time %s is after the end time %s", in.Start.Format(timeFormat), end.Format(timeFormat))
	}
	ks, err := allKeys(ctx, st)
	if err != nil {
		return nil, err
	}
	v := &validator{in: in, r: r, cfg: tr.Config, dir: in.Dir, keys: map[string][]byte{}, end: r.End, pending: pending}
	if v.dir == "" {
		v.dir = tr.Dir
	}
	for _, k := range ks {
		v.keys[k.Fingerprint] = k.Public
	}
	var mine []chainRecord
	for _, c := range all {
		if c.Trail == tr.Config.ARN {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return nil, ErrNoDigests
	}
	for i := range mine {
		v.chain(&mine[i], all)
	}
	return r, nil
}

type validator struct {
	in   ValidateInput
	r    *Report
	cfg  TrailConfig
	dir  string
	keys map[string][]byte
	end  time.Time
	// pending are the log files delivered since each chain's last digest, by chain key.
	pending map[string][]fileRecord
}

// rel is a file's path under the trail's directory (DIR/BUCKET).
func (v *validator) rel(bucket, key string) string {
	if bucket == v.cfg.Bucket {
		return key
	}
	return "../" + bucket + "/" + key
}

func (v *validator) problem(file, bucket, key, what string) {
	v.r.Problems = append(v.r.Problems, Problem{File: file, Path: v.rel(bucket, key), What: what})
}

// maxDigest bounds the uncompressed digest read into memory: a digest lists an interval's log
// files, far below this; a larger one (a gzip bomb put in the folder) is invalid.
const maxDigest = 64 << 20

// read returns a digest's uncompressed content; fs.ErrNotExist when it is missing, errFormat when
// it is not gzip or too large.
func (v *validator) read(bucket, key string) ([]byte, error) {
	var out bytes.Buffer
	err := v.inflate(bucket, key, &out, maxDigest+1)
	if err == nil && out.Len() > maxDigest {
		err = errFormat
	}
	return out.Bytes(), err
}

// inflate writes at most limit bytes of a file's uncompressed content to w.
func (v *validator) inflate(bucket, key string, w io.Writer, limit int64) error {
	p, err := filePath(v.dir, bucket, key)
	if err != nil {
		return errFormat
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return errFormat
	}
	if _, err := io.Copy(w, io.LimitReader(zr, limit)); err != nil {
		return errFormat
	}
	return nil
}

var errFormat = errors.New("invalid format")

// link is the digest the walk goes to next, with what the digest after it recorded of it.
type link struct {
	bucket, key string
	hash, sig   string        // expected; "" when unknown
	known       *digestRecord // Rootward's own copy (the chain's newest digest)
	// listed says the walk found the digest in its folder, not through the chain.
	listed bool
}

// diskDigest is a digest file found in a chain's folder.
type diskDigest struct {
	key string
	end time.Time
}

var digestTime = regexp.MustCompile(`_(\d{8}T\d{6}Z)\.json\.gz$`)
var logTime = regexp.MustCompile(`_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$`)

type window struct{ from, to time.Time }

func (v *validator) chain(c *chainRecord, all []chainRecord) {
	cfg := &v.cfg
	org := orgPart(cfg)
	namePrefix := c.Account + "_CloudTrail-Digest_" + c.Region + "_" + cfg.Name + "_" + cfg.Region + "_"
	var disk []diskDigest
	otherRefs := map[string]bool{}
	v.walkFolder(cfg.Bucket, digestFolder(cfg.KeyPrefix, org, c.Account, c.Region), func(key string) {
		base := key[strings.LastIndex(key, "/")+1:]
		m := digestTime.FindStringSubmatch(base)
		if m == nil {
			return
		}
		if strings.HasPrefix(base, namePrefix) {
			t, err := time.Parse("20060102T150405Z", m[1])
			if err == nil {
				disk = append(disk, diskDigest{key: key, end: t})
			}
			return
		}
		// Another trail's digest in the same folder: the log files it lists are not added.
		if body, err := v.read(cfg.Bucket, key); err == nil {
			var df digestFile
			if json.Unmarshal(body, &df) == nil {
				for _, lf := range df.LogFiles {
					otherRefs[lf.S3Bucket+"/"+lf.S3Object] = true
				}
			}
		}
	})
	slices.SortFunc(disk, func(a, b diskDigest) int { return a.end.Compare(b.end) })
	visited := map[string]bool{}
	refs := map[string]bool{}
	var windows []window
	// olderOnDisk is the newest digest on disk before t that the walk has not seen.
	olderOnDisk := func(t time.Time) *link {
		for i := len(disk) - 1; i >= 0; i-- {
			if disk[i].end.Before(t) && !visited[cfg.Bucket+"/"+disk[i].key] {
				return &link{bucket: cfg.Bucket, key: disk[i].key, listed: true}
			}
		}
		return nil
	}
	var next *link
	if c.Last != nil {
		next = &link{bucket: c.Last.Bucket, key: c.Last.Object, hash: c.Last.Hash, sig: c.Last.Signature, known: c.Last}
	} else if len(disk) > 0 {
		next = olderOnDisk(v.end.Add(time.Hour))
	}
	for next != nil {
		l := next
		next = nil
		id := l.bucket + "/" + l.key
		if visited[id] {
			break
		}
		visited[id] = true
		nameEnd := keyTime(l.key)
		if !nameEnd.IsZero() && nameEnd.Before(v.r.Start) {
			break
		}
		df, ok := v.digest(l)
		trusted := ok
		if !ok && l.known != nil {
			// Rootward's own copy of the newest digest still lists its log files and says where
			// the chain goes on.
			var own digestFile
			if json.Unmarshal(l.known.Body, &own) == nil {
				df, trusted = &own, true
			}
		}
		if df != nil {
			start, _ := time.Parse(timeFormat, df.DigestStartTime)
			dend, _ := time.Parse(timeFormat, df.DigestEndTime)
			if ok {
				v.r.DigestsValid++
				v.found(start, dend)
			}
			// A digest that is invalid but readable still tells which files were delivered
			// when: they are not added, but cannot be checked.
			windows = append(windows, window{start.Truncate(time.Minute), dend})
			for _, lf := range df.LogFiles {
				refs[lf.S3Bucket+"/"+lf.S3Object] = true
				if trusted {
					v.logFile(lf.S3Bucket, lf.S3Object, lf.HashValue)
				}
			}
			// Only a trusted digest says where the chain goes on; after an invalid one the walk
			// goes on with the next older digest in the folder, as validate-logs does.
			if trusted && df.PreviousDigestS3Object != nil && df.PreviousDigestS3Bucket != nil {
				next = &link{bucket: *df.PreviousDigestS3Bucket, key: *df.PreviousDigestS3Object}
				if df.PreviousDigestHashValue != nil {
					next.hash = *df.PreviousDigestHashValue
				}
				if df.PreviousDigestSignature != nil {
					next.sig = *df.PreviousDigestSignature
				}
				continue
			}
			if trusted {
				if n := olderOnDisk(start); n != nil {
					v.r.Notes = append(v.r.Notes, fmt.Sprintf("No log files were delivered by CloudTrail between %s and %s", keyTime(n.key).Format(timeFormat), start.Format(timeFormat)))
					next = n
				}
				continue
			}
		}
		if !nameEnd.IsZero() {
			next = olderOnDisk(nameEnd)
		}
	}
	// Log files delivered since the last digest are in Rootward's records, not yet in a digest.
	for _, f := range v.pending[chainKey(c.Trail, c.Account, c.Region)] {
		refs[f.Bucket+"/"+f.Object] = true
		if v.inRange(f.Delivered, f.Delivered) {
			v.logFile(f.Bucket, f.Object, f.Hash)
		}
	}
	if c.Active {
		windows = append(windows, window{c.Start.Truncate(time.Minute), time.Time{}})
	}
	for _, o := range all {
		if o.Trail != c.Trail && o.Account == c.Account && o.Region == c.Region {
			for _, f := range v.pending[chainKey(o.Trail, o.Account, o.Region)] {
				otherRefs[f.Bucket+"/"+f.Object] = true
			}
		}
	}
	// Digest files of this chain that the chain does not reach were added.
	for _, dd := range disk {
		if !visited[cfg.Bucket+"/"+dd.key] && v.inRange(dd.end, dd.end) {
			v.r.Digests++
			v.problem("Digest file", cfg.Bucket, dd.key, "not in the digest chain (added)")
		}
	}
	// Log files in the chain's folder that no digest lists, delivered while the chain covered
	// the folder, were added.
	v.walkFolder(cfg.Bucket, logFolder(cfg.KeyPrefix, org, c.Account, c.Region), func(key string) {
		id := cfg.Bucket + "/" + key
		if refs[id] || otherRefs[id] || !strings.HasSuffix(key, ".json.gz") {
			return
		}
		t := keyTime(key)
		if !t.IsZero() && (!v.inRange(t, t.Add(time.Minute-time.Second)) || !covered(windows, t)) {
			return
		}
		v.r.LogFiles++
		v.problem("Log file", cfg.Bucket, key, "not in any digest (added)")
	})
}

// digest checks one digest file; ok when it is valid. It returns the digest's content when it
// could be read, valid or not.
func (v *validator) digest(l *link) (*digestFile, bool) {
	v.r.Digests++
	bad := func(what string) { v.problem("Digest file", l.bucket, l.key, what) }
	body, err := v.read(l.bucket, l.key)
	if errors.Is(err, fs.ErrNotExist) {
		bad("not found")
		return nil, false
	}
	if err != nil {
		bad("invalid format")
		return nil, false
	}
	var df digestFile
	if json.Unmarshal(body, &df) != nil || df.DigestEndTime == "" || df.DigestS3Object == "" {
		bad("invalid format")
		return nil, false
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if l.hash != "" && hash != l.hash {
		bad("has been modified (its SHA-256 differs from the previousDigestHashValue the next digest recorded)")
		return &df, false
	}
	if df.DigestS3Bucket != l.bucket || df.DigestS3Object != l.key {
		if l.listed {
			// Found in the folder, not through the chain, and another digest's content.
			bad("not in the digest chain (added)")
		} else {
			bad("has been moved from its original location")
		}
		return &df, false
	}
	p, _ := filePath(v.dir, l.bucket, l.key)
	sigRaw, err := os.ReadFile(p + ".sig")
	if err != nil {
		bad("signature file " + filepath.Base(p) + ".sig not found")
		return &df, false
	}
	sig := strings.TrimSpace(string(sigRaw))
	pub, ok := v.keys[df.DigestPublicKeyFingerprint]
	if !ok {
		bad(fmt.Sprintf("public key not found in region %s for fingerprint %s", v.cfg.Region, df.DigestPublicKeyFingerprint))
		return &df, false
	}
	if !verify(pub, signingString(df.DigestEndTime, df.DigestS3Bucket, df.DigestS3Object, hash, df.PreviousDigestSignature), sig) {
		bad("signature verification failed")
		return &df, false
	}
	if l.sig != "" && !strings.EqualFold(sig, l.sig) {
		bad("chain broken: its signature differs from the previousDigestSignature the next digest recorded")
		return &df, false
	}
	return &df, true
}

// logFile checks one log file against the hash a digest (or Rootward's records) holds for it.
func (v *validator) logFile(bucket, key, hash string) {
	v.r.LogFiles++
	h := sha256.New()
	// The hash is computed as the file inflates, so a log file's size costs no memory.
	err := v.inflate(bucket, key, h, 1<<40)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v.problem("Log file", bucket, key, "not found")
	case err != nil:
		v.problem("Log file", bucket, key, "invalid format")
	default:
		if hex.EncodeToString(h.Sum(nil)) != hash {
			v.problem("Log file", bucket, key, "hash value doesn't match")
			return
		}
		v.r.LogFilesValid++
	}
}

// inRange reports whether [from, to] meets the range asked for.
func (v *validator) inRange(from, to time.Time) bool {
	return !to.Before(v.r.Start) && !from.After(v.r.End)
}

func (v *validator) found(start, end time.Time) {
	if v.r.FoundStart.IsZero() || start.Before(v.r.FoundStart) {
		v.r.FoundStart = start
	}
	if end.After(v.r.FoundEnd) {
		v.r.FoundEnd = end
	}
}

// covered reports whether a log file delivered in the minute t falls in the time the chain's
// digests cover. Consecutive digests' windows are merged; a merged window ends before the minute
// of its last digest's end (a file's name has only the minute, and a file delivered in that
// minute after the chain ended belongs to no digest), and the active chain's window is open.
func covered(ws []window, t time.Time) bool {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b window) int { return a.from.Compare(b.from) })
	var merged []window
	for _, w := range ws {
		if n := len(merged); n > 0 && (merged[n-1].to.IsZero() || !w.from.After(merged[n-1].to)) {
			if !merged[n-1].to.IsZero() && (w.to.IsZero() || w.to.After(merged[n-1].to)) {
				merged[n-1].to = w.to
			}
			continue
		}
		merged = append(merged, w)
	}
	for _, w := range merged {
		if !t.Before(w.from) && (w.to.IsZero() || t.Before(w.to.Truncate(time.Minute))) {
			return true
		}
	}
	return false
}

// keyTime is the time in a digest's or log file's name; zero when it has none.
func keyTime(key string) time.Time {
	if m := digestTime.FindStringSubmatch(key); m != nil {
		t, _ := time.Parse("20060102T150405Z", m[1])
		return t
	}
	if m := logTime.FindStringSubmatch(key); m != nil {
		t, _ := time.Parse("20060102T1504Z", m[1])
		return t
	}
	return time.Time{}
}

// walkFolder calls fn with the key of each file under folder (a key prefix) of bucket.
func (v *validator) walkFolder(bucket, folder string, fn func(key string)) {
	root, err := filePath(v.dir, bucket, strings.TrimSuffix(folder, "/"))
	if err != nil {
		return
	}
	base := filepath.Join(v.dir, bucket)
	_ = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || strings.HasPrefix(de.Name(), ".tmp-") || strings.HasSuffix(de.Name(), ".sig") {
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err == nil {
			fn(filepath.ToSlash(rel))
		}
		return nil
	})
}
