package orgs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Management policies (tag, backup, AI services opt-out, chatbot, declarative and the other
// management types) share one syntax and one inheritance model (Organizations User Guide,
// "Understanding management policy inheritance"): a policy is a JSON object whose nodes name
// settings; value-setting operators say how a policy changes what it inherits — @@assign
// replaces, @@append adds to a list, @@remove takes from a list — and the child control operator
// @@operators_allowed_for_child_policies limits which of them policies lower in the tree may use
// on the node and everything below it (@@all, @@none, or a list of operators). An account's
// effective policy is the merge of the policies attached to the root, each OU down to the
// account, and the account, in that order, with the operators resolved.

const (
	opAssign   = "@@assign"
	opAppend   = "@@append"
	opRemove   = "@@remove"
	opChildren = "@@operators_allowed_for_child_policies"
	opAll      = "@@all"
	opNone     = "@@none"
)

// opset is a set of value-setting operators.
type opset uint8

const (
	allowAssign opset = 1 << iota
	allowAppend
	allowRemove
	allowAll = allowAssign | allowAppend | allowRemove
)

func opBit(op string) opset {
	switch op {
	case opAssign:
		return allowAssign
	case opAppend:
		return allowAppend
	case opRemove:
		return allowRemove
	}
	return 0
}

// checkManagementPolicy validates a management policy document; it returns the problem, or "".
// topKeys, when set, are the only top-level keys the policy type's grammar has.
func checkManagementPolicy(content string, topKeys []string) string {
	doc, err := decodeObject(content)
	if err != nil {
		return "The provided policy document is not valid JSON: " + err.Error()
	}
	if len(doc) == 0 {
		return "The provided policy document does not meet the requirements of the specified policy type: it is empty."
	}
	for k := range doc {
		if topKeys != nil && !slices.Contains(topKeys, k) {
			return fmt.Sprintf("The provided policy document does not meet the requirements of the specified policy type: unknown top-level key %q (expected %s).", k, strings.Join(topKeys, ", "))
		}
	}
	if msg := checkNode(doc, ""); msg != "" {
		return "The provided policy document does not meet the requirements of the specified policy type: " + msg
	}
	return ""
}

func decodeObject(content string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the policy")
	}
	return doc, nil
}

// checkNode checks one node of a management policy: operator keys have the right values, a node
// that sets a value has no child settings, and every child setting is an object.
func checkNode(n map[string]any, path string) string {
	setsValue := false
	children := false
	for k, v := range n {
		at := path + "/" + k
		switch {
		case k == opAssign:
			setsValue = true
			if _, isObj := v.(map[string]any); isObj || v == nil {
				return at + " must be a string, a number, a Boolean or a list"
			}
		case k == opAppend || k == opRemove:
			setsValue = true
			if _, ok := v.([]any); !ok {
				return at + " must be a list"
			}
		case k == opChildren:
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return at + " must be a non-empty list"
			}
			for _, e := range list {
				s, _ := e.(string)
				if s != opAll && s != opNone && opBit(s) == 0 {
					return fmt.Sprintf("%s holds %v, which is not @@all, @@none, @@assign, @@append or @@remove", at, e)
				}
				if (s == opAll || s == opNone) && len(list) > 1 {
					return at + ": " + s + " must stand alone"
				}
			}
		case strings.HasPrefix(k, "@@"):
			return "unknown operator " + at
		default:
			children = true
			child, ok := v.(map[string]any)
			if !ok {
				return at + " must be an object: set its value with @@assign"
			}
			if msg := checkNode(child, at); msg != "" {
				return msg
			}
		}
	}
	if setsValue && children {
		return path + " both sets a value and holds settings"
	}
	return ""
}

// ValidationError is a problem found while merging an account's effective management policy: a
// policy used an operator that a policy above it does not allow.
type ValidationError struct {
	ErrorCode            string
	ErrorMessage         string
	PathToError          string
	ContributingPolicies []string
}

// Rootward's validation error codes (AWS documents the shape, not a list of codes).
const (
	errOperatorNotAllowed = "OPERATOR_NOT_ALLOWED"
	errValueNotList       = "VALUE_TYPE_MISMATCH"
)

