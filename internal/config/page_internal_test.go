package config

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/store/testbackend"
)

// TestDescribeResourceComplianceReadsOnePage pages through DescribeComplianceByResource's
// resources (600 users, each evaluated by three rules, some NON_COMPLIANT): the pages joined are
// the resources in index order with the compliance over their rules, each once, also filtered by
// compliance type; and a page reads the index entries of its own resources and one batch more, not
// those of the resources before it. Before, every page read every evaluation of the account.
func TestDescribeResourceComplianceReadsOnePage(t *testing.T) {
	st := testbackend.Open(t)
	ctx := context.Background()
	const account, region, users = "111122223333", "us-east-1", 600
	var all, nonCompliant []string
	err := st.Update(ctx, func(tx store.Tx) error {
		for i := range users {
			id := fmt.Sprintf("AIDA%016d", i)
			c := Compliant
			if i%7 == 0 {
				c = NonCompliant
				nonCompliant = append(nonCompliant, id+" "+NonCompliant)
			}
			all = append(all, id+" "+c)
			for r, rule := range []string{"config-rule-a", "config-rule-b", "config-rule-c"} {
				rc := Compliant
				if r == 1 {
					rc = c
				}
				rec := &evalRecord{Region: region, RuleName: rule, RuleID: rule, ResourceType: "AWS::IAM::User", ResourceID: id, Compliance: rc}
				if err := evaluations.Put(tx, account, evalKey(region, rule, rec.ResourceType, id), rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	counter := &storetest.Counter{Store: st}
	s := &Service{st: counter}
	for _, tc := range []struct {
		name  string
		types []string
		want  []string
	}{{"all", nil, all}, {"NON_COMPLIANT", []string{NonCompliant}, nonCompliant}} {
		t.Run(tc.name, func(t *testing.T) {
			const limit = 20
			// A page's 21 resources' 63 entries fit one batch of 256; a filter that passes
			// resources over may make it read a second.
			got := storetest.Pages(t, counter, 2*256, len(tc.want)+2, func(m string) ([]string, string, error) {
				p, err := s.DescribeResourceCompliance(ctx, account, region, "AWS::IAM::User", "", tc.types, m, limit)
				var out []string
				for _, r := range p.Items {
					out = append(out, r.ResourceID+" "+r.Type)
				}
				return out, p.Next, err
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
