package ssoapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/portal"
	rwsts "github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/portaltest"
	"github.com/rootward/rootward/internal/trail"
)

// reservedPath: the reserved path /aws-reserved/sso.amazonaws.com/ is Identity Center's to create
// roles under; these tests make the role themselves, so under the root path.
const reservedPath = "/"

// providerName is the instance's SAML provider in the member account.
const providerName = "AWSSSO_0123456789abcdef_DO_NOT_DELETE"

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sso.amazonaws.com"},"Action":"sts:AssumeRoleWithSAML"}]}`

// signIn returns an access token of u, through the device flow.
func signIn(t *testing.T, e *portaltest.Env, u *portal.User) string {
	t.Helper()
	ctx := context.Background()
	c := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(portaltest.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Portal.AnswerDevice(ctx, aws.ToString(d.UserCode), u, true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(portal.GrantDeviceCode), DeviceCode: d.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(tok.AccessToken)
}

// setup makes a member account with a provisioned AWSReservedSSO role assigned to alice.
func setup(t *testing.T) (*portaltest.Env, *portal.User, *iam.Account, string) {
	t.Helper()
	e := portaltest.New(t)
	ctx := context.Background()
	member, err := e.Svc.CreateAccount(ctx, "member", "member+"+t.Name()+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	roleName := "AWSReservedSSO_ReadOnly_0123456789abcdef"
	if _, err := e.Svc.CreateRole(ctx, member.ID, iam.CreateRoleInput{RoleName: roleName, Path: reservedPath, AssumeRolePolicyDocument: trust, MaxSessionDuration: 43200}); err != nil {
		t.Fatal(err)
	}
	u := &portal.User{InstanceAccount: e.Account.ID, InstanceID: "ssoins-1234567890abcdef", IdentityStoreID: "d-1234567890", UserID: "u-alice", UserName: "alice@example.com"}
	e.Dir.AddUser(*u)
	e.Dir.Assign(u.UserID, portal.Assignment{AccountID: member.ID, AccountName: "member", AccountEmail: member.Email,
		PermissionSetName: "ReadOnly", RoleName: roleName, SessionDuration: 2 * time.Hour, ProviderName: providerName})
	return e, u, member, roleName
}

func portalClient(e *portaltest.Env) *sso.Client {
	return sso.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.URL)})
}

// TestPortal: the token's user lists its accounts and roles and gets the role's credentials, which
// are the AWSReservedSSO role's session named after the user; Logout ends the token.
func TestPortal(t *testing.T) {
	e, u, member, roleName := setup(t)
	ctx := context.Background()
	tok := signIn(t, e, u)
	c := portalClient(e)
	accts, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(tok)})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	if len(accts.AccountList) != 1 || aws.ToString(accts.AccountList[0].AccountId) != member.ID || aws.ToString(accts.AccountList[0].AccountName) != "member" {
		t.Fatalf("ListAccounts = %+v; want the member account", accts.AccountList)
	}
	roles, err := c.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: aws.String(tok), AccountId: aws.String(member.ID)})
	if err != nil || len(roles.RoleList) != 1 || aws.ToString(roles.RoleList[0].RoleName) != "ReadOnly" {
		t.Fatalf("ListAccountRoles = %+v, %v; want ReadOnly", roles, err)
	}
	creds, err := c.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(tok), AccountId: aws.String(member.ID), RoleName: aws.String("ReadOnly")})
	if err != nil {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	rc := creds.RoleCredentials
	if want := e.Clock.Now().Add(2 * time.Hour).UnixMilli(); rc.Expiration/1000 != want/1000 {
		t.Errorf("expiration = %d, want %d (the permission set's two hours)", rc.Expiration, want)
	}
	st := sts.NewFromConfig(e.Config(aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken)))
	id, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the role's credentials: %v", err)
	}
	if want := "arn:aws:sts::" + member.ID + ":assumed-role/" + roleName + "/alice@example.com"; aws.ToString(id.Arn) != want {
		t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}
	// CloudTrail: GetRoleCredentials in the instance's account as AWS records it (an
	// AwsServiceEvent of the IdentityCenterUser, the account and role in serviceEventDetails,
	// the credential named by its ID, never the token) ...
	pg, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, EventName: "GetRoleCredentials"})
	if err != nil || len(pg.Events) != 1 {
		t.Fatalf("trail: %d GetRoleCredentials records, %v; want 1", len(pg.Events), err)
	}
	ev := pg.Events[0]
	wantIdentity := trail.UserIdentity{Type: "IdentityCenterUser", AccountID: e.Account.ID, CredentialID: portal.CredentialID(tok),
		OnBehalfOf: &trail.OnBehalfOf{UserID: u.UserID, IdentityStoreARN: "arn:aws:identitystore::" + e.Account.ID + ":identitystore/" + u.IdentityStoreID}}
	if got := ev.UserIdentity; got.Type != wantIdentity.Type || got.AccountID != wantIdentity.AccountID || got.CredentialID != wantIdentity.CredentialID ||
		got.OnBehalfOf == nil || *got.OnBehalfOf != *wantIdentity.OnBehalfOf || got.PrincipalID != "" || got.ARN != "" {
		t.Errorf("userIdentity = %+v (onBehalfOf %+v); want %+v (onBehalfOf %+v)", got, got.OnBehalfOf, wantIdentity, wantIdentity.OnBehalfOf)
	}
	if ev.EventSource != "sso.amazonaws.com" || ev.EventType != "AwsServiceEvent" || ev.RequestParameters != nil || ev.ResponseElements != nil ||
		ev.ServiceEventDetails["role_name"] != "ReadOnly" || ev.ServiceEventDetails["account_id"] != member.ID || ev.ReadOnly == nil || !*ev.ReadOnly {
		t.Errorf("record = %+v; want an AwsServiceEvent of sso.amazonaws.com, read-only, role_name and account_id in serviceEventDetails", ev)
	}
	if strings.Contains(ev.UserIdentity.CredentialID, tok) || ev.UserIdentity.CredentialID == "" {
		t.Errorf("credentialId %q; want an ID that is not the token", ev.UserIdentity.CredentialID)
	}
	// ... and the role session's start in the member account: Identity Center's
	// AssumeRoleWithSAML through the instance's SAML provider there.
	pg, err = trail.List(ctx, e.Store, trail.Query{Account: member.ID, EventName: "AssumeRoleWithSAML"})
	if err != nil || len(pg.Events) != 1 {
		t.Fatalf("trail: %d AssumeRoleWithSAML records in the member account, %v; want 1", len(pg.Events), err)
	}
	ev = pg.Events[0]
	nq := rwsts.NameQualifier(identitycenter.SAMLIssuer(e.Account.ID, u.InstanceID), member.ID, providerName)
	if got := ev.UserIdentity; got.Type != "SAMLUser" || got.PrincipalID != nq+":"+u.UserName || got.UserName != u.UserName || got.IdentityProvider != nq {
		t.Errorf("userIdentity = %+v; want the SAMLUser %s:%s", got, nq, u.UserName)
	}
	role, err := e.Svc.GetRole(ctx, member.ID, roleName)
	if err != nil {
		t.Fatal(err)
	}
	rp, re := ev.RequestParameters, ev.ResponseElements
	cr, _ := re["credentials"].(map[string]any)
	assumed, _ := re["assumedRoleUser"].(map[string]any)
	if ev.EventSource != "sts.amazonaws.com" || ev.EventType != "AwsApiCall" || ev.RecipientAccountID != member.ID ||
		rp["roleArn"] != role.Arn || rp["principalArn"] != "arn:aws:iam::"+member.ID+":saml-provider/"+providerName ||
		rp["roleSessionName"] != u.UserName || rp["durationSeconds"] != float64(7200) || !strings.HasPrefix(toString(rp["sAMLAssertionID"]), "_") ||
		cr["accessKeyId"] != aws.ToString(rc.AccessKeyId) || cr["sessionToken"] != nil || cr["secretAccessKey"] != nil ||
		assumed["arn"] != aws.ToString(id.Arn) || assumed["assumedRoleId"] != role.RoleID+":"+u.UserName ||
		re["subject"] != u.UserName || re["subjectType"] != "persistent" || re["audience"] != "https://signin.aws.amazon.com/saml" || re["nameQualifier"] != nq {
		t.Errorf("member record = %+v\nrequest %v\nresponse %v", ev, rp, re)
	}
	if _, err := c.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(tok)}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	_, err = c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(tok)})
	testutil.WantCode(t, err, "UnauthorizedException")
}

