package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/sigv4"
	"github.com/rootward/rootward/internal/sts"
)

// credential is what authentication learned about an access key.
type credential struct {
	id      *authz.Identity
	secret  string
	session *iam.Session
}

// maxCredentials bounds the credentials kept; past it an arbitrary one makes room.
const maxCredentials = 100_000

// credentialFor returns the cached credential for key ID, or loads it. An entry lasts until one
// of the objects it was read from changes, on any node (store.Cache): the key (deactivated,
// deleted, its last use recorded), the session, its user or role.
func (s *Server) credentialFor(c *call, auth *sigv4.Auth) (*credential, error) {
	return s.creds.Get(c.Ctx, auth.AccessKeyID, func(ctx context.Context) (*credential, error) {
		return s.loadCredential(ctx, c, auth)
	})
}

// loadCredential reads what authentication needs about the access key in auth, under ctx.
func (s *Server) loadCredential(ctx context.Context, c *call, auth *sigv4.Auth) (*credential, error) {
	cr := &credential{}
	switch {
	case strings.HasPrefix(auth.AccessKeyID, "ASIA"):
		// Session answers ErrUnknownKey as well when the session's user or role is gone, also
		// once another took its name: the session is bound to the principal's unique ID.
		sess, err := s.iam.Session(ctx, auth.AccessKeyID, auth.SecurityToken, c.Now)
		if errors.Is(err, iam.ErrUnknownKey) {
			return nil, authz.ErrInvalidToken
		}
		if err != nil {
			return nil, err
		}
		cr.secret, cr.session, cr.id = sess.Secret, sess, sts.SessionIdentity(sess)
		switch sess.Type {
		case iam.PrincipalAssumedRole:
			cr.id.Tags = roleSessionTags(sess)
		case iam.PrincipalUser:
			if cr.id.Tags, err = s.userSessionTags(ctx, sess); err != nil {
				return nil, err
			}
		case iam.PrincipalFederatedUser:
			// The user's tags, each overridden by a session tag of the same key ("session tags
			// override a user tag with the same key", IAM User Guide, "Passing session tags using
			// GetFederationToken"); a root user's federated user has its session tags only.
			if sess.UserName != "" {
				user, err := s.userSessionTags(ctx, &iam.Session{Account: sess.Account, UserName: sess.UserName, UserID: sess.UserID})
				if err != nil {
					return nil, err
				}
				cr.id.Tags = overrideTags(sess.Tags, user)
			}
		}
	default:
		// A key of a deleted user is unknown, also once another user has the name (AWS answers
		// InvalidClientTokenId for the keys of a deleted user).
		k, owner, err := s.iam.AccessKey(ctx, auth.AccessKeyID)
		if errors.Is(err, iam.ErrUnknownKey) {
			return nil, authz.ErrInvalidToken
		}
		if err != nil {
			return nil, err
		}
		if k.Status != "Active" {
			return nil, authz.ErrInvalidToken
		}
		cr.secret, cr.id = k.Secret, keyIdentity(k, owner)
	}
	return cr, nil
}

// authenticate resolves the access key in auth, verifies the signature and returns the caller.
func (s *Server) authenticate(c *call, auth *sigv4.Auth, body []byte) (*authz.Identity, error) {
	cr, err := s.credentialFor(c, auth)
	if err != nil {
		return nil, err
	}
	if cr.session != nil {
		// The token and expiry are checked on every request, cached or not.
		if err := cr.session.Check(auth.SecurityToken, c.Now); err != nil {
			return nil, err
		}
	} else if auth.SecurityToken != "" {
		// A long-term key never carries a session token.
		return nil, authz.ErrInvalidToken
	}
	if err := s.verifier.Verify(c.r, body, auth, cr.secret, c.Now); err != nil {
		return nil, err
	}
	id := *cr.id
	id.AccessKeyID = auth.AccessKeyID
	if id.Session == nil {
		s.noteKeyUse(c, auth)
	}
	return &id, nil
}

