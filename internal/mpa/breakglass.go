package mpa

import (
	"context"
	"fmt"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// Break-glass (issue 16 item 4): when the approvers cannot be reached, one person may start an
// emergency root sign-in. It waits a cooling-off period, tells every approver of the account's
// teams and every contact (Config.Contacts: the security contacts and the root email) when it
// starts and when it is ready, and any of them can cancel it meanwhile. Once ready it allows one
// root sign-in (UseBreakGlass).

// Break-glass states.
const (
	GlassWaiting   = "WAITING"
	GlassReady     = "READY"
	GlassUsed      = "USED"
	GlassCancelled = "CANCELLED"
)

// DefaultCoolingOff is a break-glass's wait unless Config.CoolingOff says otherwise.
const DefaultCoolingOff = 24 * time.Hour

type glassRecord struct {
	Requester Requester `json:"requester"`
	Reason    string    `json:"reason"`
	Started   time.Time `json:"started"`
	Ready     time.Time `json:"ready"`
	Status    string    `json:"status"`
	Ended     time.Time `json:"ended,omitzero"`
	EndedBy   string    `json:"ended_by,omitempty"`
	Announced bool      `json:"announced,omitempty"`
	// ClaimHash is the SHA-256 of the secret the starter's browser holds (a console sign-in's);
	// CancelHash that of the token the messages' cancel link carries.
	ClaimHash  string `json:"claim_hash,omitempty"`
	CancelHash string `json:"cancel_hash,omitempty"`
}

// maxGlasses bounds the emergency sign-ins of an account read at once: every one but the
// current is over, and the oldest are of no use to a claim.
const maxGlasses = 1000

var glasses = store.Define(store.Kind[glassRecord]{Name: "mpa.breakglass", Version: 1})

// BreakGlass is an emergency root sign-in's state.
type BreakGlass struct {
	ID        string
	Requester Requester
	Reason    string
	Started   time.Time
	Ready     time.Time
	Status    string
	Ended     time.Time
	EndedBy   string
}

func glassOf(id string, r *glassRecord, now time.Time) *BreakGlass {
	b := &BreakGlass{ID: id, Requester: r.Requester, Reason: r.Reason, Started: r.Started, Ready: r.Ready, Status: r.Status, Ended: r.Ended, EndedBy: r.EndedBy}
	if b.Status == GlassWaiting && !now.Before(r.Ready) {
		b.Status = GlassReady
	}
	return b
}

// StartBreakGlass starts an emergency root sign-in of account for requester, ready after the
// cooling-off period. ValidationException without a reason; ConflictException while another is
// waiting or ready.
func (s *Service) StartBreakGlass(ctx context.Context, account string, requester Requester, reason string) (*BreakGlass, error) {
	return s.startGlass(ctx, account, requester, reason, "")
}

func (s *Service) startGlass(ctx context.Context, account string, requester Requester, reason, claim string) (*BreakGlass, error) {
	if reason == "" || len(reason) > 1000 {
		return nil, validation("An emergency sign-in needs a reason of 1 to 1000 characters.")
	}
	now := s.cfg.Now().UTC()
	id := newID()
	wait, err := s.CoolingOff(ctx, account)
	if err != nil {
		return nil, err
	}
	cancel := newSecret()
	r := &glassRecord{Requester: requester, Reason: reason, Started: now, Ready: now.Add(wait), Status: GlassWaiting,
		ClaimHash: claim, CancelHash: claimHash(cancel)}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		items, err := tx.List(glasses.Name, account, "", "", 100)
		if err != nil {
			return err
		}
		for _, it := range items {
			old, err := glasses.Decode(it.Body)
			if err != nil {
				return err
			}
			if old.Status == GlassWaiting || old.Status == GlassReady {
				return conflict("An emergency sign-in of account %s is already %s.", account, glassOf(it.Key, old, now).Status)
			}
		}
		return glasses.Insert(tx, account, id, r)
	})
	if err != nil {
		return nil, err
	}
	s.glassEvent(ctx, account, id, r, "BreakGlassStarted", fmt.Sprintf(
		"%s started an emergency root sign-in of account %s.\nReason: %s\nIt can be used from %s unless an approver or a contact cancels it.\n%s",
		requester.ARN, account, reason, r.Ready.Format(time.RFC3339), s.cancelLink(account, id, cancel)))
	return glassOf(id, r, now), nil
}

