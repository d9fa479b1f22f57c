package policy

import (
	"strings"

	"github.com/rootward/rootward/internal/arn"
)

// PrincipalElement is a statement's Principal or NotPrincipal element as written (IAM User Guide,
// "AWS JSON policy elements: Principal"). All is the bare "*" form; the lists keep each key's values
// in document order. An AWS value may be "*", a 12-digit account ID (meaning that account's root,
// arn:aws:iam::ID:root) or an ARN.
type PrincipalElement struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
	// order records the order in which keys appeared, so MarshalJSON reproduces it.
	order []string
}

// Principal identifies who makes a request.
type Principal struct {
	ARN       string // arn:aws:iam::123456789012:user/alice, ...:root, arn:aws:sts::...:assumed-role/r/s
	Account   string
	Service   string // service principal, e.g. "ec2.amazonaws.com"
	Federated string // identity provider for AssumeRoleWithWebIdentity/SAML, e.g. an OIDC provider ARN
	// RoleARN is the ARN of the role behind a role session (with its path), so that a resource
	// policy naming the role matches the session. When empty for an assumed-role ARN it is derived
	// from the session ARN, without path.
	RoleARN string
	// UserARN is the IAM user behind a federated-user session (GetFederationToken): a resource
	// policy naming that user matches the session, but the session policy still limits it ("Session
	// policies", IAM User Guide), whereas one naming the federated-user ARN itself does not.
	UserARN string
}

// grant is how strongly a resource-based policy statement names the requester. Its levels follow
// the IAM User Guide: "Policy evaluation logic" (same-account resource-based policies), "Permissions
// boundaries" ("Resource-based policies") and "Session policies".
type grant uint8

const (
	grantNone grant = iota
	// grantAccount: the statement names the requester's account (root ARN or account ID). Within
	// an account that delegates to the account's identity policies: an identity allow is still
	// needed (this is why a trust policy naming the account root needs an identity-based allow for
	// sts:AssumeRole, while one naming the role or user ARN does not).
	grantAccount
	// grantEntity: the statement names the role behind a session, the IAM user behind a
	// federated-user session, or everyone ("*"). An identity
	// allow is not needed, but the permissions boundary and session policies still limit it ("an
	// implicit deny in a permissions boundary does limit the permissions granted to the ARN of the
	// underlying IAM role"). "*" is placed here, the stricter reading, because AWS documents no rule.
	grantEntity
	// grantSession: the statement names the exact requester: an IAM user, a role session ARN, a
	// federated-user session ARN, a service or federated principal. Nothing else needs to allow it
	// ("an implicit deny in a permissions boundary does not limit the permissions granted to an IAM
	// user / to the ARN of the role session by a resource-based policy"; session policies likewise do
	// not limit a grant to the session ARN).
	grantSession
)

// principalSet is a compiled PrincipalElement.
type principalSet struct {
	all       bool
	aws       []string // normalised: account IDs become arn:aws:iam::ID:root
	accounts  []string // account IDs named through their root ARN or bare ID
	services  []string
	federated []string
	canonical []string
}

// compilePrincipal validates a Principal element. It returns IAM's "Invalid principal in policy"
// message on a bad value.
func compilePrincipal(pe *PrincipalElement) (*principalSet, string) {
	ps := &principalSet{all: pe.All}
	for _, v := range pe.AWS {
		switch {
		case v == "*":
			ps.all = true
		case isAccountID(v):
			ps.aws = append(ps.aws, arn.Root(v))
			ps.accounts = append(ps.accounts, v)
		case IsUniqueID(v):
			// What IAM shows in place of a principal deleted since the policy was saved (see
			// IsUniqueID). It names an identity that no longer exists, so it matches no requester:
			// it is kept for display and never joins the ARNs the set compares.
		default:
			a, err := arn.Parse(v)
			// "You cannot use a wildcard to match part of a principal name or ARN" (Principal page).
			if err != nil || strings.ContainsAny(v, "*?") || (a.Service != "iam" && a.Service != "sts") || !isAccountID(a.Account) {
				return nil, "Invalid principal in policy: \"AWS\":" + quote(v)
			}
			ps.aws = append(ps.aws, v)
			if a.Service == "iam" && a.Resource == "root" {
				ps.accounts = append(ps.accounts, a.Account)
			}
		}
	}
	for _, v := range pe.Service {
		if v == "" || strings.ContainsAny(v, "*? ") {
			return nil, "Invalid principal in policy: \"Service\":" + quote(v)
		}
		ps.services = append(ps.services, v)
	}
	for _, v := range pe.Federated {
		if v == "" || strings.ContainsAny(v, "*? ") {
			return nil, "Invalid principal in policy: \"Federated\":" + quote(v)
		}
		ps.federated = append(ps.federated, v)
	}
	for _, v := range pe.CanonicalUser {
		if v == "" || strings.ContainsAny(v, "*? ") {
			return nil, "Invalid principal in policy: \"CanonicalUser\":" + quote(v)
		}
		ps.canonical = append(ps.canonical, v)
	}
	return ps, ""
}

