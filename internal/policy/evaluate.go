package policy

import "strings"

// Effect is the outcome of an evaluation.
type Effect uint8

const (
	ImplicitDeny Effect = iota // nothing allowed the request (the default)
	Allowed
	ExplicitDeny // a Deny statement applied
)

func (e Effect) String() string {
	switch e {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny" // the EvalDecision strings of the IAM policy simulator
}

// PolicyType names the kind of policy behind a decision.
type PolicyType uint8

const (
	PolicyNone PolicyType = iota
	PolicyIdentity
	PolicyBoundary
	PolicySession
	PolicySCP
	PolicyResource
	PolicyTask // task policy of a privileged root session (sts:AssumeRoot)
	PolicyRCP  // Organizations resource control policy of the resource's account
)

func (t PolicyType) String() string {
	switch t {
	case PolicyIdentity:
		return "identity"
	case PolicyBoundary:
		return "boundary"
	case PolicySession:
		return "session"
	case PolicySCP:
		return "scp"
	case PolicyResource:
		return "resource"
	case PolicyTask:
		return "task"
	case PolicyRCP:
		return "rcp"
	}
	return "none"
}

// Request is what is being decided.
type Request struct {
	Action    string    // "iam:CreateUser"
	Resource  string    // resource ARN, or "*" ("" is read as "*")
	Principal Principal // matched against Principal/NotPrincipal of resource and trust policies
	Context   *Context  // condition keys; nil means none
}

// Input is every policy that applies to a request.
type Input struct {
	Identity []*Policy   // all identity-based policies of the principal (inline, attached, via groups)
	Boundary *Policy     // permissions boundary, nil if none
	Session  []*Policy   // session policies; nil means "no session policy", non-nil must allow
	SCPs     [][]*Policy // SCPs per level, root first, account last; nil = principal not subject to SCPs
	// RCPs are the resource control policies of the resource's account per level, root first,
	// account last; nil when the resource is not subject to RCPs (a management account's, or an
	// organization without RCPs enabled). Like SCPs, every level must allow and a deny anywhere
	// denies (Organizations User Guide, "Resource control policies (RCPs)").
	RCPs            [][]*Policy
	Resource        *Policy   // resource-based (or trust) policy of the target, nil if none
	ResourceAccount string    // account owning the resource ("" = same as principal)
	Root            bool      // principal is the account root user: identity allow is implicit
	TaskPolicies    []*Policy // deny-only task policies of a privileged root session (sts:AssumeRoot)
}

// Decision is the result of Evaluate: the effect and the policy/statement that decided it.
// Policy is nil and Statement -1 when the decision is implicit (no statement decided it).
type Decision struct {
	Effect    Effect
	Type      PolicyType
	Policy    *Policy
	Statement int
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Effect == Allowed }

// Reason returns the suffix of AWS's AccessDenied message ("User: ARN is not authorized to perform:
// ACTION on resource: RES " + Reason), worded as in the IAM User Guide, "Troubleshoot access denied
// error messages": "with an explicit deny in a service control policy", "because no identity-based
// policy allows the iam:CreateUser action", and so on. It is "" for an allowed request. Task
// policies of a root session are worded as session policies, which is what AWS calls them.
func (d Decision) Reason(action string) string {
	switch d.Effect {
	case Allowed:
		return ""
	case ExplicitDeny:
		return "with an explicit deny in " + typeArticle(d.Type)
	}
	if d.Type == PolicyNone {
		return "because the request could not be evaluated"
	}
	return "because no " + typeNoun(d.Type) + " allows the " + action + " action"
}

func typeNoun(t PolicyType) string {
	switch t {
	case PolicyBoundary:
		return "permissions boundary"
	case PolicySession, PolicyTask:
		return "session policy"
	case PolicySCP:
		return "service control policy"
	case PolicyRCP:
		return "resource control policy"
	case PolicyResource:
		return "resource-based policy"
	}
	return "identity-based policy"
}

func typeArticle(t PolicyType) string {
	switch t {
	case PolicyIdentity, PolicyNone:
		return "an " + typeNoun(t)
	}
	return "a " + typeNoun(t)
}

// evaluator holds the per-request state on the stack. It is kept small because Evaluate zeroes
// it on every call: the lower-cased action is not copied into it (an earlier 128-byte buffer cost
// its zeroing and a store per word on every decision); the index compares its lower-cased names
// with the request's action folding ASCII case on the fly (equalLowerASCII).
type evaluator struct {
	req      *Request
	r        resolver
	resource string
	svcLen   int  // the action's service prefix is req.Action[:svcLen] (once svcDone)
	svcDone  bool // svcLen and svcHash are set (see service)
	scanAll  bool // the index cannot be used: visit every statement
	actHash  uint64
	svcHash  uint64
	x        *Explanation

	decided bool
	dec     Decision
}

func implicit(t PolicyType) Decision {
	return Decision{Effect: ImplicitDeny, Type: t, Statement: -1}
}

var unevaluable = Decision{Effect: ImplicitDeny, Type: PolicyNone, Statement: -1}

// settle records the first decision. It reports whether evaluation can stop, which is always
// except when explaining (Explain keeps collecting matches after the decision).
func (e *evaluator) settle(d Decision) bool {
	if !e.decided {
		e.decided, e.dec = true, d
	}
	return e.x == nil
}

// Evaluate decides a request with the AWS policy evaluation logic (IAM User Guide, "Policy
// evaluation logic", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
// and "Cross-account policy evaluation logic"):
//
//  1. An explicit Deny in any applicable policy — SCP, resource-based, identity-based, permissions
//     boundary, session or root task policy — denies.
//  2. When the principal is subject to SCPs, every level (root, each OU, the account) must have an
//     SCP that allows the request.
//  3. Service and federated principals are decided by the resource-based (trust) policy alone.
//  4. Cross-account requests need both an identity-based allow and a resource-based allow, within
//     the permissions boundary and session policies.
//  5. In the same account, a resource-based policy naming the exact requester (user, role session,
//     service) allows by itself; one naming the role behind a session allows without an identity
//     policy but stays within the boundary and session policies; one naming only the account
//     delegates to the identity-based policies.
//  6. Otherwise an identity-based allow is needed (implicit for the root user), and the boundary and
//     session policies must allow too.
//
// Anything that cannot be evaluated — a nil or uncompiled policy, an empty action — denies.
// Evaluate allocates nothing.
func Evaluate(in *Input, req *Request) Decision {
	var e evaluator
	return e.run(in, req)
}

func (e *evaluator) init(req *Request) bool {
	e.req = req
	e.r.ctx = req.Context
	e.resource = req.Resource
	if e.resource == "" {
		e.resource = "*"
	}
	a := req.Action
	if a == "" {
		return false
	}
	// Hash the action as foldHash does (the index's hash, blind to ASCII case), eight bytes at a
	// time, noting any non-ASCII byte on the way. The service prefix is found and hashed only when a
	// policy indexes service prefixes (see service): most policies name exact actions only, and
	// finding the colon and hashing the prefix up front was a fifth of a decision's fixed cost.
	n := len(a)
	var high uint64
	h := hashSeed
	i := 0
	for ; i+8 <= n; i += 8 {
		w := word(a[i:])
		high |= w
		h = mix(h^(w|caseBits), hashMul2)
	}
	if i < n {
		var w uint64
		if n >= 8 {
			// The last, partial word: the eight bytes ending the action, shifted so that the
			// bytes already read drop out and zeros come in on top.
			w = word(a[n-8:]) >> (8 * (8 - (n - i)))
		} else {
			for j := i; j < n; j++ {
				w |= uint64(a[j]) << (8 * (j - i))
			}
		}
		high |= w
		h = mix(h^(w|caseBits), hashMul2)
	}
	if high&highBits != 0 {
		// The index holds actions lower-cased with Unicode rules (strings.ToLower) and lowerASCII
		// folds ASCII only, so a non-ASCII action (no AWS action is one) is matched statement by
		// statement with Unicode case folding instead, and a Deny naming it is never missed.
		e.scanAll = true
		return true
	}
	e.actHash = hashFinal(h, n)
	return true
}

// service returns the length of the action's service prefix (0 if the action has no colon, or
// starts with one) and the strHash of that prefix lower-cased. It is computed on first use and
// kept for the other policies of the request. Only called for an ASCII action (not scanAll).
func (e *evaluator) service() (int, uint64) {
	if !e.svcDone {
		e.svcDone = true
		if colon := strings.IndexByte(e.req.Action, ':'); colon > 0 {
			e.svcLen, e.svcHash = colon, foldHash(e.req.Action[:colon])
		}
	}
	return e.svcLen, e.svcHash
}

// foldHash is the hash of the action index: strHash with bit 5 (0x20, the ASCII case bit) set in
// every byte first, so that an action hashes alike in any ASCII case without being lower-cased
// (one OR per eight bytes where lower-casing exactly costs a dozen instructions). Other bytes
// that differ only in that bit ('@' and '`', say) hash alike too; the index compares the names
// themselves after the hash, so that only costs a probe. The request's action is hashed by
// evaluator.init with the same steps.
func foldHash(s string) uint64 {
	h := hashSeed
	n := len(s)
	for len(s) >= 8 {
		h = mix(h^(word(s)|caseBits), hashMul2)
		s = s[8:]
	}
	if len(s) > 0 {
		var w uint64
		for i := 0; i < len(s); i++ {
			w |= uint64(s[i]) << (8 * i)
		}
		h = mix(h^(w|caseBits), hashMul2)
	}
	return hashFinal(h, n)
}

const (
	ones     = 0x0101010101010101
	highBits = 0x8080808080808080
	caseBits = 0x2020202020202020
)

// lowerASCII lower-cases the ASCII capital letters among the eight bytes of w and leaves every
// other byte as it is. Per byte b: adding 0x80-'A' to its low seven bits sets the top bit when
// b >= 'A', adding 0x80-'Z'-1 when b > 'Z' (no sum carries into the next byte); a byte with its own
// top bit set is not ASCII and is excluded. The capitals' top-bit mask shifted right by two is
// 0x20 in each such byte, the case bit.
func lowerASCII(w uint64) uint64 {
	low := w &^ highBits
	geA := low + (0x80-'A')*ones
	gtZ := low + (0x80-'Z'-1)*ones
	upper := geA &^ gtZ &^ w & highBits
	return w | upper>>2
}

func usable(p *Policy) bool { return p != nil && p.ok }

func usableAll(ps []*Policy) bool {
	for _, p := range ps {
		if !usable(p) {
			return false
		}
	}
	return true
}

func (e *evaluator) run(in *Input, req *Request) Decision {
	if in == nil || req == nil || !e.init(req) {
		return unevaluable
	}
	if in.SCPs == nil && in.RCPs == nil && in.Boundary == nil && in.Session == nil && in.Resource == nil &&
		in.TaskPolicies == nil && e.x == nil {
		return e.identityOnly(in)
	}
	if !usableAll(in.Identity) || !usableAll(in.Session) || !usableAll(in.TaskPolicies) ||
		(in.Boundary != nil && !in.Boundary.ok) || (in.Resource != nil && !in.Resource.ok) {
		return unevaluable
	}
	for _, level := range in.SCPs {
		if !usableAll(level) {
			return unevaluable
		}
	}
	for _, level := range in.RCPs {
		if !usableAll(level) {
			return unevaluable
		}
	}

	// 1. Explicit deny anywhere wins.
	for _, level := range in.SCPs {
		if e.denyIn(level, PolicySCP) {
			return e.dec
		}
	}
	for _, level := range in.RCPs {
		if e.denyIn(level, PolicyRCP) {
			return e.dec
		}
	}
	if in.Resource != nil && e.denyIn1(in.Resource, PolicyResource) {
		return e.dec
	}
	if len(in.Identity) > 0 && e.denyIn(in.Identity, PolicyIdentity) {
		return e.dec
	}
	if in.Boundary != nil && e.denyIn1(in.Boundary, PolicyBoundary) {
		return e.dec
	}
	// Guarded by length: denyIn is too large to inline, and most requests have no session or
	// task policies, so the guards save two calls per decision.
	if (len(in.Session) > 0 && e.denyIn(in.Session, PolicySession)) ||
		(len(in.TaskPolicies) > 0 && e.denyIn(in.TaskPolicies, PolicyTask)) {
		return e.dec
	}

	// 2. SCPs must allow at every level; an empty level allows nothing.
	scpOK := true
	for _, level := range in.SCPs {
		if _, _, ok := e.allowIn(level, PolicySCP); !ok {
			scpOK = false
			if e.settle(implicit(PolicySCP)) {
				return e.dec
			}
		}
	}
	for _, level := range in.RCPs {
		if _, _, ok := e.allowIn(level, PolicyRCP); !ok {
			scpOK = false
			if e.settle(implicit(PolicyRCP)) {
				return e.dec
			}
		}
	}

	// 3–6. Gather the allows, then combine them.
	rIdx, rGrant := -1, grantNone
	if in.Resource != nil {
		rIdx, rGrant = e.scan(in.Resource, false, PolicyResource)
	}
	idPol, idIdx, idOK := e.allowIn(in.Identity, PolicyIdentity)
	if in.Root {
		idOK = true
	}
	bOK := true
	if in.Boundary != nil {
		i, _ := e.scan(in.Boundary, false, PolicyBoundary)
		bOK = i >= 0
	}
	sOK := true
	if in.Session != nil {
		_, _, sOK = e.allowIn(in.Session, PolicySession)
	}
	if e.x != nil {
		e.x.AllowedByOrganizations = scpOK
		e.x.AllowedByPermissionsBoundary = bOK
		e.x.AllowedBySessionPolicy = sOK
	}

	resAllow := Decision{Effect: Allowed, Type: PolicyResource, Policy: in.Resource, Statement: rIdx}
	idAllow := Decision{Effect: Allowed, Type: PolicyIdentity, Policy: idPol, Statement: idIdx}
	p := &req.Principal
	external := p.ARN == "" && (p.Service != "" || p.Federated != "")
	sameAccount := in.ResourceAccount == "" || in.ResourceAccount == p.Account
	var d Decision
	switch {
	case external:
		if rGrant == grantNone {
			d = implicit(PolicyResource)
		} else {
			d = resAllow
		}
	case !sameAccount:
		switch {
		case rGrant == grantNone:
			d = implicit(PolicyResource)
		case !idOK:
			d = implicit(PolicyIdentity)
		case !bOK:
			d = implicit(PolicyBoundary)
		case !sOK:
			d = implicit(PolicySession)
		default:
			d = idAllow
		}
	case rGrant == grantSession:
		d = resAllow
	case rGrant == grantEntity:
		switch {
		case !bOK:
			d = implicit(PolicyBoundary)
		case !sOK:
			d = implicit(PolicySession)
		default:
			d = resAllow
		}
	default:
		switch {
		case !idOK:
			d = implicit(PolicyIdentity)
		case !bOK:
			d = implicit(PolicyBoundary)
		case !sOK:
			d = implicit(PolicySession)
		default:
			d = idAllow
		}
	}
	if e.x == nil {
		// Nothing was decided before (a decision without an explanation returns at once), so d
		// is the decision. It is returned as it is rather than stored in e.dec and loaded back:
		// the byte-wide stores of Effect and Type followed by a word-wide load of e.dec stalled
		// (store forwarding), which the profile showed at this return on every decision.
		return d
	}
	e.settle(d)
	return e.dec
}

// identityOnly is run for the most common input — identity-based policies alone, no explanation
// asked for — with the same outcome as the general path, which for such an input reduces to:
// an explicit deny in an identity policy denies; a service or federated principal, or a resource
// in another account, needs a resource-based policy there is none of; otherwise an identity
// allow (implicit for the root user) allows. It skips the general path's checks for the other
// policy types and its per-policy bookkeeping, a third of a decision's instructions.
func (e *evaluator) identityOnly(in *Input) Decision {
	for _, p := range in.Identity {
		if p == nil || !p.ok {
			return unevaluable
		}
	}
	for _, p := range in.Identity {
		if !p.deny.empty() && e.denyIn1(p, PolicyIdentity) {
			return e.dec
		}
	}
	var idPol *Policy
	idIdx := -1
	for _, p := range in.Identity {
		if i := e.firstAllow(p); i >= 0 {
			idPol, idIdx = p, i
			break
		}
	}
	p := &e.req.Principal
	if (p.ARN == "" && (p.Service != "" || p.Federated != "")) ||
		(in.ResourceAccount != "" && in.ResourceAccount != p.Account) {
		return implicit(PolicyResource)
	}
	if idPol == nil && !in.Root {
		return implicit(PolicyIdentity)
	}
	return Decision{Effect: Allowed, Type: PolicyIdentity, Policy: idPol, Statement: idIdx}
}

// firstAllow returns the first Allow statement of identity policy p that applies, or -1. It is
// scan for an index of exact actions only (the usual policy), and scan itself otherwise.
func (e *evaluator) firstAllow(p *Policy) int {
	ix := &p.allow
	if e.scanAll || ix.service > 0 || len(ix.always) > 0 {
		i, _ := e.scan(p, false, PolicyIdentity)
		return i
	}
	if ix.exact == 0 {
		return -1
	}
	k := ix.find(e.actHash, e.req.Action)
	if k < 0 {
		return -1
	}
	for _, i := range ix.lists[k] {
		// An identity policy has no Principal element, so the first statement that applies
		// decides (visit stops there too).
		if ok, _ := e.applies(p, int(i), true); ok {
			return int(i)
		}
	}
	return -1
}

// denyIn reports whether evaluation stops on an explicit deny found in one of ps.
func (e *evaluator) denyIn(ps []*Policy, t PolicyType) bool {
	for _, p := range ps {
		if !p.deny.empty() && e.denyIn1(p, t) {
			return true
		}
	}
	return false
}

func (e *evaluator) denyIn1(p *Policy, t PolicyType) bool {
	if i, _ := e.scan(p, true, t); i >= 0 {
		return e.settle(Decision{Effect: ExplicitDeny, Type: t, Policy: p, Statement: i})
	}
	return false
}

// allowIn returns the first policy of ps (and its first statement) that allows the request.
func (e *evaluator) allowIn(ps []*Policy, t PolicyType) (*Policy, int, bool) {
	var fp *Policy
	fi := -1
	for _, p := range ps {
		if i, _ := e.scan(p, false, t); i >= 0 && fp == nil {
			fp, fi = p, i
			if e.x == nil {
				break
			}
		}
	}
	return fp, fi, fp != nil
}

// scan visits, in document order, the statements of p with the given effect that can match the
// action, and returns the first that applies (-1 if none) and, for resource-based policies, the
// strongest grant among those that apply.
func (e *evaluator) scan(p *Policy, deny bool, t PolicyType) (first int, g grant) {
	first = -1
	if e.scanAll {
		for i := range p.compiled {
			if p.compiled[i].deny == deny {
				if e.visit(p, i, false, t, &first, &g) {
					return first, g
				}
			}
		}
		return first, g
	}
	ix := &p.allow
	if deny {
		ix = &p.deny
	}
	if ix.empty() {
		return first, g // no statement of this effect (most policies have no Deny)
	}
	var svcLen int
	var svcHash uint64
	if ix.service > 0 {
		svcLen, svcHash = e.service()
	}
	exact, inService := ix.lookup(e.req.Action, svcLen, e.actHash, svcHash)
	if len(inService) == 0 && len(ix.always) == 0 {
		// The common case: only statements naming the exact action, already in order.
		for _, i := range exact {
			if e.visit(p, int(i), true, t, &first, &g) {
				return first, g
			}
		}
		return first, g
	}
	// Field by field: a composite literal is built in a temporary and copied with wider loads
	// than the stores that built it, which stalls.
	var c candidates
	c.a, c.b, c.c = exact, inService, ix.always
	for {
		i, exact := c.next()
		if i < 0 {
			break
		}
		if e.visit(p, i, exact, t, &first, &g) {
			return first, g
		}
	}
	return first, g
}

// visit tests statement i and records it; it reports whether scanning can stop. named says that
// the index found the statement under the exact action.
func (e *evaluator) visit(p *Policy, i int, named bool, t PolicyType, first *int, g *grant) bool {
	ok, sg := e.applies(p, i, named)
	if !ok {
		return false
	}
	if e.x != nil {
		e.x.add(t, p, i)
	}
	if *first < 0 {
		*first = i
	}
	if sg > *g {
		*g = sg
	}
	return e.x == nil && (p.compiled[i].principals == nil || *g == grantSession || p.compiled[i].deny)
}

// applies reports whether statement i of p applies to the request, and for statements with a
// Principal element how strongly it names the requester. named says that the statement's Action
// element names the action exactly (the index found it there), so matching it again is skipped.
func (e *evaluator) applies(p *Policy, i int, named bool) (bool, grant) {
	st := &p.compiled[i]
	matched := named
	for k := 0; !matched && k < len(st.actions); k++ {
		if m, _ := st.actions[k].match(e.req.Action, true, nil); m {
			matched = true
			break
		}
	}
	if matched == st.notAction {
		return false, grantNone
	}
	if !st.anyResource {
		hit := false
		for k := range st.resources {
			rp := &st.resources[k]
			var m, resolved bool
			if rp.fastLinear {
				m, resolved = linearMatch(rp.whole.toks, e.resource, false, &e.r)
			} else {
				m, resolved = rp.match(e.resource, &e.r)
			}
			if !resolved && st.notResource && !st.deny {
				// An Allow with NotResource whose entry cannot be resolved would allow more
				// than its author wrote; refuse it instead (never fail open).
				return false, grantNone
			}
			if m {
				hit = true
				break
			}
		}
		if hit == st.notResource {
			return false, grantNone
		}
	}
	g := grantNone
	if st.principals != nil {
		if st.notPrinc {
			if st.principals.excludes(&e.req.Principal, st.deny) {
				return false, grantNone
			}
			g = grantEntity
		} else {
			g = st.principals.match(&e.req.Principal)
			if g == grantNone {
				return false, grantNone
			}
		}
	}
	res := triTrue
	for k := range st.conds {
		c := &st.conds[k]
		t, missing := c.eval(e.r.ctx, &e.r)
		if missing && e.x != nil {
			e.x.addMissing(p.Statements[i].Condition[c.src].Key)
		}
		switch {
		case t == triFalse:
			if e.x == nil {
				return false, grantNone
			}
			res = triFalse
		case t == triUnknown && res == triTrue:
			res = triUnknown
		}
	}
	if res == triFalse || (res == triUnknown && !st.deny) {
		return false, grantNone
	}
	return true, g
}
