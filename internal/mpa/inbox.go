package mpa

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
)

// The approval portal's reads (PUBLIC_URL/approvals, internal/console): what one signed-in
// Identity Center user is asked to answer. A user is an approver as Identity{source, user ID} for
// each identity source (in any account) made of the user's instance; the portal never takes the
// identity from the browser, only the instance and user ID of the portal session, and every vote
// goes through Vote, which checks the approver against the team again.

// Membership is a team the user is an approver of, or invited to.
type Membership struct {
	Team *Team
	// Who is the user's identity on the team (the identity source of the team's account).
	Who Identity
	// Invitation is the user's invitation state on the team (InvitePending: to answer), or, for an
	// approver named only in a pending update, on that update.
	Invitation string
	// InUpdate is set when the user is named only by the team's pending update.
	InUpdate bool
}

// Inbox is what the portal shows one approver.
type Inbox struct {
	Teams []Membership
	// Pending are the open sessions of the teams the user accepted, newest first; Voted says whether
	// the user answered each already, Own whether the user requested it (and so cannot vote).
	Pending []InboxSession
	// History are the decided, expired or cancelled sessions of those teams, newest first, at
	// most HistoryLimit.
	History []InboxSession
}

// InboxSession is a session as the portal lists it.
type InboxSession struct {
	*Session
	Who   Identity
	Voted string // the user's response, "" for none
	// Approvals and Rejections are the votes that count (tally): approvers on the team now,
	// never the requester.
	Approvals, Rejections int
}

// HistoryLimit bounds the decided sessions the portal lists.
const HistoryLimit = 50

// identities returns, per account, the user's identity there: the identity source of account
// made of instanceARN. It reads every identity source of the installation (each account has a
// few at most; the sources have no cross-account index).
func (s *Service) identities(tx store.Tx, instanceARN, userID string) (map[string]Identity, error) {
	out := map[string]Identity{}
	var after *store.Object
	for {
		objs, err := tx.Scan(sources.Name, after, 256)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			r, err := sources.Decode(o.Body)
			if err != nil {
				return nil, err
			}
			if r.InstanceARN == instanceARN {
				out[o.Account] = Identity{SourceARN: s.sourceARN(o.Account, o.Key), UserID: userID}
			}
		}
		if len(objs) < 256 {
			return out, nil
		}
		after = &objs[len(objs)-1]
	}
}

// IdentityIn returns the identity of user userID of instance instanceARN in account: ok false when
// no identity source of account is made of that instance.
func (s *Service) IdentityIn(ctx context.Context, account, instanceARN, userID string) (Identity, bool, error) {
	var who Identity
	var ok bool
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		key, _, found, err := sources.Lookup(tx, "instance", account, instanceARN)
		if found {
			who, ok = Identity{SourceARN: s.sourceARN(account, key), UserID: userID}, true
		}
		return err
	})
	return who, ok, err
}

