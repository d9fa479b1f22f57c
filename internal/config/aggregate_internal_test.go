package config

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

// TestAggregateComplianceReadsOnePage pages through DescribeAggregateComplianceByConfigRules'
// answer over an organization of 120 accounts, every third one closed (SUSPENDED, so no source),
// each with a rule: the pages joined are the ACTIVE accounts' rules in account order, each once,
// also for one account (AccountId) and by compliance; and a page of 5 reads its own accounts' index
// entries, rules and evaluations (about three objects an account) and a batch of index entries
// more, not the organization's every account. Before, every page listed every account.
func TestAggregateComplianceReadsOnePage(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	counter := &storetest.Counter{Store: st}
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	i := iam.New(counter, testutil.Sealer(t), iam.WithClock(clock), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	o := orgs.New(i, orgs.WithClock(clock))
	mgmt, err := i.CreateAccount(ctx, "management", "mgmt@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.CreateOrganization(ctx, mgmt.ID, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	const region, n = "us-east-1", 120
	accounts := []string{mgmt.ID}
	for k := range n - 1 {
		cs, err := o.CreateAccount(ctx, mgmt.ID, orgs.CreateAccountInput{Email: fmt.Sprintf("m%d@example.com", k), AccountName: fmt.Sprintf("m%d", k)})
		if err != nil {
			t.Fatal(err)
		}
		done, err := o.DescribeCreateAccountStatus(ctx, mgmt.ID, cs.ID)
		if err != nil || done.State != orgs.CreateSucceeded {
			t.Fatalf("CreateAccount: %+v, %v", done, err)
		}
		accounts = append(accounts, done.AccountID)
	}
	slices.Sort(accounts)
	var active, nonCompliant, closed []string
	err = st.Update(ctx, func(tx store.Tx) error {
		for k, a := range accounts {
			r := &ruleRecord{Name: "root-mfa", ID: "config-rule-" + a, Region: region, SourceIdentifier: "ROOT_ACCOUNT_MFA_ENABLED", Created: now}
			if err := rules.Put(tx, a, ruleKey(region, r.Name), r); err != nil {
				return err
			}
			c := Compliant
			if k%4 == 0 {
				c = NonCompliant
			}
			ev := &evalRecord{Region: region, RuleName: r.Name, RuleID: r.ID, ResourceType: "AWS::::Account", ResourceID: a, Compliance: c}
			if err := evaluations.Put(tx, a, evalKey(region, r.ID, ev.ResourceType, a), ev); err != nil {
				return err
			}
			if err := aggregators.Put(tx, mgmt.ID, region+"|all", &aggregatorRecord{Name: "all", ID: "agg", Region: region, AllRegions: true}); err != nil {
				return err
			}
			if a != mgmt.ID && k%3 == 1 {
				closed = append(closed, a)
				continue // closed below
			}
			active = append(active, a)
			if c == NonCompliant {
				nonCompliant = append(nonCompliant, a)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range closed {
		if err := o.CloseAccount(ctx, mgmt.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{st: counter, orgs: o, now: clock}
	const limit = 5
	for _, tc := range []struct {
		name string
		f    AggregateFilter
		want []string
	}{
		{"all", AggregateFilter{}, active},
		{"NON_COMPLIANT", AggregateFilter{ComplianceType: NonCompliant}, nonCompliant},
		{"one account", AggregateFilter{Account: active[7]}, active[7:8]},
		{"a closed account", AggregateFilter{Account: closed[0]}, nil}, // not accounts[1]: the sort may put the management account there
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Per account of the page and the one after it: its index entry, rule and evaluation;
			// a filter that passes accounts over makes the batches of index entries grow.
			maxReads := 3*(limit+1) + 4*(limit+1)
			if tc.f.ComplianceType != "" {
				maxReads = 3 * 4 * (limit + 1) * 2
			}
			got := storetest.Pages(t, counter, maxReads, len(tc.want)/limit+2, func(after string) ([]string, string, error) {
				p, err := s.AggregateRuleCompliances(ctx, mgmt.ID, region, "all", tc.f, after, limit)
				var out []string
				for _, r := range p.Items {
					out = append(out, r.Account)
				}
				return out, p.Next, err
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}
