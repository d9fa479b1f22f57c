package configapi_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestAggregateCompliancePages walks DescribeAggregateComplianceByConfigRules page by page (Limit
// 1, 2 and 3) over an organization of five accounts, one of them closed after the organization
// rules reached it, without a filter and with each filter: the pages joined are what one call
// answers, in its order, and no rule of the closed account (no longer a source) is among them; its
// details answer no evaluation.
func TestAggregateCompliancePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	admin := e.Admin()
	e.NewOrg(admin)
	var members []string
	for i := range 4 {
		members = append(members, e.CreateMember(admin, fmt.Sprintf("member-%d", i)))
	}
	for _, r := range []struct{ name, id string }{{"root-mfa", "ROOT_ACCOUNT_MFA_ENABLED"}, {"root-keys", "IAM_ROOT_ACCESS_KEY_CHECK"}} {
		if _, err := c.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String(r.name),
			OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String(r.id)}}); err != nil {
			t.Fatal(err)
		}
	}
	e.cfg.Wait()
	closed := members[1]
	if _, err := admin.Orgs.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(closed)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + e.Account.ID + ":role/aggregator"), AllAwsRegions: true}}); err != nil {
		t.Fatal(err)
	}
	list := func(filters *cfgtypes.ConfigRuleComplianceFilters, limit int32) []string {
		t.Helper()
		var out []string
		pages := configservice.NewDescribeAggregateComplianceByConfigRulesPaginator(c, &configservice.DescribeAggregateComplianceByConfigRulesInput{
			ConfigurationAggregatorName: aws.String("org"), Filters: filters, Limit: limit})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if limit > 0 && len(page.AggregateComplianceByConfigRules) > int(limit) {
				t.Fatalf("a page of Limit %d holds %d rules", limit, len(page.AggregateComplianceByConfigRules))
			}
			for _, r := range page.AggregateComplianceByConfigRules {
				out = append(out, aws.ToString(r.AccountId)+" "+aws.ToString(r.ConfigRuleName)+" "+string(r.Compliance.ComplianceType))
			}
		}
		return out
	}
	whole := list(nil, 0)
	accounts := map[string]bool{}
	for _, r := range whole {
		accounts[r[:12]] = true
	}
	if accounts[closed] || len(accounts) != 4 {
		t.Errorf("accounts in the aggregate view = %v; want the management account and the 3 open members, not the closed %s", accounts, closed)
	}
	for _, tc := range []struct {
		name    string
		filters *cfgtypes.ConfigRuleComplianceFilters
	}{
		{"no filter", nil},
		{"AccountId", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(members[2])}},
		{"AccountId of the closed account", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(closed)}},
		{"ComplianceType NON_COMPLIANT", &cfgtypes.ConfigRuleComplianceFilters{ComplianceType: cfgtypes.ComplianceTypeNonCompliant}},
		{"AwsRegion", &cfgtypes.ConfigRuleComplianceFilters{AwsRegion: aws.String("us-east-1")}},
	} {
		want := list(tc.filters, 0)
		for _, limit := range []int32{1, 2, 3} {
			t.Run(fmt.Sprintf("%s Limit %d", tc.name, limit), func(t *testing.T) {
				if got := list(tc.filters, limit); !slices.Equal(got, want) {
					t.Errorf("pages joined:\n got %q\nwant %q", got, want)
				}
			})
		}
		if tc.filters == nil {
			continue
		}
		// What one call answers is the unfiltered view filtered.
		var filtered []string
		for _, r := range whole {
			if (tc.filters.AccountId == nil || r[:12] == *tc.filters.AccountId) &&
				(tc.filters.ComplianceType == "" || r[len(r)-len(tc.filters.ComplianceType):] == string(tc.filters.ComplianceType)) {
				filtered = append(filtered, r)
			}
		}
		if !slices.Equal(want, filtered) {
			t.Errorf("%s: %q, want the unfiltered view filtered: %q", tc.name, want, filtered)
		}
	}
	d, err := c.GetAggregateComplianceDetailsByConfigRule(ctx, &configservice.GetAggregateComplianceDetailsByConfigRuleInput{ConfigurationAggregatorName: aws.String("org"),
		ConfigRuleName: aws.String("root-mfa"), AccountId: aws.String(closed), AwsRegion: aws.String("us-east-1")})
	if err != nil || len(d.AggregateEvaluationResults) != 0 {
		t.Errorf("details in the closed account = %+v, %v; want none", d, err)
	}
}
