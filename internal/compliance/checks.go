package compliance

import (
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// Status is a check's outcome for one resource.
type Status string

// The outcomes. Error means the facts the check needs could not be read; it never stands for a
// pass.
const (
	Passed        Status = "PASSED"
	Failed        Status = "FAILED"
	NotApplicable Status = "NOT_APPLICABLE"
	Error         Status = "ERROR"
)

// Resource types, as AWS Config names them.
const (
	TypeAccount = "AWS::::Account"
	TypeUser    = "AWS::IAM::User"
	TypeGroup   = "AWS::IAM::Group"
	TypePolicy  = "AWS::IAM::Policy"
)

// Result is one check's outcome for one resource.
type Result struct {
	Check        string // Check.ID
	Account      string
	ResourceType string // TypeAccount, TypeUser, TypeGroup or TypePolicy
	// ResourceID is AWS Config's resource ID: the account ID, or the IAM entity's unique ID
	// (AIDA…, AGPA…, ANPA…).
	ResourceID string
	// ResourceName is the account ID, or the user, group or policy name.
	ResourceName string
	Status       Status
	Evidence     string // what was seen, one sentence
	Remediation  string // how to fix it, with a documentation URL
}

// Check is one compliance check. ID is the AWS Config managed rule identifier (a rule's
// Source.SourceIdentifier), e.g. ROOT_ACCOUNT_MFA_ENABLED; Rootward's own checks have IDs of the
// same form, ROOTWARD_…, and the one check that is not a Config rule too.
type Check struct {
	ID          string
	Title       string
	Description string
	// ConfigRule is true when AWS Config serves the check as a managed rule with
	// SourceIdentifier ID.
	ConfigRule bool
	// ResourceTypes are the rule's Scope.ComplianceResourceTypes.
	ResourceTypes []string
	// Params are the rule's InputParameters, with AWS's names and defaults.
	Params []Param
	// Periodic is true for a rule that AWS runs on a schedule (MaximumExecutionFrequency
	// applies); the others are triggered by configuration changes.
	Periodic       bool
	SecurityHub    []Control
	TrustedAdvisor *AdvisorCheck
	Remediation    string

	eval func(f *Facts, p params) []Result
}

// Param is a rule parameter.
type Param struct {
	Name, Default string
	Type          string // "int", "bool" or "string"
	Optional      bool
}

// Control is a Security Hub control that evaluates a check, with the parameters it evaluates it
// with.
type Control struct {
	ID        string // "IAM.9", "Account.1", "Rootward.1"
	Title     string
	Severity  string // CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL
	Standards []string
	Params    map[string]string
}

// Standards a control belongs to.
const (
	StandardFSBP     = "aws-foundational-security-best-practices"
	StandardCIS      = "cis-aws-foundations-benchmark"
	StandardRootward = "rootward-root-user-best-practices"
)

// AdvisorCheck is a Trusted Advisor check that reports a compliance check.
type AdvisorCheck struct {
	ID, Name, Category string
}

// Checks returns every check, in a stable order.
func Checks() []Check { return catalogue }

// Lookup returns the check with the given ID.
func Lookup(id string) (Check, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Evaluate runs one check on f with the given parameters (nil or absent ones: the defaults).
// Returns InvalidParameterValueException for an unknown check, an unknown parameter or a value of
// the wrong type.
func Evaluate(f *Facts, id string, params map[string]string) ([]Result, error) {
	c, ok := Lookup(id)
	if !ok {
		return nil, awserr.New(invalidParameterValue, "The sourceIdentifier %s is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner.", id)
	}
	p, err := c.resolve(params)
	if err != nil {
		return nil, err
	}
	return c.run(f, p), nil
}

// EvaluateAll runs every check with its default parameters.
func EvaluateAll(f *Facts) []Result {
	var out []Result
	for _, c := range catalogue {
		p, _ := c.resolve(nil)
		out = append(out, c.run(f, p)...)
	}
	return out
}

// ValidateParams checks params against the check's parameters, as PutConfigRule does with a
// rule's InputParameters.
func (c Check) ValidateParams(params map[string]string) error {
	_, err := c.resolve(params)
	return err
}

// invalidParameterValue is AWS Config's error code for a bad rule or parameter ("Config API
// Reference", PutConfigRule, Errors).
const invalidParameterValue awserr.Code = "InvalidParameterValueException"

// params are a check's resolved parameters.
type params map[string]string

func (p params) int(name string) int {
	n, _ := strconv.Atoi(p[name])
	return n
}

func (p params) bool(name string) bool { return strings.EqualFold(p[name], "true") }

func (c Check) resolve(in map[string]string) (params, error) {
	out := params{}
	for _, d := range c.Params {
		if d.Default != "" {
			out[d.Name] = d.Default
		}
	}
	for name, v := range in {
		var def *Param
		for i := range c.Params {
			if c.Params[i].Name == name {
				def = &c.Params[i]
			}
		}
		if def == nil {
			return nil, awserr.New(invalidParameterValue, "Unknown parameter %s for the rule %s.", name, c.ID)
		}
		v = strings.TrimSpace(v)
		switch def.Type {
		case "int":
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return nil, awserr.New(invalidParameterValue, "The value %q of the parameter %s of the rule %s must be a non-negative integer.", v, name, c.ID)
			}
		case "bool":
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return nil, awserr.New(invalidParameterValue, "The value %q of the parameter %s of the rule %s must be true or false.", v, name, c.ID)
			}
		}
		if v != "" {
			out[name] = v
		}
	}
	return out, nil
}

func (c Check) run(f *Facts, p params) []Result {
	out := c.eval(f, p)
	for i := range out {
		out[i].Check = c.ID
		out[i].Account = f.Account
		if out[i].Remediation == "" && out[i].Status != Passed && out[i].Status != NotApplicable {
			out[i].Remediation = c.Remediation
		}
	}
	return out
}
