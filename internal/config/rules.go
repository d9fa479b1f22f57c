package config

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
)

// ruleRecord is a Config rule as stored (kind "config.rule", the account's, keyed by
// ruleKey(region, name)).
type ruleRecord struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Region           string            `json:"region"`
	Description      string            `json:"description,omitempty"`
	SourceIdentifier string            `json:"source_identifier"`
	InputParameters  string            `json:"input_parameters,omitempty"`
	Params           map[string]string `json:"params,omitempty"`
	Frequency        string            `json:"frequency,omitempty"`
	ResourceTypes    []string          `json:"resource_types,omitempty"`
	ResourceID       string            `json:"resource_id,omitempty"`
	// CreatedBy is config-multiaccountsetup.amazonaws.com for a rule an organization rule
	// deployed; only the management account changes it, through the organization rule.
	CreatedBy string    `json:"created_by,omitempty"`
	Created   time.Time `json:"created"`
	// Evaluating is set by StartConfigRulesEvaluation until Run has evaluated the rule (state
	// EVALUATING); StartedAt is when it was asked last.
	Evaluating bool       `json:"evaluating,omitempty"`
	StartedAt  time.Time  `json:"started_at,omitempty"`
	Status     ruleStatus `json:"status"`
}

// ruleStatus is DescribeConfigRuleEvaluationStatus' record of a rule's evaluations.
type ruleStatus struct {
	LastSuccessfulInvocation time.Time `json:"last_ok_invocation,omitempty"`
	LastFailedInvocation     time.Time `json:"last_failed_invocation,omitempty"`
	LastSuccessfulEvaluation time.Time `json:"last_ok_evaluation,omitempty"`
	LastFailedEvaluation     time.Time `json:"last_failed_evaluation,omitempty"`
	FirstActivated           time.Time `json:"first_activated,omitempty"`
	LastErrorCode            string    `json:"last_error_code,omitempty"`
	LastErrorMessage         string    `json:"last_error_message,omitempty"`
	FirstEvaluationStarted   bool      `json:"first_evaluation_started,omitempty"`
}

// rules: the unique index "id" finds a rule by its ConfigRuleId (PutConfigRule naming the rule by
// ARN or ID).
var rules = store.Define(store.Kind[ruleRecord]{
	Name: "config.rule", Version: 1,
	Indexes: []store.Index[ruleRecord]{
		{Name: "id", Unique: true, Values: func(_ string, r *ruleRecord) []string { return []string{r.ID} }},
		{Name: "region", Values: func(_ string, r *ruleRecord) []string { return []string{r.Region} }},
	},
})

// ruleKey is a rule's key: its region and name. A region holds no "|", so the region's rules are
// the keys under region + "|".
func ruleKey(region, name string) string { return region + "|" + name }

// Rule is a Config rule as the API shows it.
type Rule struct {
	Name, ID, ARN, Region, Description string
	SourceIdentifier, InputParameters  string
	MaximumExecutionFrequency          string
	ResourceTypes                      []string
	ResourceID                         string
	State                              string // ACTIVE or EVALUATING
	CreatedBy                          string
}

// evaluatingTimeout is how long a rule stays EVALUATING when its evaluation never completes (the
// process stopped with it queued): past it, the rule is ACTIVE again and may be started, updated or
// deleted.
const evaluatingTimeout = 10 * time.Minute

// evaluating reports whether StartConfigRulesEvaluation's evaluation of the rule is pending at now.
func (r *ruleRecord) evaluating(now time.Time) bool {
	return r.Evaluating && now.Sub(r.StartedAt) < evaluatingTimeout
}

func (r *ruleRecord) rule(account string, now time.Time) *Rule {
	state := "ACTIVE"
	if r.evaluating(now) {
		state = "EVALUATING"
	}
	return &Rule{Name: r.Name, ID: r.ID, ARN: RuleARN(r.Region, account, r.ID), Region: r.Region, Description: r.Description,
		SourceIdentifier: r.SourceIdentifier, InputParameters: r.InputParameters, MaximumExecutionFrequency: r.Frequency,
		ResourceTypes: slices.Clone(r.ResourceTypes), ResourceID: r.ResourceID, State: state, CreatedBy: r.CreatedBy}
}

// RuleARN is a rule's ARN, arn:aws:config:REGION:ACCOUNT:config-rule/config-rule-XXXXXX.
func RuleARN(region, account, id string) string {
	return rwarn.Config(region, account, "config-rule/"+id)
}

