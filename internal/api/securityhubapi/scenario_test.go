package securityhubapi_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/support"

	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	shsvc "github.com/rootward/rootward/internal/securityhub"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestRootMFAScenario runs Security Hub and Trusted Advisor over the real check engine
// (compliance.Gatherer + EvaluateAll over Rootward's own state), as serve wires them: root MFA
// off, then on.
func TestRootMFAScenario(t *testing.T) {
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	pub := &published{}
	var (
		hub  *shsvc.Service
		adv  *advisor.Service
		is   *iam.Service
		st   store.Store
		orgz *orgs.Service
	)
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, i *iam.Service, s store.Store) {
		is, st = i, s
		orgz = orgs.New(i)
		cfg.Orgs = orgz
		hub = shsvc.New(shsvc.Config{Store: s, Orgs: orgz, Now: clk.Now, Publish: pub.put})
		adv = advisor.New(advisor.Config{Store: s, Now: clk.Now})
		cfg.SecurityHub, cfg.Advisor = hub, adv
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := notify.New(st, testutil.Sealer(t), notify.Config{}, notify.WithClock(clk.Now), notify.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rootuser.New(rootuser.Config{IAM: is, Notifier: n, Trail: e.Trail, ConsoleURL: "https://console.rootward.test"},
		rootuser.WithClock(clk.Now), rootuser.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Drain)
	gatherer := compliance.NewGatherer(is, rs, orgz)
	evaluate := func(ctx context.Context, account string) ([]compliance.Result, error) {
		f, err := gatherer.Gather(ctx, account)
		if err != nil {
			return nil, err
		}
		return compliance.EvaluateAll(f), nil
	}
	hub.SetEvaluate(evaluate)
	hub.SetGather(gatherer.Gather)
	adv.SetEvaluate(evaluate)

	// An account whose root user has a password (servertest's has no root credentials: its root
	// checks do not apply), administered by a user with AdministratorAccess.
	ctx := servertest.Ctx(t)
	a, err := is.CreateAccount(context.Background(), "Prod", "aws-root+scenario@corp.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	acct := a.ID
	if _, err := is.CreateUser(context.Background(), acct, iam.CreateUserInput{UserName: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := is.AttachPolicy(context.Background(), acct, "user", "admin", servertest.AdminPolicyARN); err != nil {
		t.Fatal(err)
	}
	key, err := is.CreateAccessKey(context.Background(), acct, "admin")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.Config(key.AccessKeyID, key.Secret, "")
	sh, sup := securityhub.NewFromConfig(cfg), support.NewFromConfig(cfg)
	senv := &env{Env: e, clk: clk, hub: hub, pub: pub}

	// Root MFA off: IAM.9 FAILED and NEW, announced on EventBridge; Trusted Advisor flags the root.
	if _, err := sh.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	f := senv.control(t, sh, "IAM.9")
	if f.Compliance.Status != shtypes.ComplianceStatusFailed || f.Workflow.Status != shtypes.WorkflowStatusNew {
		t.Fatalf("MFA off: IAM.9 = %s %s, want FAILED NEW", f.Compliance.Status, f.Workflow.Status)
	}
	announced := func(status string) bool {
		for _, ev := range pub.take() {
			for _, x := range ev.findings {
				if x.Compliance.SecurityControlID == "IAM.9" && x.Compliance.Status == status && ev.detailType == "Security Hub Findings - Imported" && ev.account == acct {
					return true
				}
			}
		}
		return false
	}
	if !announced("FAILED") {
		t.Error("no EventBridge event for the FAILED IAM.9 finding")
	}
	ta, err := sup.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String(advisor.RootMFACheck), Language: aws.String("en")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(ta.Result.Status); got != "error" {
		t.Errorf("MFA off: Trusted Advisor 7DAFEmoDos = %s, want error (Red)", got)
	}

	// Root MFA on (a TOTP app), then the evaluation loop's next pass (Config's OnEvaluated) and a
	// Trusted Advisor refresh.
	client := rootuser.Client{SourceIP: "203.0.113.7", UserAgent: "test"}
	enr, err := rs.CreateTOTPDevice(context.Background(), acct, "", "root-app", client)
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	if err := rs.EnableTOTPDevice(context.Background(), acct, "", enr.Serial, testutil.TOTPCode(t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(t, enr.Seed, now), client); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	results, err := evaluate(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.Ingest(ctx, acct, results); err != nil {
		t.Fatal(err)
	}
	g := senv.control(t, sh, "IAM.9")
	if g.Compliance.Status != shtypes.ComplianceStatusPassed || g.Workflow.Status != shtypes.WorkflowStatusResolved || aws.ToString(g.Id) != aws.ToString(f.Id) {
		t.Errorf("MFA on: IAM.9 = %s %s, want PASSED RESOLVED (same finding)", g.Compliance.Status, g.Workflow.Status)
	}
	if !announced("PASSED") {
		t.Error("no EventBridge event for the PASSED IAM.9 finding")
	}
	if _, err := sup.RefreshTrustedAdvisorCheck(ctx, &support.RefreshTrustedAdvisorCheckInput{CheckId: aws.String(advisor.RootMFACheck)}); err != nil {
		t.Fatal(err)
	}
	ta, err = sup.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String(advisor.RootMFACheck)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(ta.Result.Status); got != "ok" || len(ta.Result.FlaggedResources) != 0 {
		t.Errorf("MFA on: Trusted Advisor 7DAFEmoDos = %s with %d flagged, want ok with none", got, len(ta.Result.FlaggedResources))
	}
	// A password policy of 14 characters that remembers 24 passwords and asks for nothing else:
	// IAM.15 (length, CIS) and IAM.16 (reuse, CIS) pass on their own parameters, IAM.7 (FSBP's
	// character classes) fails, though the Config rule's defaults fail the policy as a whole.
	fourteen, all := 14, 24
	if err := is.UpdateAccountPasswordPolicy(context.Background(), acct, iam.PasswordPolicyInput{MinimumPasswordLength: &fourteen, PasswordReusePrevention: &all}); err != nil {
		t.Fatal(err)
	}
	if results, err = evaluate(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := hub.Ingest(ctx, acct, results); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]shtypes.ComplianceStatus{"IAM.15": shtypes.ComplianceStatusPassed, "IAM.16": shtypes.ComplianceStatusPassed,
		"IAM.7": shtypes.ComplianceStatusFailed} {
		if got := senv.control(t, sh, id).Compliance.Status; got != want {
			t.Errorf("%s = %s, want %s", id, got, want)
		}
	}

	// A virtual device only: IAM.6 (hardware MFA) fails, Rootward.4 (two devices) fails.
	for id, want := range map[string]shtypes.ComplianceStatus{"IAM.6": shtypes.ComplianceStatusFailed, "Rootward.4": shtypes.ComplianceStatusFailed} {
		if got := senv.control(t, sh, id).Compliance.Status; got != want {
			t.Errorf("%s = %s, want %s", id, got, want)
		}
	}

	// The next states, each evaluated and ingested as Config's pass would: hardware MFA
	// (a hardware token added, the app removed: IAM.6 passes), then a root access key created (IAM.4
	// fails) and deleted (IAM.4 passes again).
	step := func(what string, want map[string]shtypes.ComplianceStatus) {
		t.Helper()
		clk.Advance(time.Minute)
		results, err := evaluate(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		if err := hub.Ingest(ctx, acct, results); err != nil {
			t.Fatal(err)
		}
		if err := adv.Ingest(ctx, acct, results); err != nil {
			t.Fatal(err)
		}
		for id, w := range want {
			if got := senv.control(t, sh, id).Compliance.Status; got != w {
				t.Errorf("%s: %s = %s, want %s", what, id, got, w)
			}
		}
		// Root MFA stays on through these steps: Trusted Advisor's MFA on Root Account stays ok.
		out, err := sup.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String(advisor.RootMFACheck)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Result.Status); got != "ok" {
			t.Errorf("%s: Trusted Advisor 7DAFEmoDos = %s, want ok", what, got)
		}
	}
	const hwSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	now = clk.Now()
	if err := rs.EnableHardwareDevice(context.Background(), acct, "", "GAHT00000001", hwSeed, testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now), client); err != nil {
		t.Fatal(err)
	}
	if err := rs.RemoveDevice(context.Background(), acct, "", enr.Serial, client); err != nil {
		t.Fatal(err)
	}
	step("hardware MFA", map[string]shtypes.ComplianceStatus{"IAM.6": shtypes.ComplianceStatusPassed, "IAM.9": shtypes.ComplianceStatusPassed})
	rootKey, err := is.CreateRootAccessKey(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	step("root key created", map[string]shtypes.ComplianceStatus{"IAM.4": shtypes.ComplianceStatusFailed})
	if err := is.DeleteAccessKey(context.Background(), acct, "", rootKey.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	step("root key deleted", map[string]shtypes.ComplianceStatus{"IAM.4": shtypes.ComplianceStatusPassed})

	// A member account of an organization (servertest's account is its management account, which
	// administers the member's findings): with a root password, IAM.9 FAILED and Trusted Advisor
	// flags it; once its root credentials are removed, the root checks do not apply — the finding
	// is NOT_AVAILABLE and archived, and Trusted Advisor is ok.
	m := e.Admin()
	e.NewOrg(m)
	member := e.CreateMember(m, "member")
	mgmt := securityhub.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	if _, err := mgmt.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	operator, err := e.UserIn(member, "operator", "").IAM.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	memberSupport := support.NewFromConfig(e.Config(operator.AccessKeyID, operator.SecretAccessKey, ""))
	memberStep := func(what string, want shtypes.ComplianceStatus, record shtypes.RecordState, advisorStatus string) {
		t.Helper()
		clk.Advance(time.Minute)
		results, err := evaluate(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		if err := hub.Ingest(ctx, member, results); err != nil {
			t.Fatal(err)
		}
		if err := adv.Ingest(ctx, member, results); err != nil {
			t.Fatal(err)
		}
		fs := senv.findings(t, mgmt, &shtypes.AwsSecurityFindingFilters{AwsAccountId: eq(member), ComplianceSecurityControlId: eq("IAM.9")})
		if len(fs) != 1 || fs[0].Compliance.Status != want || fs[0].RecordState != record {
			t.Errorf("%s: the member's IAM.9 findings = %+v, want one %s %s", what, fs, want, record)
		}
		out, err := memberSupport.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String(advisor.RootMFACheck)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Result.Status); got != advisorStatus {
			t.Errorf("%s: the member's Trusted Advisor 7DAFEmoDos = %s, want %s", what, got, advisorStatus)
		}
	}
	if err := is.SetRootPassword(context.Background(), member, "Tangerine-Walrus-42"); err != nil {
		t.Fatal(err)
	}
	memberStep("member with a root password", shtypes.ComplianceStatusFailed, shtypes.RecordStateActive, "error")
	if err := is.DeleteLoginProfile(context.Background(), member, ""); err != nil {
		t.Fatal(err)
	}
	memberStep("member whose root credentials were removed", shtypes.ComplianceStatusNotAvailable, shtypes.RecordStateArchived, "ok")
}
