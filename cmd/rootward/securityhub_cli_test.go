package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLISecurityHubAndSupport: the AWS CLI enables Security Hub on a started server, whose
// findings come from the compliance engine serve wires in (the fresh account's root user has no
// MFA: IAM.9 FAILED), and reads Trusted Advisor's "MFA on Root Account" through the Support API.
func TestAWSCLISecurityHubAndSupport(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	defer s.stop(t)
	out, err := runAWSCLI(data, s.endpoint, "securityhub", "get-findings")
	if err == nil || !strings.Contains(out, "(InvalidAccessException)") {
		t.Fatalf("get-findings before enabling: err %v, output %q; want InvalidAccessException", err, out)
	}
	awsCLI(t, data, s.endpoint, "securityhub", "enable-security-hub")
	out = awsCLI(t, data, s.endpoint, "securityhub", "get-findings", "--filters",
		`{"GeneratorId":[{"Value":"security-control/IAM.9","Comparison":"EQUALS"}]}`)
	var findings struct {
		Findings []struct {
			Compliance struct{ Status string }
			Workflow   struct{ Status string }
			Severity   struct{ Label string }
		}
	}
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("get-findings printed %q: %v", out, err)
	}
	if len(findings.Findings) != 1 || findings.Findings[0].Compliance.Status != "FAILED" || findings.Findings[0].Workflow.Status != "NEW" ||
		findings.Findings[0].Severity.Label != "CRITICAL" {
		t.Fatalf("IAM.9 findings = %s, want one FAILED NEW CRITICAL", out)
	}
	out = awsCLI(t, data, s.endpoint, "support", "describe-trusted-advisor-check-result", "--check-id", "7DAFEmoDos", "--language", "en")
	var result struct {
		Result struct{ CheckId, Status string }
	}
	if err := json.Unmarshal([]byte(out), &result); err != nil {
		t.Fatalf("describe-trusted-advisor-check-result printed %q: %v", out, err)
	}
	if result.Result.CheckId != "7DAFEmoDos" || result.Result.Status != "error" {
		t.Fatalf("MFA on Root Account = %s, want status error", out)
	}
}
