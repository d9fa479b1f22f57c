package mpa

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// An account's break-glass settings: its cooling-off period, which only an approved change sets
// (issue 16 item 4: "configurable only through an approved change"), and the cancel links of the
// emergency sign-ins' messages.

type glassSettings struct {
	CoolingOff time.Duration `json:"cooling_off"`
	Changed    time.Time     `json:"changed"`
	ChangedBy  string        `json:"changed_by"`
	Session    string        `json:"session,omitempty"`
}

var glassSetting = store.Define(store.Kind[glassSettings]{Name: "mpa.breakglass.settings", Version: 1})

const glassSettingsKey = "settings"

// Bounds of a cooling-off period: Rootward's choice (AWS has no break-glass). An hour at least, so
// that the messages can reach someone; thirty days at most.
const (
	MinCoolingOff = time.Hour
	MaxCoolingOff = 30 * 24 * time.Hour
)

// CoolingOff is account's emergency sign-in wait: the approved setting, else Config.CoolingOff,
// else DefaultCoolingOff.
func (s *Service) CoolingOff(ctx context.Context, account string) (time.Duration, error) {
	var d time.Duration
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := glassSetting.Get(tx, account, glassSettingsKey)
		if ok {
			d = r.CoolingOff
		}
		return err
	})
	switch {
	case err != nil:
		return 0, err
	case d > 0:
		return d, nil
	case s.cfg.CoolingOff > 0:
		return s.cfg.CoolingOff, nil
	}
	return DefaultCoolingOff, nil
}

// SetCoolingOff changes account's emergency sign-in wait to d. It is a change the team protecting
// RootSignIn must approve: the first request opens a session and is refused with
// AccessDeniedException naming it; the same request after the session is approved takes effect,
// once. ValidationException for d out of bounds; ConflictException when no active team protects
// the root sign-in (nobody could approve the change).
func (s *Service) SetCoolingOff(ctx context.Context, account string, d time.Duration, requester Requester) error {
	if d < MinCoolingOff || d > MaxCoolingOff {
		return validation("A cooling-off period is between %s and %s.", MinCoolingOff, MaxCoolingOff)
	}
	_, _, t, err := s.protecting(ctx, account, RootSignIn, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	if t == nil {
		return conflict("No active approval team protects the root sign-in of account %s: nobody could approve a change of its cooling-off period.", account)
	}
	err = s.Check(ctx, Request{Account: account, Operation: "UpdateBreakGlassCoolingOff", Policy: RootSignIn, Action: "mpa:UpdateBreakGlassCoolingOff",
		Params: []byte(strconv.FormatInt(int64(d/time.Second), 10)), Requester: requester})
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return glassSetting.Put(tx, account, glassSettingsKey, &glassSettings{CoolingOff: d, Changed: s.cfg.Now().UTC(), ChangedBy: requester.ARN})
	})
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
