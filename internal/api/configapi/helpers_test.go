package configapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/config"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// env is an in-process Rootward whose AWS Config runs as serve runs it: it follows the trail and
// evaluates on its own goroutine, with no debounce, and a periodic pass driven by tick.
type env struct {
	*servertest.Env
	clk    *testutil.Clock
	cfg    *config.Service
	tick   chan time.Time
	client *configservice.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := &env{clk: clk, tick: make(chan time.Time)}
	e.Env = servertest.Build(t, nil, clk.Now, func(c *server.Config, svc *iam.Service, st store.Store) {
		o := orgs.New(svc)
		n, err := notify.New(st, testutil.Sealer(t), notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		root, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: c.Trail, ConsoleURL: "http://localhost"}, rootuser.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		c.Orgs = o
		e.cfg = config.New(config.Config{Store: st, IAM: svc, Orgs: o, Gatherer: compliance.NewGatherer(svc, root, o), Now: clk.Now,
			Debounce: -1, Ticks: e.tick})
		c.AWSConfig = e.cfg
		c.Trail.Subscribe(e.cfg.Observe)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.cfg.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.client = e.clientOf(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
	return e
}

func (e *env) clientOf(id, secret, token string) *configservice.Client {
	return configservice.NewFromConfig(e.Config(id, secret, token))
}

// put puts an AWS managed rule with the given source identifier and parameters ("" for none).
func (e *env) put(t *testing.T, c *configservice.Client, name, source, params string) {
	t.Helper()
	r := &cfgtypes.ConfigRule{ConfigRuleName: aws.String(name), Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(source)}}
	if params != "" {
		r.InputParameters = aws.String(params)
	}
	if _, err := c.PutConfigRule(servertest.Ctx(t), &configservice.PutConfigRuleInput{ConfigRule: r}); err != nil {
		t.Fatalf("PutConfigRule %s: %v", name, err)
	}
	e.cfg.Wait()
}

// evaluate starts the evaluation of the rules, as StartConfigRulesEvaluation, and waits for it;
// the clock moves a minute first, as AWS Config allows one start a minute.
func (e *env) evaluate(t *testing.T, c *configservice.Client, names ...string) {
	t.Helper()
	e.clk.Advance(time.Minute)
	if _, err := c.StartConfigRulesEvaluation(servertest.Ctx(t), &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: names}); err != nil {
		t.Fatalf("StartConfigRulesEvaluation %v: %v", names, err)
	}
	e.cfg.Wait()
}

// ruleCompliance is DescribeComplianceByConfigRule's compliance type of each rule.
func ruleCompliance(t *testing.T, c *configservice.Client) map[string]string {
	t.Helper()
	out, err := c.DescribeComplianceByConfigRule(servertest.Ctx(t), &configservice.DescribeComplianceByConfigRuleInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.ComplianceByConfigRules {
		got[aws.ToString(r.ConfigRuleName)] = string(r.Compliance.ComplianceType)
	}
	return got
}

// details is GetComplianceDetailsByConfigRule's results of a rule (every compliance type), by
// resource ID.
func details(t *testing.T, c *configservice.Client, rule string) map[string]cfgtypes.EvaluationResult {
	t.Helper()
	got := map[string]cfgtypes.EvaluationResult{}
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(c, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(rule),
		ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeCompliant, cfgtypes.ComplianceTypeNonCompliant, cfgtypes.ComplianceTypeNotApplicable}})
	for p.HasMorePages() {
		out, err := p.NextPage(servertest.Ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.EvaluationResults {
			got[aws.ToString(r.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId)] = r
		}
	}
	return got
}

// wantMessage fails unless err is an API error whose message contains want.
func wantMessage(t *testing.T, err error, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), want) {
		t.Errorf("error = %v, want a message containing %q", err, want)
	}
}
