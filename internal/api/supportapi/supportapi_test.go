package supportapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/support"

	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// results are what the fake evaluation answers, and how often it was asked.
type results struct {
	mu    sync.Mutex
	rs    []compliance.Result
	calls int
}

func (r *results) set(rs ...compliance.Result) {
	r.mu.Lock()
	r.rs = rs
	r.mu.Unlock()
}

func (r *results) evaluate(context.Context, string) ([]compliance.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return r.rs, nil
}

type env struct {
	*servertest.Env
	clk    *testutil.Clock
	res    *results
	adv    *advisor.Service
	client *support.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	res := &results{}
	var adv *advisor.Service
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, _ *iam.Service, st store.Store) {
		adv = advisor.New(advisor.Config{Store: st, Now: clk.Now, Evaluate: res.evaluate})
		cfg.Advisor = adv
	})
	return &env{Env: e, clk: clk, res: res, adv: adv, client: support.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))}
}

func rootMFA(account string, s compliance.Status) compliance.Result {
	return compliance.Result{Check: "ROOT_ACCOUNT_MFA_ENABLED", Account: account, ResourceType: compliance.TypeAccount,
		ResourceID: account, ResourceName: account, Status: s, Evidence: "root MFA " + string(s)}
}

func rotated(account, user string, s compliance.Status) compliance.Result {
	return compliance.Result{Check: "ACCESS_KEYS_ROTATED", Account: account, ResourceType: compliance.TypeUser,
		ResourceID: "AIDA" + user, ResourceName: user, Status: s, Evidence: user + "'s key is 400 days old"}
}

func TestDescribeTrustedAdvisorChecks(t *testing.T) {
	e := newEnv(t)
	out, err := e.client.DescribeTrustedAdvisorChecks(servertest.Ctx(t), &support.DescribeTrustedAdvisorChecksInput{Language: aws.String("en")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Checks) < 3 {
		t.Fatalf("checks = %d, want at least 3", len(out.Checks))
	}
	first := out.Checks[0]
	if aws.ToString(first.Id) != "7DAFEmoDos" || aws.ToString(first.Name) != "MFA on Root Account" || aws.ToString(first.Category) != "security" {
		t.Errorf("first check = %s %q %s, want 7DAFEmoDos \"MFA on Root Account\" security", aws.ToString(first.Id), aws.ToString(first.Name), aws.ToString(first.Category))
	}
	byID := map[string][]string{}
	for _, c := range out.Checks {
		byID[aws.ToString(c.Id)] = aws.ToStringSlice(c.Metadata)
		if aws.ToString(c.Description) == "" || c.Metadata == nil {
			t.Errorf("%s: description %q, metadata %v: want both", aws.ToString(c.Id), aws.ToString(c.Description), c.Metadata)
		}
	}
	if got := byID["DqdJqYeRm5"]; len(got) != 5 || got[1] != "IAM User" {
		t.Errorf("IAM Access Key Rotation metadata = %v, want AWS's five report columns", got)
	}
	if _, ok := byID["Yw2K9puPzl"]; !ok {
		t.Error("IAM Password Policy (Yw2K9puPzl) is not listed")
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	tests := []struct {
		name, code string
		call       func() error
	}{
		{"result of an unknown check", "InvalidParameterValueException", func() error {
			_, err := e.client.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String("eW7HH0l7J9")})
			return err
		}},
		{"summaries with an unknown check", "InvalidParameterValueException", func() error {
			_, err := e.client.DescribeTrustedAdvisorCheckSummaries(ctx, &support.DescribeTrustedAdvisorCheckSummariesInput{CheckIds: aws.StringSlice([]string{"7DAFEmoDos", "nope"})})
			return err
		}},
		{"refresh of an unknown check", "InvalidParameterValueException", func() error {
			_, err := e.client.RefreshTrustedAdvisorCheck(ctx, &support.RefreshTrustedAdvisorCheckInput{CheckId: aws.String("nope")})
			return err
		}},
		{"refresh statuses of an unknown check", "InvalidParameterValueException", func() error {
			_, err := e.client.DescribeTrustedAdvisorCheckRefreshStatuses(ctx, &support.DescribeTrustedAdvisorCheckRefreshStatusesInput{CheckIds: aws.StringSlice([]string{"nope"})})
			return err
		}},
		{"unknown language", "InvalidParameterValueException", func() error {
			_, err := e.client.DescribeTrustedAdvisorChecks(ctx, &support.DescribeTrustedAdvisorChecksInput{Language: aws.String("xx")})
			return err
		}},
		{"empty language", "InvalidParameterValueException", func() error {
			_, err := e.client.DescribeTrustedAdvisorChecks(ctx, &support.DescribeTrustedAdvisorChecksInput{Language: aws.String("")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, tc.code)
			testutil.WantStatus(t, err, http.StatusBadRequest)
		})
	}
	_, err := e.client.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String("eW7HH0l7J9")})
	if got := testutil.ErrorMessage(err); got != "Unknown ID: eW7HH0l7J9" {
		t.Errorf("message = %q, want %q", got, "Unknown ID: eW7HH0l7J9")
	}
	if e.res.calls != 0 {
		t.Errorf("evaluations = %d, want 0: a refused call evaluates nothing", e.res.calls)
	}
}

