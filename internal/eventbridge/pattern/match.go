package pattern

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Object is an event object the matcher reads one field at a time. A field's value is nil (JSON
// null), a bool, a string, a number (float64, int, int64 or json.Number), a []any or []string, a
// map[string]any, or another Object; ok is false when the object has no such field. Events decoded
// from JSON are map[string]any; Rootward's own events implement Object over their Go structs, so
// that matching reads only the fields a pattern names.
type Object interface {
	Field(name string) (value any, ok bool)
}

// Matches reports whether event — a map[string]any (JSON decoded with UseNumber or not) or an
// Object — matches the pattern.
func (p *Pattern) Matches(event any) bool {
	return p.root.matches(event)
}

// MatchesJSON reports whether the JSON event matches the pattern; an error when it is not JSON.
func (p *Pattern) MatchesJSON(event []byte) (bool, error) {
	v, err := DecodeEvent(event)
	if err != nil {
		return false, err
	}
	return p.Matches(v), nil
}

// DecodeEvent decodes a JSON event for Matches, numbers kept as their text.
func DecodeEvent(event []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// field reads name from v when v is an object.
func field(v any, name string) (any, bool) {
	switch o := v.(type) {
	case map[string]any:
		f, ok := o[name]
		return f, ok
	case Object:
		return o.Field(name)
	}
	return nil, false
}

// matches decides an object pattern against v. An array matches when one of its elements does
// (all the pattern's fields from that one element); anything that is not an object has none of
// the pattern's fields, which only exists:false (or an $or branch of them) matches.
func (o *object) matches(v any) bool {
	switch a := v.(type) {
	case []any:
		for _, e := range a {
			if o.matches(e) {
				return true
			}
		}
		if len(a) > 0 {
			return false
		}
		v = nil
	case []string:
		v = nil
	}
	for i := range o.keys {
		k := &o.keys[i]
		f, ok := field(v, k.name)
		if k.nested != nil {
			if !ok {
				f = nil
			}
			if !k.nested.matches(f) {
				return false
			}
			continue
		}
		if !matchLeaf(k.leaf, f, ok) {
			return false
		}
	}
	for _, branches := range o.ors {
		one := false
		for _, b := range branches {
			if b.matches(v) {
				one = true
				break
			}
		}
		if !one {
			return false
		}
	}
	return true
}

// scalar is a leaf value of an event: a string, a number (its text, and its value when it has
// one), true, false or null.
type scalar struct {
	kind    kind
	s       string
	f       float64
	numeric bool
}

type kind uint8

const (
	kindString kind = iota
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// leaves calls fn with each leaf value of v (v itself, or the scalars of an array, nested arrays
// included) until fn returns true; it returns whether one did, and how many leaves it saw.
func leaves(v any, fn func(s scalar) bool) (found bool, n int) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			f, c := leaves(e, fn)
			n += c
			if f {
				return true, n
			}
		}
		return false, n
	case []string:
		for _, e := range x {
			n++
			if fn(scalar{kind: kindString, s: e}) {
				return true, n
			}
		}
		return false, n
	}
	s, ok := scalarOf(v)
	if !ok {
		return false, 0
	}
	return fn(s), 1
}

// scalarOf is v as a leaf value; ok is false for objects and values of no JSON type.
func scalarOf(v any) (scalar, bool) {
	switch x := v.(type) {
	case string:
		return scalar{kind: kindString, s: x}, true
	case nil:
		return scalar{kind: kindNull}, true
	case bool:
		if x {
			return scalar{kind: kindTrue}, true
		}
		return scalar{kind: kindFalse}, true
	case json.Number:
		f, err := x.Float64()
		return scalar{kind: kindNumber, s: x.String(), f: f, numeric: err == nil}, true
	case float64:
		return scalar{kind: kindNumber, s: strconv.FormatFloat(x, 'g', -1, 64), f: x, numeric: true}, true
	case int:
		return scalar{kind: kindNumber, s: strconv.Itoa(x), f: float64(x), numeric: true}, true
	case int64:
		return scalar{kind: kindNumber, s: strconv.FormatInt(x, 10), f: float64(x), numeric: true}, true
	}
	return scalar{}, false
}

// matchLeaf decides a key's matchers against the field's value (present false: no such field).
// exists is decided on whether the field has any leaf value: an object, an empty array and a
// missing field have none ("Existence matching only works on leaf nodes").
func matchLeaf(ms []matcher, v any, present bool) bool {
	for i := range ms {
		m := &ms[i]
		if m.op == opExists {
			has := false
			if present {
				_, n := leaves(v, func(scalar) bool { return true })
				has = n > 0
			}
			if has == m.exists {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if found, _ := leaves(v, m.match); found {
			return true
		}
	}
	return false
}
