package securityhubapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// walk pages through GetFindings with MaxResults size and returns the Ids of the pages joined;
// between returns the page's index and may change the findings before the next page is asked for.
func walk(t *testing.T, c *securityhub.Client, in securityhub.GetFindingsInput, size int32, between func(page int)) []string {
	t.Helper()
	var ids []string
	in.MaxResults = aws.Int32(size)
	for page := 0; ; page++ {
		if page > 200 {
			t.Fatal("paging does not end")
		}
		out, err := c.GetFindings(servertest.Ctx(t), &in)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(out.Findings) > int(size) {
			t.Fatalf("page %d holds %d findings, want at most %d", page, len(out.Findings), size)
		}
		for _, f := range out.Findings {
			ids = append(ids, aws.ToString(f.Id))
		}
		if out.NextToken == nil {
			return ids
		}
		if between != nil {
			between(page)
		}
		in.NextToken = out.NextToken
	}
}

// memberResults are an account's results: root MFA and n users' MFA, every third user's FAILED.
func memberResults(account string, n int, root compliance.Status) []compliance.Result {
	rs := []compliance.Result{rootMFA(account, root)}
	for i := range n {
		s := compliance.Passed
		if i%3 == 0 {
			s = compliance.Failed
		}
		rs = append(rs, userMFA(account, fmt.Sprintf("user%02d", i), s))
	}
	return rs
}

// TestGetFindingsPages walks GetFindings page by page (MaxResults 1, 2 and 7) as an organization's
// administrator, over its own findings and two members', in the default order and in others,
// without a filter and with the filters the indexes answer and others: the pages joined are the
// findings one call of MaxResults 100 answers, in its order. Findings added between two pages
// (new users' and a new member's) neither repeat nor push out a finding shown or still to come.
func TestGetFindingsPages(t *testing.T) {
	e := newEnv(t)
	m := e.Admin()
	e.NewOrg(m)
	members := []string{m.Account, e.CreateMember(m, "member-one"), e.CreateMember(m, "member-two")}
	for i, a := range members {
		e.res.set(a, memberResults(a, 10+5*i, compliance.Failed)...)
	}
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)
	// Later findings are updated later: the default order interleaves the accounts.
	for i, a := range members {
		e.clk.Advance(time.Second)
		e.res.set(a, memberResults(a, 10+5*i, []compliance.Status{compliance.Passed, compliance.Failed}[i%2])...)
		if err := e.hub.Ingest(ctx, a, mustEval(e, a)); err != nil {
			t.Fatal(err)
		}
	}
	byControl := []shtypes.SortCriterion{{Field: aws.String("ComplianceSecurityControlId"), SortOrder: shtypes.SortOrderAscending},
		{Field: aws.String("ResourceId"), SortOrder: shtypes.SortOrderDescending}}
	newestFirst := []shtypes.SortCriterion{{Field: aws.String("UpdatedAt"), SortOrder: shtypes.SortOrderDescending}}
	queries := []struct {
		name    string
		filters *shtypes.AwsSecurityFindingFilters
		sort    []shtypes.SortCriterion
	}{
		{"everything", nil, nil},
		{"UpdatedAt desc", nil, newestFirst},
		{"ComplianceStatus FAILED", &shtypes.AwsSecurityFindingFilters{ComplianceStatus: eq("FAILED")}, nil},
		{"RecordState ACTIVE and WorkflowStatus NEW", &shtypes.AwsSecurityFindingFilters{RecordState: eq("ACTIVE"), WorkflowStatus: eq("NEW")}, nil},
		{"SeverityLabel MEDIUM or CRITICAL", &shtypes.AwsSecurityFindingFilters{SeverityLabel: append(eq("MEDIUM"), eq("CRITICAL")...)}, nil},
		{"AwsAccountId of a member", &shtypes.AwsSecurityFindingFilters{AwsAccountId: eq(members[2])}, nil},
		{"GeneratorId", &shtypes.AwsSecurityFindingFilters{GeneratorId: eq("security-control/IAM.19")}, nil},
		{"ProductArn", &shtypes.AwsSecurityFindingFilters{ProductArn: eq("arn:aws:securityhub:us-east-1::product/aws/securityhub")}, nil},
		{"ResourceId CONTAINS user1 (not indexed)", &shtypes.AwsSecurityFindingFilters{ResourceId: []shtypes.StringFilter{
			{Value: aws.String("user1"), Comparison: shtypes.StringFilterComparisonContains}}}, nil},
		{"by control, then ResourceId descending", nil, byControl},
		{"FAILED by control", &shtypes.AwsSecurityFindingFilters{ComplianceStatus: eq("FAILED")}, byControl},
	}
	for _, q := range queries {
		full := walk(t, e.admin, securityhub.GetFindingsInput{Filters: q.filters, SortCriteria: q.sort}, 100, nil)
		if len(full) == 0 || len(full) >= 100 {
			t.Fatalf("%s: %d findings; the test wants between 1 and 99", q.name, len(full))
		}
		for _, size := range []int32{1, 2, 7} {
			t.Run(fmt.Sprintf("%s MaxResults %d", q.name, size), func(t *testing.T) {
				if got := walk(t, e.admin, securityhub.GetFindingsInput{Filters: q.filters, SortCriteria: q.sort}, size, nil); !slices.Equal(got, full) {
					t.Errorf("pages joined = %d findings %v\nwant %d %v", len(got), got, len(full), full)
				}
			})
		}
	}

	// Findings added between pages: 10 more users in each account, one at a time, each ingested
	// after a page.
	grow := map[string]int{}
	for _, q := range []struct {
		name string
		sort []shtypes.SortCriterion
	}{{"default order", nil}, {"by control", byControl}} {
		t.Run("added between pages, "+q.name, func(t *testing.T) {
			before := walk(t, e.admin, securityhub.GetFindingsInput{SortCriteria: q.sort}, 100, nil)
			got := walk(t, e.admin, securityhub.GetFindingsInput{SortCriteria: q.sort}, 3, func(page int) {
				a := members[page%len(members)]
				grow[a]++
				e.clk.Advance(time.Second)
				e.res.set(a, append(mustEval(e, a), userMFA(a, fmt.Sprintf("added%02d", grow[a]), compliance.Failed))...)
				if err := e.hub.Ingest(ctx, a, mustEval(e, a)); err != nil {
					t.Fatal(err)
				}
			})
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Errorf("finding %s listed twice", id)
				}
				seen[id] = true
			}
			for _, id := range before {
				if !seen[id] {
					t.Errorf("finding %s, there before the first page, was skipped", id)
				}
			}
			if len(got) <= len(before) && q.sort != nil {
				t.Errorf("by control: %d findings, want more than the %d before (some added sort after the pages read)", len(got), len(before))
			}
		})
	}
}
