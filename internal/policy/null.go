package policy

// Null condition operator (Condition operators page, "Condition operator to check existence of
// condition keys"): "true" holds when the key is absent (null), "false" when it is present. A key
// set with an empty value list counts as absent. Null takes no IfExists or set qualifier.

func compileNull(c *cond, values []string) string {
	c.bools = make([]bool, 0, len(values))
	for _, v := range values {
		b, ok := parseBool(v)
		if !ok {
			return "Invalid Condition value for Null: " + quote(v)
		}
		c.bools = append(c.bools, b)
	}
	return ""
}
