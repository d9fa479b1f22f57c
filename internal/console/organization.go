package console

import (
	"encoding/json"
	"fmt"
	"github.com/rootward/rootward/internal/awsproto"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/orgsapi"
	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
)

// The organization's root credential inventory (issue 5, item 5): for every account of the
// organization, what its root user could sign in or sign requests with and when root was last
// used, beside AWS's advice for member accounts — delete their root credentials and do the few
// tasks that need root through privileged root sessions (IAM User Guide, "Centrally manage root
// access for member accounts"). The one action, "Delete root credentials", is
// stsapi.DeleteRootCredentials: an sts:AssumeRoot session with IAMDeleteRootUserCredentials opened
// as the signed-in principal, so it is authorized by that principal's policies and the
// organization's features, and recorded in CloudTrail like any privileged task.

const (
	rootAccessPath       = "/console/organization/root-access"
	rootAccessDeletePath = rootAccessPath + "/delete"
)

// rootAccessData is the page.
type rootAccessData struct {
	OrganizationID string
	Features       []string
	// RootSessions is whether privileged root sessions (needed by the delete action) are on;
	// CredentialsManagement whether new member accounts are created without root credentials.
	RootSessions, CredentialsManagement bool
	Accounts                            []rootAccessRow
	// ViewerIsRoot: AssumeRoot refuses root user credentials, so a root session cannot act here.
	ViewerIsRoot bool
	WindowDays   int
	// Deleted is the outcome of the action just taken, if any.
	Deleted *stsapi.RootCredentialDeletion
	// Hint explains how to fix the error shown, when the page knows how.
	Hint string
}

// rootAccessRow is one account of the inventory with what the page derives from it.
type rootAccessRow struct {
	orgs.RootStatus
	MFAKinds   []mfaKindCount
	ActiveKeys int
	// Deletable: a member account (never the management account) whose root has a credential.
	Deletable bool
	Confirm   string
}

type mfaKindCount struct {
	Kind  string
	Count int
}

// mfaKindNames are the console's names of iam.MFADeviceType's kinds, in the order AWS recommends
// them (phishing-resistant first; IAM User Guide, "AWS Multi-factor authentication in IAM").
var mfaKindNames = []struct{ kind, name string }{
	{iam.MFAWebAuthn, "passkey or security key"},
	{iam.MFAHardware, "hardware TOTP token"},
	{iam.MFAVirtual, "authenticator app"},
}

// confirmDeletion is the text of the checkbox that confirms the action, naming the account: the
// form must send it back word for word, so a click on the wrong row's button does nothing.
func confirmDeletion(account string) string {
	return "Delete every root user credential of account " + account
}

// orgAdmin reports whether s is a principal of a management account or of IAM's delegated
// administrator, to whom the layout shows the organization page. Errors hide the link: the page
// itself says what is wrong.
func (h *Handler) orgAdmin(r *http.Request, s *session) bool {
	if h.orgs == nil || s == nil {
		return false
	}
	o, err := h.orgs.OrganizationOf(r.Context(), s.Account)
	if err != nil {
		h.log.Warn("console: reading the organization", "account", s.Account, "err", err)
		return false
	}
	return o != nil && (o.MasterAccountID == s.Account || o.DelegatedAdmin(s.Account, orgs.IAMService))
}

func (h *Handler) organizationRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+rootAccessPath, h.signedIn(h.rootAccess))
	m.HandleFunc("POST "+rootAccessDeletePath, h.postSignedIn(h.deleteRootCredentials))
}

func (h *Handler) rootAccess(w http.ResponseWriter, r *http.Request, s *session) {
	inv, ok := h.rootInventory(w, r, s)
	if !ok {
		return
	}
	var d rootAccessData
	// After a deletion: what it deleted, shown once.
	if tok := r.URL.Query().Get("deleted"); tok != "" {
		rv, err := h.take(r.Context(), revealOwner(r, s), tok)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if rv != nil && len(rv.Outcome) > 0 {
			d.Deleted = new(stsapi.RootCredentialDeletion)
			if err := json.Unmarshal(rv.Outcome, d.Deleted); err != nil {
				h.internalError(w, r, err)
				return
			}
		}
	}
	h.renderRootAccess(w, r, s, http.StatusOK, inv, d, "")
}

