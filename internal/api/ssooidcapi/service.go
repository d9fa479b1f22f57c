// Package ssooidcapi is IAM Identity Center's OIDC service, sso-oidc, over restJson1 (IAM Identity
// Center OIDC API Reference, https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/):
// RegisterClient, StartDeviceAuthorization and CreateToken with the device code and refresh token
// grants, the operations `aws sso login` and the SDKs' SSO token providers call. The HTTP
// bindings, member names and error shapes are aws-sdk-go-v2 service/ssooidc's model's. The rules
// are internal/portal's.
//
// The operations are unsigned, as in AWS (the SDK signs none of them): the client authenticates
// with its client secret, and every call is counted against its source address
// (portal.Service.Guard). Errors are OAuth 2.0 error responses: the shape's name, and "error" and
// "error_description" members (awserr.OIDCError).
package ssooidcapi

import (
	"errors"
	"net/http"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/portal"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns sso-oidc's descriptor ("sso-oauth" is its SigV4 signing name and CloudTrail
// event source, sso-oauth.amazonaws.com).
func Service() *api.Service {
	return &api.Service{
		Name: "sso-oauth", Protocol: awsproto.RestJSON1, Ops: ops, Unsigned: true,
		Codes: map[awserr.Code]awserr.Code{
			awserr.ValidationError: awserr.SSOInvalidRequest,
			awserr.Serialization:   awserr.SSOInvalidRequest,
		},
		InternalCode: awserr.OIDCInternalServer,
		Sensitive:    map[string]bool{"clientSecret": true, "deviceCode": true, "refreshToken": true, "code": true, "codeVerifier": true},
	}
}

// noAuthorization: the caller is authenticated by the operation (its client secret).
func noAuthorization[In any](*api.Call, *In) error { return nil }

var errNoPortal = errors.New("ssooidcapi: the server has no access portal")

// guarded runs fn for the call as portal.Service.Guard counts it; a throttled address is
// answered SlowDownException (AWS documents no throttling shape for sso-oidc; slow_down is the
// OAuth answer that tells a client to wait, RFC 8628 section 3.5 — Rootward's choice).
func guarded(c *api.Call, fn func(p *portal.Service) error) error {
	p := c.Portal
	if p == nil {
		return errNoPortal
	}
	return p.Guard(c.Ctx, c.SourceIP, func(err error) error {
		e, _ := awserr.As(err)
		out := awserr.OIDCError(awserr.OIDCSlowDown, http.StatusBadRequest, e.Message)
		return out
	}, func() error { return fn(p) })
}
