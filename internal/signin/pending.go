package signin

import "context"

// PendingAt returns a pending sign-in as its step's page needs it — the same token, the next step,
// the devices of an MFA step, the window of a registration step — so the console can show a step
// again (after a wrong code, or after a script-driven step) without keeping its own copy of the
// state. It does not spend the token. Returns ExpiredToken.
func (s *Service) PendingAt(ctx context.Context, token string) (*Pending, error) {
	var rec pendingRecord
	var ok bool
	err := s.view(ctx, func(t txn) (err error) {
		ok, err = t.GetJSON(kindPending, "", tokenKey(token), &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok || !s.Now().Before(rec.ExpiresAt) {
		return nil, errPendingGone
	}
	p := &Pending{Token: token, Next: rec.Step, ExpiresAt: rec.ExpiresAt, Kind: kindOf(rec.UserName), Account: rec.Account, UserName: rec.UserName,
		RegistrationOptional: rec.Optional && s.Now().Before(rec.Deadline), MFADeadline: rec.Deadline}
	if rec.Step == StepMFA {
		if p.Devices, err = s.root.Devices(ctx, rec.Account, rec.UserName); err != nil {
			return nil, err
		}
	}
	return p, nil
}
