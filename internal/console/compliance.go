package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/orgsapi"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/compliance/rollup"
)

// The Compliance pages (issue 13, item 7): the account's root-user and IAM checks — the checks
// behind Rootward's AWS Config rules, Security Hub controls and Trusted Advisor checks — evaluated
// live on Rootward's own state (compliance.Gatherer, compliance.EvaluateAll), each with its status,
// the evidence and the fix; for the management account, the same checks across the organization,
// one row per account and check; and the account's IAM credential report as a CSV download.
//
// What the pages show is what IAM's read actions show, so they ask for them: the account's page
// needs iam:GetAccountAuthorizationDetails (every user, group and policy with its attachments,
// what the checks read), the organization's also organizations:ListAccounts (invoked as the
// signed-in principal, which Organizations allows only to the management account and a delegated
// administrator). The download invokes iam:GenerateCredentialReport and iam:GetCredentialReport
// as the principal, so it is authorized and recorded in CloudTrail like the CLI's.

const (
	compliancePath       = "/console/compliance"
	complianceOrgPath    = compliancePath + "/organization"
	credentialReportPath = compliancePath + "/credential-report"
)

// complianceFacts reads an account's facts (compliance.Gatherer).
type complianceFacts interface {
	Gather(ctx context.Context, account string) (*compliance.Facts, error)
}

func (h *Handler) complianceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+compliancePath, h.signedIn(h.complianceView))
	m.HandleFunc("GET "+complianceOrgPath, h.signedIn(h.complianceOrgView))
	m.HandleFunc("POST "+credentialReportPath, h.postSignedIn(h.credentialReportDownload))
}

// complianceData is the account's page.
type complianceData struct {
	Counts []statusCount
	Checks []complianceCheck
	// OrgView links the organization's view (the viewer's account manages an organization).
	OrgView bool
}

// statusCount is how many checks have a status, for the page's summary.
type statusCount struct {
	Status string
	Count  int
}

// complianceCheck is one check with its folded status and each resource's result.
type complianceCheck struct {
	rollup.Row
	Controls string // the Security Hub controls it backs, e.g. "IAM.9, Account.1"
	Results  []compliance.Result
}

// statusOrder is the order of the summary: what needs attention first.
var statusOrder = []string{string(compliance.Failed), string(compliance.Error), string(compliance.Passed), string(compliance.NotApplicable)}

func (h *Handler) complianceView(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.complianceAllowed(w, r, s) {
		return
	}
	f, err := h.compliance.Gather(r.Context(), s.Account)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	results := compliance.EvaluateAll(f)
	byCheck := map[string][]compliance.Result{}
	for _, res := range results {
		byCheck[res.Check] = append(byCheck[res.Check], res)
	}
	checks := compliance.Checks()
	var d complianceData
	counts := map[string]int{}
	for i, row := range rollup.Rows(s.Account, checks, results) {
		var controls []string
		for _, c := range checks[i].SecurityHub {
			controls = append(controls, c.ID)
		}
		d.Checks = append(d.Checks, complianceCheck{Row: row, Controls: strings.Join(controls, ", "), Results: byCheck[row.ID]})
		counts[row.Status]++
	}
	for _, st := range statusOrder {
		d.Counts = append(d.Counts, statusCount{Status: st, Count: counts[st]})
	}
	d.OrgView = h.managesOrganization(r, s)
	h.render(w, r, http.StatusOK, "compliance", s, view{Title: "Compliance", Data: d})
}

// complianceAllowed answers the request itself (and returns false) when the page cannot be shown:
// no engine configured, or the principal may not read what the checks read.
func (h *Handler) complianceAllowed(w http.ResponseWriter, r *http.Request, s *session) bool {
	if h.compliance == nil {
		h.renderError(w, r, http.StatusNotFound, "Compliance checks are not configured for this console.")
		return false
	}
	err := api.Allowed(h.run, r, s.principal(), iamapi.GetAccountAuthorizationDetails, &iamapi.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		h.complianceRefused(w, r, s, err)
		return false
	}
	return true
}

// complianceRefused shows an API refusal with its status (403 for access denied).
func (h *Handler) complianceRefused(w http.ResponseWriter, r *http.Request, s *session, err error) {
	h.apiRefused(w, r, s, "Compliance", err)
}

// managesOrganization reports whether s's account is the management account of an organization.
func (h *Handler) managesOrganization(r *http.Request, s *session) bool {
	if h.orgs == nil {
		return false
	}
	o, err := h.orgs.OrganizationOf(r.Context(), s.Account)
	if err != nil {
		h.log.Warn("console: reading the organization", "account", s.Account, "err", err)
		return false
	}
	return o != nil && o.MasterAccountID == s.Account
}

// complianceOrgData is the organization's page: one row per account and check.
type complianceOrgData struct {
	Accounts []complianceAccount
	Counts   []statusCount
}

// complianceAccount is one account of the organization with its checks' rows.
type complianceAccount struct {
	ID, Name string
	Rows     []rollup.Row
}

func (h *Handler) complianceOrgView(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.complianceAllowed(w, r, s) {
		return
	}
	if h.orgs == nil {
		h.renderError(w, r, http.StatusNotFound, "Organizations is not configured for this console.")
		return
	}
	// The accounts, as the principal lists them: Organizations decides who may.
	var accounts []orgsapi.Account
	in := &orgsapi.ListAccountsInput{}
	for {
		out, err := api.Invoke(h.run, r, s.principal(), orgsapi.ListAccounts, in)
		if err != nil {
			h.complianceRefused(w, r, s, err)
			return
		}
		accounts = append(accounts, out.Accounts...)
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in.NextToken = *out.NextToken
	}
	if !h.managesOrganization(r, s) {
		h.render(w, r, http.StatusForbidden, "message", s, view{Title: "Compliance across the organization",
			Error: "The organization's compliance is shown to the management account."})
		return
	}
	var d complianceOrgData
	counts := map[string]int{}
	for _, a := range accounts {
		f, err := h.compliance.Gather(r.Context(), a.Id)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		rows := rollup.Evaluate(f)
		for _, row := range rows {
			counts[row.Status]++
		}
		d.Accounts = append(d.Accounts, complianceAccount{ID: a.Id, Name: a.Name, Rows: rows})
	}
	for _, st := range statusOrder {
		d.Counts = append(d.Counts, statusCount{Status: st, Count: counts[st]})
	}
	h.render(w, r, http.StatusOK, "compliance_org", s, view{Title: "Compliance across the organization", Data: d})
}

// credentialReportDownload answers the account's credential report as a CSV file: generated
// unless a recent one exists (IAM reuses a report younger than four hours), then read, both as the
// signed-in principal.
func (h *Handler) credentialReportDownload(w http.ResponseWriter, r *http.Request, s *session) {
	p := s.principal()
	if _, err := api.Invoke(h.run, r, p, iamapi.GenerateCredentialReport, &iamapi.GenerateCredentialReportInput{}); err != nil {
		h.complianceRefused(w, r, s, err)
		return
	}
	out, err := api.Invoke(h.run, r, p, iamapi.GetCredentialReport, &iamapi.GetCredentialReportInput{})
	if err != nil {
		h.complianceRefused(w, r, s, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	// The account ID is digits: nothing in the file name needs quoting.
	hd.Set("Content-Disposition", `attachment; filename="credential-report-`+s.Account+`.csv"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.Content)
}
