package e2e_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/testutil"
)

// skewClock is the wall clock moved forward by a test: the portal's device codes and polling
// interval run on it, so the test steps over them without waiting, while SigV4 and the browser's
// TOTP codes keep the wall clock.
type skewClock struct{ skew atomic.Int64 }

func (c *skewClock) Now() time.Time          { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *skewClock) Advance(d time.Duration) { c.skew.Add(int64(d)) }

// deviceEnv is an in-process Rootward with an organization whose IAM Identity Center instance
// (created by trusted access for sso.amazonaws.com) has a user assigned the permission set
// Developer in a member account, and the access portal at URL/start.
type deviceEnv struct {
	url, member, userName, otp string
	clock                      *skewClock
	portal                     *portal.Service
	// ic, mgmt and instance are Identity Center, the management account and the organization's
	// instance (extidp_test.go changes its identity source).
	ic             *identitycenter.Service
	mgmt, instance string
	// passkeyOTP is the one-time password of grace, a second user who registers a passkey.
	passkeyOTP string
}

func newDeviceEnv(t *testing.T) *deviceEnv {
	t.Helper()
	ctx := context.Background()
	e := &deviceEnv{clock: &skewClock{}, userName: "ada"}
	stk := newStack(t, e.clock.Now)
	e.url, e.portal = stk.url, stk.portal
	svc, org, ic := stk.svc, stk.org, stk.ic

	// The organization, its Identity Center instance and a member account.
	mgmt, err := svc.CreateAccount(ctx, "device-flow", "owner@device.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateOrganization(ctx, mgmt.ID, orgs.FeatureSetAll); err != nil {
		t.Fatal(err)
	}
	if err := org.EnableAWSServiceAccess(ctx, mgmt.ID, identitycenter.ServicePrincipal); err != nil {
		t.Fatal(err)
	}
	cs, err := org.CreateAccount(ctx, mgmt.ID, orgs.CreateAccountInput{Email: "workloads@device.example", AccountName: "workloads"})
	if err == nil {
		cs, err = org.DescribeCreateAccountStatus(ctx, mgmt.ID, cs.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	e.member = cs.AccountID
	ins, err := ic.ListInstances(ctx, mgmt.ID)
	if err != nil || len(ins) != 1 {
		t.Fatalf("the organization's instances: %v, %v; want one", ins, err)
	}
	in := ins[0]
	e.ic, e.mgmt, e.instance = ic, mgmt.ID, in.ID
	u, err := ic.CreateUser(ctx, mgmt.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: e.userName, DisplayName: "Ada Lovelace",
		Emails: []identitycenter.Email{{Value: "ada@device.example", Primary: true}}, Name: &identitycenter.Name{GivenName: "Ada", FamilyName: "Lovelace"}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ic.CreatePermissionSet(ctx, mgmt.ID, in.ARN, "Developer", identitycenter.PermissionSetInput{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.AttachManagedPolicy(ctx, mgmt.ID, in.ARN, ps.ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateAccountAssignment(ctx, mgmt.ID, in.ARN, ps.ARN, identitycenter.TargetAccount,
		identitycenter.Assignment{AccountID: e.member, PermissionSetARN: ps.ARN, PrincipalType: identitycenter.PrincipalUser, PrincipalID: u.UserID}); err != nil {
		t.Fatal(err)
	}
	ic.Wait()
	// The administrator's "generate a one-time password" (what the console's Identity Center
	// users page calls).
	if e.otp, err = e.portal.OneTimePassword(ctx, in.ID, u.UserID); err != nil {
		t.Fatal(err)
	}
	g, err := ic.CreateUser(ctx, mgmt.ID, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: "grace", DisplayName: "Grace Hopper",
		Emails: []identitycenter.Email{{Value: "grace@device.example", Primary: true}}, Name: &identitycenter.Name{GivenName: "Grace", FamilyName: "Hopper"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.passkeyOTP, err = e.portal.OneTimePassword(ctx, in.ID, g.UserID); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDeviceFlowInChromium is `aws sso login` against Rootward end to end: aws-sdk-go-v2's
// sso-oidc client registers clients and starts device authorizations; headless Chromium opens
// the verification URL, signs in at the access portal as an Identity Center user for the first
// time (the administrator's one-time password, her own password, an authenticator registered),
// approves the one client and denies the other; CreateToken answers authorization_pending before
// and a token after the approval, access_denied after the denial and expired_token once a device
// code outlived its ten minutes. The token goes to the cache file where `aws sso login` writes it,
// and ssocreds' credential provider (its sso client at Rootward) signs sts:GetCallerIdentity as
// the AWSReservedSSO role in the member account.
func TestDeviceFlowInChromium(t *testing.T) {
	requireBrowser(t)
	e := newDeviceEnv(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.url)}
	oidc := ssooidc.NewFromConfig(cfg)
	startURL := e.url + "/start"

	type flow struct {
		client *ssooidc.RegisterClientOutput
		device *ssooidc.StartDeviceAuthorizationOutput
		name   string
	}
	start := func(name string) flow {
		t.Helper()
		reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(name), ClientType: aws.String("public"),
			GrantTypes: []string{portal.GrantDeviceCode, portal.GrantRefreshToken}, Scopes: []string{"sso:account:access"}})
		if err != nil {
			t.Fatalf("RegisterClient: %v", err)
		}
		d, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(startURL)})
		if err != nil {
			t.Fatalf("StartDeviceAuthorization: %v", err)
		}
		if got, want := aws.ToString(d.VerificationUri), e.url+"/device"; got != want {
			t.Errorf("verificationUri = %s, want %s", got, want)
		}
		if got, want := aws.ToString(d.VerificationUriComplete), e.url+"/device?user_code="+aws.ToString(d.UserCode); got != want {
			t.Errorf("verificationUriComplete = %s, want %s", got, want)
		}
		return flow{client: reg, device: d, name: name}
	}
	poll := func(f flow) (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: f.client.ClientId, ClientSecret: f.client.ClientSecret,
			GrantType: aws.String(portal.GrantDeviceCode), DeviceCode: f.device.DeviceCode})
	}
	// wantPollError polls once, a polling interval after the last poll, and wants the error code.
	wantPollError := func(f flow, code string) {
		t.Helper()
		e.clock.Advance(time.Duration(f.device.Interval) * time.Second)
		_, err := poll(f)
		testutil.WantCode(t, err, code)
	}

	approved, denied := start("botocore-client-device-e2e"), start("rootward-e2e-denied")
	for _, f := range []flow{approved, denied} {
		wantPollError(f, "AuthorizationPendingException")
	}

	dir := t.TempDir()
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "node", "device.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_USER="+e.userName, "ROOTWARD_OTP="+e.otp, "ROOTWARD_NEW_PASSWORD=Correct-Horse-Battery-9",
		"ROOTWARD_APPROVE_URL="+aws.ToString(approved.device.VerificationUriComplete), "ROOTWARD_APPROVE_CLIENT="+approved.name,
		"ROOTWARD_DENY_URL="+aws.ToString(denied.device.VerificationUriComplete), "ROOTWARD_DENY_CLIENT="+denied.name,
		"ROOTWARD_SCREENSHOTS="+dir, "ROOTWARD_PASSKEY_USER=grace", "ROOTWARD_PASSKEY_OTP="+e.passkeyOTP)
	out, err := cmd.CombinedOutput()
	t.Logf("device.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}

	wantPollError(denied, "AccessDeniedException")
	e.clock.Advance(time.Duration(approved.device.Interval) * time.Second)
	tok, err := poll(approved)
	if err != nil {
		t.Fatalf("CreateToken after the approval: %v", err)
	}
	if aws.ToString(tok.AccessToken) == "" || aws.ToString(tok.RefreshToken) == "" || aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn <= 0 {
		t.Fatalf("CreateToken = %+v; want a Bearer access token, a refresh token and its lifetime", tok)
	}

	// The token cache, as `aws sso login` writes it for the sso-session "rootward":
	// ~/.aws/sso/cache/<sha1 of the session name>.json.
	home := t.TempDir()
	t.Setenv("HOME", home)
	const session = "rootward"
	sum := sha1.Sum([]byte(session))
	cache := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	if std, err := ssocreds.StandardCachedTokenFilepath(session); err != nil || std != cache {
		t.Fatalf("the SDK's cache path = %s, %v; want %s", std, err, cache)
	}
	body, _ := json.Marshal(map[string]any{"startUrl": startURL, "region": "us-east-1", "accessToken": aws.ToString(tok.AccessToken),
		"expiresAt": time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format("2006-01-02T15:04:05Z"),
		"clientId":  aws.ToString(approved.client.ClientId), "clientSecret": aws.ToString(approved.client.ClientSecret),
		"registrationExpiresAt": time.Unix(approved.client.ClientSecretExpiresAt, 0).UTC().Format("2006-01-02T15:04:05Z"),
		"refreshToken":          aws.ToString(tok.RefreshToken)})
	if err := os.MkdirAll(filepath.Dir(cache), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cache, body, 0o600); err != nil {
		t.Fatal(err)
	}

	// The SSO profile's credentials: the sso-session's token provider reads the cache file, the
	// credential provider's GetRoleCredentials goes to Rootward.
	creds := ssocreds.New(sso.NewFromConfig(cfg), e.member, "Developer", startURL, func(o *ssocreds.Options) {
		o.SSOTokenProvider = ssocreds.NewSSOTokenProvider(oidc, cache)
	})
	sc := cfg
	sc.Credentials = aws.NewCredentialsCache(creds)
	id, err := sts.NewFromConfig(sc).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the SSO profile's credentials: %v", err)
	}
	if want := regexp.MustCompile(`^arn:aws:sts::` + e.member + `:assumed-role/AWSReservedSSO_Developer_[0-9a-f]{16}/` + e.userName + `$`); !want.MatchString(aws.ToString(id.Arn)) {
		t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}
	if aws.ToString(id.Account) != e.member {
		t.Errorf("caller's account = %s, want %s", aws.ToString(id.Account), e.member)
	}

	// A device code nobody answered in its ten minutes.
	late := start("rootward-e2e-late")
	e.clock.Advance(time.Duration(late.device.ExpiresIn) * time.Second)
	wantPollError(late, "ExpiredTokenException")

	for _, name := range []string{"portal-mfa-registration", "portal-device"} {
		if fi, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", name, err)
		}
	}
}