// RulesARN is the ARN pattern of every rule of the account in region, what an action on rules not
// yet created (PutConfigRule) or on all of them is authorized on.
func RulesARN(region, account string) string { return rwarn.Config(region, account, "config-rule/*") }

// Frequencies are MaximumExecutionFrequency's values (Config API Reference, ConfigRule).
var Frequencies = map[string]time.Duration{
	"One_Hour": time.Hour, "Three_Hours": 3 * time.Hour, "Six_Hours": 6 * time.Hour,
	"Twelve_Hours": 12 * time.Hour, "TwentyFour_Hours": 24 * time.Hour,
}

// DefaultFrequency is the frequency of a periodic rule put without one (Config Developer Guide,
// "Trigger types": periodic rules run every 24 hours unless told otherwise).
const DefaultFrequency = "TwentyFour_Hours"

// MaxRules is the number of Config rules an account may have in a Region (Config Developer Guide,
// "Service Limits": 1000 rules per account per Region).
const MaxRules = 1000

// CreatedByOrganization is a rule's CreatedBy when an organization rule deployed it.
const CreatedByOrganization = "config-multiaccountsetup.amazonaws.com"

// PutRuleInput is PutConfigRule's ConfigRule.
type PutRuleInput struct {
	Name, ARN, ID, Description string
	Owner, SourceIdentifier    string
	// SourceDetails is the number of Source.SourceDetails sent: AWS managed rules take none.
	SourceDetails             int
	InputParameters           string
	MaximumExecutionFrequency string
	State                     string
	CreatedBy                 string
	ResourceTypes             []string
	ResourceID                string
	TagKey, TagValue          string
}

// ParseParams reads a rule's InputParameters, a JSON object whose values are strings, as AWS Config
// takes them. Returns InvalidParameterValueException in AWS's words.
func ParseParams(input string) (map[string]string, error) {
	if strings.TrimSpace(input) == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(input), &raw); err != nil || raw == nil {
		return nil, invalid("Invalid json %s passed in the InputParameters field", input)
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// AWS's answer to an unquoted number or a boolean (as moto's tests record it).
			return nil, invalid("Blank spaces are not acceptable for input parameter: %s.  InputParameters': '%s'", name, input)
		}
		out[name] = s
	}
	return out, nil
}

