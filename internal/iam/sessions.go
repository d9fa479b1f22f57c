package iam

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	rwarn "github.com/rootward/rootward/internal/arn"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Session is a set of temporary credentials issued by STS. Only hashes and sealed values are kept:
// the secret is sealed under the master key and the session token is stored as its SHA-256.
type Session struct {
	AccessKeyID  string
	Account      string
	SealedSecret []byte
	TokenHash    []byte
	IssuedAt     time.Time
	Expiration   time.Time
	// Type is PrincipalAssumedRole for AssumeRole, PrincipalUser for GetSessionToken by a user and
	// PrincipalRoot for GetSessionToken by the root user.
	Type           string
	UserName       string
	UserID         string
	RoleName       string
	RoleID         string
	RolePath       string
	SessionName    string
	SourceIdentity string
	MFA            bool
	MFATime        *time.Time
	// Policies are the session policies: inline Policy first, then the documents of PolicyArns,
	// resolved at issue time as AWS does.
	Policies    []PolicyDoc
	HasPolicies bool
	Tags        []Tag
	// TransitiveTagKeys are the keys of Tags that pass on to the sessions this one assumes (role
	// chaining): the request's TransitiveTagKeys and those the calling session passed on to it.
	TransitiveTagKeys []string
	// AssumedRoot marks a privileged root session issued by sts:AssumeRoot: Type is PrincipalRoot,
	// Account the member account, TaskPolicies the deny-only root-task policy (resolved at issue
	// time), and Source* the principal that called AssumeRoot (kept for CloudTrail).
	AssumedRoot   bool
	TaskPolicies  []PolicyDoc
	SourceARN     string
	SourceAccount string
	SourceID      string
	SourceType    string
	// RoleTags are the current tags of an AssumeRole session's role, filled by Service.Session from
	// the role the session is bound to; never stored.
	RoleTags []Tag
	// ServiceLinked is the role's Role.ServiceLinked when the session was issued: the session of
	// a service-linked role, which SCPs do not govern.
	ServiceLinked bool
	// UserPath is the user's path when a user's session was issued, so that its ARN is the user's.
	UserPath string
	// FederatedProvider is the ARN of the IAM SAML or OpenID Connect provider through which
	// AssumeRoleWithSAML or AssumeRoleWithWebIdentity issued the session; "" for other sessions.
	FederatedProvider string
	// Credentials, filled only when the session is issued or looked up for authentication.
	Secret string
	Token  string
}

// RoleSession starts the session of an AssumeRole of r (in account): the role's identity and its
// service-linked mark, which a session takes from its role and from nothing else.
func RoleSession(account string, r *Role) *Session {
	return &Session{Account: account, Type: PrincipalAssumedRole, RoleName: r.RoleName, RoleID: r.RoleID,
		RolePath: r.Path, ServiceLinked: r.ServiceLinked}
}

// AssumedRoleARN is the session's principal ARN, arn:aws:sts::ACCT:assumed-role/ROLE/SESSION.
func (s *Session) AssumedRoleARN() string {
	return rwarn.AssumedRole(s.Account, s.RoleName, s.SessionName)
}

// UserARN is the ARN of the user behind a GetSessionToken session: the user's own, path included,
// as GetCallerIdentity and every policy that names the user see it.
func (s *Session) UserARN() string {
	path := s.UserPath
	if path == "" {
		path = "/"
	}
	return userARN(s.Account, path, s.UserName)
}

// RoleARN is the ARN of the role behind an AssumeRole session.
func (s *Session) RoleARN() string {
	return rwarn.IAMEntity(s.Account, "role", s.RolePath, s.RoleName)
}

func sessionAD(id string) string { return "session:" + id }

// IssueSession stores a new session and fills in its key ID, secret and token.
func (s *Service) IssueSession(ctx context.Context, sess *Session) error {
	sess.AccessKeyID = newKeyID("ASIA", sess.Account)
	sess.Secret = newSecret()
	tok := make([]byte, 96)
	if _, err := rand.Read(tok); err != nil {
		panic(err)
	}
	sess.Token = base64.StdEncoding.EncodeToString(tok)
	h := sha256.Sum256([]byte(sess.Token))
	sess.TokenHash = h[:]
	sess.SealedSecret = s.seal.Seal([]byte(sess.Secret), sessionAD(sess.AccessKeyID))
	return store.Update(ctx, s.st, func(t txn) error {
		return sessions.Insert(t, "", sess.AccessKeyID, sessionRecordOf(sess))
	})
}

// Session returns the session of a temporary key ID after checking the presented session token
// (in constant time) and the expiry. Returns ErrUnknownKey for an unknown key ID and for a session
// whose principal is gone (see sessionPrincipal), or *awserr.Error InvalidClientTokenId for a
// wrong token and ExpiredToken for an expired session.
func (s *Service) Session(ctx context.Context, id, token string, now time.Time) (*Session, error) {
	var sess *Session
	var live bool
	err := s.view(ctx, func(t txn) error {
		r, ok, err := sessions.Get(t, "", id)
		if err != nil || !ok {
			return err
		}
		sess = r.session()
		live, err = t.sessionPrincipal(sess)
		return err
	})
	if err != nil {
		return nil, err
	}
	if sess == nil {
		return nil, ErrUnknownKey
	}
	if err := sess.Check(token, now); err != nil {
		return nil, err
	}
	if !live {
		return nil, ErrUnknownKey
	}
	secret, err := s.seal.Open(sess.SealedSecret, sessionAD(id))
	if err != nil {
		return nil, err
	}
	sess.Secret = string(secret)
	return sess, nil
}

// sessionPrincipal reports whether the principal a session was issued to still exists: the user
// (GetSessionToken) or role (AssumeRole) with the unique ID the session records — never another
// user or role that took the name after it was deleted — or the account, for the root user's
// sessions and sts:AssumeRoot sessions. A chained role session depends on its own role only, not
// on the role or user whose credentials requested it. It fills a role session's RoleTags.
func (t txn) sessionPrincipal(sess *Session) (bool, error) {
	var id, want string
	var err error
	switch sess.Type {
	case PrincipalUser:
		var u *User
		if u, err = t.user(sess.Account, sess.UserName); err == nil {
			id, want = u.UserID, sess.UserID
		}
	case PrincipalFederatedUser:
		if sess.UserName == "" {
			var a *Account
			if a, err = t.account(sess.Account); err == nil {
				id, want = a.ID, sess.Account
			}
			break
		}
		var u *User
		if u, err = t.user(sess.Account, sess.UserName); err == nil {
			id, want = u.UserID, sess.UserID
		}
	case PrincipalAssumedRole:
		var r *Role
		if r, err = t.role(sess.Account, sess.RoleName); err == nil {
			id, want = r.RoleID, sess.RoleID
			sess.RoleTags = r.Tags
		}
	case PrincipalRoot:
		var a *Account
		if a, err = t.account(sess.Account); err == nil {
			id, want = a.ID, sess.Account
		}
	default:
		return false, nil
	}
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return id != "" && id == want, nil
}

// Check verifies a presented session token against the stored hash, in constant time, and the
// expiry. Returns InvalidClientTokenId or ExpiredToken.
func (s *Session) Check(token string, now time.Time) error {
	h := sha256.Sum256([]byte(token))
	if token == "" || subtle.ConstantTimeCompare(h[:], s.TokenHash) != 1 {
		return awserr.New(awserr.InvalidClientTokenID, "The security token included in the request is invalid.")
	}
	if !now.Before(s.Expiration) {
		return awserr.New(awserr.ExpiredToken, "The security token included in the request is expired")
	}
	return nil
}
