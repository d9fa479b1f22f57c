package console

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/portal"
)

// Passkeys at the portal's MFA steps, for static/webauthn.js (the console's own script, pointed at
// these URLs by the buttons' data attributes): JSON in and out, the pending sign-in in its cookie,
// the CSRF token in the X-CSRF-Token header (portalPost). The ceremonies are internal/portal's.

func portalPendingToken(r *http.Request) string {
	if c, err := r.Cookie(cookiePortalPending); err == nil {
		return c.Value
	}
	return ""
}

// portalPasskeyDone answers a finished passkey step: the sign-in's session cookie and where the
// browser goes next.
func (h *Handler) portalPasskeyDone(w http.ResponseWriter, r *http.Request, p *portal.Pending, err error) {
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	if p.Next != portal.StepDone {
		h.jsonError(w, r, awserr.New(awserr.ExpiredToken, "Your sign-in session has expired or was already used. Please sign in again."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": h.portalSignedIn(w, r, p)})
}

func (h *Handler) portalPasskeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	creation, err := h.cfg.Portal.BeginPasskeyRegistration(r.Context(), portalPendingToken(r))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"options": creation})
}

func (h *Handler) portalPasskeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		h.jsonError(w, r, awserr.New(awserr.InvalidInput, "The request could not be read."))
		return
	}
	p, err := h.cfg.Portal.CompletePasskeyRegistration(r.Context(), portalPendingToken(r), in.Credential, portalCall(r))
	h.portalPasskeyDone(w, r, p, err)
}

func (h *Handler) portalPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	a, err := h.cfg.Portal.BeginPasskeyMFA(r.Context(), portalPendingToken(r), portalCall(r))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (h *Handler) portalPasskey(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.jsonError(w, r, awserr.New(awserr.InvalidInput, "The request could not be read."))
		return
	}
	p, err := h.cfg.Portal.CompletePasskeyMFA(r.Context(), portalPendingToken(r), body, portalCall(r))
	h.portalPasskeyDone(w, r, p, err)
}
