package server

import (
	"encoding/base64"

	"github.com/rootward/rootward/internal/awsproto"
)

// GenerateCredentialReport and GetCredentialReport, the account's credential report (see
// iam.Service.GenerateCredentialReport for its contents). Neither names a resource, so the server
// authorizes them as iam:GenerateCredentialReport / iam:GetCredentialReport on "*", as IAM does
// (Service Authorization Reference: neither action has a resource type).

// reportStarted is the Description IAM gives with State STARTED (IAM API reference,
// GenerateCredentialReport, and the AWS CLI example output).
const reportStarted = "No report exists. Starting a new report generation task"

func addCredentialReportOps(ops map[string]*op) {
	ops["GenerateCredentialReport"] = &op{run: func(c *call) (any, error) {
		started, err := c.s.iam.GenerateCredentialReport(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		// Generation is synchronous, so a report is COMPLETE as soon as it exists and the
		// INPROGRESS state is never answered.
		if !started {
			return struct {
				State string `xml:"State"`
			}{"COMPLETE"}, nil
		}
		return struct {
			State       string `xml:"State"`
			Description string `xml:"Description"`
		}{"STARTED", reportStarted}, nil
	}}
	// GetCredentialReport answers ReportNotPresent or ReportExpired (both 410); ReportInProgress
	// (404) cannot happen because a report is stored whole when generated.
	ops["GetCredentialReport"] = &op{run: func(c *call) (any, error) {
		r, err := c.s.iam.GetCredentialReport(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		// Content is an awsQuery blob: base64 text in the XML, which the SDKs decode.
		return struct {
			Content       string        `xml:"Content"`
			ReportFormat  string        `xml:"ReportFormat"`
			GeneratedTime awsproto.Time `xml:"GeneratedTime"`
		}{base64.StdEncoding.EncodeToString(r.Content), "text/csv", awsproto.Time(r.GeneratedTime)}, nil
	}}
}
