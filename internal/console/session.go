package console

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
)

// Console sessions live in the store, not in signed cookies, so that signing out (here or
// everywhere) really ends them on every node. The cookie holds 256 random bits; the store keys the
// session by the cookie's SHA-256, so a database reader cannot replay a session from its rows.
const (
	kindSession = "console.session" // global: hex(SHA-256(cookie)) → session

	cookieSession = "rw_session"
	// touchEvery bounds how often a request writes a session's last-seen time: an idle timeout
	// precise to the minute costs one write a minute per active session rather than one a request.
	touchEvery = time.Minute
)

// session is a signed-in console session.
type session struct {
	ID      string // public: shown in CloudTrail's session name; not the cookie
	Account string
	// UserName is the IAM user; "" is the account's root user.
	UserName  string
	Created   time.Time
	LastSeen  time.Time
	Expires   time.Time // absolute timeout
	ARN       string
	UserID    string
	MFA       bool
	MFASerial string
	// CSRF is the session-bound token every form of the session carries.
	CSRF string
	// Epoch is the principal's session epoch (rootuser.Service.SessionEpoch) at sign-in: password
	// recovery, a password change and "sign out everywhere" raise it, which ends this session.
	Epoch int64

	key string // store key (sessionRecord is what is stored)
}

// Root reports whether the session is the root user's.
func (s *session) Root() bool { return s.UserName == "" }

// userID is the signed-in IAM user's unique ID ("" for the root user), which binds the session
// to that user rather than to its name.
func (s *session) userID() string {
	if s.Root() {
		return ""
	}
	return s.UserID
}

// principal is the session as the operations' authorization sees it.
func (s *session) principal() authz.Principal {
	return authz.Principal{Account: s.Account, UserName: s.UserName, UserID: s.userID(), SessionID: s.ID, IssuedAt: s.Created, MFA: s.MFA, MFATime: s.Created}
}

// rootPrincipal is the session as the rootuser service sees it.
func (s *session) rootPrincipal() *rootuser.Principal {
	return &rootuser.Principal{Account: s.Account, Root: s.Root(), UserName: s.UserName, ARN: s.ARN, UserID: s.UserID,
		MFA: s.MFA, MFASerial: s.MFASerial, AuthTime: s.Created, Epoch: s.Epoch}
}

// newSession is the session of a principal the rootuser service signed in.
func newSession(p *rootuser.Principal) *session {
	s := &session{Account: p.Account, ARN: p.ARN, UserID: p.UserID, MFA: p.MFA, MFASerial: p.MFASerial, Epoch: p.Epoch}
	if !p.Root {
		s.UserName = p.UserName
	}
	return s
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// startSession signs a principal in: it stores a new session, sets its cookie and returns it. Any
// session the browser held before is ended first, so a session fixed before sign-in is worthless.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, s *session) error {
	if c, err := r.Cookie(cookieSession); err == nil {
		_ = h.st.Update(r.Context(), func(tx store.Tx) error {
			return sessions.DeleteIfExists(tx, "", tokenKey(c.Value))
		})
	}
	now := h.now().UTC()
	s.ID = "cs-" + randomToken()[:20]
	s.Created, s.LastSeen, s.CSRF = now, now, randomToken()
	life := h.cfg.UserSessionLifetime
	if s.Root() {
		life = h.cfg.RootSessionLifetime
	}
	s.Expires = now.Add(life)
	tok := randomToken()
	s.key = tokenKey(tok)
	err := h.st.Update(r.Context(), func(tx store.Tx) error {
		return sessions.Insert(tx, "", s.key, sessionRecordOf(s))
	})
	if err != nil {
		return err
	}
	http.SetCookie(w, h.cookie(r, cookieSession, tok, "/console/", s.Expires.Sub(now)))
	return nil
}

// cookie builds a console cookie: HttpOnly, SameSite=Strict, Secure under TLS. maxAge 0 makes a
// browser-session cookie; a negative maxAge deletes the cookie.
func (h *Handler) cookie(r *http.Request, name, value, path string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)}
	switch {
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	case maxAge < 0:
		c.MaxAge = -1
	}
	return c
}

// session returns the request's live session, or nil. A session past its absolute or idle timeout,
// or older than its principal's last "sign out everywhere", is deleted and reported as none.
func (h *Handler) session(r *http.Request) (*session, error) {
	c, err := r.Cookie(cookieSession)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	key := tokenKey(c.Value)
	now := h.now().UTC()
	var s *session
	err = h.st.View(r.Context(), func(tx store.Tx) error {
		rec, ok, err := sessions.Get(tx, "", key)
		if ok {
			s = rec.session(key)
		}
		return err
	})
	if err != nil || s == nil {
		return nil, err
	}
	epoch, err := h.root.SessionEpoch(r.Context(), s.Account, s.UserName)
	if err != nil {
		return nil, err
	}
	live := now.Before(s.Expires) && now.Sub(s.LastSeen) < h.cfg.IdleTimeout && s.Epoch >= epoch
	if !live {
		return nil, h.deleteSession(r.Context(), key)
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		s.LastSeen = now
		err = h.st.Update(r.Context(), func(tx store.Tx) error {
			// Only touch a session that still exists: a concurrent sign-out wins.
			if _, ok, err := sessions.Get(tx, "", key); err != nil || !ok {
				return cmp.Or(err, store.ErrNotFound)
			}
			return putSession(tx, s)
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (h *Handler) deleteSession(ctx context.Context, key string) error {
	return h.st.Update(ctx, func(tx store.Tx) error { return sessions.DeleteIfExists(tx, "", key) })
}

// signout ends this browser's session.
func (h *Handler) signout(w http.ResponseWriter, r *http.Request, s *session) {
	if s != nil {
		if err := h.deleteSession(r.Context(), s.key); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	http.SetCookie(w, h.cookie(r, cookieSession, "", "/console/", -1))
	http.Redirect(w, r, "/console/signin?signedout=1", http.StatusSeeOther)
}

// signoutEverywhere ends every session of the signed-in principal, this one included.
func (h *Handler) signoutEverywhere(w http.ResponseWriter, r *http.Request, s *session) {
	if s == nil {
		http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
		return
	}
	if _, err := h.root.EndAllSessions(r.Context(), s.Account, s.UserName); err != nil {
		h.internalError(w, r, err)
		return
	}
	h.signout(w, r, s)
}

// signedIn wraps a page that needs a session: without one the browser goes to sign-in.
func (h *Handler) signedIn(fn func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.session(r)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if s == nil {
			http.Redirect(w, r, "/console/signin?expired=1", http.StatusSeeOther)
			return
		}
		fn(w, r, s)
	}
}