// keyIdentity is the caller of a long-term key: owner, the user it was created for, or the
// account's root user when owner is nil.
func keyIdentity(k *iam.AccessKey, owner *iam.User) *authz.Identity {
	if owner == nil {
		return &authz.Identity{
			Account: k.Account, Type: iam.PrincipalRoot, ARN: arn.Root(k.Account),
			PrincipalARN: arn.Root(k.Account), UserID: k.Account,
		}
	}
	return &authz.Identity{
		Account: k.Account, Type: iam.PrincipalUser, ARN: owner.Arn, PrincipalARN: owner.Arn,
		UserID: owner.UserID, UserName: owner.UserName, Tags: owner.Tags,
	}
}

// roleSessionTags are a role session's principal tags (aws:PrincipalTag/*): its session tags —
// those of the request and those a role chain carried on — and its role's current tags, a session
// tag overriding a role tag of the same key regardless of case (IAM User Guide, "Passing session
// tags in AWS STS": "IAM tags – The tags attached to your IAM assumed role", "New session tags
// override existing assumed role or federated user tags with the same tag key, regardless of
// case").
func roleSessionTags(sess *iam.Session) []iam.Tag {
	// RoleTags are read with the session, from the role it is bound to (by unique ID), in the same
	// transaction: never the tags of another role that took the name.
	return overrideTags(sess.Tags, sess.RoleTags)
}

// overrideTags are session's tags and those of principal whose key no session tag has, regardless
// of case.
func overrideTags(session, principal []iam.Tag) []iam.Tag {
	if len(principal) == 0 {
		return session
	}
	tags := append([]iam.Tag(nil), session...)
	for _, t := range principal {
		if !sts.HasTagKey(session, t.Key) {
			tags = append(tags, t)
		}
	}
	return tags
}

// userSessionTags are a user's session's principal tags (GetSessionToken, which takes no tags of
// its own): the user's tags as they are now, as for the user's long-term keys, so that a tag set
// or removed after the session was issued counts at once. Should the user be gone, the session
// keeps the tags it was issued with.
func (s *Server) userSessionTags(ctx context.Context, sess *iam.Session) ([]iam.Tag, error) {
	u, err := s.iam.GetUser(ctx, sess.Account, sess.UserName)
	if awserr.IsCode(err, awserr.NoSuchEntity) || (err == nil && u.UserID != sess.UserID) {
		return sess.Tags, nil
	}
	if err != nil {
		return nil, err
	}
	return u.Tags, nil
}

// maxKeyUse bounds the keys noteKeyUse remembers (a variable for tests).
var maxKeyUse = 10_000

// noteKeyUse records a long-term key's last use, at most once a minute per key and node, so that
// reads stay reads.
func (s *Server) noteKeyUse(c *call, auth *sigv4.Auth) {
	s.keyUseMu.Lock()
	last, seen := s.keyUse[auth.AccessKeyID]
	due := !seen || c.Now.Sub(last) >= time.Minute
	if due {
		if len(s.keyUse) >= maxKeyUse {
			// An entry a minute old says no more than a missing one: drop those, so that the map
			// holds the keys used in the last minute, not every key ever used. Should even those
			// fill half of it, forget them all: their next use is recorded once more, no harm.
			for k, t := range s.keyUse {
				if c.Now.Sub(t) >= time.Minute {
					delete(s.keyUse, k)
				}
			}
			if len(s.keyUse) >= maxKeyUse/2 {
				clear(s.keyUse)
			}
		}
		s.keyUse[auth.AccessKeyID] = c.Now
	}
	s.keyUseMu.Unlock()
	if !due {
		return
	}
	if err := s.iam.RecordKeyUse(c.Ctx, auth.AccessKeyID, auth.Service, auth.Region, c.Now); err != nil {
		s.log.Warn("recording access key use", "request_id", c.RequestID, "err", err)
	}
}
