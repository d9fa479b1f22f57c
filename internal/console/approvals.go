package console

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/mpaapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/portal"
)

// The approval portal at PUBLIC_URL/approvals (issue 16's "Decided" points): the approvers of
// Multi-party approval teams are Identity Center users, signed in to the access portal with their
// password and MFA (portal.go); the portal's session is theirs here too, and a visitor without
// one signs in at /start and comes back. An approver answers the invitations of the teams that
// name them, and approves or rejects the open sessions of the teams they accepted. Every answer
// is a POST carrying the portal's CSRF token, and goes through internal/mpa (RespondToInvitation,
// Vote, Cancel), which checks the approver against the team again in the transaction that
// counts the vote: the form's session ARN is only a name, the identity is the portal session's.
//
// The requester's view is the console's: PUBLIC_URL/console/approvals/session/TEAM/SESSION shows
// the session a refused protected operation opened to the principal that requested it, who can
// cancel it there.

// approvalsPath is the portal's page; a sign-in that began there returns to it.
const approvalsPath = "/approvals"

func (h *Handler) approvalsRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /approvals", h.approvalsPage)
	m.HandleFunc("GET /approvals/{$}", h.approvalsPage)
	m.HandleFunc("POST /approvals/invitation", h.portalPost(h.approvalsAnswer(h.answerInvitation)))
	m.HandleFunc("POST /approvals/vote", h.portalPost(h.approvalsAnswer(h.vote)))
	m.HandleFunc("POST /approvals/cancel", h.portalPost(h.approvalsAnswer(h.approverCancel)))
	m.HandleFunc("GET /console/approvals/session/{team}/{session}", h.signedIn(h.ownSessionPage))
	m.HandleFunc("POST /console/approvals/session/cancel", h.postSignedIn(h.ownSessionCancel))
	m.HandleFunc("GET /console/approvals/report", h.signedIn(h.custodyReport))
	h.coolingOffRoutes(m)
}

// custodyReport is the custody report (mpa.Report): who requested each protected root operation,
// who approved it, when root was used and for what; an organization's management account sees
// every account of the organization, another account its own. It reads what
// mpa:ListApprovalTeams and mpa:ListSessions answer, so it needs the principal to be allowed
// mpa:ListApprovalTeams.
func (h *Handler) custodyReport(w http.ResponseWriter, r *http.Request, s *session) {
	if h.cfg.MPA == nil {
		h.render(w, r, http.StatusNotFound, "message", s, view{Title: "Root custody report", Error: "Multi-party approval is not configured."})
		return
	}
	if err := api.Allowed(h.run, r, s.principal(), mpaapi.ListApprovalTeams, &mpaapi.ListInput{}); err != nil {
		m, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.render(w, r, http.StatusForbidden, "message", s, view{Title: "Root custody report", Error: m})
		return
	}
	rep, err := h.cfg.MPA.ReportOf(r.Context(), s.Account)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "custody_report", s, view{Title: "Root custody report", Data: rep})
}

// approvalsView is what the approval portal's page gets in view.Data.
type approvalsView struct {
	User  *portal.User
	Inbox *mpa.Inbox
}

// approverSession is the signed-in approver, or nil after answering the request itself (sign-in,
// or a page saying the portal is not configured).
func (h *Handler) approverSession(w http.ResponseWriter, r *http.Request) *portal.Session {
	return h.portalUserSession(w, r, approvalsPath, "Multi-party approval's approval portal is not configured.")
}

// portalUserSession is the Identity Center user signed in to the access portal for the portal's
// page at path (one portalAdvance returns to), or nil after answering the request itself: sign-in,
// then back to path; or notConfigured when the portal or Multi-party approval is not.
func (h *Handler) portalUserSession(w http.ResponseWriter, r *http.Request, path, notConfigured string) *portal.Session {
	if h.cfg.Portal == nil || h.cfg.MPA == nil {
		h.renderError(w, r, http.StatusNotFound, notConfigured)
		return nil
	}
	sess, err := h.portalSession(r)
	if err != nil {
		h.internalError(w, r, err)
		return nil
	}
	if sess == nil {
		// Sign in at the start URL, then come back here (portalAdvance reads the cookie).
		http.SetCookie(w, h.portalCookie(r, cookiePortalNext, path, 30*time.Minute))
		http.Redirect(w, r, "/start", http.StatusSeeOther)
		return nil
	}
	return sess
}

func (h *Handler) approvalsPage(w http.ResponseWriter, r *http.Request) {
	if sess := h.approverSession(w, r); sess != nil {
		h.renderApprovals(w, r, http.StatusOK, sess, "", "")
	}
}

func (h *Handler) renderApprovals(w http.ResponseWriter, r *http.Request, status int, sess *portal.Session, notice, msg string) {
	in, err := h.cfg.MPA.InboxOf(r.Context(), identitycenter.InstanceARN(sess.User.InstanceID), sess.User.UserID)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.renderPortal(w, r, status, "approvals", view{Title: "Approvals", Notice: notice, Error: msg,
		Data: approvalsView{User: sess.User, Inbox: in}})
}

