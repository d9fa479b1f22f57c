package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Invitations: handshakes between an organization and an account it invites.

var (
	// InviteAccountToOrganization acts on the invited account when the target is one (an email
	// target names no resource).
	InviteAccountToOrganization = api.Add(&ops, &api.Op[InviteAccountToOrganizationInput, HandshakeOutput]{
		Name: "InviteAccountToOrganization", Authorize: on(func(in *InviteAccountToOrganizationInput) target {
			if in.Target.Type == "ACCOUNT" {
				return target{ids: []string{in.Target.Id}}
			}
			return target{}
		}),
		Run: inviteAccountToOrganization})
	AcceptHandshake = api.Add(&ops, &api.Op[HandshakeInput, HandshakeOutput]{
		Name: "AcceptHandshake", Authorize: on(handshakeTarget), Run: acceptHandshake})
	DeclineHandshake = api.Add(&ops, &api.Op[HandshakeInput, HandshakeOutput]{
		Name: "DeclineHandshake", Authorize: on(handshakeTarget), Run: declineHandshake})
	CancelHandshake = api.Add(&ops, &api.Op[HandshakeInput, HandshakeOutput]{
		Name: "CancelHandshake", Authorize: on(handshakeTarget), Run: cancelHandshake})
	DescribeHandshake = api.Add(&ops, &api.Op[HandshakeInput, HandshakeOutput]{
		Name: "DescribeHandshake", Authorize: on(handshakeTarget), Run: describeHandshake})
	ListHandshakesForAccount = api.Add(&ops, &api.Op[ListHandshakesInput, HandshakesOutput]{
		Name: "ListHandshakesForAccount", Run: listHandshakesForAccount})
	ListHandshakesForOrganization = api.Add(&ops, &api.Op[ListHandshakesInput, HandshakesOutput]{
		Name: "ListHandshakesForOrganization", Run: listHandshakesForOrganization})
)

type InviteAccountToOrganizationInput struct {
	Target HandshakeParty
	Notes  string
}

// HandshakeInput is the input of the operations on one handshake.
type HandshakeInput struct {
	HandshakeId string
}

func handshakeTarget(in *HandshakeInput) target { return target{ids: []string{in.HandshakeId}} }

// ListHandshakesInput is the input of ListHandshakesForAccount and ListHandshakesForOrganization.
type ListHandshakesInput struct {
	Filter HandshakeFilter
	ListInput
}

type HandshakeFilter struct {
	ActionType string
}

// HandshakeParty is the API's HandshakeParty.
type HandshakeParty struct {
	Id   string
	Type string
}

// HandshakeResource is the API's HandshakeResource.
type HandshakeResource struct {
	Value     string
	Type      string
	Resources []HandshakeResource `json:",omitempty"`
}

// Handshake is the API's Handshake.
type Handshake struct {
	Id                  string
	Arn                 string
	Parties             []HandshakeParty
	State               string
	RequestedTimestamp  epoch
	ExpirationTimestamp epoch
	Action              string
	Resources           []HandshakeResource
}

// HandshakeOutput is the result of the operations on one handshake.
type HandshakeOutput struct {
	Handshake Handshake
}

type HandshakesOutput struct {
	Handshakes []Handshake
	Paged
}

func handshakeResourcesOf(rs []orgs.HandshakeResource) []HandshakeResource {
	if len(rs) == 0 {
		return nil
	}
	out := make([]HandshakeResource, len(rs))
	for i, r := range rs {
		out[i] = HandshakeResource{r.Value, r.Type, handshakeResourcesOf(r.Resources)}
	}
	return out
}

func handshakeOf(h *orgs.Handshake) Handshake {
	out := Handshake{Id: h.ID, Arn: h.Arn, State: h.State, RequestedTimestamp: epoch(h.RequestedTimestamp),
		ExpirationTimestamp: epoch(h.ExpirationTimestamp), Action: h.Action, Resources: handshakeResourcesOf(h.Resources)}
	for _, p := range h.Parties {
		out.Parties = append(out.Parties, HandshakeParty{p.ID, p.Type})
	}
	return out
}

func handshakeResult(h *orgs.Handshake, err error) (*HandshakeOutput, error) {
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{handshakeOf(h)}, nil
}

func handshakesOf(p orgs.Page[orgs.Handshake], err error) (*HandshakesOutput, error) {
	if err != nil {
		return nil, err
	}
	return &HandshakesOutput{Handshakes: each(p.Items, handshakeOf), Paged: PageOf(p)}, nil
}

func inviteAccountToOrganization(c *api.Call, in *InviteAccountToOrganizationInput) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.InviteAccountToOrganization(c.Ctx, c.Account(),
		orgs.HandshakeParty{ID: in.Target.Id, Type: in.Target.Type}, in.Notes))
}

func acceptHandshake(c *api.Call, in *HandshakeInput) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.AcceptHandshake(c.Ctx, c.Account(), in.HandshakeId))
}

func declineHandshake(c *api.Call, in *HandshakeInput) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.DeclineHandshake(c.Ctx, c.Account(), in.HandshakeId))
}

func cancelHandshake(c *api.Call, in *HandshakeInput) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.CancelHandshake(c.Ctx, c.Account(), in.HandshakeId))
}

func describeHandshake(c *api.Call, in *HandshakeInput) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.DescribeHandshake(c.Ctx, c.Account(), in.HandshakeId))
}

func listHandshakesForAccount(c *api.Call, in *ListHandshakesInput) (*HandshakesOutput, error) {
	return handshakesOf(c.Orgs.ListHandshakesForAccount(c.Ctx, c.Account(), in.Filter.ActionType, in.Opts()))
}

func listHandshakesForOrganization(c *api.Call, in *ListHandshakesInput) (*HandshakesOutput, error) {
	return handshakesOf(c.Orgs.ListHandshakesForOrganization(c.Ctx, c.Account(), in.Filter.ActionType, in.Opts()))
}

// EnableAllFeatures starts moving a consolidated-billing organization to all features
// (allfeatures.go in internal/orgs): the invited accounts approve, then the management account
// accepts the handshake this returns.
var EnableAllFeatures = api.Add(&ops, &api.Op[struct{}, HandshakeOutput]{
	Name: "EnableAllFeatures", Run: enableAllFeatures})

func enableAllFeatures(c *api.Call, _ *struct{}) (*HandshakeOutput, error) {
	return handshakeResult(c.Orgs.EnableAllFeatures(c.Ctx, c.Account()))
}
