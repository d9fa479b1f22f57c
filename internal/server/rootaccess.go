package server

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
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

// rootSession reports whether the caller is a privileged root session.
func (c *call) rootSession() bool { return c.Caller.Session != nil && c.Caller.Session.AssumedRoot }

// allowRootRecovery is CreateLoginProfile without UserName in a privileged root session: it must
// come without a password, and allows the root user to recover one (task IAMCreateRootUserPassword).
func allowRootRecovery(c *call) (any, error) {
	if c.params.Has("Password") {
		return nil, awserr.New(awserr.InvalidInput, "In a privileged root session, CreateLoginProfile allows password recovery and takes no Password.")
	}
	lp, err := c.s.iam.AllowRootPasswordRecovery(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return loginProfileXML(lp), nil
}

// RootCredentialDeletion reports what DeleteRootCredentials removed from a member's root user.
type RootCredentialDeletion = stsapi.RootCredentialDeletion

// DeleteRootCredentials is stsapi.DeleteRootCredentials, the console's "delete root credentials"
// action, whose IAM steps run through invokeAs while IAM's operations are in the legacy table.
func (s *Server) DeleteRootCredentials(r *http.Request, p Principal, member string) (*RootCredentialDeletion, error) {
	return stsapi.DeleteRootCredentialsWith(s.runner, r, p, member, func(id *authz.Identity, action string, params awsproto.Params, out any) error {
		return s.invokeAs(r, id, "iam", action, params, out)
	})
}

// invokeAs runs an awsQuery operation as an already authenticated identity — here the privileged
// root session DeleteRootCredentials opened — along the path Invoke takes for console principals:
// authorization, the operation, its CloudTrail record and metrics. A non-nil out receives the
// result decoded as InvokeInto decodes it.
func (s *Server) invokeAs(r *http.Request, id *authz.Identity, service, action string, params awsproto.Params, out any) (err error) {
	c := s.legacyCall(r, service, action)
	c.Caller = id
	defer func() {
		if v := recover(); v != nil {
			err = s.runner.Recover(c.Call, v)
		}
		s.runner.Finish(c.Call, &err)
	}()
	res, moved, err := s.runMoved(c, service, action, params)
	if !moved {
		res, err = s.runLegacyAs(c, action, params)
	}
	if err != nil || out == nil || res == nil {
		return err
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		return err
	}
	return xml.Unmarshal(buf.Bytes(), out)
}

// runLegacyAs runs an operation of the legacy tables for c's caller.
func (s *Server) runLegacyAs(c *call, action string, params awsproto.Params) (any, error) {
	o := c.svc.ops[action]
	c.params = awsproto.Params{"Action": action}
	for k, v := range params {
		c.params[k] = v
	}
	if err := s.authorizeOp(c, o); err != nil {
		return nil, err
	}
	return o.run(c)
}
