//lint:file-ignore SA1019 the deprecated COUNT_BY_SEVERITY statistic is served and tested on purpose

package guarddutyapi_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// A criterion on an indexed field reads only the findings it can match: ListFindings when it is
// on the field the call sorts by (or createdAt, the default order), GetFindingsStatistics for any
// indexed field, and from the counters alone when it is on the grouped dimension's own field.
// Before, each of these calls examined the detector's findings one by one (statistics: every
// finding).
func TestFindingsCriteriaReadTheirMatches(t *testing.T) {
	t.Parallel()
	reads := &findingReads{Store: testbackend.Open(t)}
	e := newEnvWith(t, reads, 0)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	const total = 200
	start := e.clk.Now().UnixMilli()
	e.raise(t, total)
	since := e.clk.Now().Add(500e6).UnixMilli()
	e.repeat(t, "api-150", "api-020", "api-101") // updated after since, in that order
	ms := func(v int64) *int64 { return &v }
	apis := func(names ...string) map[string]gdtypes.Condition {
		return map[string]gdtypes.Condition{"service.action.awsApiCallAction.api": {Equals: names}}
	}
	updatedSince := map[string]gdtypes.Condition{"updatedAt": {GreaterThanOrEqual: ms(since)}}

	lists := []struct {
		name     string
		criteria map[string]gdtypes.Condition
		sort     *gdtypes.SortCriteria
		want     string // API names, in order
		maxReads int
	}{
		{"updatedAt since, sorted by updatedAt descending", updatedSince,
			&gdtypes.SortCriteria{AttributeName: aws.String("updatedAt"), OrderBy: gdtypes.OrderByDesc}, "api-101,api-020,api-150", 12},
		{"updatedAt since, sorted by updatedAt ascending", updatedSince,
			&gdtypes.SortCriteria{AttributeName: aws.String("updatedAt"), OrderBy: gdtypes.OrderByAsc}, "api-150,api-020,api-101", 12},
		{"api equals, sorted by api", apis("api-177", "api-003", "api-nope"),
			&gdtypes.SortCriteria{AttributeName: aws.String("service.action.awsApiCallAction.api")}, "api-003,api-177", 16},
		{"createdAt before every finding, default order", map[string]gdtypes.Condition{"createdAt": {LessThan: ms(start)}}, nil, "", 4},
		{"updatedAt after every finding", map[string]gdtypes.Condition{"updatedAt": {GreaterThan: ms(e.clk.Now().UnixMilli() + 1000)}},
			&gdtypes.SortCriteria{AttributeName: aws.String("updatedAt")}, "", 4},
	}
	for _, tc := range lists {
		t.Run("ListFindings "+tc.name, func(t *testing.T) {
			reads.take()
			out, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det,
				FindingCriteria: &gdtypes.FindingCriteria{Criterion: tc.criteria}, SortCriteria: tc.sort})
			if err != nil {
				t.Fatal(err)
			}
			if n := reads.take(); n > tc.maxReads {
				t.Errorf("read %d stored findings or index entries; want at most %d of the %d", n, tc.maxReads, total)
			}
			if got := strings.Join(e.apis(t, det, out.FindingIds), ","); got != tc.want || out.NextToken != nil {
				t.Errorf("got %q (token %v), want %q", got, out.NextToken, tc.want)
			}
		})
	}

	sev := []gdtypes.FindingStatisticType{gdtypes.FindingStatisticTypeCountBySeverity}
	byType := func(s *gdtypes.FindingStatistics) string {
		var out []string
		for _, g := range s.GroupedByFindingType {
			out = append(out, aws.ToString(g.FindingType)+"="+itoa(aws.ToInt32(g.TotalFindings)))
		}
		return strings.Join(out, ",")
	}
	bySeverity := func(s *gdtypes.FindingStatistics) string {
		var out []string
		for _, g := range s.GroupedBySeverity {
			out = append(out, strconv.FormatFloat(aws.ToFloat64(g.Severity), 'f', 1, 64)+"="+itoa(aws.ToInt32(g.TotalFindings)))
		}
		return strings.Join(out, ",")
	}
	counts := func(s *gdtypes.FindingStatistics) string { return countText(s.CountBySeverity) }
	stats := []struct {
		name     string
		in       *guardduty.GetFindingsStatisticsInput
		got      func(*gdtypes.FindingStatistics) string
		want     string
		maxReads int
	}{
		{"by type, type equals (counters)", &guardduty.GetFindingsStatisticsInput{GroupBy: gdtypes.GroupByTypeFindingType,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"type": {Equals: []string{"Policy:IAMUser/RootCredentialUsage"}}}}},
			byType, "Policy:IAMUser/RootCredentialUsage=200", 0},
		{"by type, another type (counters)", &guardduty.GetFindingsStatisticsInput{GroupBy: gdtypes.GroupByTypeFindingType,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"type": {Eq: []string{"Recon:IAMUser/MaliciousIPCaller"}},
				"service.archived": {Eq: []string{"false"}}}}},
			byType, "", 0},
		{"count by severity, severity at least 2 (counters)", &guardduty.GetFindingsStatisticsInput{FindingStatisticTypes: sev,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"severity": {GreaterThanOrEqual: ms(2)}}}},
			counts, "2.0=200", 0},
		{"count by severity, severity above 4 (counters)", &guardduty.GetFindingsStatisticsInput{FindingStatisticTypes: sev,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"severity": {GreaterThan: ms(4)}}}},
			counts, "", 0},
		{"by severity, updated since", &guardduty.GetFindingsStatisticsInput{GroupBy: gdtypes.GroupByTypeSeverity,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: updatedSince}}, bySeverity, "2.0=3", 12},
		{"count by severity, api equals", &guardduty.GetFindingsStatisticsInput{FindingStatisticTypes: sev,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: apis("api-001", "api-002")}}, counts, "2.0=2", 12},
	}
	for _, tc := range stats {
		t.Run("GetFindingsStatistics "+tc.name, func(t *testing.T) {
			tc.in.DetectorId = &det
			reads.take()
			out, err := e.admin.GetFindingsStatistics(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if n := reads.take(); n > tc.maxReads {
				t.Errorf("read %d stored findings or index entries; want at most %d", n, tc.maxReads)
			}
			if got := tc.got(out.FindingStatistics); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
