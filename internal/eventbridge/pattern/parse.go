// Package pattern is EventBridge's event-pattern language: Parse compiles a pattern's JSON, with
// the reasons AWS gives for a pattern it refuses, and Pattern.Matches decides whether an event
// matches it (EventBridge User Guide, "Amazon EventBridge event patterns",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html, and "Content
// filtering in Amazon EventBridge event patterns",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
//
// A pattern has the shape of the events it matches: an object whose keys are event fields. A key
// holds either an object (a nested pattern) or an array of values and match expressions, any of
// which may match (exact values, prefix, suffix, anything-but, numeric, cidr, exists, wildcard,
// equals-ignore-case). All keys of an object must match; "$or" holds two or more objects of which
// one must match. An event field that is an array matches when any of its elements does, and the
// fields of a nested pattern must all match inside one element of an array of objects.
//
// The matcher reads events through Object (matchers.go), so that an event Rootward holds as a Go
// struct (a CloudTrail record) is matched without being encoded as JSON.
//
// The reasons of refused patterns are those of AWS's event-pattern compiler (EventBridge answers
// them as InvalidEventPatternException "Event pattern is not valid. Reason: <reason>"), without the
// parser position AWS appends ("at [Source: ...; line: 1, column: N]"), which Rootward does not
// reproduce.
package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Error is a pattern Parse refuses; Reason is AWS's reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "Event pattern is not valid. Reason: " + e.Reason }

func fail(reason string) error { return &Error{Reason: reason} }

// maxDepth bounds the nesting of a pattern. EventBridge bounds a pattern's length (4096
// characters), which bounds its depth too; a caller that passes longer text still cannot make
// the recursive parser exhaust its stack.
const maxDepth = 256

// maxNumber bounds the numbers numeric matching compares: "Numeric matching ... is limited to
// values between -5.0e9 and +5.0e9 inclusive" (Content filtering, "Numeric matching").
const maxNumber = 5e9

// Pattern is a compiled event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	root *object
}

// object is the pattern of one JSON object: every key must match, and for each $or one of its
// branches.
type object struct {
	keys []key
	ors  [][]*object
}

// key is one field of an object pattern: a nested object, or a list of matchers of which any may
// match the field's values.
type key struct {
	name   string
	nested *object
	leaf   []matcher
}

// Parse compiles the JSON text of an event pattern. It returns an *Error with AWS's reason when
// the text is not a valid pattern.
func Parse(text string) (*Pattern, error) {
	p := &parser{dec: json.NewDecoder(strings.NewReader(text))}
	p.dec.UseNumber()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, fail("Invalid JSON")
	}
	if tok != json.Delim('{') {
		return nil, fail("Filter is not an object")
	}
	root, err := p.object(1, false)
	if err != nil {
		return nil, err
	}
	// Nothing may follow the pattern's object but white space.
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail("Invalid JSON")
	}
	return &Pattern{root: root}, nil
}

type parser struct {
	dec *json.Decoder
}

// token reads the next token; malformed JSON is refused as such.
func (p *parser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, fail("Invalid JSON")
	}
	return tok, nil
}

// object reads the members of an object whose '{' was read.
func (p *parser) object(depth int, inOr bool) (*object, error) {
	if depth > maxDepth {
		return nil, fail("Pattern is nested too deeply")
	}
	o := &object{}
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim('}') {
			break
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fail("Invalid JSON")
		}
		if name == "$or" {
			branches, err := p.or(depth)
			if err != nil {
				return nil, err
			}
			o.ors = append(o.ors, branches)
			continue
		}
		if inOr && reservedInOr[name] {
			return nil, fail(name + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		tok, err = p.token()
		if err != nil {
			return nil, err
		}
		k := key{name: name}
		switch tok {
		case json.Delim('{'):
			if k.nested, err = p.object(depth+1, inOr); err != nil {
				return nil, err
			}
		case json.Delim('['):
			if k.leaf, err = p.values(); err != nil {
				return nil, err
			}
		default:
			return nil, fail(strconv.Quote(name) + " must be an object or an array")
		}
		o.keys = append(o.keys, k)
	}
	if len(o.keys) == 0 && len(o.ors) == 0 {
		return nil, fail("Empty objects are not allowed")
	}
	// A key given twice keeps its last value, as a JSON reader that keeps one member does.
	sort.SliceStable(o.keys, func(i, j int) bool { return o.keys[i].name < o.keys[j].name })
	dedup := o.keys[:0]
	for i, k := range o.keys {
		if i+1 < len(o.keys) && o.keys[i+1].name == k.name {
			continue
		}
		dedup = append(dedup, k)
	}
	o.keys = dedup
	return o, nil
}

// reservedInOr are the match-expression names that cannot be field names inside $or, where they
// would be ambiguous.
var reservedInOr = map[string]bool{
	"anything-but": true, "numeric": true, "prefix": true, "suffix": true, "exists": true,
	"cidr": true, "equals-ignore-case": true, "wildcard": true,
}

// or reads the array of a $or member.
func (p *parser) or(depth int) ([]*object, error) {
	tok, err := p.token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fail("It must be an Array followed with $or.")
	}
	var branches []*object
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			break
		}
		if tok != json.Delim('{') {
			return nil, fail("Only JSON object is allowed in array of $or relationship.")
		}
		b, err := p.object(depth+1, true)
		if err != nil {
			return nil, err
		}
		branches = append(branches, b)
	}
	if len(branches) < 2 {
		return nil, fail("There must have at least 2 Objects in $or relationship.")
	}
	return branches, nil
}

