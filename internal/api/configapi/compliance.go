package configapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/config"
)

// The compliance queries: DescribeComplianceByConfigRule, DescribeComplianceByResource,
// GetComplianceDetailsByConfigRule, GetComplianceDetailsByResource and
// DescribeConfigRuleEvaluationStatus. The queries by resource name no rule and are authorized on
// "*".

var (
	DescribeComplianceByConfigRule = api.Add(&ops, &api.Op[DescribeComplianceByConfigRuleInput, DescribeComplianceByConfigRuleOutput]{
		Name: "DescribeComplianceByConfigRule", Authorize: func(c *api.Call, in *DescribeComplianceByConfigRuleInput) error {
			return onRules(c, in.ConfigRuleNames)
		}, Run: describeComplianceByConfigRule})
	DescribeComplianceByResource = api.Add(&ops, &api.Op[DescribeComplianceByResourceInput, DescribeComplianceByResourceOutput]{
		Name: "DescribeComplianceByResource", Run: describeComplianceByResource})
	GetComplianceDetailsByConfigRule = api.Add(&ops, &api.Op[GetComplianceDetailsByConfigRuleInput, EvaluationResultsOutput]{
		Name: "GetComplianceDetailsByConfigRule", Authorize: func(c *api.Call, in *GetComplianceDetailsByConfigRuleInput) error {
			return onRules(c, []string{in.ConfigRuleName})
		}, Run: getComplianceDetailsByConfigRule})
	GetComplianceDetailsByResource = api.Add(&ops, &api.Op[GetComplianceDetailsByResourceInput, EvaluationResultsOutput]{
		Name: "GetComplianceDetailsByResource", Run: getComplianceDetailsByResource})
	DescribeConfigRuleEvaluationStatus = api.Add(&ops, &api.Op[DescribeConfigRuleEvaluationStatusInput, DescribeConfigRuleEvaluationStatusOutput]{
		Name: "DescribeConfigRuleEvaluationStatus", Authorize: func(c *api.Call, in *DescribeConfigRuleEvaluationStatusInput) error {
			return onRules(c, in.ConfigRuleNames)
		}, Run: describeConfigRuleEvaluationStatus})
)

// ComplianceContributorCount is the API's ComplianceContributorCount.
type ComplianceContributorCount struct {
	CappedCount int
	CapExceeded bool
}

// Compliance is the API's Compliance.
type Compliance struct {
	ComplianceType             string
	ComplianceContributorCount *ComplianceContributorCount `json:",omitempty"`
}

func complianceOut(c config.Compliance) Compliance {
	out := Compliance{ComplianceType: c.Type}
	if c.Type == config.NonCompliant {
		out.ComplianceContributorCount = &ComplianceContributorCount{CappedCount: c.Contributor, CapExceeded: c.CapExceeded}
	}
	return out
}

type DescribeComplianceByConfigRuleInput struct {
	ConfigRuleNames []string
	ComplianceTypes []string
	NextToken       string `page:"token"`
}

func (in *DescribeComplianceByConfigRuleInput) Validate() error {
	if err := maxNames("configRuleNames", in.ConfigRuleNames, 25); err != nil {
		return err
	}
	return config.CheckFilter(in.ComplianceTypes, false)
}

// ComplianceByConfigRule is the API's ComplianceByConfigRule.
type ComplianceByConfigRule struct {
	ConfigRuleName string
	Compliance     Compliance
}

type DescribeComplianceByConfigRuleOutput struct {
	ComplianceByConfigRules []ComplianceByConfigRule
	NextToken               *string `json:",omitempty" page:"token"`
}

