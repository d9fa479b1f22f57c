package server

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
)

// authorizer turns a caller into the compiled policy set the engine evaluates, and caches it per
// principal until the account's generation moves (any IAM write in the account bumps it, on any
// node, because the generation lives in the store; so does every Organizations change that alters
// the account's SCPs or its place in an organization).
type authorizer struct {
	iam   *iam.Service
	orgs  *orgs.Service
	mu    sync.RWMutex
	cache map[string]cachedInput
}

type cachedInput struct {
	gen     int64
	input   *policy.Input
	org     *orgs.Placement // the account's place in its organization, nil when none
	writes  uint64          // iam.Service.LocalWrites when cached
	checked time.Time       // when gen was last read from the store
}

func newAuthorizer(svc *iam.Service, o *orgs.Service) *authorizer {
	return &authorizer{iam: svc, orgs: o, cache: map[string]cachedInput{}}
}

// input returns the policy set that applies to id, and records on c the account's place in its
// organization for the aws:PrincipalOrg* condition keys.
func (a *authorizer) input(c *call, id *identity) (*policy.Input, error) {
	// A long-term key's caller is keyed by its unique ID too, so that a user deleted and created
	// again under the same ARN never shares a compiled policy set with the one before.
	key := id.account + "/" + id.arn + "/" + id.userID
	if id.session != nil {
		key = id.session.AccessKeyID
	}
	writes := a.iam.LocalWrites()
	a.mu.RLock()
	ce, ok := a.cache[key]
	a.mu.RUnlock()
	if ok && ce.writes == writes && c.now.Sub(ce.checked) < cacheTTL && c.now.Sub(ce.checked) >= 0 {
		c.org = ce.org
		return ce.input, closedAccount(id.account, ce.org)
	}
	// Past the time-to-live, the account's generation in the store says whether another node
	// changed anything; the compiled set is rebuilt only when it did.
	gen, err := a.iam.Generation(c.ctx, id.account)
	if err != nil {
		return nil, err
	}
	in, org := ce.input, ce.org
	if !ok || ce.gen != gen {
		if in, org, err = a.build(c, id); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	if len(a.cache) > 100_000 {
		// A crude bound: drop everything rather than grow without limit.
		a.cache = map[string]cachedInput{}
	}
	a.cache[key] = cachedInput{gen: gen, input: in, org: org, writes: writes, checked: c.now}
	a.mu.Unlock()
	c.org = org
	return in, closedAccount(id.account, org)
}

// closedAccount refuses every authorized request of a closed (SUSPENDED) member account: after
// CloseAccount, "you can't use AWS services" in it (Account Management Reference Guide, "Closing
// an account").
func closedAccount(account string, org *orgs.Placement) error {
	if org == nil || !org.Closed {
		return nil
	}
	return awserr.New(awserr.AccessDenied, "The account %s is closed; its principals cannot make requests.", account)
}

func (a *authorizer) build(c *call, id *identity) (*policy.Input, *orgs.Placement, error) {
	in, err := a.buildIdentity(c, id)
	if err != nil {
		return nil, nil, err
	}
	pl, err := a.orgs.PlacementOf(c.ctx, id.account)
	if err != nil {
		return nil, nil, err
	}
	// SCPs govern every principal of a member account — its root user and privileged root sessions
	// included — and none of the management account's (PlacementOf leaves SCPs nil for it), nor
	// service-linked roles (Organizations User Guide, "Service control policies": "SCPs don't
	// affect service-linked roles"). A session is a service-linked role's only by the mark Rootward
	// put on the role when it created it as one, never by the role's path or name, which a caller
	// chooses.
	serviceLinked := id.session != nil && id.session.ServiceLinked
	if pl != nil && pl.SCPs != nil && !serviceLinked {
		in.SCPs = make([][]*policy.Policy, len(pl.SCPs))
		for i, level := range pl.SCPs {
			in.SCPs[i] = make([]*policy.Policy, 0, len(level))
			for _, d := range level {
				p, err := compile(d, policy.KindSCP)
				if err != nil {
					return nil, nil, err
				}
				in.SCPs[i] = append(in.SCPs[i], p)
			}
		}
	}
	// A privileged root session (sts:AssumeRoot) is the member's root limited by its deny-only task
	// policy (IAM User Guide, "Perform a privileged task on an AWS Organizations member account").
	if s := id.session; s != nil && s.AssumedRoot {
		for _, d := range s.TaskPolicies {
			p, err := compile(d, policy.KindIdentity)
			if err != nil {
				return nil, nil, err
			}
			in.TaskPolicies = append(in.TaskPolicies, p)
		}
	}
	return in, pl, nil
}

// buildIdentity compiles the principal's own policies: identity, boundary and session policies.
func (a *authorizer) buildIdentity(c *call, id *identity) (*policy.Input, error) {
	in := &policy.Input{}
	var pp *iam.PrincipalPolicies
	var err error
	switch {
	case id.ptype == iam.PrincipalRoot:
		in.Root = true
	case id.ptype == iam.PrincipalAssumedRole:
		pp, err = a.iam.PrincipalPolicies(c.ctx, id.account, "role", id.session.RoleName, id.session.RoleID)
	default:
		pp, err = a.iam.PrincipalPolicies(c.ctx, id.account, "user", id.userName, id.userID)
	}
	if errors.Is(err, iam.ErrPrincipalGone) {
		// Deleted since authentication looked (or replaced by a principal of the same name): the
		// caller's credentials no longer name anyone.
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if pp != nil {
		for _, d := range pp.Identity {
			p, err := compile(d, policy.KindIdentity)
			if err != nil {
				return nil, err
			}
			in.Identity = append(in.Identity, p)
		}
		if pp.Boundary != nil {
			if in.Boundary, err = compile(*pp.Boundary, policy.KindBoundary); err != nil {
				return nil, err
			}
		}
	}
	if id.session != nil && id.session.HasPolicies {
		in.Session = []*policy.Policy{}
		for _, d := range id.session.Policies {
			p, err := compile(d, policy.KindSession)
			if err != nil {
				return nil, err
			}
			in.Session = append(in.Session, p)
		}
	}
	return in, nil
}

// compile parses a stored document. Stored documents were validated when written, so a failure
// here is an internal error — and the caller is denied, never allowed.
func compile(d iam.PolicyDoc, kind policy.Kind) (*policy.Policy, error) {
	p, err := policy.Parse(d.Document, kind)
	if err != nil {
		return nil, err
	}
	p.Name = d.Label
	return p, nil
}

// requestContext fills the global condition keys that apply to the call (IAM User Guide, "AWS
// global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func (c *call) requestContext(ctx *policy.Context) {
	id := c.id
	ctx.Set("aws:PrincipalArn", id.principalARN)
	ctx.Set("aws:PrincipalAccount", id.account)
	ctx.Set("aws:PrincipalType", id.ptype)
	ctx.Set("aws:userid", id.userID)
	if id.userName != "" {
		ctx.Set("aws:username", id.userName)
	}
	if host := remoteIP(c.r); host != "" {
		ctx.Set("aws:SourceIp", host)
	}
	ctx.Set("aws:CurrentTime", c.now.UTC().Format("2006-01-02T15:04:05Z"))
	ctx.Set("aws:EpochTime", strconv.FormatInt(c.now.Unix(), 10))
	ctx.Set("aws:SecureTransport", strconv.FormatBool(c.r.TLS != nil))
	ctx.Set("aws:RequestedRegion", c.s.region)
	if c.org != nil {
		ctx.Set("aws:PrincipalOrgID", c.org.OrgID)
		ctx.Set("aws:PrincipalOrgPaths", c.org.Path)
	}
	for _, t := range id.tags {
		ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	if s := id.session; s != nil {
		// aws:MultiFactorAuthPresent is present only for temporary credentials (IAM User Guide,
		// "AWS global condition context keys").
		ctx.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(s.MFA))
		if s.MFA && s.MFATime != nil {
			ctx.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(c.now.Sub(*s.MFATime).Seconds()), 10))
		}
		ctx.Set("aws:TokenIssueTime", s.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"))
		if s.SourceIdentity != "" {
			ctx.Set("aws:SourceIdentity", s.SourceIdentity)
		}
		// Only privileged root sessions carry aws:AssumedRoot; the root user's own credentials do
		// not (IAM User Guide, "AWS global condition context keys", aws:AssumedRoot; the "deny root
		// unless aws:AssumedRoot" SCP relies on it).
		if s.AssumedRoot {
			ctx.Set("aws:AssumedRoot", "true")
		}
	}
}

