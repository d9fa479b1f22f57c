package mpa

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// Check decides a call of a protected operation. When no active team protects req.Operation in
// req.Account (a team of the account, or of its organization's management account), it returns
// nil. When a session of the same requester approved the same request (same parameters) and has
// not run yet, the call consumes it and Check returns nil: the operation runs once. Otherwise it
// returns AccessDeniedException (HTTP 403) naming the session the request is waiting for —
// opened now unless one is pending already — and its expiry. A pending or approved session of
// the same requester and operation with other parameters is void (FAILED, CONFIGURATION_CHANGED).
func (s *Service) Check(ctx context.Context, req Request) error {
	_, err := s.check(ctx, req)
	return err
}

// check is Check, also returning the ARN of the session it decided by: the one the request waits
// for (with the refusal), or the approved one it consumed; "" when nothing protects the operation.
func (s *Service) check(ctx context.Context, req Request) (string, error) {
	now := s.cfg.Now().UTC()
	policy := req.Operation
	if req.Policy != "" {
		policy = req.Policy
	}
	teamAccount, teamID, t, err := s.protecting(ctx, req.Account, policy, now)
	if err != nil || t == nil {
		return "", err
	}
	hash := req.hash()
	requesterApprover, err := s.requesterApprover(ctx, teamAccount, t, req.Requester.ARN)
	if err != nil {
		return "", err
	}
	if req.RequesterIdentity != nil {
		if a := approverOf(t.Approvers, *req.RequesterIdentity); a != nil {
			requesterApprover = a.ID
		}
	}
	type event struct {
		id   string
		rec  sessionRecord
		name string
	}
	var events []event
	var waiting *sessionRecord
	var waitingID, executedID string
	allowed := false
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		events, waiting, waitingID, executedID, allowed = nil, nil, "", "", false
		t, ok, err := teams.Get(tx, teamAccount, teamID)
		if err != nil {
			return err
		}
		if !ok || !t.protects(now) {
			allowed = true // deleted meanwhile: nothing protects the operation any more
			return nil
		}
		err = requestSessions(tx, teamAccount, teamID, requestKey(req.Requester.ARN, req.Operation), func(key string, r *sessionRecord) (bool, error) {
			id := strings.TrimPrefix(key, teamID+"/")
			changed := ""
			switch {
			case r.Status == SessionPending && !now.Before(r.Expires):
				changed = r.settle(t, now)
			case r.ParamHash != hash && (r.Status == SessionPending || r.Status == SessionApproved && r.Execution == ExecPending):
				r.Status, r.StatusCode, r.Completed = SessionFailed, CodeConfigurationChanged, now
				r.StatusMessage = "The operation was requested again with other parameters; this session is void."
				changed = EventSessionVoided
			case r.ParamHash != hash:
			case r.Status == SessionApproved && r.Execution == ExecPending && !allowed:
				approvals, _, _ := r.tally(t)
				switch {
				case !now.Before(r.Expires):
					r.Execution, r.StatusMessage = ExecFailed, "The approved operation was not run within the session's window."
					changed = EventSessionExpired
				case approvals < t.MinApprovals:
					// Approvers removed since (or a raised M): their approvals no longer count.
					r.Status, r.StatusCode, r.StatusMessage = SessionFailed, CodeConfigurationChanged, "The approval team changed; the approvals no longer suffice."
					changed = EventSessionVoided
				default:
					r.Execution, r.Executed, allowed, changed = ExecExecuted, now, true, EventSessionExecuted
					executedID = id
				}
			case r.Status == SessionPending && waiting == nil:
				if changed = r.settle(t, now); changed == "" {
					cp := *r
					waiting, waitingID = &cp, id
				}
			}
			if changed != "" {
				if err := sessions.Put(tx, teamAccount, key, r); err != nil {
					return false, err
				}
				events = append(events, event{id, *r, changed})
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		if allowed || waiting != nil {
			return nil
		}
		waitingID = newID()
		waiting = s.newSession(teamAccount, teamID, t, KindOperation, req.Action, req.Requester, now)
		waiting.Operation, waiting.ParamHash, waiting.RequesterApprover = req.Operation, hash, requesterApprover
		waiting.Summary = req.Summary
		if req.Resource != "" {
			waiting.ProtectedResource = req.Resource
		}
		events = append(events, event{waitingID, *waiting, EventSessionStarted})
		return sessions.Insert(tx, teamAccount, teamID+"/"+waitingID, waiting)
	})
	if err != nil {
		return "", err
	}
	for _, e := range events {
		s.announce(ctx, teamAccount, teamID, e.id, &e.rec, e.name, nil)
	}
	if allowed {
		if executedID == "" {
			return "", nil
		}
		return s.sessionARN(teamAccount, teamID, executedID), nil
	}
	approvals, _, _ := waiting.tally(t)
	return s.sessionARN(teamAccount, teamID, waitingID), AccessDenied("%s requires multi-party approval: approval session %s of approval team %s is %s (%d of %d approvals) and expires at %s. Repeat the request with the same parameters once the session is APPROVED.",
		req.Action, s.sessionARN(teamAccount, teamID, waitingID), t.Name, waiting.Status, approvals, t.MinApprovals,
		waiting.Expires.UTC().Format(time.RFC3339))
}

// protecting finds the active team that protects operation in account: the account's own first,
// then its organization's management account's (the first by ID in each).
func (s *Service) protecting(ctx context.Context, account, operation string, now time.Time) (string, string, *teamRecord, error) {
	accounts := []string{account}
	if s.cfg.Orgs != nil {
		o, err := s.cfg.Orgs.OrganizationOf(ctx, account)
		if err != nil {
			return "", "", nil, err
		}
		if o != nil && o.MasterAccountID != account {
			accounts = append(accounts, o.MasterAccountID)
		}
	}
	var teamAccount, teamID string
	var found *teamRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		for _, a := range accounts {
			p, err := store.ReadPage(teams.IndexRange(tx, "protects", a, operation+"\x00"), "", 20, func(it store.Item) (store.Item, bool, error) {
				return it, true, nil
			})
			if err != nil {
				return err
			}
			for _, it := range p.Items {
				key, r, ok, err := teams.Resolve(tx, a, it)
				if err != nil {
					return err
				}
				if ok && r.protects(now) {
					teamAccount, teamID, found = a, key, r
					return nil
				}
			}
		}
		return nil
	})
	return teamAccount, teamID, found, err
}

