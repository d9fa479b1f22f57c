package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Trusted access: the AWS services enabled to work with the organization. Each action carries
// organizations:ServicePrincipal.

var (
	EnableAWSServiceAccess = api.Add(&ops, &api.Op[ServicePrincipalInput, struct{}]{
		Name: "EnableAWSServiceAccess", Authorize: on(servicePrincipalTarget), Run: enableAWSServiceAccess})
	DisableAWSServiceAccess = api.Add(&ops, &api.Op[ServicePrincipalInput, struct{}]{
		Name: "DisableAWSServiceAccess", Authorize: on(servicePrincipalTarget), Run: disableAWSServiceAccess})
	ListAWSServiceAccessForOrganization = api.Add(&ops, &api.Op[ListAWSServiceAccessForOrganizationInput, ListAWSServiceAccessForOrganizationOutput]{
		Name: "ListAWSServiceAccessForOrganization", Run: listAWSServiceAccessForOrganization})
)

// ServicePrincipalInput is the input of EnableAWSServiceAccess and DisableAWSServiceAccess.
type ServicePrincipalInput struct {
	ServicePrincipal string
}

func servicePrincipalTarget(in *ServicePrincipalInput) target {
	return target{servicePrincipal: in.ServicePrincipal}
}

// ListAWSServiceAccessForOrganizationInput pages, although Rootward answers in one page: MaxResults
// is still checked and a NextToken still refused.
type ListAWSServiceAccessForOrganizationInput struct {
	ListInput
}

// EnabledServicePrincipal is the API's EnabledServicePrincipal.
type EnabledServicePrincipal struct {
	ServicePrincipal string
	DateEnabled      epoch
}

type ListAWSServiceAccessForOrganizationOutput struct {
	EnabledServicePrincipals []EnabledServicePrincipal
}

func enableAWSServiceAccess(c *api.Call, in *ServicePrincipalInput) (*struct{}, error) {
	return nil, c.Orgs.EnableAWSServiceAccess(c.Ctx, c.Account(), in.ServicePrincipal)
}

func disableAWSServiceAccess(c *api.Call, in *ServicePrincipalInput) (*struct{}, error) {
	return nil, c.Orgs.DisableAWSServiceAccess(c.Ctx, c.Account(), in.ServicePrincipal)
}

func listAWSServiceAccessForOrganization(c *api.Call, _ *ListAWSServiceAccessForOrganizationInput) (*ListAWSServiceAccessForOrganizationOutput, error) {
	sa, err := c.Orgs.ListAWSServiceAccessForOrganization(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	out := each(sa, func(a *orgs.ServiceAccess) EnabledServicePrincipal {
		return EnabledServicePrincipal{a.ServicePrincipal, epoch(a.DateEnabled)}
	})
	return &ListAWSServiceAccessForOrganizationOutput{EnabledServicePrincipals: out}, nil
}
