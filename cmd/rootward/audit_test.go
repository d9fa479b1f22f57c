package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// auditCreds are the credentials `rootward audit` runs with in a test: the standard chain's
// environment variables, and nothing else it could find (no shared files, no instance metadata).
type auditCreds struct{ id, secret, token string }

// audit runs the binary's audit command with creds and returns stdout, stderr and the exit code.
func audit(t *testing.T, creds auditCreds, args ...string) (string, string, int) {
	t.Helper()
	return auditWithFiles(t, creds, t.TempDir(), args...)
}

// auditWithFiles runs the audit with the shared config and credentials files of dir (config,
// credentials) and creds, when set, in the environment.
func auditWithFiles(t *testing.T, creds auditCreds, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"audit"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
	if creds.id != "" {
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+creds.id, "AWS_SECRET_ACCESS_KEY="+creds.secret)
	}
	if creds.token != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+creds.token)
	}
	return runCmd(t, cmd)
}

// auditJSON runs `rootward audit --format json` against url and decodes its rows, checking the
// exit code against the rows: 1 when one FAILED, else 0.
func auditJSON(t *testing.T, creds auditCreds, url string, args ...string) []auditRow {
	t.Helper()
	out, stderr, code := audit(t, creds, append([]string{"--endpoint-url", url, "--format", "json"}, args...)...)
	var doc struct {
		Checks []auditRow `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("audit printed no JSON (exit %d, stderr %q): %v\n%s", code, stderr, err, out)
	}
	failed := 0
	for _, r := range doc.Checks {
		if r.Status == "FAILED" {
			failed = 1
		}
		if r.ID == "" || r.Title == "" || r.Account == "" || r.Evidence == "" {
			t.Errorf("row %+v: id, title, account and evidence must be set", r)
		}
		switch r.Status {
		case "PASSED", "FAILED", "NOT_APPLICABLE", "ERROR":
		default:
			t.Errorf("row %s/%s: status %q is not PASSED, FAILED, NOT_APPLICABLE or ERROR", r.ID, r.Account, r.Status)
		}
	}
	if code != failed {
		t.Fatalf("exit %d, want %d (a FAILED row: %v); stderr %q", code, failed, failed == 1, stderr)
	}
	return doc.Checks
}

// rowOf is the row of check for account.
func rowOf(t *testing.T, rows []auditRow, check, account string) auditRow {
	t.Helper()
	for _, r := range rows {
		if r.ID == check && r.Account == account {
			return r
		}
	}
	t.Fatalf("no row for %s in account %s", check, account)
	return auditRow{}
}

// wantStatus fails unless each check's row of account has the status given.
func wantStatus(t *testing.T, rows []auditRow, account string, want map[string]string) {
	t.Helper()
	for check, status := range want {
		if r := rowOf(t, rows, check, account); r.Status != status {
			t.Errorf("%s in %s: got %s (%s), want %s", check, account, r.Status, r.Evidence, status)
		}
	}
}

func adminCreds(e *servertest.Env) auditCreds {
	return auditCreds{e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""}
}

// rootPassword gives the account's root user a password: an account whose root user has no
// credential at all is one whose root credentials were removed, for which the root checks are
// NOT_APPLICABLE.
func rootPassword(t *testing.T, e *servertest.Env) {
	t.Helper()
	if err := e.Svc.SetRootPassword(context.Background(), e.Account.ID, "Zq7!vR2#kLp9@wX3"); err != nil {
		t.Fatal(err)
	}
}

// hardwareMFA gives the account's root user a hardware TOTP token.
func hardwareMFA(t *testing.T, e *servertest.Env, clk *testutil.Clock) {
	t.Helper()
	seed := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := clk.Now()
	if err := e.Svc.EnableHardwareMFADevice(context.Background(), e.Account.ID, "", "GAHT12345678", seed,
		testutil.TOTPCode(t, []byte(seed), now.Add(-30*time.Second)), testutil.TOTPCode(t, []byte(seed), now)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
}

// The audit against a started Rootward, with the account's root user moved through the states
// the guide cares about: no MFA, a virtual device, a hardware device, an access key.
func TestAuditRootStates(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *servertest.Env, clk *testutil.Clock)
		want  map[string]string
	}{
		{"no root MFA", func(*testing.T, *servertest.Env, *testutil.Clock) {}, map[string]string{
			"ROOT_ACCOUNT_MFA_ENABLED": "FAILED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "FAILED",
			"IAM_ROOT_ACCESS_KEY_CHECK": "PASSED", "ROOTWARD_ROOT_MFA_TWO_DEVICES": "FAILED",
			// The admin user has a key but no MFA, and AdministratorAccess attached to it.
			"IAM_USER_MFA_ENABLED": "FAILED", "IAM_USER_NO_POLICIES_CHECK": "FAILED", "IAM_PASSWORD_POLICY": "FAILED",
			"ROOTWARD_ROOT_UNUSED_90_DAYS": "PASSED", "ROOTWARD_ROOT_CREDENTIALS_REMOVED": "NOT_APPLICABLE",
		}},
		{"virtual MFA", func(t *testing.T, e *servertest.Env, clk *testutil.Clock) { e.MFADevice(clk, "") }, map[string]string{
			"ROOT_ACCOUNT_MFA_ENABLED": "PASSED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "FAILED", "IAM_ROOT_ACCESS_KEY_CHECK": "PASSED",
			// One virtual device, and the hardware devices only the root user may list: unknown.
			"ROOTWARD_ROOT_MFA_TWO_DEVICES": "ERROR",
		}},
		{"hardware MFA", hardwareMFA, map[string]string{
			"ROOT_ACCOUNT_MFA_ENABLED": "PASSED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "PASSED", "IAM_ROOT_ACCESS_KEY_CHECK": "PASSED",
		}},
		{"root access key", func(t *testing.T, e *servertest.Env, _ *testutil.Clock) {
			if _, err := e.Svc.CreateRootAccessKey(context.Background(), e.Account.ID); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "FAILED", "IAM_ROOT_ACCESS_KEY_CHECK": "FAILED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, clk := servertest.NewClocked(t, nil)
			rootPassword(t, e)
			tc.setup(t, e, clk)
			rows := auditJSON(t, adminCreds(e), e.URL)
			wantStatus(t, rows, e.Account.ID, tc.want)
			if len(rows) != len(compliance.Checks()) {
				t.Errorf("%d rows, want one per check (%d)", len(rows), len(compliance.Checks()))
			}
			for _, r := range rows {
				if r.Account != e.Account.ID {
					t.Errorf("row %s names account %s, want %s", r.ID, r.Account, e.Account.ID)
				}
			}
		})
	}
}

// Exit 0 when nothing FAILED: an account whose root user has a hardware token and no key, with a
// strict password policy, no IAM user and an approval team protecting the root sign-in, audited by
// a role session. What Rootward does not serve
// without a root user's session (the root email, its device count) answers ERROR, which does not
// fail the audit.
func TestAuditNothingFailed(t *testing.T) {
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	a := newApprovalEnv(t, clk.Now)
	e := a.Env
	ctx := servertest.Ctx(t)
	a.team(t, mpa.RootSignIn, true) // an approval team protects the root sign-in
	rootPassword(t, e)
	hardwareMFA(t, e, clk)
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14),
		RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		PasswordReusePrevention: aws.Int32(24), MaxPasswordAge: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	role := e.Role("auditor", "arn:aws:iam::"+e.Account.ID+":user/admin", "", true)
	session := e.Assumed(e.Admin(), role, "audit")
	creds, err := session.IAM.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The role session removes the admin user: its key, its policy, the user.
	if _, err := session.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("admin"), AccessKeyId: aws.String(e.AdminKey.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := session.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String(servertest.AdminPolicyARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := session.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("admin")}); err != nil {
		t.Fatal(err)
	}
	// The contacts the guide asks for (AWS Account Management).
	acct := account.NewFromConfig(e.Config(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken))
	if _, err := acct.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: &accttypes.ContactInformation{
		FullName: aws.String("Ops Desk"), PhoneNumber: aws.String("+12065550100"), AddressLine1: aws.String("1 Main St"),
		City: aws.String("Seattle"), StateOrRegion: aws.String("WA"), CountryCode: aws.String("US"), PostalCode: aws.String("98101")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := acct.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: accttypes.AlternateContactTypeSecurity,
		Name: aws.String("Security Team"), Title: aws.String("SecOps"), EmailAddress: aws.String("security@corp.example"),
		PhoneNumber: aws.String("+12065550199")}); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := audit(t, auditCreds{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken}, "--endpoint-url", e.URL)
	if code != 0 || strings.Contains(out, "FAILED") {
		t.Fatalf("exit %d, want 0 and no FAILED row; stderr %q\n%s", code, stderr, out)
	}
	rows := auditJSON(t, auditCreds{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken}, e.URL)
	wantStatus(t, rows, e.Account.ID, map[string]string{
		"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "PASSED", "IAM_PASSWORD_POLICY": "PASSED",
		"IAM_USER_MFA_ENABLED": "NOT_APPLICABLE", "IAM_GROUP_HAS_USERS_CHECK": "NOT_APPLICABLE",
	})
}

// orgEnv is an organization with centralized root access (trusted access for IAM, root
// credentials management and root sessions) and two members: one whose root user still has every
// credential, one whose root credentials were removed.
type orgEnv struct {
	*servertest.Env
	legacy, removed string
}

func newOrgEnv(t *testing.T) *orgEnv { return orgEnvOn(t, servertest.New(t)) }

// orgEnvOn is newOrgEnv on the server e.
func orgEnvOn(t *testing.T, e *servertest.Env) *orgEnv {
	ctx := servertest.Ctx(t)
	m := e.Admin()
	e.NewOrg(m)
	if _, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.IAM.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	o := &orgEnv{Env: e, legacy: e.CreateMember(m, "legacy"), removed: e.CreateMember(m, "removed")}
	// The legacy member's root has a password, a virtual MFA device and an access key.
	if err := e.Svc.SetRootPassword(ctx, o.legacy, "Zq7!vR2#kLp9@wX4"); err != nil {
		t.Fatal(err)
	}
	d, err := e.Svc.CreateVirtualMFADevice(ctx, o.legacy, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "root-account-mfa-device"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.Svc.Now()
	if err := e.Svc.EnableMFADevice(ctx, o.legacy, "", d.SerialNumber, testutil.TOTPCode(t, []byte(d.Base32StringSeed), now.Add(-30e9)),
		testutil.TOTPCode(t, []byte(d.Base32StringSeed), now)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateRootAccessKey(ctx, o.legacy); err != nil {
		t.Fatal(err)
	}
	// The other member's root credentials are deleted through a privileged root session, as an
	// organization that centralizes root access does.
	if err := e.Svc.SetRootPassword(ctx, o.removed, "Zq7!vR2#kLp9@wX5"); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateRootAccessKey(ctx, o.removed)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(o.removed),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")}})
	if err != nil {
		t.Fatal(err)
	}
	s := e.CallerFor(o.removed, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	if _, err := s.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{AccessKeyId: aws.String(k.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	return o
}

// With --org, the management account audits every member's root user through sts:AssumeRoot; a
// member whose root credentials were removed is NOT_APPLICABLE for the root MFA and root key
// checks and PASSED for ROOTWARD_ROOT_CREDENTIALS_REMOVED (issue 13, Decided).
func TestAuditOrganization(t *testing.T) {
	o := newOrgEnv(t)
	rootPassword(t, o.Env)
	rows := auditJSON(t, adminCreds(o.Env), o.URL, "--org")
	wantStatus(t, rows, o.removed, map[string]string{
		"ROOT_ACCOUNT_MFA_ENABLED":          "NOT_APPLICABLE",
		"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "NOT_APPLICABLE",
		"IAM_ROOT_ACCESS_KEY_CHECK":         "NOT_APPLICABLE",
		"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "PASSED",
		// The audit session reads only the root user: the member's IAM users are not audited.
		"IAM_USER_MFA_ENABLED": "ERROR",
	})
	wantStatus(t, rows, o.legacy, map[string]string{
		"ROOT_ACCOUNT_MFA_ENABLED":          "PASSED",
		"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": "FAILED",
		"IAM_ROOT_ACCESS_KEY_CHECK":         "FAILED",
		"ROOTWARD_ROOT_CREDENTIALS_REMOVED": "FAILED",
		// In a root session the root user lists every device: one virtual device is fewer than two.
		"ROOTWARD_ROOT_MFA_TWO_DEVICES": "FAILED",
	})
	wantStatus(t, rows, o.Account.ID, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "FAILED", "ROOTWARD_ROOT_CREDENTIALS_REMOVED": "NOT_APPLICABLE"})
	// Every check appears once per account.
	for _, acct := range []string{o.Account.ID, o.legacy, o.removed} {
		n := 0
		for _, r := range rows {
			if r.Account == acct && r.ID == "ROOT_ACCOUNT_MFA_ENABLED" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("account %s: %d ROOT_ACCOUNT_MFA_ENABLED rows, want 1", acct, n)
		}
	}
}

// A member whose AssumeRoot is refused answers ERROR for every check, saying why; the audit still
// runs and reports the management account.
func TestAuditOrganizationAssumeRootRefused(t *testing.T) {
	o := newOrgEnv(t)
	rootPassword(t, o.Env)
	denyRoot := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"sts:AssumeRoot","Resource":"*"}]}`
	c := o.UserIn(o.Account.ID, "auditor", denyRoot)
	creds, err := c.IAM.Options().Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := auditJSON(t, auditCreds{creds.AccessKeyID, creds.SecretAccessKey, ""}, o.URL, "--org")
	for _, r := range rows {
		if r.Account != o.legacy && r.Account != o.removed {
			continue
		}
		if r.Status != "ERROR" || !strings.Contains(r.Evidence, "sts:AssumeRoot") || !strings.Contains(r.Evidence, "AccessDenied") {
			t.Errorf("%s in %s: got %s %q, want ERROR naming sts:AssumeRoot and AccessDenied", r.ID, r.Account, r.Status, r.Evidence)
		}
	}
	wantStatus(t, rows, o.Account.ID, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "FAILED"})
}

