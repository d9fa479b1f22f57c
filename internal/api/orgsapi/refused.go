package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
)

// Operations Rootward answers with a documented refusal, after authorizing them like any other:
// it serves no AWS GovCloud (US) partition, and it keeps no billing, so there is no billing
// responsibility to transfer between organizations. UnsupportedAPIEndpointException is
// Organizations' own error for "This action isn't available in the current AWS Region"
// (Organizations API Reference, Common errors of CreateGovCloudAccount); nothing is changed.
var (
	CreateGovCloudAccount = refused("CreateGovCloudAccount",
		"Rootward serves no AWS GovCloud (US) partition, so it creates no GovCloud account; use CreateAccount.")
	DescribeResponsibilityTransfer             = refusedTransfer("DescribeResponsibilityTransfer")
	InviteOrganizationToTransferResponsibility = refusedTransfer("InviteOrganizationToTransferResponsibility")
	ListInboundResponsibilityTransfers         = refusedTransfer("ListInboundResponsibilityTransfers")
	ListOutboundResponsibilityTransfers        = refusedTransfer("ListOutboundResponsibilityTransfers")
	TerminateResponsibilityTransfer            = refusedTransfer("TerminateResponsibilityTransfer")
	UpdateResponsibilityTransfer               = refusedTransfer("UpdateResponsibilityTransfer")
)

// RefusedInput takes whatever a refused operation's request carries; none of it is used.
type RefusedInput struct{}

func refused(name, why string) *api.Op[RefusedInput, struct{}] {
	return api.Add(&ops, &api.Op[RefusedInput, struct{}]{Name: name, Refused: true, Run: func(*api.Call, *RefusedInput) (*struct{}, error) {
		return nil, awserr.New(awserr.OrgsUnsupportedAPIEndpoint, "%s", why)
	}})
}

func refusedTransfer(name string) *api.Op[RefusedInput, struct{}] {
	return refused(name, "Rootward keeps no billing, so there is no billing responsibility to transfer between organizations; "+name+" changes nothing here.")
}
