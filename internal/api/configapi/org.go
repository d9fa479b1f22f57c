package configapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/config"
)

// Organization rules and aggregators, the management account's. PutOrganizationConfigRule and an
// organization aggregator enable the organization's trusted access for AWS Config as AWS does
// ("This API enables organization service access through the EnableAWSServiceAccess action",
// Config API Reference, PutOrganizationConfigRule), so the caller must also be allowed
// organizations:EnableAWSServiceAccess while it is not enabled yet.

var (
	PutOrganizationConfigRule = api.Add(&ops, &api.Op[PutOrganizationConfigRuleInput, PutOrganizationConfigRuleOutput]{
		Name: "PutOrganizationConfigRule", Authorize: func(c *api.Call, _ *PutOrganizationConfigRuleInput) error {
			return withServiceAccess(c, config.OrgRulesPrincipal)
		}, Run: putOrganizationConfigRule})
	DescribeOrganizationConfigRules = api.Add(&ops, &api.Op[DescribeOrganizationConfigRulesInput, DescribeOrganizationConfigRulesOutput]{
		Name: "DescribeOrganizationConfigRules", Run: describeOrganizationConfigRules})
	DeleteOrganizationConfigRule = api.Add(&ops, &api.Op[OrgRuleNameInput, struct{}]{
		Name: "DeleteOrganizationConfigRule", Run: deleteOrganizationConfigRule})
	GetOrganizationConfigRuleDetailedStatus = api.Add(&ops, &api.Op[GetOrganizationConfigRuleDetailedStatusInput, GetOrganizationConfigRuleDetailedStatusOutput]{
		Name: "GetOrganizationConfigRuleDetailedStatus", Run: getOrganizationConfigRuleDetailedStatus})
	DescribeOrganizationConfigRuleStatuses = api.Add(&ops, &api.Op[DescribeOrganizationConfigRulesInput, DescribeOrganizationConfigRuleStatusesOutput]{
		Name: "DescribeOrganizationConfigRuleStatuses", Run: describeOrganizationConfigRuleStatuses})

	PutConfigurationAggregator = api.Add(&ops, &api.Op[PutConfigurationAggregatorInput, PutConfigurationAggregatorOutput]{
		Name: "PutConfigurationAggregator", Authorize: func(c *api.Call, in *PutConfigurationAggregatorInput) error {
			if err := onAggregator(c, in.ConfigurationAggregatorName); err != nil {
				return err
			}
			return withServiceAccess(c, "")
		}, Run: putConfigurationAggregator})
	DescribeConfigurationAggregators = api.Add(&ops, &api.Op[DescribeConfigurationAggregatorsInput, DescribeConfigurationAggregatorsOutput]{
		Name: "DescribeConfigurationAggregators", Authorize: func(c *api.Call, in *DescribeConfigurationAggregatorsInput) error {
			if len(in.ConfigurationAggregatorNames) == 1 {
				return onAggregator(c, in.ConfigurationAggregatorNames[0])
			}
			return onAggregator(c, "")
		}, Run: describeConfigurationAggregators})
	DeleteConfigurationAggregator = api.Add(&ops, &api.Op[AggregatorNameInput, struct{}]{
		Name: "DeleteConfigurationAggregator", Authorize: func(c *api.Call, in *AggregatorNameInput) error {
			return onAggregator(c, in.ConfigurationAggregatorName)
		}, Run: deleteConfigurationAggregator})
	DescribeAggregateComplianceByConfigRules = api.Add(&ops, &api.Op[DescribeAggregateComplianceByConfigRulesInput, DescribeAggregateComplianceByConfigRulesOutput]{
		Name: "DescribeAggregateComplianceByConfigRules", Authorize: func(c *api.Call, in *DescribeAggregateComplianceByConfigRulesInput) error {
			return onAggregator(c, in.ConfigurationAggregatorName)
		}, Run: describeAggregateComplianceByConfigRules})
	GetAggregateComplianceDetailsByConfigRule = api.Add(&ops, &api.Op[GetAggregateComplianceDetailsByConfigRuleInput, GetAggregateComplianceDetailsByConfigRuleOutput]{
		Name: "GetAggregateComplianceDetailsByConfigRule", Authorize: func(c *api.Call, in *GetAggregateComplianceDetailsByConfigRuleInput) error {
			return onAggregator(c, in.ConfigurationAggregatorName)
		}, Run: getAggregateComplianceDetailsByConfigRule})
)

