// Package securityhubapi is AWS Security Hub over restJson1 (Security Hub API Reference,
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/): the hub (hub.go), the standards and
// controls (standards.go) and the findings (findings.go), with the HTTP bindings, member names and
// shapes of aws-sdk-go-v2 service/securityhub's model. The rules are internal/securityhub's.
//
// Authorization: each action is securityhub:<Operation> on the caller's hub,
// arn:aws:securityhub:REGION:ACCOUNT:hub/default, as the Service Authorization Reference gives the
// hub as their resource ("Actions, resources, and condition keys for AWS Security Hub",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html);
// EnableSecurityHub with aws:RequestTag/* and aws:TagKeys of its Tags, BatchUpdateFindings with
// securityhub:ASFFSyntaxPath/<field> for each field it updates (Security Hub User Guide,
// "Configuring access to BatchUpdateFindings"). A refusal is AccessDeniedException, HTTP 403.
package securityhubapi

import (
	"maps"
	"slices"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/securityhub"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns Security Hub's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "securityhub", Protocol: awsproto.RestJSON1, Ops: ops,
		// Security Hub answers every invalid input, malformed JSON included, with
		// InvalidInputException.
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.SecurityHubAccessDenied,
			awserr.ValidationError: awserr.SecurityHubInvalidInput,
			awserr.Serialization:   awserr.SecurityHubInvalidInput,
		},
		InternalCode:     awserr.SecurityHubInternal,
		InvalidPageToken: func() error { return awserr.New(awserr.SecurityHubInvalidInput, "Invalid NextToken.") },
	}
}

// hub is the Security Hub service of the call; an internal error when the server has none.
func hub(c *api.Call) (*securityhub.Service, error) {
	return api.Wired(c.SecurityHub, "Security Hub service")
}

// HubARN is the caller's hub in the call's Region.
func HubARN(c *api.Call) string { return arn.SecurityHub(c.Region, c.Account(), "hub/default") }

// authorize authorizes securityhub:<Action> on the caller's hub with the keys keysOf returns
// (nil: none). A refusal is Security Hub's AccessDeniedException with HTTP 403.
func authorize[In any](keysOf func(in *In) map[string][]string) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		c.Resource = HubARN(c)
		var keys func(ctx *policy.Context)
		if keysOf != nil {
			kv := keysOf(in)
			keys = func(ctx *policy.Context) {
				for _, k := range slices.Sorted(maps.Keys(kv)) {
					ctx.Set(k, kv[k]...)
				}
			}
		}
		return api.Forbidden(c.Authorize(c.Service+":"+c.Action, c.Resource, keys))
	}
}

// Empty is the output of operations that answer an empty object.
type Empty struct{}

// invalid is InvalidInputException.
func invalid(format string, args ...any) error {
	return awserr.New(awserr.SecurityHubInvalidInput, format, args...)
}

// pageSize checks MaxResults (1–100) and returns the page size (100 when not given).
func pageSize(max *int) (int, error) {
	if max == nil {
		return securityhub.MaxResults, nil
	}
	if *max < 1 || *max > securityhub.MaxResults {
		return 0, awsproto.Invalid("MaxResults", strconv.Itoa(*max), "Member must have value between 1 and 100")
	}
	return *max, nil
}

// offsetPage returns the page of n items from the position token (an offset; "" for the first) and
// the position after it ("" when none follow).
func offsetPage(n int, token string, size int) (from, to int, next string, err error) {
	if token != "" {
		if from, err = strconv.Atoi(token); err != nil || from < 0 {
			return 0, 0, "", invalid("Invalid NextToken.")
		}
	}
	from = min(from, n)
	to = min(from+size, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}
