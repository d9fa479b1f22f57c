package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/signin"
)

// The root sign-in's multi-party approval, split custody and break-glass pages (internal/signin
// approval.go, internal/mpa). The sign-in waiting for approval keeps its pending token in the
// sign-in cookie as every step does; a custody sign-in's secret and a break-glass's claim are
// cookies of their own, sent only to the sign-in pages, never in a form or URL.

const (
	cookieCustody = "rw_custody"
	cookieGlass   = "rw_breakglass"
)

func (h *Handler) rootApprovalRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /console/signin/approval", h.post(h.approvalContinue))
	m.HandleFunc("POST /console/signin/breakglass", h.post(h.breakGlassStart))
	m.HandleFunc("POST /console/signin/breakglass/use", h.post(h.breakGlassUse))
	m.HandleFunc("POST /console/signin/root/custody", h.post(h.custodyStart))
	m.HandleFunc("GET /console/signin/root/custody", h.custodyPage)
	m.HandleFunc("POST /console/signin/root/custody/continue", h.post(h.custodyContinue))
	m.HandleFunc("GET /console/breakglass/cancel", h.breakGlassCancelPage)
	m.HandleFunc("POST /console/breakglass/cancel", h.post(h.breakGlassCancel))
}

// approvalData is what the approval step's page shows.
type approvalData struct {
	Approval *signin.Approval
	// Glass is the emergency sign-in this browser started, when there is one.
	Glass *signin.BreakGlass
	Ready bool
}

func (h *Handler) showApproval(w http.ResponseWriter, r *http.Request, status int, p *signin.Pending, msg string) {
	h.setPending(w, r, p)
	d := approvalData{Approval: p.Approval}
	if c, err := r.Cookie(cookieGlass); err == nil && c.Value != "" {
		g, err := h.signin.BreakGlassState(r.Context(), p.Token, c.Value)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		d.Glass = g
		d.Ready = g != nil && g.Status == signin.GlassReady
	}
	h.render(w, r, status, "signin_approval", nil, view{Title: "Waiting for approval", Error: msg, Data: d})
}

// approvalContinue looks at the session again: still waiting, signed in, or refused.
func (h *Handler) approvalContinue(w http.ResponseWriter, r *http.Request, _ *session) {
	p, err := h.signin.ContinueApproval(r.Context(), pendingToken(r), client(r))
	if err != nil {
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	h.advance(w, r, p)
}

// breakGlassStart starts an emergency sign-in instead of waiting for the approvers.
func (h *Handler) breakGlassStart(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := pendingToken(r)
	b, err := h.signin.StartBreakGlass(r.Context(), tok, strings.TrimSpace(r.PostFormValue("reason")), client(r))
	if err != nil {
		if p, perr := h.signin.PendingAt(r.Context(), tok); perr == nil && p.Next == signin.StepApproval {
			if msg, ok := userMessage(err); ok {
				h.showApproval(w, r, refusalStatus(err, http.StatusBadRequest), p, msg)
				return
			}
		}
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	h.clearPending(w, r)
	// The claim lives until well after the cooling-off period ends.
	http.SetCookie(w, h.cookie(r, cookieGlass, b.Claim, deviceCookiePath, b.Ready.Sub(h.now())+7*24*time.Hour))
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Emergency sign-in started", Notice: "Emergency sign-in " + b.ID +
		" started. Every approver, the security contact and the root email were told, and any of them can cancel it. From " +
		b.Ready.UTC().Format(time.RFC1123) + ", sign in again from this browser (password and MFA) to use it, once."})
}

