package sts

import (
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
)

// UserSession starts the session GetSessionToken issues to caller, an IAM user or the root user
// with long-term keys, lasting seconds (0: the default). Durations from the STS API reference,
// GetSessionToken: 900–129,600 s for IAM users (default 43,200), at most 3,600 s for the root user
// (default 3,600). Returns AccessDenied for a caller with session credentials and ValidationError
// for a duration out of range.
func UserSession(caller *authz.Identity, now time.Time, seconds int) (*iam.Session, error) {
	if caller.Session != nil {
		return nil, awserr.New(awserr.AccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	lo, hi, def := 900, 129600, 43200
	if caller.Type == iam.PrincipalRoot {
		hi, def = 3600, 3600
	}
	switch {
	case seconds == 0:
		seconds = def
	case seconds < lo:
		return nil, invalid("DurationSeconds", strconv.Itoa(seconds), "Member must have value greater than or equal to "+strconv.Itoa(lo))
	case seconds > hi:
		return nil, invalid("DurationSeconds", strconv.Itoa(seconds), "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
	sess := &iam.Session{
		Account: caller.Account, Type: caller.Type, UserName: caller.UserName, UserID: caller.UserID,
		IssuedAt: now.UTC().Truncate(time.Second), Tags: caller.Tags,
	}
	if caller.Type == iam.PrincipalUser {
		// The user's ARN is arn:aws:iam::ACCOUNT:user/PATH/NAME; the session keeps the path so that
		// its principal is that ARN, which policies may name or match (aws:PrincipalArn).
		sess.UserPath = strings.TrimSuffix(strings.TrimPrefix(caller.ARN, arn.IAM(caller.Account, "user")), caller.UserName)
	}
	sess.Expiration = sess.IssuedAt.Add(time.Duration(seconds) * time.Second)
	return sess, nil
}

// SessionTokenLimits refuses what credentials from sts:GetSessionToken may not do, whatever
// policies allow (STS API reference, GetSessionToken,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html): "You cannot call
// any IAM API operations unless MFA authentication information is included in the request" and
// "You cannot call any AWS STS API except AssumeRole or GetCallerIdentity". Other services
// (Organizations) are not restricted. service is the SigV4 signing name, action the operation.
//
// For IAM, AWS answers InvalidClientTokenId "The security token included in the request is
// invalid." (403), not AccessDenied: that is what users of such sessions report
// (99designs/aws-vault issues 15 and 455, aws/aws-sdk-js issue 460). For STS, the wording follows
// AWS's own "Cannot call GetSessionToken with session credentials" (AccessDenied, 403) with the
// operation's name; AWS documents no text of its own for the other operations.
//
// A session that is not a role session (AssumeRole) nor a privileged root session (AssumeRoot)
// was issued by GetSessionToken, to an IAM user or the root user. A console principal's identity
// is a session of that kind too (authz.IdentityOf): only SigV4 requests are to be checked here.
func SessionTokenLimits(caller *authz.Identity, service, action string) error {
	s := caller.Session
	if s == nil || s.Type == iam.PrincipalAssumedRole || s.AssumedRoot {
		return nil
	}
	if s.Type == iam.PrincipalFederatedUser {
		// GetFederationToken's sessions: "You cannot call any IAM operations using the AWS CLI or
		// AWS API" and "You cannot use these credentials to call any AWS STS operation except
		// GetCallerIdentity" (STS API Reference, GetFederationToken), with the refusals of
		// GetSessionToken's sessions.
		switch {
		case service == "iam":
			return authz.ErrInvalidToken
		case service == "sts" && action != "GetCallerIdentity":
			return awserr.New(awserr.AccessDenied, "Cannot call %s with session credentials", action)
		}
		return nil
	}
	switch service {
	case "iam":
		if !s.MFA {
			return authz.ErrInvalidToken
		}
	case "sts":
		if action != "AssumeRole" && action != "GetCallerIdentity" {
			return awserr.New(awserr.AccessDenied, "Cannot call %s with session credentials", action)
		}
	}
	return nil
}

// SessionIdentity is the caller a session's credentials authenticate as: the assumed role (with
// the role's ARN as aws:PrincipalArn), the user who got the session, or the root user — a member
// account's root for a privileged root session.
func SessionIdentity(sess *iam.Session) *authz.Identity {
	id := &authz.Identity{Account: sess.Account, Type: sess.Type, Session: sess, Tags: sess.Tags}
	switch sess.Type {
	case iam.PrincipalAssumedRole:
		id.ARN = sess.AssumedRoleARN()
		id.PrincipalARN = sess.RoleARN()
		id.UserID = sess.RoleID + ":" + sess.SessionName
	case iam.PrincipalFederatedUser:
		// aws:userid of a federated user is ACCOUNT:NAME, and it has no aws:username (IAM User
		// Guide, "AWS global condition context keys", aws:userid).
		id.ARN = FederatedUserARN(sess)
		id.PrincipalARN = id.ARN
		id.UserID = sess.Account + ":" + sess.SessionName
	case iam.PrincipalUser:
		id.ARN = sess.UserARN()
		id.PrincipalARN = id.ARN
		id.UserID = sess.UserID
		id.UserName = sess.UserName
	default:
		id.ARN = arn.Root(sess.Account)
		id.PrincipalARN = id.ARN
		id.UserID = sess.Account
	}
	return id
}

// MFACaller checks that caller may present an MFA code to STS: only IAM users and the root user
// own MFA devices. A role session has none, and its empty user name must not fall through to "the
// root user" when the code is verified. Returns AccessDenied.
func MFACaller(caller *authz.Identity) error {
	switch caller.Type {
	case iam.PrincipalUser:
		if caller.UserName == "" {
			return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed, unable to validate MFA code.")
		}
	case iam.PrincipalRoot:
	default:
		return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	return nil
}

// WithMFA marks sess as authenticated with an MFA device when it was issued.
func WithMFA(sess *iam.Session) {
	sess.MFA = true
	t := sess.IssuedAt
	sess.MFATime = &t
}
