package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/server"
)

var binary string

// TestMain builds the rootward binary once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rootward-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "rootward")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runCmd(t, exec.Command(binary, args...))
}

// runCmd runs cmd and returns its stdout, stderr and exit code.
func runCmd(t *testing.T, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInit(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, stderr, code := run(t, "init", "--data", data, "--email", "root@example.com", "--account-name", "prod",
		"--password-file", writeFile(t, "Str0ng-Root-Pass\n"), "--admin-user", "ops", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		AccountID string `json:"account_id"`
		RootARN   string `json:"root_arn"`
		Admin     struct {
			UserName, ARN, AccessKeyID, SecretAccessKey string
		} `json:"admin"`
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	admin := raw["admin"].(map[string]any)
	res.AccountID, res.RootARN = raw["account_id"].(string), raw["root_arn"].(string)
	if !regexp.MustCompile(`^\d{12}$`).MatchString(res.AccountID) || res.RootARN != "arn:aws:iam::"+res.AccountID+":root" ||
		admin["user_name"] != "ops" || admin["arn"] != "arn:aws:iam::"+res.AccountID+":user/ops" ||
		!strings.HasPrefix(admin["access_key_id"].(string), "AKIA") || len(admin["secret_access_key"].(string)) != 40 {
		t.Fatalf("init output = %s", out)
	}
	for _, f := range []string{"credentials", "master.key"} {
		fi, err := os.Stat(filepath.Join(data, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v mode %v", f, err, fi.Mode())
		}
	}
	creds, _ := os.ReadFile(filepath.Join(data, "credentials"))
	if !strings.Contains(string(creds), "[rootward]\naws_access_key_id = "+admin["access_key_id"].(string)) {
		t.Fatalf("credentials file = %q", creds)
	}
	// A second init refuses.
	if _, _, code := run(t, "init", "--data", data, "--email", "x@example.com", "--account-name", "x",
		"--password-file", writeFile(t, "Str0ng-Root-Pass"), "--json"); code == 0 {
		t.Fatal("second init succeeded")
	}
}

// init checks every input before it writes anything, so a corrected retry works (it answered
// "already initialised" after a bad email had left master.key and a database behind).
func TestInitValidatesBeforeWriting(t *testing.T) {
	cases := []struct{ name, email, account, admin, want string }{
		{"email without @", "nope-at-example.com", "prod", "admin", "not an email address"},
		{"email too short", "a@b.c", "prod", "admin", "6 to 64"},
		{"email with a display name", "Ops <ops@example.com>", "prod", "admin", "not an email address"},
		{"account name too long", "ops@example.com", strings.Repeat("x", 51), "admin", "1 to 50"},
		{"bad admin user name", "ops@example.com", "prod", "ad min", "--admin-user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			pw := writeFile(t, "Str0ng-Root-Pass-Quartz")
			_, stderr, code := run(t, "init", "--data", data, "--email", tc.email, "--account-name", tc.account,
				"--admin-user", tc.admin, "--password-file", pw, "--json")
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("data directory written: %v", err)
			}
			// The corrected command succeeds.
			if out, stderr, code := run(t, "init", "--data", data, "--email", "ops@example.com", "--account-name", "prod",
				"--password-file", pw, "--json"); code != 0 {
				t.Fatalf("corrected init: exit %d, %s %s", code, out, stderr)
			}
		})
	}
}

func TestInitRefusesWeakRootPassword(t *testing.T) {
	cases := []struct{ name, pw, rule string }{
		{"too short", "Ab1!", "8 to 128"},
		{"two classes", "alllowercase1", "at least three"},
		{"equals account name", "Prod-Acct1", "account name"},
		{"equals email", "Root@Example.com", "email"},
		{"three classes but easy to guess", "Summer2024!", "too easy to guess"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, stderr, code := run(t, "init", "--data", data, "--email", "root@example.com", "--account-name", "prod-acct1",
				"--password-file", writeFile(t, tc.pw), "--json")
			if code != 2 || !strings.Contains(stderr, tc.rule) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %q", code, stderr, tc.rule)
			}
			if strings.Contains(stderr, tc.pw) {
				t.Fatal("the refused password was printed")
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("data directory written: %v", err)
			}
		})
	}
}

// served is a started `rootward serve`.
type served struct {
	cmd      *exec.Cmd
	endpoint string
	mu       sync.Mutex
	stdout   strings.Builder // guarded by mu: the reader goroutine writes it
}

func startServe(t testing.TB, data string, extra ...string) *served {
	t.Helper()
	return startServeClient(t, data, http.DefaultClient, extra...)
}

// startServeClient starts serve and waits until its printed endpoint answers /healthz to client.
func startServeClient(t testing.TB, data string, client *http.Client, extra ...string) *served {
	t.Helper()
	s := &served{cmd: exec.Command(binary, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, extra...)...)}
	pr, pw := io.Pipe()
	s.cmd.Stdout = pw
	s.cmd.Stderr = os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`(?:Endpoint: +|serving \d+ account\(s\) at )(https?://\S+)`)
		sent := false
		for sc.Scan() {
			s.mu.Lock()
			s.stdout.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case s.endpoint = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed no endpoint")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(s.endpoint + "/healthz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never answered: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// output is what serve printed so far.
func (s *served) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String()
}

