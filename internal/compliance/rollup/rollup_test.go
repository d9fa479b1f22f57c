package rollup_test

import (
	"testing"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/compliance/rollup"
)

// A check folds its per-resource results into one row per account: the worst status wins
// (FAILED over ERROR over PASSED over NOT_APPLICABLE) and quotes the evidence of the results with
// that status; a check with no result at all is NOT_APPLICABLE.
func TestRows(t *testing.T) {
	results := []compliance.Result{
		{Check: "X", Status: compliance.Passed, Evidence: "bob has MFA."},
		{Check: "X", Status: compliance.Failed, Evidence: "alice has no MFA.", Remediation: "Fix alice."},
		{Check: "X", Status: compliance.Error, Evidence: "carol unknown."},
		{Check: "X", Status: compliance.Failed, Evidence: "dave has no MFA."},
		{Check: "Y", Status: compliance.NotApplicable, Evidence: "no users."},
		{Check: "Y", Status: compliance.Passed, Evidence: "erin has MFA."},
	}
	checks := []compliance.Check{{ID: "X", Title: "x", Remediation: "Fix it."}, {ID: "Y", Title: "y"}, {ID: "Z", Title: "z"}}
	got := rollup.Rows("111122223333", checks, results)
	want := []rollup.Row{
		{ID: "X", Title: "x", Account: "111122223333", Status: "FAILED", Evidence: "alice has no MFA. dave has no MFA.", Remediation: "Fix alice."},
		{ID: "Y", Title: "y", Account: "111122223333", Status: "PASSED", Evidence: "erin has MFA."},
		{ID: "Z", Title: "z", Account: "111122223333", Status: "NOT_APPLICABLE", Evidence: rollup.NoResource},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
