package ssooidcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/portaltest"
)

var alice = portal.User{InstanceAccount: "", InstanceID: "ssoins-1234567890abcdef", IdentityStoreID: "d-1234567890", UserID: "u-alice", UserName: "alice"}

func client(e *portaltest.Env) *ssooidc.Client {
	return ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.URL)})
}

func register(t *testing.T, c *ssooidc.Client, grants ...string) *ssooidc.RegisterClientOutput {
	t.Helper()
	in := &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-test"), ClientType: aws.String("public"),
		Scopes: []string{"sso:account:access"}}
	if len(grants) > 0 {
		in.GrantTypes = grants
	}
	out, err := c.RegisterClient(context.Background(), in)
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	return out
}

func start(t *testing.T, c *ssooidc.Client, reg *ssooidc.RegisterClientOutput) *ssooidc.StartDeviceAuthorizationOutput {
	t.Helper()
	out, err := c.StartDeviceAuthorization(context.Background(), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(portaltest.StartURL)})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	return out
}

func poll(c *ssooidc.Client, reg *ssooidc.RegisterClientOutput, device string) (*ssooidc.CreateTokenOutput, error) {
	return c.CreateToken(context.Background(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(portal.GrantDeviceCode), DeviceCode: aws.String(device)})
}

func user(e *portaltest.Env) *portal.User {
	u := alice
	u.InstanceAccount = e.Account.ID
	e.Dir.AddUser(u)
	return &u
}

// TestDeviceFlow runs the device authorization grant as `aws sso login` does: register, start,
// poll (pending, then too fast), approval, the token, and the spent device code.
func TestDeviceFlow(t *testing.T) {
	e := portaltest.New(t)
	ctx := context.Background()
	c := client(e)
	u := user(e)
	reg := register(t, c, portal.GrantDeviceCode, portal.GrantRefreshToken)
	if aws.ToString(reg.ClientId) == "" || aws.ToString(reg.ClientSecret) == "" || reg.ClientSecretExpiresAt-reg.ClientIdIssuedAt != 90*24*3600 {
		t.Fatalf("RegisterClient = %+v; want an ID, a secret and 90 days", reg)
	}
	d := start(t, c, reg)
	if got, want := aws.ToString(d.VerificationUri), portaltest.PublicURL+"/device"; got != want {
		t.Errorf("verificationUri = %q, want %q", got, want)
	}
	if got, want := aws.ToString(d.VerificationUriComplete), portaltest.PublicURL+"/device?user_code="+aws.ToString(d.UserCode); got != want {
		t.Errorf("verificationUriComplete = %q, want %q", got, want)
	}
	if d.ExpiresIn != 600 || d.Interval != 1 || portal.NormalizeUserCode(aws.ToString(d.UserCode)) != aws.ToString(d.UserCode) {
		t.Errorf("expiresIn %d, interval %d, userCode %q; want 600, 1 and a code", d.ExpiresIn, d.Interval, aws.ToString(d.UserCode))
	}
	_, err := poll(c, reg, aws.ToString(d.DeviceCode))
	testutil.WantCode(t, err, "AuthorizationPendingException")
	_, err = poll(c, reg, aws.ToString(d.DeviceCode))
	testutil.WantCode(t, err, "SlowDownException")
	e.Clock.Advance(7 * time.Second)

	req, err := e.Portal.PendingDevice(ctx, strings.ToLower(aws.ToString(d.UserCode)))
	if err != nil || req.ClientName != "botocore-client-test" {
		t.Fatalf("PendingDevice = %+v, %v; want the client's name", req, err)
	}
	if err := e.Portal.AnswerDevice(ctx, aws.ToString(d.UserCode), u, true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	tok, err := poll(c, reg, aws.ToString(d.DeviceCode))
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	if aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 3600 || aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("CreateToken = %+v; want a Bearer token of an hour with a refresh token", tok)
	}
	got, err := e.Portal.TokenUser(ctx, aws.ToString(tok.AccessToken))
	if err != nil || got.UserID != u.UserID {
		t.Errorf("TokenUser = %+v, %v; want %s", got, err, u.UserID)
	}
	_, err = poll(c, reg, aws.ToString(d.DeviceCode))
	testutil.WantCode(t, err, "InvalidGrantException")

	// Refreshing rotates: the new pair works, the old refresh token is spent.
	refresh := func(rt string) (*ssooidc.CreateTokenOutput, error) {
		return c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: aws.String(rt)})
	}
	next, err := refresh(aws.ToString(tok.RefreshToken))
	if err != nil || aws.ToString(next.RefreshToken) == aws.ToString(tok.RefreshToken) || aws.ToString(next.AccessToken) == "" {
		t.Fatalf("refresh = %+v, %v; want a new pair", next, err)
	}
	_, err = refresh(aws.ToString(tok.RefreshToken))
	testutil.WantCode(t, err, "InvalidGrantException")
	// The session ends after 8 hours, whatever is refreshed.
	e.Clock.Advance(8 * time.Hour)
	_, err = refresh(aws.ToString(next.RefreshToken))
	testutil.WantCode(t, err, "ExpiredTokenException")
	if _, err := e.Portal.TokenUser(ctx, aws.ToString(next.AccessToken)); err == nil {
		t.Error("an access token outlived its session")
	}
}

