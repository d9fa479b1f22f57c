package logfiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// digestFile is a digest file's JSON, its members in the order of the CloudTrail User Guide's
// sample ("CloudTrail digest file structure",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
// The previous-digest members are null in the first digest of a chain, and the event times null
// in a digest without log files, as there.
type digestFile struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []digestLogFile `json:"logFiles"`
}

type digestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// timeFormat is CloudTrail's time in digests: UTC, to the second.
const timeFormat = "2006-01-02T15:04:05Z"

const (
	hashAlgorithm      = "SHA-256"
	signatureAlgorithm = "SHA256withRSA"
)

func ptr(s string) *string { return &s }

// digests writes the digests due: every digest interval for each active chain of a trail with
// validation on, and a last one (for the log files delivered since the previous) for a chain
// whose trail stopped logging or turned validation off, which then ends.
func (d *Deliverer) digests(ctx context.Context, now time.Time, cfgs []route) error {
	wanted := map[string]bool{}
	for _, c := range cfgs {
		wanted[c.ARN] = c.Validation
	}
	var all []chainRecord
	if err := d.st.View(ctx, func(tx store.Tx) (err error) {
		all, err = allChains(tx, "")
		return err
	}); err != nil {
		return err
	}
	// One chain's failure (its directory unwritable) does not hold back the others'.
	var errs []error
	for i := range all {
		c := &all[i]
		switch {
		case !c.Active:
		case wanted[c.Trail] && !now.Before(c.Start.Add(d.digest)):
			errs = append(errs, d.digestChain(ctx, now, c, false))
		case !wanted[c.Trail]:
			errs = append(errs, d.digestChain(ctx, now, c, true))
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			break
		}
	}
	return errors.Join(errs...)
}

// digestChain signs and commits the next digest of chain c (the last one when final), then
// writes it.
func (d *Deliverer) digestChain(ctx context.Context, now time.Time, c *chainRecord, final bool) error {
	end := now.Truncate(time.Second)
	if !end.After(c.Start) {
		if !final {
			return nil
		}
		end = c.Start.Truncate(time.Second).Add(time.Second)
	}
	sg, err := d.currentKey(ctx, now)
	if err != nil {
		return err
	}
	key := chainKey(c.Trail, c.Account, c.Region)
	var done chainRecord
	var badPath error
	err = d.st.Update(ctx, func(tx store.Tx) error {
		badPath = nil
		if err := d.fence(tx); err != nil {
			return err
		}
		ch, ok, err := chains.Get(tx, "", key)
		if err != nil || !ok {
			return err
		}
		tr, ok, err := trails.Get(tx, "", c.Trail)
		if err != nil || !ok {
			return err
		}
		pending, err := listAll(tx, pendings, key+"\x00")
		if err != nil {
			return err
		}
		if final && len(pending) == 0 {
			ch.Active, ch.Linked = false, false
			done = *ch
			return chains.Put(tx, "", key, ch)
		}
		cfg := &tr.Config
		object := digestObject(cfg.KeyPrefix, orgPart(cfg), ch.Account, ch.Region, cfg.Name, cfg.Region, end)
		if _, err := filePath(d.dir, cfg.Bucket, object); err != nil {
			badPath = err
			return nil
		}
		df := digestFile{
			AWSAccountID: ch.Account, DigestStartTime: ch.Start.UTC().Format(timeFormat), DigestEndTime: end.Format(timeFormat),
			DigestS3Bucket: cfg.Bucket, DigestS3Object: object,
			DigestPublicKeyFingerprint: sg.fingerprint, DigestSignatureAlgorithm: signatureAlgorithm, LogFiles: []digestLogFile{},
		}
		var oldest, newest time.Time
		for _, e := range pending {
			f := e.Record
			if err := pendings.Delete(tx, "", e.Key); err != nil {
				return err
			}
			df.LogFiles = append(df.LogFiles, digestLogFile{S3Bucket: f.Bucket, S3Object: f.Object, HashValue: f.Hash, HashAlgorithm: hashAlgorithm,
				NewestEventTime: f.Newest.UTC().Format(timeFormat), OldestEventTime: f.Oldest.UTC().Format(timeFormat)})
			if oldest.IsZero() || f.Oldest.Before(oldest) {
				oldest = f.Oldest
			}
			if f.Newest.After(newest) {
				newest = f.Newest
			}
		}
		if !oldest.IsZero() {
			df.OldestEventTime, df.NewestEventTime = ptr(oldest.UTC().Format(timeFormat)), ptr(newest.UTC().Format(timeFormat))
		}
		if ch.Linked && ch.Last != nil {
			df.PreviousDigestS3Bucket, df.PreviousDigestS3Object = ptr(ch.Last.Bucket), ptr(ch.Last.Object)
			df.PreviousDigestHashValue, df.PreviousDigestHashAlgorithm = ptr(ch.Last.Hash), ptr(hashAlgorithm)
			df.PreviousDigestSignature = ptr(ch.Last.Signature)
		}
		body, err := json.Marshal(&df)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		sig, err := sg.sign(signingString(df.DigestEndTime, df.DigestS3Bucket, df.DigestS3Object, hash, df.PreviousDigestSignature))
		if err != nil {
			return err
		}
		ch.Last = &digestRecord{Bucket: df.DigestS3Bucket, Object: df.DigestS3Object, End: end, Hash: hash, Signature: sig, Body: body}
		ch.Linked, ch.Start, ch.Unwritten = true, end, true
		if final {
			ch.Active, ch.Linked = false, false
		}
		done = *ch
		return chains.Put(tx, "", key, ch)
	})
	if badPath != nil {
		d.report(ctx, now, c.Trail, func(s *DeliveryStatus) { s.LatestDigestDeliveryError = deliveryError(badPath) })
		return nil
	}
	if err != nil || !done.Unwritten {
		return err
	}
	return d.writeDigest(ctx, now, &done)
}

// writeDigest writes a committed digest and its signature file, then clears the chain's note
// that it is unwritten and reports the digest's delivery.
func (d *Deliverer) writeDigest(ctx context.Context, now time.Time, c *chainRecord) error {
	last := c.Last
	p, err := filePath(d.dir, last.Bucket, last.Object)
	if err == nil {
		err = writeFile(p, gzipBytes(last.Body))
		if err == nil {
			err = writeFile(p+".sig", []byte(last.Signature))
		}
	}
	if err != nil {
		d.log.Error("writing CloudTrail digest file", "trail", c.Trail, "object", last.Object, "err", err)
		d.report(ctx, now, c.Trail, func(s *DeliveryStatus) { s.LatestDigestDeliveryError = deliveryError(err) })
		return err
	}
	err = d.st.Update(ctx, func(tx store.Tx) error {
		if err := d.fence(tx); err != nil {
			return err
		}
		key := chainKey(c.Trail, c.Account, c.Region)
		ch, ok, err := chains.Get(tx, "", key)
		if err != nil || !ok || ch.Last == nil || ch.Last.Object != last.Object {
			return err
		}
		ch.Unwritten = false
		return chains.Put(tx, "", key, ch)
	})
	if err != nil {
		return err
	}
	d.report(ctx, now, c.Trail, func(s *DeliveryStatus) { s.LatestDigestDeliveryTime, s.LatestDigestDeliveryError = now, "" })
	return nil
}
