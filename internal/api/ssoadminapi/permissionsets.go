package ssoadminapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/identitycenter"
)

// Permission sets and their policies.

var (
	CreatePermissionSet = api.Add(&ops, &api.Op[CreatePermissionSetInput, PermissionSetOutput]{
		Name: "CreatePermissionSet", Authorize: on(func(in *CreatePermissionSetInput) target {
			return target{resources: []string{in.InstanceArn, newPermissionSetARN(in.InstanceArn)}, tags: in.Tags}
		}), Run: createPermissionSet})
	DescribePermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, PermissionSetOutput]{
		Name: "DescribePermissionSet", Authorize: on(psOf), Run: describePermissionSet})
	ListPermissionSets = api.Add(&ops, &api.Op[ListPermissionSetsInput, ListPermissionSetsOutput]{
		Name: "ListPermissionSets", Authorize: on(func(in *ListPermissionSetsInput) target {
			return target{resources: []string{in.InstanceArn}}
		}), Run: listPermissionSets})
	UpdatePermissionSet = api.Add(&ops, &api.Op[UpdatePermissionSetInput, struct{}]{
		Name: "UpdatePermissionSet", Authorize: on(func(in *UpdatePermissionSetInput) target {
			return psTarget(in.InstanceArn, in.PermissionSetArn)
		}), Run: updatePermissionSet})
	DeletePermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, struct{}]{
		Name: "DeletePermissionSet", Authorize: on(psOf), Run: deletePermissionSet})

	AttachManagedPolicyToPermissionSet = api.Add(&ops, &api.Op[ManagedPolicyInput, struct{}]{
		Name: "AttachManagedPolicyToPermissionSet", Authorize: on(managedPS), Run: attachManaged})
	DetachManagedPolicyFromPermissionSet = api.Add(&ops, &api.Op[ManagedPolicyInput, struct{}]{
		Name: "DetachManagedPolicyFromPermissionSet", Authorize: on(managedPS), Run: detachManaged})
	ListManagedPoliciesInPermissionSet = api.Add(&ops, &api.Op[ListPoliciesInput, ListManagedPoliciesOutput]{
		Name: "ListManagedPoliciesInPermissionSet", Authorize: on(listPS), Run: listManaged})
	AttachCustomerManagedPolicyReferenceToPermissionSet = api.Add(&ops, &api.Op[CustomerPolicyInput, struct{}]{
		Name: "AttachCustomerManagedPolicyReferenceToPermissionSet", Authorize: on(customerPS), Run: attachCustomer})
	DetachCustomerManagedPolicyReferenceFromPermissionSet = api.Add(&ops, &api.Op[CustomerPolicyInput, struct{}]{
		Name: "DetachCustomerManagedPolicyReferenceFromPermissionSet", Authorize: on(customerPS), Run: detachCustomer})
	ListCustomerManagedPolicyReferencesInPermissionSet = api.Add(&ops, &api.Op[ListPoliciesInput, ListCustomerPoliciesOutput]{
		Name: "ListCustomerManagedPolicyReferencesInPermissionSet", Authorize: on(listPS), Run: listCustomer})
	PutInlinePolicyToPermissionSet = api.Add(&ops, &api.Op[InlinePolicyInput, struct{}]{
		Name: "PutInlinePolicyToPermissionSet", Authorize: on(func(in *InlinePolicyInput) target {
			return psTarget(in.InstanceArn, in.PermissionSetArn)
		}), Run: putInline})
	GetInlinePolicyForPermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, InlinePolicyOutput]{
		Name: "GetInlinePolicyForPermissionSet", Authorize: on(psOf), Run: getInline})
	DeleteInlinePolicyFromPermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, struct{}]{
		Name: "DeleteInlinePolicyFromPermissionSet", Authorize: on(psOf), Run: deleteInline})
	PutPermissionsBoundaryToPermissionSet = api.Add(&ops, &api.Op[BoundaryInput, struct{}]{
		Name: "PutPermissionsBoundaryToPermissionSet", Authorize: on(func(in *BoundaryInput) target {
			return psTarget(in.InstanceArn, in.PermissionSetArn)
		}), Run: putBoundary})
	GetPermissionsBoundaryForPermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, BoundaryOutput]{
		Name: "GetPermissionsBoundaryForPermissionSet", Authorize: on(psOf), Run: getBoundary})
	DeletePermissionsBoundaryFromPermissionSet = api.Add(&ops, &api.Op[PermissionSetInput, struct{}]{
		Name: "DeletePermissionsBoundaryFromPermissionSet", Authorize: on(psOf), Run: deleteBoundary})
)

