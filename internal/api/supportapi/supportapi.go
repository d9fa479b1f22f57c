// Package supportapi is the AWS Support API's Trusted Advisor operations over awsJson 1.1
// (X-Amz-Target AWSSupport_20130415.<Op>; AWS Support API Reference,
// https://docs.aws.amazon.com/awssupport/latest/APIReference/): DescribeTrustedAdvisorChecks,
// DescribeTrustedAdvisorCheckResult, DescribeTrustedAdvisorCheckSummaries,
// RefreshTrustedAdvisorCheck and DescribeTrustedAdvisorCheckRefreshStatuses, with the member names
// and shapes of aws-sdk-go-v2 service/support. The rules are internal/advisor's.
//
// Authorization: each action is support:<Operation> on "*", the only resource the Service
// Authorization Reference gives AWS Support's actions ("Actions, resources, and condition keys for
// AWS Support", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssupport.html).
// AWS serves the Support API from us-east-1; Rootward answers it in its one Region.
package supportapi

import (
	"slices"
	"time"

	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// TargetPrefix is the X-Amz-Target prefix of Support's operations.
const TargetPrefix = "AWSSupport_20130415"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns AWS Support's descriptor with the Trusted Advisor operations.
func Service() *api.Service {
	return &api.Service{
		Name: "support", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix, Ops: ops,
		// Support's model declares no validation shape; AWS Support answers a bad member with
		// InvalidParameterValueException, which Rootward answers for a missing or malformed one too.
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.OrgsAccessDenied,
			awserr.ValidationError: awserr.SupportInvalidParameterValue,
		},
		InternalCode: awserr.SupportInternalServerError,
	}
}

// adv is the Trusted Advisor service of the call; an internal error when the server has none.
func adv(c *api.Call) (*advisor.Service, error) {
	if c.Advisor == nil {
		return nil, errNotConfigured
	}
	return c.Advisor, nil
}

var errNotConfigured = &notConfigured{}

type notConfigured struct{}

func (*notConfigured) Error() string { return "supportapi: no Trusted Advisor service in api.Deps" }

// languages are the languages AWS Support takes (the API Reference's "language" member); Rootward
// answers English text in each.
var languages = []string{"en", "ja", "fr", "zh", "ko", "de", "es", "id", "it", "pt_BR", "zh_TW"}

func validLanguage(l string) error {
	if l != "" && !slices.Contains(languages, l) {
		return awserr.New(awserr.SupportInvalidParameterValue, "Invalid language: %s", l)
	}
	return nil
}

// DescribeTrustedAdvisorChecks lists the checks.
var DescribeTrustedAdvisorChecks = api.Add(&ops, &api.Op[DescribeTrustedAdvisorChecksInput, DescribeTrustedAdvisorChecksOutput]{
	Name: "DescribeTrustedAdvisorChecks", Run: describeTrustedAdvisorChecks})

// DescribeTrustedAdvisorChecksInput names the language (required).
type DescribeTrustedAdvisorChecksInput struct {
	Language string `json:"language"`
}

// Validate checks language: required, one AWS Support takes.
func (in *DescribeTrustedAdvisorChecksInput) Validate() error {
	if in.Language == "" {
		return awsproto.MissingParam("language")
	}
	return validLanguage(in.Language)
}

// DescribeTrustedAdvisorChecksOutput lists the checks.
type DescribeTrustedAdvisorChecksOutput struct {
	Checks []CheckDescription `json:"checks"`
}

// CheckDescription is a check: its ID, name, description, category and metadata columns.
type CheckDescription struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Metadata    []string `json:"metadata"`
}

func describeTrustedAdvisorChecks(c *api.Call, _ *DescribeTrustedAdvisorChecksInput) (*DescribeTrustedAdvisorChecksOutput, error) {
	if _, err := adv(c); err != nil {
		return nil, err
	}
	out := &DescribeTrustedAdvisorChecksOutput{Checks: []CheckDescription{}}
	for _, ch := range advisor.Checks() {
		md := ch.Metadata
		if md == nil {
			md = []string{}
		}
		out.Checks = append(out.Checks, CheckDescription{ID: ch.ID, Name: ch.Name, Description: ch.Description(), Category: ch.Category, Metadata: md})
	}
	return out, nil
}

// ResourcesSummary counts a result's resources.
type ResourcesSummary struct {
	ResourcesProcessed  int `json:"resourcesProcessed"`
	ResourcesFlagged    int `json:"resourcesFlagged"`
	ResourcesIgnored    int `json:"resourcesIgnored"`
	ResourcesSuppressed int `json:"resourcesSuppressed"`
}

