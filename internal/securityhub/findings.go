package securityhub

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/uuid"
)

// ASFF's constants for Security Hub's own control findings.
const (
	SchemaVersion = "2018-10-08"
	findingType   = "Software and Configuration Checks/Industry and Regulatory Standards"
)

// Compliance statuses, workflow statuses and record states of a finding.
const (
	StatusPassed       = "PASSED"
	StatusFailed       = "FAILED"
	StatusNotAvailable = "NOT_AVAILABLE"

	WorkflowNew        = "NEW"
	WorkflowNotified   = "NOTIFIED"
	WorkflowResolved   = "RESOLVED"
	WorkflowSuppressed = "SUPPRESSED"

	RecordActive   = "ACTIVE"
	RecordArchived = "ARCHIVED"
)

// ProductARN is Security Hub's own product ARN in region, the ProductArn of its control findings.
func ProductARN(region string) string { return arn.SecurityHub(region, "", "product/aws/securityhub") }

// findingRecord is a control finding as stored (kind "securityhub.finding", in the account of the
// finding's resource, keyed by REGION/CONTROL_ID/CONFIG_RESOURCE_TYPE/RESOURCE_ID); the unique
// index "id" finds it by its Id, and the order indexes (page.go) list it in GetFindings' order.
type findingRecord struct {
	ID           string    `json:"id"`
	Region       string    `json:"region"`
	Control      string    `json:"control"`
	Check        string    `json:"check"`
	ResourceType string    `json:"resource_type"` // AWS Config's
	ResourceID   string    `json:"resource_id"`
	ResourceName string    `json:"resource_name"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"` // Compliance.StatusReasons[0].ReasonCode
	Evidence     string    `json:"evidence,omitempty"`
	Remediation  string    `json:"remediation,omitempty"`
	Standards    []string  `json:"standards"` // StandardsIds
	Workflow     string    `json:"workflow"`
	RecordState  string    `json:"record_state"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	ProcessedAt  time.Time `json:"processed_at"`
	// What BatchUpdateFindings set.
	Note              *Note             `json:"note,omitempty"`
	SeverityLabel     string            `json:"severity_label,omitempty"` // overrides the control's
	VerificationState string            `json:"verification_state,omitempty"`
	Confidence        *int              `json:"confidence,omitempty"`
	Criticality       *int              `json:"criticality,omitempty"`
	Types             []string          `json:"types,omitempty"`
	UserDefinedFields map[string]string `json:"user_defined_fields,omitempty"`
}

var findings = store.Define(store.Kind[findingRecord]{
	Name: "securityhub.finding", Version: 1,
	Indexes: append([]store.Index[findingRecord]{
		{Name: "id", Unique: true, Values: func(_ string, r *findingRecord) []string { return []string{r.ID} }},
	}, orderIndexes...),
})

func findingKey(region, control, resourceType, resourceID string) string {
	return region + "/" + control + "/" + resourceType + "/" + resourceID
}

// Note is a finding's note.
type Note struct {
	Text      string    `json:"text"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Finding is a finding in ASFF (GetFindings' Findings[], and the findings of its EventBridge
// event); Security Hub User Guide, "AWS Security Finding Format (ASFF)",
// https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html.
type Finding struct {
	SchemaVersion         string                `json:"SchemaVersion"`
	ID                    string                `json:"Id"`
	ProductArn            string                `json:"ProductArn"`
	ProductName           string                `json:"ProductName"`
	CompanyName           string                `json:"CompanyName"`
	Region                string                `json:"Region"`
	GeneratorID           string                `json:"GeneratorId"`
	AwsAccountID          string                `json:"AwsAccountId"`
	Types                 []string              `json:"Types"`
	FirstObservedAt       string                `json:"FirstObservedAt"`
	LastObservedAt        string                `json:"LastObservedAt"`
	CreatedAt             string                `json:"CreatedAt"`
	UpdatedAt             string                `json:"UpdatedAt"`
	Severity              Severity              `json:"Severity"`
	Confidence            *int                  `json:"Confidence,omitempty"`
	Criticality           *int                  `json:"Criticality,omitempty"`
	Title                 string                `json:"Title"`
	Description           string                `json:"Description"`
	Remediation           Remediation           `json:"Remediation"`
	ProductFields         map[string]string     `json:"ProductFields"`
	UserDefinedFields     map[string]string     `json:"UserDefinedFields,omitempty"`
	Resources             []Resource            `json:"Resources"`
	Compliance            Compliance            `json:"Compliance"`
	VerificationState     string                `json:"VerificationState,omitempty"`
	WorkflowState         string                `json:"WorkflowState"`
	Workflow              Workflow              `json:"Workflow"`
	RecordState           string                `json:"RecordState"`
	Note                  *WireNote             `json:"Note,omitempty"`
	FindingProviderFields FindingProviderFields `json:"FindingProviderFields"`
	ProcessedAt           string                `json:"ProcessedAt"`
}

// Severity is a finding's severity: its label and the normalized score ASFF gives each label.
type Severity struct {
	Label      string `json:"Label"`
	Normalized int    `json:"Normalized"`
	Original   string `json:"Original,omitempty"`
}

// Remediation is a finding's recommendation.
type Remediation struct {
	Recommendation Recommendation `json:"Recommendation"`
}

// Recommendation is what to do and where it is documented.
type Recommendation struct {
	Text string `json:"Text"`
	URL  string `json:"Url"`
}

// Resource is the resource a finding is about.
type Resource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

// Compliance is a control finding's result.
type Compliance struct {
	Status                    string               `json:"Status"`
	SecurityControlID         string               `json:"SecurityControlId"`
	AssociatedStandards       []AssociatedStandard `json:"AssociatedStandards"`
	StatusReasons             []StatusReason       `json:"StatusReasons,omitempty"`
	SecurityControlParameters []ControlParameter   `json:"SecurityControlParameters,omitempty"`
}

// AssociatedStandard names an enabled standard the control belongs to.
type AssociatedStandard struct {
	StandardsID string `json:"StandardsId"`
}

// StatusReason says why a finding is NOT_AVAILABLE.
type StatusReason struct {
	ReasonCode  string `json:"ReasonCode"`
	Description string `json:"Description,omitempty"`
}

// ControlParameter is a parameter the control evaluates with.
type ControlParameter struct {
	Name  string   `json:"Name"`
	Value []string `json:"Value"`
}

// Workflow is a finding's workflow status.
type Workflow struct {
	Status string `json:"Status"`
}

// WireNote is a finding's note in ASFF.
type WireNote struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
	UpdatedAt string `json:"UpdatedAt"`
}

// FindingProviderFields are the values the finding provider (Security Hub) set, before any
// BatchUpdateFindings.
type FindingProviderFields struct {
	Severity Severity `json:"Severity"`
	Types    []string `json:"Types"`
}

// normalized is ASFF's Severity.Normalized for a label (ASFF, "Severity").
func normalized(label string) int {
	switch label {
	case "LOW":
		return 1
	case "MEDIUM":
		return 40
	case "HIGH":
		return 70
	case "CRITICAL":
		return 90
	}
	return 0
}

// asffResource is a Config resource as ASFF names it: its type and ID (the account, or the IAM
// entity's ARN; Result carries the name, not the path, so the ARN has the path "/").
func asffResource(account, region, configType, name string) Resource {
	r := Resource{Partition: "aws", Region: region}
	switch configType {
	case "AWS::::Account":
		r.Type, r.ID = "AwsAccount", "AWS::::Account:"+account
	case "AWS::IAM::User":
		r.Type, r.ID = "AwsIamUser", arn.IAMEntity(account, "user", "/", name)
	case "AWS::IAM::Group":
		r.Type, r.ID = "AwsIamGroup", arn.IAMEntity(account, "group", "/", name)
	case "AWS::IAM::Policy":
		r.Type, r.ID = "AwsIamPolicy", arn.IAMEntity(account, "policy", "/", name)
	case "AWS::IAM::Role":
		r.Type, r.ID = "AwsIamRole", arn.IAMEntity(account, "role", "/", name)
	default:
		r.Type, r.ID = "Other", name
	}
	return r
}

// controlOf returns the control id as the catalogue declares it.
func controlOf(id string) (Control, bool) {
	for _, c := range Controls() {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}

func (r *findingRecord) finding(account string) *Finding {
	ctl, _ := controlOf(r.Control)
	label := ctl.Severity
	if label == "" {
		label = "INFORMATIONAL"
	}
	provider := Severity{Label: label, Normalized: normalized(label), Original: label}
	sev := provider
	if r.SeverityLabel != "" {
		sev = Severity{Label: r.SeverityLabel, Normalized: normalized(r.SeverityLabel), Original: label}
	}
	types := []string{findingType}
	if r.Types != nil {
		types = r.Types
	}
	f := &Finding{
		SchemaVersion: SchemaVersion, ID: r.ID, ProductArn: ProductARN(r.Region), ProductName: "Security Hub", CompanyName: "AWS",
		Region: r.Region, GeneratorID: "security-control/" + r.Control, AwsAccountID: account, Types: types,
		FirstObservedAt: formatTime(r.FirstSeen), LastObservedAt: formatTime(r.LastSeen),
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt), ProcessedAt: formatTime(r.ProcessedAt),
		Severity: sev, Confidence: r.Confidence, Criticality: r.Criticality,
		Title: ctl.Title, Description: ctl.Check.Description,
		Remediation: Remediation{Recommendation{
			Text: "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
			URL:  ctl.RemediationURL()}},
		ProductFields: map[string]string{
			"aws/securityhub/ProductName": "Security Hub", "aws/securityhub/CompanyName": "AWS",
			"aws/securityhub/FindingId":  ProductARN(r.Region) + "/" + r.ID,
			"RelatedAWSResources:0/type": "AWS::Config::ConfigRule", "RelatedAWSResources:0/name": r.Check,
			"Rootward/Evidence": r.Evidence,
		},
		UserDefinedFields: r.UserDefinedFields,
		Resources:         []Resource{asffResource(account, r.Region, r.ResourceType, r.ResourceName)},
		Compliance:        Compliance{Status: r.Status, SecurityControlID: r.Control, AssociatedStandards: []AssociatedStandard{}},
		VerificationState: r.VerificationState, WorkflowState: workflowState(r.Workflow),
		Workflow: Workflow{Status: r.Workflow}, RecordState: r.RecordState,
		FindingProviderFields: FindingProviderFields{Severity: provider, Types: []string{findingType}},
	}
	if r.Remediation != "" {
		f.Remediation.Recommendation.Text = r.Remediation
	}
	for _, id := range r.Standards {
		f.Compliance.AssociatedStandards = append(f.Compliance.AssociatedStandards, AssociatedStandard{StandardsID: id})
	}
	if r.Reason != "" {
		f.Compliance.StatusReasons = []StatusReason{{ReasonCode: r.Reason, Description: reasonText[r.Reason]}}
	}
	for _, k := range slices.Sorted(maps.Keys(ctl.Params)) {
		f.Compliance.SecurityControlParameters = append(f.Compliance.SecurityControlParameters, ControlParameter{Name: k, Value: []string{ctl.Params[k]}})
	}
	if r.Note != nil {
		f.Note = &WireNote{Text: r.Note.Text, UpdatedBy: r.Note.UpdatedBy, UpdatedAt: formatTime(r.Note.UpdatedAt)}
	}
	return f
}

// workflowState is the deprecated WorkflowState that matches a workflow status.
func workflowState(status string) string {
	switch status {
	case WorkflowResolved, WorkflowSuppressed:
		return "RESOLVED"
	case WorkflowNotified:
		return "ASSIGNED"
	}
	return "NEW"
}

// The StatusReasons of a NOT_AVAILABLE control finding (Security Hub User Guide, "Compliance
// details for control findings").
var reasonText = map[string]string{
	"CONFIG_RETURNS_NOT_APPLICABLE": "AWS Config evaluated the resource as NOT_APPLICABLE: the control does not apply to it.",
	"CONFIG_EVALUATIONS_EMPTY":      "The evaluation could not read what the check needs.",
}

// status is the ASFF compliance status, its reason and the record state of a check's result.
func status(s compliance.Status) (comp, reason, record string) {
	switch s {
	case compliance.Passed:
		return StatusPassed, "", RecordActive
	case compliance.Failed:
		return StatusFailed, "", RecordActive
	case compliance.NotApplicable:
		// Security Hub archives a control finding whose Config evaluation is NOT_APPLICABLE.
		return StatusNotAvailable, "CONFIG_RETURNS_NOT_APPLICABLE", RecordArchived
	}
	return StatusNotAvailable, "CONFIG_EVALUATIONS_EMPTY", RecordActive
}

// newFindingID is a control finding's Id, AWS's form:
// arn:aws:securityhub:REGION:ACCOUNT:security-control/CONTROL/finding/UUID.
func newFindingID(region, account, control string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return arn.SecurityHub(region, account, "security-control/"+control+"/finding/"+uuid.Format(b))
}

// hubFor returns whose hub and standards govern account's findings in region: its own hub, else
// its administrator's; "" when neither is enabled.
func (s *Service) hubFor(ctx context.Context, account, region string) (string, error) {
	owner := ""
	err := s.st.View(ctx, func(tx store.Tx) error {
		_, ok, err := hubs.Get(tx, account, region)
		if ok {
			owner = account
		}
		return err
	})
	if err != nil || owner != "" {
		return owner, err
	}
	admin, _, err := s.administrator(ctx, account)
	if err != nil || admin == "" || admin == account {
		return "", err
	}
	err = s.st.View(ctx, func(tx store.Tx) error {
		_, ok, err := hubs.Get(tx, admin, region)
		if ok {
			owner = admin
		}
		return err
	})
	return owner, err
}

// Ingest turns account's results — every check's, as compliance.EvaluateAll answers them — into
// control findings in the service's Region: a finding per enabled control and resource, created or
// updated as the package comment says; findings of resources the results no longer name, and of
// controls no enabled standard holds, are archived. Each new or changed finding goes to
// EventBridge. The active findings of an account that no hub governs any longer (its own or its
// administrator's) are archived.
func (s *Service) Ingest(ctx context.Context, account string, results []compliance.Result) error {
	region := s.region
	owner, err := s.hubFor(ctx, account, region)
	if err != nil {
		return err
	}
	evals := s.controlResults(ctx, account, results)
	var changed []*Finding
	err = s.st.Update(ctx, func(tx store.Tx) error {
		changed = changed[:0]
		now := s.now().UTC()
		if owner == "" {
			// No hub governs the account (its administrator disabled Security Hub): its findings
			// are no longer kept up to date.
			var err error
			changed, err = s.archive(tx, account, region, now, func(*findingRecord) bool { return true })
			return err
		}
		if _, ok, err := hubs.Get(tx, owner, region); err != nil || !ok {
			return err // disabled meanwhile
		}
		subs, err := subscribed(tx, owner, region)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, ev := range evals {
			stds := associated(subs, ev.control)
			if len(stds) == 0 {
				continue
			}
			for _, res := range ev.results {
				key := findingKey(region, ev.control.ID, res.ResourceType, res.ResourceID)
				if seen[key] {
					continue
				}
				seen[key] = true
				f, err := s.upsert(tx, account, region, key, ev.control.ID, ev.check, res, stds, now)
				if err != nil {
					return err
				}
				if f != nil {
					changed = append(changed, f)
				}
			}
		}
		archived, err := s.archive(tx, account, region, now, func(r *findingRecord) bool { return !seen[findingKey(region, r.Control, r.ResourceType, r.ResourceID)] })
		changed = append(changed, archived...)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(ctx, changed)
	return nil
}

// controlEval is a control with the results it is judged on.
type controlEval struct {
	control compliance.Control
	check   string
	results []compliance.Result
}

// controlResults pairs each control with its check's results for account: the results given, or,
// for a control with parameters of its own when s.gather is set, the check evaluated on the
// account's facts with those parameters (Security Hub evaluates such a control with its own
// parameters, whatever a Config rule of the same check uses). Gathering fails safe: the results
// given are used, and the failure logged.
func (s *Service) controlResults(ctx context.Context, account string, results []compliance.Result) []controlEval {
	byCheck := map[string][]compliance.Result{}
	for _, r := range results {
		if r.Account == "" || r.Account == account {
			byCheck[r.Check] = append(byCheck[r.Check], r)
		}
	}
	var facts *compliance.Facts
	gathered := false
	var out []controlEval
	for _, c := range compliance.Checks() {
		for _, ctl := range c.SecurityHub {
			rs := byCheck[c.ID]
			if len(ctl.Params) > 0 && s.gather != nil {
				if !gathered {
					gathered = true
					var err error
					if facts, err = s.gather(ctx, account); err != nil {
						s.log.Error("securityhub: gathering facts for a control's parameters", "account", account, "err", err)
					}
				}
				if facts != nil {
					own, err := compliance.Evaluate(facts, c.ID, ctl.Params)
					if err == nil {
						rs = own
					} else {
						s.log.Error("securityhub: evaluating a control with its parameters", "control", ctl.ID, "err", err)
					}
				}
			}
			out = append(out, controlEval{control: ctl, check: c.ID, results: rs})
		}
	}
	return out
}

// associated returns the StandardsIds of the enabled standards that hold ctl.
func associated(subs []Subscription, ctl compliance.Control) []string {
	var out []string
	for _, sub := range subs {
		if slices.Contains(ctl.Standards, sub.Standard.Short) {
			out = append(out, sub.Standard.ID())
		}
	}
	return out
}

// upsert creates or updates the finding at key with a result; it returns the finding when it is
// new or its compliance, record state or workflow changed.
func (s *Service) upsert(tx store.Tx, account, region, key, control, check string, res compliance.Result, stds []string, now time.Time) (*Finding, error) {
	comp, reason, record := status(res.Status)
	r, ok, err := findings.Get(tx, account, key)
	if err != nil {
		return nil, err
	}
	isNew := !ok
	changed := isNew
	if isNew {
		r = &findingRecord{ID: newFindingID(region, account, control), Region: region, Control: control, Check: check,
			ResourceType: res.ResourceType, ResourceID: res.ResourceID, CreatedAt: now, FirstSeen: now, UpdatedAt: now,
			Workflow: WorkflowNew}
		if comp == StatusPassed {
			r.Workflow = WorkflowResolved
		}
	} else {
		wasPassed, wasArchived := r.Status == StatusPassed, r.RecordState == RecordArchived
		if r.Status != comp || r.RecordState != record || !slices.Equal(r.Standards, stds) {
			changed = true
		}
		if r.Workflow != WorkflowSuppressed {
			reopen := (wasPassed && comp != StatusPassed) || (wasArchived && record == RecordActive)
			switch {
			case comp == StatusPassed:
				r.Workflow = WorkflowResolved
			case reopen && (r.Workflow == WorkflowNotified || r.Workflow == WorkflowResolved):
				r.Workflow = WorkflowNew
			}
		}
	}
	r.ResourceName, r.Status, r.Reason, r.RecordState, r.Standards = res.ResourceName, comp, reason, record, stds
	r.Evidence, r.Remediation, r.LastSeen, r.ProcessedAt = res.Evidence, res.Remediation, now, now
	if changed {
		r.UpdatedAt = now
	}
	if err := findings.Put(tx, account, key, r); err != nil {
		return nil, err
	}
	if !changed {
		return nil, nil
	}
	return r.finding(account), nil
}

// archive archives account's active findings in region that gone says are gone, and returns them.
func (s *Service) archive(tx store.Tx, account, region string, now time.Time, gone func(*findingRecord) bool) ([]*Finding, error) {
	var out []*Finding
	after := ""
	for {
		page, err := findings.List(tx, account, region+"/", after, 256)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			r := e.Record
			if r.RecordState == RecordArchived || !gone(r) {
				continue
			}
			r.RecordState, r.UpdatedAt, r.ProcessedAt = RecordArchived, now, now
			if err := findings.Put(tx, account, e.Key, r); err != nil {
				return nil, err
			}
			out = append(out, r.finding(account))
		}
		if len(page) < 256 {
			return out, nil
		}
		after = page[len(page)-1].Key
	}
}

// archiveDisabled archives the findings of account's controls that no standard of subs holds.
func (s *Service) archiveDisabled(tx store.Tx, account, region string, subs []Subscription) ([]*Finding, error) {
	return s.archive(tx, account, region, s.now().UTC(), func(r *findingRecord) bool {
		ctl, ok := controlOf(r.Control)
		return !ok || len(associated(subs, ctl.Control)) == 0
	})
}

// announce puts each finding on EventBridge in its account and, for a member's finding, in its
// administrator's.
func (s *Service) announce(ctx context.Context, fs []*Finding) {
	if s.publish == nil || len(fs) == 0 {
		return
	}
	for _, f := range fs {
		detail, err := json.Marshal(map[string]any{"findings": []*Finding{f}})
		if err != nil {
			s.log.Error("securityhub: encoding a finding event", "err", err)
			continue
		}
		resources := []string{f.ProductArn + "/" + f.ID}
		s.publish(f.AwsAccountID, EventSource, EventDetailType, resources, detail)
		admin, _, err := s.administrator(ctx, f.AwsAccountID)
		if err != nil {
			s.log.Error("securityhub: finding the administrator", "account", f.AwsAccountID, "err", err)
			continue
		}
		if admin != "" && admin != f.AwsAccountID {
			s.publish(admin, EventSource, EventDetailType, resources, detail)
		}
	}
}
