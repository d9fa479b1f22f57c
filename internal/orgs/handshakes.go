package orgs

import (
	"context"
	"github.com/rootward/rootward/internal/arn"
	"regexp"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Handshake is an invitation of a standalone account to join an organization (Action INVITE).
type Handshake struct {
	ID                  string
	Arn                 string
	OrgID               string
	Action              string
	State               string
	Parties             []HandshakeParty
	Resources           []HandshakeResource
	RequestedTimestamp  time.Time
	ExpirationTimestamp time.Time
}

// HandshakeParty is one side of a handshake: the organization or the invited account.
type HandshakeParty struct {
	ID   string
	Type string // ACCOUNT, ORGANIZATION or EMAIL
}

// HandshakeResource is a piece of information a handshake carries.
type HandshakeResource struct {
	Type      string
	Value     string
	Resources []HandshakeResource
}

// Handshake states (HandshakeState).
const (
	HandshakeRequested = "REQUESTED"
	HandshakeOpen      = "OPEN"
	HandshakeCanceled  = "CANCELED"
	HandshakeAccepted  = "ACCEPTED"
	HandshakeDeclined  = "DECLINED"
	HandshakeExpired   = "EXPIRED"
	actionInvite       = "INVITE"
	partyAccount       = "ACCOUNT"
	partyOrganization  = "ORGANIZATION"
	partyEmail         = "EMAIL"
	maxNotes           = 1024
)

var handshakeIDPattern = regexp.MustCompile(`^h-[0-9a-z]{8,32}$`)

// account returns the invited account of a handshake.
func (h *Handshake) account() string {
	for _, p := range h.Parties {
		if p.Type == partyAccount {
			return p.ID
		}
	}
	return ""
}

// current reports the handshake as of now: an open handshake past its expiry is EXPIRED
// ("Handshakes that are not accepted within 15 days expire", Organizations API Reference,
// InviteAccountToOrganization).
func (h *Handshake) current(now time.Time) *Handshake {
	if (h.State == HandshakeOpen || h.State == HandshakeRequested) && !now.Before(h.ExpirationTimestamp) {
		h.State = HandshakeExpired
	}
	return h
}

func (t txn) handshake(id string, now time.Time) (*Handshake, error) {
	r, ok, err := handshakes.Get(t, "", id)
	if err != nil || !ok {
		return nil, err
	}
	return r.handshake().current(now), nil
}

func (t txn) putHandshake(h *Handshake) error {
	return handshakes.Put(t, "", h.ID, newHandshakeRecord(h))
}

var errNoHandshake = errorf(awserr.OrgsHandshakeNotFound, "We can't find a handshake with the HandshakeId that you specified.")

func checkHandshakeID(id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for HandshakeId.")
	}
	if !handshakeIDPattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "HandshakeId must match h-[0-9a-z]{8,32}.")
	}
	return nil
}

