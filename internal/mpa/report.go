package mpa

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The custody report (issue 16 item 5): who requested each protected root operation, who approved
// it, and when root was then used and for what; emergency root sign-ins beside them. The console's
// report page and `rootward custody report --json` print it; docs/custody-report.md documents the
// JSON.

// Report is the custody report of one account (its own operations), of an organization (from its
// management account: every account's), or of the whole installation.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Scope is "account", "organization" or "installation"; Account the account asked about
	// ("" for the installation).
	Scope      string             `json:"scope"`
	Account    string             `json:"account,omitempty"`
	Sessions   []ReportSession    `json:"sessions"`
	BreakGlass []ReportBreakGlass `json:"break_glass"`
}

// ReportSession is one request of a protected operation and what became of it.
type ReportSession struct {
	// Account is the account the operation acts in (the requester's).
	Account     string    `json:"account"`
	Operation   string    `json:"operation"`
	Action      string    `json:"action"`
	SessionARN  string    `json:"session_arn"`
	TeamARN     string    `json:"approval_team_arn"`
	TeamName    string    `json:"approval_team_name"`
	Requester   string    `json:"requester_arn"`
	Reason      string    `json:"reason,omitempty"`
	Parameters  string    `json:"parameters,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	// Status is PENDING, APPROVED, CANCELLED or FAILED, StatusCode REJECTED, EXPIRED or
	// CONFIGURATION_CHANGED for a FAILED one.
	Status     string     `json:"status"`
	StatusCode string     `json:"status_code,omitempty"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	// Votes are the approvers' responses, in the order given.
	Votes []ReportVote `json:"votes"`
	// Execution is PENDING, EXECUTED or FAILED; ExecutedAt is when the approved operation ran: when
	// root was used.
	Execution  string     `json:"execution"`
	ExecutedAt *time.Time `json:"executed_at,omitempty"`
}

// ReportVote is one approver's response.
type ReportVote struct {
	IdentitySourceARN string    `json:"identity_source_arn"`
	UserID            string    `json:"user_id"`
	UserName          string    `json:"user_name,omitempty"`
	Response          string    `json:"response"`
	Time              time.Time `json:"time"`
}

