package signin

import (
	"context"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// Multi-party approval of the root user's console sign-in (issue 16). When an approval team
// protects RootSignIn for the account, a root sign-in whose password (or password shares) and MFA
// were right does not end signed in: it opens an approval session for this attempt alone (a random
// attempt ID is the session's parameter, so an approval is good for the browser that asked and
// for nothing else) and waits at StepApproval. ContinueApproval reads the session: approved, the
// session is consumed — once — and the sign-in completes; rejected, expired or cancelled, the
// sign-in ends. Instead of waiting, the person may start a break-glass emergency sign-in, which
// waits its cooling-off period; the browser keeps the break-glass's claim and, once it is ready,
// a later sign-in at the approval step uses it (UseBreakGlass).
//
// A split-custody sign-in (BeginRootCustodySignIn) replaces the password and MFA steps: the
// custodians' shares recombined the password and a member of the MFA group answered the MFA
// step, each from their own session, and the browser that started it redeems the attempt.

// StepApproval: the root sign-in waits for the approval session Pending.Approval
// (ContinueApproval), or the person starts or uses a break-glass sign-in.
const StepApproval Step = "approval"

// Approval is an approval session as the waiting sign-in shows it.
type Approval struct {
	SessionARN string
	TeamName   string
	// Status is the session's: PENDING, APPROVED, FAILED (StatusCode REJECTED, EXPIRED or
	// CONFIGURATION_CHANGED) or CANCELLED.
	Status     string
	StatusCode string
	Approvals  int
	Needed     int
	Expires    time.Time
}

// Session statuses an Approval reports (Multi-party approval's).
const (
	ApprovalPending  = "PENDING"
	ApprovalApproved = "APPROVED"
)

// BreakGlass is an emergency root sign-in as its starter's browser sees it. Claim is the secret
// the browser keeps (in a cookie) to use it once it is ready.
type BreakGlass struct {
	ID     string
	Claim  string
	Status string
	Ready  time.Time
}

// Break-glass statuses (Multi-party approval's).
const (
	GlassWaiting = "WAITING"
	GlassReady   = "READY"
)

// Approvals is what the root sign-in needs of Multi-party approval (internal/mpa implements it).
// Refusals are *awserr.Error values whose messages may be shown.
type Approvals interface {
	// ApproveRootSignIn asks for approval of root sign-in attempt of account. It returns nil when
	// the sign-in may complete: nothing protects root sign-in, or the attempt's session was
	// approved and is consumed now (it never lets the attempt through twice). Otherwise the
	// session the attempt waits for, opened now unless it is open.
	ApproveRootSignIn(ctx context.Context, account, attempt string) (*Approval, error)
	// RootSignInApproval reads a root sign-in session of account without changing it.
	RootSignInApproval(ctx context.Context, account, sessionARN string) (*Approval, error)
	// StartBreakGlassSignIn starts an emergency root sign-in of account.
	StartBreakGlassSignIn(ctx context.Context, account, reason string) (*BreakGlass, error)
	// BreakGlassSignIn returns the state of account's emergency sign-in claim names.
	BreakGlassSignIn(ctx context.Context, account, claim string) (*BreakGlass, error)
	// UseBreakGlassSignIn spends account's ready emergency sign-in claim names, once.
	UseBreakGlassSignIn(ctx context.Context, account, claim string) (id string, err error)
	// RedeemCustodySignIn spends a split-custody sign-in attempt whose shares recombined the root
	// password and whose MFA step a member of the MFA group answered: the account and the serial
	// of the device answered.
	RedeemCustodySignIn(ctx context.Context, token string) (account, serial string, err error)
}

var errNoApprovals = awserr.New(awserr.AccessDenied, "Multi-party approval is not configured.")

// rootDone completes a root sign-in whose credentials and MFA were right: signed in, or waiting for
// approval when an approval team protects the root sign-in. evidence goes into the records.
func (s *Service) rootDone(ctx context.Context, account string, mfa bool, serial string, c Client, bind deviceBinding, evidence map[string]any) (*Pending, error) {
	if s.approvals == nil {
		return s.signedIn(ctx, account, "", mfa, serial, c, bind, evidence)
	}
	attempt := randomToken()
	a, err := s.approvals.ApproveRootSignIn(ctx, account, attempt)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return s.signedIn(ctx, account, "", mfa, serial, c, bind, evidence)
	}
	return s.waitForApproval(ctx, pendingRecord{Account: account, MFAUsed: mfa, MFASerial: serial, Evidence: evidence, deviceBinding: bind, Attempt: attempt}, a, c)
}