// InviteAccountToOrganization invites a standalone account (Type ACCOUNT, by ID, or EMAIL, by
// its root email) to join the caller's organization. Returns HandshakeConstraintViolationException
// (ALREADY_IN_AN_ORGANIZATION), DuplicateHandshakeException (an open invitation exists) and
// InvalidInputException.
func (s *Service) InviteAccountToOrganization(ctx context.Context, caller string, target HandshakeParty, notes string) (*Handshake, error) {
	if len(notes) > maxNotes {
		return nil, invalid(ReasonMaxLength, "Notes must be at most %d characters long.", maxNotes)
	}
	var account string
	switch target.Type {
	case partyAccount:
		if err := checkAccountID("Target.Id", target.ID); err != nil {
			return nil, err
		}
		if _, err := s.iam.GetAccount(ctx, target.ID); err != nil {
			if awserr.IsCode(err, awserr.NoSuchEntity) {
				return nil, invalid(ReasonInvalidPartyType, "Rootward has no account %s to invite.", target.ID)
			}
			return nil, err
		}
		account = target.ID
	case partyEmail:
		a, err := s.iam.AccountByRootEmail(ctx, target.ID)
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return nil, invalid(ReasonInvalidEmailTarget, "Rootward has no account with the root email address %s.", target.ID)
		}
		if err != nil {
			return nil, err
		}
		account = a.ID
	case "":
		return nil, invalid(ReasonInputRequired, "You must specify the Target's Type.")
	default:
		return nil, invalid(ReasonInvalidPartyType, "An invitation targets an ACCOUNT or an EMAIL.")
	}
	now := s.Now()
	var out *Handshake
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if other, err := t.orgOf(account); err != nil || other != nil {
			if err != nil {
				return nil, err
			}
			return nil, withReason(awserr.OrgsHandshakeConstraint, ReasonAlreadyInOrganization, "The account %s is already a member of an organization.", account)
		}
		open, err := t.Keys(store.IndexKind(kindHandshake, byAccount), "", account+sep)
		if err != nil {
			return nil, err
		}
		for _, id := range open {
			h, err := t.handshake(id, now)
			if err != nil {
				return nil, err
			}
			if h != nil && h.OrgID == o.ID && h.State == HandshakeOpen {
				return nil, errorf(awserr.OrgsDuplicateHandshake, "A handshake with the same action and target already exists.")
			}
		}
		id := "h-" + randomString(10)
		h := &Handshake{
			ID: id, Arn: arn.Organizations(o.MasterAccountID, "handshake/"+o.ID+"/invite/"+id),
			OrgID: o.ID, Action: actionInvite, State: HandshakeOpen,
			Parties:            []HandshakeParty{{ID: o.ID, Type: partyOrganization}, {ID: account, Type: partyAccount}},
			RequestedTimestamp: now, ExpirationTimestamp: now.Add(handshakeLifetime),
			Resources: []HandshakeResource{
				{Type: "ORGANIZATION", Value: o.ID, Resources: []HandshakeResource{
					{Type: "MASTER_EMAIL", Value: o.MasterAccountEmail},
					{Type: "ORGANIZATION_FEATURE_SET", Value: o.FeatureSet},
				}},
				{Type: "ACCOUNT", Value: account},
			},
		}
		if notes != "" {
			h.Resources = append(h.Resources, HandshakeResource{Type: "NOTES", Value: notes})
		}
		out = h
		return nil, handshakes.Insert(t, "", id, newHandshakeRecord(h))
	})
	return out, err
}

// respond moves a handshake the caller is the invited party of to a final state; join, when set,
// carries out an acceptance in the same transaction.
func (s *Service) respond(ctx context.Context, caller, id, state string, join func(t txn, o *Organization, h *Handshake) error) (*Handshake, error) {
	if err := checkHandshakeID(id); err != nil {
		return nil, err
	}
	now := s.Now()
	var out *Handshake
	err := s.update(ctx, func(t txn) ([]string, error) {
		h, err := t.handshake(id, now)
		if err != nil {
			return nil, err
		}
		if h == nil || h.account() != caller {
			return nil, errNoHandshake
		}
		switch h.State {
		case state:
			return nil, errorf(awserr.OrgsHandshakeAlreadyInState, "The handshake is already in the requested state.")
		case HandshakeOpen:
		default:
			return nil, errorf(awserr.OrgsInvalidHandshakeTransition, "You can't perform the operation on the handshake in its current state (%s).", h.State)
		}
		if join != nil {
			o, err := t.org(h.OrgID)
			if err != nil {
				return nil, err
			}
			if o == nil {
				return nil, errorf(awserr.OrgsInvalidHandshakeTransition, "The organization that sent the invitation no longer exists.")
			}
			if err := join(t, o, h); err != nil {
				return nil, err
			}
		}
		h.State = state
		out = h
		return []string{caller}, t.putHandshake(h)
	})
	return out, err
}

