package policy

import (
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// Kind is the type of policy document being parsed; it decides which elements are required or
// forbidden.
type Kind uint8

const (
	KindIdentity Kind = iota // identity-based (inline or managed) policy of a user, group or role
	KindResource             // resource-based policy (bucket, queue, key ... policies)
	KindTrust                // role trust policy (AssumeRolePolicyDocument)
	KindBoundary             // permissions boundary (a managed policy used as boundary)
	KindSession              // session policy passed to AssumeRole*/GetFederationToken
	KindSCP                  // Organizations service control policy
	KindRCP                  // Organizations resource control policy
)

// identity reports whether k is a policy IAM stores as an identity policy (inline, managed,
// boundary) or takes as a session policy: those on which moto's AWS-checked cases record IAM's
// messages, which differ from the ones resource policies are reported with.
func (k Kind) identity() bool {
	return k == KindIdentity || k == KindBoundary || k == KindSession
}

func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity"
	case KindResource:
		return "resource"
	case KindTrust:
		return "trust"
	case KindBoundary:
		return "boundary"
	case KindSession:
		return "session"
	case KindSCP:
		return "scp"
	case KindRCP:
		return "rcp"
	}
	return "unknown"
}

// Policy versions (IAM User Guide, "IAM JSON policy elements: Version"). A document without Version
// gets 2008-10-17 semantics: policy variables are plain text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, validated and compiled policy document.
type Policy struct {
	// Name is a label set by the caller (a policy ARN, "inline:user/alice/pol", ...) used in
	// decisions and explanations.
	Name       string
	Version    string // "" when the document has none
	ID         string
	Statements []Statement

	kind      Kind
	compiled  []cstmt
	allow     stmtIndex
	deny      stmtIndex
	positions [][2]Position // statement start/end in the source document
	ok        bool          // set by Parse; a Policy not built by Parse is never evaluated as allowing
}

// Kind returns the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// StatementPosition returns where statement i starts and ends in the parsed document (1-based
// line and column), as the policy simulator reports matched statements.
func (p *Policy) StatementPosition(i int) (start, end Position) {
	if i < 0 || i >= len(p.positions) {
		return Position{}, Position{}
	}
	return p.positions[i][0], p.positions[i][1]
}

// Statement is one statement as written. Element lists keep their document order; a single
// string is stored as a one-element list. nil means the element is absent.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *PrincipalElement
	NotPrincipal *PrincipalElement
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition
}

// Messages IAM returns with MalformedPolicyDocument. Sources: the wording reported by AWS CLI and
// SDK users in public issue trackers (e.g. hashicorp/terraform-provider-aws #10419 "Policy document
// should not specify a principal.", humanmade/S3-Uploads #191 "Missing required field Principal",
// 99designs/iamy #65 and hashicorp/terraform #10057 "The policy failed legacy parsing" for a bad
// Version or Effect, pulumi/pulumi-aws-native #1616 "Unknown field statement" for an element name
// in the wrong case, Wolox/carthage_cache #22 for the Sid messages, garnaat/kappa #111 for the
// action colon rule).
const (
	msgSyntax         = "Syntax errors in policy."
	msgNoPrincipal    = "Policy document should not specify a principal."
	msgMissingActions = "Policy statement must contain actions."
	msgMissingRes     = "Policy statement must contain resources."
	msgLegacyParsing  = "The policy failed legacy parsing"
	msgVendor         = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon       = "Actions/Condition can contain only one colon."
	msgSidAlnum       = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgSidUnique      = "The Statement Ids in the policy are not unique"
	// msgSidUniqueIAM is IAM's own wording for an identity policy (getmoto/moto
	// tests/test_iam/test_iam_policies.py, checked against AWS); the one above is a resource
	// policy's (Wolox/carthage_cache #22).
	msgSidUniqueIAM    = "Statement IDs (SID) in a single policy must be unique."
	msgMissingPrinc    = "Missing required field Principal"
	msgMissingEffect   = "Missing required field Effect"
	msgMissingStmt     = "Missing required field Statement"
	msgTrustActions    = "AssumeRole policy may only specify STS AssumeRole actions."
	msgSCPRequirements = "The provided policy document does not meet the requirements of the specified policy type."
)

