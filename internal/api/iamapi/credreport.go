package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
)

// GenerateCredentialReport and GetCredentialReport, the account's credential report (see
// iam.Service.GenerateCredentialReport for its contents). Neither names a resource, so they are
// authorized as iam:GenerateCredentialReport / iam:GetCredentialReport on "*", as IAM does
// (Service Authorization Reference: neither action has a resource type).

var GenerateCredentialReport = add(&api.Op[GenerateCredentialReportInput, GenerateCredentialReportOutput]{
	Name: "GenerateCredentialReport", Run: generateCredentialReport})

// GetCredentialReport answers ReportNotPresent or ReportExpired (both 410); ReportInProgress
// (404) cannot happen because a report is stored whole when generated.
var GetCredentialReport = add(&api.Op[GetCredentialReportInput, GetCredentialReportOutput]{
	Name: "GetCredentialReport", Run: getCredentialReport})

// reportStarted is the Description IAM gives with State STARTED (IAM API reference,
// GenerateCredentialReport, and the AWS CLI example output).
const reportStarted = "No report exists. Starting a new report generation task"

// GenerateCredentialReportInput has no members.
type GenerateCredentialReportInput struct{}

// GenerateCredentialReportOutput is STARTED (with IAM's Description) when a report was generated,
// COMPLETE when a recent one exists. Generation is synchronous, so a report is COMPLETE as soon as
// it exists and the INPROGRESS state is never answered.
type GenerateCredentialReportOutput struct {
	State       string `xml:"State"`
	Description string `xml:"Description,omitempty"`
}

func generateCredentialReport(c *api.Call, _ *GenerateCredentialReportInput) (*GenerateCredentialReportOutput, error) {
	started, err := c.IAM.GenerateCredentialReport(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	if !started {
		return &GenerateCredentialReportOutput{State: "COMPLETE"}, nil
	}
	return &GenerateCredentialReportOutput{State: "STARTED", Description: reportStarted}, nil
}

// GetCredentialReportInput has no members.
type GetCredentialReportInput struct{}

// GetCredentialReportOutput is the report, a CSV document.
type GetCredentialReportOutput struct {
	Content       Blob          `xml:"Content"`
	ReportFormat  string        `xml:"ReportFormat"`
	GeneratedTime awsproto.Time `xml:"GeneratedTime"`
}

func getCredentialReport(c *api.Call, _ *GetCredentialReportInput) (*GetCredentialReportOutput, error) {
	r, err := c.IAM.GetCredentialReport(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &GetCredentialReportOutput{Content: r.Content, ReportFormat: "text/csv", GeneratedTime: awsproto.Time(r.GeneratedTime)}, nil
}
