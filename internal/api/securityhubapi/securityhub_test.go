package securityhubapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	shsvc "github.com/rootward/rootward/internal/securityhub"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// event is what Security Hub put on EventBridge.
type event struct {
	account, source, detailType string
	resources                   []string
	findings                    []shsvc.Finding
}

type published struct {
	mu     sync.Mutex
	events []event
}

func (p *published) put(account, source, detailType string, resources []string, detail []byte) {
	var d struct {
		Findings []shsvc.Finding `json:"findings"`
	}
	if err := json.Unmarshal(detail, &d); err != nil {
		panic(err)
	}
	p.mu.Lock()
	p.events = append(p.events, event{account, source, detailType, resources, d.Findings})
	p.mu.Unlock()
}

// take returns the events put since the last take.
func (p *published) take() []event {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.events
	p.events = nil
	return out
}

// results are the compliance results the fake evaluation answers, per account.
type results struct {
	mu sync.Mutex
	by map[string][]compliance.Result
}

func (r *results) set(account string, rs ...compliance.Result) {
	r.mu.Lock()
	r.by[account] = rs
	r.mu.Unlock()
}

func (r *results) evaluate(_ context.Context, account string) ([]compliance.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.by[account], nil
}

// env is a server with a Security Hub whose evaluation answers results and whose findings go to pub.
type env struct {
	*servertest.Env
	clk   *testutil.Clock
	hub   *shsvc.Service
	pub   *published
	res   *results
	admin *securityhub.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	pub := &published{}
	res := &results{by: map[string][]compliance.Result{}}
	var hub *shsvc.Service
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, i *iam.Service, st store.Store) {
		cfg.Orgs = orgs.New(i)
		hub = shsvc.New(shsvc.Config{Store: st, Orgs: cfg.Orgs, Now: clk.Now, Publish: pub.put, Evaluate: res.evaluate})
		cfg.SecurityHub = hub
	})
	return &env{Env: e, clk: clk, hub: hub, pub: pub, res: res, admin: securityhub.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))}
}

// client is a Security Hub client of the caller c.
func (e *env) client(c servertest.Caller) *securityhub.Client {
	t := e.T
	t.Helper()
	k, err := e.Svc.CreateAccessKey(context.Background(), c.Account, "shuser")
	if err != nil {
		t.Fatal(err)
	}
	return securityhub.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
}

func rootMFA(account string, s compliance.Status) compliance.Result {
	return compliance.Result{Check: "ROOT_ACCOUNT_MFA_ENABLED", Account: account, ResourceType: "AWS::::Account", ResourceID: account,
		ResourceName: account, Status: s, Evidence: "root MFA " + string(s)}
}

func userMFA(account, name string, s compliance.Status) compliance.Result {
	return compliance.Result{Check: "IAM_USER_MFA_ENABLED", Account: account, ResourceType: "AWS::IAM::User", ResourceID: "AIDA" + name,
		ResourceName: name, Status: s, Evidence: name + " MFA " + string(s)}
}

