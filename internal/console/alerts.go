package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
)

// The root-activity alert's page (issue 12, item 5): the account's alert (its rule's state, who
// receives it, the runbook it carries) and, for the account that owns the settings — the
// organization's management account, or a standalone account — a form to edit the runbook and
// the extra recipients.
//
// The alert is the EventBridge rule RootwardRootActivity, so the page asks what the rule's API
// would: seeing it needs events:DescribeRule on the account's rule, editing its recipients and
// runbook events:PutTargets on the owner's rule (they are where the rule's matches go). The root
// user of the owner account is allowed both, as for the API; an administrator is whoever the
// account's policies allow them. Neither EventBridge operation is invoked: the settings are
// Rootward's own, kept by internal/alerts, and each edit is recorded in the owner's trail.

const alertsPath = "/console/alerts"

// alertSettings is what the page reads of the alert service; edits go through alertsGuard.
type alertSettings interface {
	ScopeOf(ctx context.Context, account string) (alerts.Scope, error)
	SettingsOf(ctx context.Context, scope string) (*alerts.Settings, error)
	RecipientsOf(ctx context.Context, account string) (*alerts.Recipients, error)
	StateOf(ctx context.Context, account string) (alerts.State, error)
}

// alertsGuard edits the settings once the editor is authorized.
type alertsGuard struct {
	h   *Handler
	svc *alerts.Service
}

// alertsPage is the page's state in the Handler: nil reads and edits when no alert service is
// configured.
type alertsPage struct {
	read  alertSettings
	guard alertsGuard
}

func newAlertsPage(h *Handler, svc *alerts.Service) *alertsPage {
	if svc == nil {
		return nil
	}
	return &alertsPage{read: svc, guard: alertsGuard{h: h, svc: svc}}
}

func (h *Handler) alertsRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+alertsPath, h.signedIn(h.alertsView))
	m.HandleFunc("POST "+alertsPath, h.postSignedIn(h.alertsSave))
}

// alertsData is the page.
type alertsData struct {
	State      alerts.State
	Scope      alerts.Scope
	ScopeLabel string
	Recipients []string
	Extra      string
	Runbook    string
	OwnRunbook bool
	UpdatedBy  string
	UpdatedAt  time.Time
	// Owner is whether this account owns the settings; CanEdit whether the principal may edit
	// them.
	Owner, CanEdit bool
}

// ruleARN is the ARN of account's alert rule.
func (h *Handler) ruleARN(r *http.Request, account string) string {
	return arn.EventBridge(h.run.NewCall(r).Region, account, "rule/"+alerts.RuleName)
}

// authorizeAction decides action on resource for the session's principal, with the API's policy
// evaluation (identity policies, boundaries, SCPs); it returns the call's identity when allowed.
func (h *Handler) authorizeAction(r *http.Request, s *session, action, resource string) (*authz.Identity, error) {
	c := h.run.NewCall(r)
	id, err := authz.IdentityOf(r.Context(), h.cfg.IAM, s.principal())
	if err != nil {
		return nil, err
	}
	c.Caller = id
	if err := c.Authorize(action, resource, nil); err != nil {
		return nil, err
	}
	return id, nil
}

func (h *Handler) alertsView(w http.ResponseWriter, r *http.Request, s *session) {
	d, ok := h.alertsFacts(w, r, s)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("saved") == "1" {
		notice = "Saved: the next alert carries these settings."
	}
	h.render(w, r, http.StatusOK, "alerts", s, view{Title: "Root activity alerts", Data: d, Notice: notice})
}

