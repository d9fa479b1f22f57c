package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Forms that create or delete something carry a one-time token besides the CSRF token, and answer
// with a redirect (POST-redirect-GET): reloading the page that follows cannot send the form again,
// and a form sent twice (a double click, the browser's "resend") acts once. Each rendered page
// carries a fresh token; spending it inserts its hash, so of two concurrent submissions on any
// node one finds it taken. The CSRF token still proves the form came from this console.

const (
	kindFormSpent = "console.form"   // global: hex(SHA-256(once token)) → formSpent
	kindReveal    = "console.reveal" // global: hex(SHA-256(reveal token)) → reveal
	// revealLifetime is how long a new secret waits to be shown once.
	revealLifetime = 5 * time.Minute
)

type formSpent struct {
	At time.Time `json:"at"`
}

var errFormSpent = errors.New("console: form already sent")

// spendForm spends the one-time token of a posted form. It returns errFormSpent when the form was
// sent before (the caller then redirects without acting) and false when the form has no token.
func (h *Handler) spendForm(ctx context.Context, r *http.Request) error {
	tok := r.PostFormValue("once")
	if tok == "" {
		return errNoFormToken
	}
	b, err := json.Marshal(formSpent{At: h.now().UTC()})
	if err != nil {
		return err
	}
	err = h.st.Update(ctx, func(tx store.Tx) error { return tx.Insert(kindFormSpent, "", tokenKey(tok), b) })
	if errors.Is(err, store.ErrExists) {
		return errFormSpent
	}
	return err
}

var errNoFormToken = errors.New("console: form without its one-time token")

// onceSpent answers a form that cannot act (sent twice, or without its token) with a redirect to
// where it came from, with a notice: nothing was done again.
func (h *Handler) onceRefused(w http.ResponseWriter, r *http.Request, back string, err error) bool {
	switch {
	case errors.Is(err, errFormSpent):
		http.Redirect(w, r, back+"?done="+noticeKey(noticeFormSpent), http.StatusSeeOther)
		return true
	case errors.Is(err, errNoFormToken):
		h.renderError(w, r, http.StatusBadRequest, "This form is out of date. Reload the page and try again.")
		return true
	case err != nil:
		h.internalError(w, r, err)
		return true
	}
	return false
}

const noticeFormSpent = "That form was already sent, so nothing was done again."

// reveal is a new secret waiting to be shown once, to the session that created it. The secret is
// sealed under the master key like every secret at rest.
type reveal struct {
	Session     string    `json:"session"`
	AccessKeyID string    `json:"key_id"`
	Sealed      []byte    `json:"sealed"`
	Root        bool      `json:"root,omitempty"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
}

func revealAD(keyID string) string { return "console.reveal:" + keyID }

// stashSecret keeps a new access key's secret for one showing and returns the path that shows it.
func (h *Handler) stashSecret(ctx context.Context, s *session, keyID, secret string, root bool, created time.Time) (string, error) {
	tok := randomToken()
	rv := reveal{Session: s.key, AccessKeyID: keyID, Sealed: h.iam.Seal([]byte(secret), revealAD(keyID)), Root: root,
		Created: created, Expires: h.now().UTC().Add(revealLifetime)}
	b, err := json.Marshal(rv)
	if err != nil {
		return "", err
	}
	if err := h.st.Update(ctx, func(tx store.Tx) error { return tx.Insert(kindReveal, "", tokenKey(tok), b) }); err != nil {
		return "", err
	}
	return "/console/access-keys/created?" + url.Values{"r": {tok}}.Encode(), nil
}

// takeSecret returns the stashed secret of a token and forgets it, so a reload shows nothing. It
// returns nil when the token is unknown, spent, expired or another session's.
func (h *Handler) takeSecret(ctx context.Context, s *session, tok string) (*newKeyData, error) {
	var rv reveal
	found := false
	err := h.st.Update(ctx, func(tx store.Tx) error {
		found = false
		b, err := tx.Get(kindReveal, "", tokenKey(tok))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &rv); err != nil {
			return err
		}
		if rv.Session != s.key {
			return nil
		}
		found = true
		return tx.Delete(kindReveal, "", tokenKey(tok))
	})
	if err != nil || !found || !h.now().Before(rv.Expires) {
		return nil, err
	}
	secret, err := h.iam.Unseal(rv.Sealed, revealAD(rv.AccessKeyID))
	if err != nil {
		return nil, err
	}
	return &newKeyData{AccessKeyID: rv.AccessKeyID, Secret: string(secret), Root: rv.Root, Created: rv.Created}, nil
}
