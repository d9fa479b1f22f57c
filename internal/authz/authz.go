// Package authz decides whether a caller may do something: it turns an authenticated principal into
// the compiled policy set the engine evaluates (identity, boundary, session, SCP and task
// policies, cached per principal), fills the request's global condition keys and asks
// internal/policy. The HTTP API and the console authorize through it alike (internal/api), so a
// console page can do exactly what the same principal could do with the AWS CLI.
package authz

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// Identity is an authenticated caller.
type Identity struct {
	Account      string
	Type         string // iam.PrincipalRoot, iam.PrincipalUser or iam.PrincipalAssumedRole
	ARN          string // the caller's ARN as GetCallerIdentity reports it
	PrincipalARN string // aws:PrincipalArn: the role ARN for role sessions
	UserID       string // aws:userid
	UserName     string // IAM user name ("" for root and roles)
	AccessKeyID  string
	Session      *iam.Session // nil for long-term keys
	Tags         []iam.Tag    // aws:PrincipalTag/*
	// IdentityProvider is the identity provider of a federated caller of AssumeRoleWithSAML or
	// AssumeRoleWithWebIdentity (Type sts.TypeSAMLUser or sts.TypeWebIdentityUser), as CloudTrail
	// records it; "" for every other caller.
	IdentityProvider string
}

// PolicyPrincipal is the caller as the policy engine matches it against Principal elements: a role
// session carries its role's ARN (with path) so resource policies naming the role match it.
func (id *Identity) PolicyPrincipal() policy.Principal {
	p := policy.Principal{ARN: id.ARN, Account: id.Account}
	if id.Type == iam.PrincipalAssumedRole {
		p.RoleARN = id.PrincipalARN
	}
	return p
}

// ErrInvalidToken answers credentials that name no one (any more).
var ErrInvalidToken = awserr.New(awserr.InvalidClientTokenID, "The security token included in the request is invalid.")

// Request is one decision's circumstances beyond its action and resource.
type Request struct {
	Ctx    context.Context
	Caller *Identity
	Now    time.Time
	// SourceIP is aws:SourceIp, "" when unusable; SecureTransport is aws:SecureTransport.
	SourceIP        string
	SecureTransport bool
	Region          string
	// Org is the caller's place in its organization (nil when none), set by Authorizer.Input.
	Org *orgs.Placement
}

// Keys adds an action's own condition keys to a request context, after the global keys: the
// service-specific keys the Service Authorization Reference lists for the action
// (iam:PermissionsBoundary, organizations:PolicyType, sts:TaskPolicyArn, …) and the tag keys
// (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*). A key the request does not carry is left
// unset, so a condition on it behaves as AWS's does on a missing key. It does no I/O: what needs a
// lookup (a resource's tags) is looked up before, and a failed lookup fails the call.
type Keys func(ctx *policy.Context)

// Authorizer caches each principal's compiled policy set (store.Cache): an entry lasts until one
// of the objects it was built from changes — the principal, its policies, groups and boundary, its
// account's place in an organization and the SCPs there — on any node, as the store's change feed
// reports. A write elsewhere in the account leaves it alone.
type Authorizer struct {
	iam   *iam.Service
	orgs  *orgs.Service
	cache *store.Cache[string, cachedInput]
}

type cachedInput struct {
	input *policy.Input
	org   *orgs.Placement // the account's place in its organization, nil when none
}

// maxCached bounds the policy sets kept; past it an arbitrary one makes room.
const maxCached = 100_000

// New returns an Authorizer over the IAM and Organizations services.
func New(svc *iam.Service, o *orgs.Service) *Authorizer {
	a := &Authorizer{iam: svc, orgs: o}
	if svc != nil {
		a.cache = store.NewCache[string, cachedInput](svc.Store().Changes(), maxCached)
	}
	return a
}

