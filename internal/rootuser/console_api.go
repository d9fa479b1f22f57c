package rootuser

import "context"

// Additions the web console needs (added by the console's author, kept apart from the flows).

// PendingDevices returns the MFA devices of a pending sign-in at its MFA step, so the console can
// show the device choice again after a wrong code without keeping its own copy. Returns
// ExpiredToken.
func (s *Service) PendingDevices(ctx context.Context, token string) ([]Device, error) {
	rec, err := s.loadPending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	return s.Devices(ctx, rec.Account, rec.UserName)
}
