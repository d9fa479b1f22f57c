package securityhub

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/store/testbackend"
)

// TestGetFindingsReadsOnePage pages through GetFindings over 900 findings in each of three accounts
// (controls, statuses, workflows and record states in long runs, UpdatedAt often shared) in the
// default order, without a filter and with filters on each indexed field: the pages joined are the
// findings the filters keep, newest first then by Id, each once; and a page of 10 reads about three
// pages of index entries and one entry per account, not the findings before it nor those the
// filter drops. Before, every page read every finding of every account.
func TestGetFindingsReadsOnePage(t *testing.T) {
	t.Parallel()
	st := testbackend.Open(t)
	ctx := context.Background()
	const region, perAccount, limit = "us-east-1", 900, 10
	accounts := []string{"111111111111", "222222222222", "333333333333"}
	controls := Controls()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var all []*Finding
	err := st.Update(ctx, func(tx store.Tx) error {
		for _, a := range accounts {
			if err := hubs.Put(tx, a, region, &hubRecord{SubscribedAt: start}); err != nil {
				return err
			}
			for i := range perAccount {
				ctl := controls[i/40%len(controls)]
				r := &findingRecord{
					ID:     fmt.Sprintf("arn:aws:securityhub:%s:%s:security-control/%s/finding/%08d-0000-4000-8000-000000000000", region, a, ctl.ID, i),
					Region: region, Control: ctl.ID, Check: ctl.Check.ID, ResourceType: "AWS::IAM::User", ResourceID: fmt.Sprintf("AIDA%08d", i),
					ResourceName: fmt.Sprintf("user%d", i), Status: []string{StatusPassed, StatusFailed, StatusNotAvailable}[i/30%3],
					Workflow:    []string{WorkflowNew, WorkflowNotified, WorkflowResolved, WorkflowSuppressed}[i/70%4],
					RecordState: []string{RecordActive, RecordArchived}[i/200%2],
					// Several findings share each UpdatedAt: the Id orders them.
					UpdatedAt: start.Add(time.Duration(i%97) * time.Second),
				}
				if i%11 == 0 {
					r.SeverityLabel = "LOW"
				}
				if err := findings.Put(tx, a, findingKey(region, ctl.ID, r.ResourceType, r.ResourceID), r); err != nil {
					return err
				}
				all = append(all, r.finding(a))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(a, b *Finding) int {
		if c := strings.Compare(b.UpdatedAt, a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	counter := &storetest.Counter{Store: st}
	s := New(Config{Store: counter, Now: func() time.Time { return start.Add(time.Hour) }})
	eq := func(field string, values ...string) Filters {
		var fs []StringFilter
		for _, v := range values {
			fs = append(fs, StringFilter{Value: &v, Comparison: "EQUALS"})
		}
		raw, _ := json.Marshal(fs)
		return Filters{field: raw}
	}
	both := eq("ComplianceStatus", StatusFailed)
	both["RecordState"] = eq("RecordState", RecordActive)["RecordState"]
	for _, tc := range []struct {
		name    string
		filters Filters
		keep    func(f *Finding) bool
		// ranges is how many index ranges the page merges in each account.
		ranges int
	}{
		{"no filter", nil, func(*Finding) bool { return true }, 1},
		{"ComplianceStatus FAILED", eq("ComplianceStatus", StatusFailed), func(f *Finding) bool { return f.Compliance.Status == StatusFailed }, 1},
		{"ComplianceStatus FAILED or NOT_AVAILABLE", eq("ComplianceStatus", StatusFailed, StatusNotAvailable),
			func(f *Finding) bool { return f.Compliance.Status != StatusPassed }, 2},
		{"RecordState ARCHIVED", eq("RecordState", RecordArchived), func(f *Finding) bool { return f.RecordState == RecordArchived }, 1},
		{"WorkflowStatus SUPPRESSED", eq("WorkflowStatus", WorkflowSuppressed), func(f *Finding) bool { return f.Workflow.Status == WorkflowSuppressed }, 1},
		{"SeverityLabel LOW", eq("SeverityLabel", "LOW"), func(f *Finding) bool { return f.Severity.Label == "LOW" }, 1},
		{"ComplianceSecurityControlId", eq("ComplianceSecurityControlId", controls[1].ID), func(f *Finding) bool { return f.Compliance.SecurityControlID == controls[1].ID }, 1},
		{"GeneratorId", eq("GeneratorId", "security-control/"+controls[2].ID), func(f *Finding) bool { return f.GeneratorID == "security-control/"+controls[2].ID }, 1},
		{"AwsAccountId", eq("AwsAccountId", accounts[1]), func(f *Finding) bool { return f.AwsAccountID == accounts[1] }, 1},
		{"ProductArn", eq("ProductArn", ProductARN(region)), func(*Finding) bool { return true }, 1},
		{"ProductArn of another product", eq("ProductArn", "arn:aws:securityhub:us-east-1::product/aws/guardduty"), func(*Finding) bool { return false }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, f := range all {
				if tc.keep(f) {
					want = append(want, f.ID)
				}
			}
			// The merge reads about 3 (limit+1) entries, and a batch per range and account; a filter
			// the index answers drops nothing it reads.
			maxReads := 3*(limit+1) + tc.ranges*len(accounts)*2
			got := storetest.Pages(t, counter, maxReads, len(want)/limit+2, func(token string) ([]string, string, error) {
				fs, next, err := s.getFindingsOf(ctx, accounts, region, tc.filters, nil, token, limit)
				var ids []string
				for _, f := range fs {
					ids = append(ids, f.ID)
				}
				return ids, next, err
			})
			if !slices.Equal(got, want) {
				t.Errorf("pages joined: %d findings, want %d", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("first difference at %d: got %s, want %s", i, got[i], want[i])
					}
				}
			}
		})
	}
}
