package server

import (
	"slices"
	"testing"

	apiservices "github.com/rootward/rootward/internal/api/services"
)

// The refusal of an unserved service lists exactly the services served, and none of them is in
// the table of unserved ones.
func TestServedTitlesAreTheServices(t *testing.T) {
	var served, listed []string
	for _, s := range apiservices.All() {
		served = append(served, s.Name)
		if _, ok := unservedServices[s.Name]; ok {
			t.Errorf("%s is served but in unservedServices", s.Name)
		}
	}
	for _, s := range servedTitles {
		listed = append(listed, s.name)
	}
	// The built-in STS descriptor is served even where All lists it too.
	slices.Sort(served)
	slices.Sort(listed)
	if !slices.Equal(served, listed) {
		t.Errorf("servedTitles = %v; want the services of internal/api/services.All, %v", listed, served)
	}
	if want := "IAM, STS, Organizations, CloudTrail, EventBridge, SNS, GuardDuty, Account Management, Security Hub, Support and AWS Config"; servedList != want {
		t.Errorf("servedList = %q, want %q", servedList, want)
	}
}
