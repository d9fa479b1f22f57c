package guarddutyapi

import (
	"slices"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/guardduty"
)

// FindingCriteria is the findingCriteria member: a condition per finding attribute.
type FindingCriteria struct {
	Criterion guardduty.Criteria `json:"criterion"`
}

// ListFindings: POST /detector/{detectorId}/findings.
var ListFindings = api.Add(&ops, &api.Op[ListFindingsInput, ListFindingsOutput]{
	Name: "ListFindings", HTTP: "POST /detector/{detectorId}/findings", Authorize: onDetector[ListFindingsInput], Run: listFindings})

// ListFindingsInput filters, sorts and pages a detector's findings (maxResults 1–50, default 50).
type ListFindingsInput struct {
	DetectorID      string           `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	FindingCriteria *FindingCriteria `json:"findingCriteria"`
	SortCriteria    *guardduty.Sort  `json:"sortCriteria"`
	MaxResults      *int             `json:"maxResults" page:"size"`
	NextToken       string           `json:"nextToken" page:"token"`
}

// Validate checks maxResults: 1–50.
func (in *ListFindingsInput) Validate() error {
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > guardduty.MaxResults) {
		return awsproto.Invalid("maxResults", strconv.Itoa(*in.MaxResults), "Member must have value between 1 and 50")
	}
	return nil
}

func (in *ListFindingsInput) detector() string { return in.DetectorID }

// ListFindingsOutput is a page of finding IDs.
type ListFindingsOutput struct {
	FindingIDs []string `json:"findingIds"`
	NextToken  string   `json:"nextToken,omitempty" page:"token"`
}

func criteria(fc *FindingCriteria) guardduty.Criteria {
	if fc == nil {
		return nil
	}
	return fc.Criterion
}

func listFindings(c *api.Call, in *ListFindingsInput) (*ListFindingsOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	limit := guardduty.MaxResults
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	ids, next, err := g.ListFindings(c.Ctx, c.Account(), c.Region, in.DetectorID, criteria(in.FindingCriteria), in.SortCriteria, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	return &ListFindingsOutput{FindingIDs: ids, NextToken: next}, nil
}

// FindingIDsInput names up to 50 findings of a detector.
type FindingIDsInput struct {
	DetectorID string   `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	FindingIDs []string `json:"findingIds"`
}

func (in *FindingIDsInput) detector() string { return in.DetectorID }

// Validate checks findingIds: required, 0–50 IDs of 1–300 characters.
func (in *FindingIDsInput) Validate() error { return validIDs(in.FindingIDs) }

func validIDs(ids []string) error {
	if ids == nil {
		return awsproto.MissingParam("findingIds")
	}
	if len(ids) > 50 {
		return badRequest()
	}
	for _, id := range ids {
		if id == "" || len(id) > 300 {
			return badRequest()
		}
	}
	return nil
}

// GetFindings: POST /detector/{detectorId}/findings/get.
var GetFindings = api.Add(&ops, &api.Op[GetFindingsInput, GetFindingsOutput]{
	Name: "GetFindings", HTTP: "POST /detector/{detectorId}/findings/get", Authorize: onDetector[GetFindingsInput], Run: getFindings})

// GetFindingsInput names the findings to return and how to sort them.
type GetFindingsInput struct {
	DetectorID   string          `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	FindingIDs   []string        `json:"findingIds"`
	SortCriteria *guardduty.Sort `json:"sortCriteria"`
}

func (in *GetFindingsInput) detector() string { return in.DetectorID }

// Validate checks findingIds as FindingIDsInput does.
func (in *GetFindingsInput) Validate() error { return validIDs(in.FindingIDs) }

// GetFindingsOutput holds the findings found; an unknown ID is left out.
type GetFindingsOutput struct {
	Findings []*guardduty.Finding `json:"findings"`
}

func getFindings(c *api.Call, in *GetFindingsInput) (*GetFindingsOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	fs, err := g.GetFindings(c.Ctx, c.Account(), c.Region, in.DetectorID, in.FindingIDs, in.SortCriteria)
	if err != nil {
		return nil, err
	}
	return &GetFindingsOutput{Findings: fs}, nil
}

// ArchiveFindings: POST /detector/{detectorId}/findings/archive.
var ArchiveFindings = api.Add(&ops, &api.Op[FindingIDsInput, Empty]{
	Name: "ArchiveFindings", HTTP: "POST /detector/{detectorId}/findings/archive", Authorize: onDetector[FindingIDsInput],
	Run: func(c *api.Call, in *FindingIDsInput) (*Empty, error) { return setArchived(c, in, true) }})

// UnarchiveFindings: POST /detector/{detectorId}/findings/unarchive.
var UnarchiveFindings = api.Add(&ops, &api.Op[FindingIDsInput, Empty]{
	Name: "UnarchiveFindings", HTTP: "POST /detector/{detectorId}/findings/unarchive", Authorize: onDetector[FindingIDsInput],
	Run: func(c *api.Call, in *FindingIDsInput) (*Empty, error) { return setArchived(c, in, false) }})

func setArchived(c *api.Call, in *FindingIDsInput, archived bool) (*Empty, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	if err := g.SetArchived(c.Ctx, c.Account(), c.Region, in.DetectorID, in.FindingIDs, archived); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// GetFindingsStatistics: POST /detector/{detectorId}/findings/statistics.
var GetFindingsStatistics = api.Add(&ops, &api.Op[GetFindingsStatisticsInput, GetFindingsStatisticsOutput]{
	Name: "GetFindingsStatistics", HTTP: "POST /detector/{detectorId}/findings/statistics",
	Authorize: onDetector[GetFindingsStatisticsInput], Run: getFindingsStatistics})

// GetFindingsStatisticsInput asks for the statistics of the findings matching findingCriteria:
// either findingStatisticTypes [COUNT_BY_SEVERITY] (deprecated by AWS, still served), or groupBy
// (ACCOUNT, DATE, FINDING_TYPE, RESOURCE, SEVERITY) with orderBy (by totalFindings, default DESC)
// and maxResults (1–100, default 25), not both, as the API Reference requires.
type GetFindingsStatisticsInput struct {
	DetectorID            string           `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	FindingStatisticTypes []string         `json:"findingStatisticTypes"`
	FindingCriteria       *FindingCriteria `json:"findingCriteria"`
	GroupBy               string           `json:"groupBy"`
	OrderBy               string           `json:"orderBy"`
	MaxResults            *int             `json:"maxResults"`
}