// newPermissionSetARN is the resource CreatePermissionSet is authorized on: every permission set of
// the instance (the new one has no ID yet).
func newPermissionSetARN(instanceARN string) string {
	id, err := identitycenter.InstanceID(instanceARN)
	if err != nil {
		return "*"
	}
	return identitycenter.PermissionSetARN(id, "*")
}

type CreatePermissionSetInput struct {
	InstanceArn     string
	Name            string
	Description     *string
	SessionDuration *string
	RelayState      *string
	Tags            []Tag
}

// PermissionSet is the API's PermissionSet.
type PermissionSet struct {
	Name             string
	PermissionSetArn string
	Description      string `json:",omitempty"`
	SessionDuration  string
	RelayState       string `json:",omitempty"`
	CreatedDate      Timestamp
}

// PermissionSetOutput is CreatePermissionSet's and DescribePermissionSet's answer.
type PermissionSetOutput struct {
	PermissionSet PermissionSet
}

func psOut(p *identitycenter.PermissionSet) *PermissionSetOutput {
	return &PermissionSetOutput{PermissionSet{Name: p.Name, PermissionSetArn: p.ARN, Description: p.Description,
		SessionDuration: p.SessionDuration, RelayState: p.RelayState, CreatedDate: Timestamp(p.Created)}}
}

func createPermissionSet(c *api.Call, in *CreatePermissionSetInput) (*PermissionSetOutput, error) {
	p, err := c.IdentityCenter.CreatePermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.Name,
		identitycenter.PermissionSetInput{Description: in.Description, SessionDuration: in.SessionDuration, RelayState: in.RelayState}, tagsIn(in.Tags))
	if err != nil {
		return nil, err
	}
	return psOut(p), nil
}

// PermissionSetInput names a permission set of an instance.
type PermissionSetInput struct {
	InstanceArn      string
	PermissionSetArn string
}

func psOf(in *PermissionSetInput) target { return psTarget(in.InstanceArn, in.PermissionSetArn) }

func describePermissionSet(c *api.Call, in *PermissionSetInput) (*PermissionSetOutput, error) {
	p, err := c.IdentityCenter.DescribePermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return psOut(p), nil
}

type ListPermissionSetsInput struct {
	InstanceArn string
	ListInput
}

type ListPermissionSetsOutput struct {
	PermissionSets []string
	NextToken      *string `json:",omitempty" page:"token"`
}

func listPermissionSets(c *api.Call, in *ListPermissionSetsInput) (*ListPermissionSetsOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListPermissionSets(c.Ctx, c.Account(), in.InstanceArn, o)
	if err != nil {
		return nil, err
	}
	return &ListPermissionSetsOutput{PermissionSets: append([]string{}, p.Items...), NextToken: next(p.Truncated, p.Last)}, nil
}

type UpdatePermissionSetInput struct {
	InstanceArn      string
	PermissionSetArn string
	Description      *string
	SessionDuration  *string
	RelayState       *string
}

func updatePermissionSet(c *api.Call, in *UpdatePermissionSetInput) (*struct{}, error) {
	return nil, c.IdentityCenter.UpdatePermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn,
		identitycenter.PermissionSetInput{Description: in.Description, SessionDuration: in.SessionDuration, RelayState: in.RelayState})
}

func deletePermissionSet(c *api.Call, in *PermissionSetInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeletePermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
}

type ManagedPolicyInput struct {
	InstanceArn      string
	PermissionSetArn string
	ManagedPolicyArn string
}

func managedPS(in *ManagedPolicyInput) target { return psTarget(in.InstanceArn, in.PermissionSetArn) }

func attachManaged(c *api.Call, in *ManagedPolicyInput) (*struct{}, error) {
	return nil, c.IdentityCenter.AttachManagedPolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.ManagedPolicyArn)
}

func detachManaged(c *api.Call, in *ManagedPolicyInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DetachManagedPolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.ManagedPolicyArn)
}

// ListPoliciesInput lists a permission set's policies; they are few (10 at most), so one page.
type ListPoliciesInput struct {
	InstanceArn      string
	PermissionSetArn string
	ListInput
}

func listPS(in *ListPoliciesInput) target { return psTarget(in.InstanceArn, in.PermissionSetArn) }

// AttachedManagedPolicy is the API's AttachedManagedPolicy.
type AttachedManagedPolicy struct {
	Arn  string
	Name string
}

type ListManagedPoliciesOutput struct {
	AttachedManagedPolicies []AttachedManagedPolicy
	NextToken               *string `json:",omitempty" page:"token"`
}

