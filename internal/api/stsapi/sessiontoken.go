package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/sts"
)

// GetSessionToken needs no permission, and a policy cannot refuse it: "No permissions are required
// for a user to get a session token. ... You cannot use policies to control authentication
// operations", and naming the action in a policy "has no effect" (IAM User Guide, "Permissions for
// GetSessionToken",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
// An explicit Deny of sts:GetSessionToken, in an identity policy or an SCP, therefore does not
// apply. Only a closed account's principals are refused, as on every call.
var GetSessionToken = api.Add(&ops, &api.Op[GetSessionTokenInput, SessionTokenOutput]{
	Name: "GetSessionToken", Authorize: authorizeAuthentication[GetSessionTokenInput], Run: getSessionToken})

// GetSessionTokenInput is GetSessionToken's request. DurationSeconds' model range is 900–129,600;
// the root user's maximum, 3,600, is internal/sts's rule.
type GetSessionTokenInput struct {
	DurationSeconds int `min:"900" max:"129600"`
	SerialNumber    string
	TokenCode       *string
}

// SessionTokenOutput is the result of GetSessionToken.
type SessionTokenOutput struct {
	Credentials Credentials `xml:"Credentials"`
}

// authorizeAuthentication lets any principal of an open account through, whatever its policies.
func authorizeAuthentication[In any](c *api.Call, _ *In) error {
	_, err := c.Authorizer().Input(&c.Request)
	return err
}

func getSessionToken(c *api.Call, in *GetSessionTokenInput) (*SessionTokenOutput, error) {
	sess, err := sts.UserSession(c.Caller, c.Now, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	if in.SerialNumber != "" || in.TokenCode != nil {
		if err := checkMFA(c, in.SerialNumber, deref(in.TokenCode)); err != nil {
			return nil, err
		}
		sts.WithMFA(sess)
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return &SessionTokenOutput{Credentials: credentialsOf(sess)}, nil
}

// checkMFA verifies an MFA code presented to STS by the caller (GetSessionToken, AssumeRole).
func checkMFA(c *api.Call, serial, code string) error {
	if serial == "" {
		return awsproto.MissingParam("SerialNumber")
	}
	if code == "" {
		return awsproto.MissingParam("TokenCode")
	}
	if err := sts.MFACaller(c.Caller); err != nil {
		return err
	}
	return c.MFAOutcome(c.IAM.CheckMFACode(c.Ctx, c.Action, c.Account(), c.Caller.UserName, serial, code, c.Now))
}