// Input returns the policy set that applies to r's caller, and records in r the account's place in
// its organization for the aws:PrincipalOrg* condition keys. A closed account's callers are refused.
func (a *Authorizer) Input(r *Request) (*policy.Input, error) {
	id := r.Caller
	// A long-term key's caller is keyed by its unique ID too, so that a user deleted and created
	// again under the same ARN never shares a compiled policy set with the one before.
	key := id.Account + "/" + id.ARN + "/" + id.UserID
	if id.Session != nil {
		key = id.Session.AccessKeyID
	}
	ce, err := a.cache.Get(r.Ctx, key, func(ctx context.Context) (cachedInput, error) {
		in, org, err := a.build(ctx, id)
		return cachedInput{input: in, org: org}, err
	})
	if err != nil {
		return nil, err
	}
	r.Org = ce.org
	return ce.input, closedAccount(id.Account, ce.org)
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

func (a *Authorizer) build(ctx context.Context, id *Identity) (*policy.Input, *orgs.Placement, error) {
	in, err := a.buildIdentity(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	pl, err := a.orgs.PlacementOf(ctx, id.Account)
	if err != nil {
		return nil, nil, err
	}
	// SCPs govern every principal of a member account — its root user and privileged root sessions
	// included — and none of the management account's (PlacementOf leaves SCPs nil for it), nor
	// service-linked roles (Organizations User Guide, "Service control policies": "SCPs don't
	// affect service-linked roles"). A session is a service-linked role's only by the mark Rootward
	// put on the role when it created it as one, never by the role's path or name, which a caller
	// chooses.
	serviceLinked := id.Session != nil && id.Session.ServiceLinked
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
	if s := id.Session; s != nil && s.AssumedRoot {
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
func (a *Authorizer) buildIdentity(ctx context.Context, id *Identity) (*policy.Input, error) {
	in := &policy.Input{}
	var pp *iam.PrincipalPolicies
	var err error
	switch {
	case id.Type == iam.PrincipalRoot:
		in.Root = true
	case id.Type == iam.PrincipalAssumedRole:
		pp, err = a.iam.PrincipalPolicies(ctx, id.Account, "role", id.Session.RoleName, id.Session.RoleID)
	case id.Type == iam.PrincipalFederatedUser && id.Session != nil:
		// A GetFederationToken session may do what its user may, intersected with its session
		// policies (below); the root user's federated users start from the root's implicit allow.
		if id.Session.UserName == "" {
			in.Root = true
		} else {
			pp, err = a.iam.PrincipalPolicies(ctx, id.Account, "user", id.Session.UserName, id.Session.UserID)
		}
	default:
		pp, err = a.iam.PrincipalPolicies(ctx, id.Account, "user", id.UserName, id.UserID)
	}
	if errors.Is(err, iam.ErrPrincipalGone) {
		// Deleted since authentication looked (or replaced by a principal of the same name): the
		// caller's credentials no longer name anyone.
		return nil, ErrInvalidToken
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
	if id.Session != nil && id.Session.HasPolicies {
		in.Session = []*policy.Policy{}
		for _, d := range id.Session.Policies {
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

// globalKeys fills the global condition keys that apply to the request (IAM User Guide, "AWS
// global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func (r *Request) globalKeys(ctx *policy.Context) {
	id := r.Caller
	ctx.Set("aws:PrincipalArn", id.PrincipalARN)
	ctx.Set("aws:PrincipalAccount", id.Account)
	ctx.Set("aws:PrincipalType", id.Type)
	ctx.Set("aws:userid", id.UserID)
	if id.UserName != "" {
		ctx.Set("aws:username", id.UserName)
	}
	if r.SourceIP != "" {
		ctx.Set("aws:SourceIp", r.SourceIP)
	}
	ctx.Set("aws:CurrentTime", r.Now.UTC().Format("2006-01-02T15:04:05Z"))
	ctx.Set("aws:EpochTime", strconv.FormatInt(r.Now.Unix(), 10))
	ctx.Set("aws:SecureTransport", strconv.FormatBool(r.SecureTransport))
	ctx.Set("aws:RequestedRegion", r.Region)
	if r.Org != nil {
		ctx.Set("aws:PrincipalOrgID", r.Org.OrgID)
		ctx.Set("aws:PrincipalOrgPaths", r.Org.Path)
	}
	for _, t := range id.Tags {
		ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	if s := id.Session; s != nil {
		// aws:MultiFactorAuthPresent is present only for temporary credentials (IAM User Guide,
		// "AWS global condition context keys").
		ctx.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(s.MFA))
		if s.MFA && s.MFATime != nil {
			ctx.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(r.Now.Sub(*s.MFATime).Seconds()), 10))
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

// Check decides whether r's caller may perform action on resource, with the action's own condition
// keys (nil for none), and returns AccessDenied in AWS's message form when not. An operation with
// several resources (Organizations' AttachPolicy: the policy and the target) calls it once per
// resource, each with that resource's keys.
func (a *Authorizer) Check(r *Request, action, resource string, keys Keys) error {
	in, err := a.Input(r)
	if err != nil {
		return err
	}
	ctx := contexts.Get().(*policy.Context)
	defer func() {
		ctx.Reset()
		contexts.Put(ctx)
	}()
	r.globalKeys(ctx)
	if keys != nil {
		keys(ctx)
	}
	req := &policy.Request{Action: action, Resource: resource, Context: ctx, Principal: r.Caller.PolicyPrincipal()}
	d := policy.Evaluate(in, req)
	if d.Allowed() {
		return nil
	}
	return AccessDenied(r.Caller, action, resource, d)
}

// AccessDenied is the answer to a denied decision. Message form from the IAM User Guide,
// "Troubleshoot access denied error messages": "User: arn:aws:iam::123456789012:user/alice is not
// authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no
// identity-based policy allows the iam:CreateUser action".
func AccessDenied(id *Identity, action, resource string, d policy.Decision) error {
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s",
		id.ARN, action, resource, d.Reason(action))
}

// PolicyContext returns a request context filled with r's global keys and then keys (nil for
// none), for a decision made outside Check (a trust policy's, an added grant's); release gives it
// back to the pool once the decision is made.
func (r *Request) PolicyContext(keys Keys) (ctx *policy.Context, release func()) {
	ctx = contexts.Get().(*policy.Context)
	r.globalKeys(ctx)
	if keys != nil {
		keys(ctx)
	}
	return ctx, func() {
		ctx.Reset()
		contexts.Put(ctx)
	}
}

// ResourceControlPolicies compiles the resource control policies that bind requests to resources
// of the account placed at pl (orgs.PlacementOf), per level; nil when that account's resources
// are not subject to RCPs (the management account, an account in no organization, an
// organization without RCPs enabled) or when caller is a service-linked role's session, which
// RCPs do not restrict (Organizations User Guide, "Resource control policies (RCPs)": "RCPs don't
// apply to ... service-linked roles").
func ResourceControlPolicies(pl *orgs.Placement, caller *Identity) ([][]*policy.Policy, error) {
	if pl == nil || pl.RCPs == nil || (caller != nil && caller.Session != nil && caller.Session.ServiceLinked) {
		return nil, nil
	}
	out := make([][]*policy.Policy, len(pl.RCPs))
	for i, level := range pl.RCPs {
		out[i] = make([]*policy.Policy, 0, len(level))
		for _, d := range level {
			p, err := compile(d, policy.KindRCP)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], p)
		}
	}
	return out, nil
}
