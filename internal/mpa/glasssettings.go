package mpa

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// An account's break-glass settings: its cooling-off period, which only an approved change sets
// (issue 16 item 4: "configurable only through an approved change"), and the cancel links of the
// emergency sign-ins' messages.

type glassSettings struct {
	CoolingOff time.Duration `json:"cooling_off"`
	Changed    time.Time     `json:"changed"`
	ChangedBy  string        `json:"changed_by"`
	Session    string        `json:"session,omitempty"`
	// Proposals are the changes asked for and not applied yet, one per requester (its latest), the
	// newest last: the session each waits for.
	Proposals []coolingOffProposal `json:"proposals,omitempty"`
}

// maxProposals bounds the proposals kept: the oldest requester's goes first.
const maxProposals = 20

// withProposal is list without requester's proposal, and with p when it is set.
func withProposal(list []coolingOffProposal, requester string, p *coolingOffProposal) []coolingOffProposal {
	out := make([]coolingOffProposal, 0, len(list)+1)
	for _, q := range list {
		if q.Requester != requester {
			out = append(out, q)
		}
	}
	if p != nil {
		out = append(out, *p)
	}
	if len(out) > maxProposals {
		out = out[len(out)-maxProposals:]
	}
	return out
}

type coolingOffProposal struct {
	CoolingOff time.Duration `json:"cooling_off"`
	Session    string        `json:"session"`
	Requester  string        `json:"requester"`
	Requested  time.Time     `json:"requested"`
}

var glassSetting = store.Define(store.Kind[glassSettings]{Name: "mpa.breakglass.settings", Version: 1})

const glassSettingsKey = "settings"

// Bounds of a cooling-off period: Rootward's choice (AWS has no break-glass). An hour at least, so
// that the messages can reach someone; thirty days at most.
const (
	MinCoolingOff = time.Hour
	MaxCoolingOff = 30 * 24 * time.Hour
)

// Where an account's cooling-off period comes from (CoolingOffSetting.Origin).
const (
	OriginApproved = "approved change"
	OriginConfig   = "server configuration"
	OriginDefault  = "default"
)

// CoolingOffOperation is the operation name of a change of the cooling-off period: its sessions
// are decided by the team protecting RootSignIn, apart from the root sign-in's own sessions.
const CoolingOffOperation = "UpdateBreakGlassCoolingOff"

// CoolingOffSetting is an account's emergency sign-in wait and how it was set.
type CoolingOffSetting struct {
	Period time.Duration
	Origin string
	// Changed, ChangedBy and Session say who changed it last, through which approved session
	// (OriginApproved only).
	Changed            time.Time
	ChangedBy, Session string
	// Proposals are the changes asked for and not applied yet, one per requester, newest first.
	Proposals []*CoolingOffProposal
}

// ProposalOf is requester's proposal, nil when none.
func (c *CoolingOffSetting) ProposalOf(requester string) *CoolingOffProposal {
	for _, p := range c.Proposals {
		if p.Requester == requester {
			return p
		}
	}
	return nil
}

// CoolingOffProposal is a change of the cooling-off period waiting for (or approved by) its
// session.
type CoolingOffProposal struct {
	Period    time.Duration
	Requester string
	Requested time.Time
	// Session is the approval session, nil once it is gone (its team deleted).
	Session *Session
}

// CoolingOff is account's emergency sign-in wait: the approved setting, else Config.CoolingOff,
// else DefaultCoolingOff.
func (s *Service) CoolingOff(ctx context.Context, account string) (time.Duration, error) {
	r, err := s.glassSettingsOf(ctx, account)
	if err != nil {
		return 0, err
	}
	return s.coolingOffOf(r).Period, nil
}

func (s *Service) glassSettingsOf(ctx context.Context, account string) (*glassSettings, error) {
	var r *glassSettings
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		r, _, err = glassSetting.Get(tx, account, glassSettingsKey)
		return err
	})
	return r, err
}

// coolingOffOf is the period of the settings r (nil: none stored) and where it comes from.
func (s *Service) coolingOffOf(r *glassSettings) *CoolingOffSetting {
	out := &CoolingOffSetting{Period: DefaultCoolingOff, Origin: OriginDefault}
	switch {
	case r != nil && r.CoolingOff > 0:
		out.Period, out.Origin, out.Changed, out.ChangedBy, out.Session = r.CoolingOff, OriginApproved, r.Changed, r.ChangedBy, r.Session
	case s.cfg.CoolingOff > 0:
		out.Period, out.Origin = s.cfg.CoolingOff, OriginConfig
	}
	return out
}

