package portal

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Session is a signed-in Identity Center user's portal session: the cookie value (shown once),
// and when it ends.
type Session struct {
	Token     string
	User      *User
	ExpiresAt time.Time
}

type sessionRecord struct {
	User      User      `json:"user"`
	ExpiresAt time.Time `json:"expires"`
}

// Portal sessions are stored under the SHA-256 of their cookie, like the console's.
var sessions = store.Define(store.Kind[sessionRecord]{Name: "portal.session", Version: 1})

func (s *Service) newSession(ctx context.Context, u *User) (*Session, error) {
	sess := &Session{Token: newSecret("", 32), User: u, ExpiresAt: s.Now().Add(SessionLifetime)}
	rec := &sessionRecord{User: *u, ExpiresAt: sess.ExpiresAt}
	if err := s.update(ctx, func(t txn) error { return sessions.Insert(t, "", secretKey(sess.Token), rec) }); err != nil {
		return nil, err
	}
	return sess, nil
}

// SessionUser returns the live user of a portal session cookie; nil when the session is unknown,
// over, or its user deleted or disabled since.
func (s *Service) SessionUser(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	var rec *sessionRecord
	err := s.view(ctx, func(t txn) error {
		r, ok, err := sessions.Get(t, "", secretKey(token))
		if ok && s.Now().Before(r.ExpiresAt) {
			rec = r
		}
		return err
	})
	if err != nil || rec == nil {
		return nil, err
	}
	u, err := s.dir.UserByID(ctx, rec.User.InstanceID, rec.User.UserID)
	if err != nil || u == nil {
		return nil, err
	}
	return &Session{Token: token, User: u, ExpiresAt: rec.ExpiresAt}, nil
}

// EndSession signs a portal session out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.update(ctx, func(t txn) error { return sessions.DeleteIfExists(t, "", secretKey(token)) })
}