// breakGlassUse completes the sign-in with this browser's ready emergency sign-in.
func (h *Handler) breakGlassUse(w http.ResponseWriter, r *http.Request, _ *session) {
	c, _ := r.Cookie(cookieGlass)
	claim := ""
	if c != nil {
		claim = c.Value
	}
	p, err := h.signin.UseBreakGlass(r.Context(), pendingToken(r), claim, client(r))
	if err != nil {
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	http.SetCookie(w, h.cookie(r, cookieGlass, "", deviceCookiePath, -1))
	h.advance(w, r, p)
}

// custodyData is what a custody sign-in's page shows its starting browser.
type custodyData struct {
	Code  string
	State *mpa.CustodySignIn
}

// custodyStart starts a sign-in with password shares: the browser gets the code to give the
// custodians and the MFA group, and keeps the attempt's secret in a cookie.
func (h *Handler) custodyStart(w http.ResponseWriter, r *http.Request, _ *session) {
	d := rootSigninData{Email: strings.TrimSpace(r.PostFormValue("email"))}
	if h.cfg.MPA == nil {
		h.render(w, r, http.StatusNotFound, "signin_root_password", nil, view{Title: "Root user sign in", Error: "Password shares are not configured.", Data: d})
		return
	}
	a, err := h.cfg.MPA.StartCustodySignIn(r.Context(), d.Email, client(r).SourceIP)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			h.render(w, r, refusalStatus(err, http.StatusForbidden), "signin_root_password", nil, view{Title: "Root user sign in", Error: msg, Data: d})
			return
		}
		h.internalError(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(r, cookieCustody, a.Token, deviceCookiePath, mpa.CustodyAttemptLifetime))
	http.Redirect(w, r, "/console/signin/root/custody", http.StatusSeeOther)
}

func (h *Handler) custodyToken(r *http.Request) string {
	if c, err := r.Cookie(cookieCustody); err == nil {
		return c.Value
	}
	return ""
}

// custodyPage shows the attempt's code and how far it is.
func (h *Handler) custodyPage(w http.ResponseWriter, r *http.Request) {
	tok := h.custodyToken(r)
	if h.cfg.MPA == nil || tok == "" {
		http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
		return
	}
	st, err := h.cfg.MPA.CustodySignInState(r.Context(), tok)
	if err != nil {
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	code, _, _ := strings.Cut(tok, ".")
	h.render(w, r, http.StatusOK, "signin_custody", nil, view{Title: "Sign in with password shares", Data: custodyData{Code: code, State: st}})
}

// custodyContinue redeems the attempt once its shares and MFA are in.
func (h *Handler) custodyContinue(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := h.custodyToken(r)
	p, err := h.signin.BeginRootCustodySignIn(r.Context(), tok, client(r))
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		st, serr := h.cfg.MPA.CustodySignInState(r.Context(), tok)
		if serr != nil {
			h.signinFailed(w, r, "signin", nil, err)
			return
		}
		code, _, _ := strings.Cut(tok, ".")
		h.render(w, r, http.StatusConflict, "signin_custody", nil, view{Title: "Sign in with password shares", Error: msg, Data: custodyData{Code: code, State: st}})
		return
	}
	http.SetCookie(w, h.cookie(r, cookieCustody, "", deviceCookiePath, -1))
	h.advance(w, r, p)
}

// breakGlassCancelData carries the cancel link's parameters to its confirmation form.
type breakGlassCancelData struct{ Account, ID, Token string }

// breakGlassCancelPage asks to confirm a cancellation from an emergency sign-in's message: the
// link only shows the form, so that a mail scanner following links cancels nothing.
func (h *Handler) breakGlassCancelPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.render(w, r, http.StatusOK, "breakglass_cancel", nil, view{Title: "Cancel an emergency root sign-in",
		Data: breakGlassCancelData{Account: q.Get("account"), ID: q.Get("id"), Token: q.Get("token")}})
}

func (h *Handler) breakGlassCancel(w http.ResponseWriter, r *http.Request, _ *session) {
	d := breakGlassCancelData{Account: r.PostFormValue("account"), ID: r.PostFormValue("id"), Token: r.PostFormValue("token")}
	if h.cfg.MPA == nil {
		h.renderError(w, r, http.StatusNotFound, "Multi-party approval is not configured.")
		return
	}
	if err := h.cfg.MPA.CancelBreakGlassByToken(r.Context(), d.Account, d.ID, d.Token); err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.render(w, r, http.StatusForbidden, "breakglass_cancel", nil, view{Title: "Cancel an emergency root sign-in", Error: msg, Data: d})
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Emergency sign-in cancelled", Notice: "The emergency root sign-in was cancelled. Everyone it was announced to was told."})
}
