package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// A sign-in that has passed its password step but not the next one (MFA, a forced password change)
// is pending. Its state stays on the server; the browser holds only a random token in an HttpOnly
// cookie scoped to the sign-in pages, so no step can be skipped by editing a form.
const (
	kindPending  = "console.pending" // global: hex(SHA-256(token)) → pending
	cookieSignin = "rw_signin"
	// pendingLife bounds how long a person may take between the password and the last step.
	pendingLife = 5 * time.Minute
	// pendingAttempts is how many wrong MFA codes end a pending sign-in: the person starts again
	// from the password, which the throttling of password attempts then covers.
	pendingAttempts = 5
)

// pending is an IAM user's sign-in between steps.
type pending struct {
	Account  string    `json:"account"`
	UserName string    `json:"user"`
	Expires  time.Time `json:"expires"`
	Attempts int       `json:"attempts"`
	// MFADone is set once a device code was accepted (or the user has none).
	MFADone bool      `json:"mfa_done"`
	MFAUsed bool      `json:"mfa_used,omitempty"`
	MFATime time.Time `json:"mfa_time,omitzero"`
	// PasswordChange is set when PasswordResetRequired obliges a new password before sign-in.
	PasswordChange bool `json:"password_change,omitempty"`
}

// savePending stores p under a new token and sets the sign-in cookie.
func (h *Handler) savePending(w http.ResponseWriter, r *http.Request, p *pending) error {
	tok := randomToken()
	p.Expires = h.now().UTC().Add(pendingLife)
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := h.st.Update(r.Context(), func(tx store.Tx) error {
		return tx.Insert(kindPending, "", tokenKey(tok), b)
	}); err != nil {
		return err
	}
	http.SetCookie(w, h.cookie(r, cookieSignin, tok, "/console/signin/", pendingLife))
	return nil
}

// updatePending applies fn to the request's pending sign-in in one transaction; fn's error is
// returned and what it changed kept either way. fn must not use the store (a transaction cannot
// nest). Returns errNoPending when there is none, it expired, or its attempts are spent.
func (h *Handler) updatePending(r *http.Request, fn func(p *pending) error) (*pending, error) {
	c, err := r.Cookie(cookieSignin)
	if err != nil || c.Value == "" {
		return nil, errNoPending
	}
	key := tokenKey(c.Value)
	now := h.now().UTC()
	var p pending
	var stepErr error
	err = h.st.Update(r.Context(), func(tx store.Tx) error {
		b, err := tx.Get(kindPending, "", key)
		if errors.Is(err, store.ErrNotFound) {
			return errNoPending
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		if !now.Before(p.Expires) || p.Attempts >= pendingAttempts {
			_ = tx.Delete(kindPending, "", key)
			return errNoPending
		}
		stepErr = fn(&p)
		if b, err = json.Marshal(&p); err != nil {
			return err
		}
		return tx.Put(kindPending, "", key, b)
	})
	if err != nil {
		return nil, err
	}
	return &p, stepErr
}

// endPending deletes the request's pending sign-in and its cookie.
func (h *Handler) endPending(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieSignin); err == nil {
		_ = h.st.Update(ctx, func(tx store.Tx) error {
			_ = tx.Delete(kindPending, "", tokenKey(c.Value))
			return nil
		})
	}
	http.SetCookie(w, h.cookie(r, cookieSignin, "", "/console/signin/", -1))
}

var errNoPending = errors.New("console: no pending sign-in")