// requesterApprover is the team's approver who is the requester (RequestedBy), "" for none.
func (s *Service) requesterApprover(ctx context.Context, account string, t *teamRecord, requesterARN string) (string, error) {
	if !strings.Contains(requesterARN, ":assumed-role/AWSReservedSSO_") {
		return "", nil
	}
	for _, a := range t.Approvers {
		var inst string
		err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
			inst, err = s.sourceInstance(tx, account, a.SourceARN)
			return err
		})
		if err != nil {
			continue // a source removed: its approvers are nobody
		}
		u, err := s.user(ctx, inst, a.IdentityID)
		if err == nil && RequestedBy(u, requesterARN) {
			return a.ID, nil
		}
	}
	return "", nil
}

// Events of the sessions in CloudTrail (source mpa.amazonaws.com, AwsServiceEvent). AWS documents
// no service events of Multi-party approval's sessions; the names are Rootward's.
const (
	EventSessionStarted   = "ApprovalSessionStarted"
	EventVote             = "ApprovalSessionVote"
	EventSessionApproved  = "ApprovalSessionApproved"
	EventSessionRejected  = "ApprovalSessionRejected"
	EventSessionExpired   = "ApprovalSessionExpired"
	EventSessionCancelled = "ApprovalSessionCancelled"
	EventSessionVoided    = "ApprovalSessionVoided"
	EventSessionExecuted  = "ApprovalSessionExecuted"
)

// EventSource is the trail's event source of Multi-party approval.
const EventSource = "mpa.amazonaws.com"

