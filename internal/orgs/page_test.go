package orgs

import (
	"fmt"
	"testing"

	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/testutil"
)

// TestListPageReadsOnePage pages through every keyed listing and checks that a page of MaxResults
// reads at most MaxResults+1 keys, not the whole range, and that the pages joined hold every item
// once.
func TestListPageReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	must(e.org.EnablePolicyType(e.ctx, e.mgmt, o.RootID, TypeSCP))(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	const n = 12
	var pols []string
	for i := range n {
		p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: fmt.Sprintf("p%02d", i), Type: TypeSCP, Content: deny}))(t)
		pols = append(pols, p.ID)
	}
	for i := range n {
		ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, fmt.Sprintf("ou%02d", i)))(t)
		testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, pols[0], ou.ID), "")
	}
	for i := range maxPoliciesPerTarget - 1 { // FullAWSAccess is the fifth
		testutil.WantCode(t, e.org.AttachPolicy(e.ctx, e.mgmt, pols[i], o.RootID), "")
	}
	for i := range 4 {
		e.member(t, fmt.Sprintf("m%d", i))
	}
	for i := range 3 {
		guest := e.account(t, fmt.Sprintf("guest%d", i))
		must(e.org.InviteAccountToOrganization(e.ctx, e.mgmt, HandshakeParty{ID: guest, Type: partyAccount}, ""))(t)
	}

	ids := func(n int, id func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	tests := []struct {
		name       string
		maxResults int
		want       int
		list       func(lo ListOpts) ([]string, string, error)
	}{
		{"ListOrganizationalUnitsForParent", 3, n, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListOrganizationalUnitsForParent(e.ctx, e.mgmt, o.RootID, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListChildren", 3, n, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListChildren(e.ctx, e.mgmt, o.RootID, ChildOU, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListAccountsForParent", 1, 5, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListAccountsForParent(e.ctx, e.mgmt, o.RootID, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListAccounts", 1, 5, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListAccounts(e.ctx, e.mgmt, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListCreateAccountStatus", 1, 4, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListCreateAccountStatus(e.ctx, e.mgmt, nil, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListPolicies", 3, n + 1, func(lo ListOpts) ([]string, string, error) { // and FullAWSAccess
			p, err := e.org.ListPolicies(e.ctx, e.mgmt, TypeSCP, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListPoliciesForTarget", 1, maxPoliciesPerTarget, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListPoliciesForTarget(e.ctx, e.mgmt, o.RootID, TypeSCP, lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
		{"ListTargetsForPolicy", 3, n + 1, func(lo ListOpts) ([]string, string, error) { // and the root
			p, err := e.org.ListTargetsForPolicy(e.ctx, e.mgmt, pols[0], lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].TargetID }), p.NextToken, err
		}},
		{"ListHandshakesForOrganization", 1, 3, func(lo ListOpts) ([]string, string, error) {
			p, err := e.org.ListHandshakesForOrganization(e.ctx, e.mgmt, "", lo)
			return ids(len(p.Items), func(i int) string { return p.Items[i].ID }), p.NextToken, err
		}},
	}
	counter := &storetest.Counter{Store: e.org.st}
	e.org.st = counter
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := storetest.Pages(t, counter, tc.maxResults+1, tc.want+1, func(token string) ([]string, string, error) {
				return tc.list(ListOpts{MaxResults: tc.maxResults, NextToken: token})
			})
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Errorf("pages repeat %s", id)
				}
				seen[id] = true
			}
			if len(got) != tc.want {
				t.Errorf("pages joined hold %d items, want %d", len(got), tc.want)
			}
		})
	}
}