func malformed(msg string) error {
	return awserr.New(awserr.MalformedPolicyDocument, "%s", msg)
}

// Parse parses, validates and compiles a policy document of the given kind. Any problem — invalid
// JSON, duplicate keys, an unknown element, a Principal in an identity policy, a trust policy without
// Principal, an unknown condition operator, a bad Effect or Version, a statement without Action or
// Resource — is an *awserr.Error with code MalformedPolicyDocument and an IAM-like message. Parse
// does not check size limits (see CheckSize).
func Parse(doc string, kind Kind) (*Policy, error) {
	root, err := decodeJSON(doc)
	if err != nil || root.kind != jObject {
		return nil, malformed(msgSyntax)
	}
	p := &Policy{kind: kind}
	var stmtVal *jvalue
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			if m.val.kind != jString || (m.val.s != Version2012 && m.val.s != Version2008) {
				// IAM answers any other Version ("2013-10-17") with its syntax message (getmoto/moto
				// tests/test_iam/test_iam_policies.py, checked against AWS).
				return nil, malformed(msgSyntax)
			}
			p.Version = m.val.s
		case "Id":
			if m.val.kind != jString {
				return nil, malformed(msgSyntax)
			}
			p.ID = m.val.s
		case "Statement":
			stmtVal = &m.val
		default:
			if kind.identity() {
				return nil, malformed(msgSyntax)
			}
			return nil, malformed("Unknown field " + m.key)
		}
	}
	if stmtVal == nil {
		if kind.identity() {
			return nil, malformed(msgSyntax)
		}
		return nil, malformed(msgMissingStmt)
	}
	var stmts []jvalue
	switch stmtVal.kind {
	case jObject:
		stmts = []jvalue{*stmtVal}
	case jArray:
		stmts = stmtVal.arr
	default:
		return nil, malformed(msgSyntax)
	}
	if len(stmts) == 0 {
		return nil, malformed(msgSyntax)
	}
	sids := make(map[string]bool)
	var pos positionCounter
	for i := range stmts {
		sv := &stmts[i]
		if sv.kind != jObject {
			return nil, malformed(msgSyntax)
		}
		st, msg := decodeStatement(sv)
		if msg != "" {
			if kind.identity() && strings.HasPrefix(msg, "Unknown field ") {
				msg = msgSyntax
			}
			return nil, malformed(msg)
		}
		if msg := validateStatement(&st, kind); msg != "" {
			return nil, malformed(msg)
		}
		if st.Sid != "" {
			if sids[st.Sid] && kind.identity() {
				return nil, malformed(msgSidUniqueIAM)
			}
			if sids[st.Sid] {
				return nil, malformed(msgSidUnique)
			}
			sids[st.Sid] = true
		}
		p.Statements = append(p.Statements, st)
		p.positions = append(p.positions, [2]Position{pos.at(doc, sv.start), pos.at(doc, sv.end)})
	}
	if msg := p.compile(); msg != "" {
		return nil, malformed(msg)
	}
	return p, nil
}