// approvalsAnswer wraps a portal answer: fn gets the approver's identity in the account the form's
// ARN names (none: the user is nobody's approver there) and returns the notice to show; a refusal's
// message is shown on the page with its status.
func (h *Handler) approvalsAnswer(fn func(r *http.Request, who mpa.Identity, target string) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := h.approverSession(w, r)
		if sess == nil {
			return
		}
		target := strings.TrimSpace(r.PostFormValue("arn"))
		res, ok := h.cfg.MPA.ParseARN(target)
		var who mpa.Identity
		var err error
		if ok {
			who, ok, err = h.cfg.MPA.IdentityIn(r.Context(), res.Account, identitycenter.InstanceARN(sess.User.InstanceID), sess.User.UserID)
			if err != nil {
				h.internalError(w, r, err)
				return
			}
		}
		var notice string
		if !ok {
			err = mpa.AccessDenied("You are not an approver of %s.", target)
		} else {
			notice, err = fn(r, who, target)
		}
		if err != nil {
			msg, safe := userMessage(err)
			if !safe {
				h.internalError(w, r, err)
				return
			}
			status := http.StatusConflict
			var e *awserr.Error
			if errors.As(err, &e) && e.Status != 0 {
				status = e.Status
			} else if errors.As(err, &e) && e.Code == awserr.MPAValidation {
				status = http.StatusBadRequest
			}
			h.renderApprovals(w, r, status, sess, "", msg)
			return
		}
		h.renderApprovals(w, r, http.StatusOK, sess, notice, "")
	}
}

func (h *Handler) answerInvitation(r *http.Request, who mpa.Identity, team string) (string, error) {
	accept := r.PostFormValue("response") == "accept"
	t, err := h.cfg.MPA.RespondToInvitation(r.Context(), team, who, accept)
	if err != nil {
		return "", err
	}
	if !accept {
		return "You declined the invitation of approval team " + t.Name + ".", nil
	}
	if t.Status == mpa.TeamActive && t.StatusCode == "" {
		return "You accepted the invitation. Approval team " + t.Name + " is ACTIVE.", nil
	}
	return "You accepted the invitation of approval team " + t.Name + "; it becomes active once every approver accepted.", nil
}

func (h *Handler) vote(r *http.Request, who mpa.Identity, session string) (string, error) {
	response := map[string]string{"approve": mpa.VoteApproved, "reject": mpa.VoteRejected}[r.PostFormValue("response")]
	s, err := h.cfg.MPA.Vote(r.Context(), session, who, response)
	if err != nil {
		return "", err
	}
	notice := "Your response (" + response + ") was recorded."
	if s.Status != mpa.SessionPending {
		notice += " The session is now " + s.Status + "."
	}
	return notice, nil
}

func (h *Handler) approverCancel(r *http.Request, who mpa.Identity, session string) (string, error) {
	if err := h.cfg.MPA.Cancel(r.Context(), session, "", &who); err != nil {
		return "", err
	}
	return "The session was cancelled.", nil
}

// ownSessionView is what the requester's session page gets in view.Data.
type ownSessionView struct {
	Session *mpa.Session
	// Approvals counts the approvers' APPROVED responses.
	Approvals int
}

func (h *Handler) ownSession(r *http.Request, s *session, a string) (*mpa.Session, error) {
	if h.cfg.MPA == nil {
		return nil, mpa.AccessDenied("Multi-party approval is not configured.")
	}
	return h.cfg.MPA.OwnSession(r.Context(), a, s.ARN)
}

// ownSessionARN is the session ARN of the page's path: TEAM/SESSION in an account's session; the
// account is in the query (a member's operation may wait on its management account's team).
func (h *Handler) ownSessionARN(r *http.Request) string {
	if h.cfg.MPA == nil {
		return ""
	}
	return h.cfg.MPA.SessionARN(r.URL.Query().Get("account"), r.PathValue("team"), r.PathValue("session"))
}

func (h *Handler) ownSessionPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderOwnSession(w, r, s, h.ownSessionARN(r), "", "")
}

func (h *Handler) renderOwnSession(w http.ResponseWriter, r *http.Request, s *session, a, notice, msg string) {
	sess, err := h.ownSession(r, s, a)
	if err != nil {
		m, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.render(w, r, http.StatusNotFound, "message", s, view{Title: "Approval session", Error: m})
		return
	}
	d := ownSessionView{Session: sess}
	for _, v := range sess.Responses {
		if v.Response == mpa.VoteApproved {
			d.Approvals++
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusConflict
	}
	h.render(w, r, status, "approval_session", s, view{Title: "Approval session", Notice: notice, Error: msg, Data: d})
}

func (h *Handler) ownSessionCancel(w http.ResponseWriter, r *http.Request, s *session) {
	a := r.PostFormValue("arn")
	if _, err := h.ownSession(r, s, a); err != nil {
		h.renderOwnSession(w, r, s, a, "", "")
		return
	}
	if err := h.cfg.MPA.Cancel(r.Context(), a, s.ARN, nil); err != nil {
		m, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.renderOwnSession(w, r, s, a, "", m)
		return
	}
	h.renderOwnSession(w, r, s, a, "You cancelled the session.", "")
}

// approvalLink is the requester's page of the approval session an error message names ("" when
// it names none): the console shows it beside a protected operation's refusal.
func (h *Handler) approvalLink(msg string) string {
	if h.cfg.MPA == nil {
		return ""
	}
	a := h.cfg.MPA.SessionARNIn(msg)
	res, ok := h.cfg.MPA.ParseARN(a)
	if !ok {
		return ""
	}
	return "/console/approvals/session/" + res.ID + "/" + res.Session + "?account=" + res.Account
}