// checkManaged validates an AWS managed rule's source identifier and parameters against the
// engine's check. Returns InvalidParameterValueException.
func checkManaged(sourceID, input string, params map[string]string) (compliance.Check, error) {
	c, ok := compliance.Lookup(sourceID)
	if !ok || !c.ConfigRule {
		return compliance.Check{}, invalid("The sourceIdentifier %s is invalid.  Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner", sourceID)
	}
	var unknown, missing []string
	for name := range params {
		if !slices.ContainsFunc(c.Params, func(p compliance.Param) bool { return p.Name == name }) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return c, invalid("Unknown parameters provided in the inputParameters: %s", input)
	}
	for _, p := range c.Params {
		if _, set := params[p.Name]; !set && !p.Optional && p.Default == "" {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return c, invalid("The required parameter [%s] is not present in the inputParameters", strings.Join(missing, ", "))
	}
	// The engine checks the values' types.
	if err := c.ValidateParams(params); err != nil {
		var e *awserr.Error
		if errors.As(err, &e) {
			return c, invalid("%s", e.Message)
		}
		return c, err
	}
	return c, nil
}

// validate checks a PutConfigRule request that does not depend on stored rules.
func (in *PutRuleInput) validate() (compliance.Check, map[string]string, error) {
	if in.Owner != "AWS" {
		if in.Owner == "CUSTOM_LAMBDA" || in.Owner == "CUSTOM_POLICY" {
			// Rootward's choice: it runs no Lambda function and no Guard policy, so a custom rule
			// could never be evaluated; it is refused rather than left INSUFFICIENT_DATA forever.
			return compliance.Check{}, nil, invalid("Rootward evaluates AWS managed rules only (Source.Owner AWS): it runs no AWS Lambda function or Guard policy, so a %s rule cannot be evaluated.", in.Owner)
		}
		return compliance.Check{}, nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at 'configRule.source.owner' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOM_POLICY, AWS, CUSTOM_LAMBDA]", in.Owner)
	}
	if in.SourceDetails > 0 {
		return compliance.Check{}, nil, invalid("SourceDetails should be null/empty if the owner is AWS. SourceDetails should be provided if the owner is CUSTOM_LAMBDA")
	}
	if in.State != "" && in.State != "ACTIVE" {
		return compliance.Check{}, nil, invalid("The ConfigRuleState %s is invalid.  Only the following values are permitted: ACTIVE", in.State)
	}
	if in.CreatedBy != "" {
		return compliance.Check{}, nil, invalid("AWS Config populates the CreatedBy field for ServiceLinkedConfigRule. Try again without populating the CreatedBy field")
	}
	if f := in.MaximumExecutionFrequency; f != "" {
		if _, ok := Frequencies[f]; !ok {
			return compliance.Check{}, nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at 'configRule.maximumExecutionFrequency' failed to satisfy constraint: Member must satisfy enum value set: [One_Hour, Six_Hours, Three_Hours, Twelve_Hours, TwentyFour_Hours]", f)
		}
	}
	if in.TagKey != "" || in.TagValue != "" {
		if in.TagKey == "" {
			return compliance.Check{}, nil, invalid("Tag key should not be empty when tag value is provided in scope")
		}
		if len(in.ResourceTypes) > 0 || in.ResourceID != "" {
			return compliance.Check{}, nil, invalid("Scope cannot be applied to both resource and tag")
		}
		// Rootward's choice: the facts the checks read carry no tags, so a tag scope could not
		// narrow the rule; refused rather than silently ignored.
		return compliance.Check{}, nil, invalid("Scope.TagKey is not supported: Rootward's rules evaluate IAM users, groups, policies and the account, whose tags they do not read. Scope the rule by ComplianceResourceTypes or ComplianceResourceId instead.")
	}
	if in.ResourceID != "" && len(in.ResourceTypes) != 1 {
		return compliance.Check{}, nil, invalid("A single resourceType should be provided when resourceId is provided in scope")
	}
	if len(in.ResourceTypes) > 100 {
		return compliance.Check{}, nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value at 'configRule.scope.complianceResourceTypes' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	params, err := ParseParams(in.InputParameters)
	if err != nil {
		return compliance.Check{}, nil, err
	}
	c, err := checkManaged(in.SourceIdentifier, in.InputParameters, params)
	return c, params, err
}

// PutRule creates or updates a rule in account and region and queues its evaluation. A rule named
// by ARN or ID must exist (InvalidParameterValueException); a new one needs a name. Returns
// InvalidParameterValueException, ValidationException, MaxNumberOfConfigRulesExceededException,
// InsufficientPermissionsException (a rule an organization rule deployed) and ResourceInUseException
// (a rule being evaluated).
func (s *Service) PutRule(ctx context.Context, account, region string, in PutRuleInput) (*Rule, error) {
	return s.putRule(ctx, account, region, in, false)
}

func (s *Service) putRule(ctx context.Context, account, region string, in PutRuleInput, byOrg bool) (*Rule, error) {
	createdBy := in.CreatedBy
	if byOrg {
		in.CreatedBy = ""
	}
	c, params, err := in.validate()
	if err != nil {
		return nil, err
	}
	freq := in.MaximumExecutionFrequency
	if freq == "" && c.Periodic {
		freq = DefaultFrequency
	}
	now := s.now().UTC()
	var out *ruleRecord
	err = s.st.Update(ctx, func(tx store.Tx) error {
		old, err := s.identify(tx, account, region, in)
		if err != nil {
			return err
		}
		rec := &ruleRecord{Name: in.Name, ID: "config-rule-" + randomID(6), Region: region, Created: now,
			Status: ruleStatus{FirstActivated: now}}
		if old != nil {
			if old.CreatedBy == CreatedByOrganization && !byOrg {
				return awserr.New(awserr.ConfigInsufficientPermissions, "The config rule %s was deployed by an organization config rule (config-multiaccountsetup.amazonaws.com): change or delete it through the organization's management account.", old.Name)
			}
			if old.evaluating(now) {
				return awserr.New(awserr.ConfigResourceInUse, "The rule %s is currently being evaluated. Please retry after some time.", old.Name)
			}
			copied := *old
			rec = &copied
		} else {
			n, err := rules.Count(tx, "region", account, region)
			if err != nil {
				return err
			}
			if n >= MaxRules {
				return awserr.New(awserr.ConfigMaxConfigRules, "Failed to put config rule '%s' because the maximum number of config rules: %d is reached.", in.Name, MaxRules)
			}
		}
		if byOrg {
			rec.CreatedBy = createdBy
		}
		rec.Description, rec.SourceIdentifier, rec.InputParameters, rec.Params = in.Description, c.ID, in.InputParameters, params
		rec.Frequency, rec.ResourceTypes, rec.ResourceID = freq, in.ResourceTypes, in.ResourceID
		if old != nil && old.SourceIdentifier != c.ID {
			// Another check: the old evaluations are not this rule's any more.
			if err := deleteEvaluations(tx, account, region, rec.Name); err != nil {
				return err
			}
		}
		out = rec
		return rules.Put(tx, account, ruleKey(region, rec.Name), rec)
	})
	if err != nil {
		return nil, err
	}
	s.enqueue(job{account: account, region: region, rules: []string{out.Name}})
	return out.rule(account, now), nil
}

// identify finds the rule a PutConfigRule request updates: by ARN or ID (which must exist and
// agree with the name), else by name (nil when new).
func (s *Service) identify(tx store.Tx, account, region string, in PutRuleInput) (*ruleRecord, error) {
	id := in.ID
	if in.ARN != "" {
		i := strings.LastIndex(in.ARN, "config-rule/")
		if i < 0 || in.ARN != RuleARN(region, account, in.ARN[i+len("config-rule/"):]) {
			return nil, generatedIDs()
		}
		if arnID := in.ARN[i+len("config-rule/"):]; id != "" && id != arnID {
			return nil, invalid("The ConfigRuleArn %s and the ConfigRuleId %s name different rules.", in.ARN, id)
		} else {
			id = arnID
		}
	}
	if id == "" {
		if in.Name == "" {
			return nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value null at 'configRule.configRuleName' failed to satisfy constraint: Member must not be null")
		}
		r, ok, err := rules.Get(tx, account, ruleKey(region, in.Name))
		if !ok {
			r = nil
		}
		return r, err
	}
	_, r, ok, err := rules.Lookup(tx, "id", account, id)
	if err != nil {
		return nil, err
	}
	if !ok || r.Region != region {
		return nil, generatedIDs()
	}
	if in.Name != "" && in.Name != r.Name {
		// AWS Config does not rename rules.
		return nil, invalid("The ConfigRuleName %s does not match the name %s of the rule %s: a rule cannot be renamed.", in.Name, r.Name, id)
	}
	return r, nil
}

// generatedIDs answers a PutConfigRule that names by ARN or ID a rule that does not exist: AWS
// Config takes it for a new rule, whose ARN and ID only it assigns.
func generatedIDs() error {
	return invalid("ConfigRule Arn and Id can not be specified when creating a new ConfigRule. ConfigRule Arn and Id are generated by the service. Please try the request again without specifying ConfigRule Arn or Id")
}

func noSuchRule(name string) error {
	return awserr.New(awserr.ConfigNoSuchConfigRule, "The ConfigRule '%s' provided in the request is invalid. Please check the configRule name", name)
}

// RuleNamed returns a rule; NoSuchConfigRuleException when there is none.
func (s *Service) RuleNamed(ctx context.Context, account, region, name string) (*Rule, error) {
	var out *Rule
	err := s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := rules.Get(tx, account, ruleKey(region, name))
		if err != nil {
			return err
		}
		if !ok {
			return noSuchRule(name)
		}
		out = r.rule(account, s.now())
		return nil
	})
	return out, err
}