func decodeStatement(v *jvalue) (Statement, string) {
	var st Statement
	// An element and its Not twin together are a syntax error, whatever their values (an empty
	// list included: getmoto/moto tests/test_iam/test_iam_policies.py).
	seen := map[string]bool{}
	for i := range v.obj {
		seen[v.obj[i].key] = true
	}
	if seen["Action"] && seen["NotAction"] || seen["Resource"] && seen["NotResource"] || seen["Principal"] && seen["NotPrincipal"] {
		return st, msgSyntax
	}
	for i := range v.obj {
		m := &v.obj[i]
		var msg string
		switch m.key {
		case "Sid":
			if m.val.kind != jString {
				return st, msgSyntax
			}
			st.Sid = m.val.s
		case "Effect":
			if m.val.kind != jString {
				return st, msgSyntax
			}
			st.Effect = m.val.s
		case "Principal":
			st.Principal, msg = decodePrincipal(&m.val)
		case "NotPrincipal":
			st.NotPrincipal, msg = decodePrincipal(&m.val)
		case "Action":
			st.Action, msg = stringList(&m.val, msgMissingActions)
		case "NotAction":
			st.NotAction, msg = stringList(&m.val, msgMissingActions)
		case "Resource":
			st.Resource, msg = stringList(&m.val, msgMissingRes)
		case "NotResource":
			st.NotResource, msg = stringList(&m.val, msgMissingRes)
		case "Condition":
			st.Condition, msg = decodeConditions(&m.val)
		default:
			return st, "Unknown field " + m.key
		}
		if msg != "" {
			return st, msg
		}
	}
	return st, ""
}

// stringList decodes an element that AWS allows as a string or an array of strings. An empty
// array is reported with emptyMsg (a statement without actions or resources).
func stringList(v *jvalue, emptyMsg string) ([]string, string) {
	switch v.kind {
	case jString:
		return []string{v.s}, ""
	case jArray:
		if len(v.arr) == 0 {
			return nil, emptyMsg
		}
		out := make([]string, 0, len(v.arr))
		for _, e := range v.arr {
			if e.kind != jString {
				return nil, msgSyntax
			}
			out = append(out, e.s)
		}
		return out, ""
	}
	return nil, msgSyntax
}

func decodePrincipal(v *jvalue) (*PrincipalElement, string) {
	switch v.kind {
	case jString:
		if v.s != "*" {
			return nil, "Invalid principal in policy: " + quote(v.s)
		}
		return &PrincipalElement{All: true}, ""
	case jObject:
	default:
		return nil, msgSyntax
	}
	pe := &PrincipalElement{}
	for i := range v.obj {
		m := &v.obj[i]
		list, msg := stringList(&m.val, "Invalid principal in policy: "+quote(m.key))
		if msg != "" {
			return nil, msg
		}
		switch m.key {
		case "AWS":
			pe.AWS = list
		case "Service":
			pe.Service = list
		case "Federated":
			pe.Federated = list
		case "CanonicalUser":
			pe.CanonicalUser = list
		default:
			return nil, "Invalid principal in policy: " + quote(m.key)
		}
		pe.order = append(pe.order, m.key)
	}
	if len(pe.order) == 0 {
		return nil, msgSyntax
	}
	return pe, ""
}

func decodeConditions(v *jvalue) ([]Condition, string) {
	if v.kind != jObject {
		return nil, msgSyntax
	}
	var out []Condition
	for i := range v.obj {
		op := &v.obj[i]
		if op.val.kind != jObject {
			return nil, msgSyntax
		}
		for j := range op.val.obj {
			kv := &op.val.obj[j]
			c := Condition{Operator: op.key, Key: kv.key}
			switch kv.val.kind {
			case jString, jNumber, jBool:
				c.Values = []string{kv.val.s}
			case jArray:
				for _, e := range kv.val.arr {
					switch e.kind {
					case jString, jNumber, jBool:
						c.Values = append(c.Values, e.s)
					default:
						return nil, msgSyntax
					}
				}
			default:
				return nil, msgSyntax
			}
			out = append(out, c)
		}
	}
	return out, ""
}

