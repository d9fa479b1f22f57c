package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/store/storetest"
)

// TestListPoliciesReadsOnePage pages through ListPolicies: the pages joined are the AWS managed
// policies in their order then the account's own by name, each once; and a page of MaxItems reads
// at most MaxItems+1 of the account's policies, not all of them.
func TestListPoliciesReadsOnePage(t *testing.T) {
	e := newCredEnv(t)
	const n = 30
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	var own, ownA []string
	for i := range n {
		path := "/b/"
		if i%3 == 0 {
			path = "/a/"
		}
		p, err := e.svc.CreatePolicy(e.ctx, e.account.ID, CreatePolicyInput{PolicyName: fmt.Sprintf("P%02d", i), Path: path, PolicyDocument: doc})
		if err != nil {
			t.Fatal(err)
		}
		own = append(own, p.Arn)
		if path == "/a/" {
			ownA = append(ownA, p.Arn)
		}
	}
	var aws []string
	for _, p := range awsManaged {
		aws = append(aws, p.Arn)
	}
	tests := []struct {
		name     string
		in       ListPoliciesInput
		maxItems int
		want     []string
		maxReads int // of the account's policies, per page
	}{
		{"Local", ListPoliciesInput{Scope: "Local"}, 5, own, 6},
		{"All", ListPoliciesInput{}, 5, append(slices.Clone(aws), own...), 6},
		{"AWS", ListPoliciesInput{Scope: "AWS"}, 2, aws, 0},
		// Two of three are filtered out: 5 kept and a 6th take 18, read as 6 then 12.
		{"PathPrefix", ListPoliciesInput{Scope: "Local", PathPrefix: "/a/"}, 5, ownA, 18},
	}
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			o := ListOpts{MaxItems: tc.maxItems}
			for page := 0; ; page++ {
				if page > len(tc.want) {
					t.Fatal("paging does not terminate")
				}
				counter.Listed = 0
				p, err := e.svc.ListPolicies(e.ctx, e.account.ID, tc.in, o)
				if err != nil {
					t.Fatal(err)
				}
				if counter.Listed > tc.maxReads {
					t.Errorf("page %d read %d policies, want at most %d", page, counter.Listed, tc.maxReads)
				}
				for _, pol := range p.Items {
					got = append(got, pol.Arn)
				}
				if !p.IsTruncated {
					break
				}
				o.Marker = p.Marker
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(tc.want, " "))
			}
		})
	}
}
