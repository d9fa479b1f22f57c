package sns

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Subscription filter policies (Amazon SNS Developer Guide, "Amazon SNS message filtering"): a
// JSON object whose members name message attributes (FilterPolicyScope MessageAttributes, the
// default) or members of a JSON message body (MessageBody, nested objects allowed), each with an
// array of conditions, any of which may match: an exact string or number, or an object with one
// of prefix, suffix, equals-ignore-case, anything-but, numeric, exists. Every named member must
// match; "$or" takes an array of policies of which one must.

// maxFilterPolicyBytes is the size quota of a filter policy (same guide, "Filter policy
// constraints": 256 KB); Rootward's messages for a bad policy are its own.
const maxFilterPolicyBytes = 256 * 1024

// checkFilterPolicy validates a filter policy.
func checkFilterPolicy(doc string) error {
	if len(doc) > maxFilterPolicyBytes {
		return invalid("FilterPolicy: Filter policy is too long")
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(doc), &p); err != nil || p == nil {
		return invalid("FilterPolicy: failed to parse JSON.")
	}
	return checkFilterObject(p, 0)
}

func checkFilterObject(p map[string]any, depth int) error {
	if depth > 5 {
		return invalid("FilterPolicy: Filter policy is too deeply nested")
	}
	for k, v := range p {
		switch x := v.(type) {
		case []any:
			if k == "$or" {
				for _, alt := range x {
					m, ok := alt.(map[string]any)
					if !ok {
						return invalid("FilterPolicy: $or must hold objects")
					}
					if err := checkFilterObject(m, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			if len(x) == 0 {
				return invalid("FilterPolicy: Empty arrays are not allowed")
			}
			for _, c := range x {
				if err := checkCondition(c); err != nil {
					return err
				}
			}
		case map[string]any:
			if err := checkFilterObject(x, depth+1); err != nil {
				return err
			}
		default:
			return invalid("FilterPolicy: \"%s\" must be an object or an array", k)
		}
	}
	return nil
}

func checkCondition(c any) error {
	m, ok := c.(map[string]any)
	if !ok {
		if _, isList := c.([]any); isList {
			return invalid("FilterPolicy: Match value must be String, number, true, false, or null")
		}
		return nil
	}
	if len(m) != 1 {
		return invalid("FilterPolicy: Only one key allowed in match expression")
	}
	for op, arg := range m {
		switch op {
		case "prefix", "suffix", "equals-ignore-case":
			if _, ok := arg.(string); !ok {
				return invalid("FilterPolicy: %s match pattern must be a string", op)
			}
		case "exists":
			if _, ok := arg.(bool); !ok {
				return invalid("FilterPolicy: exists match pattern must be either true or false.")
			}
		case "anything-but":
			switch a := arg.(type) {
			case string, float64:
			case []any:
				for _, v := range a {
					switch v.(type) {
					case string, float64:
					default:
						return invalid("FilterPolicy: Inside anything but list, start|null|boolean is not supported.")
					}
				}
			case map[string]any:
				if err := checkCondition(a); err != nil {
					return err
				}
			default:
				return invalid("FilterPolicy: Value of anything-but must be an array or single string/number value.")
			}
		case "numeric":
			a, ok := arg.([]any)
			if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
				return invalid("FilterPolicy: Value of numeric must be an array.")
			}
			for i := 0; i < len(a); i += 2 {
				o, _ := a[i].(string)
				if _, num := a[i+1].(float64); !num || !validNumericOp(o) {
					return invalid("FilterPolicy: Unrecognized numeric range operator: %s", o)
				}
			}
		default:
			return invalid("FilterPolicy: Unrecognized match type %s", op)
		}
	}
	return nil
}

func validNumericOp(o string) bool {
	switch o {
	case "=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// matchesFilter reports whether a message passes a subscription's filter policy ("" passes all).
func matchesFilter(doc, scope string, attrs map[string]MessageAttribute, msg string) bool {
	if doc == "" {
		return true
	}
	var p map[string]any
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	if scope == "MessageBody" {
		var body map[string]any
		if json.Unmarshal([]byte(msg), &body) != nil {
			return false
		}
		return matchObject(p, func(k string) ([]any, bool, map[string]any) {
			v, ok := body[k]
			m, _ := v.(map[string]any)
			return valuesOf(v), ok, m
		})
	}
	return matchObject(p, func(k string) ([]any, bool, map[string]any) {
		a, ok := attrs[k]
		if !ok {
			return nil, false, nil
		}
		return attributeValues(a), true, nil
	})
}

// lookup returns a member's values, whether it is present, and (a body's) nested object.
type lookup func(key string) (values []any, present bool, nested map[string]any)

func matchObject(p map[string]any, get lookup) bool {
	for k, v := range p {
		if k == "$or" {
			alts, _ := v.([]any)
			matched := false
			for _, alt := range alts {
				if m, ok := alt.(map[string]any); ok && matchObject(m, get) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
			continue
		}
		vals, present, nested := get(k)
		switch c := v.(type) {
		case map[string]any:
			if nested == nil || !matchObject(c, func(k string) ([]any, bool, map[string]any) {
				v, ok := nested[k]
				m, _ := v.(map[string]any)
				return valuesOf(v), ok, m
			}) {
				return false
			}
		case []any:
			if !matchConditions(c, vals, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func valuesOf(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

// attributeValues are a message attribute's values as a filter sees them: a String's text, a
// Number's value, a String.Array's elements; Binary attributes match only exists.
func attributeValues(a MessageAttribute) []any {
	base, custom, _ := strings.Cut(a.DataType, ".")
	switch {
	case base == "Number":
		f, err := strconv.ParseFloat(a.StringValue, 64)
		if err != nil {
			return nil
		}
		return []any{f}
	case base == "String" && custom == "Array":
		var arr []any
		if json.Unmarshal([]byte(a.StringValue), &arr) == nil {
			return arr
		}
		return []any{a.StringValue}
	case base == "String":
		return []any{a.StringValue}
	}
	return nil
}

func matchConditions(conds, vals []any, present bool) bool {
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok {
			if e, ok := m["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, v := range vals {
			if matchCondition(c, v) {
				return true
			}
		}
	}
	return false
}

func matchCondition(c, v any) bool {
	m, ok := c.(map[string]any)
	if !ok {
		return equalValue(c, v)
	}
	for op, arg := range m {
		s, isStr := v.(string)
		switch op {
		case "prefix":
			p, _ := arg.(string)
			return isStr && strings.HasPrefix(s, p)
		case "suffix":
			p, _ := arg.(string)
			return isStr && strings.HasSuffix(s, p)
		case "equals-ignore-case":
			p, _ := arg.(string)
			return isStr && strings.EqualFold(s, p)
		case "anything-but":
			switch a := arg.(type) {
			case []any:
				for _, x := range a {
					if equalValue(x, v) {
						return false
					}
				}
				return true
			case map[string]any:
				return !matchCondition(a, v)
			default:
				return !equalValue(a, v)
			}
		case "numeric":
			f, ok := v.(float64)
			if !ok {
				return false
			}
			a, _ := arg.([]any)
			for i := 0; i+1 < len(a); i += 2 {
				o, _ := a[i].(string)
				n, _ := a[i+1].(float64)
				if !compare(o, f, n) {
					return false
				}
			}
			return true
		}
	}
	return false
}

func compare(op string, a, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

func equalValue(c, v any) bool {
	switch x := c.(type) {
	case float64:
		f, ok := v.(float64)
		return ok && f == x
	case string:
		s, ok := v.(string)
		return ok && s == x
	case bool:
		b, ok := v.(bool)
		return ok && b == x
	case nil:
		return v == nil
	}
	return false
}
