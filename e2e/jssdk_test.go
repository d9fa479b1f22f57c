package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestJSSDKAgainstServe runs jssdk.mjs, the AWS SDK for JavaScript v3 unmodified, against the
// rootward binary as a user runs it: built from ./cmd/rootward, `init` then `serve` on a loopback
// port. The script checks answers' values and errors' names and statuses across IAM, STS,
// Organizations, CloudTrail, EventBridge, SNS and GuardDuty (awsQuery, awsJson 1.1, restJson1).
// It skips, saying why, without node or e2e/node_modules, and fails instead under CI=true or
// ROOTWARD_REQUIRE_BROWSER, as the browser tests do.
func TestJSSDKAgainstServe(t *testing.T) {
	why := ""
	if _, err := exec.LookPath("node"); err != nil {
		why = "node is missing (apt-get install nodejs)"
	} else if _, err := os.Stat("node_modules/@aws-sdk/client-iam/package.json"); err != nil {
		why = "e2e/node_modules has no @aws-sdk clients (run npm ci in e2e/)"
	}
	if why != "" {
		if os.Getenv("CI") != "" || os.Getenv("ROOTWARD_REQUIRE_BROWSER") != "" {
			t.Fatal("JavaScript SDK test cannot run: " + why)
		}
		t.Skip("JavaScript SDK test skipped: " + why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // bounds a hung run
	defer cancel()
	dir := t.TempDir()
	bin := buildRootward(t, ctx, dir)
	data := filepath.Join(dir, "data")
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte("Corr3ct-Horse-Battery!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, bin, "init", "--data", data, "--email", "root@jssdk.example", "--account-name", "jssdk",
		"--password-file", pw, "--admin-user", "admin", "--json").Output()
	if err != nil {
		t.Fatalf("rootward init: %v", err)
	}
	var created struct {
		AccountID string `json:"account_id"`
		Admin     struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
		} `json:"admin"`
	}
	if err := json.Unmarshal(out, &created); err != nil {
		t.Fatalf("rootward init --json: %v", err)
	}

	serve := exec.CommandContext(ctx, bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
	var serveLog strings.Builder // read once serve has exited
	serve.Stderr = &serveLog
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = serve.Process.Signal(syscall.SIGTERM)
			_ = serve.Wait()
			t.Log("serve's log:\n" + serveLog.String())
		}
	}
	defer stop()
	endpoint := ""
	lines := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`(?:Endpoint: +|serving \d+ account\(s\) at )(http://[^\s,]+)`)
	for endpoint == "" && lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			endpoint = m[1]
		}
	}
	if endpoint == "" {
		t.Fatal("serve printed no endpoint")
	}
	go func() { // the rest of the banner, so that serve never blocks on its output
		for lines.Scan() {
		}
	}()

	node := exec.CommandContext(ctx, "node", "jssdk.mjs")
	// No profile, config file or environment credentials of the machine may take part.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			node.Env = append(node.Env, kv)
		}
	}
	node.Env = append(node.Env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "ENDPOINT="+endpoint,
		"ACCESS_KEY_ID="+created.Admin.AccessKeyID, "SECRET_ACCESS_KEY="+created.Admin.SecretAccessKey, "ACCOUNT="+created.AccountID)
	report, err := node.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(report)), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("jssdk.mjs: %v", err)
	}
	if !strings.Contains(string(report), "every check passed") {
		t.Fatal("jssdk.mjs ended without its last line")
	}
	// Nothing the calls did, nor the shutdown that ends the work they started, is an error of
	// serve's: a background job cut short by SIGTERM once logged ERROR "context canceled".
	stop()
	for _, line := range strings.Split(serveLog.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("serve logged an error: %s", line)
		}
	}
}
