package iam

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/testutil"
)

// reportRows generates (if needed) and parses the account's credential report.
func (e *credEnv) reportRows(t *testing.T) [][]string {
	t.Helper()
	if _, err := e.svc.GenerateCredentialReport(e.ctx, e.account.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.GetCredentialReport(e.ctx, e.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCredentialReportLifecycle(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	steps := []struct {
		name        string
		advance     time.Duration
		generate    bool
		wantStarted bool
		wantGetCode awserr.Code
		wantAge     time.Duration // age of the report Get returns
	}{
		{name: "no report yet", wantGetCode: awserr.ReportNotPresent},
		{name: "first generation starts", generate: true, wantStarted: true},
		{name: "fresh report reused", advance: time.Hour, generate: true, wantAge: time.Hour},
		{name: "still served just before four hours", advance: 4*time.Hour - time.Hour - time.Second, wantAge: 4*time.Hour - time.Second},
		{name: "expired at four hours", advance: time.Second, wantGetCode: awserr.ReportExpired},
		{name: "expired report regenerated", generate: true, wantStarted: true},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		if st.generate {
			started, err := e.svc.GenerateCredentialReport(e.ctx, acct)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if started != st.wantStarted {
				t.Fatalf("%s: started = %v, want %v", st.name, started, st.wantStarted)
			}
		}
		r, err := e.svc.GetCredentialReport(e.ctx, acct)
		testutil.WantCode(t, err, st.wantGetCode)
		if st.wantGetCode != "" {
			if e, _ := awserr.As(err); awsproto.Status(e) != http.StatusGone {
				t.Fatalf("%s: status = %d, want 410", st.name, awsproto.Status(e))
			}
			continue
		}
		if age := e.svc.Now().Sub(r.GeneratedTime); age != st.wantAge {
			t.Fatalf("%s: report age = %v, want %v", st.name, age, st.wantAge)
		}
	}
}

func TestCredentialReportRows(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	ctx := e.ctx
	t0 := e.svc.Now()
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

	// The root user: a password used once, an MFA device, one unused access key.
	if err := e.svc.SetRootPassword(ctx, acct, "Root-Password-Long-Enough-1!"); err != nil {
		t.Fatal(err)
	}
	e.enable(t, "", "root-mfa")
	e.addRootKey(t, "AKIAROOTKEY000000001", nil)
	rootUsed := t0.Add(time.Minute)
	if err := e.svc.RecordPasswordUse(ctx, acct, "", rootUsed); err != nil {
		t.Fatal(err)
	}

	// alice: password (90-day rotation), MFA, two keys of which the older was used and the newer
	// deactivated, one certificate.
	if err := e.svc.UpdateAccountPasswordPolicy(ctx, acct, PasswordPolicyInput{MaxPasswordAge: new(90)}); err != nil {
		t.Fatal(err)
	}
	e.user(t, "alice")
	if _, err := e.svc.CreateLoginProfile(ctx, acct, "alice", "Alice-Password-1!", false); err != nil {
		t.Fatal(err)
	}
	e.enable(t, "alice", "alice-mfa")
	k1, err := e.svc.CreateAccessKey(ctx, acct, "alice")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	t1 := e.svc.Now()
	k2, err := e.svc.CreateAccessKey(ctx, acct, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UpdateAccessKey(ctx, acct, "alice", k2.AccessKeyID, "Inactive"); err != nil {
		t.Fatal(err)
	}
	keyUsed := t1.Add(30 * time.Second)
	if err := e.svc.RecordKeyUse(ctx, k1.AccessKeyID, "iam", "us-east-1", keyUsed); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UploadSigningCertificate(ctx, acct, "alice", testutil.SelfSignedPEM(t, "alice")); err != nil {
		t.Fatal(err)
	}
	aliceUsed := t1.Add(time.Minute)
	if err := e.svc.RecordPasswordUse(ctx, acct, "Alice", aliceUsed); err != nil { // names fold
		t.Fatal(err)
	}
	// bob: nothing at all. carol: a password never used.
	e.user(t, "bob")
	e.user(t, "carol")
	if _, err := e.svc.CreateLoginProfile(ctx, acct, "carol", "Carol-Password-1!", false); err != nil {
		t.Fatal(err)
	}

	rows := e.reportRows(t)
	alice, _ := e.svc.GetUser(ctx, acct, "alice")
	bob, _ := e.svc.GetUser(ctx, acct, "bob")
	carol, _ := e.svc.GetUser(ctx, acct, "carol")
	want := [][]string{
		credentialReportHeader,
		{"<root_account>", "arn:aws:iam::" + acct + ":root", ts(e.account.CreatedAt), "not_supported", ts(rootUsed),
			"not_supported", "not_supported", "true",
			"true", ts(t0), "N/A", "N/A", "N/A",
			"false", "N/A", "N/A", "N/A", "N/A",
			"false", "N/A", "false", "N/A"},
		{"alice", alice.Arn, ts(alice.CreateDate), "true", ts(aliceUsed), ts(t0), ts(t0.AddDate(0, 0, 90)), "true",
			"true", ts(t0), ts(keyUsed), "us-east-1", "iam",
			"false", ts(t1), "N/A", "N/A", "N/A",
			"true", ts(t1), "false", "N/A"},
		{"bob", bob.Arn, ts(bob.CreateDate), "false", "N/A", "N/A", "N/A", "false",
			"false", "N/A", "N/A", "N/A", "N/A",
			"false", "N/A", "N/A", "N/A", "N/A",
			"false", "N/A", "false", "N/A"},
		{"carol", carol.Arn, ts(carol.CreateDate), "true", "no_information", ts(t1), ts(t1.AddDate(0, 0, 90)), "false",
			"false", "N/A", "N/A", "N/A", "N/A",
			"false", "N/A", "N/A", "N/A", "N/A",
			"false", "N/A", "false", "N/A"},
	}
	if len(rows) != len(want) {
		t.Fatalf("report has %d rows, want %d:\n%q", len(rows), len(want), rows)
	}
	for i := range want {
		name := want[i][0]
		t.Run(name, func(t *testing.T) {
			if len(rows[i]) != len(want[i]) {
				t.Fatalf("%d cells, want %d: %q", len(rows[i]), len(want[i]), rows[i])
			}
			for j := range want[i] {
				if rows[i][j] != want[i][j] {
					t.Errorf("%s = %q, want %q", credentialReportHeader[j], rows[i][j], want[i][j])
				}
			}
		})
	}
}

func TestRecordPasswordUse(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "dave")
	at := time.Date(2026, 3, 14, 16, 0, 0, 500, time.UTC)
	cases := []struct {
		name     string
		account  string
		user     string
		wantCode awserr.Code
	}{
		{name: "IAM user", account: acct, user: "dave"},
		{name: "root user", account: acct, user: ""},
		{name: "unknown user", account: acct, user: "nobody", wantCode: awserr.NoSuchEntity},
		{name: "unknown account", account: "999999999999", user: "", wantCode: awserr.NoSuchEntity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.RecordPasswordUse(e.ctx, tc.account, tc.user, at)
			testutil.WantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				return
			}
			var got *time.Time
			if tc.user == "" {
				a, err := e.svc.GetAccount(e.ctx, tc.account)
				if err != nil {
					t.Fatal(err)
				}
				got = a.RootPasswordLastUsed
			} else {
				u, err := e.svc.GetUser(e.ctx, tc.account, tc.user)
				if err != nil {
					t.Fatal(err)
				}
				got = u.PasswordLastUsed
			}
			if want := at.Truncate(time.Second); got == nil || !got.Equal(want) {
				t.Fatalf("last used = %v, want %v", got, want)
			}
		})
	}
}