// waitForApproval records the wait and stores the pending sign-in at StepApproval; it lives as long
// as the session can be approved.
func (s *Service) waitForApproval(ctx context.Context, rec pendingRecord, a *Approval, c Client) (*Pending, error) {
	if err := s.approvalEvent(ctx, rec.Account, c, "Pending", a.SessionARN); err != nil {
		return nil, err
	}
	rec.Step, rec.Approval, rec.ExpiresAt = StepApproval, a.SessionARN, a.Expires
	p, err := s.newPending(ctx, rec, nil)
	if err != nil {
		return nil, err
	}
	p.Approval = a
	return p, nil
}

// ContinueApproval looks at the session a sign-in at StepApproval waits for. Still pending: the
// same pending sign-in with the session's state (the token is not spent). Approved: the session
// is consumed and the sign-in completes. Rejected, expired or cancelled: the sign-in ends with
// AccessDenied saying so. Returns ExpiredToken for an unknown or spent token.
func (s *Service) ContinueApproval(ctx context.Context, token string, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepApproval)
	if err != nil {
		return nil, err
	}
	if s.approvals == nil {
		return nil, errNoApprovals
	}
	a, err := s.approvals.RootSignInApproval(ctx, rec.Account, rec.Approval)
	if err != nil {
		return nil, err
	}
	switch a.Status {
	case ApprovalPending:
		return s.approvalPending(token, rec, a), nil
	case ApprovalApproved:
		if err := s.consume(ctx, token); err != nil {
			return nil, err
		}
		next, err := s.approvals.ApproveRootSignIn(ctx, rec.Account, rec.Attempt)
		if err != nil {
			return nil, err
		}
		if next != nil {
			// The approval was void by the time it was used (the team changed): wait again.
			return s.waitForApproval(ctx, *rec, next, c)
		}
		if err := s.approvalEvent(ctx, rec.Account, c, "Approved", rec.Approval); err != nil {
			return nil, err
		}
		return s.signedIn(ctx, rec.Account, "", rec.MFAUsed, rec.MFASerial, c, rec.deviceBinding, withEvidence(rec.Evidence, "ApprovalSession", rec.Approval))
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	if err := s.approvalRefused(ctx, rec, c, nil); err != nil {
		return nil, err
	}
	why := a.Status
	if a.StatusCode != "" {
		why += " (" + a.StatusCode + ")"
	}
	return nil, awserr.New(awserr.AccessDenied, "The root sign-in was not approved: approval session %s is %s. Sign in again to ask for a new approval.", a.SessionARN, why)
}

func (s *Service) approvalPending(token string, rec *pendingRecord, a *Approval) *Pending {
	return &Pending{Token: token, Next: StepApproval, ExpiresAt: rec.ExpiresAt, Kind: KindRoot, Account: rec.Account, Approval: a}
}

