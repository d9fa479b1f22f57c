package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Policies (service control policies), the policy types of the root, and attachments. Every action
// here carries organizations:PolicyType: the type the request names, else the type of the policy
// it acts on.

var (
	EnablePolicyType = api.Add(&ops, &api.Op[PolicyTypeInput, RootOutput]{
		Name: "EnablePolicyType", Authorize: on(policyTypeTarget), Run: enablePolicyType})
	DisablePolicyType = api.Add(&ops, &api.Op[PolicyTypeInput, RootOutput]{
		Name: "DisablePolicyType", Authorize: on(policyTypeTarget), Run: disablePolicyType})
	CreatePolicy = api.Add(&ops, &api.Op[CreatePolicyInput, PolicyOutput]{
		Name: "CreatePolicy", Authorize: on(func(in *CreatePolicyInput) target {
			return target{policyType: true, typ: in.Type, tags: in.Tags}
		}),
		Run: createPolicy})
	UpdatePolicy = api.Add(&ops, &api.Op[UpdatePolicyInput, PolicyOutput]{
		Name: "UpdatePolicy", Authorize: on(func(in *UpdatePolicyInput) target {
			return target{ids: []string{in.PolicyId}, policyType: true}
		}),
		Run: updatePolicy})
	DescribePolicy = api.Add(&ops, &api.Op[PolicyInput, PolicyOutput]{
		Name: "DescribePolicy", Authorize: on(policyTarget), Run: describePolicy})
	DeletePolicy = api.Add(&ops, &api.Op[PolicyInput, struct{}]{
		Name: "DeletePolicy", Authorize: on(policyTarget), Run: deletePolicy})
	ListPolicies = api.Add(&ops, &api.Op[ListPoliciesInput, PoliciesOutput]{
		Name: "ListPolicies", Authorize: on(func(in *ListPoliciesInput) target {
			return target{policyType: true, typ: in.Filter}
		}),
		Run: listPolicies})
	AttachPolicy = api.Add(&ops, &api.Op[AttachmentInput, struct{}]{
		Name: "AttachPolicy", Authorize: on(attachmentTarget), Run: attachPolicy})
	DetachPolicy = api.Add(&ops, &api.Op[AttachmentInput, struct{}]{
		Name: "DetachPolicy", Authorize: on(attachmentTarget), Run: detachPolicy})
	ListPoliciesForTarget = api.Add(&ops, &api.Op[ListPoliciesForTargetInput, PoliciesOutput]{
		Name: "ListPoliciesForTarget", Authorize: on(func(in *ListPoliciesForTargetInput) target {
			return target{ids: []string{in.TargetId}, policyType: true, typ: in.Filter}
		}),
		Run: listPoliciesForTarget})
	ListTargetsForPolicy = api.Add(&ops, &api.Op[ListTargetsForPolicyInput, ListTargetsForPolicyOutput]{
		Name: "ListTargetsForPolicy", Authorize: on(func(in *ListTargetsForPolicyInput) target {
			return target{ids: []string{in.PolicyId}, policyType: true}
		}),
		Run: listTargetsForPolicy})
)

// PolicyTypeInput is the input of EnablePolicyType and DisablePolicyType.
type PolicyTypeInput struct {
	RootId, PolicyType string
}

func policyTypeTarget(in *PolicyTypeInput) target {
	return target{ids: []string{in.RootId}, policyType: true, typ: in.PolicyType}
}

type CreatePolicyInput struct {
	Content, Description, Name, Type string
	Tags                             []Tag
}

// UpdatePolicyInput's members are pointers: an absent one is left as it is.
type UpdatePolicyInput struct {
	PolicyId                   string
	Name, Description, Content *string
}

// PolicyInput is the input of the operations on one policy.
type PolicyInput struct {
	PolicyId string
}

func policyTarget(in *PolicyInput) target {
	return target{ids: []string{in.PolicyId}, policyType: true}
}

type ListPoliciesInput struct {
	Filter string
	ListInput
}

// AttachmentInput is the input of AttachPolicy and DetachPolicy.
type AttachmentInput struct {
	PolicyId, TargetId string
}

// attachmentTarget: AttachPolicy and DetachPolicy act on the policy and on the target.
func attachmentTarget(in *AttachmentInput) target {
	return target{ids: []string{in.PolicyId, in.TargetId}, policyType: true}
}

type ListPoliciesForTargetInput struct {
	TargetId, Filter string
	ListInput
}

type ListTargetsForPolicyInput struct {
	PolicyId string
	ListInput
}

// PolicySummary is the API's PolicySummary.
type PolicySummary struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

// Policy is the API's Policy.
type Policy struct {
	PolicySummary PolicySummary
	Content       string
}

