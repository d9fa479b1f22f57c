package configapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestComplianceQueriesPage evaluates a per-user rule over several users and pages through the
// queries by rule and by resource.
func TestComplianceQueriesPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	bg := context.Background()
	if err := e.Svc.SetRootPassword(bg, e.Account.ID, rootPassword); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		name := fmt.Sprintf("user-%d", i)
		if _, err := e.Svc.CreateUser(bg, e.Account.ID, iam.CreateUserInput{UserName: name}); err != nil {
			t.Fatal(err)
		}
	}
	e.put(t, c, "no-policies", "IAM_USER_NO_POLICIES_CHECK", "")
	e.put(t, c, "root-key", "IAM_ROOT_ACCESS_KEY_CHECK", "")

	// The admin user has a policy attached: NON_COMPLIANT; the four others COMPLIANT.
	var all []cfgtypes.EvaluationResult
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("no-policies"),
			Limit: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) > 2 {
			t.Fatalf("page of %d results, want at most 2", len(out.EvaluationResults))
		}
		all = append(all, out.EvaluationResults...)
		if token = out.NextToken; token == nil {
			break
		}
		if pages > 5 {
			t.Fatal("no end to the pages")
		}
	}
	counts := map[cfgtypes.ComplianceType]int{}
	for _, r := range all {
		counts[r.ComplianceType]++
		if q := r.EvaluationResultIdentifier.EvaluationResultQualifier; aws.ToString(q.ResourceType) != "AWS::IAM::User" || q.EvaluationMode != cfgtypes.EvaluationModeDetective {
			t.Errorf("qualifier = %+v, want an IAM user, DETECTIVE", q)
		}
	}
	if len(all) != 5 || counts[cfgtypes.ComplianceTypeNonCompliant] != 1 || counts[cfgtypes.ComplianceTypeCompliant] != 4 {
		t.Fatalf("GetComplianceDetailsByConfigRule pages = %d results %v, want 5: 1 NON_COMPLIANT, 4 COMPLIANT", len(all), counts)
	}
	nc, err := c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("no-policies"),
		ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNonCompliant}})
	if err != nil || len(nc.EvaluationResults) != 1 {
		t.Fatalf("NON_COMPLIANT results = %+v, %v; want the admin", nc, err)
	}
	adminID := aws.ToString(nc.EvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId)

	rc, err := c.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{"no-policies"}})
	if err != nil || len(rc.ComplianceByConfigRules) != 1 {
		t.Fatalf("DescribeComplianceByConfigRule = %+v, %v", rc, err)
	}
	if got := rc.ComplianceByConfigRules[0].Compliance; got.ComplianceType != cfgtypes.ComplianceTypeNonCompliant ||
		got.ComplianceContributorCount == nil || got.ComplianceContributorCount.CappedCount != 1 {
		t.Errorf("rule compliance = %+v, want NON_COMPLIANT with 1 contributor", got)
	}
	onlyCompliant, err := c.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{
		ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeCompliant}})
	if err != nil || len(onlyCompliant.ComplianceByConfigRules) != 1 || aws.ToString(onlyCompliant.ComplianceByConfigRules[0].ConfigRuleName) != "root-key" {
		t.Errorf("COMPLIANT rules = %+v, %v; want root-key", onlyCompliant, err)
	}

	// By resource: the account and five users, paged by 4.
	var resources []cfgtypes.ComplianceByResource
	p := configservice.NewDescribeComplianceByResourcePaginator(c, &configservice.DescribeComplianceByResourceInput{Limit: 4})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, out.ComplianceByResources...)
	}
	if len(resources) != 6 {
		t.Fatalf("DescribeComplianceByResource = %d resources, want the account and 5 users", len(resources))
	}
	users, err := c.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{ResourceType: aws.String("AWS::IAM::User"),
		ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNonCompliant}})
	if err != nil || len(users.ComplianceByResources) != 1 || aws.ToString(users.ComplianceByResources[0].ResourceId) != adminID {
		t.Errorf("NON_COMPLIANT users = %+v, %v; want the admin %s", users, err, adminID)
	}
	byRes, err := c.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceType: aws.String("AWS::::Account"),
		ResourceId: aws.String(e.Account.ID)})
	if err != nil || len(byRes.EvaluationResults) != 1 || aws.ToString(byRes.EvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ConfigRuleName) != "root-key" {
		t.Errorf("GetComplianceDetailsByResource(account) = %+v, %v; want root-key's evaluation", byRes, err)
	}

	// A deleted user's evaluations are removed at the next evaluation.
	if err := e.Svc.DeleteUser(bg, e.Account.ID, "user-0"); err != nil {
		t.Fatal(err)
	}
	e.evaluate(t, c, "no-policies")
	if got := len(details(t, c, "no-policies")); got != 4 {
		t.Errorf("evaluations after a user was deleted = %d, want 4", got)
	}

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"limit over 100", func() error {
			_, err := c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("no-policies"), Limit: 101})
			return err
		}, "InvalidLimitException"},
		{"token of another call", func() error {
			_, err := c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("no-policies"), NextToken: aws.String("forged")})
			return err
		}, "InvalidNextTokenException"},
		{"INSUFFICIENT_DATA filter of details", func() error {
			_, err := c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("no-policies"),
				ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeInsufficientData}})
			return err
		}, "InvalidParameterValueException"},
		{"resource ID without type", func() error {
			_, err := c.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{ResourceId: aws.String(adminID)})
			return err
		}, "InvalidParameterValueException"},
		{"status limit over 50", func() error {
			_, err := c.DescribeConfigRuleEvaluationStatus(ctx, &configservice.DescribeConfigRuleEvaluationStatusInput{Limit: 51})
			return err
		}, "InvalidLimitException"},
		{"unknown rule's compliance", func() error {
			_, err := c.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{"nope"}})
			return err
		}, "NoSuchConfigRuleException"},
	} {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
}

// TestChangeReevaluatesAndTellsSecurityHub: an IAM write on the trail re-evaluates the account's
// rules, and OnEvaluated hears every check's results.
func TestChangeReevaluatesAndTellsSecurityHub(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var heard []compliance.Result
	e.cfg.OnEvaluated(func(_ context.Context, account string, results []compliance.Result) {
		mu.Lock()
		defer mu.Unlock()
		if account == e.Account.ID {
			heard = results
		}
	})
	c, ctx := e.client, servertest.Ctx(t)
	e.put(t, c, "no-policies", "IAM_USER_NO_POLICIES_CHECK", "")
	if got := len(details(t, c, "no-policies")); got != 1 {
		t.Fatalf("evaluations = %d, want the admin's", got)
	}
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dora")}); err != nil {
		t.Fatal(err)
	}
	e.cfg.Wait()
	if got := len(details(t, c, "no-policies")); got != 2 {
		t.Errorf("evaluations after CreateUser = %d, want the admin's and dora's", got)
	}
	mu.Lock()
	defer mu.Unlock()
	checks := map[string]bool{}
	for _, r := range heard {
		checks[r.Check] = true
	}
	if !checks["ROOT_ACCOUNT_MFA_ENABLED"] || !checks["IAM_USER_NO_POLICIES_CHECK"] {
		t.Errorf("OnEvaluated heard checks %v, want every check's results", checks)
	}
}
