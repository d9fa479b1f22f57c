//lint:file-ignore SA1019 the deprecated COUNT_BY_SEVERITY statistic is served and tested on purpose

package guarddutyapi_test

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// repeat makes the findings of the given API names repeat once, a second apart, so that their
// count, updatedAt and eventLastSeen differ from the others'.
func (e *env) repeat(t *testing.T, apis ...string) {
	t.Helper()
	key := "AKIAEXAMPLE"
	for _, api := range apis {
		e.clk.Advance(time.Second)
		ev := &trail.Event{UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: e.Account.ID, AccountID: e.Account.ID, AccessKeyID: &key},
			EventTime: e.clk.Now(), EventSource: "iam.amazonaws.com", EventName: api, AWSRegion: "us-east-1",
			SourceIPAddress: "203.0.113.7", RecipientAccountID: e.Account.ID, EventType: trail.AwsAPICall}
		if err := e.gd.Analyse(servertest.Ctx(t), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// ListFindings in any SortCriteria order reads, per page, the findings it returns (an index in
// that order), not every finding of the detector; the pages list every finding once, in the
// order GetFindings sorts them (the attribute, ties by ID). Before, a sorted page read the whole
// detector.
func TestListFindingsSortedPageCost(t *testing.T) {
	t.Parallel()
	reads := &findingReads{Store: testbackend.Open(t)}
	e := newEnvWith(t, reads, 0)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	const total, size = 120, 9
	e.raise(t, total)
	e.repeat(t, "api-007", "api-100", "api-042", "api-007")
	if _, err := e.admin.ArchiveFindings(ctx, &guardduty.ArchiveFindingsInput{DetectorId: &det,
		FindingIds: e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(3)})}); err != nil {
		t.Fatal(err)
	}
	// Every finding, by ID, to sort in the test.
	all := map[string]gdtypes.Finding{}
	for ids := e.listAll(t, det, nil); len(ids) > 0; ids = ids[min(50, len(ids)):] {
		out, err := e.admin.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: &det, FindingIds: ids[:min(50, len(ids))]})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Findings {
			all[aws.ToString(f.Id)] = f
		}
	}
	if len(all) != total {
		t.Fatalf("got %d findings, want %d", len(all), total)
	}
	ms := func(s *string) int64 { tm, _ := time.Parse(time.RFC3339Nano, aws.ToString(s)); return tm.UnixMilli() }
	cases := []struct {
		attr  string
		order gdtypes.OrderBy
		cmp   func(a, b gdtypes.Finding) int
	}{
		{"severity", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int {
			return cmp.Compare(aws.ToFloat64(a.Severity), aws.ToFloat64(b.Severity))
		}},
		{"updatedAt", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int { return cmp.Compare(ms(a.UpdatedAt), ms(b.UpdatedAt)) }},
		{"updatedAt", gdtypes.OrderByAsc, func(a, b gdtypes.Finding) int { return cmp.Compare(ms(a.UpdatedAt), ms(b.UpdatedAt)) }},
		{"type", gdtypes.OrderByAsc, func(a, b gdtypes.Finding) int { return strings.Compare(aws.ToString(a.Type), aws.ToString(b.Type)) }},
		{"createdAt", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int { return cmp.Compare(ms(a.CreatedAt), ms(b.CreatedAt)) }},
		{"service.count", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int {
			return cmp.Compare(aws.ToInt32(a.Service.Count), aws.ToInt32(b.Service.Count))
		}},
		{"service.archived", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int {
			return strings.Compare(strconv.FormatBool(aws.ToBool(a.Service.Archived)), strconv.FormatBool(aws.ToBool(b.Service.Archived)))
		}},
		{"service.action.awsApiCallAction.api", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int {
			return strings.Compare(aws.ToString(a.Service.Action.AwsApiCallAction.Api), aws.ToString(b.Service.Action.AwsApiCallAction.Api))
		}},
		{"accountId", gdtypes.OrderByDesc, func(a, b gdtypes.Finding) int { return 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.attr+" "+string(tc.order), func(t *testing.T) {
			want := make([]gdtypes.Finding, 0, total)
			for _, f := range all {
				want = append(want, f)
			}
			slices.SortFunc(want, func(a, b gdtypes.Finding) int {
				c := tc.cmp(a, b)
				if tc.order == gdtypes.OrderByDesc {
					c = -c
				}
				return cmp.Or(c, strings.Compare(aws.ToString(a.Id), aws.ToString(b.Id)))
			})
			sort := &gdtypes.SortCriteria{AttributeName: aws.String(tc.attr), OrderBy: tc.order}
			var got []string
			var tok *string
			for page := 0; ; page++ {
				reads.take()
				out, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, SortCriteria: sort, MaxResults: aws.Int32(size), NextToken: tok})
				if err != nil {
					t.Fatal(err)
				}
				if n := reads.take(); n > 2*size+2 {
					t.Fatalf("page %d read %d stored findings or index entries; want at most %d of the %d", page, n, 2*size+2, total)
				}
				got = append(got, out.FindingIds...)
				if tok = out.NextToken; tok == nil || page > total {
					break
				}
			}
			for i := range want {
				if i >= len(got) || got[i] != aws.ToString(want[i].Id) {
					t.Fatalf("listing %d: got %d IDs, first difference at %d; want the order of GetFindings' sort", i, len(got), i)
				}
			}
			if len(got) != total {
				t.Fatalf("got %d IDs, want %d", len(got), total)
			}
		})
	}
}

