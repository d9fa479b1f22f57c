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
	err := h.st.Update(ctx, func(tx store.Tx) error {
		return spentForms.Insert(tx, "", tokenKey(tok), &formSpent{At: h.now().UTC()})
	})
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

// reveal is a new secret waiting to be shown once, to the browser that created it: a session, or
// during sign-in the pending sign-in. Secrets are sealed under the master key like every secret at
// rest. It holds a new access key (AccessKeyID) or a new authenticator app (Serial, Name, QR).
type reveal struct {
	Owner       string `json:"owner"`
	AccessKeyID string `json:"key_id,omitempty"`
	Serial      string `json:"serial,omitempty"`
	Name        string `json:"name,omitempty"`
	Sealed      []byte `json:"sealed"`
	SealedQR    []byte `json:"sealed_qr,omitempty"`
	Root        bool   `json:"root,omitempty"`
	// Outcome is an action's result to show once after its redirect (no secret: the deleted root
	// credentials of a member account, as JSON).
	Outcome json.RawMessage `json:"outcome,omitempty"`
	Created time.Time       `json:"created"`
	Expires time.Time       `json:"expires"`
}

// revealOwner is who may see a stashed secret: the session, or the pending sign-in.
func revealOwner(r *http.Request, s *session) string {
	if s != nil {
		return "session:" + s.key
	}
	if tok := pendingToken(r); tok != "" {
		return "pending:" + tokenKey(tok)
	}
	return ""
}

func revealAD(id string) string { return "console.reveal:" + id }

// stash keeps rv (its secrets sealed by the caller) for one showing and returns the token that
// shows it.
func (h *Handler) stash(ctx context.Context, rv reveal) (string, error) {
	if rv.Owner == "" {
		return "", errors.New("console: a secret to show has no owner")
	}
	tok := randomToken()
	rv.Expires = h.now().UTC().Add(revealLifetime)
	if err := h.st.Update(ctx, func(tx store.Tx) error { return reveals.Insert(tx, "", tokenKey(tok), &rv) }); err != nil {
		return "", err
	}
	return tok, nil
}

// stashSecret keeps a new access key's secret for one showing and returns the path that shows it.
func (h *Handler) stashSecret(ctx context.Context, r *http.Request, s *session, keyID, secret string, root bool, created time.Time) (string, error) {
	tok, err := h.stash(ctx, reveal{Owner: revealOwner(r, s), AccessKeyID: keyID, Sealed: h.iam.Seal([]byte(secret), revealAD(keyID)),
		Root: root, Created: created})
	if err != nil {
		return "", err
	}
	return "/console/access-keys/created?" + url.Values{"r": {tok}}.Encode(), nil
}

// take returns the stashed record of a token and forgets it, so a reload shows nothing. It returns
// nil when the token is unknown, spent, expired or another browser's.
func (h *Handler) take(ctx context.Context, owner, tok string) (*reveal, error) {
	var rv *reveal
	err := h.st.Update(ctx, func(tx store.Tx) error {
		rv = nil
		r, ok, err := reveals.Get(tx, "", tokenKey(tok))
		if err != nil || !ok || owner == "" || r.Owner != owner {
			return err
		}
		rv = r
		return reveals.Delete(tx, "", tokenKey(tok))
	})
	if err != nil || rv == nil || !h.now().Before(rv.Expires) {
		return nil, err
	}
	return rv, nil
}

// takeSecret returns a stashed access key with its secret, once.
func (h *Handler) takeSecret(ctx context.Context, r *http.Request, s *session, tok string) (*newKeyData, error) {
	rv, err := h.take(ctx, revealOwner(r, s), tok)
	if err != nil || rv == nil || rv.AccessKeyID == "" {
		return nil, err
	}
	secret, err := h.iam.Unseal(rv.Sealed, revealAD(rv.AccessKeyID))
	if err != nil {
		return nil, err
	}
	return &newKeyData{AccessKeyID: rv.AccessKeyID, Secret: string(secret), Root: rv.Root, Created: rv.Created}, nil
}

// spentFormRetention is how long a spent form token is remembered. Longer than any session
// (12 hours at most), whose CSRF token every form also needs: a form older than that is refused
// anyway, so forgetting its one-time token cannot make it act twice.
const spentFormRetention = 24 * time.Hour

// Sweep forgets spent form tokens past spentFormRetention and secrets nobody came to see before
// they expired, and returns how many records it removed. serve runs it periodically; without it a
// long-running console would keep one record per form ever sent.
func (h *Handler) Sweep(ctx context.Context) (int, error) {
	now := h.now().UTC()
	removed := 0
	for _, k := range []struct {
		kind    string
		expired func(b []byte) (bool, error)
	}{
		{kindFormSpent, func(b []byte) (bool, error) {
			f, err := spentForms.Decode(b)
			return err == nil && now.Sub(f.At) > spentFormRetention, err
		}},
		{kindReveal, func(b []byte) (bool, error) {
			rv, err := reveals.Decode(b)
			return err == nil && !now.Before(rv.Expires), err
		}},
	} {
		after := ""
		for {
			var n, seen int
			var last string
			err := h.st.Update(ctx, func(tx store.Tx) error {
				n, seen, last = 0, 0, after
				items, err := tx.List(k.kind, "", "", after, 256)
				if err != nil {
					return err
				}
				seen = len(items)
				for _, it := range items {
					last = it.Key
					gone, err := k.expired(it.Body)
					if err != nil {
						return err
					}
					if gone {
						// Neither kind has an index: deleting the object deletes the whole record.
						if err := tx.Delete(k.kind, "", it.Key); err != nil {
							return err
						}
						n++
					}
				}
				return nil
			})
			if err != nil {
				return removed, err
			}
			removed, after = removed+n, last
			if seen < 256 {
				break
			}
		}
	}
	return removed, nil
}