// rootInventory authorizes the page and reads the inventory, answering the request itself (and
// returning false) when either fails. An IAM user needs what the same facts need through the API:
// organizations:ListAccounts for the accounts and iam:ListOrganizationsFeatures for centralized
// root access; then Organizations admits only the management account and IAM's delegated
// administrator.
func (h *Handler) rootInventory(w http.ResponseWriter, r *http.Request, s *session) (*orgs.RootInventory, bool) {
	if h.orgs == nil {
		h.renderError(w, r, http.StatusNotFound, "Organizations is not configured for this console.")
		return nil, false
	}
	p := s.principal()
	err := api.Allowed(h.run, r, p, orgsapi.ListAccounts, &orgsapi.ListAccountsInput{})
	if err == nil {
		err = api.Allowed(h.run, r, p, iamapi.ListOrganizationsFeatures, &iamapi.RootAccessInput{})
	}
	if err != nil {
		h.rootAccessDenied(w, r, s, err)
		return nil, false
	}
	inv, err := h.orgs.RootInventory(r.Context(), s.Account)
	if err != nil {
		h.rootAccessRefused(w, r, s, err)
		return nil, false
	}
	return inv, true
}

// rootAccessDenied shows that the principal's policies do not allow what the inventory shows
// (AccessDenied, or AccessDeniedException as Organizations names it), without the hint
// rootAccessRefused gives for Organizations' own refusals.
func (h *Handler) rootAccessDenied(w http.ResponseWriter, r *http.Request, s *session, err error) {
	h.apiRefused(w, r, s, "Root access", err)
}

// apiRefused shows an API error's message on a page titled title, with pageStatus's status; an
// error that is not an AWS error is internal.
func (h *Handler) apiRefused(w http.ResponseWriter, r *http.Request, s *session, title string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, pageStatus(e), "message", s, view{Title: title, Error: e.Message})
}

// pageStatus is the HTTP status of a page that shows an API error: 403 for the services' access
// denied codes (AccessDenied, and AccessDeniedException as the JSON services name it, whose wire
// status is 400), else the code's own.
func pageStatus(e *awserr.Error) int {
	if e.Code == awserr.AccessDenied || e.Code == awserr.OrgsAccessDenied {
		return http.StatusForbidden
	}
	return awsproto.Status(e)
}

// rootAccessRefused shows why the inventory cannot be shown: AWS's message and, for the
// Organizations refusals, who can see it instead.
func (h *Handler) rootAccessRefused(w http.ResponseWriter, r *http.Request, s *session, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	status, msg := awsproto.Status(e), e.Message
	switch e.Code {
	case awserr.AccessDenied:
		status = http.StatusForbidden
	case awserr.OrgsAccessDenied:
		status = http.StatusForbidden
		msg += " The root credential inventory is shown to principals of the organization's management account and of the IAM delegated administrator account."
	case awserr.OrgsNotInUse:
		msg += " The root credential inventory is shown to the management account of an organization."
	}
	h.render(w, r, status, "message", s, view{Title: "Root access", Error: msg})
}

