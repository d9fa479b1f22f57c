package policy

import "strings"

// Explanation is the detailed result of Explain, shaped after the IAM policy simulator's
// EvaluationResult (SimulatePrincipalPolicy / SimulateCustomPolicy): the decision, every statement
// that matched, the context keys that conditions needed but the request lacked, and whether the
// Organizations SCPs, the permissions boundary and the session policies allowed the request.
type Explanation struct {
	Decision Decision
	// Matched lists every statement that applied, Allow and Deny, in evaluation order (SCPs,
	// resource-based, identity-based, boundary, session, task for denies; then allows).
	Matched []MatchedStatement
	// MissingContextKeys are condition keys referenced by otherwise matching statements that were
	// not in the request context (MissingContextValues in the simulator's result), deduplicated
	// case-insensitively, in first-seen order.
	MissingContextKeys []string

	AllowedByOrganizations       bool // true when the principal is not subject to SCPs
	AllowedByPermissionsBoundary bool // true when there is no boundary
	AllowedBySessionPolicy       bool // true when there is no session policy
}

// MatchedStatement identifies one statement that applied to the request.
type MatchedStatement struct {
	Type       PolicyType
	Policy     *Policy
	Statement  int
	Effect     string // "Allow" or "Deny"
	Start, End Position
}

// Explain evaluates like Evaluate, and also reports every statement that applied and the context
// keys that were missing. Its Decision is always the one Evaluate returns. It allocates.
func Explain(in *Input, req *Request) Explanation {
	x := &Explanation{AllowedByOrganizations: true, AllowedByPermissionsBoundary: true, AllowedBySessionPolicy: true}
	e := evaluator{x: x}
	x.Decision = e.run(in, req)
	return *x
}

func (x *Explanation) add(t PolicyType, p *Policy, i int) {
	for _, m := range x.Matched {
		if m.Policy == p && m.Statement == i && m.Type == t {
			return
		}
	}
	start, end := p.StatementPosition(i)
	x.Matched = append(x.Matched, MatchedStatement{
		Type: t, Policy: p, Statement: i, Effect: p.Statements[i].Effect, Start: start, End: end,
	})
}

func (x *Explanation) addMissing(key string) {
	for _, k := range x.MissingContextKeys {
		if strings.EqualFold(k, key) {
			return
		}
	}
	x.MissingContextKeys = append(x.MissingContextKeys, key)
}