// withServiceAccess authorizes the action on "*" (principal set: an organization rule's action) and,
// while the organization's trusted access for principal is not enabled, organizations:
// EnableAWSServiceAccess, which the operation will call. principal "" is an aggregator's
// (config.amazonaws.com), its own action authorized already.
func withServiceAccess(c *api.Call, principal string) error {
	if principal != "" {
		c.Resource = "*"
		if err := c.Authorize(c.Service+":"+c.Action, "*", nil); err != nil {
			return err
		}
	} else {
		principal = config.AggregatorPrincipal
	}
	s, err := svc(c)
	if err != nil {
		return err
	}
	enabled, err := s.ServiceAccessEnabled(c.Ctx, c.Account(), principal)
	if err != nil || enabled {
		// The operation answers the caller's not being a management account itself.
		return nil
	}
	return c.Authorize("organizations:EnableAWSServiceAccess", "*", nil)
}

// OrganizationManagedRuleMetadata is the API's OrganizationManagedRuleMetadata.
type OrganizationManagedRuleMetadata struct {
	RuleIdentifier            string
	Description               string   `json:",omitempty"`
	InputParameters           string   `json:",omitempty"`
	MaximumExecutionFrequency string   `json:",omitempty"`
	ResourceTypesScope        []string `json:",omitempty"`
	ResourceIdScope           string   `json:",omitempty"`
	TagKeyScope               string   `json:",omitempty"`
	TagValueScope             string   `json:",omitempty"`
}

type PutOrganizationConfigRuleInput struct {
	OrganizationConfigRuleName           string
	OrganizationManagedRuleMetadata      *OrganizationManagedRuleMetadata
	OrganizationCustomRuleMetadata       map[string]any
	OrganizationCustomPolicyRuleMetadata map[string]any
	ExcludedAccounts                     []string
}

func (in *PutOrganizationConfigRuleInput) Validate() error {
	if err := required("organizationConfigRuleName", in.OrganizationConfigRuleName); err != nil {
		return err
	}
	if in.OrganizationCustomRuleMetadata != nil || in.OrganizationCustomPolicyRuleMetadata != nil {
		// Rootward's choice, as for PutConfigRule's custom rules.
		return awserr.New(awserr.ConfigInvalidParameterValue, "Rootward deploys AWS managed rules only (OrganizationManagedRuleMetadata): it runs no AWS Lambda function or Guard policy, so a custom organization rule cannot be evaluated.")
	}
	if in.OrganizationManagedRuleMetadata == nil {
		return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value null at 'organizationManagedRuleMetadata' failed to satisfy constraint: Member must not be null")
	}
	if err := required("organizationManagedRuleMetadata.ruleIdentifier", in.OrganizationManagedRuleMetadata.RuleIdentifier); err != nil {
		return err
	}
	return maxNames("excludedAccounts", in.ExcludedAccounts, 1000)
}

type PutOrganizationConfigRuleOutput struct {
	OrganizationConfigRuleArn string
}

func putOrganizationConfigRule(c *api.Call, in *PutOrganizationConfigRuleInput) (*PutOrganizationConfigRuleOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	m := in.OrganizationManagedRuleMetadata
	r, err := s.PutOrgRule(c.Ctx, c.Account(), c.Region, config.OrgRuleInput{Name: in.OrganizationConfigRuleName, RuleIdentifier: m.RuleIdentifier,
		Description: m.Description, InputParameters: m.InputParameters, Frequency: m.MaximumExecutionFrequency, ResourceTypes: m.ResourceTypesScope,
		ResourceID: m.ResourceIdScope, TagKey: m.TagKeyScope, TagValue: m.TagValueScope, Excluded: in.ExcludedAccounts})
	if err != nil {
		return nil, err
	}
	return &PutOrganizationConfigRuleOutput{OrganizationConfigRuleArn: r.ARN}, nil
}

