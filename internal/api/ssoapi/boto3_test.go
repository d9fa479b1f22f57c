package ssoapi_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/portaltest"
)

// boto3Script prints the caller of an SSO profile's credentials: botocore refreshes the cached
// (expired) token at AWS_ENDPOINT_URL_SSO_OIDC, gets the role's credentials at
// AWS_ENDPOINT_URL_SSO, and signs sts:GetCallerIdentity with them.
//
// botocore reads the AWS_ENDPOINT_URL_<SERVICE> variables from 1.31 on; Debian 12's, which CI
// installs (PyPI is out of its reach), is 1.29. For a botocore older than 1.31 the script reads
// the same variables itself, by giving each client it creates the endpoint they name: the profile,
// the token cache, the token refresh and the role credentials are still botocore's own.
const boto3Script = `
import os
import boto3, botocore, botocore.session

if tuple(int(x) for x in botocore.__version__.split(".")[:2]) < (1, 31):
    create_client = botocore.session.Session.create_client

    def with_endpoint(self, service_name, *args, **kwargs):
        name = "AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_")
        url = os.environ.get(name) or os.environ.get("AWS_ENDPOINT_URL")
        if url and kwargs.get("endpoint_url") is None and len(args) < 5:
            kwargs["endpoint_url"] = url
        return create_client(self, service_name, *args, **kwargs)

    botocore.session.Session.create_client = with_endpoint

print(boto3.Session(profile_name="portal").client("sts").get_caller_identity()["Arn"])
`

// TestBoto3SSOProfile: an SSO profile of boto3 (sso-session, the token cache `aws sso login`
// writes) against Rootward through AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC. It skips
// without a python3 with boto3, except under CI=true, whose install step provides one (.ci/run;
// ROOTWARD_TEST_PYTHON names another python).
func TestBoto3SSOProfile(t *testing.T) {
	python := os.Getenv("ROOTWARD_TEST_PYTHON")
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s with boto3 is required under CI (.ci/run installs python3-boto3): %v\n%s", python, err, out)
		}
		t.Skipf("skipped: %s has no boto3 (%v; ROOTWARD_TEST_PYTHON names another python)", python, err)
	}
	e, u, member, roleName := setup(t)
	ctx := context.Background()
	oidc := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.URL)})
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-rw"), ClientType: aws.String("public"),
		GrantTypes: []string{portal.GrantDeviceCode, portal.GrantRefreshToken}, Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(portaltest.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Portal.AnswerDevice(ctx, aws.ToString(d.UserCode), u, true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(portal.GrantDeviceCode), DeviceCode: d.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	config := "[profile portal]\nsso_session = rw\nsso_account_id = " + member.ID + "\nsso_role_name = ReadOnly\nregion = us-east-1\n\n" +
		"[sso-session rw]\nsso_start_url = " + portaltest.StartURL + "\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
	if err := os.MkdirAll(filepath.Join(home, ".aws", "sso", "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// The cache file of sso-session "rw" (botocore names it by the SHA-1 of the session name),
	// its access token expired so that botocore refreshes it first.
	sum := sha1.Sum([]byte("rw"))
	cache, _ := json.Marshal(map[string]any{"startUrl": portaltest.StartURL, "region": "us-east-1", "accessToken": aws.ToString(tok.AccessToken),
		"expiresAt": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "clientId": aws.ToString(reg.ClientId), "clientSecret": aws.ToString(reg.ClientSecret),
		"registrationExpiresAt": time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339), "refreshToken": aws.ToString(tok.RefreshToken)})
	if err := os.WriteFile(filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), cache, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", boto3Script)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_SSO=" + e.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + e.URL, "AWS_ENDPOINT_URL_STS=" + e.URL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "arn:aws:sts::"+member.ID+":assumed-role/"+roleName+"/alice@example.com"; got != want {
		t.Errorf("boto3's caller = %s, want %s", got, want)
	}
}