// CoolingOffSettingOf is account's emergency sign-in wait, where it comes from, and the changes
// asked for and not applied, with their sessions.
func (s *Service) CoolingOffSettingOf(ctx context.Context, account string) (*CoolingOffSetting, error) {
	r, err := s.glassSettingsOf(ctx, account)
	if err != nil {
		return nil, err
	}
	out := s.coolingOffOf(r)
	if r == nil {
		return out, nil
	}
	for i := len(r.Proposals) - 1; i >= 0; i-- {
		p := r.Proposals[i]
		q := &CoolingOffProposal{Period: p.CoolingOff, Requester: p.Requester, Requested: p.Requested}
		if res, ok := s.ParseARN(p.Session); ok {
			sess, err := s.SessionOf(ctx, res.Account, p.Session)
			if _, refused := awserr.As(err); err != nil && !refused {
				return nil, err
			}
			q.Session = sess
		}
		out.Proposals = append(out.Proposals, q)
	}
	return out, nil
}

// CoolingOffChange is the outcome of ChangeCoolingOff: the session it opened or used, and whether
// the change took effect.
type CoolingOffChange struct {
	Session          string
	Applied          bool
	Previous, Period time.Duration
}

// SetCoolingOff is ChangeCoolingOff without its outcome.
func (s *Service) SetCoolingOff(ctx context.Context, account string, d time.Duration, requester Requester) error {
	_, err := s.ChangeCoolingOff(ctx, account, d, requester)
	return err
}

// ChangeCoolingOff changes account's emergency sign-in wait to d. It is a change the team
// protecting RootSignIn must approve: the first request opens a session and is refused with
// AccessDeniedException naming it (the change returned names it too, not applied); the same
// request by the same requester after the session is approved takes effect, once, and is recorded
// (UpdateBreakGlassCoolingOff) and told to the team and the account's contacts. Another value
// voids the session and opens a new one. ValidationException for d out of bounds;
// ConflictException when no active team protects the root sign-in (nobody could approve the
// change).
func (s *Service) ChangeCoolingOff(ctx context.Context, account string, d time.Duration, requester Requester) (*CoolingOffChange, error) {
	if d < MinCoolingOff || d > MaxCoolingOff {
		return nil, validation("A cooling-off period is between %s and %s; %s is not.", FormatPeriod(MinCoolingOff), FormatPeriod(MaxCoolingOff), FormatPeriod(d))
	}
	noTeam := conflict("No active approval team protects the root sign-in of account %s: nobody could approve a change of its cooling-off period.", account)
	teamAccount, teamID, t, err := s.protecting(ctx, account, RootSignIn, s.cfg.Now().UTC())
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, noTeam
	}
	old, err := s.CoolingOff(ctx, account)
	if err != nil {
		return nil, err
	}
	change := &CoolingOffChange{Previous: old, Period: d}
	change.Session, err = s.check(ctx, Request{Account: account, Operation: CoolingOffOperation, Policy: RootSignIn, Action: "mpa:" + CoolingOffOperation,
		Params: []byte(strconv.FormatInt(int64(d/time.Second), 10)), Requester: requester,
		Summary: fmt.Sprintf("Break-glass cooling-off period of account %s: %s (now %s)", account, FormatPeriod(d), FormatPeriod(old))})
	if e, refused := awserr.As(err); refused && e.Code == awserr.MPAAccessDenied && change.Session != "" {
		p := &coolingOffProposal{CoolingOff: d, Session: change.Session, Requester: requester.ARN, Requested: s.cfg.Now().UTC()}
		if err := s.updateGlassSettings(ctx, account, func(r *glassSettings) { r.Proposals = withProposal(r.Proposals, requester.ARN, p) }); err != nil {
			return nil, err
		}
		return change, err
	}
	if err != nil {
		return nil, err
	}
	if change.Session == "" {
		return nil, noTeam // the team went away meanwhile: nothing approved the change
	}
	now := s.cfg.Now().UTC()
	err = s.updateGlassSettings(ctx, account, func(r *glassSettings) {
		change.Previous = s.coolingOffOf(r).Period // as it is in the transaction that changes it
		r.CoolingOff, r.Changed, r.ChangedBy, r.Session = d, now, requester.ARN, change.Session
		r.Proposals = withProposal(r.Proposals, requester.ARN, nil)
	})
	if err != nil {
		return nil, err
	}
	change.Applied = true
	s.coolingOffChanged(ctx, account, teamAccount, teamID, requester, change)
	return change, nil
}

