package configapi_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestConfigRuleLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	e.put(t, c, "root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")
	e.put(t, c, "key-age", "ACCESS_KEYS_ROTATED", `{"maxAccessKeyAge":"30"}`)

	out, err := c.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"root-mfa"}})
	if err != nil || len(out.ConfigRules) != 1 {
		t.Fatalf("DescribeConfigRules = %+v, %v; want the rule", out, err)
	}
	r := out.ConfigRules[0]
	id := aws.ToString(r.ConfigRuleId)
	if !regexp.MustCompile(`^config-rule-[a-z0-9]{6}$`).MatchString(id) {
		t.Errorf("ConfigRuleId = %q, want config-rule-XXXXXX", id)
	}
	if got, want := aws.ToString(r.ConfigRuleArn), "arn:aws:config:us-east-1:"+e.Account.ID+":config-rule/"+id; got != want {
		t.Errorf("ConfigRuleArn = %q, want %q", got, want)
	}
	if r.ConfigRuleState != cfgtypes.ConfigRuleStateActive || r.MaximumExecutionFrequency != cfgtypes.MaximumExecutionFrequencyTwentyFourHours ||
		r.Source.Owner != cfgtypes.OwnerAws || aws.ToString(r.Source.SourceIdentifier) != "ROOT_ACCOUNT_MFA_ENABLED" {
		t.Errorf("rule = %+v, want ACTIVE, TwentyFour_Hours, AWS ROOT_ACCOUNT_MFA_ENABLED", r)
	}

	// An update by name keeps the rule's ID; by ARN too.
	if _, err := c.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleArn: r.ConfigRuleArn,
		Description: aws.String("root MFA"), MaximumExecutionFrequency: cfgtypes.MaximumExecutionFrequencyOneHour,
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("ROOT_ACCOUNT_MFA_ENABLED")}}}); err != nil {
		t.Fatal(err)
	}
	out, err = c.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
	if err != nil || len(out.ConfigRules) != 2 {
		t.Fatalf("DescribeConfigRules() = %+v, %v; want two rules", out, err)
	}
	for _, r := range out.ConfigRules {
		if aws.ToString(r.ConfigRuleName) == "root-mfa" && (aws.ToString(r.ConfigRuleId) != id || aws.ToString(r.Description) != "root MFA" ||
			r.MaximumExecutionFrequency != cfgtypes.MaximumExecutionFrequencyOneHour) {
			t.Errorf("updated rule = %+v, want ID %s, the new description and One_Hour", r, id)
		}
		if aws.ToString(r.ConfigRuleName) == "key-age" && aws.ToString(r.InputParameters) != `{"maxAccessKeyAge":"30"}` {
			t.Errorf("key-age InputParameters = %q", aws.ToString(r.InputParameters))
		}
	}

	if _, err := c.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("root-mfa")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"root-mfa"}})
	testutil.WantCode(t, err, "NoSuchConfigRuleException")
	_, err = c.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("root-mfa")})
	testutil.WantCode(t, err, "NoSuchConfigRuleException")
	_, err = c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("root-mfa")})
	testutil.WantCode(t, err, "NoSuchConfigRuleException")

	// CloudTrail records the calls with event source config.amazonaws.com.
	ct := cloudtrail.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	ev, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{
		AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("PutConfigRule")}}})
	if err != nil || len(ev.Events) != 3 || aws.ToString(ev.Events[0].EventSource) != "config.amazonaws.com" {
		t.Errorf("PutConfigRule in the trail = %+v, %v; want 3 events of config.amazonaws.com", ev, err)
	}
}

func TestPutConfigRuleRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	managed := func(id string) *cfgtypes.Source {
		return &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(id)}
	}
	for _, tc := range []struct {
		name     string
		rule     cfgtypes.ConfigRule
		code     string
		contains string
	}{
		{"unknown source identifier", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("S3_BUCKET_VERSIONING_ENABLED")},
			"InvalidParameterValueException", "The sourceIdentifier S3_BUCKET_VERSIONING_ENABLED is invalid."},
		{"custom lambda", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomLambda,
			SourceIdentifier: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")}}, "InvalidParameterValueException", "AWS managed rules only"},
		{"unknown parameter", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"), InputParameters: aws.String(`{"maxAge":"9"}`)},
			"InvalidParameterValueException", `Unknown parameters provided in the inputParameters: {"maxAge":"9"}`},
		{"not JSON", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"), InputParameters: aws.String(`{maxAccessKeyAge`)},
			"InvalidParameterValueException", "Invalid json {maxAccessKeyAge passed in the InputParameters field"},
		{"unquoted number", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"), InputParameters: aws.String(`{"maxAccessKeyAge":90}`)},
			"InvalidParameterValueException", "Blank spaces are not acceptable for input parameter: maxAccessKeyAge."},
		{"not a number", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"), InputParameters: aws.String(`{"maxAccessKeyAge":"ninety"}`)},
			"InvalidParameterValueException", ""},
		{"bad frequency", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ROOT_ACCOUNT_MFA_ENABLED"), MaximumExecutionFrequency: "Weekly"},
			"ValidationException", "Member must satisfy enum value set"},
		{"resource ID without one type", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"),
			Scope: &cfgtypes.Scope{ComplianceResourceId: aws.String("AIDAEXAMPLE")}}, "InvalidParameterValueException", "A single resourceType should be provided"},
		{"tag scope", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ACCESS_KEYS_ROTATED"), Scope: &cfgtypes.Scope{TagKey: aws.String("team")}},
			"InvalidParameterValueException", "Scope.TagKey is not supported"},
		{"state", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: managed("ROOT_ACCOUNT_MFA_ENABLED"), ConfigRuleState: cfgtypes.ConfigRuleStateDeleting},
			"InvalidParameterValueException", "The ConfigRuleState DELETING is invalid."},
		{"ID of a new rule", cfgtypes.ConfigRule{ConfigRuleId: aws.String("config-rule-abcdef"), Source: managed("ROOT_ACCOUNT_MFA_ENABLED")},
			"InvalidParameterValueException", "ConfigRule Arn and Id can not be specified when creating a new ConfigRule."},
		{"source details", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("ROOT_ACCOUNT_MFA_ENABLED"),
			SourceDetails: []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig}}}}, "InvalidParameterValueException", "SourceDetails should be null/empty if the owner is AWS."},
		{"no name", cfgtypes.ConfigRule{Source: managed("ROOT_ACCOUNT_MFA_ENABLED")}, "ValidationException", "configRule.configRuleName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rule
			_, err := e.client.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &r})
			testutil.WantCode(t, err, tc.code)
			if tc.contains != "" {
				wantMessage(t, err, tc.contains)
			}
		})
	}
	out, err := e.client.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
	if err != nil || len(out.ConfigRules) != 0 {
		t.Fatalf("DescribeConfigRules after refusals = %+v, %v; want no rule", out, err)
	}
}

func TestStartConfigRulesEvaluationLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	e.put(t, c, "root-key", "IAM_ROOT_ACCESS_KEY_CHECK", "")
	var many []string
	for i := range 26 {
		many = append(many, fmt.Sprintf("rule-%d", i))
	}
	_, err := c.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: many})
	testutil.WantCode(t, err, "ValidationException")
	_, err = c.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"root-key", "nope"}})
	testutil.WantCode(t, err, "NoSuchConfigRuleException")

	e.clk.Advance(time.Minute)
	if _, err := c.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"root-key"}}); err != nil {
		t.Fatal(err)
	}
	e.cfg.Wait()
	// A second start within the minute is refused, even once the first has completed.
	e.clk.Advance(30 * time.Second)
	_, err = c.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"root-key"}})
	testutil.WantCode(t, err, "LimitExceededException")
	e.clk.Advance(30 * time.Second)
	if _, err := c.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"root-key"}}); err != nil {
		t.Fatalf("StartConfigRulesEvaluation a minute later: %v", err)
	}
	e.cfg.Wait()
	st, err := c.DescribeConfigRuleEvaluationStatus(ctx, &configservice.DescribeConfigRuleEvaluationStatusInput{ConfigRuleNames: []string{"root-key"}})
	if err != nil || len(st.ConfigRulesEvaluationStatus) != 1 {
		t.Fatalf("DescribeConfigRuleEvaluationStatus = %+v, %v", st, err)
	}
	s := st.ConfigRulesEvaluationStatus[0]
	if !s.FirstEvaluationStarted || !aws.ToTime(s.LastSuccessfulInvocationTime).Equal(e.clk.Now().Truncate(time.Millisecond)) || s.LastErrorCode != nil {
		t.Errorf("status = %+v, want evaluated at %s without error", s, e.clk.Now())
	}
}
