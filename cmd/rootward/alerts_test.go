package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// initStandalone initializes a data directory with one standalone account, named name, and
// returns the directory and the account's ID.
func initStandalone(t *testing.T, name string) (data, account string) {
	t.Helper()
	data = t.TempDir()
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "init", "--data", data, "--email", "root@"+name+".example", "--account-name", name, "--json",
		"--password-file", writeFile(t, "Str0ng-Root-Pass"))
	if code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	var res struct {
		AccountID string `json:"account_id"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.AccountID == "" {
		t.Fatalf("init --json: %q, %v", out, err)
	}
	return data, res.AccountID
}

// `rootward alerts runbook` prints the runbook that applies and sets it from a file: the
// installation's default without --org or --account, a standalone account's own with --account.
func TestAlertsRunbookCommand(t *testing.T) {
	data, account := initStandalone(t, "alerts")

	out, errOut, code := run(t, "alerts", "runbook", "--data", data)
	if code != 0 || !strings.Contains(out, "No runbook has been set for this organization") {
		t.Fatalf("default runbook: exit %d, %q, %s", code, out, errOut)
	}
	def := "Page the security on-call: +1 555 0100.\nOpen an incident in SEC."
	if out, errOut, code = run(t, "alerts", "runbook", "--data", data, "--set", writeFile(t, def+"\n")); code != 0 ||
		!strings.Contains(out, "The runbook of the installation's default") {
		t.Fatalf("--set: exit %d, %q, %s", code, out, errOut)
	}
	own := "Standalone: call Dana."
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"the default", nil, def},
		{"an account without its own takes the default", []string{"--account", account}, def},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"alerts", "runbook", "--data", data}, tc.args...)...)
			if code != 0 || strings.TrimSpace(out) != tc.want {
				t.Fatalf("exit %d, %q, %s; want %q", code, out, errOut, tc.want)
			}
		})
	}
	if _, errOut, code = run(t, "alerts", "runbook", "--data", data, "--account", account, "--set", writeFile(t, own)); code != 0 {
		t.Fatalf("--account --set: %s", errOut)
	}
	if out, _, _ = run(t, "alerts", "runbook", "--data", data, "--account", account); strings.TrimSpace(out) != own {
		t.Errorf("the account's runbook = %q, want %q", out, own)
	}
	if out, _, _ = run(t, "alerts", "runbook", "--data", data); strings.TrimSpace(out) != def {
		t.Errorf("the default after setting the account's = %q, want %q", out, def)
	}

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"empty file", []string{"--set", writeFile(t, "\n")}, "is empty"},
		{"not an organization", []string{"--org", "r-abcd", "--set", writeFile(t, "x")}, "is not an organization ID"},
		{"unknown account", []string{"--account", "999999999999"}, "--account 999999999999"},
		{"not text", []string{"--set", writeFile(t, "a\x00b")}, "UTF-8 text"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"alerts", "runbook", "--data", data}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}

	if out, errOut, code = run(t, "alerts", "recipients", "--data", data, "--set", writeFile(t, "soc@example.com\nSOC@example.com\nir@example.com\n")); code != 0 ||
		!strings.Contains(out, "2 extra recipients set for the installation's default") {
		t.Fatalf("recipients --set: exit %d, %q, %s", code, out, errOut)
	}
	if out, _, _ = run(t, "alerts", "recipients", "--data", data); out != "soc@example.com\nir@example.com\n" {
		t.Errorf("recipients = %q", out)
	}
	if _, errOut, code = run(t, "alerts", "recipients", "--data", data, "--set", writeFile(t, "Eve <eve@example.com>")); code != 2 || !strings.Contains(errOut, "is not an email address") {
		t.Errorf("a named address: exit %d, %q; want 2, not an email address", code, errOut)
	}
}

// The AWS CLI drives GuardDuty on a started server: create-detector, list-detectors, get-detector,
// list-findings, get-findings-statistics, and AWS's error for a second detector.
func TestServeGuardDutyWithAWSCLI(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	s.waitFor(t, regexp.QuoteMeta("credentials"))
	var created struct{ DetectorId string }
	if err := json.Unmarshal([]byte(awsCLI(t, data, s.endpoint, "guardduty", "create-detector", "--enable")), &created); err != nil || len(created.DetectorId) != 32 {
		t.Fatalf("create-detector: %+v, %v", created, err)
	}
	det := created.DetectorId
	if out := awsCLI(t, data, s.endpoint, "guardduty", "list-detectors"); !strings.Contains(out, det) {
		t.Errorf("list-detectors = %s, want %s", out, det)
	}
	if out := awsCLI(t, data, s.endpoint, "guardduty", "get-detector", "--detector-id", det); !strings.Contains(out, `"Status": "ENABLED"`) {
		t.Errorf("get-detector = %s", out)
	}
	if out := awsCLI(t, data, s.endpoint, "guardduty", "list-findings", "--detector-id", det,
		"--finding-criteria", `{"Criterion":{"service.archived":{"Eq":["false"]}}}`); !strings.Contains(out, `"FindingIds": []`) {
		t.Errorf("list-findings = %s", out)
	}
	if out := awsCLI(t, data, s.endpoint, "guardduty", "get-findings-statistics", "--detector-id", det,
		"--finding-statistic-types", "COUNT_BY_SEVERITY"); !strings.Contains(out, `"CountBySeverity": {}`) {
		t.Errorf("get-findings-statistics = %s", out)
	}
	out, err := runAWSCLI(data, s.endpoint, "guardduty", "create-detector", "--enable")
	if want := "An error occurred (BadRequestException) when calling the CreateDetector operation: The request is rejected because a detector already exists for the current account."; err == nil || !strings.Contains(out, want) {
		t.Errorf("second create-detector: %v, %q; want %q", err, out, want)
	}
	s.stop(t)
}

// A change of the alert settings on the command line is recorded in the trail of the scope's
// owner as CloudTrail records a change made on the account's behalf: eventSource
// events.amazonaws.com and the console's event name, userIdentity AWSService invoked by
// rootward.amazonaws.com, the command and the local user in additionalEventData. Before, the
// command left no record.
func TestAlertsCommandRecorded(t *testing.T) {
	data, account := initStandalone(t, "recorded")
	for _, c := range []struct{ command, file string }{{"runbook", "Call Dana."}, {"recipients", "soc@example.com"}} {
		if _, errOut, code := run(t, "alerts", c.command, "--data", data, "--account", account, "--set", writeFile(t, c.file)); code != 0 {
			t.Fatalf("alerts %s --set: %s", c.command, errOut)
		}
	}
	out, errOut, code := run(t, "events", "--data", data, "--account", account, "--json")
	if code != 0 {
		t.Fatalf("events: %s", errOut)
	}
	got := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events --json line %q: %v", line, err)
		}
		if name, _ := e["eventName"].(string); strings.HasPrefix(name, "SetRootActivityAlert") {
			got[name] = e
		}
	}
	for name, tool := range map[string]string{"SetRootActivityAlertRunbook": "rootward alerts runbook", "SetRootActivityAlertRecipients": "rootward alerts recipients"} {
		t.Run(name, func(t *testing.T) {
			e := got[name]
			if e == nil {
				t.Fatalf("no %s record in account %s; records: %s", name, account, out)
			}
			ui, _ := e["userIdentity"].(map[string]any)
			extra, _ := e["additionalEventData"].(map[string]any)
			req, _ := e["requestParameters"].(map[string]any)
			if ui["type"] != "AWSService" || ui["invokedBy"] != "rootward.amazonaws.com" || e["eventSource"] != "events.amazonaws.com" ||
				e["eventType"] != "AwsServiceEvent" || e["sourceIPAddress"] != "rootward.amazonaws.com" || e["recipientAccountId"] != account ||
				extra["tool"] != tool || req["scope"] != account {
				t.Errorf("record = %v; want an AWSService event invoked by rootward.amazonaws.com, tool %q, scope %s", e, tool, account)
			}
		})
	}
}
