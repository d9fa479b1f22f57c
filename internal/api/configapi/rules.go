package configapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/config"
)

// AWS managed rules: PutConfigRule, DescribeConfigRules, DeleteConfigRule and
// StartConfigRulesEvaluation.

var (
	PutConfigRule = api.Add(&ops, &api.Op[PutConfigRuleInput, struct{}]{
		Name: "PutConfigRule", Authorize: func(c *api.Call, in *PutConfigRuleInput) error {
			if in.ConfigRule.ConfigRuleName == "" {
				return onRules(c, nil)
			}
			return onRules(c, []string{in.ConfigRule.ConfigRuleName})
		}, Run: putConfigRule})
	DescribeConfigRules = api.Add(&ops, &api.Op[DescribeConfigRulesInput, DescribeConfigRulesOutput]{
		Name: "DescribeConfigRules", Authorize: func(c *api.Call, in *DescribeConfigRulesInput) error { return onRules(c, in.ConfigRuleNames) },
		Run: describeConfigRules})
	DeleteConfigRule = api.Add(&ops, &api.Op[RuleNameInput, struct{}]{
		Name: "DeleteConfigRule", Authorize: func(c *api.Call, in *RuleNameInput) error { return onRules(c, []string{in.ConfigRuleName}) },
		Run: deleteConfigRule})
	StartConfigRulesEvaluation = api.Add(&ops, &api.Op[StartConfigRulesEvaluationInput, struct{}]{
		Name: "StartConfigRulesEvaluation", Authorize: func(c *api.Call, in *StartConfigRulesEvaluationInput) error {
			return onRules(c, in.ConfigRuleNames)
		}, Run: startConfigRulesEvaluation})
)

// Source is the API's Source. SourceDetails are counted only: AWS managed rules take none.
type Source struct {
	Owner            string
	SourceIdentifier string
	SourceDetails    []map[string]any `json:",omitempty"`
}

// Scope is the API's Scope.
type Scope struct {
	ComplianceResourceTypes []string `json:",omitempty"`
	ComplianceResourceId    *string  `json:",omitempty"`
	TagKey                  *string  `json:",omitempty"`
	TagValue                *string  `json:",omitempty"`
}

// ConfigRule is the API's ConfigRule, PutConfigRule's input and DescribeConfigRules' element.
type ConfigRule struct {
	ConfigRuleName            string  `json:",omitempty"`
	ConfigRuleArn             string  `json:",omitempty"`
	ConfigRuleId              string  `json:",omitempty"`
	Description               string  `json:",omitempty"`
	Scope                     *Scope  `json:",omitempty"`
	Source                    *Source `json:",omitempty"`
	InputParameters           string  `json:",omitempty"`
	MaximumExecutionFrequency string  `json:",omitempty"`
	ConfigRuleState           string  `json:",omitempty"`
	CreatedBy                 string  `json:",omitempty"`
}

// Tag is the API's Tag. Rootward keeps no tags on rules; they are accepted so that templates that
// tag rules run, and answered by no operation.
type Tag struct{ Key, Value string }

type PutConfigRuleInput struct {
	ConfigRule ConfigRule
	Tags       []Tag
}

func (in *PutConfigRuleInput) Validate() error {
	r := &in.ConfigRule
	if r.Source == nil {
		return required("configRule.source", "")
	}
	if err := required("configRule.source.owner", r.Source.Owner); err != nil {
		return err
	}
	if err := required("configRule.source.sourceIdentifier", r.Source.SourceIdentifier); err != nil {
		return err
	}
	if len(r.ConfigRuleName) > 128 {
		return nameLength("configRule.configRuleName", r.ConfigRuleName, 128)
	}
	if len(r.InputParameters) > 1024 {
		return nameLength("configRule.inputParameters", r.InputParameters, 1024)
	}
	if len(r.Description) > 256 {
		return nameLength("configRule.description", r.Description, 256)
	}
	return nil
}