// effNode is a node of an effective policy being merged.
type effNode struct {
	value    any
	set      bool
	children map[string]*effNode
	order    []string
	// allowed are the operators policies at later levels may use here (the intersection of the
	// child control operators of this node and its ancestors, from earlier levels); pending are
	// those declared at the level being merged, folded in when it ends.
	allowed, pending opset
}

func newEffNode() *effNode { return &effNode{allowed: allowAll, pending: allowAll} }

func (n *effNode) child(k string) *effNode {
	if n.children == nil {
		n.children = map[string]*effNode{}
	}
	c, ok := n.children[k]
	if !ok {
		c = newEffNode()
		c.allowed, c.pending = n.allowed, n.allowed
		n.children[k] = c
		n.order = append(n.order, k)
	}
	return c
}

// mergePolicy applies one policy's document to the effective tree. inherited is what the
// ancestors of n allow.
func (n *effNode) merge(doc map[string]any, inherited opset, path, policyID string, errs *[]ValidationError) {
	here := inherited & n.allowed
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := doc[k]
		switch k {
		case opChildren:
			var set opset
			for _, e := range v.([]any) {
				switch s := e.(string); s {
				case opAll:
					set = allowAll
				case opNone:
					set = 0
				default:
					set |= opBit(s)
				}
			}
			n.pending &= set
		case opAssign, opAppend, opRemove:
			if here&opBit(k) == 0 {
				*errs = append(*errs, ValidationError{ErrorCode: errOperatorNotAllowed, PathToError: path,
					ErrorMessage:         fmt.Sprintf("%s is not allowed at %s by a policy higher in the organization.", k, path),
					ContributingPolicies: []string{policyID}})
				continue
			}
			n.apply(k, v, path, policyID, errs)
		default:
			n.child(k).merge(v.(map[string]any), here, path+"/"+k, policyID, errs)
		}
	}
}

func (n *effNode) apply(op string, v any, path, policyID string, errs *[]ValidationError) {
	if op == opAssign {
		n.value, n.set = v, true
		return
	}
	cur, isList := n.value.([]any)
	if n.set && !isList {
		*errs = append(*errs, ValidationError{ErrorCode: errValueNotList, PathToError: path,
			ErrorMessage:         fmt.Sprintf("%s needs a list at %s, which holds a single value.", op, path),
			ContributingPolicies: []string{policyID}})
		return
	}
	items := v.([]any)
	switch op {
	case opAppend:
		for _, it := range items {
			if !containsValue(cur, it) {
				cur = append(cur, it)
			}
		}
	case opRemove:
		cur = slices.DeleteFunc(slices.Clone(cur), func(e any) bool { return containsValue(items, e) })
	}
	if cur == nil {
		cur = []any{}
	}
	n.value, n.set = cur, true
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

// endLevel folds the child control operators declared at the level just merged into allowed.
func (n *effNode) endLevel() {
	n.allowed &= n.pending
	n.pending = n.allowed
	for _, c := range n.children {
		c.allowed &= n.allowed
		c.endLevel()
	}
}

// render writes the effective tree as JSON: set values as themselves, nodes as objects of their
// children, nodes with nothing set left out.
func (n *effNode) render() (any, bool) {
	if n.set {
		return n.value, true
	}
	out := orderedObject{}
	for _, k := range n.order {
		if v, ok := n.children[k].render(); ok {
			out = append(out, member{k, v})
		}
	}
	return out, len(out) > 0
}

type member struct {
	key   string
	value any
}

// orderedObject is a JSON object that keeps its members in the order they were first set.
type orderedObject []member

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// levelPolicies are the policies attached at one level of an account's path, in the order they
// apply.
type levelPolicies []Policy

// effectivePolicy merges levels, root first. It returns "" when no policy applies.
func effectivePolicy(levels []levelPolicies) (string, []ValidationError, error) {
	root := newEffNode()
	var errs []ValidationError
	found := false
	for _, level := range levels {
		for _, p := range level {
			doc, err := decodeObject(p.Content)
			if err != nil {
				return "", nil, err
			}
			found = true
			root.merge(doc, allowAll, "", p.ID, &errs)
		}
		root.endLevel()
	}
	if !found {
		return "", nil, nil
	}
	v, ok := root.render()
	if !ok {
		v = orderedObject{}
	}
	b, err := json.Marshal(v)
	return string(b), errs, err
}
