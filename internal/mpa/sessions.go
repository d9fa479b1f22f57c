package mpa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Session kinds: a protected operation's request, and the team's own changes its approvers
// approve (an update, a deletion) or answer (a baseline).
const (
	KindOperation = "operation"
	KindUpdate    = "update"
	KindDeletion  = "deletion"
	KindBaseline  = "baseline"
)

// Session statuses, status codes, execution statuses and responses (aws-sdk-go-v2 service/mpa/types).
const (
	SessionPending   = "PENDING"
	SessionApproved  = "APPROVED"
	SessionCancelled = "CANCELLED"
	SessionFailed    = "FAILED"

	CodeRejected             = "REJECTED"
	CodeExpired              = "EXPIRED"
	CodeConfigurationChanged = "CONFIGURATION_CHANGED"

	ExecPending  = "PENDING"
	ExecExecuted = "EXECUTED"
	ExecFailed   = "FAILED"

	VoteApproved   = "APPROVED"
	VoteRejected   = "REJECTED"
	VoteNoResponse = "NO_RESPONSE"
)

// Requester is who asked for a session: an IAM principal (or a Rootward flow acting for one).
type Requester struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	Region  string `json:"region"`
	Comment string `json:"comment,omitempty"`
}

type voteRecord struct {
	ApproverID string    `json:"approver_id"`
	SourceARN  string    `json:"source_arn"`
	IdentityID string    `json:"identity_id"`
	Response   string    `json:"response"`
	Time       time.Time `json:"time"`
}

type sessionRecord struct {
	TeamName          string `json:"team_name"`
	Kind              string `json:"kind"`
	Operation         string `json:"operation,omitempty"`
	ActionName        string `json:"action"`
	ParamHash         string `json:"param_hash,omitempty"`
	ProtectedResource string `json:"resource,omitempty"`
	// Summary is what the approvers are shown of the operation's parameters (Request.Summary).
	Summary   string    `json:"summary,omitempty"`
	Requester Requester `json:"requester"`
	// RequesterApprover is the approver who is the requester (an Identity Center user's session),
	// whose vote never counts; "" when none is.
	RequesterApprover string    `json:"requester_approver,omitempty"`
	Initiated         time.Time `json:"initiated"`
	Expires           time.Time `json:"expires"`
	Completed         time.Time `json:"completed,omitzero"`
	// Executed is when an approved operation ran (Execution EXECUTED): when root was used.
	Executed      time.Time    `json:"executed,omitzero"`
	Status        string       `json:"status"`
	StatusCode    string       `json:"status_code,omitempty"`
	StatusMessage string       `json:"status_message,omitempty"`
	Execution     string       `json:"execution"`
	MinApprovals  int          `json:"min_approvals"`
	Approvers     int          `json:"approvers"`
	Votes         []voteRecord `json:"votes,omitempty"`
	Baseline      []string     `json:"baseline,omitempty"`
}

// sessions are the sessions of each account's teams, keyed TEAM-ID/SESSION-ID in the team's
// account. "request" finds a requester's sessions of an operation: REQUESTER|OPERATION|HASH.
var sessions = store.Define(store.Kind[sessionRecord]{
	Name: "mpa.session", Version: 1,
	Indexes: []store.Index[sessionRecord]{
		{Name: "request", Values: func(_ string, r *sessionRecord) []string {
			if r.Kind != KindOperation {
				return nil
			}
			return []string{requestKey(r.Requester.ARN, r.Operation) + r.ParamHash}
		}},
	},
})

func requestKey(requester, operation string) string { return requester + "|" + operation + "|" }

func (s *Service) newSession(account, teamID string, t *teamRecord, kind, action string, req Requester, now time.Time) *sessionRecord {
	return &sessionRecord{TeamName: t.Name, Kind: kind, ActionName: action, Requester: req, Initiated: now,
		Expires: now.Add(SessionWindow), Status: SessionPending, Execution: ExecPending, MinApprovals: t.MinApprovals,
		Approvers: len(t.Approvers), ProtectedResource: s.teamARN(account, teamID)}
}

// Vote is one approver's response to a session.
type Vote struct {
	ApproverID, SourceARN, IdentityID, Response string
	Time                                        time.Time
}

