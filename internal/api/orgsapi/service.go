// Package orgsapi is AWS Organizations over awsJson 1.1 (X-Amz-Target
// AWSOrganizationsV20161128.<Op>): one typed operation per API action, declared in the file of the
// entity it acts on (organization.go, accounts.go, ous.go, …). Member names and shapes follow the
// Organizations API Reference and aws-sdk-go-v2 service/organizations/types; timestamps are epoch
// seconds, the awsJson default. IAM authorizes organizations:<Op> first (so SCPs and identity
// policies apply, authz.go); internal/orgs then decides by the caller's account.
package orgsapi

import (
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/orgs"
)

// TargetPrefix is the X-Amz-Target prefix of Organizations' operations.
const TargetPrefix = "AWSOrganizationsV20161128"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns Organizations' descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "organizations", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix,
		// The generic codes raised below the service, renamed to Organizations' shape names, which
		// the SDKs match.
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.OrgsAccessDenied,
			awserr.ValidationError: awserr.OrgsInvalidInput,
		},
		InvalidPageToken: invalidPageToken,
		Ops:              ops,
	}
}

// invalidPageToken is the answer to a NextToken Rootward did not issue for the call:
// InvalidInputException with Reason INVALID_NEXT_TOKEN (the SDK's
// InvalidInputExceptionReasonInvalidPaginationToken).
func invalidPageToken() error {
	e := awserr.New(awserr.OrgsInvalidInput, "The specified pagination token is not valid.")
	e.Fields = map[string]string{"Reason": orgs.ReasonInvalidNextToken}
	return e
}

// ListInput is the paging members of Organizations' list operations, also of those that answer in
// one page: NextToken is the token of the page before (the Runner hands the operation the position
// inside it), MaxResults the page size, nil when absent (an explicit 0 is refused, an absent one
// means the default).
type ListInput struct {
	NextToken  string `page:"token"`
	MaxResults *int   `page:"size"`
}

// Validate checks MaxResults before anything is authorized: 1–20 on every list operation.
func (l ListInput) Validate() error {
	if l.MaxResults == nil {
		return nil
	}
	return orgs.CheckMaxResults(*l.MaxResults)
}

// Opts is the paging request for internal/orgs.
func (l ListInput) Opts() orgs.ListOpts {
	o := orgs.ListOpts{NextToken: l.NextToken, MaxResultsGiven: l.MaxResults != nil}
	if l.MaxResults != nil {
		o.MaxResults = *l.MaxResults
	}
	return o
}

// Paged is the tail of a list result: the position after the page, which the Runner seals into the
// token sent; absent on the last page.
type Paged struct {
	NextToken *string `json:",omitempty" page:"token"`
}

// PageOf is the tail of a page of results.
func PageOf[T any](p orgs.Page[T]) Paged {
	if p.NextToken == "" {
		return Paged{}
	}
	return Paged{NextToken: &p.NextToken}
}

// epoch is a timestamp in awsJson's default format: seconds since the epoch, a JSON number.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func epochPtr(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}

// each converts every item with f. The result is never nil: a list member is sent even when empty.
func each[T, U any](items []T, f func(*T) U) []U {
	out := make([]U, len(items))
	for i := range items {
		out[i] = f(&items[i])
	}
	return out
}