// RuleARNs returns the ARNs of the named rules that exist (for authorization: a name that does not
// exist is authorized on RulesARN and answered NoSuchConfigRuleException after).
func (s *Service) RuleARNs(ctx context.Context, account, region string, names []string) ([]string, error) {
	var out []string
	err := s.st.View(ctx, func(tx store.Tx) error {
		for _, n := range names {
			r, ok, err := rules.Get(tx, account, ruleKey(region, n))
			if err != nil {
				return err
			}
			if ok {
				out = append(out, RuleARN(region, account, r.ID))
			} else {
				out = append(out, RulesARN(region, account))
			}
		}
		return nil
	})
	return out, err
}

// Page is one page of a listing; Next is the position of the next page ("" on the last).
type Page[T any] struct {
	Items []T
	Next  string
}

// namedOrPage reads the records of kind named names in region (each must exist: missing answers
// for the first that does not) or, when none is named, a page of limit of every record of the
// region after the position `after`. conv turns a record into its answer, or filters it out (keep
// false).
func namedOrPage[R, T any](tx store.Tx, kind *store.Kind[R], account, region string, names []string, missing func(name string) error,
	after string, limit int, conv func(r *R) (T, bool, error)) (Page[T], error) {
	var p Page[T]
	if len(names) > 0 {
		for _, n := range names {
			r, ok, err := kind.Get(tx, account, region+"|"+n)
			if err != nil {
				return p, err
			}
			if !ok {
				return p, missing(n)
			}
			v, keep, err := conv(r)
			if err != nil {
				return p, err
			}
			if keep {
				p.Items = append(p.Items, v)
			}
		}
		return p, nil
	}
	pg, err := store.ReadPage(kind.Range(tx, account, region+"|"), after, limit, func(it store.Item) (T, bool, error) {
		r, err := kind.Decode(it.Body)
		if err != nil {
			var zero T
			return zero, false, err
		}
		return conv(r)
	})
	if err != nil {
		return p, err
	}
	p.Items = pg.Items
	if pg.Truncated {
		p.Next = pg.Last
	}
	return p, nil
}

