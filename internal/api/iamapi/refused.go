package iamapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
)

// IAM operations Rootward answers with a documented refusal after authorizing them, each with
// the code the IAM API Reference gives for the state it reports:
//   - role templates (Role Manager) are not offered: AcquireRole and GetRoleTemplateVersion answer
//     RoleTemplateDisabled;
//   - temporary access delegation is an AWS partner programme that needs onboarding by AWS
//     (IAM User Guide, "Temporary delegation partner guide"); Rootward onboards no partner, so
//     there is never a delegation request: ListDelegationRequests answers an empty list, the
//     operations on one request answer NoSuchEntity, and creating one answers AccessDenied.
// Nothing is changed by any of them.

// RefusedInput takes whatever a refused operation's request carries; none of it is used.
type RefusedInput struct{}

func refuse(name string, err func() error) {
	add(&api.Op[RefusedInput, struct{}]{Name: name, Refused: true, Run: func(*api.Call, *RefusedInput) (*struct{}, error) { return nil, err() }})
}

func init() {
	templates := func() error {
		return awserr.New(awserr.RoleTemplateDisabled, "Role templates are not available: Rootward offers no Role Manager templates; create roles with CreateRole.")
	}
	for _, name := range []string{"AcquireRole", "GetRoleTemplateVersion"} {
		refuse(name, templates)
	}
	noRequest := func() error {
		return awserr.New(awserr.NoSuchEntity, "The delegation request does not exist: Rootward onboards no delegation partner, so it holds no delegation requests.")
	}
	for _, name := range []string{"GetDelegationRequest", "AcceptDelegationRequest", "RejectDelegationRequest", "UpdateDelegationRequest",
		"AssociateDelegationRequest", "SendDelegationToken"} {
		refuse(name, noRequest)
	}
	refuse("CreateDelegationRequest", func() error {
		return awserr.New(awserr.AccessDenied, "Only AWS partners onboarded for temporary access delegation may create delegation requests; Rootward onboards none.")
	})
}

// ListDelegationRequests answers the empty list: there are no delegation requests (see above).
var ListDelegationRequests = add(&api.Op[RefusedInput, DelegationRequestsOutput]{
	Name: "ListDelegationRequests",
	Run: func(*api.Call, *RefusedInput) (*DelegationRequestsOutput, error) {
		return &DelegationRequestsOutput{}, nil
	}})

// DelegationRequestsOutput is ListDelegationRequests' result: always empty here.
type DelegationRequestsOutput struct {
	DelegationRequests []struct{} `xml:"DelegationRequests>member"`
	Paged
}

// GetHumanReadableSummary summarizes an entity; the only entity type it supports is
// delegation-request (IAM API Reference, GetHumanReadableSummary). Rootward holds no delegation
// requests (see above), so a delegation request's ARN answers NoSuchEntity, and any other ARN
// InvalidInput (Rootward's wording: AWS's text is not documented).
var GetHumanReadableSummary = add(&api.Op[HumanReadableSummaryInput, struct{}]{
	Name: "GetHumanReadableSummary", Refused: true,
	Run: func(c *api.Call, in *HumanReadableSummaryInput) (*struct{}, error) {
		if strings.HasPrefix(in.EntityArn, arn.IAMServicePrefix) && strings.Contains(in.EntityArn, ":delegation-request/") {
			return nil, awserr.New(awserr.NoSuchEntity, "The delegation request %s does not exist: Rootward onboards no delegation partner, so it holds no delegation requests.", in.EntityArn)
		}
		return nil, awserr.New(awserr.InvalidInput, "The entity %s cannot be summarized: the only supported entity type is delegation-request.", in.EntityArn)
	}})

// HumanReadableSummaryInput is GetHumanReadableSummary's request.
type HumanReadableSummaryInput struct {
	EntityArn string `required:"true"`
	Locale    string
}
