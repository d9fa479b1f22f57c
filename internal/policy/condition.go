package policy

import "strings"

// Condition is one operator/key/values triple of a statement's Condition block, as written.
// Values are the JSON values in string form: numbers keep their literal text, booleans are
// "true"/"false".
type Condition struct {
	Operator string   // e.g. "StringEquals", "ForAnyValue:StringLike", "DateLessThanIfExists"
	Key      string   // condition key as written, e.g. "aws:PrincipalTag/team"
	Values   []string // OR-ed policy values
}

type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

type baseOp uint8

const (
	opEq baseOp = iota
	opEqFold
	opLike
	opLt
	opLte
	opGt
	opGte
)

type setMode uint8

const (
	setNone setMode = iota
	setForAll
	setForAny
)

type opInfo struct {
	fam    family
	op     baseOp
	negate bool
}

// operators lists every condition operator of the IAM User Guide page "IAM JSON policy elements:
// Condition operators" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
// Names are matched exactly: an operator spelled any other
// way is a validation error, never a condition that silently matches or fails.
var operators = map[string]opInfo{
	"StringEquals":              {famString, opEq, false},
	"StringNotEquals":           {famString, opEq, true},
	"StringEqualsIgnoreCase":    {famString, opEqFold, false},
	"StringNotEqualsIgnoreCase": {famString, opEqFold, true},
	"StringLike":                {famString, opLike, false},
	"StringNotLike":             {famString, opLike, true},
	"NumericEquals":             {famNumeric, opEq, false},
	"NumericNotEquals":          {famNumeric, opEq, true},
	"NumericLessThan":           {famNumeric, opLt, false},
	"NumericLessThanEquals":     {famNumeric, opLte, false},
	"NumericGreaterThan":        {famNumeric, opGt, false},
	"NumericGreaterThanEquals":  {famNumeric, opGte, false},
	"DateEquals":                {famDate, opEq, false},
	"DateNotEquals":             {famDate, opEq, true},
	"DateLessThan":              {famDate, opLt, false},
	"DateLessThanEquals":        {famDate, opLte, false},
	"DateGreaterThan":           {famDate, opGt, false},
	"DateGreaterThanEquals":     {famDate, opGte, false},
	"Bool":                      {famBool, opEq, false},
	"BinaryEquals":              {famBinary, opEq, false},
	"IpAddress":                 {famIP, opEq, false},
	"NotIpAddress":              {famIP, opEq, true},
	"ArnEquals":                 {famArn, opLike, false},
	"ArnLike":                   {famArn, opLike, false},
	"ArnNotEquals":              {famArn, opLike, true},
	"ArnNotLike":                {famArn, opLike, true},
	"Null":                      {famNull, opEq, false},
}

// fastKind names the conditions eval decides before its general rules, when the key is present:
// the two most common in real policies.
type fastKind uint8

const (
	fastNone fastKind = iota
	fastLits          // StringEquals or StringNotEquals on plain values, no set qualifier
	fastIP            // IpAddress or NotIpAddress, no set qualifier
)

// cond is a compiled condition.
type cond struct {
	opInfo
	fast     fastKind
	set      setMode
	ifExists bool
	key      ctxKey
	src      int // index in Statement.Condition

	strs   []pattern    // famString, famArn (famArn: whole-value patterns)
	lits   []string     // StringEquals/StringNotEquals whose values are plain text: those values
	arns   []resPattern // famArn: per-component patterns
	nums   []float64    // famNumeric
	times  []int64      // famDate, Unix nanoseconds
	bools  []bool       // famBool, famNull
	bins   []string     // famBinary: canonical base64 forms
	prefix []ipPrefix   // famIP
}

// parseOperator splits an operator name into its set qualifier, base operator and IfExists suffix.
func parseOperator(name string) (opInfo, setMode, bool, bool) {
	set := setNone
	base := name
	switch {
	case strings.HasPrefix(base, "ForAllValues:"):
		set, base = setForAll, base[len("ForAllValues:"):]
	case strings.HasPrefix(base, "ForAnyValue:"):
		set, base = setForAny, base[len("ForAnyValue:"):]
	}
	ifExists := false
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		ifExists, base = true, b
	}
	info, ok := operators[base]
	if !ok {
		return opInfo{}, 0, false, false
	}
	// "IfExists" applies to every operator except Null (Condition operators page, "...IfExists
	// condition operators"); a set qualifier on Null has no meaning either, so both are refused
	// rather than guessed at.
	if info.fam == famNull && (ifExists || set != setNone) {
		return opInfo{}, 0, false, false
	}
	return info, set, ifExists, true
}