// values reads the array of a leaf key (its '[' read): values and match expressions.
func (p *parser) values() ([]matcher, error) {
	var out []matcher
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case ']':
				if len(out) == 0 {
					return nil, fail("Empty arrays are not allowed")
				}
				return out, nil
			case '{':
				m, err := p.expression()
				if err != nil {
					return nil, err
				}
				out = append(out, m)
			default:
				return nil, fail("Match value must be String, number, true, false, or null")
			}
		case string:
			if a, ok := parseIP(v); ok {
				out = append(out, matcher{op: opIP, s: v, addr: a})
			} else {
				out = append(out, matcher{op: opExact, s: v})
			}
		case json.Number:
			m := matcher{op: opExactNumber, s: v.String()}
			if f, err := v.Float64(); err == nil {
				m.lo, m.numeric = f, true
			}
			out = append(out, m)
		case bool:
			if v {
				out = append(out, matcher{op: opLiteral, kind: kindTrue})
			} else {
				out = append(out, matcher{op: opLiteral, kind: kindFalse})
			}
		case nil:
			out = append(out, matcher{op: opLiteral, kind: kindNull})
		}
	}
}

// looksLikeIP is AWS's test of whether a pattern's string is an IP address literal, which then
// matches the same address in any notation: dotted quads, or hexadecimal groups and colons.
func looksLikeIP(s string) bool {
	if s == "" || strings.ContainsAny(s, "%") {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// expression reads a match expression, an object whose '{' was read.
func (p *parser) expression() (matcher, error) {
	name, err := p.stringValue("Match expression name not found")
	if err != nil {
		return matcher{}, err
	}
	var m matcher
	switch name {
	case "exact":
		s, err := p.stringValue("exact match pattern must be a string")
		if err != nil {
			return m, err
		}
		m = matcher{op: opExact, s: s}
	case "prefix", "suffix":
		if m, err = p.affix(name); err != nil {
			return m, err
		}
	case "equals-ignore-case":
		s, err := p.stringValue("equals-ignore-case match pattern must be a string")
		if err != nil {
			return m, err
		}
		m = matcher{op: opEqualsFold, s: s}
	case "wildcard":
		s, err := p.stringValue("wildcard match pattern must be a string")
		if err != nil {
			return m, err
		}
		w, err := compileWildcard(s)
		if err != nil {
			return m, err
		}
		m = matcher{op: opWildcard, wild: []wildcard{w}}
	case "numeric":
		if m, err = p.numeric(); err != nil {
			return m, err
		}
		return m, p.end("Too many elements in numeric expression")
	case "anything-but":
		if m, err = p.anythingBut(); err != nil {
			return m, err
		}
		return m, p.end("Too many elements in numeric expression")
	case "exists":
		tok, err := p.token()
		if err != nil {
			return m, err
		}
		b, ok := tok.(bool)
		if !ok {
			return m, fail("exists match pattern must be either true or false.")
		}
		m = matcher{op: opExists, exists: b}
	case "cidr":
		s, err := p.stringValue("prefix match pattern must be a string")
		if err != nil {
			return m, err
		}
		pfx, err := parseCIDR(s)
		if err != nil {
			return m, err
		}
		m = matcher{op: opCIDR, cidr: pfx}
	default:
		return m, fail("Unrecognized match type " + name)
	}
	return m, p.end("Only one key allowed in match expression")
}

// end reads the '}' that closes a match expression; anything else is refused with reason.
func (p *parser) end(reason string) error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('}') {
		return fail(reason)
	}
	return nil
}

// stringValue reads a string member value; anything else is refused with reason (a nested object
// or array is skipped first, so that malformed JSON inside it is still reported as such).
func (p *parser) stringValue(reason string) (string, error) {
	tok, err := p.token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fail(reason)
	}
	return s, nil
}

