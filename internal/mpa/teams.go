package mpa

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Team statuses and status codes (aws-sdk-go-v2 service/mpa/types: ApprovalTeamStatus,
// ApprovalTeamStatusCode).
const (
	TeamActive   = "ACTIVE"
	TeamInactive = "INACTIVE"
	TeamDeleting = "DELETING"
	TeamPending  = "PENDING"

	CodePendingActivation       = "PENDING_ACTIVATION"
	CodeFailedActivation        = "FAILED_ACTIVATION"
	CodeUpdatePendingApproval   = "UPDATE_PENDING_APPROVAL"
	CodeUpdatePendingActivation = "UPDATE_PENDING_ACTIVATION"
	CodeUpdateFailedApproval    = "UPDATE_FAILED_APPROVAL"
	CodeUpdateFailedActivation  = "UPDATE_FAILED_ACTIVATION"
	CodeDeletePendingApproval   = "DELETE_PENDING_APPROVAL"
	CodeDeleteFailedApproval    = "DELETE_FAILED_APPROVAL"
)

// Approver invitation states (IdentityStatus) and last activities (ApproverLastActivity).
const (
	InvitePending  = "PENDING"
	InviteAccepted = "ACCEPTED"
	InviteRejected = "REJECTED"

	ActivityVoted     = "VOTED"
	ActivityBaselined = "BASELINED"
	ActivityResponded = "RESPONDED_TO_INVITATION"
)

// Limits of a team. AWS documents neither its approver limits nor its name pattern in the SDK
// model; Rootward chose 2–20 approvers (one approver would let one person approve alone), names
// of 1–64 characters, descriptions of 1–1,000 and at most 20 teams an account.
const (
	MinApprovers = 2
	MaxApprovers = 20
	maxTeams     = 20
	maxName      = 64
	maxDesc      = 1000
	MaxTags      = 50
)

type approverRecord struct {
	ID           string    `json:"id"`
	SourceARN    string    `json:"source_arn"`
	IdentityID   string    `json:"identity_id"`
	Status       string    `json:"status"`
	ResponseTime time.Time `json:"response_time,omitzero"`
	Activity     string    `json:"activity,omitempty"`
	ActivityTime time.Time `json:"activity_time,omitzero"`
}

// pendingRecord is an update waiting for the current approvers' approval (Session), then for its
// new approvers to accept.
type pendingRecord struct {
	Version      int              `json:"version"`
	Description  string           `json:"description"`
	MinApprovals int              `json:"min_approvals"`
	Approvers    []approverRecord `json:"approvers"`
	Initiated    time.Time        `json:"initiated"`
	StatusCode   string           `json:"status_code"`
	Session      string           `json:"session,omitempty"`
}

type teamRecord struct {
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`
	Status        string            `json:"status"`
	StatusCode    string            `json:"status_code,omitempty"`
	StatusMessage string            `json:"status_message,omitempty"`
	Version       int               `json:"version"`
	MinApprovals  int               `json:"min_approvals"`
	Approvers     []approverRecord  `json:"approvers"`
	Policies      []string          `json:"policies"`
	Tags          map[string]string `json:"tags,omitempty"`
	Pending       *pendingRecord    `json:"pending,omitempty"`
	// DeletionSession is the session approving the team's deletion; DeletionStart and DeletionEnd
	// its window (the team protects until DeletionEnd).
	DeletionSession string    `json:"deletion_session,omitempty"`
	DeletionStart   time.Time `json:"deletion_start,omitzero"`
	DeletionEnd     time.Time `json:"deletion_end,omitzero"`
	DeletionDays    int       `json:"deletion_days,omitempty"`
}

// teams are each account's approval teams, keyed by ID. "protects" lists, for a team that is or may
// still be active, the operations its policies name: the gate's lookup.
var teams = store.Define(store.Kind[teamRecord]{
	Name: "mpa.team", Version: 1,
	Indexes: []store.Index[teamRecord]{
		{Name: "name", Unique: true, Values: func(_ string, r *teamRecord) []string { return []string{r.Name} }},
		{Name: "protects", Values: func(_ string, r *teamRecord) []string {
			if r.Status != TeamActive && r.Status != TeamDeleting {
				return nil
			}
			out := make([]string, 0, len(r.Policies))
			for _, p := range r.Policies {
				if pol, ok := PolicyOf(p, false); ok {
					out = append(out, pol.Name)
				}
			}
			return out
		}},
	},
})

func (t *teamRecord) usesSource(src string) bool {
	for _, a := range t.Approvers {
		if a.SourceARN == src {
			return true
		}
	}
	if t.Pending != nil {
		for _, a := range t.Pending.Approvers {
			if a.SourceARN == src {
				return true
			}
		}
	}
	return false
}

// protects reports whether the team protects its operations at now: ACTIVE, or DELETING before
// its deletion completes.
func (t *teamRecord) protects(now time.Time) bool {
	return t.Status == TeamActive || t.Status == TeamDeleting && now.Before(t.DeletionEnd)
}

// status is the team's status at now: a deletion past its window has made it INACTIVE.
func (t *teamRecord) status(now time.Time) string {
	if t.Status == TeamDeleting && !now.Before(t.DeletionEnd) {
		return TeamInactive
	}
	return t.Status
}

// approver returns the team's approver who, else nil.
func approverOf(list []approverRecord, who Identity) *approverRecord {
	for i := range list {
		if list[i].SourceARN == who.SourceARN && list[i].IdentityID == who.UserID {
			return &list[i]
		}
	}
	return nil
}

// Approver is one approver of a team, as GetApprovalTeam answers it.
type Approver struct {
	ID           string
	SourceARN    string
	IdentityID   string
	Status       string
	ResponseTime time.Time
	Activity     string
	ActivityTime time.Time
}

// Team is an approval team.
type Team struct {
	ARN, ID, Name, Description string
	Created, Updated           time.Time
	Status, StatusCode         string
	StatusMessage              string
	Version                    int
	MinApprovals               int
	Approvers                  []Approver
	Policies                   []string
	Tags                       map[string]string
	Pending                    *PendingUpdate
	// UpdateSessionARN is the session approving the pending update or deletion.
	UpdateSessionARN string
}

// PendingUpdate is an update waiting for approval or activation.
type PendingUpdate struct {
	Version      int
	Description  string
	MinApprovals int
	Approvers    []Approver
	Initiated    time.Time
	StatusCode   string
}

func approvers(list []approverRecord) []Approver {
	out := make([]Approver, len(list))
	for i, a := range list {
		out[i] = Approver(a)
	}
	return out
}

func (s *Service) team(account, id string, r *teamRecord) *Team {
	now := s.cfg.Now()
	t := &Team{ARN: s.teamARN(account, id), ID: id, Name: r.Name, Description: r.Description, Created: r.Created,
		Updated: r.Updated, Status: r.status(now), StatusCode: r.StatusCode, StatusMessage: r.StatusMessage,
		Version: r.Version, MinApprovals: r.MinApprovals, Approvers: approvers(r.Approvers),
		Policies: slices.Clone(r.Policies), Tags: r.Tags}
	if p := r.Pending; p != nil {
		t.Pending = &PendingUpdate{Version: p.Version, Description: p.Description, MinApprovals: p.MinApprovals,
			Approvers: approvers(p.Approvers), Initiated: p.Initiated, StatusCode: p.StatusCode}
		if p.Session != "" {
			t.UpdateSessionARN = s.sessionARN(account, id, p.Session)
		}
	}
	if r.DeletionSession != "" && r.Status == TeamActive {
		t.UpdateSessionARN = s.sessionARN(account, id, r.DeletionSession)
	}
	return t
}

// TeamInput is what CreateApprovalTeam and UpdateApprovalTeam set.
type TeamInput struct {
	Name         string
	Description  string
	MinApprovals int
	Approvers    []Identity
	Policies     []string
	Tags         map[string]string
}

// checkStrategy checks an approver list and its M of N.
func checkStrategy(min int, list []Identity) error {
	if len(list) < MinApprovers || len(list) > MaxApprovers {
		return validation("An approval team needs between %d and %d approvers; the request names %d.", MinApprovers, MaxApprovers, len(list))
	}
	if min < 1 || min > len(list) {
		return validation("MinApprovalsRequired must be between 1 and the number of approvers (%d).", len(list))
	}
	seen := map[Identity]bool{}
	for _, a := range list {
		if a.SourceARN == "" || a.UserID == "" {
			return validation("Each approver needs a PrimaryIdentityId and a PrimaryIdentitySourceArn.")
		}
		if seen[a] {
			return validation("Approver %s is named twice.", a.UserID)
		}
		seen[a] = true
	}
	return nil
}

// resolveApprovers checks that every approver is a user of an identity source of account: their
// Identity Center users are looked up outside the transaction that stores the team.
func (s *Service) resolveApprovers(ctx context.Context, account string, list []Identity) error {
	instances := map[string]string{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		for _, a := range list {
			if _, ok := instances[a.SourceARN]; ok {
				continue
			}
			inst, err := s.sourceInstance(tx, account, a.SourceARN)
			if err != nil {
				return err
			}
			instances[a.SourceARN] = inst
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range list {
		if _, err := s.user(ctx, instances[a.SourceARN], a.UserID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) user(ctx context.Context, instanceARN, id string) (User, error) {
	if s.cfg.Directory == nil {
		return User{}, notFound("Identity Center user %s was not found.", id)
	}
	u, ok, err := s.cfg.Directory.User(ctx, instanceARN, id)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, notFound("Identity Center user %s was not found in %s.", id, instanceARN)
	}
	return u, nil
}

func checkPolicies(list []string) error {
	if len(list) == 0 {
		return validation("An approval team needs at least one policy.")
	}
	for _, p := range list {
		if _, ok := PolicyOf(p, false); !ok {
			return notFound("Policy %s was not found.", p)
		}
	}
	return nil
}

func checkNames(name, desc string) error {
	if name == "" || len(name) > maxName {
		return validation("Name must be between 1 and %d characters long.", maxName)
	}
	if desc == "" || len(desc) > maxDesc {
		return validation("Description must be between 1 and %d characters long.", maxDesc)
	}
	return nil
}

func newApprovers(list []Identity, keep []approverRecord) []approverRecord {
	out := make([]approverRecord, len(list))
	for i, a := range list {
		if old := approverOf(keep, a); old != nil {
			out[i] = *old
			continue
		}
		out[i] = approverRecord{ID: newID(), SourceARN: a.SourceARN, IdentityID: a.UserID, Status: InvitePending}
	}
	return out
}

// CreateApprovalTeam creates a team, PENDING_ACTIVATION until every approver accepts its invitation
// (RespondToInvitation). It returns ValidationException for a bad name, description, strategy or
// approver list, ResourceNotFoundException for an unknown identity source, user or policy,
// ConflictException for a name the account already uses, ServiceQuotaExceededException past the
// account's teams.
func (s *Service) CreateApprovalTeam(ctx context.Context, account string, in TeamInput) (*Team, error) {
	if err := checkNames(in.Name, in.Description); err != nil {
		return nil, err
	}
	if err := checkStrategy(in.MinApprovals, in.Approvers); err != nil {
		return nil, err
	}
	if err := checkPolicies(in.Policies); err != nil {
		return nil, err
	}
	if len(in.Tags) > MaxTags {
		return nil, awserr.New(awserr.MPATooManyTags, "A resource can have at most %d tags.", MaxTags)
	}
	if err := s.resolveApprovers(ctx, account, in.Approvers); err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	id := newID()
	r := &teamRecord{Name: in.Name, Description: in.Description, Created: now, Updated: now, Status: TeamPending,
		StatusCode: CodePendingActivation, Version: 1, MinApprovals: in.MinApprovals,
		Approvers: newApprovers(in.Approvers, nil), Policies: slices.Compact(slices.Sorted(slices.Values(in.Policies))), Tags: in.Tags}
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(teams.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxTeams {
			return awsQuota("You can have at most %d approval teams.", maxTeams)
		}
		return teams.Insert(tx, account, id, r)
	})
	if errors.Is(err, store.ErrExists) {
		return nil, conflict("An approval team named %s already exists.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	s.inviteAll(ctx, account, id, r.Name, r.Approvers)
	return s.team(account, id, r), nil
}

func awsQuota(format string, args ...any) error {
	return awserr.New(awserr.MPAServiceQuotaExceeded, format, args...)
}

// ApprovalTeam returns the account's team id; ResourceNotFoundException when none.
func (s *Service) ApprovalTeam(ctx context.Context, account, id string) (*Team, error) {
	var r *teamRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		r, err = s.getTeam(tx, account, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.team(account, id, r), nil
}

func (s *Service) getTeam(tx store.Tx, account, id string) (*teamRecord, error) {
	r, ok, err := teams.Get(tx, account, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("Approval team %s was not found.", s.teamARN(account, id))
	}
	return r, nil
}

// ApprovalTeams pages the account's teams by ID.
func (s *Service) ApprovalTeams(ctx context.Context, account, after string, limit int) (store.Page[*Team], error) {
	var p store.Page[*Team]
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		p, err = store.ReadPage(teams.Range(tx, account, ""), after, limit, func(it store.Item) (*Team, bool, error) {
			r, err := teams.Decode(it.Body)
			if err != nil {
				return nil, false, err
			}
			return s.team(account, it.Key, r), true, nil
		})
		return err
	})
	return p, err
}

// RespondToInvitation records who's answer to their invitation to team (an ARN): an approver of the
// team, or of its pending update. Once every approver accepted, the team (or the update) is active;
// one refusal fails the activation. It returns ResourceNotFoundException when who is not invited,
// ConflictException when who already answered.
func (s *Service) RespondToInvitation(ctx context.Context, teamARN string, who Identity, accept bool) (*Team, error) {
	res, ok := s.ParseARN(teamARN)
	if !ok || res.Type != "approval-team" {
		return nil, notFound("Approval team %s was not found.", teamARN)
	}
	now := s.cfg.Now().UTC()
	var r *teamRecord
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) (err error) {
		if r, err = s.getTeam(tx, res.Account, res.ID); err != nil {
			return err
		}
		a := approverOf(r.Approvers, who)
		pendingUpdate := false
		if a == nil || a.Status != InvitePending {
			if r.Pending != nil {
				if pa := approverOf(r.Pending.Approvers, who); pa != nil && pa.Status == InvitePending {
					a, pendingUpdate = pa, true
				}
			}
		}
		if a == nil {
			return notFound("You are not an approver of approval team %s.", teamARN)
		}
		if a.Status != InvitePending {
			return conflict("You already responded to the invitation of approval team %s.", teamARN)
		}
		a.Status, a.ResponseTime, a.Activity, a.ActivityTime = InviteRejected, now, ActivityResponded, now
		if accept {
			a.Status = InviteAccepted
		}
		// An approver on both the active team and its pending update answers for both.
		if !pendingUpdate && r.Pending != nil {
			if pa := approverOf(r.Pending.Approvers, who); pa != nil && pa.Status == InvitePending {
				*pa = *a
			}
		}
		r.Updated = now
		s.settleActivation(r, now)
		return teams.Put(tx, res.Account, res.ID, r)
	})
	if err != nil {
		return nil, err
	}
	return s.team(res.Account, res.ID, r), nil
}

// settleActivation activates a team whose approvers all accepted, or applies an approved update
// whose new approvers all accepted; a refusal fails either.
func (s *Service) settleActivation(r *teamRecord, now time.Time) {
	if r.Status == TeamPending {
		switch invitations(r.Approvers) {
		case InviteAccepted:
			r.Status, r.StatusCode, r.StatusMessage = TeamActive, "", ""
		case InviteRejected:
			r.Status, r.StatusCode, r.StatusMessage = TeamInactive, CodeFailedActivation, "An approver rejected the invitation."
		}
	}
	if p := r.Pending; p != nil && p.StatusCode == CodeUpdatePendingActivation {
		switch invitations(p.Approvers) {
		case InviteAccepted:
			r.applyUpdate(now)
		case InviteRejected:
			r.Pending = nil
			r.StatusCode, r.StatusMessage = CodeUpdateFailedActivation, "An approver rejected the invitation of the update."
		}
	}
}

// invitations is InviteAccepted when every approver accepted, InviteRejected when one refused,
// InvitePending otherwise.
func invitations(list []approverRecord) string {
	all := InviteAccepted
	for _, a := range list {
		switch a.Status {
		case InviteRejected:
			return InviteRejected
		case InvitePending:
			all = InvitePending
		}
	}
	return all
}

func (r *teamRecord) applyUpdate(now time.Time) {
	p := r.Pending
	r.Version, r.Description, r.MinApprovals, r.Approvers = p.Version, p.Description, p.MinApprovals, p.Approvers
	r.Pending, r.StatusCode, r.StatusMessage, r.Updated = nil, "", "", now
}

// UpdateApprovalTeam changes a team's description, strategy or approvers (nil: unchanged). A team
// not yet active changes at once; an active team's update waits for its current approvers'
// approval (a session the requester opened, as AWS's updates do), then for its new approvers to
// accept. It returns the new version's ID; ConflictException while another update or a deletion
// is pending.
func (s *Service) UpdateApprovalTeam(ctx context.Context, account, id string, desc *string, min *int, list []Identity, requester Requester) (string, error) {
	var cur *teamRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		cur, err = s.getTeam(tx, account, id)
		return err
	})
	if err != nil {
		return "", err
	}
	if list == nil {
		for _, a := range cur.Approvers {
			list = append(list, Identity{SourceARN: a.SourceARN, UserID: a.IdentityID})
		}
	}
	m := cur.MinApprovals
	if min != nil {
		m = *min
	}
	d := cur.Description
	if desc != nil {
		d = *desc
	}
	if err := checkNames(cur.Name, d); err != nil {
		return "", err
	}
	if err := checkStrategy(m, list); err != nil {
		return "", err
	}
	if err := s.resolveApprovers(ctx, account, list); err != nil {
		return "", err
	}
	now := s.cfg.Now().UTC()
	var version int
	var opened *sessionRecord
	var sessionID string
	var invite []approverRecord
	var name string
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := s.getTeam(tx, account, id)
		if err != nil {
			return err
		}
		name = r.Name
		if r.Pending != nil || r.DeletionSession != "" || r.Status == TeamDeleting {
			return conflict("Approval team %s has an update or a deletion pending.", s.teamARN(account, id))
		}
		p := &pendingRecord{Version: r.Version + 1, Description: d, MinApprovals: m, Approvers: newApprovers(list, r.Approvers), Initiated: now}
		version = p.Version
		for _, a := range p.Approvers {
			if approverOf(r.Approvers, Identity{a.SourceARN, a.IdentityID}) == nil {
				invite = append(invite, a)
			}
		}
		if r.Status != TeamActive {
			// Nothing is protected yet: the team changes at once, and is active once all accepted.
			r.Pending = p
			r.applyUpdate(now)
			r.Status, r.StatusCode = TeamPending, CodePendingActivation
			s.settleActivation(r, now)
			return teams.Put(tx, account, id, r)
		}
		sessionID = newID()
		opened = s.newSession(account, id, r, KindUpdate, "UpdateApprovalTeam", requester, now)
		p.StatusCode, p.Session = CodeUpdatePendingApproval, sessionID
		r.Pending, r.StatusCode, r.Updated = p, CodeUpdatePendingApproval, now
		if err := teams.Put(tx, account, id, r); err != nil {
			return err
		}
		return sessions.Insert(tx, account, id+"/"+sessionID, opened)
	})
	if err != nil {
		return "", err
	}
	if opened != nil {
		s.announce(ctx, account, id, sessionID, opened, EventSessionStarted, nil)
	} else {
		s.inviteAll(ctx, account, id, name, invite)
	}
	return strconv.Itoa(version), nil
}

// StartDeletion asks the team's approvers to approve its deletion; once approved the team protects
// until days after the deletion started, then is INACTIVE. It returns the deletion's start and
// completion; ConflictException when the team is not active or has a change pending.
func (s *Service) StartDeletion(ctx context.Context, account, id string, days int, requester Requester) (start, end time.Time, err error) {
	if days == 0 {
		days = DefaultDeletionDays
	}
	if days < 1 || days > 90 {
		return start, end, validation("PendingWindowDays must be between 1 and 90.")
	}
	now := s.cfg.Now().UTC()
	var opened *sessionRecord
	sessionID := newID()
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := s.getTeam(tx, account, id)
		if err != nil {
			return err
		}
		if r.Status != TeamActive {
			return conflict("Approval team %s is not active; delete its inactive version instead.", s.teamARN(account, id))
		}
		if r.Pending != nil || r.DeletionSession != "" {
			return conflict("Approval team %s has an update or a deletion pending.", s.teamARN(account, id))
		}
		opened = s.newSession(account, id, r, KindDeletion, "StartActiveApprovalTeamDeletion", requester, now)
		r.DeletionSession, r.DeletionStart, r.DeletionEnd, r.DeletionDays = sessionID, now, now.AddDate(0, 0, days), days
		r.StatusCode, r.Updated = CodeDeletePendingApproval, now
		if err := teams.Put(tx, account, id, r); err != nil {
			return err
		}
		return sessions.Insert(tx, account, id+"/"+sessionID, opened)
	})
	if err != nil {
		return start, end, err
	}
	s.announce(ctx, account, id, sessionID, opened, EventSessionStarted, nil)
	return now, now.AddDate(0, 0, days), nil
}

// DefaultDeletionDays is a deletion's window when the request names none (Rootward's choice).
const DefaultDeletionDays = 7

// DeleteInactiveVersion deletes version of the team when it is not the active one: a team that
// never became active (or whose deletion completed) is removed; a pending update's version is
// dropped. ResourceNotFoundException for another version, ConflictException for the active one.
func (s *Service) DeleteInactiveVersion(ctx context.Context, account, id, version string) error {
	now := s.cfg.Now()
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := s.getTeam(tx, account, id)
		if err != nil {
			return err
		}
		switch {
		case r.Pending != nil && version == strconv.Itoa(r.Pending.Version):
			r.Pending, r.StatusCode, r.StatusMessage, r.Updated = nil, "", "", now.UTC()
			return teams.Put(tx, account, id, r)
		case version != strconv.Itoa(r.Version):
			return notFound("Version %s of approval team %s was not found.", version, s.teamARN(account, id))
		case r.protects(now):
			return conflict("Version %s of approval team %s is active.", version, s.teamARN(account, id))
		}
		return teams.Delete(tx, account, id)
	})
}

// StartBaseline asks approvers (all the team's when ids is empty) to confirm they can still
// respond; it returns the baseline session's ARN.
func (s *Service) StartBaseline(ctx context.Context, account, id string, ids []string, requester Requester) (string, error) {
	now := s.cfg.Now().UTC()
	sessionID := newID()
	var opened *sessionRecord
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := s.getTeam(tx, account, id)
		if err != nil {
			return err
		}
		if r.Status != TeamActive {
			return conflict("Approval team %s is not active.", s.teamARN(account, id))
		}
		for _, want := range ids {
			if !slices.ContainsFunc(r.Approvers, func(a approverRecord) bool { return a.ID == want }) {
				return notFound("Approver %s is not on approval team %s.", want, s.teamARN(account, id))
			}
		}
		opened = s.newSession(account, id, r, KindBaseline, "StartApprovalTeamBaseline", requester, now)
		opened.Baseline = ids
		return sessions.Insert(tx, account, id+"/"+sessionID, opened)
	})
	if err != nil {
		return "", err
	}
	s.announce(ctx, account, id, sessionID, opened, EventSessionStarted, nil)
	return s.sessionARN(account, id, sessionID), nil
}
