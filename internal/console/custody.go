package console

import (
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/portal"
)

// The custodians' and the root MFA group's page in the access portal (PUBLIC_URL/start/custody):
// an Identity Center user signed in as themselves takes their share of a root password once,
// enters it into a root sign-in attempt by the attempt's code, or — a member of the root MFA
// group — answers the attempt's MFA step with a code of the root user's device. Every action is
// the portal session's user's own (internal/mpa custodysignin.go).

func (h *Handler) custodyRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+custodyPath, h.portalCustodyPage)
	m.HandleFunc("POST /start/custody/take", h.portalPost(h.portalTakeShare))
	m.HandleFunc("POST /start/custody/share", h.portalPost(h.portalEnterShare))
	m.HandleFunc("POST /start/custody/mfa", h.portalPost(h.portalCustodyMFA))
	m.HandleFunc("POST /start/custody/rewrap", h.portalPost(h.portalRewrap))
}

// custodyPortalData is what the custody page shows; Share is a share just taken, shown once.
type custodyPortalData struct {
	User    *portal.User
	Share   string
	Account string
	Code    string
}

func person(u *portal.User) mpa.Person {
	return mpa.Person{InstanceARN: arn.SSO("instance/" + u.InstanceID), UserID: u.UserID}
}

// custodyPath is the custody page.
const custodyPath = "/start/custody"

// custodySession is the portal session of a custody page's request, or nil after sending the
// visitor to sign in and back.
func (h *Handler) custodySession(w http.ResponseWriter, r *http.Request) *portal.Session {
	return h.portalUserSession(w, r, custodyPath, "Split custody of the root password is not configured.")
}

func (h *Handler) custodyView(w http.ResponseWriter, r *http.Request, status int, d custodyPortalData, notice, msg string) {
	h.renderPortal(w, r, status, "portal_custody", view{Title: "Root password custody", Notice: notice, Error: msg, Data: d})
}

func (h *Handler) portalCustodyPage(w http.ResponseWriter, r *http.Request) {
	if sess := h.custodySession(w, r); sess != nil {
		h.custodyView(w, r, http.StatusOK, custodyPortalData{User: sess.User, Code: r.URL.Query().Get("code")}, "", "")
	}
}

// custodyDone shows the page after an action: its notice, or the refusal's message.
func (h *Handler) custodyDone(w http.ResponseWriter, r *http.Request, d custodyPortalData, notice string, err error) {
	if err == nil {
		h.custodyView(w, r, http.StatusOK, d, notice, "")
		return
	}
	msg, ok := userMessage(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.custodyView(w, r, refusalStatus(err, http.StatusBadRequest), d, "", msg)
}

// refusalStatus is the status of a page showing a refusal: 429 for a throttled attempt (as the
// sign-in pages answer), otherwise def.
func refusalStatus(err error, def int) int {
	if awserr.IsCode(err, awserr.Throttling) {
		return http.StatusTooManyRequests
	}
	return def
}

func (h *Handler) portalTakeShare(w http.ResponseWriter, r *http.Request) {
	sess := h.custodySession(w, r)
	if sess == nil {
		return
	}
	d := custodyPortalData{User: sess.User, Account: strings.TrimSpace(r.PostFormValue("account"))}
	share, err := h.cfg.MPA.TakeShareAs(r.Context(), d.Account, person(sess.User))
	d.Share = share
	h.custodyDone(w, r, d, "This is your share of the root password of account "+d.Account+". It is shown once and not kept: store it where only you can reach it.", err)
}

func (h *Handler) portalEnterShare(w http.ResponseWriter, r *http.Request) {
	sess := h.custodySession(w, r)
	if sess == nil {
		return
	}
	d := custodyPortalData{User: sess.User, Code: strings.TrimSpace(r.PostFormValue("code"))}
	st, err := h.cfg.MPA.EnterShare(r.Context(), d.Code, person(sess.User), r.PostFormValue("share"))
	notice := ""
	if err == nil {
		notice = "Your share was entered."
		switch {
		case st.Verified:
			notice += " All shares are in and the password is verified; the shares were discarded."
		case st.Failed != "":
			err = mpaRefusal(st.Failed)
		}
	}
	h.custodyDone(w, r, d, notice, err)
}

func (h *Handler) portalCustodyMFA(w http.ResponseWriter, r *http.Request) {
	sess := h.custodySession(w, r)
	if sess == nil {
		return
	}
	d := custodyPortalData{User: sess.User, Code: strings.TrimSpace(r.PostFormValue("code"))}
	err := h.cfg.MPA.ConfirmCustodyMFA(r.Context(), d.Code, person(sess.User), strings.TrimSpace(r.PostFormValue("mfa_code")))
	h.custodyDone(w, r, d, "The root user's MFA step of the sign-in is answered.", err)
}

// portalRewrap asks to re-wrap the user's share for a new custodian: refused, naming the approval
// session, until the team approves; the same request then re-wraps.
func (h *Handler) portalRewrap(w http.ResponseWriter, r *http.Request) {
	sess := h.custodySession(w, r)
	if sess == nil {
		return
	}
	d := custodyPortalData{User: sess.User, Account: strings.TrimSpace(r.PostFormValue("account"))}
	next := strings.TrimSpace(r.PostFormValue("new_custodian"))
	err := h.cfg.MPA.RewrapShare(r.Context(), d.Account, person(sess.User), r.PostFormValue("share"), next)
	h.custodyDone(w, r, d, "Your share was re-wrapped for "+next+", who can now take it once. Yours no longer counts.", err)
}

// mpaRefusal is a message shown as a refusal.
func mpaRefusal(msg string) error { return mpa.AccessDenied("%s", msg) }
