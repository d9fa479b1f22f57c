package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIConfigService drives `aws configservice` at a started server: the CLI sends awsJson 1.1
// with X-Amz-Target StarlingDoveService, puts an AWS managed rule and reads it back, and prints AWS
// Config's error codes.
func TestAWSCLIConfigService(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	defer s.stop(t)
	awsCLI(t, data, s.endpoint, "configservice", "put-config-rule", "--config-rule",
		`{"ConfigRuleName":"root-mfa","Source":{"Owner":"AWS","SourceIdentifier":"ROOT_ACCOUNT_MFA_ENABLED"}}`)
	out := awsCLI(t, data, s.endpoint, "configservice", "describe-config-rules")
	var got struct {
		ConfigRules []struct {
			ConfigRuleName, ConfigRuleArn, ConfigRuleId, ConfigRuleState, MaximumExecutionFrequency string
			Source                                                                                  struct{ Owner, SourceIdentifier string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("describe-config-rules printed %q: %v", out, err)
	}
	if len(got.ConfigRules) != 1 {
		t.Fatalf("describe-config-rules = %s, want the rule", out)
	}
	r := got.ConfigRules[0]
	if r.ConfigRuleName != "root-mfa" || !strings.HasSuffix(r.ConfigRuleArn, ":config-rule/"+r.ConfigRuleId) || r.ConfigRuleState != "ACTIVE" ||
		r.MaximumExecutionFrequency != "TwentyFour_Hours" || r.Source.Owner != "AWS" || r.Source.SourceIdentifier != "ROOT_ACCOUNT_MFA_ENABLED" {
		t.Fatalf("rule = %+v, want root-mfa, ACTIVE, TwentyFour_Hours", r)
	}
	out, err := runAWSCLI(data, s.endpoint, "configservice", "describe-config-rules", "--config-rule-names", "nope")
	if err == nil || !strings.Contains(out, "(NoSuchConfigRuleException)") {
		t.Fatalf("describe-config-rules of an unknown rule: err %v, output %q; want NoSuchConfigRuleException", err, out)
	}
}