// BreakGlassOf returns account's emergency sign-in id; ResourceNotFoundException when none. A
// waiting one whose cooling-off ended is READY, and its readiness is announced once.
func (s *Service) BreakGlassOf(ctx context.Context, account, id string) (*BreakGlass, error) {
	now := s.cfg.Now().UTC()
	var r *glassRecord
	announce := false
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if r, ok, err = glasses.Get(tx, account, id); err != nil {
			return err
		} else if !ok {
			return notFound("Emergency sign-in %s was not found.", id)
		}
		if announce = r.Status == GlassWaiting && !now.Before(r.Ready) && !r.Announced; announce {
			r.Status, r.Announced = GlassReady, true
			return glasses.Put(tx, account, id, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if announce {
		s.glassEvent(ctx, account, id, r, "BreakGlassReady", fmt.Sprintf(
			"The emergency root sign-in of account %s that %s started at %s can be used now, once.\nReason: %s\n",
			account, r.Requester.ARN, r.Started.Format(time.RFC3339), r.Reason))
	}
	return glassOf(id, r, now), nil
}

// CancelBreakGlass cancels account's emergency sign-in id; by names who cancels (an approver or a
// contact, as the caller established). ConflictException once it is used or cancelled.
func (s *Service) CancelBreakGlass(ctx context.Context, account, id, by string) error {
	return s.endGlass(ctx, account, id, by, GlassCancelled, func(r *glassRecord, now time.Time) error {
		if r.Status != GlassWaiting && r.Status != GlassReady {
			return conflict("Emergency sign-in %s is %s.", id, r.Status)
		}
		return nil
	})
}

// UseBreakGlass spends account's ready emergency sign-in id for requesterARN (its requester):
// the root sign-in may proceed once. AccessDeniedException before the cooling-off ends, for
// another principal, or once used or cancelled.
func (s *Service) UseBreakGlass(ctx context.Context, account, id, requesterARN string) error {
	return s.endGlass(ctx, account, id, requesterARN, GlassUsed, func(r *glassRecord, now time.Time) error {
		switch {
		case r.Requester.ARN != requesterARN:
			return AccessDenied("Emergency sign-in %s is not yours.", id)
		case r.Status != GlassWaiting && r.Status != GlassReady:
			return AccessDenied("Emergency sign-in %s is %s.", id, r.Status)
		case now.Before(r.Ready):
			return AccessDenied("Emergency sign-in %s waits until %s.", id, r.Ready.Format(time.RFC3339))
		}
		return nil
	})
}

func (s *Service) endGlass(ctx context.Context, account, id, by, status string, allowed func(*glassRecord, time.Time) error) error {
	now := s.cfg.Now().UTC()
	var r *glassRecord
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if r, ok, err = glasses.Get(tx, account, id); err != nil {
			return err
		} else if !ok {
			return notFound("Emergency sign-in %s was not found.", id)
		}
		if err := allowed(r, now); err != nil {
			return err
		}
		r.Status, r.Ended, r.EndedBy = status, now, by
		return glasses.Put(tx, account, id, r)
	})
	if err != nil {
		return err
	}
	verb := map[string]string{GlassCancelled: "cancelled", GlassUsed: "used"}[status]
	s.glassEvent(ctx, account, id, r, "BreakGlass"+map[string]string{GlassCancelled: "Cancelled", GlassUsed: "Used"}[status], fmt.Sprintf(
		"The emergency root sign-in of account %s that %s started at %s was %s by %s.\n", account, r.Requester.ARN, r.Started.Format(time.RFC3339), verb, by))
	return nil
}

// glassEvent records a break-glass step in the trail and tells every approver of the account's
// teams and every contact.
func (s *Service) glassEvent(ctx context.Context, account, id string, r *glassRecord, name, body string) {
	if s.cfg.Trail != nil {
		err := s.cfg.Trail.Record(&trail.Event{
			EventTime: s.cfg.Now().UTC(), UserIdentity: trail.UserIdentity{Type: "AWSService", InvokedBy: EventSource},
			EventSource: EventSource, EventName: name, AWSRegion: s.cfg.Region, EventType: trail.AwsServiceEvent,
			RecipientAccountID: account, AdditionalEventData: map[string]any{"breakGlassId": id, "status": r.Status,
				"requesterPrincipalArn": r.Requester.ARN, "readyTime": r.Ready.Format(time.RFC3339), "endedBy": r.EndedBy},
		})
		if err != nil {
			s.cfg.Log.Error("mpa: recording a break-glass event", "account", account, "err", err)
		}
	}
	subject := "Emergency root sign-in of account " + account + ": " + name[len("BreakGlass"):]
	var teamIDs []string
	_ = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		items, err := tx.List(teams.Name, account, "", "", maxTeams)
		for _, it := range items {
			teamIDs = append(teamIDs, it.Key)
		}
		return err
	})
	for _, t := range teamIDs {
		s.tellTeam(ctx, account, t, subject, body)
	}
	s.tellContacts(ctx, account, subject, body, "mpa-break-glass")
}

// tellContacts sends a message to the account's contacts (Config.Contacts: the security contacts
// and the root email).
func (s *Service) tellContacts(ctx context.Context, account, subject, body, purpose string) {
	if s.cfg.Contacts == nil || s.cfg.Notifier == nil {
		return
	}
	to, err := s.cfg.Contacts(ctx, account)
	if err != nil {
		s.cfg.Log.Error("mpa: reading the contacts of an account", "account", account, "err", err)
	}
	for _, addr := range to {
		m := notify.Message{Channel: notify.Email, To: addr, Subject: subject, Body: body, Account: account, Purpose: purpose}
		if err := s.cfg.Notifier.Send(ctx, m); err != nil {
			s.cfg.Log.Error("mpa: telling a contact", "account", account, "purpose", purpose, "err", err)
		}
	}
}
