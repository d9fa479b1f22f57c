// Package ssoapi is IAM Identity Center's portal API, sso, over restJson1 (IAM Identity Center
// Portal API Reference, https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/):
// ListAccounts, ListAccountRoles, GetRoleCredentials and Logout, which the SDKs' SSO credential
// providers and `aws sso` call with the access token sso-oidc's CreateToken issued, in the
// x-amz-sso_bearer_token header. The HTTP bindings, member names and error shapes are
// aws-sdk-go-v2 service/sso's model's; the rules are internal/portal's.
//
// The operations are unsigned, as in AWS ("awsssoportal" is the signing name the SDK would use;
// it signs none of them): the bearer token authenticates the user, and every call is counted
// against its source address (portal.Service.Guard, a throttled address answered
// TooManyRequestsException). Each call is recorded in CloudTrail in the account of the user's
// Identity Center instance, event source sso.amazonaws.com.
package ssoapi

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/portal"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns the portal API's descriptor.
func Service() *api.Service {
	return &api.Service{
		Name: "awsssoportal", Protocol: awsproto.RestJSON1, Ops: ops, Unsigned: true,
		Codes: map[awserr.Code]awserr.Code{
			awserr.ValidationError: awserr.SSOInvalidRequest,
			awserr.Serialization:   awserr.SSOInvalidRequest,
		},
		InternalCode: awserr.SSOInternalServerError,
		Sensitive:    map[string]bool{"accessToken": true},
	}
}

// noAuthorization: the caller is authenticated by the operation (its bearer token).
func noAuthorization[In any](*api.Call, *In) error { return nil }

var errNoPortal = errors.New("ssoapi: the server has no access portal")

// tooMany is the portal API's throttling answer: TooManyRequestsException, HTTP 429.
func tooMany(err error) error {
	e, _ := awserr.As(err)
	return &awserr.Error{Code: awserr.SSOTooManyRequests, Message: e.Message, Status: http.StatusTooManyRequests}
}

// authenticated runs fn for the user of the call's bearer token, counted per source address, and
// records the call (name, its serviceEventDetails, its outcome) in CloudTrail. A call whose token
// does not authenticate is recorded nowhere: no account is known to record it in.
func authenticated(c *api.Call, token, name string, details map[string]any, fn func(p *portal.Service, u *portal.User) error) error {
	p := c.Portal
	if p == nil {
		return errNoPortal
	}
	return p.Guard(c.Ctx, c.SourceIP, tooMany, func() error {
		u, err := p.TokenUser(c.Ctx, token)
		if err != nil {
			return err
		}
		ferr := fn(p, u)
		code, msg := "", ""
		if e, ok := awserr.As(ferr); ok {
			code, msg = string(e.Code), e.Message
		} else if ferr != nil {
			code = string(awserr.SSOInternalServerError)
		}
		call := callOf(c)
		call.CredentialID = portal.CredentialID(token)
		if rerr := p.PortalEvent(u, call, name, details, code, msg); rerr != nil {
			return rerr
		}
		return ferr
	})
}

// pageOf returns the items of a listing after the opaque token next (the last key of the
// previous page), at most max (default and cap 100), and the token of the page after it.
func pageOf[T any](items []T, key func(T) string, next string, max *int) ([]T, string, error) {
	n := 100
	if max != nil && *max > 0 && *max < n {
		n = *max
	}
	start := 0
	if next != "" {
		after, err := base64.RawURLEncoding.DecodeString(next)
		if err != nil || len(after) == 0 {
			return nil, "", awserr.New(awserr.SSOInvalidRequest, "Invalid next token.")
		}
		start = len(items)
		for i, it := range items {
			if key(it) > string(after) {
				start = i
				break
			}
		}
	}
	items = items[start:]
	if len(items) <= n {
		return items, "", nil
	}
	return items[:n], base64.RawURLEncoding.EncodeToString([]byte(key(items[n-1]))), nil
}

// callOf is what the portal's CloudTrail records say of the call.
func callOf(c *api.Call) portal.Call {
	return portal.Call{SourceIP: c.SourceIP, UserAgent: c.HTTP.UserAgent(), RequestID: c.RequestID}
}
