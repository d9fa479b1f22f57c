package policy

// ARN condition operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (Condition operators page,
// "Amazon Resource Name (ARN) condition operators"). AWS documents ArnEquals and ArnLike alike:
// case-sensitive, each of the six colon-delimited components checked separately, each component
// allowing '*' and '?'. Policy variables are allowed under Version 2012-10-17.

func compileArn(c *cond, values []string, vars bool) string {
	c.arns = make([]resPattern, 0, len(values))
	for _, v := range values {
		rp, msg := compileResource(v, vars)
		if msg != "" {
			return msg
		}
		c.arns = append(c.arns, rp)
	}
	return ""
}

func matchArn(c *cond, v string, r *resolver) bool {
	for i := range c.arns {
		if m, _ := c.arns[i].match(v, r); m {
			return true
		}
	}
	return false
}
