package server

import (
	"net/http"

	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/orgs"
)

// Centralized root access: IAM's five Organizations root-management operations (awsQuery), and
// what IAM's operations do in a privileged root session (sts:AssumeRoot, internal/api/stsapi; IAM
// User Guide, "Centrally manage root access for member accounts" and "Perform a privileged task on
// an AWS Organizations member account").

// addRootAccessOps registers EnableOrganizationsRootCredentialsManagement,
// EnableOrganizationsRootSessions, their Disable counterparts and ListOrganizationsFeatures. They
// take no input and answer OrganizationId and EnabledFeatures (the features that are on afterwards).
func addRootAccessOps(ops map[string]*op) {
	result := func(ra *orgs.RootAccess, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return struct {
			OrganizationID  string   `xml:"OrganizationId"`
			EnabledFeatures []string `xml:"EnabledFeatures>member"`
		}{ra.OrganizationID, ra.EnabledFeatures}, nil
	}
	for _, f := range []struct{ op, feature string }{
		{"OrganizationsRootCredentialsManagement", orgs.FeatureRootCredentialsManagement},
		{"OrganizationsRootSessions", orgs.FeatureRootSessions},
	} {
		ops["Enable"+f.op] = &op{run: func(c *call) (any, error) {
			return result(c.s.orgs.SetRootAccessFeature(c.Ctx, c.Account(), f.feature, true))
		}}
		ops["Disable"+f.op] = &op{run: func(c *call) (any, error) {
			return result(c.s.orgs.SetRootAccessFeature(c.Ctx, c.Account(), f.feature, false))
		}}
	}
	ops["ListOrganizationsFeatures"] = &op{run: func(c *call) (any, error) {
		return result(c.s.orgs.ListOrganizationsFeatures(c.Ctx, c.Account()))
	}}
}

// RootCredentialDeletion reports what DeleteRootCredentials removed from a member's root user.
type RootCredentialDeletion = stsapi.RootCredentialDeletion

// DeleteRootCredentials is stsapi.DeleteRootCredentials, the console's "delete root credentials"
// action, on the server's runner.
func (s *Server) DeleteRootCredentials(r *http.Request, p Principal, member string) (*RootCredentialDeletion, error) {
	return stsapi.DeleteRootCredentials(s.runner, r, p, member)
}
