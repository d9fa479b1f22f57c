package policy

import (
	"bytes"
	"errors"
)

// MarshalJSON returns the canonical JSON form of the policy: Version (when present), Id (when
// present) and Statement as an array; in each statement Sid, Effect, Principal/NotPrincipal,
// Action/NotAction, Resource/NotResource and Condition, with every list as an array and condition
// values as strings. Parsing the result gives an equal policy.
func (p *Policy) MarshalJSON() ([]byte, error) {
	if p == nil {
		return nil, errors.New("policy: MarshalJSON of nil Policy")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	sep := false
	field := func(name string) {
		if sep {
			b.WriteByte(',')
		}
		sep = true
		appendJSONString(&b, name)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		appendJSONString(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		appendJSONString(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i := range p.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		writeStatement(&b, &p.Statements[i])
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func writeStatement(b *bytes.Buffer, st *Statement) {
	b.WriteByte('{')
	sep := false
	field := func(name string) {
		if sep {
			b.WriteByte(',')
		}
		sep = true
		appendJSONString(b, name)
		b.WriteByte(':')
	}
	list := func(name string, vs []string) {
		if vs == nil {
			return
		}
		field(name)
		writeList(b, vs)
	}
	if st.Sid != "" {
		field("Sid")
		appendJSONString(b, st.Sid)
	}
	field("Effect")
	appendJSONString(b, st.Effect)
	if st.Principal != nil {
		field("Principal")
		writePrincipal(b, st.Principal)
	}
	if st.NotPrincipal != nil {
		field("NotPrincipal")
		writePrincipal(b, st.NotPrincipal)
	}
	list("Action", st.Action)
	list("NotAction", st.NotAction)
	list("Resource", st.Resource)
	list("NotResource", st.NotResource)
	if len(st.Condition) > 0 {
		field("Condition")
		writeConditions(b, st.Condition)
	}
	b.WriteByte('}')
}

func writeList(b *bytes.Buffer, vs []string) {
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		appendJSONString(b, v)
	}
	b.WriteByte(']')
}

func writePrincipal(b *bytes.Buffer, pe *PrincipalElement) {
	if pe.All && len(pe.AWS)+len(pe.Service)+len(pe.Federated)+len(pe.CanonicalUser) == 0 {
		appendJSONString(b, "*")
		return
	}
	order := pe.order
	if len(order) == 0 {
		order = []string{"AWS", "Service", "Federated", "CanonicalUser"}
	}
	b.WriteByte('{')
	first := true
	for _, k := range order {
		var vs []string
		switch k {
		case "AWS":
			vs = pe.AWS
		case "Service":
			vs = pe.Service
		case "Federated":
			vs = pe.Federated
		case "CanonicalUser":
			vs = pe.CanonicalUser
		}
		if vs == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		appendJSONString(b, k)
		b.WriteByte(':')
		writeList(b, vs)
	}
	b.WriteByte('}')
}

// writeConditions groups conditions by operator, in order of first appearance.
func writeConditions(b *bytes.Buffer, cs []Condition) {
	b.WriteByte('{')
	done := make([]bool, len(cs))
	firstOp := true
	for i := range cs {
		if done[i] {
			continue
		}
		if !firstOp {
			b.WriteByte(',')
		}
		firstOp = false
		appendJSONString(b, cs[i].Operator)
		b.WriteString(":{")
		firstKey := true
		for j := i; j < len(cs); j++ {
			if done[j] || cs[j].Operator != cs[i].Operator {
				continue
			}
			done[j] = true
			if !firstKey {
				b.WriteByte(',')
			}
			firstKey = false
			appendJSONString(b, cs[j].Key)
			b.WriteByte(':')
			writeList(b, cs[j].Values)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}
