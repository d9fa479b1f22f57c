package orgs

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Moving an organization from consolidated billing to all features (Organizations User Guide,
// "Enabling all features in your organization"; API Reference, EnableAllFeatures): the management
// account starts it, which sends every account that joined by invitation a handshake to approve
// (APPROVE_ALL_FEATURES); once all have approved, the management account's own handshake
// (ENABLE_ALL_FEATURES) opens and accepting it finishes the change. Accounts created in the
// organization need not approve.

const (
	actionEnableAllFeatures  = "ENABLE_ALL_FEATURES"
	actionApproveAllFeatures = "APPROVE_ALL_FEATURES"
	resourceParentHandshake  = "PARENT_HANDSHAKE"
	// ReasonAlreadyAllFeatures is HandshakeConstraintViolationException's reason for an
	// organization that has all features already.
	ReasonAlreadyAllFeatures = "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"
)

// EnableAllFeatures starts the move to all features and returns the management account's
// handshake: OPEN at once when no invited account must approve, REQUESTED until they all have.
// Returns HandshakeConstraintViolationException (ORGANIZATION_ALREADY_HAS_ALL_FEATURES),
// DuplicateHandshakeException and AccessDeniedException.
func (s *Service) EnableAllFeatures(ctx context.Context, caller string) (*Handshake, error) {
	now := s.Now()
	var out *Handshake
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if o.FeatureSet == FeatureSetAll {
			return nil, withReason(awserr.OrgsHandshakeConstraint, ReasonAlreadyAllFeatures, "The organization already has all features enabled.")
		}
		existing, err := t.Keys(store.IndexKind(kindHandshake, byOrg), "", o.ID+sep)
		if err != nil {
			return nil, err
		}
		for _, id := range existing {
			h, err := t.handshake(id, now)
			if err != nil {
				return nil, err
			}
			if h != nil && h.Action == actionEnableAllFeatures && (h.State == HandshakeRequested || h.State == HandshakeOpen) {
				return nil, errorf(awserr.OrgsDuplicateHandshake, "A handshake with the same action and target already exists.")
			}
		}
		ids, err := t.members(o.ID)
		if err != nil {
			return nil, err
		}
		var invited []string
		for _, id := range ids {
			a, err := t.member(o, id)
			if err != nil {
				return nil, err
			}
			if a != nil && a.ID != o.MasterAccountID && a.JoinedMethod == JoinedInvited && a.Status == StatusActive {
				invited = append(invited, a.ID)
			}
		}
		parent := t.newFeaturesHandshake(o, actionEnableAllFeatures, o.MasterAccountID, now, nil)
		parent.State = HandshakeRequested
		if len(invited) == 0 {
			parent.State = HandshakeOpen
		}
		if err := handshakes.Insert(t, "", parent.ID, newHandshakeRecord(parent)); err != nil {
			return nil, err
		}
		for _, a := range invited {
			h := t.newFeaturesHandshake(o, actionApproveAllFeatures, a, now, []HandshakeResource{{Type: resourceParentHandshake, Value: parent.ID}})
			h.State = HandshakeOpen
			if err := handshakes.Insert(t, "", h.ID, newHandshakeRecord(h)); err != nil {
				return nil, err
			}
		}
		out = parent
		return nil, nil
	})
	return out, err
}

func (t txn) newFeaturesHandshake(o *Organization, action, account string, now time.Time, extra []HandshakeResource) *Handshake {
	id := "h-" + randomString(10)
	path := "enable_all_features"
	if action == actionApproveAllFeatures {
		path = "approve_all_features"
	}
	return &Handshake{
		ID: id, Arn: arn.Organizations(o.MasterAccountID, "handshake/"+o.ID+"/"+path+"/"+id),
		OrgID: o.ID, Action: action,
		Parties:            []HandshakeParty{{ID: o.ID, Type: partyOrganization}, {ID: account, Type: partyAccount}},
		RequestedTimestamp: now, ExpirationTimestamp: now.Add(handshakeLifetime),
		Resources: append([]HandshakeResource{{Type: "ORGANIZATION", Value: o.ID}}, extra...),
	}
}

// acceptFeatures carries out the acceptance of an all-features handshake h by its account, within
// respond's transaction: an approval may open the parent handshake; the parent's acceptance
// switches the feature set.
func (t txn) acceptFeatures(o *Organization, h *Handshake, now time.Time) error {
	switch h.Action {
	case actionApproveAllFeatures:
		parentID := ""
		for _, r := range h.Resources {
			if r.Type == resourceParentHandshake {
				parentID = r.Value
			}
		}
		ids, err := t.Keys(store.IndexKind(kindHandshake, byOrg), "", o.ID+sep)
		if err != nil {
			return err
		}
		for _, id := range ids {
			other, err := t.handshake(id, now)
			if err != nil {
				return err
			}
			if other == nil || other.ID == h.ID || other.Action != actionApproveAllFeatures || other.State == HandshakeAccepted {
				continue
			}
			for _, r := range other.Resources {
				if r.Type == resourceParentHandshake && r.Value == parentID {
					return nil // another approval is still missing
				}
			}
		}
		parent, err := t.handshake(parentID, now)
		if err != nil || parent == nil || parent.State != HandshakeRequested {
			return err
		}
		parent.State = HandshakeOpen
		return t.putHandshake(parent)
	case actionEnableAllFeatures:
		o.FeatureSet = FeatureSetAll
		return t.putOrg(o)
	}
	return nil
}
