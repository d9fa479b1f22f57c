package api

import (
	"errors"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// MFAOutcome passes on err, the answer of an operation that checked an MFA code. When a wrong code
// has just locked the device or the principal (internal/iam guessing.go), the lock is recorded in
// CloudTrail and Deps.MFALocked alerts the account's security contacts; the caller still gets the
// wrong code's answer.
func (c *Call) MFAOutcome(err error) error {
	var locked *iam.MFALockedError
	if !errors.As(err, &locked) {
		return err
	}
	l := locked.Lock
	var rerr error
	if c.Trail != nil {
		// AWS writes no record for this (it has no such lock on the API): the record is Rootward's,
		// an AwsServiceEvent of IAM, which owns MFA devices, naming the principal whose device or
		// allowance locked.
		rerr = c.Trail.Record(&trail.Event{
			UserIdentity: UserIdentity(c.Caller), EventTime: c.Now,
			EventSource: "iam.amazonaws.com", EventName: "MFALockout", AWSRegion: c.Region,
			SourceIPAddress: c.SourceIP, UserAgent: c.HTTP.UserAgent(), RequestID: c.RequestID,
			EventType: trail.AwsServiceEvent, RecipientAccountID: l.Account,
			AdditionalEventData: map[string]any{
				"serialNumber": l.Serial, "userName": l.UserName, "operation": c.Service + ":" + l.Operation,
				"deviceLocked": l.Device, "principalLocked": l.Principal, "lockedUntil": l.Until.UTC().Format(time.RFC3339),
			},
		})
	}
	if c.MFALocked != nil {
		c.MFALocked(c.Ctx, l)
	}
	if rerr != nil {
		// Not answered without its record: the client is told of an internal error instead.
		return rerr
	}
	return err
}