type DescribeOrganizationConfigRulesInput struct {
	OrganizationConfigRuleNames []string
	Limit                       *int32 `page:"size"`
	NextToken                   string `page:"token"`
}

func (in *DescribeOrganizationConfigRulesInput) Validate() error {
	if err := maxNames("organizationConfigRuleNames", in.OrganizationConfigRuleNames, 25); err != nil {
		return err
	}
	_, err := limit(in.Limit, 100, 100)
	return err
}

// OrganizationConfigRule is the API's OrganizationConfigRule.
type OrganizationConfigRule struct {
	OrganizationConfigRuleName      string
	OrganizationConfigRuleArn       string
	OrganizationManagedRuleMetadata OrganizationManagedRuleMetadata
	ExcludedAccounts                []string   `json:",omitempty"`
	LastUpdateTime                  *Timestamp `json:",omitempty"`
}

type DescribeOrganizationConfigRulesOutput struct {
	OrganizationConfigRules []OrganizationConfigRule
	NextToken               *string `json:",omitempty" page:"token"`
}

func describeOrganizationConfigRules(c *api.Call, in *DescribeOrganizationConfigRulesInput) (*DescribeOrganizationConfigRulesOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 100)
	p, err := s.OrgRules(c.Ctx, c.Account(), c.Region, in.OrganizationConfigRuleNames, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &DescribeOrganizationConfigRulesOutput{OrganizationConfigRules: make([]OrganizationConfigRule, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.OrganizationConfigRules = append(out.OrganizationConfigRules, OrganizationConfigRule{
			OrganizationConfigRuleName: r.Name, OrganizationConfigRuleArn: r.ARN, ExcludedAccounts: r.Excluded, LastUpdateTime: at(r.Updated),
			OrganizationManagedRuleMetadata: OrganizationManagedRuleMetadata{RuleIdentifier: r.RuleIdentifier, Description: r.Description,
				InputParameters: r.InputParameters, MaximumExecutionFrequency: r.Frequency, ResourceTypesScope: r.ResourceTypes, ResourceIdScope: r.ResourceID},
		})
	}
	return out, nil
}

// OrgRuleNameInput names an organization rule.
type OrgRuleNameInput struct {
	OrganizationConfigRuleName string
}

func (in *OrgRuleNameInput) Validate() error {
	return required("organizationConfigRuleName", in.OrganizationConfigRuleName)
}

func deleteOrganizationConfigRule(c *api.Call, in *OrgRuleNameInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.DeleteOrgRule(c.Ctx, c.Account(), c.Region, in.OrganizationConfigRuleName)
}

// StatusDetailFilters is the API's StatusDetailFilters.
type StatusDetailFilters struct {
	AccountId               string
	MemberAccountRuleStatus string
}

type GetOrganizationConfigRuleDetailedStatusInput struct {
	OrganizationConfigRuleName string
	Filters                    *StatusDetailFilters
	Limit                      *int32 `page:"size"`
	NextToken                  string `page:"token"`
}

func (in *GetOrganizationConfigRuleDetailedStatusInput) Validate() error {
	if err := required("organizationConfigRuleName", in.OrganizationConfigRuleName); err != nil {
		return err
	}
	_, err := limit(in.Limit, 100, 100)
	return err
}

// MemberAccountStatus is the API's MemberAccountStatus.
type MemberAccountStatus struct {
	AccountId               string
	ConfigRuleName          string
	MemberAccountRuleStatus string
	ErrorCode               string     `json:",omitempty"`
	ErrorMessage            string     `json:",omitempty"`
	LastUpdateTime          *Timestamp `json:",omitempty"`
}

type GetOrganizationConfigRuleDetailedStatusOutput struct {
	OrganizationConfigRuleDetailedStatus []MemberAccountStatus
	NextToken                            *string `json:",omitempty" page:"token"`
}

func getOrganizationConfigRuleDetailedStatus(c *api.Call, in *GetOrganizationConfigRuleDetailedStatusInput) (*GetOrganizationConfigRuleDetailedStatusOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	var f StatusDetailFilters
	if in.Filters != nil {
		f = *in.Filters
	}
	all, err := s.OrgRuleDetails(c.Ctx, c.Account(), c.Region, in.OrganizationConfigRuleName, f.AccountId, f.MemberAccountRuleStatus)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 100)
	out := &GetOrganizationConfigRuleDetailedStatusOutput{OrganizationConfigRuleDetailedStatus: []MemberAccountStatus{}}
	for _, m := range all {
		if m.Account <= in.NextToken {
			continue
		}
		if len(out.OrganizationConfigRuleDetailedStatus) == n {
			last := out.OrganizationConfigRuleDetailedStatus[n-1].AccountId
			out.NextToken = &last
			break
		}
		out.OrganizationConfigRuleDetailedStatus = append(out.OrganizationConfigRuleDetailedStatus, MemberAccountStatus{AccountId: m.Account,
			ConfigRuleName: m.RuleName, MemberAccountRuleStatus: m.Status, ErrorCode: m.Code, ErrorMessage: m.Message, LastUpdateTime: at(m.Updated)})
	}
	return out, nil
}

