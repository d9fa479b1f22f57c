package signin

import (
	"context"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/rootuser"
)

// BeginMFARecovery starts a lost-MFA recovery from a root sign-in at its MFA step, which proved
// the root password: the recovery itself is the root-user service's (BeginMFARecoveryFor). The
// pending sign-in stays at its MFA step. Returns ExpiredToken, AccessDenied (recovery not allowed,
// or not a root sign-in), InvalidInput (no phone number), EntityAlreadyExists (a recovery is in
// its cooling-off period), Throttling.
func (s *Service) BeginMFARecovery(ctx context.Context, token string, c Client) (*rootuser.MFARecovery, error) {
	pend, err := s.loadPending(ctx, token, StepMFA)
	if err != nil {
		return nil, err
	}
	if pend.UserName != "" {
		return nil, awserr.New(awserr.AccessDenied, "IAM users recover MFA through their administrator.")
	}
	return s.root.BeginMFARecoveryFor(ctx, pend.Account, c)
}