// validateStatement applies the element rules of each policy kind.
func validateStatement(st *Statement, kind Kind) string {
	switch {
	case st.Effect == "Allow", st.Effect == "Deny":
	case st.Effect == "" && kind.identity():
		// IAM's answer for an identity policy (getmoto/moto tests/test_iam/test_iam_policies.py).
		return msgSyntax
	case st.Effect == "":
		return msgMissingEffect
	case strings.EqualFold(st.Effect, "Allow"), strings.EqualFold(st.Effect, "Deny"):
		// Effect is case-sensitive; IAM answers "allow" with the legacy-parsing message
		// (hashicorp/terraform #10057; moto's "denY", "aLLow").
		return msgLegacyParsing
	case kind.identity():
		// Any other word is a syntax error (moto's "invalid").
		return msgSyntax
	default:
		return msgLegacyParsing
	}
	if kind != KindResource && !sidAlnum(st.Sid) {
		// Resource-based policies of some services (S3, KMS) accept other characters in Sid.
		return msgSidAlnum
	}
	if st.Principal != nil && st.NotPrincipal != nil || st.Action != nil && st.NotAction != nil ||
		st.Resource != nil && st.NotResource != nil {
		return msgSyntax
	}
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	hasAction := st.Action != nil || st.NotAction != nil
	hasResource := st.Resource != nil || st.NotResource != nil
	switch kind {
	case KindIdentity, KindBoundary, KindSession:
		if hasPrincipal {
			return msgNoPrincipal
		}
	case KindSCP:
		// SCPs never name principals (Organizations User Guide, "SCP syntax"); Organizations answers
		// any type-specific violation with this one sentence.
		if hasPrincipal {
			return msgSCPRequirements
		}
	case KindResource, KindTrust:
		if !hasPrincipal {
			return msgMissingPrinc
		}
	case KindRCP:
		// An RCP applies to every principal that reaches the account's resources: its Principal is
		// "*", narrowed by conditions, and NotPrincipal is not supported (Organizations User
		// Guide, "RCP syntax").
		if st.NotPrincipal != nil || st.Principal == nil || !st.Principal.everyone() {
			return msgSCPRequirements
		}
	}
	if !hasAction {
		return msgMissingActions
	}
	switch kind {
	case KindTrust:
		// A trust policy's resource is the role itself; IAM refuses Resource in it.
		if st.Resource != nil {
			return "Has prohibited field Resource"
		}
		if st.NotResource != nil {
			return "Has prohibited field NotResource"
		}
		for _, a := range st.Action {
			if !isSTSAction(a) {
				return msgTrustActions
			}
		}
	case KindSCP, KindRCP:
		// An SCP statement without Resource applies to all resources: Organizations' own
		// examples always carry "Resource": "*", and the absence is read the same way (an SCP
		// never grants, so this can only restrict).
	default:
		if !hasResource {
			return msgMissingRes
		}
	}
	for _, a := range st.Action {
		if msg := validateAction(a); msg != "" {
			return msg
		}
	}
	for _, a := range st.NotAction {
		if msg := validateAction(a); msg != "" {
			return msg
		}
	}
	for _, r := range st.Resource {
		if msg := validateResource(r); msg != "" {
			return msg
		}
	}
	for _, r := range st.NotResource {
		if msg := validateResource(r); msg != "" {
			return msg
		}
	}
	return ""
}

func sidAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isSTSAction(a string) bool {
	return a == "*" || len(a) > 4 && strings.EqualFold(a[:4], "sts:")
}

// validateAction checks the "vendor:action" shape (IAM User Guide, "IAM JSON policy elements:
// Action"): "*" or a service prefix, one colon and an action name, wildcards allowed.
func validateAction(a string) string {
	if a == "*" {
		return ""
	}
	i := strings.IndexByte(a, ':')
	if i <= 0 {
		return msgVendor
	}
	if strings.IndexByte(a[i+1:], ':') >= 0 {
		return msgOneColon
	}
	for j := 0; j < i; j++ {
		c := a[j]
		// Letters, digits, '-' and '.' ("s3.s:ListBucket" is accepted: moto's AWS-checked cases),
		// and the wildcards.
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '*' || c == '?') {
			return "Vendor " + a[:i] + " is not valid"
		}
	}
	return ""
}

// validateResource enforces IAM's "Resource ... must be in ARN format or \"*\"." rule.
func validateResource(r string) string {
	if r == "*" || strings.HasPrefix(r, "arn:") || strings.HasPrefix(r, "${") {
		return ""
	}
	return "Resource " + r + " must be in ARN format or \"*\"."
}
