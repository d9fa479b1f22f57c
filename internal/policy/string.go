package policy

// String condition operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike (Condition operators page, "String
// condition operators"). Only the ...Like operators treat '*' and '?' as wildcards; all of them
// accept policy variables under Version 2012-10-17.

func compileString(c *cond, values []string, vars bool) string {
	o := compileOpts{wildcards: c.op == opLike, variables: vars}
	c.strs = make([]pattern, 0, len(values))
	for _, v := range values {
		p, msg := compilePattern(v, o)
		if msg != "" {
			return msg
		}
		c.strs = append(c.strs, p)
	}
	if c.op == opEq {
		lits := make([]string, 0, len(c.strs))
		for i := range c.strs {
			if c.strs[i].class != pcExact {
				return "" // a policy variable: matched through the patterns
			}
			lits = append(lits, c.strs[i].lit)
		}
		c.lits = lits
	}
	return ""
}

// matchString reports whether v matches one of the policy values. A value whose policy variable
// has no value in the request matches nothing (IAM User Guide, "Policy variables with no value").
func matchString(c *cond, v string, r *resolver) bool {
	fold := c.op == opEqFold
	for i := range c.strs {
		if m, _ := c.strs[i].match(v, fold, r); m {
			return true
		}
	}
	return false
}