// InboxOf returns what user userID of Identity Center instance instanceARN is asked to answer:
// the teams that name the user, and the sessions of those the user accepted.
func (s *Service) InboxOf(ctx context.Context, instanceARN, userID string) (*Inbox, error) {
	now := s.cfg.Now()
	in := &Inbox{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		in.Teams, in.Pending, in.History = nil, nil, nil
		ids, err := s.identities(tx, instanceARN, userID)
		if err != nil {
			return err
		}
		accounts := make([]string, 0, len(ids))
		for a := range ids {
			accounts = append(accounts, a)
		}
		slices.Sort(accounts)
		for _, account := range accounts {
			who := ids[account]
			list, err := teams.List(tx, account, "", "", 0)
			if err != nil {
				return err
			}
			for _, e := range list {
				m, ok := membership(s.team(account, e.Key, e.Record), e.Record, who)
				if !ok {
					continue
				}
				in.Teams = append(in.Teams, m)
				if m.InUpdate || m.Invitation != InviteAccepted {
					continue
				}
				if err := s.inboxSessions(tx, account, e.Key, e.Record, who, now, in); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	newest := func(a, b InboxSession) int { return b.Initiated.Compare(a.Initiated) }
	slices.SortFunc(in.Pending, newest)
	slices.SortFunc(in.History, newest)
	if len(in.History) > HistoryLimit {
		in.History = in.History[:HistoryLimit]
	}
	return in, nil
}

func membership(t *Team, r *teamRecord, who Identity) (Membership, bool) {
	if a := approverOf(r.Approvers, who); a != nil {
		return Membership{Team: t, Who: who, Invitation: a.Status}, true
	}
	if r.Pending != nil {
		if a := approverOf(r.Pending.Approvers, who); a != nil {
			return Membership{Team: t, Who: who, Invitation: a.Status, InUpdate: true}, true
		}
	}
	return Membership{}, false
}

// inboxSessions adds the sessions of team id to in. A team's sessions are keyed by random IDs, so
// all of them are read; Rootward keeps every session (they are the custody report's evidence).
func (s *Service) inboxSessions(tx store.Tx, account, id string, t *teamRecord, who Identity, now time.Time, in *Inbox) error {
	list, err := sessions.List(tx, account, id+"/", "", 0)
	if err != nil {
		return err
	}
	ap := approverOf(t.Approvers, who)
	for _, e := range list {
		sess := s.session(account, e.Key, e.Record, t, now)
		is := InboxSession{Session: sess, Who: who}
		cp := *e.Record
		is.Approvals, is.Rejections, _ = cp.tally(t)
		for _, v := range e.Record.Votes {
			if ap != nil && v.ApproverID == ap.ID {
				is.Voted = v.Response
			}
		}
		if sess.Status == SessionPending {
			in.Pending = append(in.Pending, is)
		} else {
			in.History = append(in.History, is)
		}
	}
	return nil
}

// OwnSession returns the session of ARN a when requesterARN requested it: the requester's view of
// the session its refused operation opened. ResourceNotFoundException for anyone else's, so that
// a session's existence is not told to others.
func (s *Service) OwnSession(ctx context.Context, a, requesterARN string) (*Session, error) {
	res, ok := s.ParseARN(a)
	if !ok || res.Type != "session" {
		return nil, notFound("Session %s was not found.", a)
	}
	sess, err := s.SessionOf(ctx, res.Account, a)
	if err != nil {
		return nil, err
	}
	if requesterARN == "" || sess.Requester.ARN != requesterARN {
		return nil, notFound("Session %s was not found.", a)
	}
	return sess, nil
}

// SessionARNIn finds the first approval session ARN of this service's Region in text (an
// AccessDenied message of a protected operation); "" when there is none.
func (s *Service) SessionARNIn(text string) string {
	prefix := strings.TrimSuffix(arn.MPA(s.cfg.Region, "", ""), ":")
	for i := strings.Index(text, prefix); i >= 0; {
		end := i
		for end < len(text) && !strings.ContainsRune(" \t\n,;().", rune(text[end])) {
			end++
		}
		cand := text[i:end]
		if r, ok := s.ParseARN(cand); ok && r.Type == "session" {
			return cand
		}
		next := strings.Index(text[end:], prefix)
		if next < 0 {
			break
		}
		i = end + next
	}
	return ""
}

// SessionARN is the ARN of session id of team in account.
func (s *Service) SessionARN(account, team, id string) string { return s.sessionARN(account, team, id) }

// RootSignInProtection is the compliance fact of the check "root sign-in protected by multi-party
// approval" (compliance.Gatherer.WithApproval): the ACTIVE approval team that protects RootSignIn
// in account (the account's own, else its organization's management account's), if any.
func (s *Service) RootSignInProtection(ctx context.Context, account string) (*compliance.Approval, error) {
	teamAccount, teamID, t, err := s.protecting(ctx, account, RootSignIn, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	out := &compliance.Approval{}
	if t != nil {
		out.Teams = []string{s.teamARN(teamAccount, teamID)}
	}
	return out, nil
}
