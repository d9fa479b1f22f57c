package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The AWS CLI drives AWS Account Management on a started server: the contact information and an
// alternate contact round-trip, and a missing contact is AWS's ResourceNotFoundException.
func TestServeAccountWithAWSCLI(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	s.waitFor(t, regexp.QuoteMeta("credentials"))

	awsCLI(t, data, s.endpoint, "account", "put-contact-information", "--contact-information",
		`{"FullName":"Ada Lovelace","AddressLine1":"1 Analytical Way","City":"Seattle","StateOrRegion":"WA","PostalCode":"98101","CountryCode":"US","PhoneNumber":"+1 206 555 0142"}`)
	out := awsCLI(t, data, s.endpoint, "account", "get-contact-information")
	for _, want := range []string{`"FullName": "Ada Lovelace"`, `"PhoneNumber": "+12065550142"`, `"CountryCode": "US"`} {
		if !strings.Contains(out, want) {
			t.Errorf("get-contact-information = %s, want %s", out, want)
		}
	}
	awsCLI(t, data, s.endpoint, "account", "put-alternate-contact", "--alternate-contact-type", "SECURITY",
		"--name", "SecOps", "--title", "On call", "--email-address", "secops@example.com", "--phone-number", "+12065550100")
	if out := awsCLI(t, data, s.endpoint, "account", "get-alternate-contact", "--alternate-contact-type", "SECURITY"); !strings.Contains(out, `"EmailAddress": "secops@example.com"`) {
		t.Errorf("get-alternate-contact = %s", out)
	}
	out, err := runAWSCLI(data, s.endpoint, "account", "get-alternate-contact", "--alternate-contact-type", "BILLING")
	if want := "An error occurred (ResourceNotFoundException) when calling the GetAlternateContact operation: No contact of the specified type was found."; err == nil || !strings.Contains(out, want) {
		t.Errorf("get-alternate-contact BILLING: %v, %q; want %q", err, out, want)
	}
	out, err = runAWSCLI(data, s.endpoint, "account", "put-alternate-contact", "--alternate-contact-type", "OPERATIONS",
		"--name", "Ops", "--title", "SRE", "--email-address", "ops@", "--phone-number", "+12065550100")
	if want := "An error occurred (ValidationException) when calling the PutAlternateContact operation: 1 validation error detected: Value at 'emailAddress' failed to satisfy constraint"; err == nil || !strings.Contains(out, want) {
		t.Errorf("put-alternate-contact with a bad email: %v, %q; want %q", err, out, want)
	}
	s.stop(t)
}
