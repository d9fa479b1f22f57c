// Package mpaapi is Multi-party approval over restJson1 (Multi-party approval API Reference,
// https://docs.aws.amazon.com/mpa/latest/APIReference/Welcome.html): identity sources, approval
// teams, the policies Rootward publishes (one per protected operation), sessions and tags, with the
// HTTP bindings, member names and shapes of aws-sdk-go-v2 service/mpa's model. The rules are
// internal/mpa's.
//
// Authorization: each action is mpa:<Operation> on the resource it names (Service Authorization
// Reference, "Actions, resources, and condition keys for AWS Multi-party approval",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsmulti-partyapproval.html):
// an approval team (arn:aws:mpa:REGION:ACCOUNT:approval-team/ID), an identity source, a session;
// the creations, the lists of the account and the policies on "*". A refusal is
// AccessDeniedException, HTTP 403.
//
// Gate (gate.go) is the protected operations' check, which the runner asks before every operation
// runs (api.Deps.Approval).
package mpaapi

import (
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns Multi-party approval's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "mpa", Protocol: awsproto.RestJSON1, Ops: ops,
		Codes: map[awserr.Code]awserr.Code{
			awserr.ValidationError: awserr.MPAValidation,
			awserr.Serialization:   awserr.MPAValidation,
			awserr.Throttling:      awserr.MPAThrottling,
		},
		InternalCode: awserr.MPAInternalServer,
		// Rootward's choice: AWS does not document the message of a token it did not issue.
		InvalidPageToken: func() error { return awserr.New(awserr.MPAValidation, "The NextToken is not valid.") },
	}
}

// svc is the Multi-party approval service of the call; an internal error when the server has none.
func svc(c *api.Call) (*mpa.Service, error) { return api.Wired(c.MPA, "Multi-party approval service") }

// on authorizes mpa:<Action> on the resource resource returns (nil: "*"); a refusal is
// AccessDeniedException with HTTP 403.
func on[In any](resource func(c *api.Call, in *In) string) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		c.Resource = "*"
		if resource != nil {
			c.Resource = resource(c, in)
		}
		return api.Forbidden(c.Authorize(c.Service+":"+c.Action, c.Resource, nil))
	}
}

// timeFormat is the wire form of times: restJson1's default timestamp format, date-time.
const timeFormat = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// Empty is the output of operations that answer an empty object.
type Empty struct{}

// requester is the call's caller as a session's requester.
func requester(c *api.Call) mpa.Requester {
	return mpa.Requester{Account: c.Account(), ARN: c.Caller.ARN, Region: c.Region, Comment: reason(c)}
}

// ReasonHeader carries a requester's reason for a protected operation (Rootward's header: AWS's
// protected operations take their reason from the service's own request, which IAM's and STS's
// do not have). It is shown to approvers, not trusted for anything.
const ReasonHeader = "X-Rootward-Approval-Reason"

func reason(c *api.Call) string {
	if c.HTTP == nil {
		return ""
	}
	r := c.HTTP.Header.Get(ReasonHeader)
	if len(r) > 1000 {
		r = r[:1000]
	}
	return r
}

// pageSize is MaxResults, 20 when absent.
func pageSize(n *int) int {
	if n == nil {
		return 20
	}
	return *n
}

// Strategy is the ApprovalStrategy union (MofN only).
type Strategy struct {
	MofN *MofN `json:"MofN,omitempty"`
}

// MofN is MofNApprovalStrategy.
type MofN struct {
	MinApprovalsRequired *int `json:"MinApprovalsRequired,omitempty"`
}

// paged maps a page's items with f, and answers the page's NextToken ("" on the last page).
func paged[T, O any](p store.Page[T], f func(T) O) ([]O, string) {
	out := make([]O, 0, len(p.Items))
	for _, it := range p.Items {
		out = append(out, f(it))
	}
	if p.Truncated {
		return out, p.Last
	}
	return out, ""
}
