// Package rollup folds the checks' per-resource results (compliance.Result: one per IAM user,
// group, policy or account) into one row per check and account, the unit `rootward audit` prints
// and the console's organization view shows: a check is FAILED for an account when one of its
// resources failed.
package rollup

import (
	"fmt"
	"strings"

	"github.com/rootward/rootward/internal/compliance"
)

// Row is one check's outcome for one account, with the names and order issue 13 decided for
// `rootward audit --format json` ({"checks":[{"id","title","account","status","evidence",
// "remediation"}]}).
type Row struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Account     string `json:"account"`
	Status      string `json:"status"`
	Evidence    string `json:"evidence"`
	Remediation string `json:"remediation"`
}

// rank orders the statuses a check's results fold into: one failing resource makes the check
// FAILED; a result that could not be decided comes next, since it may hide a failure.
var rank = map[compliance.Status]int{compliance.NotApplicable: 0, compliance.Passed: 1, compliance.Error: 2, compliance.Failed: 3}

// MaxEvidence is how many resources' evidence one row quotes; the rest are counted.
const MaxEvidence = 5

// NoResource is the evidence of a check that returned no result: nothing in its scope.
const NoResource = "No resource in the check's scope."

// Rows folds the results of account into one row per check, in the order of checks. The worst
// status wins and the row quotes the evidence of the results with that status, and the
// remediation of the first of them (the check's own when it has none). A check with no result is
// NOT_APPLICABLE.
func Rows(account string, checks []compliance.Check, results []compliance.Result) []Row {
	byCheck := map[string][]compliance.Result{}
	for _, r := range results {
		byCheck[r.Check] = append(byCheck[r.Check], r)
	}
	rows := make([]Row, 0, len(checks))
	for _, c := range checks {
		row := Row{ID: c.ID, Title: c.Title, Account: account, Remediation: c.Remediation}
		results := byCheck[c.ID]
		if len(results) == 0 {
			row.Status, row.Evidence = string(compliance.NotApplicable), NoResource
			rows = append(rows, row)
			continue
		}
		worst := results[0].Status
		for _, r := range results[1:] {
			if rank[r.Status] > rank[worst] {
				worst = r.Status
			}
		}
		var evidence []string
		for _, r := range results {
			if r.Status != worst {
				continue
			}
			if len(evidence) == 0 && r.Remediation != "" {
				row.Remediation = r.Remediation
			}
			evidence = append(evidence, r.Evidence)
		}
		if n := len(evidence); n > MaxEvidence {
			evidence = append(evidence[:MaxEvidence], fmt.Sprintf("(and %d more)", n-MaxEvidence))
		}
		row.Status, row.Evidence = string(worst), strings.Join(evidence, " ")
		rows = append(rows, row)
	}
	return rows
}

// Evaluate runs every check on f and folds the results.
func Evaluate(f *compliance.Facts) []Row {
	return Rows(f.Account, compliance.Checks(), compliance.EvaluateAll(f))
}
