package orgsapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/orgsapi"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// listCall calls one list operation with the given paging members (nil: absent).
type listCall func(ctx context.Context, c *organizations.Client, token *string, size *int32) error

// listOps calls every list operation of Organizations; the IDs are well-formed but name nothing,
// which paging checks never reach.
var listOps = map[string]listCall{
	"ListAccounts": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListAccountsForParent": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("r-abcd"), NextToken: tok, MaxResults: n})
		return err
	},
	"ListAWSServiceAccessForOrganization": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListChildren": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String("r-abcd"), ChildType: otypes.ChildTypeAccount, NextToken: tok, MaxResults: n})
		return err
	},
	"ListCreateAccountStatus": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListDelegatedAdministrators": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListDelegatedServicesForAccount": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String("123456789012"), NextToken: tok, MaxResults: n})
		return err
	},
	"ListHandshakesForAccount": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListHandshakesForOrganization": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListOrganizationalUnitsForParent": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("r-abcd"), NextToken: tok, MaxResults: n})
		return err
	},
	"ListParents": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("123456789012"), NextToken: tok, MaxResults: n})
		return err
	},
	"ListPolicies": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeServiceControlPolicy, NextToken: tok, MaxResults: n})
		return err
	},
	"ListPoliciesForTarget": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String("r-abcd"), Filter: otypes.PolicyTypeServiceControlPolicy, NextToken: tok, MaxResults: n})
		return err
	},
	"ListRoots": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListRoots(ctx, &organizations.ListRootsInput{NextToken: tok, MaxResults: n})
		return err
	},
	"ListTagsForResource": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		// Its input has no MaxResults (API Reference, ListTagsForResource): only NextToken is sent.
		_, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String("r-abcd"), NextToken: tok})
		return err
	},
	"ListEffectivePolicyValidationErrors": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{AccountId: aws.String("123456789012"),
			PolicyType: otypes.EffectivePolicyTypeTagPolicy, NextToken: tok, MaxResults: n})
		return err
	},
	"ListAccountsWithInvalidEffectivePolicy": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListAccountsWithInvalidEffectivePolicy(ctx, &organizations.ListAccountsWithInvalidEffectivePolicyInput{
			PolicyType: otypes.EffectivePolicyTypeTagPolicy, NextToken: tok, MaxResults: n})
		return err
	},
	"ListTargetsForPolicy": func(ctx context.Context, c *organizations.Client, tok *string, n *int32) error {
		_, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-abcdefgh"), NextToken: tok, MaxResults: n})
		return err
	},
}

// TestOrganizationsListPaging: every list operation, also one that answers in one page, refuses a
// MaxResults outside 1–20 before authorization (a caller allowed nothing is told about the page
// size, not denied), and a NextToken Rootward did not issue for the call.
func TestOrganizationsListPaging(t *testing.T) {
	t.Parallel()
	var names []string
	// The responsibility-transfer lists are refused whole (refused.go), paging and all.
	refused := map[string]bool{"ListInboundResponsibilityTransfers": true, "ListOutboundResponsibilityTransfers": true}
	for _, o := range orgsapi.Service().Ops {
		if name := api.OpName(o); strings.HasPrefix(name, "List") && !refused[name] {
			names = append(names, name)
			if listOps[name] == nil {
				t.Errorf("list operation %s has no case here", name)
			}
		}
	}
	if len(names) != len(listOps) {
		t.Errorf("%d list operations, %d cases", len(names), len(listOps))
	}
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	nobody := e.UserIn(e.Account.ID, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	for _, name := range names {
		call := listOps[name]
		if call == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if name != "ListTagsForResource" {
				servertest.WantReason(t, call(ctx, nobody.Orgs, nil, aws.Int32(0)), "InvalidInputException", "MIN_VALUE_EXCEEDED")
				servertest.WantReason(t, call(ctx, nobody.Orgs, nil, aws.Int32(21)), "InvalidInputException", "MAX_VALUE_EXCEEDED")
			}
			testutil.WantCode(t, call(ctx, nobody.Orgs, nil, aws.Int32(20)), "AccessDeniedException")
			servertest.WantReason(t, call(ctx, m.Orgs, aws.String("bm90LWEtdG9rZW4"), nil), "InvalidInputException", "INVALID_NEXT_TOKEN")
		})
	}
}