func (e *env) enable(t *testing.T, c *securityhub.Client) {
	t.Helper()
	if _, err := c.EnableSecurityHub(servertest.Ctx(t), &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) findings(t *testing.T, c *securityhub.Client, filters *shtypes.AwsSecurityFindingFilters) []shtypes.AwsSecurityFinding {
	t.Helper()
	out, err := c.GetFindings(servertest.Ctx(t), &securityhub.GetFindingsInput{Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	return out.Findings
}

func eq(v string) []shtypes.StringFilter {
	return []shtypes.StringFilter{{Value: aws.String(v), Comparison: shtypes.StringFilterComparisonEquals}}
}

func TestHubLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	_, err := e.admin.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	testutil.WantCode(t, err, "InvalidAccessException")
	testutil.WantStatus(t, err, http.StatusUnauthorized)
	if got, want := testutil.ErrorMessage(err), "Account "+e.Account.ID+" is not subscribed to AWS Security Hub"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{})
	testutil.WantCode(t, err, "InvalidAccessException")

	if _, err := e.admin.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{Tags: map[string]string{"team": "sec"}}); err != nil {
		t.Fatal(err)
	}
	hub, err := e.admin.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(hub.HubArn), "arn:aws:securityhub:us-east-1:"+e.Account.ID+":hub/default"; got != want {
		t.Errorf("HubArn = %s, want %s", got, want)
	}
	if got, want := aws.ToString(hub.SubscribedAt), e.clk.Now().UTC().Format("2006-01-02T15:04:05.000Z"); got != want {
		t.Errorf("SubscribedAt = %s, want %s", got, want)
	}
	if !aws.ToBool(hub.AutoEnableControls) || hub.ControlFindingGenerator != shtypes.ControlFindingGeneratorSecurityControl {
		t.Errorf("AutoEnableControls = %v, ControlFindingGenerator = %s; want true, SECURITY_CONTROL", aws.ToBool(hub.AutoEnableControls), hub.ControlFindingGenerator)
	}
	_, err = e.admin.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{})
	testutil.WantCode(t, err, "ResourceConflictException")
	testutil.WantStatus(t, err, http.StatusConflict)

	std, err := e.admin.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range std.StandardsSubscriptions {
		got = append(got, aws.ToString(s.StandardsArn))
		if s.StandardsStatus != shtypes.StandardsStatusReady {
			t.Errorf("%s: StandardsStatus = %s, want READY", aws.ToString(s.StandardsArn), s.StandardsStatus)
		}
	}
	want := []string{
		"arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
		"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
		"arn:aws:securityhub:us-east-1::standards/rootward-root-user-best-practices/v/1.0.0",
	}
	if !equal(got, want) {
		t.Errorf("enabled standards = %v, want %v", got, want)
	}

	if _, err := e.admin.DisableSecurityHub(ctx, &securityhub.DisableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	testutil.WantCode(t, err, "InvalidAccessException")
	_, err = e.admin.DisableSecurityHub(ctx, &securityhub.DisableSecurityHubInput{})
	testutil.WantCode(t, err, "InvalidAccessException")

	// Without the default standards, none is enabled.
	if _, err := e.admin.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(false),
		ControlFindingGenerator: shtypes.ControlFindingGeneratorStandardControl}); err != nil {
		t.Fatal(err)
	}
	std, err = e.admin.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(std.StandardsSubscriptions) != 0 {
		t.Errorf("enabled standards = %d, want 0", len(std.StandardsSubscriptions))
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInvalidInput(t *testing.T) {
	e := newEnv(t)
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"MaxResults over 100", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(101)})
			return err
		}},
		{"unknown comparison", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
				Title: []shtypes.StringFilter{{Value: aws.String("x"), Comparison: "LIKE"}}}})
			return err
		}},
		{"CONTAINS with NOT_CONTAINS", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
				Title: []shtypes.StringFilter{{Value: aws.String("x"), Comparison: shtypes.StringFilterComparisonContains},
					{Value: aws.String("y"), Comparison: shtypes.StringFilterComparisonNotContains}}}})
			return err
		}},
		{"EQUALS with NOT_EQUALS", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
				ComplianceStatus: []shtypes.StringFilter{{Value: aws.String("FAILED"), Comparison: shtypes.StringFilterComparisonEquals},
					{Value: aws.String("PASSED"), Comparison: shtypes.StringFilterComparisonNotEquals}}}})
			return err
		}},
		{"date filter without bounds", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
				UpdatedAt: []shtypes.DateFilter{{Start: aws.String("2026-01-01T00:00:00Z")}}}})
			return err
		}},
		{"sort on an unknown field", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{SortCriteria: []shtypes.SortCriterion{{Field: aws.String("Nope")}}})
			return err
		}},
		{"made-up NextToken", func() error {
			_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{NextToken: aws.String("1")})
			return err
		}},
		{"unknown standard", func() error {
			_, err := e.admin.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: []shtypes.StandardsSubscriptionRequest{
				{StandardsArn: aws.String("arn:aws:securityhub:us-east-1::standards/nope/v/1.0.0")}}})
			return err
		}},
		{"no standards requested", func() error {
			_, err := e.admin.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: []shtypes.StandardsSubscriptionRequest{}})
			return err
		}},
		{"unknown subscription", func() error {
			_, err := e.admin.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{StandardsSubscriptionArns: []string{
				"arn:aws:securityhub:us-east-1:" + e.Account.ID + ":subscription/cis-aws-foundations-benchmark/v/1.4.0"}})
			return err
		}},
		{"bad workflow status", func() error {
			_, err := e.admin.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("x"), ProductArn: aws.String("y")}},
				Workflow:           &shtypes.WorkflowUpdate{Status: "DONE"}})
			return err
		}},
		{"note with an empty UpdatedBy", func() error {
			_, err := e.admin.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("x"), ProductArn: aws.String("y")}},
				Note:               &shtypes.NoteUpdate{Text: aws.String("hi"), UpdatedBy: aws.String("")}})
			return err
		}},
		{"another account's hub ARN", func() error {
			_, err := e.admin.DescribeHub(ctx, &securityhub.DescribeHubInput{HubArn: aws.String("arn:aws:securityhub:us-east-1:111111111111:hub/default")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "InvalidInputException")
			testutil.WantStatus(t, err, http.StatusBadRequest)
		})
	}
	// Nothing changed: the standards are those EnableSecurityHub enabled.
	std, err := e.admin.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(std.StandardsSubscriptions); got != 3 {
		t.Errorf("enabled standards = %d, want 3", got)
	}
}