// IsUniqueID reports whether s has the form of the unique ID of an IAM user (AIDA…) or role
// (AROA…): the prefix and 17 more upper-case letters and digits, 21 characters in all (IAM User
// Guide, "IAM identifiers", "Unique identifiers"). IAM saves a trust or resource policy's user and
// role principals by unique ID and shows the ID in place of the ARN once the principal is deleted,
// so that a new user or role of the same name is not trusted ("Why is there an unknown principal
// format in my IAM resource-based policy?", AWS Knowledge Center).
func IsUniqueID(s string) bool {
	if len(s) != 21 || (!strings.HasPrefix(s, "AIDA") && !strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// WithPrincipals returns a copy of p in which every AWS principal value (in Principal and
// NotPrincipal) found in repl is replaced by repl's value — an ARN by the unique ID of the deleted
// principal it named — parsed again from its JSON form as the same kind. It returns p itself when
// nothing is replaced. The copy's document is returned too, for display.
func (p *Policy) WithPrincipals(repl map[string]string) (*Policy, string, error) {
	cp := *p
	cp.Statements = make([]Statement, len(p.Statements))
	changed := false
	swap := func(pe *PrincipalElement) *PrincipalElement {
		if pe == nil {
			return nil
		}
		out := *pe
		out.AWS = make([]string, len(pe.AWS))
		for i, v := range pe.AWS {
			out.AWS[i] = v
			if r, ok := repl[v]; ok {
				out.AWS[i], changed = r, true
			}
		}
		return &out
	}
	for i, st := range p.Statements {
		st.Principal, st.NotPrincipal = swap(st.Principal), swap(st.NotPrincipal)
		cp.Statements[i] = st
	}
	if !changed {
		return p, "", nil
	}
	doc, err := cp.MarshalJSON()
	if err != nil {
		return nil, "", err
	}
	np, err := Parse(string(doc), p.kind)
	if err != nil {
		return nil, "", err
	}
	np.Name = p.Name
	return np, string(doc), nil
}

func isAccountID(s string) bool {
	return len(s) == 12 && allDigits(s, 0, 12)
}

// isRoleSession reports whether the requester is a role session.
func (p *Principal) isRoleSession() bool {
	return strings.Contains(p.ARN, ":assumed-role/")
}

// roleMatches reports whether entry (an IAM role ARN from a policy) names the role behind the
// requester's session. It compares in place so that nothing is allocated.
func (p *Principal) roleMatches(entry string) bool {
	if p.RoleARN != "" {
		return entry == p.RoleARN
	}
	var s, e [arn.Sections]string
	if !arn.Split(p.ARN, &s) || s[2] != "sts" || !arn.Split(entry, &e) || e[2] != "iam" {
		return false
	}
	if s[1] != e[1] || s[4] != e[4] {
		return false
	}
	rest, ok := strings.CutPrefix(s[5], "assumed-role/")
	if !ok {
		return false
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return false
	}
	name, ok := strings.CutPrefix(e[5], "role/")
	return ok && name == rest[:i]
}

// match returns how strongly the set names the requester.
func (ps *principalSet) match(p *Principal) grant {
	best := grantNone
	if ps.all {
		best = grantEntity
	}
	if p.Service != "" {
		for _, s := range ps.services {
			if strings.EqualFold(s, p.Service) {
				return grantSession
			}
		}
	}
	if p.Federated != "" {
		for _, f := range ps.federated {
			if f == p.Federated {
				return grantSession
			}
		}
	}
	if p.ARN == "" && p.Account == "" {
		return best
	}
	for _, a := range ps.aws {
		switch {
		case a == p.ARN:
			return grantSession
		case p.UserARN != "" && a == p.UserARN, p.isRoleSession() && p.roleMatches(a):
			best = max(best, grantEntity)
		}
	}
	if best < grantAccount && p.Account != "" {
		for _, acct := range ps.accounts {
			if acct == p.Account {
				best = grantAccount
				break
			}
		}
	}
	return best
}

// excludes reports, for NotPrincipal, whether the requester is listed. For a Deny statement AWS
// requires every identity in the requester's chain to be listed — the principal and its account
// (Principal page, "NotPrincipal with Deny": "you must also include the account ARN") — so strict
// is used there; an Allow statement (which AWS discourages) is excluded as soon as any identity is
// listed, which grants less.
func (ps *principalSet) excludes(p *Principal, strict bool) bool {
	if ps.all {
		return true
	}
	named := false
	if p.Service != "" {
		for _, s := range ps.services {
			if strings.EqualFold(s, p.Service) {
				return true
			}
		}
	}
	if p.Federated != "" {
		for _, f := range ps.federated {
			if f == p.Federated {
				return true
			}
		}
	}
	for _, a := range ps.aws {
		if a == p.ARN || (p.UserARN != "" && a == p.UserARN) || (p.isRoleSession() && p.roleMatches(a)) {
			named = true
			break
		}
	}
	acct := false
	for _, a := range ps.accounts {
		if a == p.Account {
			acct = true
			break
		}
	}
	if strict {
		return named && (acct || isRootARN(p.ARN))
	}
	return named || acct
}

func isRootARN(s string) bool {
	var parts [arn.Sections]string
	return arn.Split(s, &parts) && parts[2] == "iam" && parts[5] == "root"
}

// everyone reports whether the element names every principal: "*" or {"AWS": "*"}.
func (p *PrincipalElement) everyone() bool {
	if p.All {
		return true
	}
	return len(p.AWS) == 1 && p.AWS[0] == "*" && len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0
}
