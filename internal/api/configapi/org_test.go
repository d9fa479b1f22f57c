package configapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestOrganizationConfigRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	put := func(c *configservice.Client, name string, excluded ...string) error {
		_, err := c.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String(name),
			OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String("ROOT_ACCOUNT_MFA_ENABLED")},
			ExcludedAccounts:                excluded})
		return err
	}
	testutil.WantCode(t, put(c, "root-mfa"), "NoAvailableOrganizationException")

	admin := e.Admin()
	e.NewOrg(admin)
	m1, m2 := e.CreateMember(admin, "member-one"), e.CreateMember(admin, "member-two")
	// An administrator of member-one (UserIn keeps its key's secret to itself: a second key).
	e.UserIn(m1, "config-admin", "")
	k, err := e.Svc.CreateAccessKey(ctx, m1, "config-admin")
	if err != nil {
		t.Fatal(err)
	}
	memberClient := e.clientOf(k.AccessKeyID, k.Secret, "")
	testutil.WantCode(t, put(memberClient, "root-mfa"), "OrganizationAccessDeniedException")

	if err := put(c, "root-mfa", m2); err != nil {
		t.Fatal(err)
	}
	e.cfg.Wait()
	// Trusted access for config-multiaccountsetup.amazonaws.com was enabled by the put.
	sa, err := admin.Orgs.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	enabled := false
	for _, s := range sa.EnabledServicePrincipals {
		enabled = enabled || aws.ToString(s.ServicePrincipal) == "config-multiaccountsetup.amazonaws.com"
	}
	if !enabled {
		t.Errorf("trusted access after PutOrganizationConfigRule = %+v, want config-multiaccountsetup.amazonaws.com", sa.EnabledServicePrincipals)
	}

	d, err := c.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{})
	if err != nil || len(d.OrganizationConfigRules) != 1 {
		t.Fatalf("DescribeOrganizationConfigRules = %+v, %v", d, err)
	}
	o := d.OrganizationConfigRules[0]
	if !strings.HasPrefix(aws.ToString(o.OrganizationConfigRuleArn), "arn:aws:config:us-east-1:"+e.Account.ID+":organization-config-rule/root-mfa-") ||
		aws.ToString(o.OrganizationManagedRuleMetadata.RuleIdentifier) != "ROOT_ACCOUNT_MFA_ENABLED" || len(o.ExcludedAccounts) != 1 {
		t.Errorf("organization rule = %+v", o)
	}
	st, err := c.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{OrganizationConfigRuleName: aws.String("root-mfa")})
	if err != nil {
		t.Fatal(err)
	}
	byAccount := map[string]cfgtypes.MemberAccountStatus{}
	for _, m := range st.OrganizationConfigRuleDetailedStatus {
		byAccount[aws.ToString(m.AccountId)] = m
	}
	if len(byAccount) != 2 || byAccount[m1].MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateSuccessful ||
		byAccount[e.Account.ID].MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateSuccessful {
		t.Fatalf("detailed status = %+v, want CREATE_SUCCESSFUL in the management account and member-one, none in the excluded member-two", byAccount)
	}
	memberRule := aws.ToString(byAccount[m1].ConfigRuleName)
	if !strings.HasPrefix(memberRule, "OrgConfigRule-root-mfa-") {
		t.Errorf("member rule name = %q, want OrgConfigRule-root-mfa-…", memberRule)
	}
	statuses, err := c.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{})
	if err != nil || len(statuses.OrganizationConfigRuleStatuses) != 1 || statuses.OrganizationConfigRuleStatuses[0].OrganizationRuleStatus != cfgtypes.OrganizationRuleStatusCreateSuccessful {
		t.Errorf("DescribeOrganizationConfigRuleStatuses = %+v, %v", statuses, err)
	}

	// The member sees the deployed rule, CreatedBy the service, and may not delete it.
	mr, err := memberClient.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{memberRule}})
	if err != nil || len(mr.ConfigRules) != 1 || aws.ToString(mr.ConfigRules[0].CreatedBy) != "config-multiaccountsetup.amazonaws.com" {
		t.Fatalf("member's rule = %+v, %v", mr, err)
	}
	_, err = memberClient.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(memberRule)})
	testutil.WantCode(t, err, "InsufficientPermissionsException")
	_, err = memberClient.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{})
	testutil.WantCode(t, err, "OrganizationAccessDeniedException")

	// Updating without the exclusion deploys to member-two (an update elsewhere).
	if err := put(c, "root-mfa"); err != nil {
		t.Fatal(err)
	}
	e.cfg.Wait()
	st, err = c.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{OrganizationConfigRuleName: aws.String("root-mfa"),
		Filters: &cfgtypes.StatusDetailFilters{MemberAccountRuleStatus: cfgtypes.MemberAccountRuleStatusUpdateSuccessful}})
	if err != nil || len(st.OrganizationConfigRuleDetailedStatus) != 2 {
		t.Errorf("UPDATE_SUCCESSFUL accounts = %+v, %v; want the management account and member-one", st, err)
	}

	if _, err := c.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("root-mfa")}); err != nil {
		t.Fatal(err)
	}
	_, err = memberClient.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{memberRule}})
	testutil.WantCode(t, err, "NoSuchConfigRuleException")
	_, err = c.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("root-mfa")})
	testutil.WantCode(t, err, "NoSuchOrganizationConfigRuleException")

	// Aggregators: account sources are refused, an organization source is kept.
	_, err = c.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("acc"),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{m1}, AllAwsRegions: true}}})
	testutil.WantCode(t, err, "InvalidParameterValueException")
	_, err = c.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + e.Account.ID + ":role/agg")}})
	testutil.WantCode(t, err, "InvalidParameterValueException")
	out, err := c.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + e.Account.ID + ":role/agg"), AwsRegions: []string{"us-east-1"}}})
	if err != nil || !strings.HasPrefix(aws.ToString(out.ConfigurationAggregator.ConfigurationAggregatorArn), "arn:aws:config:us-east-1:"+e.Account.ID+":config-aggregator/config-aggregator-") {
		t.Fatalf("PutConfigurationAggregator = %+v, %v", out, err)
	}
	aggs, err := c.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
	if err != nil || len(aggs.ConfigurationAggregators) != 1 {
		t.Fatalf("DescribeConfigurationAggregators = %+v, %v", aggs, err)
	}
	if _, err := c.DeleteConfigurationAggregator(ctx, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: aws.String("org")})
	testutil.WantCode(t, err, "NoSuchConfigurationAggregatorException")
}

// TestOrganizationRuleReachesNewAccounts: an account created after the organization rule gets
// the rule on the management account's next change (its CreateAccount on the trail).
func TestOrganizationRuleReachesNewAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	admin := e.Admin()
	e.NewOrg(admin)
	if _, err := c.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("root-key"),
		OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String("IAM_ROOT_ACCESS_KEY_CHECK")}}); err != nil {
		t.Fatal(err)
	}
	late := e.CreateMember(admin, "late")
	e.cfg.Wait()
	st, err := c.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{OrganizationConfigRuleName: aws.String("root-key"),
		Filters: &cfgtypes.StatusDetailFilters{AccountId: aws.String(late)}})
	if err != nil || len(st.OrganizationConfigRuleDetailedStatus) != 1 || st.OrganizationConfigRuleDetailedStatus[0].MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateSuccessful {
		t.Fatalf("the late account's status = %+v, %v; want CREATE_SUCCESSFUL", st, err)
	}
}
