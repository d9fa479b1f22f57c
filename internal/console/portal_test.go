package console_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// portalURL is the public URL the test portal answers for (its start URL's base).
const portalURL = "http://localhost"

// portalEnv is an env with IAM Identity Center and its access portal, an account instance, a
// permission set ReadOnly assigned to the user alice in the account, and alice's one-time password;
// opts tune the env further (after the portal is set up).
type portalEnv struct {
	*env
	ic       *identitycenter.Service
	portal   *portal.Service
	instance *identitycenter.Instance
	alice    string // alice's user ID
	otp      string
}

func newPortalEnv(t *testing.T, opts ...func(*envOpts)) *portalEnv {
	t.Helper()
	return newPortalEnvWith(t, nil, opts...)
}

// newPortalEnvWith is newPortalEnv whose env built, when set, sees before the options' functions
// run.
func newPortalEnvWith(t *testing.T, built func(*portalEnv), opts ...func(*envOpts)) *portalEnv {
	t.Helper()
	pe := &portalEnv{}
	if built != nil {
		built(pe)
	}
	e := newEnv(t, append([]func(*envOpts){func(o *envOpts) {
		o.server = append(o.server, func(cfg *server.Config) {
			pe.ic = identitycenter.New(cfg.IAM, nil, identitycenter.WithClock(cfg.Now), identitycenter.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
			n, err := notify.New(cfg.IAM.Store(), testutil.Sealer(t), notify.Config{}, notify.WithClock(cfg.Now))
			if err != nil {
				t.Fatal(err)
			}
			p, err := portal.New(portal.Config{Store: cfg.IAM.Store(), Trail: cfg.Trail, Counters: throttle.New(cfg.IAM.Store(), throttle.DefaultLimits, cfg.Now),
				IC: pe.ic, IAM: cfg.IAM, Notifier: n, PublicURL: portalURL, Now: cfg.Now})
			if err != nil {
				t.Fatal(err)
			}
			cfg.Portal, pe.portal = p, p
		})
		o.console = append(o.console, func(cfg *console.Config) { cfg.Portal = pe.portal })
	}}, opts...)...)
	pe.env = e
	ctx := context.Background()
	acct := e.account.ID
	in, err := pe.ic.CreateInstance(ctx, acct, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	pe.instance = in
	u, err := pe.ic.CreateUser(ctx, acct, in.IdentityStoreID, "test", identitycenter.UserAttributes{UserName: "alice", DisplayName: "Alice", Emails: []identitycenter.Email{{Value: "alice@acme.example", Primary: true}}, Name: &identitycenter.Name{GivenName: "Alice", FamilyName: "Liddell"}})
	if err != nil {
		t.Fatal(err)
	}
	pe.alice = u.UserID
	ref := identitycenter.UserRef{Account: acct, Instance: in.ID, IdentityStoreID: in.IdentityStoreID, UserID: u.UserID}
	if pe.otp, err = pe.ic.GenerateOneTimePassword(ctx, ref); err != nil {
		t.Fatal(err)
	}
	ps, err := pe.ic.CreatePermissionSet(ctx, acct, in.ARN, "ReadOnly", identitycenter.PermissionSetInput{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pe.ic.AttachManagedPolicy(ctx, acct, in.ARN, ps.ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if _, err := pe.ic.CreateAccountAssignment(ctx, acct, in.ARN, ps.ARN, identitycenter.TargetAccount,
		identitycenter.Assignment{AccountID: acct, PermissionSetARN: ps.ARN, PrincipalType: identitycenter.PrincipalUser, PrincipalID: u.UserID}); err != nil {
		t.Fatal(err)
	}
	pe.ic.Wait()
	return pe
}

var portalSeedPattern = regexp.MustCompile(`id="totp-seed">([A-Z2-7]+)<`)

// firstSignIn signs alice in for the first time: the one-time password, her own password, an
// authenticator app registered. It returns the app's seed.
func (pe *portalEnv) firstSignIn(b *browser) string {
	pe.t.Helper()
	return pe.firstSignInAs(b, "alice", pe.otp)
}

// firstSignInAs is firstSignIn of the user name with one-time password otp.
func (pe *portalEnv) firstSignInAs(b *browser, name, otp string) string {
	t := pe.t
	t.Helper()
	if p := b.get("/start"); p.status != 200 || !strings.Contains(p.body, `action="/start/signin"`) {
		t.Fatalf("GET /start = %d, want the sign-in form:\n%.1500s", p.status, p.body)
	}
	p := b.submit("/start/signin", url.Values{"username": {name}, "password": {otp}})
	if p.status != 200 || !strings.Contains(p.body, `action="/start/password"`) {
		t.Fatalf("sign-in with the one-time password = %d, want the new password step:\n%.1500s", p.status, p.body)
	}
	p = b.submit("/start/password", url.Values{"new_password": {"Correct-Horse-Battery-9"}, "confirm_password": {"Correct-Horse-Battery-9"}})
	m := portalSeedPattern.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("new password = %d, want the MFA registration with a seed:\n%.1500s", p.status, p.body)
	}
	p = b.submit("/start/register", url.Values{"code": {totpCode(t, m[1], pe.clock.Now())}})
	if p.status != 303 || p.location != "/start" {
		t.Fatalf("MFA registration = %d → %q, want 303 → /start:\n%.1500s", p.status, p.location, p.body)
	}
	pe.clock.Advance(60 * time.Second)
	return m[1]
}

// TestPortalSignInAndCredentials: an Identity Center user's first sign-in (one-time password, her
// own password, MFA registration), her accounts and roles, and a role's credentials that STS
// knows as the AWSReservedSSO role's session; each step recorded as AWS records it.
func TestPortalSignInAndCredentials(t *testing.T) {
	pe := newPortalEnv(t)
	b := pe.browser()
	pe.firstSignIn(b)
	home := b.get("/start")
	if home.status != 200 || !strings.Contains(home.body, pe.account.ID) || !strings.Contains(home.body, "ReadOnly: access keys") {
		t.Fatalf("portal home = %d, want the account and its role:\n%.2000s", home.status, home.body)
	}
	p := b.submit("/start/credentials", url.Values{"account": {pe.account.ID}, "role": {"ReadOnly"}})
	keys := regexp.MustCompile(`AWS_ACCESS_KEY_ID="([^"]+)"\s+export AWS_SECRET_ACCESS_KEY="([^"]+)"\s+export AWS_SESSION_TOKEN="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != 200 || keys == nil {
		t.Fatalf("credentials = %d, want access keys:\n%.2000s", p.status, p.body)
	}
	// The session STS authenticates these keys as (an SDK call would sign with the wall clock,
	// not the test's).
	sess, err := pe.svc.Session(context.Background(), html.UnescapeString(keys[1]), html.UnescapeString(keys[3]), pe.clock.Now())
	if err != nil {
		t.Fatalf("the portal's credentials: %v", err)
	}
	if want := regexp.MustCompile(`^arn:aws:sts::` + pe.account.ID + `:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{16}/alice$`); !want.MatchString(sess.AssumedRoleARN()) {
		t.Errorf("caller = %s, want the AWSReservedSSO_ReadOnly role's session alice", sess.AssumedRoleARN())
	}
	// CloudTrail: the sign-in's events, in the instance's account.
	pg, err := trail.List(context.Background(), pe.st, trail.Query{Account: pe.account.ID, EventSource: "signin.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range pg.Events {
		got = append(got, ev.EventName+":"+toString(ev.AdditionalEventData["CredentialType"])+":"+toString(ev.ServiceEventDetails[ev.EventName]))
		if ev.UserIdentity.PrincipalID != pe.alice || ev.EventType != "AwsServiceEvent" {
			t.Errorf("%s's userIdentity %+v, type %s; want alice's user ID, AwsServiceEvent", ev.EventName, ev.UserIdentity, ev.EventType)
		}
	}
	want := []string{"CredentialChallenge:PASSWORD:Success", "CredentialVerification:PASSWORD:Success", "UserAuthentication::Success"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sign-in events = %v, want %v", got, want)
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// TestPortalSignInRefusals: a wrong password, a wrong MFA code, a form without its CSRF token,
// each refused and counted, nothing signed in.
func TestPortalSignInRefusals(t *testing.T) {
	pe := newPortalEnv(t)
	seed := pe.firstSignIn(pe.browser())
	b := pe.browser()
	b.get("/start")
	if p := b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"wrong"}}); p.status != 403 || !strings.Contains(p.body, "incorrect") {
		t.Errorf("wrong password = %d, want 403 and the sign-in error", p.status)
	}
	if p := b.submit("/start/signin", url.Values{"username": {"nobody"}, "password": {"wrong"}}); p.status != 403 || !strings.Contains(p.body, "incorrect") {
		t.Errorf("unknown user = %d, want 403 and the same error", p.status)
	}
	if p := b.postRaw("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}}, nil); p.status != 403 {
		t.Errorf("no CSRF token = %d, want 403", p.status)
	}
	b.get("/start")
	p := b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}})
	if p.status != 200 || !strings.Contains(p.body, `action="/start/mfa"`) {
		t.Fatalf("right password = %d, want the MFA step:\n%.1500s", p.status, p.body)
	}
	if p := b.submit("/start/mfa", url.Values{"code": {"000000"}}); p.status != 400 || !strings.Contains(p.body, `action="/start/mfa"`) {
		t.Errorf("wrong code = %d, want 400 and the MFA step again", p.status)
	}
	if p := b.get("/start"); strings.Contains(p.body, "AWS accounts") {
		t.Error("signed in after a wrong code")
	}
	p = b.submit("/start/mfa", url.Values{"code": {totpCode(t, seed, pe.clock.Now())}})
	if p.status != 303 {
		t.Fatalf("right code = %d, want 303:\n%.1500s", p.status, p.body)
	}
}

// startDevice registers a client named name with sso-oidc and starts a device authorization
// for the portal; it returns the client, the registration, the authorization and the path of its
// verificationUriComplete.
func (pe *portalEnv) startDevice(name string) (*ssooidc.Client, *ssooidc.RegisterClientOutput, *ssooidc.StartDeviceAuthorizationOutput, string) {
	t := pe.t
	t.Helper()
	ctx := context.Background()
	oidc := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(pe.url)})
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(name), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(portalURL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	complete, _ := url.Parse(aws.ToString(d.VerificationUriComplete))
	return oidc, reg, d, complete.Path + "?" + complete.RawQuery
}

// TestDeviceApproval: `aws sso login`'s device flow, approved at /device by a user who signs in
// there first: the sign-in comes back to the device page, which names the client.
func TestDeviceApproval(t *testing.T) {
	pe := newPortalEnv(t)
	seed := pe.firstSignIn(pe.browser())
	ctx := context.Background()
	oidc, reg, d, verify := pe.startDevice("botocore-client-laptop")
	b := pe.browser()
	p := b.get(verify)
	if p.status != 200 || !strings.Contains(p.body, `action="/start/signin"`) {
		t.Fatalf("device page before sign-in = %d, want the sign-in form:\n%.1500s", p.status, p.body)
	}
	b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}})
	p = b.submit("/start/mfa", url.Values{"code": {totpCode(t, seed, pe.clock.Now())}})
	if p.status != 303 || p.location != "/device?user_code="+aws.ToString(d.UserCode) {
		t.Fatalf("sign-in from the device page = %d → %q, want back to it", p.status, p.location)
	}
	p = b.follow(p)
	if !strings.Contains(p.body, "botocore-client-laptop") || !strings.Contains(p.body, aws.ToString(d.UserCode)) {
		t.Fatalf("device page = %d, want the client's name and the code:\n%.1500s", p.status, p.body)
	}
	poll := func() (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String(portal.GrantDeviceCode), DeviceCode: d.DeviceCode})
	}
	if _, err := poll(); err == nil {
		t.Fatal("a token before approval")
	}
	pe.clock.Advance(2 * time.Second)
	if p := b.submit("/device", url.Values{"user_code": {aws.ToString(d.UserCode)}, "action": {"approve"}}); p.status != 200 || !strings.Contains(p.body, "approved") {
		t.Fatalf("approve = %d:\n%.1500s", p.status, p.body)
	}
	tok, err := poll()
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	u, err := pe.portal.TokenUser(ctx, aws.ToString(tok.AccessToken))
	if err != nil || u.UserID != pe.alice {
		t.Errorf("token's user = %+v, %v; want alice", u, err)
	}
}

// TestIdentityCenterUsersPage: an administrator of the instance's account emails alice a password
// setup link (the outbox holds it: no SMTP), with which she sets her password and signs in to
// MFA registration; or generates a one-time password, shown once. A user without
// identitystore:UpdateUser may do neither.
func TestIdentityCenterUsersPage(t *testing.T) {
	pe := newPortalEnv(t)
	pe.userWithPassword("admin", userPw, adminPolicy, false)
	pe.userWithPassword("intern", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sso:ListInstances","identitystore:ListUsers"],"Resource":"*"}]}`, false)
	admin := pe.signedInUser("admin")
	p := admin.get("/console/identity-center/users")
	if p.status != 200 || !strings.Contains(p.body, "alice@acme.example") || !strings.Contains(p.body, pe.instance.IdentityStoreID) {
		t.Fatalf("users page = %d, want alice in the instance's store:\n%.2000s", p.status, p.body)
	}
	form := url.Values{"instance": {pe.instance.ID}, "store": {pe.instance.IdentityStoreID}, "user": {pe.alice}, "username": {"alice"}}
	form.Set("action", "email")
	if p := admin.submit("/console/identity-center/users", form); p.status != 200 || !strings.Contains(p.body, "sent to alice@acme.example") {
		t.Fatalf("send email = %d:\n%.2000s", p.status, p.body)
	}
	n, err := notify.New(pe.st, testutil.Sealer(t), notify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := n.Outbox(context.Background(), notify.Query{To: "alice@acme.example", Purpose: portal.PurposePasswordSetup})
	if err != nil || len(entries) != 1 {
		t.Fatalf("outbox: %d setup emails, %v; want 1", len(entries), err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(portalURL) + `(/start/setup\?\S+)`).FindStringSubmatch(entries[0].Body)
	if m == nil {
		t.Fatalf("no setup link in:\n%s", entries[0].Body)
	}
	b := pe.browser()
	if p := b.get(html.UnescapeString(m[1])); p.status != 200 || !strings.Contains(p.body, `action="/start/setup"`) {
		t.Fatalf("setup link = %d:\n%.1500s", p.status, p.body)
	}
	if p := b.submit("/start/setup", url.Values{"instance": {pe.instance.ID}, "token": {"forged"}, "new_password": {"Quiet-Harbor-Lamp-4"}, "confirm_password": {"Quiet-Harbor-Lamp-4"}}); p.status != 403 {
		t.Errorf("a forged setup token = %d, want 403", p.status)
	}
	link, _ := url.Parse(m[1])
	if p := b.submit("/start/setup", url.Values{"instance": {link.Query().Get("instance")}, "token": {link.Query().Get("token")},
		"new_password": {"Quiet-Harbor-Lamp-4"}, "confirm_password": {"Quiet-Harbor-Lamp-4"}}); p.status != 200 || !strings.Contains(p.body, `action="/start/signin"`) {
		t.Fatalf("set password with the link = %d:\n%.1500s", p.status, p.body)
	}
	if p := b.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Quiet-Harbor-Lamp-4"}}); p.status != 200 || !strings.Contains(p.body, `action="/start/register"`) {
		t.Fatalf("sign-in with the new password = %d, want MFA registration:\n%.1500s", p.status, p.body)
	}

	form.Set("action", "otp")
	p = admin.submit("/console/identity-center/users", form)
	otp := regexp.MustCompile(`id="one-time-password">([^<]+)<`).FindStringSubmatch(p.body)
	if p.status != 200 || otp == nil {
		t.Fatalf("generate one-time password = %d:\n%.2000s", p.status, p.body)
	}
	b2 := pe.browser()
	b2.get("/start")
	if p := b2.submit("/start/signin", url.Values{"username": {"alice"}, "password": {html.UnescapeString(otp[1])}}); !strings.Contains(p.body, `action="/start/password"`) {
		t.Fatalf("sign-in with the one-time password = %d, want the new password step:\n%.1500s", p.status, p.body)
	}

	intern := pe.signedInUser("intern")
	intern.get("/console/identity-center/users")
	form.Del("csrf")
	if p := intern.submit("/console/identity-center/users", form); !strings.Contains(p.body, "not authorized") || strings.Contains(p.body, "one-time-password") {
		t.Errorf("intern's one-time password = %d, want AccessDenied:\n%.1500s", p.status, p.body)
	}

	// Each action recorded in the account, by the administrator who took it (the intern's refused
	// one too), without the password or the link.
	pg, err := trail.List(context.Background(), pe.st, trail.Query{Account: pe.account.ID, EventSource: "sso-directory.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range pg.Events {
		got = append(got, ev.EventName+":"+ev.UserIdentity.UserName+":"+toString(ev.RequestParameters["passwordMode"])+":"+ev.ErrorCode)
		if ev.RequestParameters["userId"] != pe.alice || ev.RequestParameters["identityStoreId"] != pe.instance.IdentityStoreID || ev.ResponseElements != nil {
			t.Errorf("%s's parameters %v, response %v; want alice in the store, no response", ev.EventName, ev.RequestParameters, ev.ResponseElements)
		}
	}
	slices.Sort(got)
	want := []string{"UpdatePassword:admin:EMAIL:", "UpdatePassword:admin:OTP:", "UpdatePassword:intern:OTP:AccessDeniedException"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sso-directory records = %v, want %v", got, want)
	}
}