// compileCondition validates and compiles one condition. vars reports whether policy variables
// are live (Version 2012-10-17). It returns an AWS-style message on error.
func compileCondition(c Condition, src int, vars bool) (cond, string) {
	info, set, ifExists, ok := parseOperator(c.Operator)
	if !ok {
		// IAM answers an unknown operator ("x", "ForAnyValue::StringEqualsIfExists") with its
		// generic syntax message (getmoto/moto tests/test_iam/test_iam_policies.py).
		return cond{}, msgSyntax
	}
	// A condition key needs no service prefix: IAM stores {"DateGreaterThan": {"a": [...]}}
	// (the same moto cases); such a key is simply absent from every request. An empty list of
	// values is accepted too (same cases): no value matches it, so only the operators that ask
	// for no match (StringNotEquals and the like) are true of a present key.
	key := strings.ToLower(c.Key)
	cd := cond{opInfo: info, set: set, ifExists: ifExists, key: newCtxKey(key), src: src}
	var msg string
	switch info.fam {
	case famString:
		msg = compileString(&cd, c.Values, vars)
	case famNumeric:
		msg = compileNumeric(&cd, c.Values)
	case famDate:
		msg = compileDate(&cd, c.Values)
	case famBool:
		msg = compileBool(&cd, c.Values)
	case famBinary:
		msg = compileBinary(&cd, c.Values)
	case famIP:
		msg = compileIP(&cd, c.Values)
	case famArn:
		msg = compileArn(&cd, c.Values, vars)
	case famNull:
		msg = compileNull(&cd, c.Values)
	}
	if msg != "" {
		return cond{}, msg
	}
	switch {
	case set == setNone && info.fam == famString && cd.lits != nil:
		cd.fast = fastLits
	case set == setNone && info.fam == famIP:
		cd.fast = fastIP
	}
	return cd, ""
}

// tri is a three-valued result: a condition whose request value cannot be interpreted (a date
// that does not parse, say) is unknown, and unknown never lets an Allow statement apply while it
// still lets a Deny statement apply (never fail open).
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// matchAny reports whether the request value v (tv parsed) matches at least one policy value
// (several values for one key are OR-ed). ok is false when v cannot be interpreted by the operator.
func (c *cond) matchAny(v string, tv *typedValue, r *resolver) (match, ok bool) {
	switch c.fam {
	case famString:
		return matchString(c, v, r), true
	case famNumeric:
		return matchNumeric(c, tv)
	case famDate:
		return matchDate(c, tv)
	case famBool:
		return matchBool(c, v)
	case famBinary:
		return matchBinary(c, v), true
	case famIP:
		return matchIP(c, tv)
	case famArn:
		return matchArn(c, v, r), true
	}
	return false, false
}

// eval evaluates the condition against the context. missing reports that the key was absent.
//
// Rules (Condition operators page and "Single-valued vs. multivalued context keys"):
//   - key absent: ...IfExists is true; ForAllValues is true; ForAnyValue is false; otherwise a
//     positive operator is false and a negated one (StringNotEquals, NotIpAddress, ...) is true.
//   - plain operator: true when some request value matches some policy value; a negated operator
//     is the negation of that (none of the request values matches any policy value).
//   - ForAnyValue: some request value satisfies the (possibly negated) operator.
//   - ForAllValues: every request value satisfies it; an empty value set is true.
func (c *cond) eval(ctx *Context, r *resolver) (res tri, missing bool) {
	slot := ctx.lookup(&c.key)
	if slot != nil && len(slot.vals) > 0 {
		// The general rules below, for these two kinds when the key has values.
		switch c.fast {
		case fastLits:
			for _, v := range slot.vals {
				for _, l := range c.lits {
					if v == l {
						return boolTri(!c.negate), false
					}
				}
			}
			return boolTri(c.negate), false
		case fastIP:
			unknown := false
			for _, ref := range slot.refs {
				tv := ctx.typedOf(ref)
				if tv.has&hasIP == 0 {
					unknown = true
					continue
				}
				for k := range c.prefix {
					if c.prefix[k].contains(&tv.ip) {
						return boolTri(!c.negate), false
					}
				}
			}
			if unknown {
				return triUnknown, false
			}
			return boolTri(c.negate), false
		}
	}
	var vals []string
	var refs []int32
	present := slot != nil
	if present {
		vals, refs = slot.vals, slot.refs
	}
	if c.fam == famNull {
		isNull := !present || len(vals) == 0
		for _, want := range c.bools {
			if want == isNull {
				return triTrue, !present
			}
		}
		return triFalse, !present
	}
	if !present || len(vals) == 0 {
		switch {
		case c.set == setForAll:
			return triTrue, !present
		case c.set == setForAny:
			return triFalse, !present
		case c.ifExists:
			return triTrue, !present
		case c.negate:
			return triTrue, !present
		}
		return triFalse, !present
	}
	switch c.set {
	case setNone:
		if c.lits != nil {
			// The most common condition, compared without the pattern machinery.
			for _, v := range vals {
				for _, l := range c.lits {
					if v == l {
						return boolTri(!c.negate), false
					}
				}
			}
			return boolTri(c.negate), false
		}
		unknown := false
		for i, v := range vals {
			m, ok := c.matchAny(v, ctx.typedOf(refs[i]), r)
			if !ok {
				unknown = true
				continue
			}
			if m {
				return boolTri(!c.negate), false
			}
		}
		if unknown {
			return triUnknown, false
		}
		return boolTri(c.negate), false
	case setForAny:
		unknown := false
		for i, v := range vals {
			m, ok := c.matchAny(v, ctx.typedOf(refs[i]), r)
			if !ok {
				unknown = true
				continue
			}
			if m != c.negate {
				return triTrue, false
			}
		}
		if unknown {
			return triUnknown, false
		}
		return triFalse, false
	default: // setForAll
		unknown := false
		for i, v := range vals {
			m, ok := c.matchAny(v, ctx.typedOf(refs[i]), r)
			if !ok {
				unknown = true
				continue
			}
			if m == c.negate {
				return triFalse, false
			}
		}
		if unknown {
			return triUnknown, false
		}
		return triTrue, false
	}
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}
