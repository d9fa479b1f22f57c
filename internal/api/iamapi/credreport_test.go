package iamapi_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// reportTS formats a time as the credential report does.
func reportTS(t *time.Time) string {
	if t == nil {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

func TestCredentialReportOps(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	// The admin's client, signing with the server's clock.
	admin := awsiam.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       testutil.SDKHTTPClient(),
	}, func(o *awsiam.Options) {
		o.BaseEndpoint = aws.String(e.URL)
		o.HTTPSignerV4 = clockSigner{inner: v4.NewSigner(), now: clk.Now}
	})

	// Before any generation.
	_, err := admin.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	testutil.WantCode(t, err, "ReportNotPresent")
	testutil.WantStatus(t, err, http.StatusGone)

	// alice: a console password, a virtual MFA device, two keys of which the first was used.
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	must(admin.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Alice-Password-1!")}))
	dev, err := admin.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	if err != nil {
		t.Fatal(err)
	}
	seed := dev.VirtualMFADevice.Base32StringSeed
	must(admin.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: dev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(testutil.TOTPCode(t, seed, clk.Now().Add(-30*time.Second))), AuthenticationCode2: aws.String(testutil.TOTPCode(t, seed, clk.Now()))}))
	k1, err := admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	must(admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	alice, _ := e.Clients(*k1.AccessKey.AccessKeyId, *k1.AccessKey.SecretAccessKey, "")
	// A call alice is not allowed to make still records the key's use.
	_, err = alice.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
	// bob: nothing.
	must(admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}))

	gen, err := admin.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted || aws.ToString(gen.Description) != "No report exists. Starting a new report generation task" {
		t.Fatalf("first GenerateCredentialReport = %+v, %v", gen, err)
	}
	gen, err = admin.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeComplete || gen.Description != nil {
		t.Fatalf("second GenerateCredentialReport = %+v, %v", gen, err)
	}
	generated := clk.Now().UTC().Truncate(time.Second)
	out, err := admin.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ReportFormat != types.ReportFormatTypeTextCsv || out.GeneratedTime == nil || !out.GeneratedTime.Equal(generated) {
		t.Fatalf("GetCredentialReport = format %q, generated %v; want text/csv, %v", out.ReportFormat, out.GeneratedTime, generated)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out.Content))).ReadAll()
	if err != nil {
		t.Fatalf("Content is not CSV: %v", err)
	}

	// The expected cells, from what the other IAM operations say about the same entities.
	user := func(name string) *types.User {
		u, err := admin.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return u.User
	}
	keys, err := admin.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	created := map[string]*time.Time{}
	for _, k := range keys.AccessKeyMetadata {
		created[*k.AccessKeyId] = k.CreateDate
	}
	used, err := admin.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKey.AccessKeyId})
	if err != nil || used.AccessKeyLastUsed.LastUsedDate == nil {
		t.Fatalf("GetAccessKeyLastUsed = %+v, %v", used, err)
	}
	lp, err := admin.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	var k2ID string
	for id := range created {
		if id != *k1.AccessKey.AccessKeyId {
			k2ID = id
		}
	}
	au, bu := user("alice"), user("bob")
	want := map[string][]string{
		"<root_account>": {"<root_account>", "arn:aws:iam::" + acct + ":root", reportTS(&e.Account.CreatedAt), "not_supported", "N/A",
			"not_supported", "not_supported", "false",
			"false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		"alice": {"alice", *au.Arn, reportTS(au.CreateDate), "true", "no_information", reportTS(lp.LoginProfile.CreateDate), "N/A", "true",
			"true", reportTS(created[*k1.AccessKey.AccessKeyId]), reportTS(used.AccessKeyLastUsed.LastUsedDate), "us-east-1", "iam",
			"true", reportTS(created[k2ID]), "N/A", "N/A", "N/A",
			"false", "N/A", "false", "N/A"},
		"bob": {"bob", *bu.Arn, reportTS(bu.CreateDate), "false", "N/A", "N/A", "N/A", "false",
			"false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
	}
	header := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation," +
		"mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," +
		"access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date," +
		"access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
	if len(rows) == 0 || strings.Join(rows[0], ",") != header {
		t.Fatalf("header = %q", rows)
	}
	cols := rows[0]
	// Rows: root first, then users by name: admin, alice, bob.
	if got := len(rows); got != 5 || rows[1][0] != "<root_account>" || rows[2][0] != "admin" || rows[3][0] != "alice" || rows[4][0] != "bob" {
		t.Fatalf("rows = %q", rows)
	}
	for _, row := range rows[1:] {
		w, ok := want[row[0]]
		if !ok {
			continue // admin: its key's last use changes with every call of this test
		}
		t.Run(row[0], func(t *testing.T) {
			if len(row) != len(w) {
				t.Fatalf("%d cells, want %d", len(row), len(w))
			}
			for i := range w {
				if row[i] != w[i] {
					t.Errorf("%s = %q, want %q", cols[i], row[i], w[i])
				}
			}
		})
	}

	// Four hours after generation the report has expired; a new generation starts afresh.
	clk.Advance(4 * time.Hour)
	_, err = admin.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	testutil.WantCode(t, err, "ReportExpired")
	testutil.WantStatus(t, err, http.StatusGone)
	gen, err = admin.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted {
		t.Fatalf("GenerateCredentialReport after expiry = %+v, %v", gen, err)
	}
	out, err = admin.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil || !out.GeneratedTime.Equal(clk.Now().UTC().Truncate(time.Second)) {
		t.Fatalf("GetCredentialReport after regeneration = %+v, %v", out, err)
	}
}

func TestCredentialReportAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	cases := []struct {
		name     string
		policy   string
		wantCode string
	}{
		{name: "no policy", wantCode: "AccessDenied"},
		{name: "both actions on *", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Action":["iam:GenerateCredentialReport","iam:GetCredentialReport"],"Resource":"*"}]}`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := e.UserClients("reader"+string(rune('a'+i)), tc.policy)
			_, err := c.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
			testutil.WantCode(t, err, tc.wantCode)
			_, err = c.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
			testutil.WantCode(t, err, tc.wantCode)
		})
	}
}