func (in *GetFindingsStatisticsInput) detector() string { return in.DetectorID }

// Validate: exactly one of findingStatisticTypes (COUNT_BY_SEVERITY, the one valid value, at most
// 10 times) and groupBy; orderBy and maxResults only with groupBy.
func (in *GetFindingsStatisticsInput) Validate() error {
	byType, byGroup := len(in.FindingStatisticTypes) > 0, in.GroupBy != ""
	if byType == byGroup || len(in.FindingStatisticTypes) > 10 {
		return badRequest()
	}
	if !byGroup && (in.OrderBy != "" || in.MaxResults != nil) {
		return badRequest()
	}
	for _, t := range in.FindingStatisticTypes {
		if t != "COUNT_BY_SEVERITY" {
			return badRequest()
		}
	}
	if byGroup {
		if !slices.Contains(guardduty.GroupBy, in.GroupBy) || (in.OrderBy != "" && in.OrderBy != "ASC" && in.OrderBy != "DESC") {
			return badRequest()
		}
		if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 100) {
			return badRequest()
		}
	}
	return nil
}

// GetFindingsStatisticsOutput holds the statistics asked for.
type GetFindingsStatisticsOutput struct {
	FindingStatistics FindingStatistics `json:"findingStatistics"`
}

// FindingStatistics are countBySeverity ("2.0": 3) or the groups of groupBy. Timestamps are
// restJson1's default, epoch seconds.
type FindingStatistics struct {
	CountBySeverity      *map[string]int `json:"countBySeverity,omitempty"`
	GroupedByAccount     []groupStat     `json:"groupedByAccount,omitempty"`
	GroupedByDate        []groupStat     `json:"groupedByDate,omitempty"`
	GroupedByFindingType []groupStat     `json:"groupedByFindingType,omitempty"`
	GroupedByResource    []groupStat     `json:"groupedByResource,omitempty"`
	GroupedBySeverity    []groupStat     `json:"groupedBySeverity,omitempty"`
}

// groupStat is one group, with the members of its kind (AccountStatistics, DateStatistics,
// FindingTypeStatistics, ResourceStatistics, SeverityStatistics).
type groupStat struct {
	AccountID       string   `json:"accountId,omitempty"`
	Date            *float64 `json:"date,omitempty"`
	FindingType     string   `json:"findingType,omitempty"`
	ResourceID      *string  `json:"resourceId,omitempty"`
	ResourceType    string   `json:"resourceType,omitempty"`
	Severity        *float64 `json:"severity,omitempty"`
	LastGeneratedAt float64  `json:"lastGeneratedAt"`
	TotalFindings   int      `json:"totalFindings"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func getFindingsStatistics(c *api.Call, in *GetFindingsStatisticsInput) (*GetFindingsStatisticsOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	if in.GroupBy == "" {
		counts, err := g.CountBySeverity(c.Ctx, c.Account(), c.Region, in.DetectorID, criteria(in.FindingCriteria))
		if err != nil {
			return nil, err
		}
		return &GetFindingsStatisticsOutput{FindingStatistics: FindingStatistics{CountBySeverity: &counts}}, nil
	}
	groups, err := g.GroupFindings(c.Ctx, c.Account(), c.Region, in.DetectorID, criteria(in.FindingCriteria), in.GroupBy)
	if err != nil {
		return nil, err
	}
	desc := in.OrderBy != "ASC"
	slices.SortStableFunc(groups, func(a, b *guardduty.Group) int {
		if desc {
			return b.Total - a.Total
		}
		return a.Total - b.Total
	})
	limit := 25
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	groups = groups[:min(limit, len(groups))]
	stats := make([]groupStat, 0, len(groups))
	for _, gr := range groups {
		st := groupStat{LastGeneratedAt: epochSeconds(gr.LastGeneratedAt), TotalFindings: gr.Total}
		switch in.GroupBy {
		case "ACCOUNT":
			st.AccountID = gr.Key
		case "DATE":
			d, sev := epochSeconds(gr.Date), gr.Severity
			st.Date, st.Severity = &d, &sev
		case "FINDING_TYPE":
			st.FindingType = gr.Key
		case "RESOURCE":
			id := gr.ResourceID
			st.AccountID, st.ResourceID, st.ResourceType = c.Account(), &id, gr.ResourceType
		case "SEVERITY":
			sev := gr.Severity
			st.Severity = &sev
		}
		stats = append(stats, st)
	}
	var fs FindingStatistics
	switch in.GroupBy {
	case "ACCOUNT":
		fs.GroupedByAccount = stats
	case "DATE":
		fs.GroupedByDate = stats
	case "FINDING_TYPE":
		fs.GroupedByFindingType = stats
	case "RESOURCE":
		fs.GroupedByResource = stats
	case "SEVERITY":
		fs.GroupedBySeverity = stats
	}
	return &GetFindingsStatisticsOutput{FindingStatistics: fs}, nil
}
