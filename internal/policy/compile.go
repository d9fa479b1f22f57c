package policy

import "strings"

// cstmt is a compiled statement.
type cstmt struct {
	deny        bool
	actions     []pattern // lower-cased; Action or NotAction entries
	notAction   bool
	resources   []resPattern
	notResource bool
	anyResource bool // no Resource element (trust policies, SCPs): the statement covers every resource
	principals  *principalSet
	notPrinc    bool
	conds       []cond
}

// stmtIndex finds the statements that can match an action without scanning the others: statements
// naming the exact action, statements with a wildcard inside the action's service, and statements
// that may match any action ("*", a wildcard in the service prefix, NotAction). Each list is in
// statement order, so a merge of the three visits candidates in document order.
type stmtIndex struct {
	exact   map[string][]int32 // lower-cased "service:action"
	service map[string][]int32 // lower-cased service prefix
	always  []int32
}

func (ix *stmtIndex) add(list *[]int32, i int32) {
	if n := len(*list); n == 0 || (*list)[n-1] != i {
		*list = append(*list, i)
	}
}

func (ix *stmtIndex) insert(st *cstmt, i int32) {
	if st.notAction {
		ix.add(&ix.always, i)
		return
	}
	for k := range st.actions {
		p := &st.actions[k]
		if p.class == pcExact {
			if ix.exact == nil {
				ix.exact = make(map[string][]int32)
			}
			l := ix.exact[p.lit]
			ix.add(&l, i)
			ix.exact[p.lit] = l
			continue
		}
		text := p.String()
		colon := strings.IndexByte(text, ':')
		if colon <= 0 || strings.ContainsAny(text[:colon], "*?") {
			ix.add(&ix.always, i)
			continue
		}
		if ix.service == nil {
			ix.service = make(map[string][]int32)
		}
		l := ix.service[text[:colon]]
		ix.add(&l, i)
		ix.service[text[:colon]] = l
	}
}

// compile builds the compiled statements and the action indexes.
func (p *Policy) compile() string {
	vars := p.Version == Version2012
	p.compiled = make([]cstmt, len(p.Statements))
	for i := range p.Statements {
		st := &p.Statements[i]
		cs := &p.compiled[i]
		cs.deny = st.Effect == "Deny"
		acts := st.Action
		if st.NotAction != nil {
			acts, cs.notAction = st.NotAction, true
		}
		for _, a := range acts {
			pat, _ := compilePattern(a, compileOpts{wildcards: true, lower: true})
			cs.actions = append(cs.actions, pat)
		}
		res := st.Resource
		if st.NotResource != nil {
			res, cs.notResource = st.NotResource, true
		}
		cs.anyResource = res == nil
		for _, r := range res {
			rp, msg := compileResource(r, vars)
			if msg != "" {
				return msg
			}
			cs.resources = append(cs.resources, rp)
		}
		pe := st.Principal
		if st.NotPrincipal != nil {
			pe, cs.notPrinc = st.NotPrincipal, true
		}
		if pe != nil {
			ps, msg := compilePrincipal(pe)
			if msg != "" {
				return msg
			}
			cs.principals = ps
		}
		for j, c := range st.Condition {
			cd, msg := compileCondition(c, j, vars)
			if msg != "" {
				return msg
			}
			cs.conds = append(cs.conds, cd)
		}
		if cs.deny {
			p.deny.insert(cs, int32(i))
		} else {
			p.allow.insert(cs, int32(i))
		}
	}
	p.ok = true
	return ""
}

// candidates iterates, in statement order and without duplicates, over the union of three sorted
// index lists. It lives on the stack.
type candidates struct {
	a, b, c []int32
}

// lookup takes the lower-cased action and service as bytes: indexing a map with string(b)
// does not allocate.
func (ix *stmtIndex) lookup(action, service []byte) candidates {
	return candidates{a: ix.exact[string(action)], b: ix.service[string(service)], c: ix.always}
}

// next returns the next statement index, or -1.
func (cs *candidates) next() int {
	m := int32(-1)
	for _, l := range [3][]int32{cs.a, cs.b, cs.c} {
		if len(l) > 0 && (m < 0 || l[0] < m) {
			m = l[0]
		}
	}
	if m < 0 {
		return -1
	}
	if len(cs.a) > 0 && cs.a[0] == m {
		cs.a = cs.a[1:]
	}
	if len(cs.b) > 0 && cs.b[0] == m {
		cs.b = cs.b[1:]
	}
	if len(cs.c) > 0 && cs.c[0] == m {
		cs.c = cs.c[1:]
	}
	return int(m)
}
