package securityhubapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// control returns the one finding of a control, failing unless there is exactly one.
func (e *env) control(t *testing.T, c *securityhub.Client, id string) shtypes.AwsSecurityFinding {
	t.Helper()
	fs := e.findings(t, c, &shtypes.AwsSecurityFindingFilters{ComplianceSecurityControlId: eq(id)})
	if len(fs) != 1 {
		t.Fatalf("findings of %s = %d, want 1", id, len(fs))
	}
	return fs[0]
}

func TestFindingLifecycle(t *testing.T) {
	e := newEnv(t)
	acct := e.Account.ID
	e.res.set(acct, rootMFA(acct, compliance.Failed), userMFA(acct, "alice", compliance.Passed))
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)

	f := e.control(t, e.admin, "IAM.9")
	checks := []struct{ name, got, want string }{
		{"SchemaVersion", aws.ToString(f.SchemaVersion), "2018-10-08"},
		{"ProductArn", aws.ToString(f.ProductArn), "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
		{"GeneratorId", aws.ToString(f.GeneratorId), "security-control/IAM.9"},
		{"AwsAccountId", aws.ToString(f.AwsAccountId), acct},
		{"Compliance.Status", string(f.Compliance.Status), "FAILED"},
		{"Workflow.Status", string(f.Workflow.Status), "NEW"},
		{"RecordState", string(f.RecordState), "ACTIVE"},
		{"Severity.Label", string(f.Severity.Label), "CRITICAL"},
		{"Resource type", aws.ToString(f.Resources[0].Type), "AwsAccount"},
		{"Resource id", aws.ToString(f.Resources[0].Id), "AWS::::Account:" + acct},
		{"Remediation URL", aws.ToString(f.Remediation.Recommendation.Url), "https://docs.aws.amazon.com/console/securityhub/IAM.9/remediation"},
		{"Types", strings.Join(f.Types, ","), "Software and Configuration Checks/Industry and Regulatory Standards"},
		{"Evidence", f.ProductFields["Rootward/Evidence"], "root MFA FAILED"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(aws.ToString(f.Id), "arn:aws:securityhub:us-east-1:"+acct+":security-control/IAM.9/finding/") {
		t.Errorf("Id = %s, want AWS's control finding form", aws.ToString(f.Id))
	}
	if got := aws.ToInt32(f.Severity.Normalized); got != 90 {
		t.Errorf("Severity.Normalized = %d, want 90", got)
	}
	if got := len(f.Compliance.AssociatedStandards); got != 2 {
		t.Errorf("AssociatedStandards = %d, want 2 (FSBP and CIS v1.2.0)", got)
	}
	// IAM.19 (alice) is PASSED: created RESOLVED.
	if g := e.control(t, e.admin, "IAM.19"); g.Workflow.Status != shtypes.WorkflowStatusResolved || aws.ToString(g.Resources[0].Id) != "arn:aws:iam::"+acct+":user/alice" {
		t.Errorf("IAM.19 = %s %s, want RESOLVED for arn:aws:iam::%s:user/alice", g.Workflow.Status, aws.ToString(g.Resources[0].Id), acct)
	}
	evs := e.pub.take()
	if len(evs) != 2 {
		t.Fatalf("events = %d, want 2 (one per new finding)", len(evs))
	}
	for _, ev := range evs {
		if ev.account != acct || ev.source != "aws.securityhub" || ev.detailType != "Security Hub Findings - Imported" || len(ev.findings) != 1 {
			t.Errorf("event = %s %s %q with %d findings, want %s aws.securityhub \"Security Hub Findings - Imported\" with 1", ev.account, ev.source, ev.detailType, len(ev.findings), acct)
		}
	}

	// The same results again change nothing: no event, UpdatedAt kept.
	e.clk.Advance(time.Minute)
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	if evs := e.pub.take(); len(evs) != 0 {
		t.Errorf("events after the same results = %d, want 0", len(evs))
	}
	if g := e.control(t, e.admin, "IAM.9"); aws.ToString(g.UpdatedAt) != aws.ToString(f.UpdatedAt) {
		t.Errorf("UpdatedAt = %s, want %s (unchanged)", aws.ToString(g.UpdatedAt), aws.ToString(f.UpdatedAt))
	}

	// Root MFA on: PASSED, RESOLVED, an event.
	e.clk.Advance(time.Minute)
	e.res.set(acct, rootMFA(acct, compliance.Passed), userMFA(acct, "alice", compliance.Passed))
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	g := e.control(t, e.admin, "IAM.9")
	if g.Compliance.Status != shtypes.ComplianceStatusPassed || g.Workflow.Status != shtypes.WorkflowStatusResolved || aws.ToString(g.Id) != aws.ToString(f.Id) {
		t.Errorf("after MFA on: %s %s %s, want PASSED RESOLVED %s", g.Compliance.Status, g.Workflow.Status, aws.ToString(g.Id), aws.ToString(f.Id))
	}
	if aws.ToString(g.UpdatedAt) == aws.ToString(f.UpdatedAt) {
		t.Error("UpdatedAt unchanged after the status changed")
	}
	if evs := e.pub.take(); len(evs) != 1 || evs[0].findings[0].Compliance.Status != "PASSED" {
		t.Errorf("events after MFA on = %+v, want one PASSED finding", evs)
	}

	// Someone notes and notifies; MFA goes off again: back to NEW.
	if _, err := e.admin.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: g.Id, ProductArn: g.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified}}); err != nil {
		t.Fatal(err)
	}
	e.pub.take()
	e.res.set(acct, rootMFA(acct, compliance.Failed), userMFA(acct, "alice", compliance.Passed))
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	if g := e.control(t, e.admin, "IAM.9"); g.Compliance.Status != shtypes.ComplianceStatusFailed || g.Workflow.Status != shtypes.WorkflowStatusNew {
		t.Errorf("after MFA off again: %s %s, want FAILED NEW", g.Compliance.Status, g.Workflow.Status)
	}

	// Suppressed stays suppressed through a change.
	if _, err := e.admin.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: g.Id, ProductArn: g.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusSuppressed}}); err != nil {
		t.Fatal(err)
	}
	e.res.set(acct, rootMFA(acct, compliance.Passed), userMFA(acct, "alice", compliance.Passed))
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	if g := e.control(t, e.admin, "IAM.9"); g.Workflow.Status != shtypes.WorkflowStatusSuppressed {
		t.Errorf("suppressed finding's workflow = %s, want SUPPRESSED", g.Workflow.Status)
	}

	// alice deleted: her finding is archived. Root credentials removed (NOT_APPLICABLE): archived
	// NOT_AVAILABLE.
	e.pub.take()
	e.res.set(acct, rootMFA(acct, compliance.NotApplicable))
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	a := e.control(t, e.admin, "IAM.19")
	if a.RecordState != shtypes.RecordStateArchived {
		t.Errorf("deleted user's finding RecordState = %s, want ARCHIVED", a.RecordState)
	}
	r := e.control(t, e.admin, "IAM.9")
	if r.RecordState != shtypes.RecordStateArchived || r.Compliance.Status != shtypes.ComplianceStatusNotAvailable ||
		len(r.Compliance.StatusReasons) != 1 || aws.ToString(r.Compliance.StatusReasons[0].ReasonCode) != "CONFIG_RETURNS_NOT_APPLICABLE" {
		t.Errorf("NOT_APPLICABLE finding = %s %s %+v, want ARCHIVED NOT_AVAILABLE CONFIG_RETURNS_NOT_APPLICABLE", r.RecordState, r.Compliance.Status, r.Compliance.StatusReasons)
	}
	if evs := e.pub.take(); len(evs) != 2 {
		t.Errorf("events after archiving = %d, want 2", len(evs))
	}

	// Disabling FSBP archives IAM.19's finding (FSBP only) but not IAM.9's (CIS too): the latter
	// is archived already; check the standards on a fresh FAILED result.
	e.res.set(acct, rootMFA(acct, compliance.Failed), userMFA(acct, "bob", compliance.Failed))
	if err := e.hub.Ingest(ctx, acct, mustEval(e, acct)); err != nil {
		t.Fatal(err)
	}
	fsbp := "arn:aws:securityhub:us-east-1:" + acct + ":subscription/aws-foundational-security-best-practices/v/1.0.0"
	if _, err := e.admin.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{StandardsSubscriptionArns: []string{fsbp}}); err != nil {
		t.Fatal(err)
	}
	active := e.findings(t, e.admin, &shtypes.AwsSecurityFindingFilters{RecordState: eq("ACTIVE")})
	if len(active) != 1 || aws.ToString(active[0].Compliance.SecurityControlId) != "IAM.9" {
		t.Errorf("active findings after disabling FSBP = %d, want IAM.9 alone", len(active))
	}
}