// ReportBreakGlass is one emergency root sign-in.
type ReportBreakGlass struct {
	Account   string     `json:"account"`
	ID        string     `json:"id"`
	Requester string     `json:"requester_arn"`
	Reason    string     `json:"reason"`
	StartedAt time.Time  `json:"started_at"`
	ReadyAt   time.Time  `json:"ready_at"`
	Status    string     `json:"status"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	EndedBy   string     `json:"ended_by,omitempty"`
}

// ReportOf returns the custody report account may see: an organization's management account sees
// every account of its organization, another account its own; account "" is the whole
// installation (the CLI's). Sessions come newest first. It reads every session and emergency
// sign-in stored (they have no index by requester account), which suits a report, not a request
// path.
func (s *Service) ReportOf(ctx context.Context, account string) (*Report, error) {
	now := s.cfg.Now().UTC()
	rep := &Report{GeneratedAt: now, Scope: "installation", Account: account, Sessions: []ReportSession{}, BreakGlass: []ReportBreakGlass{}}
	// in reports whether an account's operations belong in the report.
	in := func(string) (bool, error) { return true, nil }
	if account != "" {
		rep.Scope = "account"
		org := ""
		if s.cfg.Orgs != nil {
			o, err := s.cfg.Orgs.OrganizationOf(ctx, account)
			if err != nil {
				return nil, err
			}
			if o != nil && o.MasterAccountID == account {
				rep.Scope, org = "organization", o.ID
			}
		}
		member := map[string]bool{}
		in = func(a string) (bool, error) {
			if a == account {
				return true, nil
			}
			if org == "" {
				return false, nil
			}
			if ok, seen := member[a]; seen {
				return ok, nil
			}
			o, err := s.cfg.Orgs.OrganizationOf(ctx, a)
			if err != nil {
				return false, err
			}
			member[a] = o != nil && o.ID == org
			return member[a], nil
		}
	}
	names := map[[2]string]string{}
	err := scanAll(ctx, s.cfg.Store, sessions, func(o store.Object, r *sessionRecord) error {
		if r.Kind != KindOperation {
			return nil
		}
		acting := r.Requester.Account
		if acting == "" {
			acting = o.Account
		}
		if ok, err := in(acting); err != nil || !ok {
			return err
		}
		rep.Sessions = append(rep.Sessions, s.reportSession(ctx, o, r, acting, now, names))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanAll(ctx, s.cfg.Store, glasses, func(o store.Object, r *glassRecord) error {
		if ok, err := in(o.Account); err != nil || !ok {
			return err
		}
		b := glassOf(o.Key, r, now)
		e := ReportBreakGlass{Account: o.Account, ID: b.ID, Requester: b.Requester.ARN, Reason: b.Reason, StartedAt: b.Started,
			ReadyAt: b.Ready, Status: b.Status, EndedBy: b.EndedBy}
		if !b.Ended.IsZero() {
			e.EndedAt = &b.Ended
		}
		rep.BreakGlass = append(rep.BreakGlass, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rep.Sessions, func(a, b ReportSession) int { return b.RequestedAt.Compare(a.RequestedAt) })
	slices.SortFunc(rep.BreakGlass, func(a, b ReportBreakGlass) int { return b.StartedAt.Compare(a.StartedAt) })
	return rep, nil
}

func (s *Service) reportSession(ctx context.Context, o store.Object, r *sessionRecord, acting string, now time.Time, names map[[2]string]string) ReportSession {
	sess := s.session(o.Account, o.Key, r, nil, now)
	e := ReportSession{Account: acting, Operation: sess.Operation, Action: sess.ActionName, SessionARN: sess.ARN,
		TeamARN: sess.TeamARN, TeamName: sess.TeamName, Requester: sess.Requester.ARN, Reason: sess.Requester.Comment,
		Parameters: sess.Summary, RequestedAt: sess.Initiated, ExpiresAt: sess.Expires, Status: sess.Status,
		StatusCode: sess.StatusCode, Execution: sess.Execution, Votes: []ReportVote{}}
	if !sess.Completed.IsZero() {
		e.DecidedAt = &sess.Completed
	}
	if !r.Executed.IsZero() {
		at := r.Executed
		e.ExecutedAt = &at
	}
	for _, v := range sess.Votes {
		e.Votes = append(e.Votes, ReportVote{IdentitySourceARN: v.SourceARN, UserID: v.IdentityID,
			UserName: s.userName(ctx, o.Account, v.SourceARN, v.IdentityID, names), Response: v.Response, Time: v.Time})
	}
	return e
}

// userName is the Identity Center user name of an approver, "" when it cannot be read (the
// source or the user deleted since).
func (s *Service) userName(ctx context.Context, account, source, id string, names map[[2]string]string) string {
	k := [2]string{source, id}
	if n, ok := names[k]; ok {
		return n
	}
	var inst string
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		inst, err = s.sourceInstance(tx, account, source)
		return err
	})
	if err == nil {
		if u, err := s.user(ctx, inst, id); err == nil {
			names[k] = u.UserName
		}
	}
	return names[k]
}

// scanAll calls fn with every record of kind k, in batches read in transactions of their own.
func scanAll[R any](ctx context.Context, st store.Store, k *store.Kind[R], fn func(store.Object, *R) error) error {
	var after *store.Object
	for {
		var objs []store.Object
		err := st.View(ctx, func(tx store.Tx) (err error) {
			objs, err = tx.Scan(k.Name, after, 256)
			return err
		})
		if err != nil {
			return err
		}
		for _, o := range objs {
			r, err := k.Decode(o.Body)
			if err != nil {
				return err
			}
			if err := fn(o, r); err != nil {
				return err
			}
		}
		if len(objs) < 256 {
			return nil
		}
		after = &objs[len(objs)-1]
	}
}

// Voters are the session's votes as NAME=RESPONSE, comma-separated (the user ID when the name
// cannot be read): the CLI's table shows them.
func (e ReportSession) Voters() string {
	var who []string
	for _, v := range e.Votes {
		n := v.UserName
		if n == "" {
			n = v.UserID
		}
		who = append(who, n+"="+v.Response)
	}
	return strings.Join(who, ",")
}