// Session is an approval session.
type Session struct {
	ARN, TeamARN, TeamName, Kind   string
	ActionName, Operation          string
	ProtectedResource              string
	Summary                        string
	Requester                      Requester
	Initiated, Expires, Completed  time.Time
	Status, StatusCode, StatusMsg  string
	Execution                      string
	MinApprovals, NumberOfApprover int
	Votes                          []Vote
	// Responses are the team's current approvers' responses (NO_RESPONSE for none).
	Responses []Vote
}

func (s *Service) session(account, key string, r *sessionRecord, t *teamRecord, now time.Time) *Session {
	team, id, _ := strings.Cut(key, "/")
	cp := *r
	// An expiry not written yet (Sweep writes it) is shown as it will be.
	if cp.Status == SessionPending && !now.Before(cp.Expires) {
		cp.Status, cp.StatusCode, cp.Completed = SessionFailed, CodeExpired, cp.Expires
	}
	out := &Session{ARN: s.sessionARN(account, team, id), TeamARN: s.teamARN(account, team), TeamName: cp.TeamName,
		Kind: cp.Kind, ActionName: cp.ActionName, Operation: cp.Operation, ProtectedResource: cp.ProtectedResource,
		Summary: cp.Summary, Requester: cp.Requester, Initiated: cp.Initiated, Expires: cp.Expires, Completed: cp.Completed,
		Status: cp.Status, StatusCode: cp.StatusCode, StatusMsg: cp.StatusMessage, Execution: cp.Execution,
		MinApprovals: cp.MinApprovals, NumberOfApprover: cp.Approvers}
	for _, v := range cp.Votes {
		out.Votes = append(out.Votes, Vote(v))
	}
	if t != nil {
		for _, a := range t.Approvers {
			v := Vote{ApproverID: a.ID, SourceARN: a.SourceARN, IdentityID: a.IdentityID, Response: VoteNoResponse}
			for _, got := range cp.Votes {
				if got.ApproverID == a.ID {
					v.Response, v.Time = got.Response, got.Time
				}
			}
			out.Responses = append(out.Responses, v)
		}
	}
	return out
}

// tally counts the session's votes against the team as it is now: only approvers on the team who
// accepted their invitation count, and never the requester; eligible is how many such approvers
// there are.
func (r *sessionRecord) tally(t *teamRecord) (approvals, rejections, eligible int) {
	for _, a := range t.Approvers {
		if a.Status != InviteAccepted || a.ID == r.RequesterApprover {
			continue
		}
		eligible++
		for _, v := range r.Votes {
			if v.ApproverID != a.ID {
				continue
			}
			switch v.Response {
			case VoteApproved:
				approvals++
			case VoteRejected:
				rejections++
			}
		}
	}
	return approvals, rejections, eligible
}

// need is how many approvals the session needs: the team's M, or for a baseline every approver it
// names.
func (r *sessionRecord) need(t *teamRecord) int {
	if r.Kind == KindBaseline {
		if len(r.Baseline) > 0 {
			return len(r.Baseline)
		}
		return len(t.Approvers)
	}
	return t.MinApprovals
}

// settle decides a pending session at now: expired, approved or (when M approvals can no longer
// come) rejected. It returns the event of the decision, "" when it stays pending; for a team
// change it applies the decision to t.
func (r *sessionRecord) settle(t *teamRecord, now time.Time) string {
	if r.Status != SessionPending {
		return ""
	}
	approvals, rejections, eligible := r.tally(t)
	if r.Kind == KindBaseline {
		approvals, rejections = len(r.Votes), 0
	}
	var event string
	switch need := r.need(t); {
	case !now.Before(r.Expires):
		r.Status, r.StatusCode, r.StatusMessage, event = SessionFailed, CodeExpired, "The session expired before it was approved.", EventSessionExpired
	case approvals >= need:
		r.Status, event = SessionApproved, EventSessionApproved
	case eligible-rejections < need:
		r.Status, r.StatusCode, r.StatusMessage, event = SessionFailed, CodeRejected, "Too many approvers rejected the session.", EventSessionRejected
	default:
		return ""
	}
	r.Completed = now
	r.apply(t, now)
	return event
}