func listManaged(c *api.Call, in *ListPoliciesInput) (*ListManagedPoliciesOutput, error) {
	if _, err := in.opts(); err != nil {
		return nil, err
	}
	list, err := c.IdentityCenter.ManagedPolicies(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	out := &ListManagedPoliciesOutput{AttachedManagedPolicies: make([]AttachedManagedPolicy, 0, len(list))}
	for _, p := range list {
		out.AttachedManagedPolicies = append(out.AttachedManagedPolicies, AttachedManagedPolicy{Arn: p.ARN, Name: p.Name})
	}
	return out, nil
}

// CustomerManagedPolicyReference is the API's CustomerManagedPolicyReference.
type CustomerManagedPolicyReference struct {
	Name string
	Path string `json:",omitempty"`
}

type CustomerPolicyInput struct {
	InstanceArn                    string
	PermissionSetArn               string
	CustomerManagedPolicyReference CustomerManagedPolicyReference
}

func customerPS(in *CustomerPolicyInput) target { return psTarget(in.InstanceArn, in.PermissionSetArn) }

func attachCustomer(c *api.Call, in *CustomerPolicyInput) (*struct{}, error) {
	return nil, c.IdentityCenter.AttachCustomerPolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn,
		identitycenter.CustomerPolicyRef(in.CustomerManagedPolicyReference))
}

func detachCustomer(c *api.Call, in *CustomerPolicyInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DetachCustomerPolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn,
		identitycenter.CustomerPolicyRef(in.CustomerManagedPolicyReference))
}

type ListCustomerPoliciesOutput struct {
	CustomerManagedPolicyReferences []CustomerManagedPolicyReference
	NextToken                       *string `json:",omitempty" page:"token"`
}

func listCustomer(c *api.Call, in *ListPoliciesInput) (*ListCustomerPoliciesOutput, error) {
	if _, err := in.opts(); err != nil {
		return nil, err
	}
	list, err := c.IdentityCenter.CustomerPolicies(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	out := &ListCustomerPoliciesOutput{CustomerManagedPolicyReferences: make([]CustomerManagedPolicyReference, 0, len(list))}
	for _, p := range list {
		out.CustomerManagedPolicyReferences = append(out.CustomerManagedPolicyReferences, CustomerManagedPolicyReference(p))
	}
	return out, nil
}

type InlinePolicyInput struct {
	InstanceArn      string
	PermissionSetArn string
	InlinePolicy     string
}

func putInline(c *api.Call, in *InlinePolicyInput) (*struct{}, error) {
	return nil, c.IdentityCenter.PutInlinePolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.InlinePolicy)
}

type InlinePolicyOutput struct {
	InlinePolicy string `json:",omitempty"`
}

func getInline(c *api.Call, in *PermissionSetInput) (*InlinePolicyOutput, error) {
	doc, err := c.IdentityCenter.InlinePolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return &InlinePolicyOutput{InlinePolicy: doc}, nil
}

func deleteInline(c *api.Call, in *PermissionSetInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteInlinePolicy(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
}

// PermissionsBoundary is the API's PermissionsBoundary.
type PermissionsBoundary struct {
	CustomerManagedPolicyReference *CustomerManagedPolicyReference `json:",omitempty"`
	ManagedPolicyArn               string                          `json:",omitempty"`
}

type BoundaryInput struct {
	InstanceArn         string
	PermissionSetArn    string
	PermissionsBoundary PermissionsBoundary
}

func putBoundary(c *api.Call, in *BoundaryInput) (*struct{}, error) {
	b := identitycenter.Boundary{ManagedPolicyARN: strings.TrimSpace(in.PermissionsBoundary.ManagedPolicyArn)}
	if r := in.PermissionsBoundary.CustomerManagedPolicyReference; r != nil {
		ref := identitycenter.CustomerPolicyRef(*r)
		b.Customer = &ref
	}
	return nil, c.IdentityCenter.PutBoundary(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, b)
}

type BoundaryOutput struct {
	PermissionsBoundary PermissionsBoundary
}

func getBoundary(c *api.Call, in *PermissionSetInput) (*BoundaryOutput, error) {
	b, err := c.IdentityCenter.GetBoundary(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	out := &BoundaryOutput{PermissionsBoundary{ManagedPolicyArn: b.ManagedPolicyARN}}
	if b.Customer != nil {
		r := CustomerManagedPolicyReference(*b.Customer)
		out.PermissionsBoundary.CustomerManagedPolicyReference = &r
	}
	return out, nil
}

func deleteBoundary(c *api.Call, in *PermissionSetInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteBoundary(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn)
}
