package mpa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/shamir"
	"github.com/rootward/rootward/internal/store"
)

// Split custody of the root password (issue 16 item 3). Rootward generates the root password,
// stores only its hash (internal/iam), and splits the password itself with Shamir's scheme
// (internal/shamir) among named custodians, k of whom must bring their shares to sign in. Each
// share is kept sealed under the master key, bound to its custodian, only until its custodian
// takes it (TakeShare): it is shown once and then gone from Rootward, so that afterwards no row
// of the store, and no single custodian, holds anything that opens the root user.

// custodyRecord is an account's split: who holds a share, and how many recombine the password.
type custodyRecord struct {
	K          int               `json:"k"`
	Custodians []custodianRecord `json:"custodians"`
	Created    time.Time         `json:"created"`
	// MFAGroup are the Identity Center users who answer the root user's MFA step of a custody
	// sign-in (custodysignin.go); none of them holds a share.
	MFAGroup []memberRecord `json:"mfa_group,omitempty"`
}

type custodianRecord struct {
	ID        string    `json:"id"`
	SourceARN string    `json:"source_arn"`
	UserID    string    `json:"user_id"`
	Taken     time.Time `json:"taken,omitzero"`
	// ShareHash is the SHA-256 of the custodian's share: a share entered is checked against its
	// custodian's before it is kept (a share has 32 random bytes, so its hash tells nothing of it).
	ShareHash string `json:"share_hash,omitempty"`
}

type memberRecord struct {
	SourceARN string `json:"source_arn"`
	UserID    string `json:"user_id"`
}

// custody holds each account's split under the key "root-password".
var custody = store.Define(store.Kind[custodyRecord]{Name: "mpa.custody", Version: 1})

// shares holds each custodian's sealed share until it is taken, keyed by custodian ID.
var shares = store.Define(store.Kind[shareRecord]{Name: "mpa.share", Version: 1})

type shareRecord struct {
	Sealed []byte `json:"sealed"`
}

const custodyKey = "root-password"

// shareAD binds a sealed share to its account and custodian.
func shareAD(account, custodian string) string { return "mpa.share:" + account + ":" + custodian }

// Custody is an account's split, as reports show it: who holds a share and whether they took it.
type Custody struct {
	K          int
	Custodians []Custodian
	Created    time.Time
}

// Custodian is one holder of a share.
type Custodian struct {
	ID    string
	Who   Identity
	Taken time.Time
}

// SplitRootPassword gives account's root user a password Rootward generates, and splits it
// k of len(custodians) among the custodians (Identity Center users of an identity source of the
// account). The password is set (its hash stored) and then forgotten; each share waits sealed for
// its custodian. A split replaces any earlier one. It returns ValidationException for a bad k or
// custodian list, ResourceNotFoundException for an unknown custodian, and an internal error when
// the service has no IAM or sealer.
func (s *Service) SplitRootPassword(ctx context.Context, account string, custodians []Identity, k int) error {
	if s.cfg.IAM == nil || s.cfg.Sealer == nil {
		return errors.New("mpa: split custody needs IAM and the sealer")
	}
	if err := checkStrategy(k, custodians); err != nil {
		return err
	}
	if k < 2 {
		return validation("A split needs at least two shares to recombine the password.")
	}
	if err := s.resolveApprovers(ctx, account, custodians); err != nil {
		return err
	}
	pw, err := generatePassword()
	if err != nil {
		return err
	}
	defer clear(pw)
	parts, err := shamir.Split(pw, len(custodians), k)
	if err != nil {
		return err
	}
	rec := &custodyRecord{K: k, Created: s.cfg.Now().UTC()}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if old, ok, err := custody.Get(tx, account, custodyKey); err != nil {
			return err
		} else if ok {
			rec.MFAGroup = old.MFAGroup
			for _, who := range custodians {
				if inGroup(old.MFAGroup, who) {
					return validation("%s is in the root MFA group: a custodian of the password cannot hold the MFA device too.", who.UserID)
				}
			}
			for _, c := range old.Custodians {
				if err := shares.DeleteIfExists(tx, account, c.ID); err != nil {
					return err
				}
			}
		}
		rec.Custodians = rec.Custodians[:0]
		for i, who := range custodians {
			c := custodianRecord{ID: newID(), SourceARN: who.SourceARN, UserID: who.UserID, ShareHash: shareHash(parts[i])}
			rec.Custodians = append(rec.Custodians, c)
			sealed := s.cfg.Sealer.Seal(parts[i], shareAD(account, c.ID))
			if err := shares.Put(tx, account, c.ID, &shareRecord{Sealed: sealed}); err != nil {
				return err
			}
		}
		return custody.Put(tx, account, custodyKey, rec)
	})
	for _, p := range parts {
		clear(p)
	}
	if err != nil {
		return err
	}
	if err := s.cfg.IAM.SetRootPassword(ctx, account, string(pw)); err != nil {
		// The shares are of a password that was not set: remove them.
		_ = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			for _, c := range rec.Custodians {
				if err := shares.DeleteIfExists(tx, account, c.ID); err != nil {
					return err
				}
			}
			return custody.DeleteIfExists(tx, account, custodyKey)
		})
		return err
	}
	return nil
}