// --profile takes the credentials and region from the shared files, as the AWS CLI does.
func TestAuditProfile(t *testing.T) {
	e := servertest.New(t)
	dir := t.TempDir()
	for name, body := range map[string]string{
		"credentials": "[auditor]\naws_access_key_id = " + e.AdminKey.AccessKeyID + "\naws_secret_access_key = " + e.AdminKey.Secret + "\n",
		"config":      "[profile auditor]\nregion = eu-west-1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := auditWithFiles(t, auditCreds{}, dir, "--endpoint-url", e.URL, "--profile", "auditor", "--format", "csv")
	if code != 1 || !strings.HasPrefix(out, "id,title,account,status,evidence,remediation\n") || !strings.Contains(out, ","+e.Account.ID+",") {
		t.Fatalf("exit %d, want 1 (the root user has no MFA); stderr %q\n%s", code, stderr, out)
	}
	// Without the profile there are no credentials: the audit cannot run.
	if _, stderr, code := auditWithFiles(t, auditCreds{}, dir, "--endpoint-url", e.URL); code != 2 {
		t.Fatalf("without credentials: exit %d, want 2; stderr %q", code, stderr)
	}
}

// The audit could not run: exit 2 with the reason on stderr and nothing on stdout.
func TestAuditCannotRun(t *testing.T) {
	e := servertest.New(t)
	standalone := e.Standalone("lonely")
	lonely, err := standalone.IAM.Options().Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		creds auditCreds
		args  []string
		want  string
	}{
		{"unknown access key", auditCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, nil, "InvalidClientTokenId"},
		{"not a management account", auditCreds{lonely.AccessKeyID, lonely.SecretAccessKey, ""}, []string{"--org"}, "organizations:ListAccounts"},
		{"unknown format", adminCreds(e), []string{"--format", "yaml"}, "--format"},
		{"unknown profile", adminCreds(e), []string{"--profile", "nope"}, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := audit(t, tc.creds, append([]string{"--endpoint-url", e.URL}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2, nothing printed, stderr naming %q", code, out, stderr, tc.want)
			}
		})
	}
}