func TestStandardsAndControls(t *testing.T) {
	e := newEnv(t)
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)
	ds, err := e.admin.DescribeStandards(ctx, &securityhub.DescribeStandardsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Standards) != 4 {
		t.Fatalf("DescribeStandards = %d standards, want 4", len(ds.Standards))
	}
	byName := map[string]shtypes.Standard{}
	for _, s := range ds.Standards {
		byName[aws.ToString(s.Name)] = s
	}
	cis14 := byName["CIS AWS Foundations Benchmark v1.4.0"]
	if got, want := aws.ToString(cis14.StandardsArn), "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/1.4.0"; got != want {
		t.Errorf("CIS v1.4.0 ARN = %s, want %s", got, want)
	}
	if aws.ToBool(cis14.EnabledByDefault) {
		t.Error("CIS v1.4.0 EnabledByDefault = true, want false")
	}
	rw := byName["Rootward root-user best practices"]
	if got, want := aws.ToString(rw.StandardsArn), "arn:aws:securityhub:us-east-1::standards/rootward-root-user-best-practices/v/1.0.0"; got != want {
		t.Errorf("Rootward ARN = %s, want %s", got, want)
	}

	// Paging: one standard a page, four pages.
	var pages int
	var token *string
	for {
		out, err := e.admin.DescribeStandards(ctx, &securityhub.DescribeStandardsInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 4 {
		t.Errorf("pages = %d, want 4", pages)
	}

	en, err := e.admin.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: []shtypes.StandardsSubscriptionRequest{
		{StandardsArn: cis14.StandardsArn}}})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(en.StandardsSubscriptions[0].StandardsSubscriptionArn)
	if want := "arn:aws:securityhub:us-east-1:" + e.Account.ID + ":subscription/cis-aws-foundations-benchmark/v/1.4.0"; sub != want {
		t.Errorf("subscription ARN = %s, want %s", sub, want)
	}
	ctl, err := e.admin.DescribeStandardsControls(ctx, &securityhub.DescribeStandardsControlsInput{StandardsSubscriptionArn: aws.String(sub)})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]shtypes.StandardsControl{}
	for _, c := range ctl.Controls {
		ids[aws.ToString(c.ControlId)] = c
	}
	iam9, ok := ids["IAM.9"]
	if !ok {
		t.Fatalf("CIS v1.4.0 controls %v lack IAM.9", ids)
	}
	if got, want := aws.ToString(iam9.StandardsControlArn), "arn:aws:securityhub:us-east-1:"+e.Account.ID+":control/cis-aws-foundations-benchmark/v/1.4.0/IAM.9"; got != want {
		t.Errorf("IAM.9 ARN = %s, want %s", got, want)
	}
	if iam9.SeverityRating != shtypes.SeverityRatingCritical || iam9.ControlStatus != shtypes.ControlStatusEnabled {
		t.Errorf("IAM.9 = %s %s, want CRITICAL ENABLED", iam9.SeverityRating, iam9.ControlStatus)
	}
	if got, want := aws.ToString(iam9.RemediationUrl), "https://docs.aws.amazon.com/console/securityhub/IAM.9/remediation"; got != want {
		t.Errorf("IAM.9 RemediationUrl = %s, want %s", got, want)
	}
	if _, ok := ids["Rootward.4"]; ok {
		t.Error("CIS v1.4.0 lists Rootward.4")
	}

	defs, err := e.admin.ListSecurityControlDefinitions(ctx, &securityhub.ListSecurityControlDefinitionsInput{StandardsArn: rw.StandardsArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs.SecurityControlDefinitions {
		if id := aws.ToString(d.SecurityControlId); len(id) < 9 || id[:9] != "Rootward." {
			t.Errorf("Rootward standard lists control %s", id)
		}
	}
	if len(defs.SecurityControlDefinitions) == 0 {
		t.Error("Rootward standard lists no control")
	}
	all, err := e.admin.ListSecurityControlDefinitions(ctx, &securityhub.ListSecurityControlDefinitionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.SecurityControlDefinitions) <= len(defs.SecurityControlDefinitions) {
		t.Errorf("all controls = %d, Rootward's = %d; want more in all", len(all.SecurityControlDefinitions), len(defs.SecurityControlDefinitions))
	}

	dis, err := e.admin.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{StandardsSubscriptionArns: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	if got := dis.StandardsSubscriptions[0].StandardsStatus; got != shtypes.StandardsStatusDeleting {
		t.Errorf("BatchDisableStandards status = %s, want DELETING", got)
	}
	_, err = e.admin.DescribeStandardsControls(ctx, &securityhub.DescribeStandardsControlsInput{StandardsSubscriptionArn: aws.String(sub)})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	testutil.WantStatus(t, err, http.StatusNotFound)
}

func TestAccessDenied(t *testing.T) {
	e := newEnv(t)
	e.enable(t, e.admin)
	u := e.UserIn(e.Account.ID, "shuser", servertest.AllowPolicy("securityhub:DescribeHub"))
	c := e.client(u)
	ctx := servertest.Ctx(t)
	if _, err := c.DescribeHub(ctx, &securityhub.DescribeHubInput{}); err != nil {
		t.Fatalf("DescribeHub allowed: %v", err)
	}
	for name, call := range map[string]func() error{
		"GetFindings": func() error { _, err := c.GetFindings(ctx, &securityhub.GetFindingsInput{}); return err },
		"DisableSecurityHub": func() error {
			_, err := c.DisableSecurityHub(ctx, &securityhub.DisableSecurityHubInput{})
			return err
		},
		"BatchUpdateFindings": func() error {
			_, err := c.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("x"), ProductArn: aws.String("y")}},
				Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusSuppressed}})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "AccessDeniedException")
			testutil.WantStatus(t, err, http.StatusForbidden)
		})
	}
}

// TestCallsAreRecorded checks that CloudTrail records Security Hub's calls under its event source.
func TestCallsAreRecorded(t *testing.T) {
	e := newEnv(t)
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)
	_, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("securityhub.amazonaws.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ev := range out.Events {
		names[aws.ToString(ev.EventName)] = true
	}
	for _, want := range []string{"EnableSecurityHub", "GetFindings"} {
		if !names[want] {
			t.Errorf("CloudTrail has no %s from securityhub.amazonaws.com (got %v)", want, names)
		}
	}
}
