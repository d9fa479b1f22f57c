package mpa

import (
	"context"
	"crypto/subtle"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
)

// RewrapShare hands who's share of account's root password to the user nextUserID of who's identity
// source, the new custodian (issue 16 item
// 3: "re-wrap it for a new custodian only with the team's approval"). who enters their share; the
// team protecting RootSignIn must approve the re-wrap: the first request opens a session and is
// refused with AccessDeniedException naming it, and the same request once the session is approved
// re-wraps, once. The share is then sealed for next until they take it (TakeShareAs), and who is
// no longer a custodian: their share opens nothing in Rootward any more (a share entered is
// checked against its custodian's). who cannot approve their own re-wrap. AccessDeniedException
// when who holds no share, ValidationException for a share that is not who's or a next who is a
// custodian or in the root MFA group, ConflictException when no active team protects the root
// sign-in (nobody could approve).
func (s *Service) RewrapShare(ctx context.Context, account string, who Person, share, nextUserID string) error {
	if s.cfg.Sealer == nil {
		return AccessDenied("Password shares are not configured.")
	}
	part, perr := decodeShare(share)
	defer clear(part)
	if perr != nil {
		return perr
	}
	var c custodianRecord
	var next Identity
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil || !ok {
			return err
		}
		for _, x := range r.Custodians {
			if s.is(tx, account, x.SourceARN, x.UserID, who) {
				c = x
			}
		}
		if c.ID == "" {
			return nil
		}
		next = Identity{SourceARN: c.SourceARN, UserID: nextUserID}
		for _, x := range r.Custodians {
			if x.SourceARN == next.SourceARN && x.UserID == next.UserID {
				return validation("%s already holds a share of the root password.", next.UserID)
			}
		}
		if inGroup(r.MFAGroup, next) {
			return validation("%s is in the root MFA group: a custodian of the password cannot hold the MFA device too.", next.UserID)
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case c.ID == "":
		return AccessDenied("You hold no share of the root password of account %s.", account)
	case subtle.ConstantTimeCompare([]byte(shareHash(part)), []byte(c.ShareHash)) != 1:
		return validation("This is not your share of the root password of account %s.", account)
	}
	if err := s.resolveApprovers(ctx, account, []Identity{next}); err != nil {
		return err
	}
	if _, _, t, err := s.protecting(ctx, account, RootSignIn, s.cfg.Now().UTC()); err != nil {
		return err
	} else if t == nil {
		return conflict("No active approval team protects the root sign-in of account %s: nobody could approve the re-wrap.", account)
	}
	self := Identity{SourceARN: c.SourceARN, UserID: c.UserID}
	err = s.Check(ctx, Request{Account: account, Operation: "RewrapRootPasswordShare", Policy: RootSignIn, Action: "mpa:RewrapRootPasswordShare",
		Params: []byte(c.ID + "\x00" + next.SourceARN + "\x00" + next.UserID + "\x00" + c.ShareHash), Resource: arn.Root(account),
		Requester:         Requester{Account: account, ARN: arn.IdentityStore("", "user/"+c.UserID), Region: s.cfg.Region, Comment: "Re-wrap a share of the root password for " + next.UserID},
		RequesterIdentity: &self})
	if err != nil {
		return err
	}
	newID := newID()
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil {
			return err
		}
		for i := range r.Custodians {
			if !ok || r.Custodians[i].ID != c.ID || r.Custodians[i].ShareHash != c.ShareHash {
				continue
			}
			r.Custodians[i] = custodianRecord{ID: newID, SourceARN: next.SourceARN, UserID: next.UserID, ShareHash: c.ShareHash}
			if err := shares.DeleteIfExists(tx, account, c.ID); err != nil {
				return err
			}
			if err := shares.Put(tx, account, newID, &shareRecord{Sealed: s.cfg.Sealer.Seal(part, shareAD(account, newID))}); err != nil {
				return err
			}
			return custody.Put(tx, account, custodyKey, r)
		}
		return conflict("The split changed since the re-wrap was approved; ask again.")
	})
	if err != nil {
		return err
	}
	s.custodyStep(ctx, account, &who, "RootPasswordShareRewrapped", map[string]any{"custodianId": c.ID, "newCustodianId": newID, "newCustodianUserId": next.UserID})
	return nil
}