// apply carries a decided team change out on t.
func (r *sessionRecord) apply(t *teamRecord, now time.Time) {
	approved := r.Status == SessionApproved
	switch r.Kind {
	case KindUpdate:
		if t.Pending == nil {
			return
		}
		if !approved {
			t.Pending = nil
			t.StatusCode = CodeUpdateFailedApproval
			if r.Status == SessionCancelled {
				t.StatusCode = ""
			}
			return
		}
		r.Execution = ExecExecuted
		t.Pending.StatusCode = CodeUpdatePendingActivation
		t.Pending.Session = ""
		t.StatusCode = CodeUpdatePendingActivation
		if invitations(t.Pending.Approvers) == InviteAccepted {
			t.applyUpdate(now)
		}
	case KindDeletion:
		if !approved {
			t.DeletionSession, t.DeletionStart, t.DeletionEnd = "", time.Time{}, time.Time{}
			t.StatusCode = CodeDeleteFailedApproval
			if r.Status == SessionCancelled {
				t.StatusCode = ""
			}
			return
		}
		r.Execution = ExecExecuted
		t.Status, t.StatusCode, t.DeletionEnd = TeamDeleting, "", now.AddDate(0, 0, t.DeletionDays)
	case KindBaseline:
		if approved {
			r.Execution = ExecExecuted
		}
	}
	t.Updated = now
}

// SessionOf returns the session of ARN a, which must be account's; ResourceNotFoundException when
// there is none.
func (s *Service) SessionOf(ctx context.Context, account, a string) (*Session, error) {
	res, ok := s.ParseARN(a)
	if !ok || res.Type != "session" || res.Account != account {
		return nil, notFound("Session %s was not found.", a)
	}
	var out *Session
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := sessions.Get(tx, account, res.ID+"/"+res.Session)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Session %s was not found.", a)
		}
		t, _, err := teams.Get(tx, account, res.ID)
		if err != nil {
			return err
		}
		out = s.session(account, res.ID+"/"+res.Session, r, t, s.cfg.Now())
		return nil
	})
	return out, err
}

// Sessions pages the sessions of the account's team id by ID, keeping those keep accepts.
func (s *Service) Sessions(ctx context.Context, account, id, after string, limit int, keep func(*Session) bool) (store.Page[*Session], error) {
	var p store.Page[*Session]
	now := s.cfg.Now()
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		t, err := s.getTeam(tx, account, id)
		if err != nil {
			return err
		}
		p, err = store.ReadPage(sessions.Range(tx, account, id+"/"), after, limit, func(it store.Item) (*Session, bool, error) {
			r, err := sessions.Decode(it.Body)
			if err != nil {
				return nil, false, err
			}
			sess := s.session(account, it.Key, r, t, now)
			return sess, keep == nil || keep(sess), nil
		})
		return err
	})
	return p, err
}

