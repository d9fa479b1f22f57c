package iamapi

import (
	"github.com/rootward/rootward/internal/api"
)

// Outbound identity federation (internal/iam/outbound.go): an account turns it on and off and
// reads its issuer URL; while it is on, its principals get JWTs from sts:GetWebIdentityToken
// (internal/api/stsapi/outbound.go). Each is its IAM action on "*" (Service Authorization
// Reference, IAM: the actions name no resource type).

var EnableOutboundWebIdentityFederation = add(&api.Op[struct{}, OutboundEnableOutput]{
	Name: "EnableOutboundWebIdentityFederation",
	Run: func(c *api.Call, _ *struct{}) (*OutboundEnableOutput, error) {
		issuer, err := c.IAM.EnableOutboundFederation(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return &OutboundEnableOutput{IssuerIdentifier: issuer}, nil
	}})

// OutboundEnableOutput is EnableOutboundWebIdentityFederation's result.
type OutboundEnableOutput struct {
	IssuerIdentifier string `xml:"IssuerIdentifier"`
}

var DisableOutboundWebIdentityFederation = add(&api.Op[struct{}, struct{}]{
	Name: "DisableOutboundWebIdentityFederation",
	Run: func(c *api.Call, _ *struct{}) (*struct{}, error) {
		return nil, c.IAM.DisableOutboundFederation(c.Ctx, c.Account())
	}})

var GetOutboundWebIdentityFederationInfo = add(&api.Op[struct{}, OutboundInfoOutput]{
	Name: "GetOutboundWebIdentityFederationInfo",
	Run: func(c *api.Call, _ *struct{}) (*OutboundInfoOutput, error) {
		info, err := c.IAM.OutboundFederation(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return &OutboundInfoOutput{IssuerIdentifier: info.IssuerURL, JwtVendingEnabled: info.Enabled}, nil
	}})

// OutboundInfoOutput is GetOutboundWebIdentityFederationInfo's result.
type OutboundInfoOutput struct {
	IssuerIdentifier  string `xml:"IssuerIdentifier"`
	JwtVendingEnabled bool   `xml:"JwtVendingEnabled"`
}