// DescribeRules returns the named rules (every one of them must exist: NoSuchConfigRuleException),
// or a page of all of the account's rules in region after the position `after`.
func (s *Service) DescribeRules(ctx context.Context, account, region string, names []string, after string, limit int) (Page[*Rule], error) {
	var p Page[*Rule]
	now := s.now()
	err := s.st.View(ctx, func(tx store.Tx) (err error) {
		p, err = namedOrPage(tx, rules, account, region, names, noSuchRule, after, limit, func(r *ruleRecord) (*Rule, bool, error) {
			return r.rule(account, now), true, nil
		})
		return err
	})
	return p, err
}

// DeleteRule deletes a rule and its evaluations. Returns NoSuchConfigRuleException,
// ResourceInUseException (being evaluated) and InsufficientPermissionsException (deployed by an
// organization rule).
func (s *Service) DeleteRule(ctx context.Context, account, region, name string) error {
	now := s.now()
	return s.st.Update(ctx, func(tx store.Tx) error { return deleteRule(tx, account, region, name, false, now) })
}

func deleteRule(tx store.Tx, account, region, name string, byOrg bool, now time.Time) error {
	r, ok, err := rules.Get(tx, account, ruleKey(region, name))
	if err != nil {
		return err
	}
	if !ok {
		return noSuchRule(name)
	}
	if r.CreatedBy == CreatedByOrganization && !byOrg {
		return awserr.New(awserr.ConfigInsufficientPermissions, "The config rule %s was deployed by an organization config rule (config-multiaccountsetup.amazonaws.com): delete it through the organization's management account.", name)
	}
	if r.evaluating(now) && !byOrg {
		return awserr.New(awserr.ConfigResourceInUse, "The rule %s is currently being deleted or evaluated. Please retry after some time.", name)
	}
	if err := deleteEvaluations(tx, account, region, name); err != nil {
		return err
	}
	return rules.Delete(tx, account, ruleKey(region, name))
}

// MaxStartRules is how many rules one StartConfigRulesEvaluation names at most (Config API
// Reference, StartConfigRulesEvaluation: "You can specify up to 25 Config rules per request").
const MaxStartRules = 25

// startInterval is how often a rule's evaluation may be started: AWS Config answers
// LimitExceededException "if an evaluation is in progress or if you call the
// StartConfigRulesEvaluation API more than once per minute" (Config API Reference,
// StartConfigRulesEvaluation, Errors).
const startInterval = time.Minute

// StartEvaluation marks the named rules EVALUATING and queues their evaluation. Returns
// NoSuchConfigRuleException and LimitExceededException (one is being evaluated, or was started less
// than a minute ago); nothing is started unless every rule can be.
func (s *Service) StartEvaluation(ctx context.Context, account, region string, names []string) error {
	now := s.now().UTC()
	var started []string
	err := s.st.Update(ctx, func(tx store.Tx) error {
		started = started[:0]
		for _, n := range names {
			r, ok, err := rules.Get(tx, account, ruleKey(region, n))
			if err != nil {
				return err
			}
			if !ok {
				return noSuchRule(n)
			}
			if r.evaluating(now) || (!r.StartedAt.IsZero() && now.Sub(r.StartedAt) < startInterval) {
				// AWS documents the case, not its message; Rootward's words.
				return awserr.New(awserr.ConfigLimitExceeded, "The evaluation of the rule %s is in progress or was started less than a minute ago: wait for it to complete and try again.", n)
			}
			// A service that cannot evaluate (no gatherer) never marks a rule EVALUATING.
			r.Evaluating, r.StartedAt = s.gather != nil, now
			if err := rules.Put(tx, account, ruleKey(region, n), r); err != nil {
				return err
			}
			started = append(started, n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.enqueue(job{account: account, region: region, rules: started})
	return nil
}

// frequencyOf is how often a rule is evaluated periodically: its MaximumExecutionFrequency, or
// none (0) for a change-triggered rule without one.
func frequencyOf(r *ruleRecord) time.Duration { return Frequencies[r.Frequency] }
