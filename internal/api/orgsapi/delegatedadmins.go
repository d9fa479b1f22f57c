package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Delegated administrators: member accounts that administer a service for the organization. Each
// action carries organizations:ServicePrincipal when the request names one.

var (
	RegisterDelegatedAdministrator = api.Add(&ops, &api.Op[DelegationInput, struct{}]{
		Name: "RegisterDelegatedAdministrator", Authorize: on(delegationTarget), Run: registerDelegatedAdministrator})
	DeregisterDelegatedAdministrator = api.Add(&ops, &api.Op[DelegationInput, struct{}]{
		Name: "DeregisterDelegatedAdministrator", Authorize: on(delegationTarget), Run: deregisterDelegatedAdministrator})
	ListDelegatedAdministrators = api.Add(&ops, &api.Op[ListDelegatedAdministratorsInput, ListDelegatedAdministratorsOutput]{
		Name: "ListDelegatedAdministrators", Authorize: on(func(in *ListDelegatedAdministratorsInput) target {
			return target{servicePrincipal: in.ServicePrincipal}
		}),
		Run: listDelegatedAdministrators})
	ListDelegatedServicesForAccount = api.Add(&ops, &api.Op[ListDelegatedServicesForAccountInput, ListDelegatedServicesForAccountOutput]{
		Name: "ListDelegatedServicesForAccount", Authorize: on(func(in *ListDelegatedServicesForAccountInput) target {
			return target{ids: []string{in.AccountId}}
		}),
		Run: listDelegatedServicesForAccount})
)

// DelegationInput is the input of RegisterDelegatedAdministrator and
// DeregisterDelegatedAdministrator, which act on the account.
type DelegationInput struct {
	AccountId, ServicePrincipal string
}

func delegationTarget(in *DelegationInput) target {
	return target{ids: []string{in.AccountId}, servicePrincipal: in.ServicePrincipal}
}

type ListDelegatedAdministratorsInput struct {
	ServicePrincipal string
	ListInput
}

// ListDelegatedServicesForAccountInput pages, although Rootward answers in one page: MaxResults is
// still checked and a NextToken still refused.
type ListDelegatedServicesForAccountInput struct {
	AccountId string
	ListInput
}

// DelegatedAdministrator is the API's DelegatedAdministrator: an Account and when it was
// registered.
type DelegatedAdministrator struct {
	Account
	DelegationEnabledDate epoch
}

// DelegatedService is the API's DelegatedService.
type DelegatedService struct {
	ServicePrincipal      string
	DelegationEnabledDate epoch
}

type ListDelegatedAdministratorsOutput struct {
	DelegatedAdministrators []DelegatedAdministrator
	Paged
}

type ListDelegatedServicesForAccountOutput struct {
	DelegatedServices []DelegatedService
}

func registerDelegatedAdministrator(c *api.Call, in *DelegationInput) (*struct{}, error) {
	return nil, c.Orgs.RegisterDelegatedAdministrator(c.Ctx, c.Account(), in.AccountId, in.ServicePrincipal)
}

func deregisterDelegatedAdministrator(c *api.Call, in *DelegationInput) (*struct{}, error) {
	return nil, c.Orgs.DeregisterDelegatedAdministrator(c.Ctx, c.Account(), in.AccountId, in.ServicePrincipal)
}

func listDelegatedAdministrators(c *api.Call, in *ListDelegatedAdministratorsInput) (*ListDelegatedAdministratorsOutput, error) {
	p, err := c.Orgs.ListDelegatedAdministrators(c.Ctx, c.Account(), in.ServicePrincipal, in.Opts())
	if err != nil {
		return nil, err
	}
	out := each(p.Items, func(d *orgs.DelegatedAdministrator) DelegatedAdministrator {
		return DelegatedAdministrator{accountOf(&d.Account), epoch(d.DelegationEnabledDate)}
	})
	return &ListDelegatedAdministratorsOutput{DelegatedAdministrators: out, Paged: PageOf(p)}, nil
}

func listDelegatedServicesForAccount(c *api.Call, in *ListDelegatedServicesForAccountInput) (*ListDelegatedServicesForAccountOutput, error) {
	ds, err := c.Orgs.ListDelegatedServicesForAccount(c.Ctx, c.Account(), in.AccountId)
	if err != nil {
		return nil, err
	}
	out := each(ds, func(d *orgs.Delegation) DelegatedService { return DelegatedService{d.ServicePrincipal, epoch(d.Date)} })
	return &ListDelegatedServicesForAccountOutput{DelegatedServices: out}, nil
}
