package policy

import "strconv"

// Numeric condition operators: NumericEquals, NumericNotEquals, NumericLessThan,
// NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals (Condition operators page,
// "Numeric condition operators"). Values may be JSON numbers or strings holding numbers; integers
// and decimals compare by value, so "1" equals "1.0".

func compileNumeric(c *cond, values []string) string {
	c.nums = make([]float64, 0, len(values))
	for _, v := range values {
		f, ok := parseNumber(v)
		if !ok {
			return "Invalid Condition value for " + opName(c) + ": " + quote(v)
		}
		c.nums = append(c.nums, f)
	}
	return ""
}

// matchNumeric compares the request value as parseNumber parsed it in Context.Set.
func matchNumeric(c *cond, tv *typedValue) (match, ok bool) {
	if tv.has&hasNum == 0 {
		return false, false
	}
	f := tv.num
	for _, want := range c.nums {
		if compareOrdered(c.op, f, want) {
			return true, true
		}
	}
	return false, true
}

// parseNumber accepts an optionally signed decimal with optional fraction and exponent. It checks
// the syntax first so that strconv never builds an error value on the evaluation path.
func parseNumber(s string) (float64, bool) {
	if !numberSyntax(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func numberSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// compareOrdered applies an ordering operator: request value got against policy value want.
func compareOrdered[T int64 | float64](op baseOp, got, want T) bool {
	switch op {
	case opEq:
		return got == want
	case opLt:
		return got < want
	case opLte:
		return got <= want
	case opGt:
		return got > want
	case opGte:
		return got >= want
	}
	return false
}

// opName rebuilds the base operator name for messages.
func opName(c *cond) string {
	for name, info := range operators {
		if info == c.opInfo {
			return name
		}
	}
	return "condition"
}
