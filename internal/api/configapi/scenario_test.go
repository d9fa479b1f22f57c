package configapi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

const (
	rootPassword = "Quartz-Lantern-Meridian-4417!"
	hwSeed       = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

// TestRootComplianceScenario moves an account through the states of issue 13's "How it is
// checked" — no root MFA, a virtual device, a hardware token, a root access key created and
// deleted, and a member account whose root credentials were removed — and asserts AWS Config's
// compliance at each step.
func TestRootComplianceScenario(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	acct := e.Account.ID
	if err := e.Svc.SetRootPassword(context.Background(), acct, rootPassword); err != nil {
		t.Fatal(err)
	}
	e.put(t, c, "root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")
	e.put(t, c, "root-hw", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "")
	e.put(t, c, "root-key", "IAM_ROOT_ACCESS_KEY_CHECK", "")

	step := func(name string, want map[string]string) {
		t.Helper()
		got := ruleCompliance(t, c)
		for rule, w := range want {
			if got[rule] != w {
				t.Errorf("%s: DescribeComplianceByConfigRule %s = %s, want %s", name, rule, got[rule], w)
			}
			d := details(t, c, rule)[acct]
			if string(d.ComplianceType) != w || aws.ToString(d.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceType) != "AWS::::Account" ||
				aws.ToString(d.Annotation) == "" || !aws.ToTime(d.ResultRecordedTime).Equal(e.clk.Now().Truncate(time.Millisecond)) {
				t.Errorf("%s: GetComplianceDetailsByConfigRule %s = %+v, want %s of the account recorded now (%s) with evidence", name, rule, d, w, e.clk.Now())
			}
		}
	}
	all := []string{"root-mfa", "root-hw", "root-key"}

	e.evaluate(t, c, all...)
	step("no root MFA", map[string]string{"root-mfa": "NON_COMPLIANT", "root-hw": "NON_COMPLIANT", "root-key": "COMPLIANT"})

	virtual, _ := e.MFADevice(e.clk, "")
	e.evaluate(t, c, all...)
	step("virtual MFA", map[string]string{"root-mfa": "COMPLIANT", "root-hw": "NON_COMPLIANT", "root-key": "COMPLIANT"})

	now := e.clk.Now()
	bg := context.Background()
	if err := e.Svc.EnableHardwareMFADevice(bg, acct, "", "GAHT00000001", hwSeed, testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now)); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.DeactivateMFADevice(bg, acct, "", virtual); err != nil {
		t.Fatal(err)
	}
	e.evaluate(t, c, all...)
	step("hardware MFA", map[string]string{"root-mfa": "COMPLIANT", "root-hw": "COMPLIANT", "root-key": "COMPLIANT"})

	root := e.RootOf(acct)
	e.evaluate(t, c, all...)
	step("root key created", map[string]string{"root-mfa": "COMPLIANT", "root-hw": "COMPLIANT", "root-key": "NON_COMPLIANT"})

	// The root deletes its key through IAM: the change on the trail re-evaluates the account's
	// rules without StartConfigRulesEvaluation.
	keys, err := root.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("root ListAccessKeys = %+v, %v", keys, err)
	}
	e.clk.Advance(time.Second)
	if _, err := root.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	e.cfg.Wait()
	step("root key deleted", map[string]string{"root-mfa": "COMPLIANT", "root-hw": "COMPLIANT", "root-key": "COMPLIANT"})

	// A member account of an organization: the organization rules deploy ROOT_ACCOUNT_MFA_ENABLED
	// to it; with a root password and no MFA it is NON_COMPLIANT, and once its root credentials
	// are removed, NOT_APPLICABLE for the root MFA rules.
	admin := e.Admin()
	e.NewOrg(admin)
	member := e.CreateMember(admin, "member")
	if err := e.Svc.SetRootPassword(bg, member, rootPassword); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ name, id string }{{"org-root-mfa", "ROOT_ACCOUNT_MFA_ENABLED"}, {"org-root-hw", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED"}} {
		if _, err := c.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String(r.name),
			OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String(r.id)}}); err != nil {
			t.Fatalf("PutOrganizationConfigRule %s: %v", r.name, err)
		}
	}
	e.cfg.Wait()
	if _, err := c.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/aggregator"), AllAwsRegions: true}}); err != nil {
		t.Fatal(err)
	}
	memberCompliance := func(name string, want string) {
		t.Helper()
		out, err := c.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: aws.String("org"),
			Filters: &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(member)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AggregateComplianceByConfigRules) != 2 {
			t.Fatalf("%s: member's aggregate compliance = %d rules, want the 2 organization rules", name, len(out.AggregateComplianceByConfigRules))
		}
		for _, r := range out.AggregateComplianceByConfigRules {
			if string(r.Compliance.ComplianceType) != want || aws.ToString(r.AccountId) != member || aws.ToString(r.AwsRegion) != "us-east-1" {
				t.Errorf("%s: %s in the member = %s (%s, %s), want %s", name, aws.ToString(r.ConfigRuleName), r.Compliance.ComplianceType,
					aws.ToString(r.AccountId), aws.ToString(r.AwsRegion), want)
			}
		}
	}
	memberCompliance("member with a root password", "NON_COMPLIANT")

	if err := e.Svc.DeleteLoginProfile(bg, member, ""); err != nil {
		t.Fatal(err)
	}
	// The periodic pass re-evaluates the rules a day later (the member's removal happened outside
	// the API here, so no change is on the trail).
	e.clk.Advance(24 * time.Hour)
	e.cfg.PeriodicPass()
	e.cfg.Wait()
	// Back to the present, which the SDK signs requests with (the server refuses a signature
	// more than 15 minutes from its clock).
	e.clk.Advance(-24 * time.Hour)
	// AWS Config answers INSUFFICIENT_DATA for a rule whose evaluations are all NOT_APPLICABLE.
	memberCompliance("member whose root credentials were removed", "INSUFFICIENT_DATA")
	agg, err := c.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: aws.String("org"),
		Filters: &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(member)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range agg.AggregateComplianceByConfigRules {
		d, err := c.GetAggregateComplianceDetailsByConfigRule(ctx, &configservice.GetAggregateComplianceDetailsByConfigRuleInput{ConfigurationAggregatorName: aws.String("org"),
			ConfigRuleName: r.ConfigRuleName, AccountId: aws.String(member), AwsRegion: aws.String("us-east-1")})
		if err != nil || len(d.AggregateEvaluationResults) != 1 {
			t.Fatalf("GetAggregateComplianceDetailsByConfigRule %s = %+v, %v; want the member account's evaluation", aws.ToString(r.ConfigRuleName), d, err)
		}
		got := d.AggregateEvaluationResults[0]
		if got.ComplianceType != cfgtypes.ComplianceTypeNotApplicable || aws.ToString(got.AccountId) != member ||
			aws.ToString(got.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId) != member {
			t.Errorf("%s in the member = %+v, want NOT_APPLICABLE for account %s", aws.ToString(r.ConfigRuleName), got, member)
		}
	}
	// The management account keeps its own evaluations of the organization rules: COMPLIANT.
	out, err := c.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: aws.String("org"),
		Filters: &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(acct), ComplianceType: cfgtypes.ComplianceTypeCompliant}})
	if err != nil || len(out.AggregateComplianceByConfigRules) != 5 {
		t.Errorf("management account's COMPLIANT rules = %+v, %v; want its 3 rules and the 2 organization rules", out, err)
	}
	// Paged one rule at a time, across the two accounts, the aggregate view is the same rules in the
	// same order, each once (a page starts at its token's account, after its rule).
	whole, err := c.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: aws.String("org")})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, r := range whole.AggregateComplianceByConfigRules {
		want = append(want, aws.ToString(r.AccountId)+" "+aws.ToString(r.ConfigRuleName))
	}
	pages := configservice.NewDescribeAggregateComplianceByConfigRulesPaginator(c, &configservice.DescribeAggregateComplianceByConfigRulesInput{
		ConfigurationAggregatorName: aws.String("org"), Limit: 1})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.AggregateComplianceByConfigRules) > 1 {
			t.Fatalf("a page of Limit 1 holds %d rules", len(page.AggregateComplianceByConfigRules))
		}
		for _, r := range page.AggregateComplianceByConfigRules {
			got = append(got, aws.ToString(r.AccountId)+" "+aws.ToString(r.ConfigRuleName))
		}
	}
	if len(want) != 7 || !slices.Equal(got, want) {
		t.Errorf("paged aggregate compliance:\n got %q\nwant %q (the management account's 5 rules and the member's 2)", got, want)
	}
}