func TestResultsAndRefresh(t *testing.T) {
	e := newEnv(t)
	acct := e.Account.ID
	ctx := servertest.Ctx(t)
	e.res.set(rootMFA(acct, compliance.Failed), rotated(acct, "alice", compliance.Failed), rotated(acct, "bob", compliance.Passed))

	// A first read evaluates the account.
	out, err := e.client.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String("7DAFEmoDos"), Language: aws.String("en")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Result
	if aws.ToString(r.Status) != "error" || r.ResourcesSummary.ResourcesFlagged != 1 || r.ResourcesSummary.ResourcesProcessed != 1 || len(r.FlaggedResources) != 1 {
		t.Fatalf("root MFA off: %s flagged %d processed %d rows %d, want error 1 1 1", aws.ToString(r.Status),
			r.ResourcesSummary.ResourcesFlagged, r.ResourcesSummary.ResourcesProcessed, len(r.FlaggedResources))
	}
	if got, want := aws.ToString(r.Timestamp), e.clk.Now().UTC().Format("2006-01-02T15:04:05Z"); got != want {
		t.Errorf("timestamp = %s, want %s", got, want)
	}
	if aws.ToString(r.FlaggedResources[0].Status) != "error" || aws.ToString(r.FlaggedResources[0].ResourceId) == "" {
		t.Errorf("flagged = %+v, want status error and a resource ID", r.FlaggedResources[0])
	}

	keys, err := e.client.DescribeTrustedAdvisorCheckResult(ctx, &support.DescribeTrustedAdvisorCheckResultInput{CheckId: aws.String("DqdJqYeRm5")})
	if err != nil {
		t.Fatal(err)
	}
	if k := keys.Result; aws.ToString(k.Status) != "warning" || len(k.FlaggedResources) != 1 || k.ResourcesSummary.ResourcesProcessed != 2 {
		t.Fatalf("key rotation = %s with %d flagged of %d, want warning 1 of 2", aws.ToString(k.Status), len(k.FlaggedResources), k.ResourcesSummary.ResourcesProcessed)
	}
	if md := aws.ToStringSlice(keys.Result.FlaggedResources[0].Metadata); md[0] != "Yellow" || md[1] != "alice" || md[4] != "alice's key is 400 days old" {
		t.Errorf("row = %q, want Yellow, alice, …, the evidence", md)
	}

	st, err := e.client.DescribeTrustedAdvisorCheckRefreshStatuses(ctx, &support.DescribeTrustedAdvisorCheckRefreshStatusesInput{CheckIds: aws.StringSlice([]string{"7DAFEmoDos"})})
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Statuses[0]; aws.ToString(s.Status) != "none" || s.MillisUntilNextRefreshable != 0 {
		t.Errorf("before a refresh: %s %d, want none 0", aws.ToString(s.Status), s.MillisUntilNextRefreshable)
	}

	// Root MFA on; the result stays until a refresh.
	e.res.set(rootMFA(acct, compliance.Passed))
	e.clk.Advance(time.Minute)
	ref, err := e.client.RefreshTrustedAdvisorCheck(ctx, &support.RefreshTrustedAdvisorCheckInput{CheckId: aws.String("7DAFEmoDos")})
	if err != nil {
		t.Fatal(err)
	}
	if s := ref.Status; aws.ToString(s.Status) != "enqueued" || s.MillisUntilNextRefreshable != time.Hour.Milliseconds() {
		t.Errorf("refresh = %s %d, want enqueued %d", aws.ToString(s.Status), s.MillisUntilNextRefreshable, time.Hour.Milliseconds())
	}
	sum, err := e.client.DescribeTrustedAdvisorCheckSummaries(ctx, &support.DescribeTrustedAdvisorCheckSummariesInput{CheckIds: aws.StringSlice([]string{"7DAFEmoDos"})})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.Summaries[0]; aws.ToString(s.Status) != "ok" || s.HasFlaggedResources || s.ResourcesSummary.ResourcesProcessed != 1 {
		t.Errorf("after the refresh: %s flagged %v processed %d, want ok false 1", aws.ToString(s.Status), s.HasFlaggedResources, s.ResourcesSummary.ResourcesProcessed)
	}

	// A second refresh within the hour evaluates nothing and says how long to wait.
	calls := e.res.calls
	e.clk.Advance(10 * time.Minute)
	ref, err = e.client.RefreshTrustedAdvisorCheck(ctx, &support.RefreshTrustedAdvisorCheckInput{CheckId: aws.String("7DAFEmoDos")})
	if err != nil {
		t.Fatal(err)
	}
	if s := ref.Status; aws.ToString(s.Status) != "success" || s.MillisUntilNextRefreshable != (50*time.Minute).Milliseconds() || e.res.calls != calls {
		t.Errorf("early refresh = %s %d (evaluations +%d), want success %d +0", aws.ToString(s.Status), s.MillisUntilNextRefreshable, e.res.calls-calls, (50 * time.Minute).Milliseconds())
	}
	// An hour on (past SigV4's 15 minutes: asked of the service itself), refreshable again.
	e.clk.Advance(time.Hour)
	sts, err := e.adv.RefreshStatuses(ctx, acct, []string{"7DAFEmoDos", "DqdJqYeRm5"})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sts[0], sts[1]; a.Status != "success" || a.MillisUntilNext != 0 || b.Status != "none" {
		t.Errorf("statuses = %s %d, %s; want success 0, none", a.Status, a.MillisUntilNext, b.Status)
	}
}

func TestAccessDenied(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	_, err := e.client.DescribeTrustedAdvisorChecks(ctx, &support.DescribeTrustedAdvisorChecksInput{Language: aws.String("en")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateUser(context.Background(), e.Account.ID, iam.CreateUserInput{UserName: "reader"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.PutInlinePolicy(context.Background(), e.Account.ID, "user", "reader", "p", servertest.AllowPolicy("support:DescribeTrustedAdvisorChecks")); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(context.Background(), e.Account.ID, "reader")
	if err != nil {
		t.Fatal(err)
	}
	c := support.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	if _, err := c.DescribeTrustedAdvisorChecks(ctx, &support.DescribeTrustedAdvisorChecksInput{Language: aws.String("en")}); err != nil {
		t.Errorf("allowed DescribeTrustedAdvisorChecks: %v", err)
	}
	_, err = c.RefreshTrustedAdvisorCheck(ctx, &support.RefreshTrustedAdvisorCheckInput{CheckId: aws.String("7DAFEmoDos")})
	testutil.WantCode(t, err, "AccessDeniedException")
	if e.res.calls != 0 {
		t.Errorf("evaluations = %d, want 0", e.res.calls)
	}
}
