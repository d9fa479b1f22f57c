package simulate

import (
	"strings"

	"github.com/rootward/rootward/internal/policy"
)

// Result is the simulation of one action (an EvaluationResult). The top-level decision is the
// most restrictive across the resources, its statements and missing keys the union of theirs.
type Result struct {
	Action   string
	Resource string // always "*": Rootward has no catalogue of ARN templates per resource type
	Decision policy.Effect
	// Statements are the statements that determine Decision (MatchedStatements).
	Statements []Statement
	// Missing are the condition keys referenced by otherwise matching statements that the
	// request context lacked (MissingContextValues).
	Missing []string
	// AllowedByOrganizations is nil unless SCPs take part in the simulation
	// (OrganizationsDecisionDetail "only applies if the simulated user's account is part of an
	// organization").
	AllowedByOrganizations *bool
	// AllowedByBoundary is nil unless a permissions boundary takes part.
	AllowedByBoundary *bool
	// Details is the decision of each policy type (keyed SourceIAM, SourceResource,
	// SourceBoundary) for a cross-account resource (EvalDecisionDetails). It is nil when the
	// member is absent, and empty when it is present but empty.
	Details map[string]policy.Effect
	// PerResource holds one result per ResourceArns member; nil when ResourceArns was absent.
	PerResource []ResourceResult
}

// ResourceResult is the simulation of one action on one resource (a ResourceSpecificResult).
type ResourceResult struct {
	Resource          string
	Decision          policy.Effect
	Statements        []Statement
	Missing           []string
	Details           map[string]policy.Effect // nil when absent
	AllowedByBoundary *bool                    // nil unless a permissions boundary takes part
}

// Statement is a matched statement as IAM reports it: the policy's source id and type, and where
// the statement lies in the document (1-based lines and byte columns).
type Statement struct {
	SourcePolicyID, SourcePolicyType string
	Start, End                       policy.Position
}

// outcome is the simulation of one action on one resource.
type outcome struct {
	effect     policy.Effect
	matched    []policy.MatchedStatement
	missing    []string
	details    map[string]policy.Effect // per policy type, for cross-account requests only
	boundaryOK bool
	orgsOK     bool
	// scpStop: the SCPs denied, which ends AWS's evaluation ("If an Organizations SCP included in
	// the evaluation denies access, the simulation ends ... and this parameter [EvalDecisionDetails]
	// is not returned").
	scpStop bool
}

func (s *Simulation) simulate(action, resource string) outcome {
	in := s.in
	owner := s.resourceOwner(resource)
	in.ResourceAccount = owner
	x := policy.Explain(&in, &policy.Request{Action: action, Resource: resource, Principal: s.principal, Context: &s.ctx})
	o := outcome{effect: x.Decision.Effect, missing: x.MissingContextKeys}
	// Explain's flags say whether an Allow matched; an explicit Deny in the boundary or an SCP
	// also means "not allowed by" it (PermissionsBoundaryDecisionDetail: "A value of false means
	// that either the requested action is not allowed (implicitly denied) or that the action is
	// explicitly denied by the permissions boundary").
	o.boundaryOK = x.AllowedByPermissionsBoundary && typeEffect(x.Matched, policy.PolicyBoundary) != policy.ExplicitDeny
	o.orgsOK = x.AllowedByOrganizations && typeEffect(x.Matched, policy.PolicySCP) != policy.ExplicitDeny
	for _, m := range x.Matched {
		if reported(x.Decision.Effect, m) {
			o.matched = append(o.matched, m)
		}
	}
	o.scpStop = in.SCPs != nil && !o.orgsOK
	if owner != s.principal.Account && !o.scpStop {
		o.details = map[string]policy.Effect{
			SourceIAM:      typeEffect(x.Matched, policy.PolicyIdentity),
			SourceResource: typeEffect(x.Matched, policy.PolicyResource),
		}
		if in.Boundary != nil {
			o.details[SourceBoundary] = typeEffect(x.Matched, policy.PolicyBoundary)
		}
	}
	return o
}