// OrganizationConfigRuleStatus is the API's OrganizationConfigRuleStatus.
type OrganizationConfigRuleStatus struct {
	OrganizationConfigRuleName string
	OrganizationRuleStatus     string
	ErrorCode                  string     `json:",omitempty"`
	ErrorMessage               string     `json:",omitempty"`
	LastUpdateTime             *Timestamp `json:",omitempty"`
}

type DescribeOrganizationConfigRuleStatusesOutput struct {
	OrganizationConfigRuleStatuses []OrganizationConfigRuleStatus
	NextToken                      *string `json:",omitempty" page:"token"`
}

func describeOrganizationConfigRuleStatuses(c *api.Call, in *DescribeOrganizationConfigRulesInput) (*DescribeOrganizationConfigRuleStatusesOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	all, err := s.OrgRuleStatuses(c.Ctx, c.Account(), c.Region, in.OrganizationConfigRuleNames)
	if err != nil {
		return nil, err
	}
	out := &DescribeOrganizationConfigRuleStatusesOutput{OrganizationConfigRuleStatuses: make([]OrganizationConfigRuleStatus, 0, len(all))}
	for _, r := range all {
		out.OrganizationConfigRuleStatuses = append(out.OrganizationConfigRuleStatuses, OrganizationConfigRuleStatus{OrganizationConfigRuleName: r.Name,
			OrganizationRuleStatus: r.Status, ErrorCode: r.Code, ErrorMessage: r.Message, LastUpdateTime: at(r.Updated)})
	}
	return out, nil
}

// OrganizationAggregationSource is the API's OrganizationAggregationSource.
type OrganizationAggregationSource struct {
	RoleArn       string
	AwsRegions    []string `json:",omitempty"`
	AllAwsRegions bool
}

type PutConfigurationAggregatorInput struct {
	ConfigurationAggregatorName   string
	AccountAggregationSources     []map[string]any
	OrganizationAggregationSource *OrganizationAggregationSource
	Tags                          []Tag
}

// ConfigurationAggregator is the API's ConfigurationAggregator.
type ConfigurationAggregator struct {
	ConfigurationAggregatorName   string
	ConfigurationAggregatorArn    string
	OrganizationAggregationSource *OrganizationAggregationSource `json:",omitempty"`
	CreationTime                  *Timestamp                     `json:",omitempty"`
	LastUpdatedTime               *Timestamp                     `json:",omitempty"`
}

func aggregatorOut(a config.Aggregator) ConfigurationAggregator {
	return ConfigurationAggregator{ConfigurationAggregatorName: a.Name, ConfigurationAggregatorArn: a.ARN,
		OrganizationAggregationSource: &OrganizationAggregationSource{RoleArn: a.RoleARN, AwsRegions: a.Regions, AllAwsRegions: a.AllRegions},
		CreationTime:                  at(a.Created), LastUpdatedTime: at(a.Updated)}
}

