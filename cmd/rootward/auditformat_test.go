package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// goldenRows are rows of every status, across two accounts, with the characters each format must
// escape: commas and quotes (CSV), <, & and quotes (XML), a newline and a tab (the table).
var goldenRows = []auditRow{
	{ID: "ROOT_ACCOUNT_MFA_ENABLED", Title: "Root user has MFA", Account: "111122223333", Status: "FAILED",
		Evidence: "The root user has no MFA device.", Remediation: "Assign an MFA device to the root user: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html"},
	{ID: "IAM_ROOT_ACCESS_KEY_CHECK", Title: "Root user has no access key", Account: "111122223333", Status: "PASSED",
		Evidence: "The root user has no access key.", Remediation: "Delete the root user's access keys."},
	{ID: "ROOTWARD_ACCOUNT_CONTACTS_PRESENT", Title: "Contact phone & security contact", Account: "111122223333", Status: "ERROR",
		Evidence: "account:GetContactInformation failed: AccessDeniedException: User: \"arn:aws:iam::111122223333:user/audit\" <not authorized>", Remediation: "Set the contacts,\nthen audit\tagain.\x1b[31m"},
	{ID: "ROOTWARD_ROOT_CREDENTIALS_REMOVED", Title: "Member root credentials removed", Account: "444455556666", Status: "PASSED",
		Evidence: "The root user has no password, access key, signing certificate or MFA device.", Remediation: "None needed."},
	{ID: "ROOT_ACCOUNT_MFA_ENABLED", Title: "Root user has MFA", Account: "444455556666", Status: "NOT_APPLICABLE",
		Evidence: "The member's root credentials were removed.", Remediation: "Assign an MFA device to the root user."},
}

// Each output format of `rootward audit`, byte for byte (go test ./cmd/rootward -run
// TestAuditFormatsGolden -update rewrites them after an intended change).
func TestAuditFormatsGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "junit"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := auditWriters[format](&buf, goldenRows); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "audit", format+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("%s output differs from %s:\ngot:\n%s\nwant:\n%s", format, path, buf.Bytes(), want)
			}
		})
	}
}