// waitFor waits until serve's output matches the regular expression and returns the first match:
// the reader goroutine may still be behind the process when /healthz first answers.
func (s *served) waitFor(t testing.TB, expr string) string {
	t.Helper()
	re := regexp.MustCompile(expr)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := re.FindString(s.output()); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve output never matched %q:\n%s", expr, s.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *served) stop(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM", err)
	}
}

func awsCLI(t *testing.T, data, endpoint string, args ...string) string {
	t.Helper()
	out, err := runAWSCLI(data, endpoint, args...)
	if err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, out)
	}
	return out
}

// runAWSCLI runs the AWS CLI as awsCLI does and returns its output and exit error.
func runAWSCLI(data, endpoint string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsPath(), append([]string{"--profile", "rootward", "--region", "us-east-1", "--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(data, "credentials"), "AWS_CONFIG_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAWSCLIUnservedServices drives the Debian AWS CLI at services Rootward does not serve: each
// answers in its own protocol, so the CLI prints the error's code and message (it printed the raw
// awsQuery XML body for cloudtrail lookup-events, a JSON service, before CloudTrail was served).
func TestAWSCLIUnservedServices(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	cases := []struct {
		args []string
		want []string // one of them
	}{
		{[]string{"logs", "describe-log-groups"}, []string{"An error occurred (UnknownOperationException) when calling the DescribeLogGroups operation: " + server.UnservedMessage("Amazon CloudWatch Logs")}},
		{[]string{"lambda", "list-functions"}, []string{"An error occurred (UnknownOperationException) when calling the ListFunctions operation: " + server.UnservedMessage("AWS Lambda")}},
		{[]string{"s3api", "list-buckets"}, []string{"An error occurred (NotImplemented) when calling the ListBuckets operation: " + server.UnservedMessage("Amazon S3")}},
		// The CLI retries nothing here (its message would say "reached max retries"). Debian's CLI
		// sends SQS requests in awsQuery, newer ones (botocore 1.32 on) in awsJson 1.0: each gets
		// the error its protocol has for an unknown operation.
		{[]string{"sqs", "list-queues"}, []string{
			"An error occurred (InvalidAction) when calling the ListQueues operation: " + server.UnservedMessage("Amazon SQS"),
			"An error occurred (UnknownOperationException) when calling the ListQueues operation: " + server.UnservedMessage("Amazon SQS"),
		}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := runAWSCLI(data, s.endpoint, tc.args...)
			found := false
			for _, w := range tc.want {
				found = found || strings.Contains(out, w)
			}
			if err == nil || !found || strings.Contains(out, "<") {
				t.Fatalf("aws %v: err %v, output %q; want a failure printing one of %q", tc.args, err, out, tc.want)
			}
		})
	}
}

// awsPath prefers Debian's AWS CLI, which CI installs, over any other on PATH.
func awsPath() string {
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	return "aws"
}

// TestServeWithAWSCLI starts `rootward serve` on an empty data directory, drives it with the Debian
// AWS CLI, stops it with SIGTERM, and checks that a restart keeps everything.
func TestServeWithAWSCLI(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	for _, want := range []string{"Account ID:", "credentials", "sts get-caller-identity", "rootward root set-password --data"} {
		s.waitFor(t, regexp.QuoteMeta(want))
	}
	id := awsCLI(t, data, s.endpoint, "sts", "get-caller-identity")
	if !strings.Contains(id, ":user/admin") {
		t.Fatalf("get-caller-identity = %s", id)
	}
	awsCLI(t, data, s.endpoint, "iam", "create-user", "--user-name", "carol")
	users := awsCLI(t, data, s.endpoint, "iam", "list-users")
	if !strings.Contains(users, `"UserName": "carol"`) || !strings.Contains(users, `"UserName": "admin"`) {
		t.Fatalf("list-users = %s", users)
	}
	s.stop(t)

	s2 := startServe(t, data)
	s2.waitFor(t, regexp.QuoteMeta("serving 1 account(s)"))
	users = awsCLI(t, data, s2.endpoint, "iam", "list-users")
	if !strings.Contains(users, `"UserName": "carol"`) {
		t.Fatalf("after restart list-users = %s", users)
	}
	s2.stop(t)
}

func writeFileB(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// serve --trusted-proxy takes addresses and CIDR ranges, repeated or comma-separated, and refuses
// anything else before touching the data directory.
func TestServeTrustedProxyFlag(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	_, stderr, code := run(t, "serve", "--data", data, "--addr", "127.0.0.1:0", "--trusted-proxy", "proxy.example.com")
	if code == 0 || !strings.Contains(stderr, "--trusted-proxy") || !strings.Contains(stderr, "proxy.example.com") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming the flag and the value", code, stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("data directory written: %v", err)
	}
	s := startServe(t, data, "--trusted-proxy", "10.0.0.0/8,192.0.2.1", "--trusted-proxy", "2001:db8::/32")
	s.stop(t)
}