// deleteRootCredentials is the per-account action. The target must be a member account of the
// viewer's inventory whose confirmation was ticked; the rest — sts:AssumeRoot permission,
// RootSessions, SCPs — the privileged task decides and the page shows its answer.
func (h *Handler) deleteRootCredentials(w http.ResponseWriter, r *http.Request, s *session) {
	inv, ok := h.rootInventory(w, r, s)
	if !ok {
		return
	}
	if h.onceRefused(w, r, rootAccessPath, h.spendForm(r.Context(), r)) {
		return
	}
	member := r.PostFormValue("account")
	i := slices.IndexFunc(inv.Accounts, func(a orgs.RootStatus) bool { return a.AccountID == member })
	switch {
	case i < 0:
		h.renderRootAccess(w, r, s, http.StatusBadRequest, inv, rootAccessData{}, "The account is not a member of your organization.")
		return
	case inv.Accounts[i].Management:
		// AssumeRoot never targets the management account (STS API Reference, AssumeRoot:
		// TargetPrincipal is a member account); its root user's
		// credentials are managed by signing in as that root user.
		h.renderRootAccess(w, r, s, http.StatusBadRequest, inv, rootAccessData{}, "The management account's root credentials cannot be deleted through a privileged root session.")
		return
	case r.PostFormValue("confirm") != confirmDeletion(member):
		h.renderRootAccess(w, r, s, http.StatusBadRequest, inv, rootAccessData{}, "Tick the confirmation naming account "+member+" to delete its root credentials.")
		return
	}
	out, err := stsapi.DeleteRootCredentials(h.run, r, s.principal(), member)
	if err != nil {
		e, ok := awserr.As(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		// A refusal changed nothing: the page answers it at once, with the inventory as it is.
		if inv, err = h.orgs.RootInventory(r.Context(), s.Account); err != nil {
			h.rootAccessRefused(w, r, s, err)
			return
		}
		h.renderRootAccess(w, r, s, awsproto.Status(e), inv, rootAccessData{Hint: deletionHint(inv, s)}, e.Message)
		return
	}
	// Done: redirect, so that a reload asks for the page and not for the deletion again, and show
	// what was deleted once, from a short-lived record.
	b, err := json.Marshal(out)
	if err == nil {
		var tok string
		if tok, err = h.stash(r.Context(), reveal{Owner: revealOwner(r, s), Outcome: b, Created: h.now().UTC()}); err == nil {
			http.Redirect(w, r, rootAccessPath+"?"+url.Values{"deleted": {tok}}.Encode(), http.StatusSeeOther)
			return
		}
	}
	h.internalError(w, r, err)
}

// deletionHint says how to make a refused deletion possible, when the cause is one the page can see.
func deletionHint(inv *orgs.RootInventory, s *session) string {
	switch {
	case !slices.Contains(inv.Features, orgs.FeatureRootSessions):
		return "Privileged root sessions are off. From the management account, enable trusted access for IAM if it " +
			"is not yet (aws organizations enable-aws-service-access --service-principal iam.amazonaws.com), then the " +
			"RootSessions feature (aws iam enable-organizations-root-sessions), and try again."
	case s.Root():
		return "Sign in as an IAM user or role of this account that is allowed sts:AssumeRoot: root user credentials cannot open privileged root sessions."
	}
	return ""
}

// renderRootAccess shows the page for inv; d carries the outcome of an action.
func (h *Handler) renderRootAccess(w http.ResponseWriter, r *http.Request, s *session, status int, inv *orgs.RootInventory, d rootAccessData, errMsg string) {
	d.OrganizationID, d.Features = inv.OrganizationID, inv.Features
	d.RootSessions = slices.Contains(inv.Features, orgs.FeatureRootSessions)
	d.CredentialsManagement = slices.Contains(inv.Features, orgs.FeatureRootCredentialsManagement)
	d.ViewerIsRoot, d.WindowDays = s.Root(), int(orgs.LastUseWindow/(24*time.Hour))
	for _, a := range inv.Accounts {
		d.Accounts = append(d.Accounts, rootAccessRowOf(a))
	}
	h.render(w, r, status, "organization", s, view{Title: "Root access across the organization", Error: errMsg, Data: d})
}

// rootAccessRowOf derives the page's row from a; its last use is the inventory's
// (orgs.Service.RootLastUsed), the one `rootward org root-status` prints.
func rootAccessRowOf(a orgs.RootStatus) rootAccessRow {
	row := rootAccessRow{RootStatus: a, Deletable: !a.Management && a.HasCredentials(), Confirm: confirmDeletion(a.AccountID)}
	for _, k := range mfaKindNames {
		n := 0
		for _, d := range a.MFADevices {
			if d.Kind == k.kind {
				n++
			}
		}
		if n > 0 {
			row.MFAKinds = append(row.MFAKinds, mfaKindCount{Kind: k.name, Count: n})
		}
	}
	for _, k := range a.AccessKeys {
		if k.Status == "Active" {
			row.ActiveKeys++
		}
	}
	return row
}

// String renders an MFA kind count for the table.
func (c mfaKindCount) String() string { return fmt.Sprintf("%d × %s", c.Count, c.Kind) }