// affix reads prefix or suffix: a string, or {"equals-ignore-case": string}.
func (p *parser) affix(name string) (matcher, error) {
	tok, err := p.token()
	if err != nil {
		return matcher{}, err
	}
	fold := false
	s, ok := tok.(string)
	if !ok {
		if tok != json.Delim('{') {
			return matcher{}, fail(name + " match pattern must be a string")
		}
		tok, err := p.token()
		if err != nil {
			return matcher{}, err
		}
		if tok != "equals-ignore-case" {
			inner, _ := tok.(string)
			return matcher{}, fail("Unsupported " + name + " pattern: " + inner)
		}
		if s, err = p.stringValue("equals-ignore-case match pattern must be a string"); err != nil {
			return matcher{}, err
		}
		if err := p.end("Only one key allowed in match expression"); err != nil {
			return matcher{}, err
		}
		fold = true
	}
	m := matcher{s: s}
	switch {
	case name == "prefix" && fold:
		m.op = opPrefixFold
	case name == "prefix":
		m.op = opPrefix
	case fold:
		m.op = opSuffixFold
	default:
		m.op = opSuffix
	}
	return m, nil
}

// numeric reads the array of a numeric expression: [op, n] or [">"|">=", n, "<"|"<=", n].
func (p *parser) numeric() (matcher, error) {
	tok, err := p.token()
	if err != nil {
		return matcher{}, err
	}
	if tok != json.Delim('[') {
		return matcher{}, fail("Value of numeric must be an array.")
	}
	tok, err = p.token()
	if err != nil {
		return matcher{}, err
	}
	op, ok := tok.(string)
	if !ok {
		return matcher{}, fail("Invalid member in numeric match: " + tokenText(tok))
	}
	n, err := p.number("Value of " + op + " must be numeric")
	if err != nil {
		return matcher{}, err
	}
	m := matcher{op: opNumeric, lo: math.Inf(-1), hi: math.Inf(1)}
	switch op {
	case "=":
		m.op, m.lo, m.numeric = opNumberEquals, n, true
		return m, p.closeArray("Too many elements in numeric expression")
	case "<":
		m.hi, m.hiOpen = n, true
		return m, p.closeArray("Too many elements in numeric expression")
	case "<=":
		m.hi = n
		return m, p.closeArray("Too many elements in numeric expression")
	case ">", ">=":
		m.lo, m.loOpen = n, op == ">"
	default:
		return matcher{}, fail("Unrecognized numeric range operator: " + op)
	}
	tok, err = p.token()
	if err != nil {
		return matcher{}, err
	}
	if tok == json.Delim(']') {
		return m, nil
	}
	top, ok := tok.(string)
	if !ok {
		return matcher{}, fail("Bad value in numeric range: " + tokenText(tok))
	}
	if top != "<" && top != "<=" {
		return matcher{}, fail("Bad numeric range operator: " + top)
	}
	if m.hi, err = p.number("Value of " + top + " must be numeric"); err != nil {
		return matcher{}, err
	}
	m.hiOpen = top == "<"
	if m.lo >= m.hi {
		return matcher{}, fail("Bottom must be less than top")
	}
	return m, p.closeArray("Too many terms in numeric range expression")
}

// number reads a number within numeric matching's range.
func (p *parser) number(reason string) (float64, error) {
	tok, err := p.token()
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, fail(reason)
	}
	return inRange(num)
}

// inRange is a number of a numeric or anything-but match, which must lie within ±5.0e9.
func inRange(num json.Number) (float64, error) {
	f, err := num.Float64()
	if err != nil || f < -maxNumber || f > maxNumber {
		return 0, fail("Value must be between -5.0E9 and 5.0E9, inclusive")
	}
	return f, nil
}

func (p *parser) closeArray(reason string) error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != json.Delim(']') {
		return fail(reason)
	}
	return nil
}

// anythingBut reads the value of anything-but: a string or number, a list of strings or of
// numbers, or an object {prefix|suffix|equals-ignore-case|wildcard: ...}.
func (p *parser) anythingBut() (matcher, error) {
	tok, err := p.token()
	if err != nil {
		return matcher{}, err
	}
	switch v := tok.(type) {
	case string:
		return matcher{op: opAnythingBut, set: []string{v}}, nil
	case json.Number:
		f, err := inRange(v)
		if err != nil {
			return matcher{}, err
		}
		return matcher{op: opAnythingButNumber, nums: []float64{f}}, nil
	case json.Delim:
		switch v {
		case '[':
			return p.anythingButList()
		case '{':
			return p.anythingButObject()
		}
	}
	return matcher{}, fail("Value of anything-but must be an array or single string/number value.")
}

