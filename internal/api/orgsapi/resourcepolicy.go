package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
)

// The organization's resource policy, and delegated administration through it: a member account
// that the policy allows an Organizations action (with its own identity policies allowing it too,
// as for any cross-account access) performs the policy-management actions as the management
// account would (Organizations User Guide, "Delegated administrator for AWS Organizations").

var (
	PutResourcePolicy = api.Add(&ops, &api.Op[PutResourcePolicyInput, ResourcePolicyOutput]{
		Name: "PutResourcePolicy", Authorize: on(func(in *PutResourcePolicyInput) target { return target{tags: in.Tags} }),
		Run: putResourcePolicy})
	DescribeResourcePolicy = api.Add(&ops, &api.Op[struct{}, ResourcePolicyOutput]{
		Name: "DescribeResourcePolicy", Run: describeResourcePolicy})
	DeleteResourcePolicy = api.Add(&ops, &api.Op[struct{}, struct{}]{
		Name: "DeleteResourcePolicy", Run: deleteResourcePolicy})
)

// PutResourcePolicyInput is PutResourcePolicy's request.
type PutResourcePolicyInput struct {
	Content string
	Tags    []Tag
}

// ResourcePolicySummary is the API's ResourcePolicySummary.
type ResourcePolicySummary struct {
	Arn, Id string
}

// ResourcePolicy is the API's ResourcePolicy.
type ResourcePolicy struct {
	Content               string
	ResourcePolicySummary ResourcePolicySummary
}

// ResourcePolicyOutput is the result of PutResourcePolicy and DescribeResourcePolicy.
type ResourcePolicyOutput struct {
	ResourcePolicy ResourcePolicy
}

func resourcePolicyOf(p *orgs.ResourcePolicy) *ResourcePolicyOutput {
	return &ResourcePolicyOutput{ResourcePolicy{p.Content, ResourcePolicySummary{p.Arn, p.ID}}}
}

func putResourcePolicy(c *api.Call, in *PutResourcePolicyInput) (*ResourcePolicyOutput, error) {
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	p, err := c.Orgs.PutResourcePolicy(c.Ctx, c.Account(), in.Content, tags)
	if err != nil {
		return nil, err
	}
	return resourcePolicyOf(p), nil
}

func describeResourcePolicy(c *api.Call, _ *struct{}) (*ResourcePolicyOutput, error) {
	p, err := c.Orgs.DescribeResourcePolicy(c.Ctx, actingAs(c))
	if err != nil {
		return nil, err
	}
	return resourcePolicyOf(p), nil
}

func deleteResourcePolicy(c *api.Call, _ *struct{}) (*struct{}, error) {
	return nil, c.Orgs.DeleteResourcePolicy(c.Ctx, c.Account())
}

// actingAs returns the account the call acts as: the management account when the caller is a
// member that the organization's resource policy allows the call's action on each of ids (the
// policies, roots, OUs or accounts it names; none means "*"), else the caller's own account, which
// the operation then judges as it always does. Any failure to decide leaves the caller as itself:
// delegation never fails open.
func actingAs(c *api.Call, ids ...string) string {
	own := c.Account()
	d, err := c.Orgs.DelegationFor(c.Ctx, own)
	if err != nil || d == nil || d.Policy == "" {
		return own
	}
	rp, err := policy.Parse(d.Policy, policy.KindResource)
	if err != nil {
		return own
	}
	rp.Name = "organization resource policy"
	in, err := c.Authorizer().Input(&c.Request)
	if err != nil || in == nil {
		return own
	}
	eval := *in
	eval.Resource, eval.ResourceAccount = rp, d.Management
	arns := []string{orgs.AnyResource}
	var nonEmpty []string
	for _, id := range ids {
		if id != "" {
			nonEmpty = append(nonEmpty, id)
		}
	}
	if len(nonEmpty) > 0 {
		res, err := c.Orgs.AuthzResources(c.Ctx, d.Management, nonEmpty...)
		if err != nil {
			return own
		}
		arns = arns[:0]
		for _, r := range res {
			arns = append(arns, r.ARN)
		}
	}
	ctx, release := c.Request.PolicyContext(nil)
	defer release()
	for _, a := range arns {
		dec := policy.Evaluate(&eval, &policy.Request{Action: c.Service + ":" + c.Action, Resource: a, Context: ctx, Principal: c.Caller.PolicyPrincipal()})
		if !dec.Allowed() {
			return own
		}
	}
	return d.Management
}