// contexts keeps request contexts for reuse: a policy.Context keeps its memory across Reset, so a
// decision fills one without allocating once the pool has warmed up. Evaluate keeps no reference
// to the context it reads, and Reset drops the request's strings before one goes back.
var contexts = sync.Pool{New: func() any { return new(policy.Context) }}

func getContext() *policy.Context { return contexts.Get().(*policy.Context) }

func putContext(ctx *policy.Context) {
	ctx.Reset()
	contexts.Put(ctx)
}

// authorize decides whether the caller may perform action on resource and returns AccessDenied in
// AWS's message form when not.
func (s *Server) authorize(c *call, action, resource string) error {
	return s.authorizeWith(c, action, resource, nil)
}

// keysFunc adds an action's own condition keys to a request context, after the global keys of
// requestContext: the service-specific keys the Service Authorization Reference lists for the
// action (iam:PermissionsBoundary, organizations:PolicyType, sts:TaskPolicyArn, …) and the tag keys
// (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*). A key the request does not carry is left
// unset, so a condition on it behaves as AWS's does on a missing key. It does no I/O: what needs a
// lookup (a resource's tags) is looked up before, and a failed lookup fails the call.
type keysFunc func(ctx *policy.Context)

// authorizeWith is authorize with the action's own condition keys, which keys (nil for none)
// adds to the request context. An operation with several resources (Organizations' AttachPolicy:
// the policy and the target) calls it once per resource, each with that resource's keys.
func (s *Server) authorizeWith(c *call, action, resource string, keys keysFunc) error {
	in, err := s.authz.input(c, c.id)
	if err != nil {
		return err
	}
	ctx := getContext()
	defer putContext(ctx)
	c.requestContext(ctx)
	if keys != nil {
		keys(ctx)
	}
	req := &policy.Request{Action: action, Resource: resource, Context: ctx,
		Principal: c.id.policyPrincipal()}
	d := policy.Evaluate(in, req)
	if d.Allowed() {
		return nil
	}
	return accessDenied(c.id, action, resource, d)
}

func accessDenied(id *identity, action, resource string, d policy.Decision) error {
	// Message form from the IAM User Guide, "Troubleshoot access denied error messages":
	// "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on
	// resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows the
	// iam:CreateUser action".
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s",
		id.arn, action, resource, d.Reason(action))
}

// remoteIP is the client address (aws:SourceIp, CloudTrail's sourceIPAddress): the connection's
// peer, or what a trusted proxy's X-Forwarded-For says (internal/clientaddr, resolved once in
// ServeHTTP), "" when unusable. aws:SourceIp must not be settable by the caller.
func remoteIP(r *http.Request) string {
	a, err := netip.ParseAddr(clientaddr.From(r))
	if err != nil {
		return ""
	}
	return a.String()
}