func mustEval(e *env, account string) []compliance.Result {
	rs, _ := e.res.evaluate(context.Background(), account)
	return rs
}

func TestGetFindingsFilters(t *testing.T) {
	e := newEnv(t)
	acct := e.Account.ID
	e.res.set(acct, rootMFA(acct, compliance.Failed), userMFA(acct, "alice", compliance.Passed), userMFA(acct, "bob", compliance.Failed),
		compliance.Result{Check: "ROOTWARD_ROOT_MFA_TWO_DEVICES", Account: acct, ResourceType: "AWS::::Account", ResourceID: acct, ResourceName: acct, Status: compliance.Failed})
	e.enable(t, e.admin)
	now := e.clk.Now().UTC()
	s := func(v string, c shtypes.StringFilterComparison) shtypes.StringFilter {
		return shtypes.StringFilter{Value: aws.String(v), Comparison: c}
	}
	tests := []struct {
		name    string
		filters *shtypes.AwsSecurityFindingFilters
		want    int
	}{
		{"none", nil, 4},
		{"ComplianceStatus FAILED", &shtypes.AwsSecurityFindingFilters{ComplianceStatus: eq("FAILED")}, 3},
		{"SeverityLabel CRITICAL", &shtypes.AwsSecurityFindingFilters{SeverityLabel: eq("CRITICAL")}, 1},
		{"WorkflowStatus NEW or RESOLVED", &shtypes.AwsSecurityFindingFilters{WorkflowStatus: []shtypes.StringFilter{
			s("NEW", shtypes.StringFilterComparisonEquals), s("RESOLVED", shtypes.StringFilterComparisonEquals)}}, 4},
		{"RecordState ARCHIVED", &shtypes.AwsSecurityFindingFilters{RecordState: eq("ARCHIVED")}, 0},
		{"ProductArn", &shtypes.AwsSecurityFindingFilters{ProductArn: eq("arn:aws:securityhub:us-east-1::product/aws/securityhub")}, 4},
		{"AwsAccountId other", &shtypes.AwsSecurityFindingFilters{AwsAccountId: eq("111111111111")}, 0},
		{"ResourceType PREFIX AwsIam", &shtypes.AwsSecurityFindingFilters{ResourceType: []shtypes.StringFilter{s("AwsIam", shtypes.StringFilterComparisonPrefix)}}, 2},
		{"ResourceId CONTAINS bob", &shtypes.AwsSecurityFindingFilters{ResourceId: []shtypes.StringFilter{s("bob", shtypes.StringFilterComparisonContains)}}, 1},
		{"ResourceId NOT_CONTAINS bob", &shtypes.AwsSecurityFindingFilters{ResourceId: []shtypes.StringFilter{s("bob", shtypes.StringFilterComparisonNotContains)}}, 3},
		{"GeneratorId PREFIX_NOT_EQUALS security-control/IAM", &shtypes.AwsSecurityFindingFilters{GeneratorId: []shtypes.StringFilter{
			s("security-control/IAM", shtypes.StringFilterComparisonPrefixNotEquals)}}, 1},
		{"ComplianceSecurityControlId NOT_EQUALS twice", &shtypes.AwsSecurityFindingFilters{ComplianceSecurityControlId: []shtypes.StringFilter{
			s("IAM.9", shtypes.StringFilterComparisonNotEquals), s("IAM.19", shtypes.StringFilterComparisonNotEquals)}}, 1},
		{"Title CONTAINS root", &shtypes.AwsSecurityFindingFilters{Title: []shtypes.StringFilter{s("root", shtypes.StringFilterComparisonContains)}}, 2},
		{"UpdatedAt within a day", &shtypes.AwsSecurityFindingFilters{UpdatedAt: []shtypes.DateFilter{{DateRange: &shtypes.DateRange{
			Value: aws.Int32(1), Unit: shtypes.DateRangeUnitDays}}}}, 4},
		{"UpdatedAt older than a day", &shtypes.AwsSecurityFindingFilters{UpdatedAt: []shtypes.DateFilter{{DateRange: &shtypes.DateRange{
			Value: aws.Int32(1), Unit: shtypes.DateRangeUnitDays, Comparison: shtypes.DateRangeComparisonOlderThan}}}}, 0},
		{"UpdatedAt Start/End around now", &shtypes.AwsSecurityFindingFilters{UpdatedAt: []shtypes.DateFilter{{
			Start: aws.String(now.Add(-time.Minute).Format(time.RFC3339)), End: aws.String(now.Add(time.Minute).Format(time.RFC3339))}}}, 4},
		{"UpdatedAt Start/End yesterday", &shtypes.AwsSecurityFindingFilters{UpdatedAt: []shtypes.DateFilter{{
			Start: aws.String(now.Add(-48 * time.Hour).Format(time.RFC3339)), End: aws.String(now.Add(-24 * time.Hour).Format(time.RFC3339))}}}, 0},
		{"a filter on what no finding holds", &shtypes.AwsSecurityFindingFilters{MalwareName: eq("x")}, 0},
		{"its negation", &shtypes.AwsSecurityFindingFilters{MalwareName: []shtypes.StringFilter{s("x", shtypes.StringFilterComparisonNotEquals)}}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(e.findings(t, e.admin, tc.filters)); got != tc.want {
				t.Errorf("findings = %d, want %d", got, tc.want)
			}
		})
	}

	// Sorting and paging: by control ID ascending, two a page.
	ctx := servertest.Ctx(t)
	var ids []string
	var token *string
	for {
		out, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(2), NextToken: token,
			SortCriteria: []shtypes.SortCriterion{{Field: aws.String("ComplianceSecurityControlId"), SortOrder: shtypes.SortOrderAscending}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Findings {
			ids = append(ids, aws.ToString(f.Compliance.SecurityControlId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got, want := strings.Join(ids, ","), "IAM.19,IAM.19,IAM.9,Rootward.4"; got != want {
		t.Errorf("sorted = %s, want %s", got, want)
	}
	// A token of one query is refused for another.
	out, err := e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(1), NextToken: out.NextToken,
		Filters: &shtypes.AwsSecurityFindingFilters{ComplianceStatus: eq("FAILED")}})
	testutil.WantCode(t, err, "InvalidInputException")
}

func TestBatchUpdateFindings(t *testing.T) {
	e := newEnv(t)
	acct := e.Account.ID
	e.res.set(acct, rootMFA(acct, compliance.Failed))
	e.enable(t, e.admin)
	ctx := servertest.Ctx(t)
	f := e.control(t, e.admin, "IAM.9")
	e.pub.take()
	e.clk.Advance(time.Minute)
	unknown := shtypes.AwsSecurityFindingIdentifier{Id: aws.String("arn:aws:securityhub:us-east-1:" + acct + ":security-control/IAM.9/finding/00000000-0000-4000-8000-000000000000"), ProductArn: f.ProductArn}
	otherProduct := shtypes.AwsSecurityFindingIdentifier{Id: f.Id, ProductArn: aws.String("arn:aws:securityhub:us-east-1::product/aws/guardduty")}
	out, err := e.admin.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: f.Id, ProductArn: f.ProductArn}, unknown, otherProduct},
		Note:               &shtypes.NoteUpdate{Text: aws.String("root MFA ordered"), UpdatedBy: aws.String("secops")},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified},
		Severity:           &shtypes.SeverityUpdate{Label: shtypes.SeverityLabelHigh},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProcessedFindings) != 1 || aws.ToString(out.ProcessedFindings[0].Id) != aws.ToString(f.Id) {
		t.Errorf("ProcessedFindings = %+v, want %s", out.ProcessedFindings, aws.ToString(f.Id))
	}
	if len(out.UnprocessedFindings) != 2 {
		t.Fatalf("UnprocessedFindings = %d, want 2", len(out.UnprocessedFindings))
	}
	for _, u := range out.UnprocessedFindings {
		if aws.ToString(u.ErrorCode) != "FindingNotFound" || aws.ToString(u.ErrorMessage) != "Finding Not Found" {
			t.Errorf("unprocessed = %s %q, want FindingNotFound \"Finding Not Found\"", aws.ToString(u.ErrorCode), aws.ToString(u.ErrorMessage))
		}
	}
	g := e.control(t, e.admin, "IAM.9")
	if g.Workflow.Status != shtypes.WorkflowStatusNotified || g.Note == nil || aws.ToString(g.Note.Text) != "root MFA ordered" ||
		aws.ToString(g.Note.UpdatedBy) != "secops" || g.Severity.Label != shtypes.SeverityLabelHigh {
		t.Errorf("updated finding = %s %+v %s, want NOTIFIED with the note, HIGH", g.Workflow.Status, g.Note, g.Severity.Label)
	}
	if g.FindingProviderFields.Severity.Label != shtypes.SeverityLabelCritical {
		t.Errorf("FindingProviderFields.Severity = %s, want CRITICAL (the provider's)", g.FindingProviderFields.Severity.Label)
	}
	if aws.ToString(g.UpdatedAt) != aws.ToString(f.UpdatedAt) {
		t.Errorf("UpdatedAt = %s, want %s: BatchUpdateFindings does not change it", aws.ToString(g.UpdatedAt), aws.ToString(f.UpdatedAt))
	}
	if evs := e.pub.take(); len(evs) != 1 || evs[0].findings[0].Workflow.Status != "NOTIFIED" {
		t.Errorf("events = %+v, want the NOTIFIED finding", evs)
	}
	if fs := e.findings(t, e.admin, &shtypes.AwsSecurityFindingFilters{NoteText: eq("root MFA ordered")}); len(fs) != 1 {
		t.Errorf("findings by NoteText = %d, want 1", len(fs))
	}
}