// PolicyTargetSummary is the API's PolicyTargetSummary.
type PolicyTargetSummary struct {
	TargetId, Arn, Name, Type string
}

// PolicyOutput is the result of the operations on one policy.
type PolicyOutput struct {
	Policy Policy
}

// PoliciesOutput is the result of ListPolicies and ListPoliciesForTarget.
type PoliciesOutput struct {
	Policies []PolicySummary
	Paged
}

type ListTargetsForPolicyOutput struct {
	Targets []PolicyTargetSummary
	Paged
}

func policySummaryOf(p *orgs.Policy) PolicySummary {
	return PolicySummary{p.ID, p.Arn, p.Name, p.Description, p.Type, p.AwsManaged}
}

func policyOf(p *orgs.Policy) *PolicyOutput {
	return &PolicyOutput{Policy{policySummaryOf(p), p.Content}}
}

func policiesOf(p orgs.Page[orgs.Policy]) *PoliciesOutput {
	return &PoliciesOutput{Policies: each(p.Items, policySummaryOf), Paged: PageOf(p)}
}

func enablePolicyType(c *api.Call, in *PolicyTypeInput) (*RootOutput, error) {
	r, err := c.Orgs.EnablePolicyType(c.Ctx, c.Account(), in.RootId, in.PolicyType)
	if err != nil {
		return nil, err
	}
	return &RootOutput{rootOf(r)}, nil
}

func disablePolicyType(c *api.Call, in *PolicyTypeInput) (*RootOutput, error) {
	r, err := c.Orgs.DisablePolicyType(c.Ctx, c.Account(), in.RootId, in.PolicyType)
	if err != nil {
		return nil, err
	}
	return &RootOutput{rootOf(r)}, nil
}

func createPolicy(c *api.Call, in *CreatePolicyInput) (*PolicyOutput, error) {
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	p, err := c.Orgs.CreatePolicy(c.Ctx, actingAs(c), orgs.CreatePolicyInput{
		Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content, Tags: tags,
	})
	if err != nil {
		return nil, err
	}
	return policyOf(p), nil
}

func updatePolicy(c *api.Call, in *UpdatePolicyInput) (*PolicyOutput, error) {
	p, err := c.Orgs.UpdatePolicy(c.Ctx, actingAs(c, in.PolicyId), in.PolicyId, orgs.UpdatePolicyInput{
		Name: in.Name, Description: in.Description, Content: in.Content,
	})
	if err != nil {
		return nil, err
	}
	return policyOf(p), nil
}

func describePolicy(c *api.Call, in *PolicyInput) (*PolicyOutput, error) {
	p, err := c.Orgs.DescribePolicy(c.Ctx, actingAs(c, in.PolicyId), in.PolicyId)
	if err != nil {
		return nil, err
	}
	return policyOf(p), nil
}

func deletePolicy(c *api.Call, in *PolicyInput) (*struct{}, error) {
	return nil, c.Orgs.DeletePolicy(c.Ctx, actingAs(c, in.PolicyId), in.PolicyId)
}

func listPolicies(c *api.Call, in *ListPoliciesInput) (*PoliciesOutput, error) {
	p, err := c.Orgs.ListPolicies(c.Ctx, actingAs(c), in.Filter, in.Opts())
	if err != nil {
		return nil, err
	}
	return policiesOf(p), nil
}

func attachPolicy(c *api.Call, in *AttachmentInput) (*struct{}, error) {
	return nil, c.Orgs.AttachPolicy(c.Ctx, actingAs(c, in.PolicyId, in.TargetId), in.PolicyId, in.TargetId)
}

func detachPolicy(c *api.Call, in *AttachmentInput) (*struct{}, error) {
	return nil, c.Orgs.DetachPolicy(c.Ctx, actingAs(c, in.PolicyId, in.TargetId), in.PolicyId, in.TargetId)
}

func listPoliciesForTarget(c *api.Call, in *ListPoliciesForTargetInput) (*PoliciesOutput, error) {
	p, err := c.Orgs.ListPoliciesForTarget(c.Ctx, actingAs(c, in.TargetId), in.TargetId, in.Filter, in.Opts())
	if err != nil {
		return nil, err
	}
	return policiesOf(p), nil
}

func listTargetsForPolicy(c *api.Call, in *ListTargetsForPolicyInput) (*ListTargetsForPolicyOutput, error) {
	p, err := c.Orgs.ListTargetsForPolicy(c.Ctx, actingAs(c, in.PolicyId), in.PolicyId, in.Opts())
	if err != nil {
		return nil, err
	}
	out := each(p.Items, func(t *orgs.PolicyTarget) PolicyTargetSummary {
		return PolicyTargetSummary{t.TargetID, t.Arn, t.Name, t.Type}
	})
	return &ListTargetsForPolicyOutput{Targets: out, Paged: PageOf(p)}, nil
}
