package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// The organization and its root.

var (
	CreateOrganization = api.Add(&ops, &api.Op[CreateOrganizationInput, OrganizationOutput]{
		Name: "CreateOrganization", Run: createOrganization})
	DescribeOrganization = api.Add(&ops, &api.Op[struct{}, OrganizationOutput]{
		Name: "DescribeOrganization", Run: describeOrganization})
	DeleteOrganization = api.Add(&ops, &api.Op[struct{}, struct{}]{
		Name: "DeleteOrganization", Run: deleteOrganization})
	ListRoots = api.Add(&ops, &api.Op[ListRootsInput, ListRootsOutput]{
		Name: "ListRoots", Run: listRoots})
)

type CreateOrganizationInput struct {
	FeatureSet string
}

// ListRootsInput pages, although an organization has one root: MaxResults is still checked and a
// NextToken still refused.
type ListRootsInput struct {
	ListInput
}

// Organization is the API's Organization.
type Organization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []PolicyTypeSummary
}

// PolicyTypeSummary is a policy type and its status on a root.
type PolicyTypeSummary struct {
	Type   string
	Status string
}

// Root is the API's Root.
type Root struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []PolicyTypeSummary
}

// OrganizationOutput is the result of CreateOrganization and DescribeOrganization.
type OrganizationOutput struct {
	Organization Organization
}

type ListRootsOutput struct {
	Roots []Root
}

// RootOutput is the result of EnablePolicyType and DisablePolicyType.
type RootOutput struct {
	Root Root
}

func organizationOf(o *orgs.Organization) Organization {
	return Organization{
		Id: o.ID, Arn: o.Arn(), FeatureSet: o.FeatureSet, MasterAccountArn: o.MasterAccountArn(),
		MasterAccountId: o.MasterAccountID, MasterAccountEmail: o.MasterAccountEmail,
		AvailablePolicyTypes: policyTypesOf(o.Root().PolicyTypes),
	}
}

func policyTypesOf(ts []orgs.PolicyTypeSummary) []PolicyTypeSummary {
	return each(ts, func(t *orgs.PolicyTypeSummary) PolicyTypeSummary { return PolicyTypeSummary(*t) })
}

func rootOf(r *orgs.Root) Root {
	return Root{Id: r.ID, Arn: r.Arn, Name: r.Name, PolicyTypes: policyTypesOf(r.PolicyTypes)}
}

func createOrganization(c *api.Call, in *CreateOrganizationInput) (*OrganizationOutput, error) {
	o, err := c.Orgs.CreateOrganization(c.Ctx, c.Account(), in.FeatureSet)
	if err != nil {
		return nil, err
	}
	return &OrganizationOutput{organizationOf(o)}, nil
}

func describeOrganization(c *api.Call, _ *struct{}) (*OrganizationOutput, error) {
	o, err := c.Orgs.DescribeOrganization(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &OrganizationOutput{organizationOf(o)}, nil
}

func deleteOrganization(c *api.Call, _ *struct{}) (*struct{}, error) {
	return nil, c.Orgs.DeleteOrganization(c.Ctx, c.Account())
}

func listRoots(c *api.Call, _ *ListRootsInput) (*ListRootsOutput, error) {
	roots, err := c.Orgs.ListRoots(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &ListRootsOutput{Roots: each(roots, rootOf)}, nil
}
