package securityhubapi

import (
	"slices"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/securityhub"
)

// GetFindings: POST /findings.
var GetFindings = api.Add(&ops, &api.Op[GetFindingsInput, GetFindingsOutput]{
	Name: "GetFindings", HTTP: "POST /findings", Authorize: authorize[GetFindingsInput](nil), Run: getFindings})

// GetFindingsInput filters, sorts and pages the findings (MaxResults 1–100, default 100).
type GetFindingsInput struct {
	Filters      securityhub.Filters         `json:"Filters"`
	SortCriteria []securityhub.SortCriterion `json:"SortCriteria"`
	NextToken    string                      `json:"NextToken" page:"token"`
	MaxResults   *int                        `json:"MaxResults" page:"size"`
}

// Validate checks MaxResults.
func (in *GetFindingsInput) Validate() error {
	_, err := pageSize(in.MaxResults)
	return err
}

// GetFindingsOutput is a page of findings in ASFF.
type GetFindingsOutput struct {
	Findings  []*securityhub.Finding `json:"Findings"`
	NextToken string                 `json:"NextToken,omitempty" page:"token"`
}

func getFindings(c *api.Call, in *GetFindingsInput) (*GetFindingsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	size, _ := pageSize(in.MaxResults)
	fs, next, err := h.GetFindings(c.Ctx, c.Account(), c.Region, in.Filters, in.SortCriteria, in.NextToken, size)
	if err != nil {
		return nil, err
	}
	if fs == nil {
		fs = []*securityhub.Finding{}
	}
	return &GetFindingsOutput{Findings: fs, NextToken: next}, nil
}

// BatchUpdateFindings: PATCH /findings/batchupdate.
var BatchUpdateFindings = api.Add(&ops, &api.Op[BatchUpdateFindingsInput, BatchUpdateFindingsOutput]{
	Name: "BatchUpdateFindings", HTTP: "PATCH /findings/batchupdate", Authorize: authorize(asffPaths), Run: batchUpdateFindings})

// BatchUpdateFindingsInput names 1–100 findings and what to change in them.
type BatchUpdateFindingsInput struct {
	FindingIdentifiers []securityhub.Identifier `json:"FindingIdentifiers"`
	Note               *NoteUpdate              `json:"Note"`
	Severity           *SeverityUpdate          `json:"Severity"`
	VerificationState  string                   `json:"VerificationState"`
	Confidence         *int                     `json:"Confidence"`
	Criticality        *int                     `json:"Criticality"`
	Types              []string                 `json:"Types"`
	UserDefinedFields  map[string]string        `json:"UserDefinedFields"`
	Workflow           *WorkflowUpdate          `json:"Workflow"`
	RelatedFindings    []securityhub.Identifier `json:"RelatedFindings"`
}

// NoteUpdate is a new note: both members required.
type NoteUpdate struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
}

// SeverityUpdate sets a finding's severity label (Normalized and Product are accepted as the label
// they mean: Rootward keeps the label).
type SeverityUpdate struct {
	Normalized *int     `json:"Normalized"`
	Product    *float64 `json:"Product"`
	Label      string   `json:"Label"`
}

// WorkflowUpdate sets the workflow status.
type WorkflowUpdate struct {
	Status string `json:"Status"`
}

var (
	workflowStatuses   = []string{securityhub.WorkflowNew, securityhub.WorkflowNotified, securityhub.WorkflowResolved, securityhub.WorkflowSuppressed}
	severityLabels     = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	verificationStates = []string{"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"}
)