// motoServer is moto's AWS mock server on a free loopback port, or a skip saying why it cannot
// start here.
func motoServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		const shim = "/root/.pyenv/shims/moto_server"
		if _, serr := os.Stat(shim); serr != nil {
			t.Skip("moto_server is not installed (pip install 'moto[server]'): the audit against another endpoint is not tested")
		}
		bin = shim
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Skipf("moto_server does not start: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := "http://127.0.0.1:" + port
	// moto takes a second or two to import its backends; it is ready when it answers.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range 300 {
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url
		}
		<-tick.C
	}
	t.Fatalf("moto_server did not answer on %s within 30 s:\n%s", url, log.String())
	return ""
}

// The same audit against moto: it runs, reports what moto serves, and answers ERROR where moto
// lacks an API (the Account Management API, sts:AssumeRoot), never crashing and never PASSED on
// facts it could not read.
func TestAuditAgainstMoto(t *testing.T) {
	url := motoServer(t)
	ctx := servertest.Ctx(t)
	creds := auditCreds{"AKIAMOTOAUDIT0000001", "moto-secret-access-key", ""}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(creds.id, creds.secret, "")}
	i, o := awsiam.NewFromConfig(cfg), organizations.NewFromConfig(cfg)
	// A user with a console password and an access key but no MFA; an organization with a member.
	if _, err := i.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Zq7!vR2#kLp9@wX4")}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	acct, err := o.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("member"), Email: aws.String("member@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	member := aws.ToString(acct.CreateAccountStatus.AccountId)

	rows := auditJSON(t, creds, url, "--org")
	const motoAccount = "123456789012" // moto's default account
	wantStatus(t, rows, motoAccount, map[string]string{"ROOT_ACCOUNT_MFA_ENABLED": "FAILED", "IAM_ROOT_ACCESS_KEY_CHECK": "PASSED"})
	if _, ok := compliance.Lookup("IAM_USER_MFA_ENABLED"); ok {
		wantStatus(t, rows, motoAccount, map[string]string{"IAM_USER_MFA_ENABLED": "FAILED"})
	}
	if _, ok := compliance.Lookup("ROOTWARD_ACCOUNT_CONTACTS_PRESENT"); ok {
		wantStatus(t, rows, motoAccount, map[string]string{"ROOTWARD_ACCOUNT_CONTACTS_PRESENT": "ERROR"})
	}
	for _, r := range rows {
		if r.Account == member && (r.Status != "ERROR" || !strings.Contains(r.Evidence, "sts:AssumeRoot")) {
			t.Errorf("%s in member %s: got %s %q, want ERROR naming sts:AssumeRoot (moto does not serve it)", r.ID, member, r.Status, r.Evidence)
		}
	}
	if n := len(rows); n != 2*len(compliance.Checks()) {
		t.Errorf("%d rows, want one per check for each of 2 accounts (%d)", n, 2*len(compliance.Checks()))
	}
}