// reported says whether a matched statement belongs in MatchedStatements: "the statements in the
// input policies that determine the result ... if any statement denies that operation ... the
// deny statement is the only entry included", and SCP statements never appear ("This field doesn't
// include statements from service control policies"). An implicit deny has no deciding statement.
func reported(e policy.Effect, m policy.MatchedStatement) bool {
	switch e {
	case policy.ExplicitDeny:
		return m.Effect == "Deny" && m.Type != policy.PolicySCP
	case policy.Allowed:
		return m.Effect == "Allow" && (m.Type == policy.PolicyIdentity || m.Type == policy.PolicyResource)
	}
	return false
}

// typeEffect is what the statements of one policy type alone decide.
func typeEffect(ms []policy.MatchedStatement, t policy.PolicyType) policy.Effect {
	e := policy.ImplicitDeny
	for _, m := range ms {
		if m.Type != t {
			continue
		}
		if m.Effect == "Deny" {
			return policy.ExplicitDeny
		}
		e = policy.Allowed
	}
	return e
}

// restrictive orders decisions for the top-level result, "the most restrictive decision ...
// across all requested resources".
func restrictive(a, b policy.Effect) policy.Effect {
	rank := func(e policy.Effect) int {
		switch e {
		case policy.ExplicitDeny:
			return 2
		case policy.ImplicitDeny:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// Actions are the actions to simulate, in the order asked.
func (s *Simulation) Actions() []string { return s.actions }

// Evaluate simulates action on each resource (on "*" when ResourceArns was absent).
func (s *Simulation) Evaluate(action string) Result {
	resources := s.resources
	if resources == nil {
		resources = []string{"*"}
	}
	r := Result{Action: action, Resource: "*"}
	decision := policy.Allowed
	var matched []policy.MatchedStatement
	var missing []string
	var details map[string]policy.Effect
	boundaryOK, orgsOK, scpStop := true, true, false
	for _, res := range resources {
		o := s.simulate(action, res)
		decision = restrictive(decision, o.effect)
		matched = unionMatched(matched, o.matched)
		missing = unionKeys(missing, o.missing)
		boundaryOK = boundaryOK && o.boundaryOK
		orgsOK = orgsOK && o.orgsOK
		scpStop = scpStop || o.scpStop
		for k, v := range o.details {
			if details == nil {
				details = map[string]policy.Effect{}
			}
			if old, ok := details[k]; ok {
				v = restrictive(old, v)
			}
			details[k] = v
		}
		if s.resources == nil {
			continue
		}
		rr := ResourceResult{
			Resource: res, Decision: o.effect,
			Statements: s.statements(o.matched), Missing: o.missing, Details: o.details,
		}
		if s.in.Boundary != nil {
			rr.AllowedByBoundary = &o.boundaryOK
		}
		r.PerResource = append(r.PerResource, rr)
	}
	r.Decision = decision
	r.Statements = s.statements(matched)
	r.Missing = missing
	// EvalDecisionDetails: "If the simulation evaluates policies within the same account and
	// includes a resource ARN, then the parameter is present but the response is empty. If ...
	// all resources (*), then the parameter is not returned."
	if details == nil && s.resources != nil && !scpStop {
		details = map[string]policy.Effect{}
	}
	r.Details = details
	if s.in.Boundary != nil {
		r.AllowedByBoundary = &boundaryOK
	}
	if s.in.SCPs != nil {
		r.AllowedByOrganizations = &orgsOK
	}
	return r
}

func unionMatched(into, add []policy.MatchedStatement) []policy.MatchedStatement {
next:
	for _, m := range add {
		for _, have := range into {
			if have.Policy == m.Policy && have.Statement == m.Statement {
				continue next
			}
		}
		into = append(into, m)
	}
	return into
}

func unionKeys(into, add []string) []string {
next:
	for _, k := range add {
		for _, have := range into {
			if strings.EqualFold(have, k) {
				continue next
			}
		}
		into = append(into, k)
	}
	return into
}

func (s *Simulation) statements(ms []policy.MatchedStatement) []Statement {
	out := make([]Statement, 0, len(ms))
	for _, m := range ms {
		src, ok := s.sources[m.Policy]
		if !ok {
			src = policySource{id: m.Policy.Name, typ: SourceIAM}
		}
		out = append(out, Statement{
			SourcePolicyID: src.id, SourcePolicyType: src.typ,
			Start: awsStatementStart(src.doc, m.Policy, m.Statement), End: m.End,
		})
	}
	return out
}