// Validate checks the members as the model constrains them: 1–100 identifiers, each with Id and
// ProductArn; a Note with Text (at most 512 characters) and UpdatedBy (at most 128); the enums;
// Confidence and Criticality 0–100; a Severity with a Label or a Normalized score (0–100).
func (in *BatchUpdateFindingsInput) Validate() error {
	if in.FindingIdentifiers == nil {
		return awsproto.MissingParam("FindingIdentifiers")
	}
	if len(in.FindingIdentifiers) < 1 || len(in.FindingIdentifiers) > 100 {
		return invalid("FindingIdentifiers must name between 1 and 100 findings.")
	}
	for _, id := range in.FindingIdentifiers {
		if id.ID == "" || id.ProductArn == "" {
			return invalid("Each finding identifier needs an Id and a ProductArn.")
		}
	}
	if n := in.Note; n != nil && (n.Text == "" || n.UpdatedBy == "" || len([]rune(n.Text)) > 512 || len([]rune(n.UpdatedBy)) > 128) {
		return invalid("Note needs a Text of at most 512 characters and an UpdatedBy of at most 128.")
	}
	if in.Workflow != nil && !slices.Contains(workflowStatuses, in.Workflow.Status) {
		return invalid("Invalid Workflow Status %q.", in.Workflow.Status)
	}
	if in.VerificationState != "" && !slices.Contains(verificationStates, in.VerificationState) {
		return invalid("Invalid VerificationState %q.", in.VerificationState)
	}
	for _, v := range []*int{in.Confidence, in.Criticality} {
		if v != nil && (*v < 0 || *v > 100) {
			return invalid("Confidence and Criticality must be between 0 and 100.")
		}
	}
	if s := in.Severity; s != nil {
		if s.Label != "" && !slices.Contains(severityLabels, s.Label) {
			return invalid("Invalid Severity Label %q.", s.Label)
		}
		if s.Normalized != nil && (*s.Normalized < 0 || *s.Normalized > 100) {
			return invalid("Severity Normalized must be between 0 and 100.")
		}
	}
	return nil
}

// label is the severity label an update sets: its Label, else the label of its Normalized score
// (ASFF, "Severity": 0 INFORMATIONAL, 1–39 LOW, 40–69 MEDIUM, 70–89 HIGH, 90–100 CRITICAL).
func (s *SeverityUpdate) label() string {
	switch {
	case s == nil:
		return ""
	case s.Label != "":
		return s.Label
	case s.Normalized == nil:
		return ""
	case *s.Normalized >= 90:
		return "CRITICAL"
	case *s.Normalized >= 70:
		return "HIGH"
	case *s.Normalized >= 40:
		return "MEDIUM"
	case *s.Normalized >= 1:
		return "LOW"
	}
	return "INFORMATIONAL"
}

// asffPaths are the condition keys securityhub:ASFFSyntaxPath/<field> of the fields the request
// updates, with the values it sets them to.
func asffPaths(in *BatchUpdateFindingsInput) map[string][]string {
	keys := map[string][]string{}
	set := func(path string, v ...string) { keys["securityhub:ASFFSyntaxPath/"+path] = v }
	if in.Workflow != nil {
		set("Workflow.Status", in.Workflow.Status)
	}
	if in.Note != nil {
		set("Note.Text", in.Note.Text)
		set("Note.UpdatedBy", in.Note.UpdatedBy)
	}
	if l := in.Severity.label(); l != "" {
		set("Severity.Label", l)
	}
	if in.VerificationState != "" {
		set("VerificationState", in.VerificationState)
	}
	if in.Confidence != nil {
		set("Confidence", strconv.Itoa(*in.Confidence))
	}
	if in.Criticality != nil {
		set("Criticality", strconv.Itoa(*in.Criticality))
	}
	if in.Types != nil {
		set("Types", in.Types...)
	}
	return keys
}

// BatchUpdateFindingsOutput says which findings were updated and which not, and why.
type BatchUpdateFindingsOutput struct {
	ProcessedFindings   []securityhub.Identifier  `json:"ProcessedFindings"`
	UnprocessedFindings []securityhub.Unprocessed `json:"UnprocessedFindings"`
}

func batchUpdateFindings(c *api.Call, in *BatchUpdateFindingsInput) (*BatchUpdateFindingsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	u := securityhub.Update{SeverityLabel: in.Severity.label(), VerificationState: in.VerificationState, Confidence: in.Confidence,
		Criticality: in.Criticality, Types: in.Types, UserDefinedFields: in.UserDefinedFields}
	if in.Note != nil {
		u.Note = &securityhub.Note{Text: in.Note.Text, UpdatedBy: in.Note.UpdatedBy}
	}
	if in.Workflow != nil {
		u.Workflow = in.Workflow.Status
	}
	processed, unprocessed, err := h.BatchUpdate(c.Ctx, c.Account(), c.Region, in.FindingIdentifiers, u)
	if err != nil {
		return nil, err
	}
	return &BatchUpdateFindingsOutput{ProcessedFindings: processed, UnprocessedFindings: unprocessed}, nil
}