// Vote records who's response (VoteApproved or VoteRejected) to the session of ARN a: who must be
// an approver of its team who accepted the invitation, and not its requester; each approver
// responds once. The vote is counted in the transaction that stores it. It returns
// ResourceNotFoundException for an unknown session, AccessDeniedException for a voter who may not
// vote, ConflictException for a second vote or a session no longer pending (expired: it is marked
// so), ValidationException for another response.
func (s *Service) Vote(ctx context.Context, a string, who Identity, response string) (*Session, error) {
	if response != VoteApproved && response != VoteRejected {
		return nil, validation("A response is APPROVED or REJECTED.")
	}
	res, ok := s.ParseARN(a)
	if !ok || res.Type != "session" {
		return nil, notFound("Session %s was not found.", a)
	}
	account, key := res.Account, res.ID+"/"+res.Session
	// The voter's Identity Center user, to tell whether the voter is the requester: read before the
	// transaction, which may run more than once.
	var requesterARN, instance string
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := sessions.Get(tx, account, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Session %s was not found.", a)
		}
		requesterARN = r.Requester.ARN
		instance, err = s.sourceInstance(tx, account, who.SourceARN)
		if _, refused := awserr.As(err); refused {
			return AccessDenied("You are not an approver of approval team %s.", s.teamARN(account, res.ID))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	u, err := s.user(ctx, instance, who.UserID)
	if err != nil {
		return nil, AccessDenied("You are not an approver of approval team %s.", s.teamARN(account, res.ID))
	}
	if RequestedBy(u, requesterARN) {
		return nil, AccessDenied("You cannot respond to your own request.")
	}
	now := s.cfg.Now().UTC()
	var out *Session
	var decided string
	var refusal error
	var rec sessionRecord
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		refusal, decided = nil, ""
		r, ok, err := sessions.Get(tx, account, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Session %s was not found.", a)
		}
		t, err := s.getTeam(tx, account, res.ID)
		if err != nil {
			return err
		}
		ap := approverOf(t.Approvers, who)
		switch {
		case ap == nil || ap.Status != InviteAccepted:
			return AccessDenied("You are not an approver of approval team %s.", s.teamARN(account, res.ID))
		case ap.ID == r.RequesterApprover:
			return AccessDenied("You cannot respond to your own request.")
		case r.Kind == KindBaseline && len(r.Baseline) > 0 && !contains(r.Baseline, ap.ID):
			return AccessDenied("Session %s does not ask you to respond.", a)
		}
		for _, v := range r.Votes {
			if v.ApproverID == ap.ID {
				return conflict("You already responded to session %s.", a)
			}
		}
		if decided = r.settle(t, now); decided != "" {
			// Expired before this vote: the expiry is stored, the vote refused.
			refusal = conflict("Session %s is %s (%s); it takes no more responses.", a, r.Status, r.StatusCode)
		} else if r.Status != SessionPending {
			return conflict("Session %s is %s; it takes no more responses.", a, r.Status)
		} else {
			r.Votes = append(r.Votes, voteRecord{ApproverID: ap.ID, SourceARN: ap.SourceARN, IdentityID: ap.IdentityID, Response: response, Time: now})
			ap.Activity, ap.ActivityTime = ActivityVoted, now
			if r.Kind == KindBaseline {
				ap.Activity = ActivityBaselined
			}
			decided = r.settle(t, now)
		}
		if err := teams.Put(tx, account, res.ID, t); err != nil {
			return err
		}
		if err := sessions.Put(tx, account, key, r); err != nil {
			return err
		}
		rec = *r
		out = s.session(account, key, r, t, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal == nil {
		s.announce(ctx, account, res.ID, res.Session, &rec, EventVote, &who)
	}
	if decided != "" {
		s.announce(ctx, account, res.ID, res.Session, &rec, decided, nil)
	}
	if refusal != nil {
		return nil, refusal
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Cancel cancels the pending session of ARN a: by its requester (an IAM principal, by ARN) or by
// an approver of its team (who non-nil). AccessDeniedException for anyone else,
// ConflictException when the session is no longer pending.
func (s *Service) Cancel(ctx context.Context, a string, callerARN string, who *Identity) error {
	res, ok := s.ParseARN(a)
	if !ok || res.Type != "session" {
		return notFound("Session %s was not found.", a)
	}
	account, key := res.Account, res.ID+"/"+res.Session
	now := s.cfg.Now().UTC()
	var rec sessionRecord
	var decided string
	var refusal error
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		refusal, decided = nil, ""
		r, ok, err := sessions.Get(tx, account, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Session %s was not found.", a)
		}
		t, err := s.getTeam(tx, account, res.ID)
		if err != nil {
			return err
		}
		byApprover := who != nil && approverOf(t.Approvers, *who) != nil
		if !byApprover && (callerARN == "" || callerARN != r.Requester.ARN) {
			return AccessDenied("Only the requester or an approver of approval team %s can cancel session %s.", r.TeamName, a)
		}
		if decided = r.settle(t, now); decided != "" {
			refusal = conflict("Session %s is %s (%s); it can no longer be cancelled.", a, r.Status, r.StatusCode)
		} else if r.Status != SessionPending {
			return conflict("Session %s is %s; it can no longer be cancelled.", a, r.Status)
		} else {
			r.Status, r.Completed, decided = SessionCancelled, now, EventSessionCancelled
			r.StatusMessage = "Cancelled by " + callerARN
			if byApprover {
				r.StatusMessage = "Cancelled by approver " + who.UserID
			}
			r.apply(t, now)
		}
		if err := teams.Put(tx, account, res.ID, t); err != nil {
			return err
		}
		rec = *r
		return sessions.Put(tx, account, key, r)
	})
	if err != nil {
		return err
	}
	s.announce(ctx, account, res.ID, res.Session, &rec, decided, who)
	return refusal
}

// Sweep marks every pending session past its window expired, recording and announcing each; serve
// runs it periodically (sessions are also expired when they are next voted on or checked).
func (s *Service) Sweep(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	return scanAll(ctx, s.cfg.Store, sessions, func(o store.Object, r *sessionRecord) error {
		if r.Status != SessionPending || now.Before(r.Expires) {
			return nil
		}
		return s.expire(ctx, o.Account, o.Key)
	})
}

func (s *Service) expire(ctx context.Context, account, key string) error {
	team, id, _ := strings.Cut(key, "/")
	now := s.cfg.Now().UTC()
	var rec sessionRecord
	var decided string
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := sessions.Get(tx, account, key)
		if err != nil || !ok {
			return err
		}
		t, ok, err := teams.Get(tx, account, team)
		if err != nil || !ok {
			return err
		}
		if decided = r.settle(t, now); decided == "" {
			return nil
		}
		if err := teams.Put(tx, account, team, t); err != nil {
			return err
		}
		rec = *r
		return sessions.Put(tx, account, key, r)
	})
	if err == nil && decided != "" {
		s.announce(ctx, account, team, id, &rec, decided, nil)
	}
	return err
}

