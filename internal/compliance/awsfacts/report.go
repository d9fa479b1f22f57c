package awsfacts

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/compliance"
)

// The credential report (IAM User Guide, "Generate credential reports for your AWS account",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html): a CSV
// with a header row, the root user's row (user <root_account>) and one row per IAM user.
const (
	reportRootUser = "<root_account>"
	cellNA         = "N/A"
)

type credentialReport struct {
	root  *reportRow
	users map[string]*reportRow
}

type reportRow struct {
	passwordEnabled  bool
	passwordLastUsed string // the raw cell: a time, no_information, N/A or not_supported
	passwordUsed     time.Time
	keys             []compliance.AccessKey
	certs            int
}

// lastUsed is when the row's password or any of its keys was last used (zero: never).
func (r *reportRow) lastUsed() time.Time {
	last := r.passwordUsed
	for _, k := range r.keys {
		if k.LastUsed.After(last) {
			last = k.LastUsed
		}
	}
	return last
}

// credentialReport generates the report and reads it, asking at most ReportTries times while IAM
// is still generating it (GenerateCredentialReport's State, GetCredentialReport's
// ReportInProgress / ReportNotPresent).
func (c *Collector) credentialReport(ctx context.Context) (*credentialReport, error) {
	tries := c.ReportTries
	if tries <= 0 {
		tries = 10
	}
	for i := range tries {
		if i > 0 {
			if err := c.reportWait(ctx); err != nil {
				return nil, err
			}
		}
		// Asking again is harmless: IAM reuses a report younger than four hours.
		if _, err := c.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil {
			return nil, err
		}
		rep, err := c.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		switch code(err) {
		case "":
			return parseCredentialReport(rep.Content)
		case "ReportInProgress", "ReportNotPresent", "ReportExpired":
			continue
		}
		return nil, err
	}
	return nil, fmt.Errorf("the credential report was not ready after %d tries", tries)
}

func (c *Collector) reportWait(ctx context.Context) error {
	if c.ReportWait != nil {
		return c.ReportWait(ctx)
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseCredentialReport reads the report's CSV by column name, so reports with fewer or more
// columns than AWS's current ones still read. Booleans are compared without regard to case:
// AWS writes true/false, older Rootward TRUE/FALSE.
func parseCredentialReport(content []byte) (*credentialReport, error) {
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("the credential report is not CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("the credential report is empty")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[strings.TrimSpace(name)] = i
	}
	if _, ok := col["user"]; !ok {
		return nil, fmt.Errorf("the credential report has no user column")
	}
	cell := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	rep := &credentialReport{users: map[string]*reportRow{}}
	for _, row := range rows[1:] {
		out := &reportRow{passwordEnabled: isTrue(cell(row, "password_enabled")),
			passwordLastUsed: cell(row, "password_last_used"), passwordUsed: reportTime(cell(row, "password_last_used"))}
		for n := 1; n <= 2; n++ {
			prefix := fmt.Sprintf("access_key_%d_", n)
			rotated := reportTime(cell(row, prefix+"last_rotated"))
			active := isTrue(cell(row, prefix+"active"))
			if rotated.IsZero() && !active {
				continue // no such key
			}
			out.keys = append(out.keys, compliance.AccessKey{ID: fmt.Sprintf("access_key_%d", n), Active: active,
				Created: rotated, LastUsed: reportTime(cell(row, prefix+"last_used_date"))})
		}
		for n := 1; n <= 2; n++ {
			prefix := fmt.Sprintf("cert_%d_", n)
			if isTrue(cell(row, prefix+"active")) || !reportTime(cell(row, prefix+"last_rotated")).IsZero() {
				out.certs++
			}
		}
		if user := cell(row, "user"); user == reportRootUser {
			rep.root = out
		} else {
			rep.users[user] = out
		}
	}
	return rep, nil
}

func isTrue(s string) bool { return strings.EqualFold(s, "true") }

// reportTime parses a timestamp cell (ISO 8601, e.g. 2014-10-01T18:53:17+00:00); N/A,
// no_information and not_supported are the zero time.
func reportTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