type PutConfigurationAggregatorOutput struct {
	ConfigurationAggregator ConfigurationAggregator
}

func putConfigurationAggregator(c *api.Call, in *PutConfigurationAggregatorInput) (*PutConfigurationAggregatorOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	ai := config.AggregatorInput{Name: in.ConfigurationAggregatorName, Accounts: len(in.AccountAggregationSources)}
	if o := in.OrganizationAggregationSource; o != nil {
		ai.Org, ai.RoleARN, ai.Regions, ai.AllRegions = true, o.RoleArn, o.AwsRegions, o.AllAwsRegions
	}
	a, err := s.PutAggregator(c.Ctx, c.Account(), c.Region, ai)
	if err != nil {
		return nil, err
	}
	return &PutConfigurationAggregatorOutput{ConfigurationAggregator: aggregatorOut(*a)}, nil
}

type DescribeConfigurationAggregatorsInput struct {
	ConfigurationAggregatorNames []string
	Limit                        *int32 `page:"size"`
	NextToken                    string `page:"token"`
}

func (in *DescribeConfigurationAggregatorsInput) Validate() error {
	if err := maxNames("configurationAggregatorNames", in.ConfigurationAggregatorNames, 10); err != nil {
		return err
	}
	_, err := limit(in.Limit, 100, 100)
	return err
}

type DescribeConfigurationAggregatorsOutput struct {
	ConfigurationAggregators []ConfigurationAggregator
	NextToken                *string `json:",omitempty" page:"token"`
}

