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
	// Bloom filters over the keys of exact and service, so that a policy that cannot name the
	// action costs two bit tests instead of two map lookups (a principal may have many policies).
	exactBits [16]uint64 // 1,024 bits
	svcBits   [4]uint64  // 256 bits
}

// fnv1a hashes b (FNV-1a, 64 bit); the evaluator hashes the request's action and service once.
func fnv1a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func setBit(bits []uint64, h uint64) {
	n := uint64(len(bits)) * 64
	bits[(h%n)/64] |= 1 << (h % 64)
}

func hasBit(bits []uint64, h uint64) bool {
	n := uint64(len(bits)) * 64
	return bits[(h%n)/64]&(1<<(h%64)) != 0
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
			setBit(ix.exactBits[:], fnv1a([]byte(p.lit)))
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
		svc := strings.ToLower(text[:colon])
		l := ix.service[svc]
		ix.add(&l, i)
		ix.service[svc] = l
		setBit(ix.svcBits[:], fnv1a([]byte(svc)))
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

// lookup takes the lower-cased action and service as bytes (indexing a map with string(b) does not
// allocate) and their hashes for the Bloom filters.
func (ix *stmtIndex) lookup(action, service []byte, actHash, svcHash uint64) candidates {
	c := candidates{c: ix.always}
	if hasBit(ix.exactBits[:], actHash) {
		c.a = ix.exact[string(action)]
	}
	if hasBit(ix.svcBits[:], svcHash) {
		c.b = ix.service[string(service)]
	}
	return c
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