// TestDeviceFlowRefusals: each way a device flow fails answers AWS's error shape and changes
// nothing.
func TestDeviceFlowRefusals(t *testing.T) {
	e := portaltest.New(t)
	ctx := context.Background()
	c := client(e)
	u := user(e)
	reg := register(t, c)
	other := register(t, c)
	cases := []struct {
		name string
		run  func(t *testing.T) error
		code string
		http int
	}{
		{"wrong secret", func(*testing.T) error {
			_, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
				ClientSecret: other.ClientSecret, StartUrl: aws.String(portaltest.StartURL)})
			return err
		}, "InvalidClientException", 401},
		{"unknown client", func(*testing.T) error {
			_, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: aws.String("nobody"),
				ClientSecret: reg.ClientSecret, StartUrl: aws.String(portaltest.StartURL)})
			return err
		}, "InvalidClientException", 401},
		{"another start URL", func(*testing.T) error {
			_, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
				ClientSecret: reg.ClientSecret, StartUrl: aws.String("https://d-1234567890.awsapps.com/start")})
			return err
		}, "InvalidRequestException", 400},
		{"confidential client", func(*testing.T) error {
			_, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("confidential")})
			return err
		}, "InvalidRequestException", 400},
		{"device code of another client", func(t *testing.T) error {
			d := start(t, c, reg)
			_, err := poll(c, other, aws.ToString(d.DeviceCode))
			return err
		}, "InvalidGrantException", 400},
		{"unknown device code", func(*testing.T) error { _, err := poll(c, reg, "not-a-code"); return err }, "InvalidGrantException", 400},
		{"unsupported grant", func(*testing.T) error {
			_, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
				GrantType: aws.String("password")})
			return err
		}, "UnsupportedGrantTypeException", 400},
		{"refresh without the grant", func(*testing.T) error {
			_, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
				GrantType: aws.String("refresh_token"), RefreshToken: aws.String("aor-x")})
			return err
		}, "UnauthorizedClientException", 400},
		{"denied", func(t *testing.T) error {
			d := start(t, c, reg)
			if err := e.Portal.AnswerDevice(ctx, aws.ToString(d.UserCode), u, false, time.Time{}); err != nil {
				t.Fatal(err)
			}
			_, err := poll(c, reg, aws.ToString(d.DeviceCode))
			return err
		}, "AccessDeniedException", 400},
		{"expired", func(t *testing.T) error {
			d := start(t, c, reg)
			e.Clock.Advance(601 * time.Second)
			if err := e.Portal.AnswerDevice(ctx, aws.ToString(d.UserCode), u, true, time.Time{}); err == nil {
				t.Error("an expired user code was approved")
			}
			_, err := poll(c, reg, aws.ToString(d.DeviceCode))
			return err
		}, "ExpiredTokenException", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(t)
			testutil.WantCode(t, err, tc.code)
			testutil.WantStatus(t, err, tc.http)
		})
	}
}

// TestOAuthErrorShape: the body of an sso-oidc error is an OAuth 2.0 error response, with the
// shape's name in X-Amzn-ErrorType, as AWS answers it.
func TestOAuthErrorShape(t *testing.T) {
	e := portaltest.New(t)
	reg := register(t, client(e))
	d := start(t, client(e), reg)
	body, _ := json.Marshal(map[string]string{"clientId": aws.ToString(reg.ClientId), "clientSecret": aws.ToString(reg.ClientSecret),
		"grantType": portal.GrantDeviceCode, "deviceCode": aws.ToString(d.DeviceCode)})
	resp, err := http.Post(e.URL+"/token", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "AuthorizationPendingException" ||
		got["error"] != "authorization_pending" || got["error_description"] == nil || got["message"] != nil {
		t.Errorf("got %d %s %s; want 400 AuthorizationPendingException {error: authorization_pending, error_description}", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), raw)
	}
}