func TestOrganizationAggregation(t *testing.T) {
	e := newEnv(t)
	m := e.Admin()
	e.NewOrg(m)
	member := e.CreateMember(m, "member-one")
	other := e.CreateMember(m, "member-two")
	e.res.set(m.Account, rootMFA(m.Account, compliance.Passed))
	e.res.set(member, rootMFA(member, compliance.Failed))
	e.res.set(other, rootMFA(other, compliance.Failed))
	// The management account is the administrator: enabling evaluates its members under its hub.
	e.enable(t, e.admin)
	fs := e.findings(t, e.admin, &shtypes.AwsSecurityFindingFilters{ComplianceSecurityControlId: eq("IAM.9")})
	got := map[string]string{}
	for _, f := range fs {
		got[aws.ToString(f.AwsAccountId)] = string(f.Compliance.Status)
	}
	if got[m.Account] != "PASSED" || got[member] != "FAILED" || got[other] != "FAILED" || len(got) != 3 {
		t.Errorf("IAM.9 by account = %v, want %s PASSED, %s and %s FAILED", got, m.Account, member, other)
	}
	// The member's new finding went to its own bus and its administrator's.
	var to []string
	for _, ev := range e.pub.take() {
		if ev.findings[0].AwsAccountID == member {
			to = append(to, ev.account)
		}
	}
	if strings.Join(to, ",") != member+","+m.Account {
		t.Errorf("member finding events went to %v, want %s and %s", to, member, m.Account)
	}
	// The administrator updates the member's finding.
	var mf shtypes.AwsSecurityFinding
	for _, f := range fs {
		if aws.ToString(f.AwsAccountId) == member {
			mf = f
		}
	}
	out, err := e.admin.BatchUpdateFindings(servertest.Ctx(t), &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: mf.Id, ProductArn: mf.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProcessedFindings) != 1 {
		t.Errorf("administrator's update of a member finding: processed %d, want 1", len(out.ProcessedFindings))
	}
	// The member sees its own findings only, once it enables Security Hub itself.
	mc := e.client(e.UserIn(member, "shuser", ""))
	e.enable(t, mc)
	for _, f := range e.findings(t, mc, nil) {
		if aws.ToString(f.AwsAccountId) != member {
			t.Errorf("member sees a finding of %s", aws.ToString(f.AwsAccountId))
		}
	}
	// …and cannot update the management account's.
	var own shtypes.AwsSecurityFinding
	for _, f := range fs {
		if aws.ToString(f.AwsAccountId) == m.Account {
			own = f
		}
	}
	out, err = mc.BatchUpdateFindings(servertest.Ctx(t), &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: own.Id, ProductArn: own.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusSuppressed}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedFindings) != 1 {
		t.Errorf("member's update of the management account's finding: unprocessed %d, want 1", len(out.UnprocessedFindings))
	}

	// The administrator disables Security Hub: the next pass archives the findings of the member
	// evaluated under its hub.
	if _, err := e.admin.DisableSecurityHub(servertest.Ctx(t), &securityhub.DisableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	e.pub.take()
	if err := e.hub.Ingest(context.Background(), other, mustEval(e, other)); err != nil {
		t.Fatal(err)
	}
	var archived int
	for _, ev := range e.pub.take() {
		if f := ev.findings[0]; f.AwsAccountID == other && f.RecordState == "ARCHIVED" && ev.account == other {
			archived++
		}
	}
	if archived != 1 {
		t.Errorf("archived findings of the ungoverned member announced = %d, want 1", archived)
	}
}
