package guarddutyapi_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	gdsvc "github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// Root API calls raise Policy:IAMUser/RootCredentialUsage in AWS's shape; a repeat of the same API
// from the same address updates the finding (count, eventLastSeen) instead of raising another;
// every new or updated finding goes to EventBridge.
func TestRootCredentialUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	root, keyID := e.root(t)

	// No detector yet: root's calls raise nothing.
	if _, err := root.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil {
		t.Fatal(err)
	}
	det := e.createDetector(t)
	e.gd.Wait()
	if ids := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det}); len(ids) != 0 {
		t.Fatalf("findings before any root call with a detector = %v, want none (the admin's calls are no root use)", ids)
	}

	first := e.clk.Now()
	if _, err := root.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil {
		t.Fatal(err)
	}
	e.gd.Wait()
	ids := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det})
	if len(ids) != 1 {
		t.Fatalf("findings after a root call = %v, want 1", ids)
	}
	f := e.finding(t, det, ids[0])
	checks := []struct{ name, got, want string }{
		{"type", aws.ToString(f.Type), "Policy:IAMUser/RootCredentialUsage"},
		{"severity", strconv.FormatFloat(aws.ToFloat64(f.Severity), 'f', 1, 64), "2.0"},
		{"accountId", aws.ToString(f.AccountId), e.Account.ID},
		{"arn", aws.ToString(f.Arn), "arn:aws:guardduty:us-east-1:" + e.Account.ID + ":detector/" + det + "/finding/" + ids[0]},
		{"region", aws.ToString(f.Region), "us-east-1"},
		{"partition", aws.ToString(f.Partition), "aws"},
		{"schemaVersion", aws.ToString(f.SchemaVersion), "2.0"},
		{"title", aws.ToString(f.Title), "The API ListDetectors was invoked using root credentials."},
		{"description", aws.ToString(f.Description), "The API ListDetectors was invoked using root credentials from IP address 127.0.0.1."},
		{"resource.resourceType", aws.ToString(f.Resource.ResourceType), "AccessKey"},
		{"accessKeyDetails.accessKeyId", aws.ToString(f.Resource.AccessKeyDetails.AccessKeyId), keyID},
		{"accessKeyDetails.principalId", aws.ToString(f.Resource.AccessKeyDetails.PrincipalId), e.Account.ID},
		{"accessKeyDetails.userName", aws.ToString(f.Resource.AccessKeyDetails.UserName), "Root"},
		{"accessKeyDetails.userType", aws.ToString(f.Resource.AccessKeyDetails.UserType), "Root"},
		{"service.serviceName", aws.ToString(f.Service.ServiceName), "guardduty"},
		{"service.detectorId", aws.ToString(f.Service.DetectorId), det},
		{"service.count", strconv.Itoa(int(aws.ToInt32(f.Service.Count))), "1"},
		{"service.archived", strconv.FormatBool(aws.ToBool(f.Service.Archived)), "false"},
		{"service.eventFirstSeen", aws.ToString(f.Service.EventFirstSeen), first.Format(timeFormat)},
		{"service.eventLastSeen", aws.ToString(f.Service.EventLastSeen), first.Format(timeFormat)},
		{"action.actionType", aws.ToString(f.Service.Action.ActionType), "AWS_API_CALL"},
		{"awsApiCallAction.api", aws.ToString(f.Service.Action.AwsApiCallAction.Api), "ListDetectors"},
		{"awsApiCallAction.serviceName", aws.ToString(f.Service.Action.AwsApiCallAction.ServiceName), "guardduty.amazonaws.com"},
		{"awsApiCallAction.callerType", aws.ToString(f.Service.Action.AwsApiCallAction.CallerType), "Remote IP"},
		{"remoteIpDetails.ipAddressV4", aws.ToString(f.Service.Action.AwsApiCallAction.RemoteIpDetails.IpAddressV4), "127.0.0.1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}

	// A repeat later: the same finding, counted, last seen moved, first seen kept.
	e.clk.Advance(3 * time.Minute)
	if _, err := root.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil {
		t.Fatal(err)
	}
	e.gd.Wait()
	if ids2 := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det}); !slices.Equal(ids2, ids) {
		t.Fatalf("findings after a repeat = %v, want the same %v", ids2, ids)
	}
	f = e.finding(t, det, ids[0])
	if aws.ToInt32(f.Service.Count) != 2 || aws.ToString(f.Service.EventFirstSeen) != first.Format(timeFormat) ||
		aws.ToString(f.Service.EventLastSeen) != e.clk.Now().Format(timeFormat) || aws.ToString(f.UpdatedAt) != e.clk.Now().Format(timeFormat) {
		t.Errorf("after the repeat: count %d, first %s, last %s, updated %s; want 2, %s, %s, %s", aws.ToInt32(f.Service.Count),
			aws.ToString(f.Service.EventFirstSeen), aws.ToString(f.Service.EventLastSeen), aws.ToString(f.UpdatedAt),
			first.Format(timeFormat), e.clk.Now().Format(timeFormat), e.clk.Now().Format(timeFormat))
	}

	// Another API: another finding.
	e.clk.Advance(time.Minute)
	if _, err := root.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det}); err != nil {
		t.Fatal(err)
	}
	e.gd.Wait()
	all := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det})
	if len(all) != 2 {
		t.Fatalf("findings after a second API = %v, want 2", all)
	}
	getDetector := all[1]
	if getDetector == ids[0] {
		getDetector = all[0]
	}

	// EventBridge received each new or updated finding.
	pub := e.pub.all()
	if len(pub) != 3 {
		t.Fatalf("EventBridge got %d events, want 3 (new, updated, new)", len(pub))
	}
	for i, want := range []struct {
		api   string
		count int
	}{{"ListDetectors", 1}, {"ListDetectors", 2}, {"GetDetector", 1}} {
		p := pub[i]
		if p.account != e.Account.ID || p.source != "aws.guardduty" || p.detailType != "GuardDuty Finding" ||
			p.finding.Service.Action.AwsAPICallAction.API != want.api || p.finding.Service.Count != want.count || p.finding.Type != gdsvc.RootCredentialUsage {
			t.Errorf("event %d = %s %s %s %s count %d; want %s aws.guardduty \"GuardDuty Finding\" %s count %d", i, p.account, p.source, p.detailType,
				p.finding.Service.Action.AwsAPICallAction.API, p.finding.Service.Count, e.Account.ID, want.api, want.count)
		}
	}

	t.Run("criteria", func(t *testing.T) {
		n := func(v int64) *int64 { return &v }
		cases := []struct {
			name string
			crit map[string]gdtypes.Condition
			sort *gdtypes.SortCriteria
			want []string
		}{
			{"type eq", map[string]gdtypes.Condition{"type": {Eq: []string{"Policy:IAMUser/RootCredentialUsage"}}}, nil, []string{ids[0], getDetector}},
			{"type neq", map[string]gdtypes.Condition{"type": {Neq: []string{"Policy:IAMUser/RootCredentialUsage"}}}, nil, []string{}},
			{"severity gte 2", map[string]gdtypes.Condition{"severity": {Gte: aws.Int32(2)}}, nil, []string{ids[0], getDetector}},
			{"severity gt 2", map[string]gdtypes.Condition{"severity": {Gt: aws.Int32(2)}}, nil, []string{}},
			{"severity greaterThanOrEqual 4", map[string]gdtypes.Condition{"severity": {GreaterThanOrEqual: n(4)}}, nil, []string{}},
			{"updatedAt after the first", map[string]gdtypes.Condition{"updatedAt": {GreaterThan: n(first.Add(time.Minute).UnixMilli())}}, nil, []string{ids[0], getDetector}},
			{"updatedAt before the last", map[string]gdtypes.Condition{"updatedAt": {LessThan: n(e.clk.Now().UnixMilli())}}, nil, []string{ids[0]}},
			{"api equals", map[string]gdtypes.Condition{"service.action.awsApiCallAction.api": {Equals: []string{"GetDetector"}}}, nil, []string{getDetector}},
			{"archived false", map[string]gdtypes.Condition{"service.archived": {Eq: []string{"false"}}}, nil, []string{ids[0], getDetector}},
			{"sort updatedAt DESC", nil, &gdtypes.SortCriteria{AttributeName: aws.String("updatedAt"), OrderBy: gdtypes.OrderByDesc}, []string{getDetector, ids[0]}},
			{"sort service.count DESC", nil, &gdtypes.SortCriteria{AttributeName: aws.String("service.count"), OrderBy: gdtypes.OrderByDesc}, []string{ids[0], getDetector}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := &guardduty.ListFindingsInput{DetectorId: &det, SortCriteria: tc.sort}
				if tc.crit != nil {
					in.FindingCriteria = &gdtypes.FindingCriteria{Criterion: tc.crit}
				}
				got := e.listFindings(t, in)
				if tc.sort == nil {
					slices.Sort(got)
					tc.want = slices.Sorted(slices.Values(tc.want))
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}
		bad := []struct {
			name string
			in   *guardduty.ListFindingsInput
		}{
			{"unknown field", &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"nope": {Eq: []string{"x"}}}}}},
			{"comparison on a string", &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"type": {Gt: aws.Int32(1)}}}}},
			{"no operator", &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"type": {}}}}},
			{"severity not a number", &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"severity": {Eq: []string{"low"}}}}}},
			{"unknown sort attribute", &guardduty.ListFindingsInput{DetectorId: &det, SortCriteria: &gdtypes.SortCriteria{AttributeName: aws.String("nope")}}},
			{"maxResults 51", &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(51)}},
			{"made-up token", &guardduty.ListFindingsInput{DetectorId: &det, NextToken: aws.String("5")}},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.admin.ListFindings(ctx, tc.in)
				testutil.WantCode(t, err, "BadRequestException")
			})
		}
	})

	t.Run("paging", func(t *testing.T) {
		sort := &gdtypes.SortCriteria{AttributeName: aws.String("updatedAt")}
		p1, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(1), SortCriteria: sort})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.FindingIds) != 1 || p1.FindingIds[0] != ids[0] || p1.NextToken == nil {
			t.Fatalf("page 1 = %v, token %v; want [%s] and a token", p1.FindingIds, p1.NextToken, ids[0])
		}
		p2, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(1), SortCriteria: sort, NextToken: p1.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		if len(p2.FindingIds) != 1 || p2.FindingIds[0] != getDetector || p2.NextToken != nil {
			t.Fatalf("page 2 = %v, token %v; want [%s] and none", p2.FindingIds, p2.NextToken, getDetector)
		}
		// The token belongs to its sort: another sort with it is refused.
		_, err = e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(1), NextToken: p1.NextToken})
		testutil.WantCode(t, err, "BadRequestException")
	})

	t.Run("archive and statistics", func(t *testing.T) {
		stats := func(crit map[string]gdtypes.Condition) map[string]int32 {
			t.Helper()
			// COUNT_BY_SEVERITY is deprecated in favour of groupBy, and still what tools send.
			//lint:ignore SA1019 the deprecated statistic is served and tested on purpose
			in := &guardduty.GetFindingsStatisticsInput{DetectorId: &det, FindingStatisticTypes: []gdtypes.FindingStatisticType{gdtypes.FindingStatisticTypeCountBySeverity}}
			if crit != nil {
				in.FindingCriteria = &gdtypes.FindingCriteria{Criterion: crit}
			}
			out, err := e.admin.GetFindingsStatistics(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			//lint:ignore SA1019 the deprecated statistic is served and tested on purpose
			return out.FindingStatistics.CountBySeverity
		}
		active := map[string]gdtypes.Condition{"service.archived": {Eq: []string{"false"}}}
		if got := stats(nil); len(got) != 1 || got["2.0"] != 2 {
			t.Errorf("countBySeverity = %v, want map[2.0:2]", got)
		}
		if _, err := e.admin.ArchiveFindings(ctx, &guardduty.ArchiveFindingsInput{DetectorId: &det, FindingIds: []string{ids[0]}}); err != nil {
			t.Fatal(err)
		}
		if got := e.finding(t, det, ids[0]); !aws.ToBool(got.Service.Archived) {
			t.Error("archived finding: service.archived = false, want true")
		}
		if got := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: &gdtypes.FindingCriteria{Criterion: active}}); !slices.Equal(got, []string{getDetector}) {
			t.Errorf("active findings after archiving = %v, want [%s]", got, getDetector)
		}
		if got := stats(active); got["2.0"] != 1 {
			t.Errorf("countBySeverity of active findings = %v, want map[2.0:1]", got)
		}
		// An unknown ID refuses the whole request: the known one stays archived.
		_, err := e.admin.UnarchiveFindings(ctx, &guardduty.UnarchiveFindingsInput{DetectorId: &det, FindingIds: []string{ids[0], "0123456789abcdef0123456789abcdef"}})
		testutil.WantCode(t, err, "BadRequestException")
		if got := e.finding(t, det, ids[0]); !aws.ToBool(got.Service.Archived) {
			t.Error("a refused UnarchiveFindings unarchived a finding")
		}

		// A repeat of an archived finding's activity raises a new, active finding.
		if _, err := root.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil {
			t.Fatal(err)
		}
		e.gd.Wait()
		if got := stats(active); got["2.0"] != 2 {
			t.Errorf("countBySeverity of active findings after the repeat = %v, want map[2.0:2]", got)
		}
		if got := e.finding(t, det, ids[0]); aws.ToInt32(got.Service.Count) != 2 {
			t.Errorf("the archived finding's count = %d, want 2 (unchanged)", aws.ToInt32(got.Service.Count))
		}
		if _, err := e.admin.UnarchiveFindings(ctx, &guardduty.UnarchiveFindingsInput{DetectorId: &det, FindingIds: []string{ids[0]}}); err != nil {
			t.Fatal(err)
		}
		if got := stats(active); got["2.0"] != 3 {
			t.Errorf("countBySeverity of active findings after unarchiving = %v, want map[2.0:3]", got)
		}
		grouped, err := e.admin.GetFindingsStatistics(ctx, &guardduty.GetFindingsStatisticsInput{DetectorId: &det, GroupBy: gdtypes.GroupByTypeSeverity})
		if err != nil {
			t.Fatal(err)
		}
		if g := grouped.FindingStatistics.GroupedBySeverity; len(g) != 1 || aws.ToFloat64(g[0].Severity) != 2 || aws.ToInt32(g[0].TotalFindings) != 3 ||
			aws.ToTime(g[0].LastGeneratedAt).Unix() != e.clk.Now().Unix() {
			t.Errorf("groupedBySeverity = %+v, want one group of severity 2 with 3 findings, last generated now", g)
		}
		byType, err := e.admin.GetFindingsStatistics(ctx, &guardduty.GetFindingsStatisticsInput{DetectorId: &det, GroupBy: gdtypes.GroupByTypeFindingType,
			FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.action.awsApiCallAction.api": {Eq: []string{"GetDetector"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if g := byType.FindingStatistics.GroupedByFindingType; len(g) != 1 || aws.ToString(g[0].FindingType) != gdsvc.RootCredentialUsage || aws.ToInt32(g[0].TotalFindings) != 1 {
			t.Errorf("groupedByFindingType = %+v, want one group of RootCredentialUsage with 1 finding", g)
		}
		both := &guardduty.GetFindingsStatisticsInput{DetectorId: &det, GroupBy: gdtypes.GroupByTypeAccount}
		//lint:ignore SA1019 both ways of asking at once is refused
		both.FindingStatisticTypes = []gdtypes.FindingStatisticType{gdtypes.FindingStatisticTypeCountBySeverity}
		_, err = e.admin.GetFindingsStatistics(ctx, both)
		testutil.WantCode(t, err, "BadRequestException")
	})

	t.Run("disabled detector", func(t *testing.T) {
		before := len(e.pub.all())
		if _, err := e.admin.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: &det, Enable: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := root.ListDetectors(ctx, &guardduty.ListDetectorsInput{}); err != nil {
			t.Fatal(err)
		}
		e.gd.Wait()
		if got := len(e.pub.all()); got != before {
			t.Errorf("a disabled detector published %d findings, want none", got-before)
		}
	})

	t.Run("delete removes the findings", func(t *testing.T) {
		if _, err := e.admin.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: &det}); err != nil {
			t.Fatal(err)
		}
		det2 := e.createDetector(t)
		if got := e.listFindings(t, &guardduty.ListFindingsInput{DetectorId: &det2}); len(got) != 0 {
			t.Errorf("a new detector's findings = %v, want none", got)
		}
		_, err := e.admin.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: &det, FindingIds: ids})
		testutil.WantCode(t, err, "BadRequestException")
	})
}
