package iam

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// VerifyMFACode checks a TOTP code of an MFA device assigned to the user (root when user is "").
func (s *Service) VerifyMFACode(ctx context.Context, account, user, serial, code string, now time.Time) error {
	// Virtual MFA devices are not stored yet, so no serial can be assigned to the caller.
	return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed, unable to validate MFA code. Device %s is not assigned to the caller.", serial)
}
