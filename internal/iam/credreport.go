package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"sort"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// The IAM credential report (GenerateCredentialReport, GetCredentialReport): one CSV row per
// principal with long-term credentials — the root user first, then every IAM user — saying which
// passwords, MFA devices, access keys and signing certificates it has and when they were last
// rotated and used. Column meanings and literal values follow "Getting credential reports for your
// AWS account" (IAM User Guide, credential-reports.html).
//
// Generation is synchronous: the report is built and stored in the same transaction that finds
// none fresh, so GetCredentialReport never sees a report being generated and never answers
// ReportInProgress.

const (
	keyCredReport = "report" // the key of an account's credential report (credentialReports)
	// CredentialReportMaxAge is how long a report is served and reused: "If the existing report is
	// older than four hours, IAM generates a new one" and GetCredentialReport answers ReportExpired
	// (IAM User Guide, "Getting credential reports").
	CredentialReportMaxAge = 4 * time.Hour
	// reportRootUser is the user cell of the root user's row.
	reportRootUser = "<root_account>"
	// Literal cell values from the guide: "N/A (not applicable)", "not_supported" for the root
	// user's password columns, "no_information" for a password never used.
	cellNA            = "N/A"
	cellNotSupported  = "not_supported"
	cellNoInformation = "no_information"
	cellTrue          = "true"
	cellFalse         = "false"
	// reportTimeLayout is ISO 8601 with an explicit UTC offset, as the report writes timestamps
	// (e.g. 2014-10-01T18:53:17+00:00).
	reportTimeLayout = "2006-01-02T15:04:05+00:00"
)

// credentialReportHeader are the report's columns, in AWS's order.
var credentialReportHeader = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// CredentialReport is an account's stored credential report.
type CredentialReport struct {
	Content       []byte
	GeneratedTime time.Time
}

// GenerateCredentialReport builds the account's credential report unless one younger than
// CredentialReportMaxAge exists. started is true when a new report was generated (IAM's State
// STARTED), false when the existing one is reused (COMPLETE). The check and the write are one
// transaction, so concurrent calls store one report.
func (s *Service) GenerateCredentialReport(ctx context.Context, account string) (started bool, err error) {
	now := s.Now()
	err = store.Update(ctx, s.st, func(t txn) error {
		started = false
		old, ok, err := credentialReports.Get(t, account, keyCredReport)
		if err != nil {
			return err
		}
		if ok && now.Sub(old.GeneratedTime) < CredentialReportMaxAge {
			return nil
		}
		content, err := t.credentialReport(account, now)
		if err != nil {
			return err
		}
		started = true
		return credentialReports.Put(t, account, keyCredReport, &credentialReportRecord{Content: content, GeneratedTime: now})
	})
	if err != nil {
		return false, err
	}
	return started, nil
}

