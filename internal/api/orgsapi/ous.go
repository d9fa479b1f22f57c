package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Organizational units and the tree: children and parents.

var (
	// CreateOrganizationalUnit acts on the parent.
	CreateOrganizationalUnit = api.Add(&ops, &api.Op[CreateOrganizationalUnitInput, OrganizationalUnitOutput]{
		Name: "CreateOrganizationalUnit", Authorize: on(func(in *CreateOrganizationalUnitInput) target {
			return target{ids: []string{in.ParentId}, tags: in.Tags}
		}),
		Run: createOrganizationalUnit})
	DescribeOrganizationalUnit = api.Add(&ops, &api.Op[OrganizationalUnitInput, OrganizationalUnitOutput]{
		Name: "DescribeOrganizationalUnit", Authorize: on(ouTarget), Run: describeOrganizationalUnit})
	UpdateOrganizationalUnit = api.Add(&ops, &api.Op[UpdateOrganizationalUnitInput, OrganizationalUnitOutput]{
		Name: "UpdateOrganizationalUnit", Authorize: on(func(in *UpdateOrganizationalUnitInput) target {
			return target{ids: []string{in.OrganizationalUnitId}}
		}),
		Run: updateOrganizationalUnit})
	DeleteOrganizationalUnit = api.Add(&ops, &api.Op[OrganizationalUnitInput, struct{}]{
		Name: "DeleteOrganizationalUnit", Authorize: on(ouTarget), Run: deleteOrganizationalUnit})
	ListOrganizationalUnitsForParent = api.Add(&ops, &api.Op[ParentListInput, ListOrganizationalUnitsForParentOutput]{
		Name: "ListOrganizationalUnitsForParent", Authorize: on(parentTarget), Run: listOrganizationalUnitsForParent})
	ListAccountsForParent = api.Add(&ops, &api.Op[ParentListInput, AccountsOutput]{
		Name: "ListAccountsForParent", Authorize: on(parentTarget), Run: listAccountsForParent})
	ListChildren = api.Add(&ops, &api.Op[ListChildrenInput, ListChildrenOutput]{
		Name: "ListChildren", Authorize: on(func(in *ListChildrenInput) target { return target{ids: []string{in.ParentId}} }),
		Run: listChildren})
	ListParents = api.Add(&ops, &api.Op[ListParentsInput, ListParentsOutput]{
		Name: "ListParents", Authorize: on(func(in *ListParentsInput) target { return target{ids: []string{in.ChildId}} }),
		Run: listParents})
)

type CreateOrganizationalUnitInput struct {
	ParentId, Name string
	Tags           []Tag
}

// OrganizationalUnitInput is the input of the operations on one OU.
type OrganizationalUnitInput struct {
	OrganizationalUnitId string
}

func ouTarget(in *OrganizationalUnitInput) target {
	return target{ids: []string{in.OrganizationalUnitId}}
}

type UpdateOrganizationalUnitInput struct {
	OrganizationalUnitId, Name string
}

// ParentListInput is the input of the lists of a parent's OUs or accounts.
type ParentListInput struct {
	ParentId string
	ListInput
}

func parentTarget(in *ParentListInput) target { return target{ids: []string{in.ParentId}} }

type ListChildrenInput struct {
	ParentId, ChildType string
	ListInput
}

// ListParentsInput pages, although a child has one parent: MaxResults is still checked and a
// NextToken still refused.
type ListParentsInput struct {
	ChildId string
	ListInput
}

// OrganizationalUnit is the API's OrganizationalUnit.
type OrganizationalUnit struct {
	Id   string
	Arn  string
	Name string
}

// Child is the API's Child: an account or OU directly under a parent.
type Child struct {
	Id   string
	Type string
}

// Parent is the API's Parent: the root or OU directly above a child.
type Parent struct {
	Id   string
	Type string
}

// OrganizationalUnitOutput is the result of the operations on one OU.
type OrganizationalUnitOutput struct {
	OrganizationalUnit OrganizationalUnit
}

type ListOrganizationalUnitsForParentOutput struct {
	OrganizationalUnits []OrganizationalUnit
	Paged
}

type ListChildrenOutput struct {
	Children []Child
	Paged
}

type ListParentsOutput struct {
	Parents []Parent
}

func ouOf(u *orgs.OrganizationalUnit) OrganizationalUnit {
	return OrganizationalUnit{u.ID, u.Arn, u.Name}
}

func createOrganizationalUnit(c *api.Call, in *CreateOrganizationalUnitInput) (*OrganizationalUnitOutput, error) {
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	u, err := c.Orgs.CreateOrganizationalUnit(c.Ctx, c.Account(), in.ParentId, in.Name, tags...)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{ouOf(u)}, nil
}

func describeOrganizationalUnit(c *api.Call, in *OrganizationalUnitInput) (*OrganizationalUnitOutput, error) {
	u, err := c.Orgs.DescribeOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{ouOf(u)}, nil
}

func updateOrganizationalUnit(c *api.Call, in *UpdateOrganizationalUnitInput) (*OrganizationalUnitOutput, error) {
	u, err := c.Orgs.UpdateOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId, in.Name)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{ouOf(u)}, nil
}

func deleteOrganizationalUnit(c *api.Call, in *OrganizationalUnitInput) (*struct{}, error) {
	return nil, c.Orgs.DeleteOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId)
}

func listOrganizationalUnitsForParent(c *api.Call, in *ParentListInput) (*ListOrganizationalUnitsForParentOutput, error) {
	p, err := c.Orgs.ListOrganizationalUnitsForParent(c.Ctx, c.Account(), in.ParentId, in.Opts())
	if err != nil {
		return nil, err
	}
	return &ListOrganizationalUnitsForParentOutput{OrganizationalUnits: each(p.Items, ouOf), Paged: PageOf(p)}, nil
}

func listAccountsForParent(c *api.Call, in *ParentListInput) (*AccountsOutput, error) {
	p, err := c.Orgs.ListAccountsForParent(c.Ctx, c.Account(), in.ParentId, in.Opts())
	if err != nil {
		return nil, err
	}
	return accountsOf(p), nil
}

func listChildren(c *api.Call, in *ListChildrenInput) (*ListChildrenOutput, error) {
	p, err := c.Orgs.ListChildren(c.Ctx, c.Account(), in.ParentId, in.ChildType, in.Opts())
	if err != nil {
		return nil, err
	}
	out := each(p.Items, func(ch *orgs.Child) Child { return Child{ch.ID, ch.Type} })
	return &ListChildrenOutput{Children: out, Paged: PageOf(p)}, nil
}

func listParents(c *api.Call, in *ListParentsInput) (*ListParentsOutput, error) {
	ps, err := c.Orgs.ListParents(c.Ctx, c.Account(), in.ChildId)
	if err != nil {
		return nil, err
	}
	return &ListParentsOutput{Parents: each(ps, func(p *orgs.Parent) Parent { return Parent{p.ID, p.Type} })}, nil
}
