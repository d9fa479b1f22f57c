package authz

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
)

// Principal is a caller that authenticated without SigV4: a signed-in console session, or an
// operator's command line acting as a named principal. It calls the AWS operations it needs as
// this principal through internal/api, so it can do no more than the same person could with the
// AWS CLI — the same policy evaluation, the same condition keys, the same CloudTrail record.
type Principal struct {
	Account string
	// UserName is the IAM user, "" for the account's root user.
	UserName string
	// UserID is the IAM user's unique ID when the principal signed in as that user: the session
	// then ends with that user, and never passes to a later user of the same name. "" names the
	// user by name alone (an operator's command line, a sign-in still in progress).
	UserID string
	// SessionID identifies the console session in CloudTrail's sessionContext; it is never a secret.
	SessionID string
	// IssuedAt is when the person signed in (aws:TokenIssueTime).
	IssuedAt time.Time
	// MFA reports that the sign-in used an MFA device, at MFATime (aws:MultiFactorAuthPresent and
	// aws:MultiFactorAuthAge: AWS sets both for console sessions, which are temporary credentials).
	MFA     bool
	MFATime time.Time
}

// IdentityOf builds the caller identity of p. A console session is a temporary credential in
// AWS's model, so the identity carries an iam.Session (never stored) with the sign-in time and MFA
// facts; its key — which keys the compiled-policy cache — is the principal itself (by unique ID),
// because a console session has no session policies of its own.
func IdentityOf(ctx context.Context, svc *iam.Service, p Principal) (*Identity, error) {
	sess := &iam.Session{
		AccessKeyID: "console/" + p.Account + "/", Account: p.Account, // the root user's; a user's below
		IssuedAt: p.IssuedAt.UTC().Truncate(time.Second), MFA: p.MFA, SessionName: p.SessionID,
	}
	if p.MFA {
		t := p.MFATime.UTC().Truncate(time.Second)
		sess.MFATime = &t
	}
	if p.UserName == "" {
		sess.Type = iam.PrincipalRoot
		root := arn.Root(p.Account)
		return &Identity{Account: p.Account, Type: iam.PrincipalRoot, ARN: root, PrincipalARN: root,
			UserID: p.Account, Session: sess}, nil
	}
	u, err := svc.GetUser(ctx, p.Account, p.UserName)
	if err != nil {
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			// The user was deleted while signed in: the session no longer names anyone.
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	if p.UserID != "" && p.UserID != u.UserID {
		// Deleted and created again under the same name: not the user who signed in.
		return nil, ErrInvalidToken
	}
	sess.Type, sess.UserName, sess.UserID, sess.Tags = iam.PrincipalUser, u.UserName, u.UserID, u.Tags
	// Key the compiled-policy cache by the user's unique ID, not its name: another node may still
	// hold a set compiled for a deleted user of the same name.
	sess.AccessKeyID = "console/" + p.Account + "/" + u.UserID
	return &Identity{Account: p.Account, Type: iam.PrincipalUser, ARN: u.Arn, PrincipalARN: u.Arn,
		UserID: u.UserID, UserName: u.UserName, Tags: u.Tags, Session: sess}, nil
}
