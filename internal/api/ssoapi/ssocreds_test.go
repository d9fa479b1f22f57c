package ssoapi_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/portaltest"
)

// TestSDKSSOProviders runs what `aws sso login` and an SSO profile do with aws-sdk-go-v2's own
// providers: the device flow with the sso-oidc client (the user's approval is the portal's
// AnswerDevice, which the /device page calls), the token cache file as `aws sso login` writes it,
// then ssocreds' credential provider (GetRoleCredentials) signing sts:GetCallerIdentity as the
// AWSReservedSSO role, and ssocreds' token provider refreshing an expired token with the cached
// refresh token (CreateToken, refresh_token grant).
func TestSDKSSOProviders(t *testing.T) {
	e, u, member, roleName := setup(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.URL)}
	oidc := ssooidc.NewFromConfig(cfg)
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-rootward"), ClientType: aws.String("public"),
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
	// The cache file, as the CLI writes it for an sso-session.
	cache := filepath.Join(t.TempDir(), "token.json")
	write := func(expires time.Time, access, refresh string) {
		b, _ := json.Marshal(map[string]any{"startUrl": portaltest.StartURL, "region": "us-east-1", "accessToken": access,
			"expiresAt": expires.UTC().Format(time.RFC3339), "clientId": aws.ToString(reg.ClientId), "clientSecret": aws.ToString(reg.ClientSecret),
			"registrationExpiresAt": time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339), "refreshToken": refresh})
		if err := os.WriteFile(cache, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(time.Now().Add(time.Hour), aws.ToString(tok.AccessToken), aws.ToString(tok.RefreshToken))

	portalClient := portalClient(e)
	creds := ssocreds.New(portalClient, member.ID, "ReadOnly", portaltest.StartURL, func(o *ssocreds.Options) { o.CachedTokenFilepath = cache })
	sc := cfg
	sc.Credentials = aws.NewCredentialsCache(creds)
	id, err := sts.NewFromConfig(sc).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with ssocreds: %v", err)
	}
	if want := "arn:aws:sts::" + member.ID + ":assumed-role/" + roleName + "/alice@example.com"; aws.ToString(id.Arn) != want {
		t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}

	// An expired access token: the token provider refreshes it with the refresh token, rotating it
	// in the cache file.
	write(time.Now().Add(-time.Minute), aws.ToString(tok.AccessToken), aws.ToString(tok.RefreshToken))
	tp := ssocreds.NewSSOTokenProvider(oidc, cache)
	fresh, err := tp.RetrieveBearerToken(ctx)
	if err != nil {
		t.Fatalf("token provider refresh: %v", err)
	}
	if fresh.Value == "" || fresh.Value == aws.ToString(tok.AccessToken) {
		t.Fatalf("refreshed token = %q; want a new one", fresh.Value)
	}
	if got, err := e.Portal.TokenUser(ctx, fresh.Value); err != nil || got.UserID != u.UserID {
		t.Errorf("refreshed token's user = %+v, %v; want %s", got, err, u.UserID)
	}
	var cached map[string]any
	b, _ := os.ReadFile(cache)
	_ = json.Unmarshal(b, &cached)
	if cached["refreshToken"] == aws.ToString(tok.RefreshToken) || cached["refreshToken"] == "" {
		t.Errorf("cache refresh token not rotated: %v", cached["refreshToken"])
	}
}
