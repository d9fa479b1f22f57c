package services_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestBoto3ParsesEveryAnswer: every answer parses with a second SDK, boto3 (botocore), not only
// with aws-sdk-go-v2. testdata/boto3_answers.py, against a started server, makes a representative
// set of IAM, STS and Organizations calls (creating what they need, checking values of each
// answer) and then calls every served Get/List/Describe operation of the three services whose
// input has no required member; each must succeed and parse, or answer the error code the script
// names for it. Outside CI (CI=true) the test is skipped when python3 or boto3 is missing; CI
// installs Debian's python3-boto3 (.ci/run).
func TestBoto3ParsesEveryAnswer(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import boto3, jmespath").Run()
	}
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("python3 with boto3 is not available (%v): skipping the boto3 test (CI installs python3-boto3)", err)
		}
		t.Fatalf("python3 with boto3 is required under CI: %v", err)
	}
	e := servertest.New(t)
	served := map[string][]string{}
	for _, svc := range services.All() {
		switch svc.Name {
		case "iam", "sts", "organizations":
			for _, op := range svc.Ops {
				if !api.OpRefused(op) {
					served[svc.Name] = append(served[svc.Name], api.OpName(op))
				}
			}
		}
	}
	in, err := json.Marshal(map[string]any{"endpoint": e.URL, "key": e.AdminKey.AccessKeyID, "secret": e.AdminKey.Secret,
		"account": e.Account.ID, "served": served})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(servertest.Ctx(t), python, "testdata/boto3_answers.py")
	cmd.Stdin = bytes.NewReader(in)
	// No profile, config file or environment credentials of the machine may take part.
	cmd.Env = []string{"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3_answers.py: %v\n%s", err, stderr.String())
	}
	var report struct {
		Botocore string
		Results  []struct {
			Call, Error, Skipped string
			OK                   bool
		}
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("the script's report: %v\n%s", err, out)
	}
	ran, skipped := 0, 0
	for _, r := range report.Results {
		switch {
		case r.Skipped != "":
			skipped++
		case !r.OK:
			t.Errorf("%s: %s", r.Call, r.Error)
		default:
			ran++
		}
	}
	t.Logf("botocore %s: %d calls parsed, %d not in its model", report.Botocore, ran, skipped)
	// About seventy representative calls and forty no-input reads.
	if ran < 100 {
		t.Errorf("calls made: got %d, want at least 100", ran)
	}
}
