package policy

import "strings"

// Bool condition operator (Condition operators page, "Boolean condition operators"): the request
// value "true" or "false" (case-insensitive) compared with the policy values, which may be JSON
// booleans or the strings "true"/"false".

func compileBool(c *cond, values []string) string {
	c.bools = make([]bool, 0, len(values))
	for _, v := range values {
		b, ok := parseBool(v)
		if !ok {
			return "Invalid Condition value for Bool: " + quote(v)
		}
		c.bools = append(c.bools, b)
	}
	return ""
}

func matchBool(c *cond, v string) (match, ok bool) {
	b, ok := parseBool(v)
	if !ok {
		return false, false
	}
	for _, want := range c.bools {
		if b == want {
			return true, true
		}
	}
	return false, true
}

func parseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}
