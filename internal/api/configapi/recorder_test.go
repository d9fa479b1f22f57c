package configapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestRecorderAndDeliveryChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, ctx := e.client, servertest.Ctx(t)
	role := aws.String("arn:aws:iam::" + e.Account.ID + ":role/config")
	channel := &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("config-bucket"),
		ConfigSnapshotDeliveryProperties: &cfgtypes.ConfigSnapshotDeliveryProperties{DeliveryFrequency: cfgtypes.MaximumExecutionFrequencySixHours}}

	_, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: channel})
	testutil.WantCode(t, err, "NoAvailableConfigurationRecorderException")
	_, err = c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{Name: aws.String(""), RoleARN: role}})
	testutil.WantCode(t, err, "InvalidConfigurationRecorderNameException")
	if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: role, RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{Name: aws.String("second"), RoleARN: role}})
	testutil.WantCode(t, err, "MaxNumberOfConfigurationRecordersExceededException")
	_, err = c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	testutil.WantCode(t, err, "NoAvailableDeliveryChannelException")
	if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: channel}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	recs, err := c.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 || aws.ToString(recs.ConfigurationRecorders[0].RoleARN) != *role ||
		!recs.ConfigurationRecorders[0].RecordingGroup.AllSupported || !recs.ConfigurationRecorders[0].RecordingGroup.IncludeGlobalResourceTypes {
		t.Fatalf("DescribeConfigurationRecorders = %+v, %v", recs, err)
	}
	st, err := c.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"default"}})
	if err != nil || len(st.ConfigurationRecordersStatus) != 1 || !st.ConfigurationRecordersStatus[0].Recording ||
		!aws.ToTime(st.ConfigurationRecordersStatus[0].LastStartTime).Equal(e.clk.Now().Truncate(1e6)) {
		t.Fatalf("DescribeConfigurationRecorderStatus = %+v, %v; want recording since now", st, err)
	}
	chs, err := c.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil || len(chs.DeliveryChannels) != 1 || aws.ToString(chs.DeliveryChannels[0].S3BucketName) != "config-bucket" ||
		chs.DeliveryChannels[0].ConfigSnapshotDeliveryProperties.DeliveryFrequency != cfgtypes.MaximumExecutionFrequencySixHours {
		t.Fatalf("DescribeDeliveryChannels = %+v, %v", chs, err)
	}
	_, err = c.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	testutil.WantCode(t, err, "LastDeliveryChannelDeleteFailedException")
	if _, err := c.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"default"}})
	testutil.WantCode(t, err, "NoSuchConfigurationRecorderException")
	_, err = c.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{DeliveryChannelNames: []string{"default"}})
	testutil.WantCode(t, err, "NoSuchDeliveryChannelException")
}

// TestConfigAuthorization: actions on rules are authorized on the rule's ARN
// (config-rule/config-rule-ID), or on config-rule/* for a rule not created yet.
func TestConfigAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	e.put(t, e.client, "open", "ROOT_ACCOUNT_MFA_ENABLED", "")
	e.put(t, e.client, "closed", "IAM_ROOT_ACCESS_KEY_CHECK", "")
	out, err := e.client.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"open"}})
	if err != nil {
		t.Fatal(err)
	}
	openARN := aws.ToString(out.ConfigRules[0].ConfigRuleArn)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:DescribeConfigRules","config:GetComplianceDetailsByConfigRule"],"Resource":"` + openARN + `"}]}`
	e.UserIn(e.Account.ID, "reader", policy)
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, "reader")
	if err != nil {
		t.Fatal(err)
	}
	reader := e.clientOf(k.AccessKeyID, k.Secret, "")
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"the allowed rule", func() error {
			_, err := reader.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"open"}})
			return err
		}, ""},
		{"another rule", func() error {
			_, err := reader.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"closed"}})
			return err
		}, "AccessDeniedException"},
		{"every rule", func() error {
			_, err := reader.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
			return err
		}, "AccessDeniedException"},
		{"details of the allowed rule", func() error {
			_, err := reader.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("open")})
			return err
		}, ""},
		{"a new rule", func() error {
			_, err := reader.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleName: aws.String("new"),
				Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("ROOT_ACCOUNT_MFA_ENABLED")}}})
			return err
		}, "AccessDeniedException"},
		{"the recorder", func() error {
			_, err := reader.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
			return err
		}, "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
}