// GetCredentialReport returns the account's credential report. Returns ReportNotPresent (410)
// when none was generated and ReportExpired (410) when it is older than CredentialReportMaxAge.
func (s *Service) GetCredentialReport(ctx context.Context, account string) (*CredentialReport, error) {
	var r *credentialReportRecord
	err := s.view(ctx, func(t txn) (err error) {
		r, _, err = credentialReports.Get(t, account, keyCredReport)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, awserr.New(awserr.ReportNotPresent, "Credential report not present. Use GenerateCredentialReport to generate a report.")
	}
	if s.Now().Sub(r.GeneratedTime) >= CredentialReportMaxAge {
		return nil, awserr.New(awserr.ReportExpired, "The credential report has expired. Use GenerateCredentialReport to generate a new report.")
	}
	return &CredentialReport{Content: r.Content, GeneratedTime: r.GeneratedTime}, nil
}

// RecordPasswordUse stores when a console password was accepted at sign-in: the IAM user's
// PasswordLastUsed (GetUser), or the root user's when user is "". AWS records "the date and time
// when the user's password was last used to sign in to an AWS website" (IAM User Guide, credential
// reports, password_last_used). Returns NoSuchEntity for an unknown account or user.
func (s *Service) RecordPasswordUse(ctx context.Context, account, user string, at time.Time) error {
	at = at.UTC().Truncate(time.Second)
	return store.Update(ctx, s.st, func(t txn) error {
		if user == "" {
			a, err := t.account(account)
			if err != nil {
				return err
			}
			a.RootPasswordLastUsed = &at
			return t.putAccount(a)
		}
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		u.PasswordLastUsed = &at
		return t.putUser(account, u)
	})
}

// reportTime formats a timestamp cell.
func reportTime(t time.Time) string { return t.UTC().Format(reportTimeLayout) }

// reportBool is true or false, lowercase, as AWS writes the report's boolean cells
// (password_enabled, mfa_active, access_key_N_active, cert_N_active). The IAM User Guide's column
// descriptions spell them TRUE and FALSE, but the reports IAM generates, and the tools that parse
// them, have them lowercase; issue 13 settled on what IAM writes.
func reportBool(b bool) string {
	if b {
		return cellTrue
	}
	return cellFalse
}

// credentialReport builds the CSV of account as of now.
func (t txn) credentialReport(account string, now time.Time) ([]byte, error) {
	a, err := t.account(account)
	if err != nil {
		return nil, err
	}
	policy, err := t.passwordPolicy(account)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(credentialReportHeader); err != nil {
		return nil, err
	}

	// The root user: its password columns other than password_last_used are not_supported.
	root, err := t.credentialCells(account, "")
	if err != nil {
		return nil, err
	}
	rootUsed := cellNA // no password at all, as for an IAM user without one
	if a.RootPasswordHash != "" {
		rootUsed = cellNoInformation
		if a.RootPasswordLastUsed != nil {
			rootUsed = reportTime(*a.RootPasswordLastUsed)
		}
	}
	row := append([]string{reportRootUser, a.RootARN(), reportTime(a.CreatedAt),
		cellNotSupported, rootUsed, cellNotSupported, cellNotSupported}, root...)
	if err := w.Write(row); err != nil {
		return nil, err
	}

	// IAM users in ListUsers order (by folded name).
	items, err := users.List(t, account, "", "", 0)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		u := it.Record.user()
		lp, err := t.loginProfile(account, u.UserName)
		if err != nil {
			return nil, err
		}
		enabled, used, changed, next := cellFalse, cellNA, cellNA, cellNA
		if lp != nil && len(lp.Hashes) > 0 {
			enabled, used, changed = cellTrue, cellNoInformation, reportTime(lp.PasswordLastChanged)
			if u.PasswordLastUsed != nil {
				used = reportTime(*u.PasswordLastUsed)
			}
			// password_next_rotation: "When the account has a password policy that requires
			// password rotation … the date and time when the user is required to set a new
			// password"; N/A otherwise.
			if exp := lp.PasswordExpiry(policy); exp != nil {
				next = reportTime(*exp)
			}
		}
		cells, err := t.credentialCells(account, u.UserName)
		if err != nil {
			return nil, err
		}
		row := append([]string{u.UserName, u.Arn, reportTime(u.CreateDate), enabled, used, changed, next}, cells...)
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// credentialCells are the mfa_active, access key and certificate cells of user ("" = root).
func (t txn) credentialCells(account, user string) ([]string, error) {
	owner := fold(user) + sep
	mfa, err := t.Count(kindUserMFA, account, owner)
	if err != nil {
		return nil, err
	}
	cells := []string{reportBool(mfa > 0)}

	keys, err := t.accessKeysOf(account, user)
	if err != nil {
		return nil, err
	}
	// Key 1 is the older key; IDs break ties so the order is stable.
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].CreateDate.Equal(keys[j].CreateDate) {
			return keys[i].CreateDate.Before(keys[j].CreateDate)
		}
		return keys[i].AccessKeyID < keys[j].AccessKeyID
	})
	for i := range accessKeysPerUsr {
		if i >= len(keys) {
			cells = append(cells, cellFalse, cellNA, cellNA, cellNA, cellNA)
			continue
		}
		k := keys[i]
		// last_rotated is the key's creation (keys cannot be rotated in place). The last-used
		// cells are N/A when "the access key has never been used".
		cells = append(cells, reportBool(k.Status == "Active"), reportTime(k.CreateDate))
		if k.LastUsed == nil {
			cells = append(cells, cellNA, cellNA, cellNA)
		} else {
			cells = append(cells, reportTime(*k.LastUsed), orNA(k.LastRegion), orNA(k.LastService))
		}
	}

	certs, err := t.signingCertsOf(account, fold(user), user)
	if err != nil {
		return nil, err
	}
	sort.Slice(certs, func(i, j int) bool {
		if !certs[i].UploadDate.Equal(certs[j].UploadDate) {
			return certs[i].UploadDate.Before(certs[j].UploadDate)
		}
		return certs[i].CertificateID < certs[j].CertificateID
	})
	for i := range certsPerUser {
		if i >= len(certs) {
			cells = append(cells, cellFalse, cellNA)
			continue
		}
		cells = append(cells, reportBool(certs[i].Status == "Active"), reportTime(certs[i].UploadDate))
	}
	return cells, nil
}

// orNA is v, or N/A when empty.
func orNA(v string) string {
	if v == "" {
		return cellNA
	}
	return v
}