// announce records a session's event in the trail and tells the team's approvers. Neither can undo
// what was stored; a failure is logged.
func (s *Service) announce(ctx context.Context, account, teamID, sessionID string, r *sessionRecord, name string, voter *Identity) {
	if name == "" {
		return
	}
	sessionARN := s.sessionARN(account, teamID, sessionID)
	data := map[string]any{
		"sessionArn": sessionARN, "approvalTeamArn": s.teamARN(account, teamID), "actionName": r.ActionName,
		"status": r.Status, "requesterPrincipalArn": r.Requester.ARN, "expirationTime": r.Expires.UTC().Format(time.RFC3339),
	}
	if r.StatusCode != "" {
		data["statusCode"] = r.StatusCode
	}
	if r.Operation != "" {
		data["protectedOperation"] = r.Operation
	}
	ident := trail.UserIdentity{Type: "AWSService", InvokedBy: EventSource}
	if voter != nil {
		ident = trail.UserIdentity{Type: "IdentityCenterUser", PrincipalID: voter.UserID}
		data["identitySourceArn"] = voter.SourceARN
		for _, v := range r.Votes {
			if v.IdentityID == voter.UserID && v.SourceARN == voter.SourceARN {
				data["response"] = v.Response
			}
		}
	}
	if s.cfg.Trail != nil {
		err := s.cfg.Trail.Record(&trail.Event{
			EventTime: s.cfg.Now().UTC(), UserIdentity: ident, EventSource: EventSource, EventName: name,
			AWSRegion: s.cfg.Region, EventType: trail.AwsServiceEvent, RecipientAccountID: account,
			AdditionalEventData: data,
		})
		if err != nil {
			s.cfg.Log.Error("mpa: recording a session event", "session", sessionARN, "event", name, "err", err)
		}
	}
	subject := fmt.Sprintf("Approval session %s: %s", sessionARN, strings.TrimPrefix(name, "ApprovalSession"))
	body := fmt.Sprintf("Approval team: %s\nSession: %s\nAction: %s\nRequested by: %s\nStatus: %s %s\nExpires: %s\n",
		r.TeamName, sessionARN, r.ActionName, r.Requester.ARN, r.Status, r.StatusCode, r.Expires.UTC().Format(time.RFC3339))
	if response, ok := data["response"].(string); ok {
		subject += " (" + response + ")"
		body += "Response: " + response + " by Identity Center user " + voter.UserID + "\n"
	}
	if r.Requester.Comment != "" {
		body += "Reason: " + r.Requester.Comment + "\n"
	}
	if s.cfg.PortalURL != "" {
		body += "\nRespond in the approval portal: " + s.cfg.PortalURL + "\n"
	}
	s.tellTeam(ctx, account, teamID, subject, body)
	if r.Operation == RootSignIn {
		// A root sign-in's approval is a step of the root sign-in: the root email hears of it too.
		s.tellContacts(ctx, r.Requester.Account, subject, body, "mpa-root-sign-in")
	}
}

// inviteAll tells newly named approvers of their invitation to the team.
func (s *Service) inviteAll(ctx context.Context, account, teamID, name string, list []approverRecord) {
	body := fmt.Sprintf("You were named an approver of approval team %s (%s).\n", name, s.teamARN(account, teamID))
	if s.cfg.PortalURL != "" {
		body += "Accept or decline in the approval portal: " + s.cfg.PortalURL + "\n"
	}
	s.tell(ctx, account, list, "Invitation to approval team "+name, body)
}

func (s *Service) tellTeam(ctx context.Context, account, teamID, subject, body string) {
	var list []approverRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		t, ok, err := teams.Get(tx, account, teamID)
		if ok {
			list = t.Approvers
		}
		return err
	})
	if err != nil {
		s.cfg.Log.Error("mpa: reading the team to notify", "team", teamID, "err", err)
		return
	}
	s.tell(ctx, account, list, subject, body)
}

func (s *Service) tell(ctx context.Context, account string, list []approverRecord, subject, body string) {
	if s.cfg.Notifier == nil || s.cfg.Directory == nil {
		return
	}
	for _, a := range list {
		var inst string
		err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
			inst, err = s.sourceInstance(tx, account, a.SourceARN)
			return err
		})
		if err != nil {
			continue
		}
		u, ok, err := s.cfg.Directory.User(ctx, inst, a.IdentityID)
		if err != nil || !ok || u.Email == "" {
			continue
		}
		m := notify.Message{Channel: notify.Email, To: u.Email, Subject: subject, Body: body, Account: account, Purpose: "mpa-approval"}
		if err := s.cfg.Notifier.Send(ctx, m); err != nil {
			s.cfg.Log.Error("mpa: notifying an approver", "approver", a.ID, "err", err)
		}
	}
}

// consoleActions are the IAM actions of the protected operations the console performs outside
// the API runner (internal/rootuser), as sessions show them.
var consoleActions = map[string]string{
	CreateRootAccessKey:          "iam:CreateAccessKey",
	UploadRootSigningCertificate: "iam:UploadSigningCertificate",
	RootSignIn:                   "signin:ConsoleLogin",
}

// RootApproval is Check for the root user's console operations (rootuser.WithApproval): the
// refusal is IAM's AccessDenied, HTTP 403, naming the session.
func (s *Service) RootApproval(ctx context.Context, account, operation, requesterARN string, params []byte) error {
	action, ok := consoleActions[operation]
	if !ok {
		return fmt.Errorf("mpa: %s is not a protected console operation", operation)
	}
	err := s.Check(ctx, Request{Account: account, Operation: operation, Action: action, Params: params,
		Requester: Requester{Account: account, ARN: requesterARN, Region: s.cfg.Region}})
	if e, ok := awserr.As(err); ok && e.Code == awserr.MPAAccessDenied {
		return &awserr.Error{Code: awserr.AccessDenied, Message: e.Message, Status: e.Status}
	}
	return err
}