// passwordAlphabet is what generated root passwords are drawn from: 94 printable ASCII characters
// less the quote and backslash, which some forms and shells mangle.
const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~"

// generatePassword is 32 characters drawn uniformly (rejection sampling), about 206 bits.
func generatePassword() ([]byte, error) {
	out := make([]byte, 0, 32)
	var b [64]byte
	limit := 256 - 256%len(passwordAlphabet)
	for len(out) < 32 {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		for _, x := range b {
			if int(x) < limit && len(out) < 32 {
				out = append(out, passwordAlphabet[int(x)%len(passwordAlphabet)])
			}
		}
	}
	clear(b[:])
	return out, nil
}

// CustodyOf returns account's split; ResourceNotFoundException when the root password is not
// split.
func (s *Service) CustodyOf(ctx context.Context, account string) (*Custody, error) {
	var out *Custody
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("The root password of account %s is not split.", account)
		}
		out = &Custody{K: r.K, Created: r.Created}
		for _, c := range r.Custodians {
			out.Custodians = append(out.Custodians, Custodian{ID: c.ID, Who: Identity{SourceARN: c.SourceARN, UserID: c.UserID}, Taken: c.Taken})
		}
		return nil
	})
	return out, err
}

// TakeShare hands who their share of account's root password, once: the sealed share is deleted
// in the transaction that opens it. AccessDeniedException when who holds no share,
// ConflictException when it was taken already.
func (s *Service) TakeShare(ctx context.Context, account string, who Identity) (string, error) {
	if s.cfg.Sealer == nil {
		return "", errors.New("mpa: split custody needs the sealer")
	}
	var share []byte
	now := s.cfg.Now().UTC()
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil {
			return err
		}
		if !ok {
			return AccessDenied("You hold no share of the root password of account %s.", account)
		}
		for i := range r.Custodians {
			c := &r.Custodians[i]
			if c.SourceARN != who.SourceARN || c.UserID != who.UserID {
				continue
			}
			if !c.Taken.IsZero() {
				return conflict("Your share was shown at %s; it is not kept and cannot be shown again.", c.Taken.Format(time.RFC3339))
			}
			sr, ok, err := shares.Get(tx, account, c.ID)
			if err != nil {
				return err
			}
			if !ok {
				return conflict("Your share is no longer kept.")
			}
			if share, err = s.cfg.Sealer.Open(sr.Sealed, shareAD(account, c.ID)); err != nil {
				return err
			}
			c.Taken = now
			if err := shares.Delete(tx, account, c.ID); err != nil {
				return err
			}
			return custody.Put(tx, account, custodyKey, r)
		}
		return AccessDenied("You hold no share of the root password of account %s.", account)
	})
	if err != nil {
		return "", err
	}
	defer clear(share)
	return sharePrefix + hex.EncodeToString(share), nil
}

// shareHash is the hex SHA-256 of a share's bytes.
func shareHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// sharePrefix marks an encoded share (version 1: hex of the x coordinate and the bytes).
const sharePrefix = "rwshare1-"

// CombineShares recombines account's root password from the shares custodians entered; the
// caller checks it against the password's hash (the sign-in's password step) and forgets it.
// ValidationException for a malformed share or fewer than the split's k.
func (s *Service) CombineShares(ctx context.Context, account string, entered []string) ([]byte, error) {
	c, err := s.CustodyOf(ctx, account)
	if err != nil {
		return nil, err
	}
	if len(entered) < c.K {
		return nil, validation("The root password needs %d shares; %d were entered.", c.K, len(entered))
	}
	parts := make([][]byte, 0, len(entered))
	defer func() {
		for _, p := range parts {
			clear(p)
		}
	}()
	for _, e := range entered {
		h, ok := strings.CutPrefix(strings.TrimSpace(e), sharePrefix)
		b, err := hex.DecodeString(h)
		if !ok || err != nil || len(b) < 2 {
			return nil, validation("A share is not in the form Rootward showed it.")
		}
		parts = append(parts, b)
	}
	pw, err := shamir.Combine(parts)
	if err != nil {
		return nil, validation("The shares do not fit together: %s.", strings.TrimPrefix(err.Error(), "shamir: "))
	}
	return pw, nil
}