// CategorySpecificSummary is the cost summary every result carries (zero for security checks).
type CategorySpecificSummary struct {
	CostOptimizing *CostOptimizing `json:"costOptimizing,omitempty"`
}

// CostOptimizing is a cost check's savings.
type CostOptimizing struct {
	EstimatedMonthlySavings        float64 `json:"estimatedMonthlySavings"`
	EstimatedPercentMonthlySavings float64 `json:"estimatedPercentMonthlySavings"`
}

// FlaggedResource is a flagged resource.
type FlaggedResource struct {
	Status       string   `json:"status"`
	Region       string   `json:"region,omitempty"`
	ResourceID   string   `json:"resourceId"`
	IsSuppressed bool     `json:"isSuppressed"`
	Metadata     []string `json:"metadata"`
}

// timestampFormat is how Trusted Advisor writes a result's time ("2026-12-06T08:33:04Z").
const timestampFormat = "2006-01-02T15:04:05Z"

func stamp(t time.Time) string { return t.UTC().Format(timestampFormat) }

func summary(r advisor.Result) ResourcesSummary {
	return ResourcesSummary{ResourcesProcessed: r.Processed, ResourcesFlagged: len(r.Flagged)}
}

func costSummary() CategorySpecificSummary {
	return CategorySpecificSummary{CostOptimizing: &CostOptimizing{}}
}

// DescribeTrustedAdvisorCheckResult answers a check's latest result.
var DescribeTrustedAdvisorCheckResult = api.Add(&ops, &api.Op[DescribeTrustedAdvisorCheckResultInput, DescribeTrustedAdvisorCheckResultOutput]{
	Name: "DescribeTrustedAdvisorCheckResult", Run: describeTrustedAdvisorCheckResult})

// DescribeTrustedAdvisorCheckResultInput names the check (required) and the language.
type DescribeTrustedAdvisorCheckResultInput struct {
	CheckID  string `json:"checkId"`
	Language string `json:"language"`
}

// Validate checks checkId (required) and language.
func (in *DescribeTrustedAdvisorCheckResultInput) Validate() error {
	if in.CheckID == "" {
		return awsproto.MissingParam("checkId")
	}
	return validLanguage(in.Language)
}

// DescribeTrustedAdvisorCheckResultOutput is the result.
type DescribeTrustedAdvisorCheckResultOutput struct {
	Result CheckResult `json:"result"`
}

// CheckResult is a check's result.
type CheckResult struct {
	CheckID                 string                  `json:"checkId"`
	Timestamp               string                  `json:"timestamp"`
	Status                  string                  `json:"status"`
	ResourcesSummary        ResourcesSummary        `json:"resourcesSummary"`
	CategorySpecificSummary CategorySpecificSummary `json:"categorySpecificSummary"`
	FlaggedResources        []FlaggedResource       `json:"flaggedResources"`
}

func describeTrustedAdvisorCheckResult(c *api.Call, in *DescribeTrustedAdvisorCheckResultInput) (*DescribeTrustedAdvisorCheckResultOutput, error) {
	a, err := adv(c)
	if err != nil {
		return nil, err
	}
	rs, err := a.Results(c.Ctx, c.Account(), []string{in.CheckID})
	if err != nil {
		return nil, err
	}
	r := rs[0]
	out := CheckResult{CheckID: r.CheckID, Timestamp: stamp(r.Timestamp), Status: r.Status, ResourcesSummary: summary(r),
		CategorySpecificSummary: costSummary(), FlaggedResources: []FlaggedResource{}}
	for _, f := range r.Flagged {
		out.FlaggedResources = append(out.FlaggedResources, FlaggedResource{Status: f.Status, Region: f.Region, ResourceID: f.ResourceID, Metadata: f.Metadata})
	}
	return &DescribeTrustedAdvisorCheckResultOutput{Result: out}, nil
}

// CheckIDsInput names checks (required).
type CheckIDsInput struct {
	CheckIDs []string `json:"checkIds"`
}

// Validate checks checkIds: required.
func (in *CheckIDsInput) Validate() error {
	if in.CheckIDs == nil {
		return awsproto.MissingParam("checkIds")
	}
	return nil
}

// DescribeTrustedAdvisorCheckSummaries answers the summaries of checks' latest results.
var DescribeTrustedAdvisorCheckSummaries = api.Add(&ops, &api.Op[CheckIDsInput, DescribeTrustedAdvisorCheckSummariesOutput]{
	Name: "DescribeTrustedAdvisorCheckSummaries", Run: describeTrustedAdvisorCheckSummaries})