func putConfigRule(c *api.Call, in *PutConfigRuleInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	r := in.ConfigRule
	pi := config.PutRuleInput{Name: r.ConfigRuleName, ARN: r.ConfigRuleArn, ID: r.ConfigRuleId, Description: r.Description,
		Owner: r.Source.Owner, SourceIdentifier: r.Source.SourceIdentifier, SourceDetails: len(r.Source.SourceDetails),
		InputParameters: r.InputParameters, MaximumExecutionFrequency: r.MaximumExecutionFrequency, State: r.ConfigRuleState,
		CreatedBy: r.CreatedBy}
	if sc := r.Scope; sc != nil {
		pi.ResourceTypes = sc.ComplianceResourceTypes
		pi.ResourceID, pi.TagKey, pi.TagValue = deref(sc.ComplianceResourceId), deref(sc.TagKey), deref(sc.TagValue)
	}
	_, err = s.PutRule(c.Ctx, c.Account(), c.Region, pi)
	return nil, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// rulePageSize is how many rules DescribeConfigRules and DescribeComplianceByConfigRule answer per
// page (AWS Config answers 25).
const rulePageSize = 25

type DescribeConfigRulesInput struct {
	ConfigRuleNames []string
	NextToken       string `page:"token"`
}

func (in *DescribeConfigRulesInput) Validate() error {
	return maxNames("configRuleNames", in.ConfigRuleNames, 25)
}

type DescribeConfigRulesOutput struct {
	ConfigRules []ConfigRule
	NextToken   *string `json:",omitempty" page:"token"`
}

func ruleOut(r *config.Rule) ConfigRule {
	out := ConfigRule{ConfigRuleName: r.Name, ConfigRuleArn: r.ARN, ConfigRuleId: r.ID, Description: r.Description,
		Source: &Source{Owner: "AWS", SourceIdentifier: r.SourceIdentifier}, InputParameters: r.InputParameters,
		MaximumExecutionFrequency: r.MaximumExecutionFrequency, ConfigRuleState: r.State, CreatedBy: r.CreatedBy}
	if len(r.ResourceTypes) > 0 || r.ResourceID != "" {
		out.Scope = &Scope{ComplianceResourceTypes: r.ResourceTypes}
		if r.ResourceID != "" {
			out.Scope.ComplianceResourceId = &r.ResourceID
		}
	}
	return out
}

func describeConfigRules(c *api.Call, in *DescribeConfigRulesInput) (*DescribeConfigRulesOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	p, err := s.DescribeRules(c.Ctx, c.Account(), c.Region, in.ConfigRuleNames, in.NextToken, rulePageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigRulesOutput{ConfigRules: make([]ConfigRule, 0, len(p.Items)), NextToken: next(p.Next)}
	for _, r := range p.Items {
		out.ConfigRules = append(out.ConfigRules, ruleOut(r))
	}
	return out, nil
}

// RuleNameInput names one rule (DeleteConfigRule).
type RuleNameInput struct {
	ConfigRuleName string
}

func (in *RuleNameInput) Validate() error {
	if err := required("configRuleName", in.ConfigRuleName); err != nil {
		return err
	}
	if len(in.ConfigRuleName) > 128 {
		return nameLength("configRuleName", in.ConfigRuleName, 128)
	}
	return nil
}

func deleteConfigRule(c *api.Call, in *RuleNameInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.DeleteRule(c.Ctx, c.Account(), c.Region, in.ConfigRuleName)
}

type StartConfigRulesEvaluationInput struct {
	ConfigRuleNames []string
}

func (in *StartConfigRulesEvaluationInput) Validate() error {
	if len(in.ConfigRuleNames) == 0 {
		return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '[]' at 'configRuleNames' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	return maxNames("configRuleNames", in.ConfigRuleNames, config.MaxStartRules)
}

func startConfigRulesEvaluation(c *api.Call, in *StartConfigRulesEvaluationInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.StartEvaluation(c.Ctx, c.Account(), c.Region, in.ConfigRuleNames)
}
