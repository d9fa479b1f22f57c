package console_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
)

const compliancePage = "/console/compliance"

// checkStatus is the status of check's row on an account's Compliance page, "" when there is none.
func checkStatus(body, check string) string {
	m := regexp.MustCompile(`(?s)<tbody class="check" id="check-` + check + `">\s*<tr>.*?<td class="status status-[A-Z_]+">([A-Z_]+)</td>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// orgCheckStatus is the status of check for account on the organization's Compliance page.
func orgCheckStatus(body, account, check string) string {
	m := regexp.MustCompile(`(?s)<tr class="org-check" id="row-` + account + `-` + check + `">.*?<td class="status status-[A-Z_]+">([A-Z_]+)</td>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestCompliancePage(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	// intern has a console password and no MFA; admin may read everything.
	e.userWithPassword("intern", userPw, "", false)
	e.userWithPassword("admin", userPw, adminPolicy, false)
	for _, who := range []struct {
		name string
		b    func() *browser
	}{
		{"root user", func() *browser { return e.signedInRoot(seed) }},
		{"IAM administrator", func() *browser { return e.signedInUser("admin") }},
	} {
		t.Run(who.name, func(t *testing.T) {
			p := who.b().get(compliancePage)
			if p.status != http.StatusOK || !strings.Contains(p.body, `<a href="/console/compliance">Compliance</a>`) {
				t.Fatalf("page: %d\n%.2000s", p.status, p.body)
			}
			for check, want := range map[string]string{
				"ROOT_ACCOUNT_MFA_ENABLED":          "PASSED",
				"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "FAILED",
				"IAM_ROOT_ACCESS_KEY_CHECK":         "PASSED",
				"IAM_USER_MFA_ENABLED":              "FAILED",
				"IAM_PASSWORD_POLICY":               "FAILED",
				"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "NOT_APPLICABLE",
			} {
				if got := checkStatus(p.body, check); got != want {
					t.Errorf("%s: got %q, want %s", check, got, want)
				}
			}
			body := html.UnescapeString(p.body)
			// Each user's own result under the check, with the evidence and the fix.
			if !strings.Contains(body, "AWS::IAM::User <code>intern</code>") || !strings.Contains(body, "https://docs.aws.amazon.com/") {
				t.Errorf("the page names no user's result or no documentation link:\n%.4000s", body)
			}
			if !strings.Contains(p.body, `id="credential-report"`) {
				t.Error("no credential report download on the page")
			}
			// A standalone account has no organization view.
			if strings.Contains(p.body, `id="org-view"`) {
				t.Error("a standalone account is offered the organization's view")
			}
		})
	}
	// Without iam:GetAccountAuthorizationDetails the checks are not shown.
	p := e.signedInUser("intern").get(compliancePage)
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "iam:GetAccountAuthorizationDetails") || strings.Contains(p.body, `class="check"`) {
		t.Fatalf("intern: %d\n%.2000s", p.status, p.body)
	}
}

// The credential report downloads as CSV, generated and read as the signed-in principal.
func TestComplianceCredentialReportDownload(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	e.userWithPassword("intern", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}`, false)
	root := e.signedInRoot(seed)
	root.get(compliancePage)
	p := root.submit("/console/compliance/credential-report", url.Values{})
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") ||
		p.header.Get("Content-Disposition") != `attachment; filename="credential-report-`+e.account.ID+`.csv"` {
		t.Fatalf("download: %d %v\n%.1000s", p.status, p.header, p.body)
	}
	rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, p.body)
	}
	if len(rows) != 3 || rows[0][0] != "user" || rows[1][0] != "<root_account>" || rows[2][0] != "intern" {
		t.Fatalf("rows = %q, want the header, <root_account> and intern", rows)
	}
	// Forms need the CSRF token.
	if p := root.postRaw("/console/compliance/credential-report", url.Values{}, nil); p.status != http.StatusForbidden {
		t.Fatalf("without a CSRF token: %d, want 403", p.status)
	}
	// The download is IAM's operations as the principal: without iam:GenerateCredentialReport, refused.
	intern := e.signedInUser("intern")
	intern.get(compliancePage)
	if p := intern.submit("/console/compliance/credential-report", url.Values{}); p.status != http.StatusForbidden || !strings.Contains(p.body, "iam:GenerateCredentialReport") {
		t.Fatalf("intern: %d\n%.1500s", p.status, p.body)
	}
	// The root's calls are recorded like the CLI's.
	e.trail.Flush()
	for _, name := range []string{"GenerateCredentialReport", "GetCredentialReport"} {
		events, err := e.st.LookupEvents(t.Context(), store.EventQuery{Account: e.account.ID, Name: name, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			t.Errorf("no %s record in the account's trail", name)
		}
	}
}

// The management account sees every account × check; a member whose root credentials were
// removed is NOT_APPLICABLE for the root MFA and key checks and PASSED for the removal check.
func TestComplianceOrganizationPage(t *testing.T) {
	oe := newOrgEnv(t, orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions)
	oe.userWithPassword("admin", userPw, adminPolicy, false)
	b := oe.signedInUser("admin")
	if p := b.get(compliancePage); !strings.Contains(p.body, `id="org-view"`) {
		t.Fatalf("the management account's page has no link to the organization's view:\n%.2000s", p.body)
	}
	p := b.get("/console/compliance/organization")
	if p.status != http.StatusOK {
		t.Fatalf("page: %d\n%.2000s", p.status, p.body)
	}
	tests := []struct {
		account string
		want    map[string]string
	}{
		{oe.clean, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "NOT_APPLICABLE", "IAM_ROOT_ACCESS_KEY_CHECK": "NOT_APPLICABLE",
			"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "PASSED"}},
		{oe.legacy, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "PASSED", "IAM_ROOT_ACCESS_KEY_CHECK": "FAILED",
			"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "FAILED"}},
		{oe.tools, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "FAILED", "ROOTWARD_ROOT_CREDENTIALS_REMOVED": "FAILED"}},
		{oe.account.ID, map[string]string{"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "NOT_APPLICABLE", "IAM_USER_MFA_ENABLED": "FAILED"}},
	}
	for _, tc := range tests {
		for check, want := range tc.want {
			if got := orgCheckStatus(p.body, tc.account, check); got != want {
				t.Errorf("%s in %s: got %q, want %s", check, tc.account, got, want)
			}
		}
	}
	// A member account's administrator is refused: Organizations lists accounts to the management account.
	oe.memberUser(oe.tools, "ops", adminPolicy)
	m := oe.browser()
	if r := m.signInUser(oe.tools, "ops", userPw); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.status)
	}
	if p := m.get("/console/compliance/organization"); p.status != http.StatusForbidden || strings.Contains(p.body, `class="org-check"`) {
		t.Fatalf("member admin: %d\n%.2000s", p.status, p.body)
	}
}