// Request is one call of a protected operation, as the gate sees it.
type Request struct {
	// Account is the account the operation acts in (the caller's).
	Account string
	// Operation is the protected operation (RootSignIn, CreateRootAccessKey, …).
	Operation string
	// Policy is the protected operation whose team decides, when it is not Operation: a change
	// Rootward protects under another operation's policy (a break-glass setting, a share's
	// re-wrap, both under RootSignIn's) and keeps apart from that operation's own requests.
	Policy string
	// RequesterIdentity is the Identity Center user who asks, when one does outside an account's
	// role session (a custodian in the access portal): as an approver, their own vote never counts.
	RequesterIdentity *Identity
	// Action is the API action ("iam:CreateAccessKey"), ActionName in the session.
	Action string
	// Params are the operation's parameters in a canonical encoding: a request with other params
	// needs another session.
	Params []byte
	// Summary is what approvers are shown of the parameters; it must hold nothing secret (the API
	// gate gives the request's parameters as CloudTrail records them).
	Summary   string
	Resource  string
	Requester Requester
}

// hash is the session's fingerprint of the request.
func (q *Request) hash() string {
	h := sha256.New()
	for _, s := range []string{q.Account, q.Operation, q.Action} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(q.Params)
	return hex.EncodeToString(h.Sum(nil))
}

// RequestedBy reports whether the IAM principal requesterARN is Identity Center user u's own
// session: a role session of a permission set (role AWSReservedSSO_…) named after the user, which
// is how an Identity Center user acts in an account.
func RequestedBy(u User, requesterARN string) bool {
	_, res, ok := strings.Cut(requesterARN, ":assumed-role/")
	if !ok {
		return false
	}
	role, session, ok := strings.Cut(res, "/")
	return ok && strings.HasPrefix(role, "AWSReservedSSO_") && u.UserName != "" && session == u.UserName
}

// requestSessions calls fn with each session of teamAccount's team teamID that the request index
// holds from "from" on (requestKey, followed or not by the parameters' hash), at most a page of
// 100, in index order, until fn says to stop. Check and the root sign-in's waiting read through it.
func requestSessions(tx store.Tx, teamAccount, teamID, from string, fn func(key string, r *sessionRecord) (stop bool, err error)) error {
	items, err := store.ReadPage(sessions.IndexRange(tx, "request", teamAccount, from), "", 100,
		func(it store.Item) (store.Item, bool, error) { return it, true, nil })
	if err != nil {
		return err
	}
	for _, it := range items.Items {
		key, r, ok, err := sessions.Resolve(tx, teamAccount, it)
		if err != nil {
			return err
		}
		if !ok || !strings.HasPrefix(key, teamID+"/") {
			continue
		}
		if stop, err := fn(key, r); err != nil || stop {
			return err
		}
	}
	return nil
}