// StartBreakGlass starts an emergency root sign-in from a sign-in waiting for approval: the
// pending sign-in ends, and the browser keeps the returned claim to use once the cooling-off
// period is over. Only a browser whose password (or shares) and MFA were right gets here, so the
// answers tell nobody else anything; but every start messages the approvers and the contacts, so
// starts are limited like recovery messages: glassScopes. Returns ExpiredToken, Throttling, and
// Multi-party approval's refusals (a reason missing, one already started).
func (s *Service) StartBreakGlass(ctx context.Context, token, reason string, c Client) (*BreakGlass, error) {
	rec, err := s.loadPending(ctx, token, StepApproval)
	if err != nil {
		return nil, err
	}
	if s.approvals == nil {
		return nil, errNoApprovals
	}
	scopes := s.glassScopes(rec.Account, c)
	if err := s.reserve(ctx, scopes...); err != nil {
		if wait, ok := throttle.RetryAfter(err); ok {
			e := throttle.Refused(wait)
			e.Message = "Too many emergency sign-ins of this account were started. " + e.Message[strings.Index(e.Message, "Try again"):]
			return nil, e
		}
		return nil, err
	}
	b, err := s.approvals.StartBreakGlassSignIn(ctx, rec.Account, reason)
	if err != nil {
		// A refused start told nobody: it does not count.
		if rerr := s.counters.Refund(ctx, scopes...); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	return b, nil
}

// glassScopes are the counters an emergency sign-in's start reserves: the account's, which allows
// as many starts an hour as recovery messages (throttle.Limits.MessagesPerHour), and the source
// address's own "breakglass" counter.
func (s *Service) glassScopes(account string, c Client) []scope {
	l := s.counters.Limits()
	out := []scope{l.Messages("breakglass:" + account)}
	if ip, ok := l.Address("breakglass", c.SourceIP); ok {
		out = append(out, ip)
	}
	return out
}

// BreakGlassState returns the emergency sign-in a claim names, for the sign-in at StepApproval of
// token; nil when the claim is not the account's.
func (s *Service) BreakGlassState(ctx context.Context, token, claim string) (*BreakGlass, error) {
	rec, err := s.loadPending(ctx, token, StepApproval)
	if err != nil || s.approvals == nil || claim == "" {
		return nil, err
	}
	b, err := s.approvals.BreakGlassSignIn(ctx, rec.Account, claim)
	if _, refused := awserr.As(err); refused {
		return nil, nil
	}
	return b, err
}

// UseBreakGlass completes a sign-in at StepApproval with the ready emergency sign-in claim names,
// instead of the approval. Returns ExpiredToken, AccessDenied (not ready, not this account's,
// used or cancelled).
func (s *Service) UseBreakGlass(ctx context.Context, token, claim string, c Client) (*Pending, error) {
	rec, err := s.loadPending(ctx, token, StepApproval)
	if err != nil {
		return nil, err
	}
	if s.approvals == nil {
		return nil, errNoApprovals
	}
	if err := s.consume(ctx, token); err != nil {
		return nil, err
	}
	id, err := s.approvals.UseBreakGlassSignIn(ctx, rec.Account, claim)
	if err != nil {
		if rerr := s.approvalRefused(ctx, rec, c, map[string]any{"BreakGlass": "Refused"}); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	return s.signedIn(ctx, rec.Account, "", rec.MFAUsed, rec.MFASerial, c, rec.deviceBinding, withEvidence(rec.Evidence, "BreakGlassId", id))
}

// BeginRootCustodySignIn continues a split-custody sign-in in the browser that started it (token
// is its secret): once k custodians' shares recombined the root password and a member of the MFA
// group answered the MFA step, the attempt is spent and the sign-in completes, or waits for
// approval. Returns Multi-party approval's refusals while it is not ready.
func (s *Service) BeginRootCustodySignIn(ctx context.Context, token string, c Client) (*Pending, error) {
	if s.approvals == nil {
		return nil, errNoApprovals
	}
	account, serial, err := s.approvals.RedeemCustodySignIn(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := s.iam.RecordPasswordUse(ctx, account, "", s.Now()); err != nil {
		return nil, err
	}
	return s.rootDone(ctx, account, true, serial, c, deviceBinding{}, map[string]any{"PasswordCustody": "Yes"})
}

// approvalEvent records a step of a root sign-in's approval: CheckApproval (signin.amazonaws.com,
// AwsConsoleSignIn), responseElements.CheckApproval Pending, Approved or Refused, and
// additionalEventData.ApprovalSession. AWS has no such event (its root sign-in knows no approval);
// the name and shape are Rootward's, modelled on CheckMfa.
func (s *Service) approvalEvent(_ context.Context, account string, c Client, result, session string) error {
	id := rootuser.RootIdentity(account)
	return s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceSignin, EventName: "CheckApproval", EventType: trail.AwsConsoleSignIn,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: account,
		ResponseElements: map[string]any{"CheckApproval": result}, AdditionalEventData: map[string]any{"ApprovalSession": session},
	})
}

// approvalRefused records a root sign-in that approval refused: CheckApproval Refused, and the
// ConsoleLogin Failure naming the session.
func (s *Service) approvalRefused(ctx context.Context, rec *pendingRecord, c Client, evidence map[string]any) error {
	if err := s.approvalEvent(ctx, rec.Account, c, "Refused", rec.Approval); err != nil {
		return err
	}
	return s.signInEvent(rootuser.RootIdentity(rec.Account), c, false, rec.MFAUsed, "", withEvidence(evidence, "ApprovalSession", rec.Approval))
}

// withEvidence is evidence with one more entry, in a new map.
func withEvidence(evidence map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(evidence)+1)
	for key, val := range evidence {
		out[key] = val
	}
	out[k] = v
	return out
}
