package mpa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
)

// The root user's console sign-in (internal/signin's Approvals): each sign-in attempt that
// reached the approval step is one request of RootSignIn, its parameter the attempt's random ID,
// so an approval lets through that browser's attempt once and nothing else.

var _ signin.Approvals = (*Service)(nil)

// rootSignIn is the protected request of root sign-in attempt of account.
func (s *Service) rootSignIn(account, attempt string) Request {
	return Request{Account: account, Operation: RootSignIn, Action: consoleActions[RootSignIn], Params: []byte(attempt),
		Resource: arn.Root(account), Requester: Requester{Account: account, ARN: arn.Root(account), Region: s.cfg.Region,
			Comment: "Root user console sign-in"}}
}

// ApproveRootSignIn implements signin.Approvals: Check of the attempt's request, and on refusal
// the session it waits for.
func (s *Service) ApproveRootSignIn(ctx context.Context, account, attempt string) (*signin.Approval, error) {
	req := s.rootSignIn(account, attempt)
	err := s.Check(ctx, req)
	if e, ok := awserr.As(err); ok && e.Code == awserr.MPAAccessDenied {
		return s.waiting(ctx, req)
	}
	return nil, err
}

// waiting finds the pending session of req that Check just refused it for.
func (s *Service) waiting(ctx context.Context, req Request) (*signin.Approval, error) {
	teamAccount, teamID, _, err := s.protecting(ctx, req.Account, req.Operation, s.cfg.Now().UTC())
	if err != nil {
		return nil, err
	}
	var out *signin.Approval
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		err := requestSessions(tx, teamAccount, teamID, requestKey(req.Requester.ARN, req.Operation)+req.hash(), func(key string, r *sessionRecord) (bool, error) {
			if r.Status != SessionPending {
				return false, nil
			}
			t, _, err := teams.Get(tx, teamAccount, teamID)
			if err != nil {
				return false, err
			}
			out = s.approvalOf(teamAccount, key, r, t)
			return true, nil
		})
		if err == nil && out == nil {
			err = errors.New("mpa: no pending session for a refused root sign-in")
		}
		return err
	})
	return out, err
}

func (s *Service) approvalOf(account, key string, r *sessionRecord, t *teamRecord) *signin.Approval {
	sess := s.session(account, key, r, t, s.cfg.Now())
	a := &signin.Approval{SessionARN: sess.ARN, TeamName: sess.TeamName, Status: sess.Status, StatusCode: sess.StatusCode,
		Needed: sess.MinApprovals, Expires: sess.Expires}
	if t != nil {
		a.Needed = t.MinApprovals
		a.Approvals, _, _ = r.tally(t)
	}
	return a
}

// RootSignInApproval implements signin.Approvals: the state of a session of a root sign-in of
// account, which may be held by the organization's management account. ResourceNotFoundException
// for any other session.
func (s *Service) RootSignInApproval(ctx context.Context, account, sessionARN string) (*signin.Approval, error) {
	res, ok := s.ParseARN(sessionARN)
	if !ok || res.Type != "session" {
		return nil, notFound("Session %s was not found.", sessionARN)
	}
	key := res.ID + "/" + res.Session
	var out *signin.Approval
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := sessions.Get(tx, res.Account, key)
		if err != nil {
			return err
		}
		if !ok || r.Operation != RootSignIn || r.Requester.ARN != arn.Root(account) {
			return notFound("Session %s was not found.", sessionARN)
		}
		t, _, err := teams.Get(tx, res.Account, res.ID)
		if err != nil {
			return err
		}
		out = s.approvalOf(res.Account, key, r, t)
		return nil
	})
	return out, err
}

// StartBreakGlassSignIn implements signin.Approvals: an emergency sign-in of account's root user,
// claimed by a secret only the starter's browser holds.
func (s *Service) StartBreakGlassSignIn(ctx context.Context, account, reason string) (*signin.BreakGlass, error) {
	claim := newSecret()
	b, err := s.startGlass(ctx, account, Requester{Account: account, ARN: arn.Root(account), Region: s.cfg.Region}, reason, claimHash(claim))
	if err != nil {
		return nil, err
	}
	return &signin.BreakGlass{ID: b.ID, Claim: claim, Status: b.Status, Ready: b.Ready}, nil
}

// BreakGlassSignIn implements signin.Approvals. AccessDeniedException when claim names none of
// account's emergency sign-ins.
func (s *Service) BreakGlassSignIn(ctx context.Context, account, claim string) (*signin.BreakGlass, error) {
	id, err := s.claimed(ctx, account, claim)
	if err != nil {
		return nil, err
	}
	b, err := s.BreakGlassOf(ctx, account, id)
	if err != nil {
		return nil, err
	}
	return &signin.BreakGlass{ID: b.ID, Status: b.Status, Ready: b.Ready}, nil
}

// UseBreakGlassSignIn implements signin.Approvals: UseBreakGlass of the one claim names.
func (s *Service) UseBreakGlassSignIn(ctx context.Context, account, claim string) (string, error) {
	id, err := s.claimed(ctx, account, claim)
	if err != nil {
		return "", err
	}
	// Its readiness is announced (once) before it is used.
	if _, err := s.BreakGlassOf(ctx, account, id); err != nil {
		return "", err
	}
	if err := s.UseBreakGlass(ctx, account, id, arn.Root(account)); err != nil {
		return "", err
	}
	return id, nil
}

// claimed finds account's emergency sign-in whose claim is claim (compared by hash, in constant
// time).
func (s *Service) claimed(ctx context.Context, account, claim string) (string, error) {
	want := claimHash(claim)
	found := ""
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		items, err := glasses.List(tx, account, "", "", maxGlasses)
		for _, it := range items {
			if it.Record.ClaimHash != "" && subtle.ConstantTimeCompare([]byte(it.Record.ClaimHash), []byte(want)) == 1 {
				found = it.Key
			}
		}
		return err
	})
	if err == nil && (claim == "" || found == "") {
		err = AccessDenied("This browser started no emergency sign-in of account %s.", account)
	}
	return found, err
}

// newSecret is 32 random bytes in hex.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func claimHash(claim string) string {
	h := sha256.Sum256([]byte(claim))
	return hex.EncodeToString(h[:])
}
