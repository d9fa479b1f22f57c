package policy

import (
	"strings"

	"github.com/rootward/rootward/internal/arn"
)

// resPattern is a compiled Resource/NotResource entry or ARN condition value.
//
// Matching is ARN-aware (IAM User Guide, "IAM JSON policy elements: Resource"): the pattern and
// the ARN are cut at their first five colons and compared component by component, case-sensitively,
// with '*' and '?' wildcards inside a component; the last component of the pattern takes the rest of
// the ARN, so a '*' there spans colons ("arn:aws:logs:*:*:log-group:*" matches
// "...:log-group:g:log-stream:s"). A request resource that is not an ARN (IAM's "*" for actions
// without resource-level permissions) matches only a pattern that matches it as a whole string,
// which in practice means "*".
type resPattern struct {
	// The fields match reads first come first, in one cache line; comps, large, comes last.
	all bool // the pattern is "*"
	// fastLinear: the whole pattern is matched by linearMatch (flat or not ARN-shaped, with
	// variables, and linear).
	fastLinear bool
	n          int     // number of components (0 when the pattern is not ARN-shaped)
	whole      pattern // the pattern as one string: for non-ARN-shaped patterns, and flat ones
	// flat is set when every component but the last is plain text (no wildcard, no variable), as
	// in "arn:aws:s3:::bucket/*". An ARN matching such a pattern as a whole string starts with
	// those components and their colons ("arn:aws:s3:::"), so its first n-1 colons are exactly
	// where the pattern has them and the rest is matched by the last component: whole-string
	// matching is then the component-by-component match, without cutting the ARN.
	flat  bool
	comps [arn.Sections]pattern // component patterns; comps[n-1] absorbs the remainder
}

// compileResource compiles a Resource element entry. vars enables policy variables.
func compileResource(text string, vars bool) (resPattern, string) {
	o := compileOpts{wildcards: true, variables: vars}
	whole, msg := compilePattern(text, o)
	if msg != "" {
		return resPattern{}, msg
	}
	rp := resPattern{whole: whole, all: whole.class == pcAny}
	if rp.all {
		return rp, ""
	}
	parts := splitOutsideVars(text, vars)
	if len(parts) < 2 {
		// Not ARN-shaped: whole-string matching only.
		rp.fastLinear = rp.whole.class == pcGeneral && rp.whole.linear
		return rp, ""
	}
	rp.n = len(parts)
	for i, part := range parts {
		p, msg := compilePattern(part, o)
		if msg != "" {
			return resPattern{}, msg
		}
		rp.comps[i] = p
	}
	rp.flat = true
	for i := 0; i < rp.n-1; i++ {
		rp.flat = rp.flat && rp.comps[i].class == pcExact
	}
	rp.fastLinear = rp.flat && rp.whole.class == pcGeneral && rp.whole.linear
	return rp, ""
}

// splitOutsideVars cuts s at its first five colons that are not inside ${...}, since a policy
// variable such as ${aws:username} contains a colon of its own.
func splitOutsideVars(s string, vars bool) []string {
	var parts []string
	start, depth := 0, false
	for i := 0; i < len(s) && len(parts) < arn.Sections-1; i++ {
		switch {
		case vars && !depth && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth = true
		case depth && s[i] == '}':
			depth = false
		case !depth && s[i] == ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// match reports whether the request value s matches. resolved is false when a policy variable in
// the pattern had no value, in which case matched is false too.
//
// The evaluator tests fastLinear itself (see evaluator.applies) to save a call on the usual
// shape, "arn:aws:s3:::bucket/home/${aws:username}/*".
func (rp *resPattern) match(s string, r *resolver) (matched, resolved bool) {
	if rp.all {
		return true, true
	}
	if rp.fastLinear {
		return linearMatch(rp.whole.toks, s, false, r)
	}
	return rp.matchSlow(s, r)
}

func (rp *resPattern) matchSlow(s string, r *resolver) (matched, resolved bool) {
	if rp.n == 0 || rp.flat {
		return rp.whole.match(s, false, r)
	}
	// Cut s at its first n-1 colons; the last pattern component gets the rest.
	rest := s
	for i := 0; i < rp.n-1; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false, true
		}
		m, ok := rp.comps[i].match(rest[:j], false, r)
		if !ok {
			return false, false
		}
		if !m {
			return false, true
		}
		rest = rest[j+1:]
	}
	return rp.comps[rp.n-1].match(rest, false, r)
}
