package awsfacts

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/compliance"
)

const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

// The report reads as AWS writes it (lowercase true/false, N/A, no_information, not_supported)
// and as older Rootward wrote it (TRUE/FALSE).
func TestParseCredentialReport(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name, body string
		root       reportRow
		users      map[string]reportRow
	}{
		{"AWS's lowercase booleans", reportHeader +
			"<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T10:00:00+00:00,not_supported,not_supported,true," +
			"true,2021-01-01T00:00:00+00:00,2026-11-20T08:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,true,2022-01-01T00:00:00+00:00\n" +
			"alice,arn:aws:iam::111122223333:user/alice,2024-01-01T00:00:00+00:00,true,no_information,2024-01-01T00:00:00+00:00,N/A,false," +
			"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			reportRow{passwordLastUsed: "2026-11-01T10:00:00+00:00", passwordUsed: at("2026-11-01T10:00:00Z"), certs: 1,
				keys: []compliance.AccessKey{{ID: "access_key_1", Active: true, Created: at("2021-01-01T00:00:00Z"), LastUsed: at("2026-11-20T08:00:00Z")}}},
			map[string]reportRow{"alice": {passwordEnabled: true, passwordLastUsed: "no_information"}}},
		{"older Rootward's uppercase booleans, a root without a password", reportHeader +
			"<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,FALSE," +
			"FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A\n" +
			"bob,arn:aws:iam::111122223333:user/bob,2024-01-01T00:00:00+00:00,TRUE,N/A,2024-01-01T00:00:00+00:00,N/A,TRUE," +
			"FALSE,2025-01-01T00:00:00+00:00,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A\n",
			reportRow{passwordLastUsed: "N/A"},
			map[string]reportRow{"bob": {passwordEnabled: true, passwordLastUsed: "N/A",
				keys: []compliance.AccessKey{{ID: "access_key_1", Created: at("2025-01-01T00:00:00Z")}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := parseCredentialReport([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			same := func(who string, got *reportRow, want reportRow) {
				t.Helper()
				if got == nil {
					t.Fatalf("%s: no row", who)
				}
				if got.passwordEnabled != want.passwordEnabled || got.passwordLastUsed != want.passwordLastUsed ||
					!got.passwordUsed.Equal(want.passwordUsed) || got.certs != want.certs || len(got.keys) != len(want.keys) {
					t.Fatalf("%s: got %+v, want %+v", who, *got, want)
				}
				for i := range want.keys {
					g, w := got.keys[i], want.keys[i]
					if g.ID != w.ID || g.Active != w.Active || !g.Created.Equal(w.Created) || !g.LastUsed.Equal(w.LastUsed) {
						t.Fatalf("%s key %d: got %+v, want %+v", who, i, g, w)
					}
				}
			}
			same("root", rep.root, tc.root)
			for name, want := range tc.users {
				same(name, rep.users[name], want)
			}
		})
	}
	for _, bad := range []string{"", "not,a\n\"report", "a,b\n1,2\n"} {
		if _, err := parseCredentialReport([]byte(bad)); err == nil {
			t.Errorf("parseCredentialReport(%q): no error", bad)
		}
	}
}

// Guard answers ERROR, never PASSED, for a check whose fact the auditor could not read, and
// leaves the others alone.
func TestGuard(t *testing.T) {
	f := &compliance.Facts{Account: "111122223333", Missing: map[string]string{GroupRootUse: "iam:GetCredentialReport failed: AccessDenied"}}
	results := []compliance.Result{
		{Check: "ROOTWARD_ROOT_UNUSED_90_DAYS", Status: compliance.Passed, Evidence: "The root user has never been used."},
		{Check: "ROOTWARD_ROOT_MFA_TWO_DEVICES", Status: compliance.Failed, Evidence: "The root user has 1 MFA device(s)."},
		{Check: "ROOT_ACCOUNT_MFA_ENABLED", Status: compliance.Passed},
	}
	got := Guard(f, results)
	want := []compliance.Status{compliance.Error, compliance.Failed, compliance.Passed}
	for i, w := range want {
		if got[i].Status != w {
			t.Errorf("%s: got %s (%s), want %s", got[i].Check, got[i].Status, got[i].Evidence, w)
		}
	}
	if got[0].Evidence != "Could not read rootUse: iam:GetCredentialReport failed: AccessDenied" {
		t.Errorf("evidence = %q", got[0].Evidence)
	}
}