// AcceptHandshake accepts a handshake: an invitation makes the caller's account join the
// organization under its root (JoinedMethod INVITED); an all-features approval or the management
// account's all-features handshake go on with that change (allfeatures.go). Returns HandshakeNotFoundException, HandshakeAlreadyInStateException,
// InvalidHandshakeTransitionException and HandshakeConstraintViolationException
// (ALREADY_IN_AN_ORGANIZATION).
func (s *Service) AcceptHandshake(ctx context.Context, caller, id string) (*Handshake, error) {
	acct, err := s.iam.GetAccount(ctx, caller)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, caller, id, HandshakeAccepted, func(t txn, o *Organization, h *Handshake) error {
		if h.Action != actionInvite {
			return t.acceptFeatures(o, h, s.Now())
		}
		if other, err := t.orgOf(caller); err != nil || other != nil {
			if err != nil {
				return err
			}
			return withReason(awserr.OrgsHandshakeConstraint, ReasonAlreadyInOrganization, "Your account is already a member of an organization.")
		}
		return t.addMember(o, &Account{ID: caller, Name: acct.Name, Email: acct.Email, Status: StatusActive,
			JoinedMethod: JoinedInvited, JoinedTimestamp: s.Now(), ParentID: o.RootID})
	})
}

// DeclineHandshake declines an invitation. Returns the errors of AcceptHandshake but the constraint.
func (s *Service) DeclineHandshake(ctx context.Context, caller, id string) (*Handshake, error) {
	return s.respond(ctx, caller, id, HandshakeDeclined, nil)
}

// CancelHandshake withdraws an invitation of the caller's organization.
func (s *Service) CancelHandshake(ctx context.Context, caller, id string) (*Handshake, error) {
	if err := checkHandshakeID(id); err != nil {
		return nil, err
	}
	now := s.Now()
	var out *Handshake
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		h, err := t.handshake(id, now)
		if err != nil {
			return nil, err
		}
		if h == nil || h.OrgID != o.ID {
			return nil, errNoHandshake
		}
		switch h.State {
		case HandshakeCanceled:
			return nil, errorf(awserr.OrgsHandshakeAlreadyInState, "The handshake is already canceled.")
		case HandshakeOpen:
		default:
			return nil, errorf(awserr.OrgsInvalidHandshakeTransition, "You can't cancel a handshake in state %s.", h.State)
		}
		h.State = HandshakeCanceled
		out = h
		return nil, t.putHandshake(h)
	})
	return out, err
}

// DescribeHandshake returns a handshake the caller's account is a party to.
func (s *Service) DescribeHandshake(ctx context.Context, caller, id string) (*Handshake, error) {
	if err := checkHandshakeID(id); err != nil {
		return nil, err
	}
	var out *Handshake
	err := s.view(ctx, func(t txn) error {
		h, err := t.handshake(id, s.Now())
		if err != nil {
			return err
		}
		if h == nil {
			return errNoHandshake
		}
		if h.account() != caller {
			o, err := t.orgOf(caller)
			if err != nil {
				return err
			}
			if o == nil || o.ID != h.OrgID || o.MasterAccountID != caller {
				return errNoHandshake
			}
		}
		out = h
		return nil
	})
	return out, err
}

// ListHandshakesForAccount lists the invitations the caller's account received, optionally only
// those of one action type.
func (s *Service) ListHandshakesForAccount(ctx context.Context, caller, action string, lo ListOpts) (Page[Handshake], error) {
	return s.listHandshakes(ctx, func(t txn) (string, string, error) { return byAccount, caller, nil }, action, lo)
}

// ListHandshakesForOrganization lists the invitations the caller's organization sent.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, caller, action string, lo ListOpts) (Page[Handshake], error) {
	return s.listHandshakes(ctx, func(t txn) (string, string, error) {
		o, err := t.reader(caller)
		if err != nil {
			return "", "", err
		}
		return byOrg, o.ID, nil
	}, action, lo)
}

func (s *Service) listHandshakes(ctx context.Context, index func(t txn) (name, value string, err error), action string, lo ListOpts) (Page[Handshake], error) {
	var p Page[Handshake]
	now := s.Now()
	err := s.view(ctx, func(t txn) error {
		name, value, err := index(t)
		if err != nil {
			return err
		}
		prefix := value + sep
		p, err = paginate(handshakes.IndexRange(t, name, "", prefix), prefix, lo, func(id string) (Handshake, bool, error) {
			h, err := t.handshake(id, now)
			if err != nil || h == nil {
				return Handshake{}, false, err
			}
			return *h, action == "" || h.Action == action, nil
		})
		return err
	})
	return p, err
}