func describeComplianceByConfigRule(c *api.Call, in *DescribeComplianceByConfigRuleInput) (*DescribeComplianceByConfigRuleOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	p, err := s.DescribeRuleCompliance(c.Ctx, c.Account(), c.Region, in.ConfigRuleNames, in.ComplianceTypes, in.NextToken, rulePageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeComplianceByConfigRuleOutput{ComplianceByConfigRules: make([]ComplianceByConfigRule, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.ComplianceByConfigRules = append(out.ComplianceByConfigRules, ComplianceByConfigRule{ConfigRuleName: r.RuleName, Compliance: complianceOut(r.Compliance)})
	}
	return out, nil
}

type DescribeComplianceByResourceInput struct {
	ResourceType    string
	ResourceId      string
	ComplianceTypes []string
	Limit           *int32 `page:"size"`
	NextToken       string `page:"token"`
}

func (in *DescribeComplianceByResourceInput) Validate() error {
	if in.ResourceId != "" && in.ResourceType == "" {
		// The API Reference: "If you specify an ID, you must also specify a type for
		// ResourceType"; the message is Rootward's.
		return awserr.New(awserr.ConfigInvalidParameterValue, "A ResourceType must be specified along with the ResourceId.")
	}
	if _, err := limit(in.Limit, 100, 10); err != nil {
		return err
	}
	return config.CheckFilter(in.ComplianceTypes, false)
}

// ComplianceByResource is the API's ComplianceByResource.
type ComplianceByResource struct {
	ResourceType string
	ResourceId   string
	Compliance   Compliance
}

type DescribeComplianceByResourceOutput struct {
	ComplianceByResources []ComplianceByResource
	NextToken             *string `json:",omitempty" page:"token"`
}

func describeComplianceByResource(c *api.Call, in *DescribeComplianceByResourceInput) (*DescribeComplianceByResourceOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 10)
	p, err := s.DescribeResourceCompliance(c.Ctx, c.Account(), c.Region, in.ResourceType, in.ResourceId, in.ComplianceTypes, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &DescribeComplianceByResourceOutput{ComplianceByResources: make([]ComplianceByResource, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.ComplianceByResources = append(out.ComplianceByResources, ComplianceByResource{ResourceType: r.ResourceType, ResourceId: r.ResourceID, Compliance: complianceOut(r.Compliance)})
	}
	return out, nil
}

// EvaluationResultQualifier is the API's EvaluationResultQualifier.
type EvaluationResultQualifier struct {
	ConfigRuleName string
	ResourceType   string
	ResourceId     string
	EvaluationMode string
}

// EvaluationResultIdentifier is the API's EvaluationResultIdentifier.
type EvaluationResultIdentifier struct {
	EvaluationResultQualifier EvaluationResultQualifier
	OrderingTimestamp         *Timestamp `json:",omitempty"`
}

// EvaluationResult is the API's EvaluationResult. Annotation is the check's evidence: what it saw.
type EvaluationResult struct {
	EvaluationResultIdentifier EvaluationResultIdentifier
	ComplianceType             string
	ResultRecordedTime         *Timestamp `json:",omitempty"`
	ConfigRuleInvokedTime      *Timestamp `json:",omitempty"`
	Annotation                 string     `json:",omitempty"`
}

// evaluationMode is every evaluation's EvaluationMode: Rootward's rules evaluate deployed state
// (detective), never a proposed resource (proactive).
const evaluationMode = "DETECTIVE"

func identifier(e config.Evaluation) EvaluationResultIdentifier {
	return EvaluationResultIdentifier{
		EvaluationResultQualifier: EvaluationResultQualifier{ConfigRuleName: e.RuleName, ResourceType: e.ResourceType, ResourceId: e.ResourceID, EvaluationMode: evaluationMode},
		OrderingTimestamp:         at(e.Recorded),
	}
}

func resultOut(e config.Evaluation) EvaluationResult {
	return EvaluationResult{EvaluationResultIdentifier: identifier(e), ComplianceType: e.Compliance,
		ResultRecordedTime: at(e.Recorded), ConfigRuleInvokedTime: at(e.Invoked), Annotation: e.Annotation}
}

type EvaluationResultsOutput struct {
	EvaluationResults []EvaluationResult
	NextToken         *string `json:",omitempty" page:"token"`
}

func resultsOut(p config.Page[config.Evaluation]) *EvaluationResultsOutput {
	out := &EvaluationResultsOutput{EvaluationResults: make([]EvaluationResult, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, e := range p.Items {
		out.EvaluationResults = append(out.EvaluationResults, resultOut(e))
	}
	return out
}

type GetComplianceDetailsByConfigRuleInput struct {
	ConfigRuleName  string
	ComplianceTypes []string
	Limit           *int32 `page:"size"`
	NextToken       string `page:"token"`
}

func (in *GetComplianceDetailsByConfigRuleInput) Validate() error {
	if err := required("configRuleName", in.ConfigRuleName); err != nil {
		return err
	}
	if _, err := limit(in.Limit, 100, 10); err != nil {
		return err
	}
	return config.CheckFilter(in.ComplianceTypes, true)
}

func getComplianceDetailsByConfigRule(c *api.Call, in *GetComplianceDetailsByConfigRuleInput) (*EvaluationResultsOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 10)
	p, err := s.RuleDetails(c.Ctx, c.Account(), c.Region, in.ConfigRuleName, in.ComplianceTypes, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	return resultsOut(p), nil
}

type GetComplianceDetailsByResourceInput struct {
	ResourceType         string
	ResourceId           string
	ComplianceTypes      []string
	ResourceEvaluationId string
	NextToken            string `page:"token"`
}

func (in *GetComplianceDetailsByResourceInput) Validate() error {
	if in.ResourceEvaluationId != "" {
		// Rootward's choice: resource evaluations (StartResourceEvaluation, proactive mode) are
		// not served, so no ID names one.
		return awserr.New(awserr.ConfigInvalidParameterValue, "ResourceEvaluationId is not supported: Rootward runs no proactive resource evaluations; name the resource by ResourceType and ResourceId.")
	}
	if err := required("resourceType", in.ResourceType); err != nil {
		return err
	}
	if err := required("resourceId", in.ResourceId); err != nil {
		return err
	}
	return config.CheckFilter(in.ComplianceTypes, true)
}

// resourcePageSize is how many evaluations GetComplianceDetailsByResource answers per page (it has
// no Limit member).
const resourcePageSize = 100

func getComplianceDetailsByResource(c *api.Call, in *GetComplianceDetailsByResourceInput) (*EvaluationResultsOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	p, err := s.ResourceDetails(c.Ctx, c.Account(), c.Region, in.ResourceType, in.ResourceId, in.ComplianceTypes, in.NextToken, resourcePageSize)
	if err != nil {
		return nil, err
	}
	return resultsOut(p), nil
}

type DescribeConfigRuleEvaluationStatusInput struct {
	ConfigRuleNames []string
	Limit           *int32 `page:"size"`
	NextToken       string `page:"token"`
}

func (in *DescribeConfigRuleEvaluationStatusInput) Validate() error {
	if err := maxNames("configRuleNames", in.ConfigRuleNames, 1000); err != nil {
		return err
	}
	_, err := limit(in.Limit, 50, 50)
	return err
}

// ConfigRuleEvaluationStatus is the API's ConfigRuleEvaluationStatus.
type ConfigRuleEvaluationStatus struct {
	ConfigRuleName               string
	ConfigRuleArn                string
	ConfigRuleId                 string
	LastSuccessfulInvocationTime *Timestamp `json:",omitempty"`
	LastFailedInvocationTime     *Timestamp `json:",omitempty"`
	LastSuccessfulEvaluationTime *Timestamp `json:",omitempty"`
	LastFailedEvaluationTime     *Timestamp `json:",omitempty"`
	FirstActivatedTime           *Timestamp `json:",omitempty"`
	LastErrorCode                string     `json:",omitempty"`
	LastErrorMessage             string     `json:",omitempty"`
	FirstEvaluationStarted       bool
}

type DescribeConfigRuleEvaluationStatusOutput struct {
	ConfigRulesEvaluationStatus []ConfigRuleEvaluationStatus
	NextToken                   *string `json:",omitempty" page:"token"`
}

func describeConfigRuleEvaluationStatus(c *api.Call, in *DescribeConfigRuleEvaluationStatusInput) (*DescribeConfigRuleEvaluationStatusOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 50, 50)
	p, err := s.DescribeStatus(c.Ctx, c.Account(), c.Region, in.ConfigRuleNames, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigRuleEvaluationStatusOutput{ConfigRulesEvaluationStatus: make([]ConfigRuleEvaluationStatus, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.ConfigRulesEvaluationStatus = append(out.ConfigRulesEvaluationStatus, ConfigRuleEvaluationStatus{
			ConfigRuleName: r.RuleName, ConfigRuleArn: r.RuleARN, ConfigRuleId: r.RuleID,
			LastSuccessfulInvocationTime: at(r.LastSuccessfulInvocation), LastFailedInvocationTime: at(r.LastFailedInvocation),
			LastSuccessfulEvaluationTime: at(r.LastSuccessfulEvaluation), LastFailedEvaluationTime: at(r.LastFailedEvaluation),
			FirstActivatedTime: at(r.FirstActivated), LastErrorCode: r.LastErrorCode, LastErrorMessage: r.LastErrorMessage,
			FirstEvaluationStarted: r.FirstEvaluationStarted,
		})
	}
	return out, nil
}
