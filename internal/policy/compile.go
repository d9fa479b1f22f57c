package policy

import (
	"math"
	"strings"
)

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
//
// Exact actions ("service:action", always with a colon) and service prefixes (never with one)
// share one keyTable, so a policy that names neither the action nor its service costs two probes
// of one small table.
type stmtIndex struct {
	keys   keyTable  // foldHash of names[k] -> k
	names  []string  // lower-cased "service:action" or service prefix
	lists  [][]int32 // lists[k]: statements under names[k]
	always []int32
	// exact and service count the keys of each kind, so that a lookup probes only for kinds the
	// policy has.
	exact, service int
}

// empty reports whether no statement of the index's effect can match any action.
func (ix *stmtIndex) empty() bool { return ix.keys.n == 0 && len(ix.always) == 0 }

func addStmt(list []int32, i int32) []int32 {
	if n := len(list); n == 0 || list[n-1] != i {
		list = append(list, i)
	}
	return list
}

func (ix *stmtIndex) addKey(key string, i int32) {
	h := foldHash(key)
	k := ix.find(h, key)
	if k < 0 {
		k = len(ix.lists)
		ix.keys.insert(h, k)
		ix.names = append(ix.names, key)
		ix.lists = append(ix.lists, nil)
		if strings.IndexByte(key, ':') >= 0 {
			ix.exact++
		} else {
			ix.service++
		}
	}
	ix.lists[k] = addStmt(ix.lists[k], i)
}

// find returns the index k of names[k] == key (whose strHash is h, the hash of the lower-cased
// key), or -1. key may be in any ASCII case: names are lower-cased and compared with
// equalLowerASCII, so the request's action is looked up without being copied.
func (ix *stmtIndex) find(h uint64, key string) int {
	if len(ix.keys.slots) == 0 {
		return -1
	}
	for i, mask := ix.keys.probe(h); ; i = (i + 1) & mask {
		s := &ix.keys.slots[i]
		if s.val == 0 {
			return -1
		}
		if s.hash == h && equalLowerASCII(ix.names[s.val-1], key) {
			return int(s.val - 1)
		}
	}
}

func (ix *stmtIndex) insert(st *cstmt, i int32) {
	if st.notAction {
		ix.always = addStmt(ix.always, i)
		return
	}
	for k := range st.actions {
		p := &st.actions[k]
		if p.class == pcExact {
			ix.addKey(p.lit, i)
			continue
		}
		text := p.String()
		colon := strings.IndexByte(text, ':')
		if colon <= 0 || strings.ContainsAny(text[:colon], "*?") {
			ix.always = addStmt(ix.always, i)
			continue
		}
		ix.addKey(strings.ToLower(text[:colon]), i)
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
// index lists: a (statements naming the exact action), b (a wildcard within its service) and c
// (any action). It lives on the stack.
type candidates struct {
	a, b, c []int32
}

// lookup returns the statements naming the exact action and those with a wildcard in its service.
// It takes the action (ASCII, any case), the length of its service prefix and the strHash values
// of both lower-cased, computed once per request. (It returns two slices rather than a candidates value: a struct that large returned by
// value is copied through memory, which cost more than the probes.)
func (ix *stmtIndex) lookup(action string, svcLen int, actHash, svcHash uint64) (exact, inService []int32) {
	if ix.exact > 0 {
		if k := ix.find(actHash, action); k >= 0 {
			exact = ix.lists[k]
		}
	}
	if ix.service > 0 && svcLen > 0 {
		if k := ix.find(svcHash, action[:svcLen]); k >= 0 {
			inService = ix.lists[k]
		}
	}
	return exact, inService
}

// next returns the next statement index, or -1, and whether the statement came from the exact
// list: such a statement names the action exactly, so its Action element need not be matched
// again.
func (cs *candidates) next() (int, bool) {
	// Three comparisons rather than a loop over the lists: copying the slices into an array to
	// loop over cost more than the comparisons.
	const none = math.MaxInt32
	m := int32(none)
	if len(cs.a) > 0 {
		m = cs.a[0]
	}
	if len(cs.b) > 0 && cs.b[0] < m {
		m = cs.b[0]
	}
	if len(cs.c) > 0 && cs.c[0] < m {
		m = cs.c[0]
	}
	if m == none {
		return -1, false
	}
	exact := false
	if len(cs.a) > 0 && cs.a[0] == m {
		cs.a = cs.a[1:]
		exact = true
	}
	if len(cs.b) > 0 && cs.b[0] == m {
		cs.b = cs.b[1:]
	}
	if len(cs.c) > 0 && cs.c[0] == m {
		cs.c = cs.c[1:]
	}
	return int(m), exact
}