// listAll pages through ListFindings in the default order.
func (e *env) listAll(t *testing.T, det string, criteria *gdtypes.FindingCriteria) []string {
	t.Helper()
	var ids []string
	var tok *string
	for {
		out, err := e.admin.ListFindings(servertest.Ctx(t), &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: criteria, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.FindingIds...)
		if tok = out.NextToken; tok == nil {
			return ids
		}
	}
}

// GetFindingsStatistics with no criteria, or with service.archived alone (the console's current
// findings), reads counters, not the findings: a few rows however many findings the detector
// holds; the counts follow archiving, unarchiving and repeats. Before, it read every finding.
func TestFindingsStatisticsCost(t *testing.T) {
	t.Parallel()
	reads := &findingReads{Store: testbackend.Open(t)}
	e := newEnvWith(t, reads, 0)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	const total = 150
	e.raise(t, total)
	e.repeat(t, "api-003", "api-003")
	archived := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(20)})
	if _, err := e.admin.ArchiveFindings(ctx, &guardduty.ArchiveFindingsInput{DetectorId: &det, FindingIds: archived}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.UnarchiveFindings(ctx, &guardduty.UnarchiveFindingsInput{DetectorId: &det, FindingIds: archived[:5]}); err != nil {
		t.Fatal(err)
	}
	current := &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.archived": {Eq: []string{"false"}}}}
	old := &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.archived": {Equals: []string{"true"}}}}
	sev := []gdtypes.FindingStatisticType{gdtypes.FindingStatisticTypeCountBySeverity}
	cases := []struct {
		name string
		in   *guardduty.GetFindingsStatisticsInput
		want func(*gdtypes.FindingStatistics) string
		exp  string
	}{
		{"count by severity", &guardduty.GetFindingsStatisticsInput{DetectorId: &det, FindingStatisticTypes: sev},
			func(s *gdtypes.FindingStatistics) string { return countText(s.CountBySeverity) }, "2.0=150"},
		{"count by severity, current", &guardduty.GetFindingsStatisticsInput{DetectorId: &det, FindingStatisticTypes: sev, FindingCriteria: current},
			func(s *gdtypes.FindingStatistics) string { return countText(s.CountBySeverity) }, "2.0=135"},
		{"count by severity, archived", &guardduty.GetFindingsStatisticsInput{DetectorId: &det, FindingStatisticTypes: sev, FindingCriteria: old},
			func(s *gdtypes.FindingStatistics) string { return countText(s.CountBySeverity) }, "2.0=15"},
		{"by finding type, current", &guardduty.GetFindingsStatisticsInput{DetectorId: &det, GroupBy: gdtypes.GroupByTypeFindingType, FindingCriteria: current},
			func(s *gdtypes.FindingStatistics) string {
				var out []string
				for _, g := range s.GroupedByFindingType {
					out = append(out, aws.ToString(g.FindingType)+"="+itoa(aws.ToInt32(g.TotalFindings)))
				}
				return strings.Join(out, ",")
			}, "Policy:IAMUser/RootCredentialUsage=135"},
		{"by resource", &guardduty.GetFindingsStatisticsInput{DetectorId: &det, GroupBy: gdtypes.GroupByTypeResource},
			func(s *gdtypes.FindingStatistics) string {
				var out []string
				for _, g := range s.GroupedByResource {
					out = append(out, aws.ToString(g.ResourceId)+"="+itoa(aws.ToInt32(g.TotalFindings)))
				}
				return strings.Join(out, ",")
			}, "AKIAEXAMPLE=150"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reads.take()
			out, err := e.admin.GetFindingsStatistics(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if n := reads.take(); n > 4 {
				t.Errorf("read %d stored findings or index entries; want none (counters only)", n)
			}
			if got := tc.want(out.FindingStatistics); got != tc.exp {
				t.Errorf("got %s, want %s", got, tc.exp)
			}
		})
	}
}

func countText(m map[string]int32) string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+itoa(v))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
