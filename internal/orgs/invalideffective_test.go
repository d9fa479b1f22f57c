package orgs

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/testutil"
)

// TestListAccountsWithInvalidEffectivePolicyPages pages through ListAccountsWithInvalidEffectivePolicy
// one account at a time while accounts join between pages: the pages joined are the accounts
// whose effective tag policy breaks a rule above it, in ID order, each once, and those that were
// there from the start are all listed. Before, the NextToken was an offset into the accounts
// computed whole, so an account joining ahead of it made a page repeat one already listed.
func TestListAccountsWithInvalidEffectivePolicyPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "breaks"))(t)
	root := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "cost-center", Type: TypeTag,
		Content: `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]},"tag_value":{"@@assign":["100"]}}}}`}))(t)
	broken := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "cost-center-ou", Type: TypeTag,
		Content: `{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"},"tag_value":{"@@append":["200"]}}}}`}))(t)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeTag))(t)
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, root.ID, o.RootID), "")
	testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, broken.ID, ou.ID), "")
	// join adds an account; every other one goes under the OU whose policy breaks the root's.
	joined := 0
	join := func() (string, bool) {
		id := e.member(t, fmt.Sprintf("m%02d", joined))
		joined++
		if joined%2 == 0 {
			return id, false
		}
		testutil.WantCode(t, e.org.MoveAccount(e.ctx, e.mgmt, id, o.RootID, ou.ID), "")
		return id, true
	}
	var before []string
	for range 12 {
		if id, bad := join(); bad {
			before = append(before, id)
		}
	}
	slices.Sort(before)
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 40 {
			t.Fatal("paging does not end")
		}
		p := must(e.org.ListAccountsWithInvalidEffectivePolicy(e.ctx, e.mgmt, TypeTag, ListOpts{MaxResults: 1, NextToken: token}))(t)
		for _, a := range p.Items {
			got = append(got, a.ID)
		}
		if p.NextToken == "" {
			break
		}
		token = p.NextToken
		join()
		join()
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("pages joined = %v, want distinct accounts in ID order", got)
	}
	for _, id := range before {
		if !slices.Contains(got, id) {
			t.Errorf("account %s, invalid from the start, was not listed (pages joined %v)", id, got)
		}
	}
}