func describeConfigurationAggregators(c *api.Call, in *DescribeConfigurationAggregatorsInput) (*DescribeConfigurationAggregatorsOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 100)
	p, err := s.Aggregators(c.Ctx, c.Account(), c.Region, in.ConfigurationAggregatorNames, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigurationAggregatorsOutput{ConfigurationAggregators: make([]ConfigurationAggregator, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, a := range p.Items {
		out.ConfigurationAggregators = append(out.ConfigurationAggregators, aggregatorOut(a))
	}
	return out, nil
}

// AggregatorNameInput names an aggregator.
type AggregatorNameInput struct {
	ConfigurationAggregatorName string
}

func (in *AggregatorNameInput) Validate() error {
	return required("configurationAggregatorName", in.ConfigurationAggregatorName)
}

func deleteConfigurationAggregator(c *api.Call, in *AggregatorNameInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.DeleteAggregator(c.Ctx, c.Account(), c.Region, in.ConfigurationAggregatorName)
}

// ConfigRuleComplianceFilters is the API's ConfigRuleComplianceFilters.
type ConfigRuleComplianceFilters struct {
	ConfigRuleName string
	ComplianceType string
	AccountId      string
	AwsRegion      string
}

type DescribeAggregateComplianceByConfigRulesInput struct {
	ConfigurationAggregatorName string
	Filters                     *ConfigRuleComplianceFilters
	Limit                       *int32 `page:"size"`
	NextToken                   string `page:"token"`
}

func (in *DescribeAggregateComplianceByConfigRulesInput) Validate() error {
	if err := required("configurationAggregatorName", in.ConfigurationAggregatorName); err != nil {
		return err
	}
	if f := in.Filters; f != nil && f.ComplianceType != "" && f.ComplianceType != config.Compliant && f.ComplianceType != config.NonCompliant {
		return awserr.New(awserr.ConfigInvalidParameterValue, "The ComplianceType %s is not valid here: use COMPLIANT or NON_COMPLIANT.", f.ComplianceType)
	}
	_, err := limit(in.Limit, 1000, 1000)
	return err
}

// AggregateComplianceByConfigRule is the API's AggregateComplianceByConfigRule.
type AggregateComplianceByConfigRule struct {
	ConfigRuleName string
	Compliance     Compliance
	AccountId      string
	AwsRegion      string
}

type DescribeAggregateComplianceByConfigRulesOutput struct {
	AggregateComplianceByConfigRules []AggregateComplianceByConfigRule
	NextToken                        *string `json:",omitempty" page:"token"`
}

func describeAggregateComplianceByConfigRules(c *api.Call, in *DescribeAggregateComplianceByConfigRulesInput) (*DescribeAggregateComplianceByConfigRulesOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	var f config.AggregateFilter
	if in.Filters != nil {
		f = config.AggregateFilter{RuleName: in.Filters.ConfigRuleName, ComplianceType: in.Filters.ComplianceType, Account: in.Filters.AccountId, Region: in.Filters.AwsRegion}
	}
	n, _ := limit(in.Limit, 1000, 1000)
	p, err := s.AggregateRuleCompliances(c.Ctx, c.Account(), c.Region, in.ConfigurationAggregatorName, f, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &DescribeAggregateComplianceByConfigRulesOutput{AggregateComplianceByConfigRules: make([]AggregateComplianceByConfigRule, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.AggregateComplianceByConfigRules = append(out.AggregateComplianceByConfigRules, AggregateComplianceByConfigRule{ConfigRuleName: r.RuleName,
			Compliance: complianceOut(r.Compliance), AccountId: r.Account, AwsRegion: r.Region})
	}
	return out, nil
}

type GetAggregateComplianceDetailsByConfigRuleInput struct {
	ConfigurationAggregatorName string
	ConfigRuleName              string
	AccountId                   string
	AwsRegion                   string
	ComplianceType              string
	Limit                       *int32 `page:"size"`
	NextToken                   string `page:"token"`
}

func (in *GetAggregateComplianceDetailsByConfigRuleInput) Validate() error {
	for _, m := range []struct{ name, v string }{{"configurationAggregatorName", in.ConfigurationAggregatorName},
		{"configRuleName", in.ConfigRuleName}, {"accountId", in.AccountId}, {"awsRegion", in.AwsRegion}} {
		if err := required(m.name, m.v); err != nil {
			return err
		}
	}
	if in.ComplianceType != "" {
		if err := config.CheckFilter([]string{in.ComplianceType}, true); err != nil {
			return err
		}
	}
	_, err := limit(in.Limit, 100, 50)
	return err
}

// AggregateEvaluationResult is the API's AggregateEvaluationResult.
type AggregateEvaluationResult struct {
	EvaluationResultIdentifier EvaluationResultIdentifier
	ComplianceType             string
	ResultRecordedTime         *Timestamp `json:",omitempty"`
	ConfigRuleInvokedTime      *Timestamp `json:",omitempty"`
	Annotation                 string     `json:",omitempty"`
	AccountId                  string
	AwsRegion                  string
}

type GetAggregateComplianceDetailsByConfigRuleOutput struct {
	AggregateEvaluationResults []AggregateEvaluationResult
	NextToken                  *string `json:",omitempty" page:"token"`
}

func getAggregateComplianceDetailsByConfigRule(c *api.Call, in *GetAggregateComplianceDetailsByConfigRuleInput) (*GetAggregateComplianceDetailsByConfigRuleOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	n, _ := limit(in.Limit, 100, 50)
	p, err := s.AggregateRuleDetails(c.Ctx, c.Account(), c.Region, in.ConfigurationAggregatorName, in.ConfigRuleName, in.AccountId, in.AwsRegion, in.ComplianceType, in.NextToken, n)
	if err != nil {
		return nil, err
	}
	out := &GetAggregateComplianceDetailsByConfigRuleOutput{AggregateEvaluationResults: make([]AggregateEvaluationResult, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, e := range p.Items {
		out.AggregateEvaluationResults = append(out.AggregateEvaluationResults, AggregateEvaluationResult{EvaluationResultIdentifier: identifier(e),
			ComplianceType: e.Compliance, ResultRecordedTime: at(e.Recorded), ConfigRuleInvokedTime: at(e.Invoked), Annotation: e.Annotation,
			AccountId: e.Account, AwsRegion: e.Region})
	}
	return out, nil
}
