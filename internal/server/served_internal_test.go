package server

import (
	"slices"
	"strings"
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
	// The sentence's list: every title once, in servedTitles' order (IAM, STS and Organizations
	// first), the last after "and".
	rest := servedList
	for i, s := range servedTitles {
		sep := ", "
		switch i {
		case 0:
			sep = ""
		case len(servedTitles) - 1:
			sep = " and "
		}
		if !strings.HasPrefix(rest, sep+s.title) {
			t.Fatalf("servedList = %q; want %q next in %q", servedList, sep+s.title, rest)
		}
		rest = rest[len(sep+s.title):]
	}
	if rest != "" || !strings.HasPrefix(servedList, "IAM, STS, Organizations, ") {
		t.Errorf("servedList = %q; want IAM, STS, Organizations, then the others and nothing more", servedList)
	}
}
