package awsfacts

import "github.com/rootward/rootward/internal/compliance"

// Fact groups that the engine does not know, because Rootward's own state always has them, while
// an auditor reading the AWS API may not:
const (
	// GroupRootUse is when the root user was last used, which an auditor other than the root user
	// reads only from the credential report.
	GroupRootUse = "rootUse"
	// GroupRootMFADevices is how many MFA devices the root user has: only the root user may list
	// its hardware devices (iam:ListMFADevices); anyone else sees its virtual ones.
	GroupRootMFADevices = "rootMFADevices"
)

// guarded maps each check to the groups of this package it reads besides the engine's.
var guarded = map[string][]string{
	"ROOTWARD_ROOT_UNUSED_90_DAYS":  {GroupRootUse},
	"ROOTWARD_ROOT_MFA_TWO_DEVICES": {GroupRootMFADevices},
}

// Guard turns the results of checks that read a fact f is missing (in a group only this package
// records) into ERROR, in the engine's words, so that no check passes on what was not read. A
// result that is NOT_APPLICABLE stays so: the check did not look at the fact.
func Guard(f *compliance.Facts, results []compliance.Result) []compliance.Result {
	for i, r := range results {
		if r.Status == compliance.NotApplicable || r.Status == compliance.Error {
			continue
		}
		for _, g := range guarded[r.Check] {
			if why, ok := f.Missing[g]; ok {
				results[i].Status, results[i].Evidence = compliance.Error, "Could not read "+g+": "+why
				break
			}
		}
	}
	return results
}