// TestPortalRefusals: AWS's error for each refusal, nothing issued.
func TestPortalRefusals(t *testing.T) {
	e, u, member, _ := setup(t)
	ctx := context.Background()
	tok := signIn(t, e, u)
	c := portalClient(e)
	bob := &portal.User{InstanceAccount: e.Account.ID, InstanceID: "ssoins-1234567890abcdef", IdentityStoreID: "d-1234567890", UserID: "u-bob", UserName: "bob"}
	e.Dir.AddUser(*bob)
	bobTok := signIn(t, e, bob)
	cases := []struct {
		name string
		run  func() error
		code string
		http int
	}{
		{"no token", func() error {
			_, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("aoa-not-a-token")})
			return err
		}, "UnauthorizedException", 401},
		{"role not assigned", func() error {
			_, err := c.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(tok), AccountId: aws.String(member.ID), RoleName: aws.String("Admin")})
			return err
		}, "ResourceNotFoundException", 404},
		{"another user's role", func() error {
			_, err := c.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(bobTok), AccountId: aws.String(member.ID), RoleName: aws.String("ReadOnly")})
			return err
		}, "ResourceNotFoundException", 404},
		{"bad next token", func() error {
			_, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(tok), NextToken: aws.String("!!")})
			return err
		}, "InvalidRequestException", 400},
		{"deleted user", func() error {
			e.Dir.RemoveUser(bob.UserID)
			_, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(bobTok)})
			return err
		}, "UnauthorizedException", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			testutil.WantCode(t, err, tc.code)
			testutil.WantStatus(t, err, tc.http)
		})
	}
}

// TestGuessingIsThrottled: wrong bearer tokens from one address are throttled like sign-in
// guesses (TooManyRequestsException), while a right token's calls never count.
func TestGuessingIsThrottled(t *testing.T) {
	e, u, _, _ := setup(t)
	ctx := context.Background()
	tok := signIn(t, e, u)
	c := portalClient(e)
	for range 30 {
		if _, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(tok)}); err != nil {
			t.Fatalf("ListAccounts with a right token: %v", err)
		}
	}
	var last error
	for i := range 30 {
		_, last = c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("aoa-guess-" + strings.Repeat("x", i))})
		if code, _ := testutil.ErrorCode(last); code == "TooManyRequestsException" {
			break
		}
	}
	testutil.WantCode(t, last, "TooManyRequestsException")
	testutil.WantStatus(t, last, 429)
	// The address waits, whatever it presents.
	_, err := c.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(tok)})
	testutil.WantCode(t, err, "TooManyRequestsException")
}

func TestSessionName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice@example.com", "alice@example.com"},
		{"Jörg Müller", "J_rg_M_ller"},
		{"a", "a_"},
		{strings.Repeat("x", 70), strings.Repeat("x", 64)},
	} {
		if got := portal.SessionName(tc.in); got != tc.want {
			t.Errorf("SessionName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