// alertsFacts authorizes the page and reads it, answering the request itself (and returning false)
// when either fails.
func (h *Handler) alertsFacts(w http.ResponseWriter, r *http.Request, s *session) (*alertsData, bool) {
	if h.alerts == nil {
		h.renderError(w, r, http.StatusNotFound, "The root-activity alert is not configured for this console.")
		return nil, false
	}
	if _, err := h.authorizeAction(r, s, "events:DescribeRule", h.ruleARN(r, s.Account)); err != nil {
		h.alertsError(w, r, s, err)
		return nil, false
	}
	ctx := r.Context()
	read := h.alerts.read
	st, err := read.StateOf(ctx, s.Account)
	if err != nil {
		h.internalError(w, r, err)
		return nil, false
	}
	rc, err := read.RecipientsOf(ctx, s.Account)
	if err != nil {
		h.internalError(w, r, err)
		return nil, false
	}
	set, err := read.SettingsOf(ctx, rc.Scope.ID)
	if err != nil {
		h.internalError(w, r, err)
		return nil, false
	}
	d := &alertsData{State: st, Scope: rc.Scope, Recipients: rc.To, Extra: strings.Join(set.Recipients, "\n"),
		Runbook: set.Runbook, OwnRunbook: set.Own, UpdatedBy: set.UpdatedBy, UpdatedAt: set.UpdatedAt, Owner: rc.Scope.Owner == s.Account}
	d.ScopeLabel = "this account"
	if rc.Scope.ID != s.Account {
		d.ScopeLabel = "organization " + rc.Scope.ID
	}
	if d.Owner {
		_, err := h.authorizeAction(r, s, "events:PutTargets", h.ruleARN(r, s.Account))
		d.CanEdit = err == nil
	}
	return d, true
}

func (h *Handler) alertsError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if msg, ok := userMessage(err); ok {
		h.render(w, r, http.StatusForbidden, "message", s, view{Title: "Root activity alerts", Error: msg})
		return
	}
	h.internalError(w, r, err)
}

func (h *Handler) alertsSave(w http.ResponseWriter, r *http.Request, s *session) {
	if h.alerts == nil {
		h.renderError(w, r, http.StatusNotFound, "The root-activity alert is not configured for this console.")
		return
	}
	if err := h.alerts.guard.edit(r, s, r.PostFormValue("runbook"), r.PostFormValue("recipients")); err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		d, ok := h.alertsFacts(w, r, s)
		if !ok {
			return
		}
		// The form as it was sent, so that nothing typed is lost.
		d.Runbook, d.Extra, d.OwnRunbook = r.PostFormValue("runbook"), r.PostFormValue("recipients"), true
		status := http.StatusBadRequest
		if awserr.IsCode(err, awserr.AccessDenied) {
			status = http.StatusForbidden
		}
		h.render(w, r, status, "alerts", s, view{Title: "Root activity alerts", Data: d, Error: msg})
		return
	}
	http.Redirect(w, r, alertsPath+"?saved=1", http.StatusSeeOther)
}

// edit authorizes the principal (the settings' owner account, events:PutTargets on its rule),
// checks both fields, then saves them. Returns AccessDenied or InvalidParameterValue; nothing
// changes unless both fields are valid.
func (g alertsGuard) edit(r *http.Request, s *session, runbook, recipients string) error {
	h := g.h
	ctx := r.Context()
	sc, err := g.svc.ScopeOf(ctx, s.Account)
	if err != nil {
		return err
	}
	if sc.Owner != s.Account {
		return &awserr.Error{Code: awserr.AccessDenied, Message: "The alert settings of organization " + sc.ID +
			" are edited from its management account, " + sc.Owner + "."}
	}
	id, err := h.authorizeAction(r, s, "events:PutTargets", h.ruleARN(r, s.Account))
	if err != nil {
		return err
	}
	runbook = strings.TrimSpace(strings.ReplaceAll(runbook, "\r\n", "\n"))
	if err := alerts.CheckRunbook(runbook); err != nil {
		return err
	}
	list, err := alerts.ParseRecipients(recipients)
	if err != nil {
		return err
	}
	by := alerts.Editor{Identity: api.UserIdentity(id), SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Account: s.Account}
	if err := g.svc.SetRunbook(ctx, sc.ID, runbook, by); err != nil {
		return err
	}
	return g.svc.SetRecipients(ctx, sc.ID, list, by)
}