// DescribeTrustedAdvisorCheckSummariesOutput lists the summaries.
type DescribeTrustedAdvisorCheckSummariesOutput struct {
	Summaries []CheckSummary `json:"summaries"`
}

// CheckSummary is a result without its flagged resources.
type CheckSummary struct {
	CheckID                 string                  `json:"checkId"`
	Timestamp               string                  `json:"timestamp"`
	Status                  string                  `json:"status"`
	HasFlaggedResources     bool                    `json:"hasFlaggedResources"`
	ResourcesSummary        ResourcesSummary        `json:"resourcesSummary"`
	CategorySpecificSummary CategorySpecificSummary `json:"categorySpecificSummary"`
}

func describeTrustedAdvisorCheckSummaries(c *api.Call, in *CheckIDsInput) (*DescribeTrustedAdvisorCheckSummariesOutput, error) {
	a, err := adv(c)
	if err != nil {
		return nil, err
	}
	rs, err := a.Results(c.Ctx, c.Account(), in.CheckIDs)
	if err != nil {
		return nil, err
	}
	out := &DescribeTrustedAdvisorCheckSummariesOutput{Summaries: []CheckSummary{}}
	for _, r := range rs {
		out.Summaries = append(out.Summaries, CheckSummary{CheckID: r.CheckID, Timestamp: stamp(r.Timestamp), Status: r.Status,
			HasFlaggedResources: len(r.Flagged) > 0, ResourcesSummary: summary(r), CategorySpecificSummary: costSummary()})
	}
	return out, nil
}

// RefreshStatus is a check's refresh status.
type RefreshStatus struct {
	CheckID                    string `json:"checkId"`
	Status                     string `json:"status"`
	MillisUntilNextRefreshable int64  `json:"millisUntilNextRefreshable"`
}

func refreshStatus(s advisor.RefreshStatus) RefreshStatus {
	return RefreshStatus{CheckID: s.CheckID, Status: s.Status, MillisUntilNextRefreshable: s.MillisUntilNext}
}

// RefreshTrustedAdvisorCheck evaluates a check again.
var RefreshTrustedAdvisorCheck = api.Add(&ops, &api.Op[RefreshTrustedAdvisorCheckInput, RefreshTrustedAdvisorCheckOutput]{
	Name: "RefreshTrustedAdvisorCheck", Run: refreshTrustedAdvisorCheck})

// RefreshTrustedAdvisorCheckInput names the check (required).
type RefreshTrustedAdvisorCheckInput struct {
	CheckID string `json:"checkId"`
}

// Validate checks checkId: required.
func (in *RefreshTrustedAdvisorCheckInput) Validate() error {
	if in.CheckID == "" {
		return awsproto.MissingParam("checkId")
	}
	return nil
}

// RefreshTrustedAdvisorCheckOutput is the check's refresh status.
type RefreshTrustedAdvisorCheckOutput struct {
	Status RefreshStatus `json:"status"`
}

func refreshTrustedAdvisorCheck(c *api.Call, in *RefreshTrustedAdvisorCheckInput) (*RefreshTrustedAdvisorCheckOutput, error) {
	a, err := adv(c)
	if err != nil {
		return nil, err
	}
	st, err := a.Refresh(c.Ctx, c.Account(), in.CheckID)
	if err != nil {
		return nil, err
	}
	return &RefreshTrustedAdvisorCheckOutput{Status: refreshStatus(st)}, nil
}

// DescribeTrustedAdvisorCheckRefreshStatuses answers checks' refresh statuses.
var DescribeTrustedAdvisorCheckRefreshStatuses = api.Add(&ops, &api.Op[CheckIDsInput, DescribeTrustedAdvisorCheckRefreshStatusesOutput]{
	Name: "DescribeTrustedAdvisorCheckRefreshStatuses", Run: describeTrustedAdvisorCheckRefreshStatuses})

// DescribeTrustedAdvisorCheckRefreshStatusesOutput lists the statuses.
type DescribeTrustedAdvisorCheckRefreshStatusesOutput struct {
	Statuses []RefreshStatus `json:"statuses"`
}

func describeTrustedAdvisorCheckRefreshStatuses(c *api.Call, in *CheckIDsInput) (*DescribeTrustedAdvisorCheckRefreshStatusesOutput, error) {
	a, err := adv(c)
	if err != nil {
		return nil, err
	}
	sts, err := a.RefreshStatuses(c.Ctx, c.Account(), in.CheckIDs)
	if err != nil {
		return nil, err
	}
	out := &DescribeTrustedAdvisorCheckRefreshStatusesOutput{Statuses: []RefreshStatus{}}
	for _, s := range sts {
		out.Statuses = append(out.Statuses, refreshStatus(s))
	}
	return out, nil
}
