package console

import (
	"net/http"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

type homeData struct {
	Arn     string
	Account string
	// Summary is GetAccountSummary's map, or nil with SummaryDenied when the principal may not read it.
	Summary       map[string]int
	SummaryDenied string
	Users         []string
	UsersDenied   string
	Expires       time.Time
}

// home shows who is signed in and the account at a glance, each panel read through the API as the
// principal: a user without iam:GetAccountSummary sees AWS's AccessDenied message in its place.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, s *session) {
	p := s.principal()
	who, err := api.Invoke(h.run, r, p, stsapi.GetCallerIdentity, &struct{}{})
	if err != nil {
		h.apiError(w, r, s, "Home", err)
		return
	}
	d := homeData{Arn: who.Arn, Account: who.Account, Expires: s.Expires}
	if sum, err := api.Invoke(h.run, r, p, iamapi.GetAccountSummary, &iamapi.GetAccountSummaryInput{}); err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		d.SummaryDenied = msg
	} else {
		d.Summary = sum.SummaryMap
	}
	if users, err := api.Invoke(h.run, r, p, iamapi.ListUsers, &iamapi.ListUsersInput{}); err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		d.UsersDenied = msg
	} else {
		for _, u := range users.Users {
			d.Users = append(d.Users, u.UserName)
		}
	}
	h.render(w, r, http.StatusOK, "home", s, view{Title: "Home", Notice: noticeText(r.URL.Query().Get("done")), Data: d})
}

// apiError shows an API error under the page's own heading: its safe message when it is an AWS error
// (AccessDenied says which permission is missing), nothing of it otherwise.
func (h *Handler) apiError(w http.ResponseWriter, r *http.Request, s *session, title string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, awsproto.Status(e), "message", s, view{Title: title, Error: e.Message})
}

// rootKeyPresent reports whether the account's root user has an access key or signing certificate.
// Root sessions always see it; an IAM user sees it when allowed to read the account summary, which
// reports AccountAccessKeysPresent to the same callers.
func (h *Handler) rootKeyPresent(r *http.Request, s *session) bool {
	if !s.Root() {
		if api.Allowed(h.run, r, s.principal(), iamapi.GetAccountSummary, &iamapi.GetAccountSummaryInput{}) != nil {
			return false
		}
	}
	present, err := h.rootCredentialsPresent(r, s.Account)
	if err != nil {
		h.log.Warn("console: reading root credentials", "account", s.Account, "err", err)
	}
	return present
}