func (s *Service) updateGlassSettings(ctx context.Context, account string, fn func(*glassSettings)) error {
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := glassSetting.Get(tx, account, glassSettingsKey)
		if err != nil {
			return err
		}
		if !ok {
			r = &glassSettings{}
		}
		fn(r)
		return glassSetting.Put(tx, account, glassSettingsKey, r)
	})
}

// coolingOffChanged records an applied change of the cooling-off period (who, the previous and new
// periods, the session that approved it) and tells the team that approved it and the account's
// contacts (the root email and the security contact). The event is Rootward's: AWS has no
// break-glass.
func (s *Service) coolingOffChanged(ctx context.Context, account, teamAccount, teamID string, requester Requester, c *CoolingOffChange) {
	if s.cfg.Trail != nil {
		err := s.cfg.Trail.Record(&trail.Event{
			EventTime: s.cfg.Now().UTC(), UserIdentity: requesterIdentity(requester), EventSource: EventSource, EventName: CoolingOffOperation,
			AWSRegion: s.cfg.Region, EventType: trail.AwsServiceEvent, RecipientAccountID: account,
			RequestParameters: map[string]any{"coolingOffSeconds": int64(c.Period / time.Second)},
			AdditionalEventData: map[string]any{"previousCoolingOffSeconds": int64(c.Previous / time.Second), "coolingOffSeconds": int64(c.Period / time.Second),
				"sessionArn": c.Session, "changedBy": requester.ARN},
		})
		if err != nil {
			s.cfg.Log.Error("mpa: recording a cooling-off change", "account", account, "err", err)
		}
	}
	subject := "Emergency root sign-in of account " + account + ": cooling-off period changed"
	body := fmt.Sprintf("%s changed the cooling-off period of an emergency root sign-in of account %s from %s to %s.\nApproval session: %s\n",
		requester.ARN, account, FormatPeriod(c.Previous), FormatPeriod(c.Period), c.Session)
	s.tellTeam(ctx, teamAccount, teamID, subject, body)
	s.tellContacts(ctx, account, subject, body, "mpa-break-glass")
}

// requesterIdentity is the CloudTrail identity of an IAM principal by its ARN.
func requesterIdentity(r Requester) trail.UserIdentity {
	id := trail.UserIdentity{Type: "IAMUser", ARN: r.ARN, AccountID: r.Account}
	switch {
	case strings.HasSuffix(r.ARN, ":root"):
		id.Type = "Root"
	case strings.Contains(r.ARN, ":assumed-role/"):
		id.Type = "AssumedRole"
	}
	return id
}

// FormatPeriod writes d as ParseDuration reads it, without zero units: 24h, 1h30m, 90s.
func FormatPeriod(d time.Duration) string {
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// cancelLink is the line of an emergency sign-in's start message that cancels it.
func (s *Service) cancelLink(account, id, token string) string {
	if s.cfg.ConsoleURL == "" {
		return ""
	}
	q := url.Values{"account": {account}, "id": {id}, "token": {token}}
	return fmt.Sprintf("\nTo cancel it, open %s/breakglass/cancel?%s\n", s.cfg.ConsoleURL, q.Encode())
}

// CancelBreakGlassByToken cancels account's emergency sign-in id with the token its messages'
// cancel link carries. AccessDeniedException for a wrong token, ConflictException once it is used
// or cancelled.
func (s *Service) CancelBreakGlassByToken(ctx context.Context, account, id, token string) error {
	var ok bool
	var r *glassRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		r, ok, err = glasses.Get(tx, account, id)
		return err
	})
	if err != nil {
		return err
	}
	if !ok || r.CancelHash == "" || token == "" || subtle.ConstantTimeCompare([]byte(r.CancelHash), []byte(claimHash(token))) != 1 {
		return AccessDenied("This cancel link is not valid.")
	}
	return s.CancelBreakGlass(ctx, account, id, "the holder of its cancel link")
}
