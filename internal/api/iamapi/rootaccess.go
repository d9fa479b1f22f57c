package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Centralized root access: the organization's features that let its management account (or
// delegated administrator) manage the members' root credentials and open privileged root sessions
// on them (IAM User Guide, "Centrally manage root access for member accounts"; IAM API Reference,
// EnableOrganizationsRootCredentialsManagement). None names a resource: each is authorized on "*".

var EnableOrganizationsRootCredentialsManagement = add(&api.Op[RootAccessInput, RootAccessOutput]{
	Name: "EnableOrganizationsRootCredentialsManagement", Run: setRootAccessFeature(orgs.FeatureRootCredentialsManagement, true)})

var DisableOrganizationsRootCredentialsManagement = add(&api.Op[RootAccessInput, RootAccessOutput]{
	Name: "DisableOrganizationsRootCredentialsManagement", Run: setRootAccessFeature(orgs.FeatureRootCredentialsManagement, false)})

var EnableOrganizationsRootSessions = add(&api.Op[RootAccessInput, RootAccessOutput]{
	Name: "EnableOrganizationsRootSessions", Run: setRootAccessFeature(orgs.FeatureRootSessions, true)})

var DisableOrganizationsRootSessions = add(&api.Op[RootAccessInput, RootAccessOutput]{
	Name: "DisableOrganizationsRootSessions", Run: setRootAccessFeature(orgs.FeatureRootSessions, false)})

var ListOrganizationsFeatures = add(&api.Op[RootAccessInput, RootAccessOutput]{
	Name: "ListOrganizationsFeatures", Run: listOrganizationsFeatures})

// RootAccessInput is the (empty) input of the root-access operations.
type RootAccessInput struct{}

// RootAccessOutput is the organization and the root-access features on after the call
// (RootCredentialsManagement and/or RootSessions).
type RootAccessOutput struct {
	OrganizationID  string   `xml:"OrganizationId"`
	EnabledFeatures []string `xml:"EnabledFeatures>member"`
}

func rootAccessOutput(ra *orgs.RootAccess, err error) (*RootAccessOutput, error) {
	if err != nil {
		return nil, err
	}
	return &RootAccessOutput{ra.OrganizationID, ra.EnabledFeatures}, nil
}

func setRootAccessFeature(feature string, enable bool) func(c *api.Call, _ *RootAccessInput) (*RootAccessOutput, error) {
	return func(c *api.Call, _ *RootAccessInput) (*RootAccessOutput, error) {
		return rootAccessOutput(c.Orgs.SetRootAccessFeature(c.Ctx, c.Account(), feature, enable))
	}
}

func listOrganizationsFeatures(c *api.Call, _ *RootAccessInput) (*RootAccessOutput, error) {
	return rootAccessOutput(c.Orgs.ListOrganizationsFeatures(c.Ctx, c.Account()))
}