func (p *parser) anythingButList() (matcher, error) {
	var strs []string
	var nums []float64
	for {
		tok, err := p.token()
		if err != nil {
			return matcher{}, err
		}
		if tok == json.Delim(']') {
			break
		}
		switch v := tok.(type) {
		case string:
			strs = append(strs, v)
		case json.Number:
			f, err := inRange(v)
			if err != nil {
				return matcher{}, err
			}
			nums = append(nums, f)
		default:
			return matcher{}, fail("Inside anything but list, start|null|boolean is not supported.")
		}
	}
	if (len(strs) > 0) == (len(nums) > 0) {
		return matcher{}, fail("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	if len(nums) > 0 {
		return matcher{op: opAnythingButNumber, nums: nums}, nil
	}
	return matcher{op: opAnythingBut, set: strs}, nil
}

// anythingButObject reads {"prefix": s}, {"suffix": s}, {"equals-ignore-case": s|[s...]} or
// {"wildcard": s|[s...]} inside anything-but, and the '}' that closes it.
func (p *parser) anythingButObject() (matcher, error) {
	name, err := p.stringValue("Anything-But expression name not found")
	if err != nil {
		return matcher{}, err
	}
	var m matcher
	switch name {
	case "prefix", "suffix":
		s, err := p.stringValue("prefix/suffix match pattern must be a string")
		if err != nil {
			return m, err
		}
		if s == "" {
			return m, fail("Null prefix/suffix not allowed")
		}
		m = matcher{op: opAnythingButPrefix, s: s}
		if name == "suffix" {
			m.op = opAnythingButSuffix
		}
	case "equals-ignore-case":
		strs, err := p.stringOrList("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		if err != nil {
			return m, err
		}
		m = matcher{op: opAnythingButFold, set: strs}
	case "wildcard":
		// AWS documents the form ("Anything-but matching using wildcards") but not its refusals;
		// these reasons follow those of equals-ignore-case.
		strs, err := p.stringOrList("Inside anything-but/wildcard list, number|start|null|boolean is not supported.")
		if err != nil {
			return m, err
		}
		m = matcher{op: opAnythingButWildcard}
		for _, s := range strs {
			w, err := compileWildcard(s)
			if err != nil {
				return m, err
			}
			m.wild = append(m.wild, w)
		}
	default:
		return m, fail("Unsupported anything-but pattern: " + name)
	}
	return m, p.end("Only one key allowed in match expression")
}

// stringOrList reads a string or a non-empty list of strings.
func (p *parser) stringOrList(reason string) ([]string, error) {
	tok, err := p.token()
	if err != nil {
		return nil, err
	}
	if s, ok := tok.(string); ok {
		return []string{s}, nil
	}
	if tok != json.Delim('[') {
		return nil, fail(reason)
	}
	var out []string
	for {
		tok, err := p.token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			break
		}
		s, ok := tok.(string)
		if !ok {
			return nil, fail(reason)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fail("Empty arrays are not allowed")
	}
	return out, nil
}

// tokenText renders a token for a reason, as the JSON text it was.
func tokenText(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return string(v)
	case string:
		return v
	case nil:
		return "null"
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(tok)
	return strings.TrimSpace(b.String())
}

// Exact returns the exact strings the field at path (a top-level key, or a key nested in
// objects: "detail", "userIdentity", "principalId") is limited to, when every match of the
// pattern requires the field to equal one of them: a rule index by source or detail-type, and
// the events:source and events:detail-type condition keys of PutRule. ok is false when the
// field is not so limited (no such key, another kind of match, or a key inside $or).
func (p *Pattern) Exact(path ...string) (values []string, ok bool) {
	o := p.root
	for i, name := range path {
		var k *key
		for j := range o.keys {
			if o.keys[j].name == name {
				k = &o.keys[j]
			}
		}
		if k == nil {
			return nil, false
		}
		if i < len(path)-1 {
			if k.nested == nil {
				return nil, false
			}
			o = k.nested
			continue
		}
		if k.leaf == nil {
			return nil, false
		}
		for _, m := range k.leaf {
			if m.op != opExact {
				return nil, false
			}
			values = append(values, m.s)
		}
		return values, true
	}
	return nil, false
}

// HasWildcard reports whether the pattern holds a wildcard filter ({"wildcard": …}, or inside
// anything-but): EventBridge bounds how many rules of a bus may (EventBridge User Guide, "Amazon
// EventBridge quotas", "Rules containing wildcards").
func (p *Pattern) HasWildcard() bool { return p.root.hasWildcard() }

func (o *object) hasWildcard() bool {
	for _, k := range o.keys {
		if k.nested != nil && k.nested.hasWildcard() {
			return true
		}
		for _, m := range k.leaf {
			if m.op == opWildcard || m.op == opAnythingButWildcard {
				return true
			}
		}
	}
	for _, branches := range o.ors {
		for _, b := range branches {
			if b.hasWildcard() {
				return true
			}
		}
	}
	return false
}
