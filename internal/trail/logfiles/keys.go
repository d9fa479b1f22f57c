package logfiles

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// PublicKey is a digest signing key's public half as CloudTrail's ListPublicKeys returns it
// (CloudTrail API Reference, "PublicKey"): Value is the DER encoding of the PKCS #1 RSAPublicKey
// (what `aws cloudtrail validate-logs` loads), Fingerprint the hex MD5 of Value.
type PublicKey struct {
	Value                              []byte
	ValidityStartTime, ValidityEndTime time.Time
	Fingerprint                        string
}

// keyBits is the size of digest signing keys: RSA 2048, as CloudTrail's.
const keyBits = 2048

// DefaultKeyLifetime is how long one key signs digests before the next takes over. CloudTrail
// rotates its regional keys without documenting the period; Rootward chooses 30 days. Old keys
// stay, so digests they signed still validate.
const DefaultKeyLifetime = 30 * 24 * time.Hour

// sealAD binds a sealed private key to its fingerprint: a sealed key copied to another record
// does not open.
func sealAD(fingerprint string) string { return "trail.logfiles.key/" + fingerprint }

// PublicKeys returns the public keys whose validity overlaps [start, end], oldest first, for
// CloudTrail's ListPublicKeys. A zero end means the present.
func (d *Deliverer) PublicKeys(ctx context.Context, start, end time.Time) ([]PublicKey, error) {
	return PublicKeys(ctx, d.st, start, end)
}

// PublicKeys is Deliverer.PublicKeys over a store, for commands that deliver nothing.
func PublicKeys(ctx context.Context, st store.Store, start, end time.Time) ([]PublicKey, error) {
	all, err := allKeys(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []PublicKey
	for _, k := range all {
		if (!end.IsZero() && k.Start.After(end)) || k.End.Before(start) {
			continue
		}
		out = append(out, PublicKey{Value: k.Public, ValidityStartTime: k.Start, ValidityEndTime: k.End, Fingerprint: k.Fingerprint})
	}
	return out, nil
}

func allKeys(ctx context.Context, st store.Store) ([]keyRecord, error) {
	var out []keyRecord
	err := st.View(ctx, func(tx store.Tx) error {
		es, err := listAll(tx, keys, "")
		out = make([]keyRecord, len(es))
		for i, e := range es {
			out[i] = *e.Record
		}
		return err
	})
	slices.SortFunc(out, func(a, b keyRecord) int { return a.Start.Compare(b.Start) })
	return out, err
}

// signer is the key digests are signed with now.
type signer struct {
	key         *rsa.PrivateKey
	fingerprint string
}

// currentKey returns the key valid at now, making one (and keeping the old ones) when none is.
func (d *Deliverer) currentKey(ctx context.Context, now time.Time) (*signer, error) {
	if d.signer != nil && d.signerEnd.After(now) {
		return d.signer, nil
	}
	all, err := allKeys(ctx, d.st)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		k := all[i]
		if !k.Start.After(now) && k.End.After(now) {
			return d.useKey(k)
		}
	}
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, err
	}
	pub := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	sum := md5.Sum(pub)
	fp := hex.EncodeToString(sum[:])
	rec := keyRecord{Public: pub, Fingerprint: fp, Start: now.UTC().Truncate(time.Second)}
	rec.End = rec.Start.Add(d.keyLifetime)
	rec.Sealed = d.sealer.Seal(x509.MarshalPKCS1PrivateKey(priv), sealAD(fp))
	if err := d.st.Update(ctx, func(tx store.Tx) error {
		if err := d.fence(tx); err != nil {
			return err
		}
		return keys.Insert(tx, "", fp, &rec)
	}); err != nil {
		return nil, err
	}
	d.log.Info("new CloudTrail digest signing key", "fingerprint", fp, "valid_until", rec.End)
	return d.useKey(rec)
}

func (d *Deliverer) useKey(k keyRecord) (*signer, error) {
	if d.sealer == nil {
		return nil, errors.New("logfiles: no sealer to open the digest signing key")
	}
	der, err := d.sealer.Open(k.Sealed, sealAD(k.Fingerprint))
	if err != nil {
		return nil, fmt.Errorf("logfiles: opening digest signing key %s: %w", k.Fingerprint, err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("logfiles: digest signing key %s: %w", k.Fingerprint, err)
	}
	d.signer, d.signerEnd = &signer{key: priv, fingerprint: k.Fingerprint}, k.End
	return d.signer, nil
}

// signingString is what a digest's signature covers (CloudTrail User Guide, "Custom
// implementations of CloudTrail log file integrity validation",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-custom-validation.html):
// the digest's end time, its S3 path (bucket/key), the hex SHA-256 of the uncompressed digest,
// and the previous digest's hex signature — the word null for the first digest of a chain, as
// CloudTrail's own (Java) implementation writes it.
func signingString(end, bucket, object, hash string, prevSignature *string) []byte {
	prev := "null"
	if prevSignature != nil {
		prev = *prevSignature
	}
	return []byte(end + "\n" + bucket + "/" + object + "\n" + hash + "\n" + prev)
}

// sign returns the hex SHA256withRSA (RSASSA-PKCS1-v1_5) signature of the signing string.
func (s *signer) sign(msg []byte) (string, error) {
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, h[:])
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sig), nil
}

// verify checks a hex signature of msg with a PKCS #1 DER public key.
func verify(public []byte, msg []byte, sigHex string) bool {
	pub, err := x509.ParsePKCS1PublicKey(public)
	if err != nil {
		return false
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return false
	}
	h := sha256.Sum256(msg)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) == nil
}
