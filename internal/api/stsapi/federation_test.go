package stsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	rwsts "github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/testutil/testidp"
	"github.com/rootward/rootward/internal/trail"
)

// oidcProvider creates the OpenID Connect provider of idp's issuer, with the client ID "app", and
// returns its ARN.
func oidcProvider(t *testing.T, e *servertest.Env, idp *testidp.IdP) string {
	t.Helper()
	prov, err := e.IAM.CreateOpenIDConnectProvider(servertest.Ctx(t), &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(idp.Issuer), ClientIDList: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(prov.OpenIDConnectProviderArn)
}

// samlProviderAndRole creates the SAML provider "corp" of idp's metadata and the role Engineers
// whose trust policy lets it call sts:AssumeRoleWithSAML, and returns their ARNs.
func samlProviderAndRole(t *testing.T, e *servertest.Env, idp *testidp.IdP) (provider, role string) {
	t.Helper()
	ctx := servertest.Ctx(t)
	prov, err := e.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})
	if err != nil {
		t.Fatal(err)
	}
	provider = aws.ToString(prov.SAMLProviderArn)
	r, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Engineers"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithSAML"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return provider, aws.ToString(r.Role.Arn)
}

// federationRecord returns the record of the refused call whose error err is, found by its request
// ID among account's records, and its JSON; it fails when there is none.
func federationRecord(t *testing.T, e *servertest.Env, account string, err error) (trail.Event, string) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("got %v, want a refusal with a request ID", err)
	}
	e.Trail.Flush()
	p, lerr := trail.List(context.Background(), e.Store, trail.Query{Account: account, Limit: 1000})
	if lerr != nil {
		t.Fatal(lerr)
	}
	for _, ev := range p.Events {
		if ev.RequestID == re.ServiceRequestID() {
			b, jerr := json.Marshal(ev)
			if jerr != nil {
				t.Fatal(jerr)
			}
			return ev, string(b)
		}
	}
	t.Fatalf("the refused call (request %s, %v) is not in account %s's trail", re.ServiceRequestID(), err, account)
	return trail.Event{}, ""
}

// wantRefusalRecord checks the record of a federated call refused before its caller was verified:
// the call's error code, a userIdentity of type typ naming only the identity provider found (none
// for "") and no principal, and nowhere the token or assertion the caller sent.
func wantRefusalRecord(t *testing.T, ev trail.Event, raw, name, code, typ, provider, secret string) {
	t.Helper()
	u := ev.UserIdentity
	if ev.EventName != name || ev.ErrorCode != code || ev.ErrorMessage == "" {
		t.Errorf("got event %s errorCode %q errorMessage %q, want %s %s with its message", ev.EventName, ev.ErrorCode, ev.ErrorMessage, name, code)
	}
	if u.Type != typ || u.IdentityProvider != provider || u.PrincipalID != "" || u.UserName != "" || u.ARN != "" || u.AccountID != "" || u.AccessKeyID != nil {
		t.Errorf("got userIdentity %+v, want type %s, identityProvider %q and nothing else", u, typ, provider)
	}
	if ev.RecipientAccountID == "" || ev.SourceIPAddress == "" {
		t.Errorf("got recipientAccountId %q sourceIPAddress %q, want both", ev.RecipientAccountID, ev.SourceIPAddress)
	}
	if strings.Contains(raw, secret) {
		t.Errorf("the record holds what the caller sent: %s", raw)
	}
}

// Refusals of AssumeRoleWithWebIdentity before the token is verified are recorded in the role's
// account as a WebIdentityUser of the issuer's provider (when the account has one), with the
// error, and without the token or its unverified subject; a role in an account Rootward does not
// hold is recorded nowhere.
func TestWebIdentityRefusalsRecorded(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	roleARN := webRole(t, e, "web", oidcProvider(t, e, idp), "")
	anon := anonymousSTS(e)
	now := clk.Now()
	unknownIss := idp.Standard("alice", "app", now)
	unknownIss["iss"] = "https://unknown.example.com"
	for _, tc := range []struct {
		name, token, code, provider string
		down                        bool
	}{
		// First, before Rootward has the issuer's keys (it keeps them for an hour).
		{"identity provider unreachable", idp.Token(t, "RS256", idp.Standard("alice", "app", now)), "IDPCommunicationError", testidp.Host, true},
		{"forged signature", idp.Forged(t, idp.Standard("alice", "app", now)), "InvalidIdentityToken", testidp.Host, false},
		{"expired", idp.Token(t, "RS256", idp.Standard("alice", "app", now.Add(-2*time.Hour))), "ExpiredTokenException", testidp.Host, false},
		{"wrong audience", idp.Token(t, "RS256", idp.Standard("alice", "someone-else", now)), "InvalidIdentityToken", testidp.Host, false},
		{"issuer of no provider", idp.Token(t, "RS256", unknownIss), "InvalidIdentityToken", "", false},
		{"not a JWT", "not-a-token-at-all", "InvalidIdentityToken", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp.SetDown(tc.down)
			defer idp.SetDown(false)
			_, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(tc.token)})
			testutil.WantCode(t, err, tc.code)
			ev, raw := federationRecord(t, e, e.Account.ID, err)
			wantRefusalRecord(t, ev, raw, "AssumeRoleWithWebIdentity", tc.code, "WebIdentityUser", tc.provider, tc.token)
		})
	}

	t.Run("a role of an account Rootward does not hold", func(t *testing.T) {
		const stranger = "210987654321"
		_, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::" + stranger + ":role/web"),
			RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(idp.Forged(t, idp.Standard("alice", "app", now)))})
		testutil.WantCode(t, err, "InvalidIdentityToken")
		e.Trail.Flush()
		p, err := trail.List(context.Background(), e.Store, trail.Query{Account: stranger})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 0 {
			t.Fatalf("got %d records in an account Rootward does not hold, want none: %+v", len(p.Events), p.Events[0])
		}
	})
}

// Refusals of AssumeRoleWithSAML before the assertion is verified are recorded in the role's
// account as a SAMLUser of the provider PrincipalArn names (its NameQualifier, when the provider
// exists), with the error, and without the assertion.
func TestSAMLRefusalsRecorded(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	provARN, roleARN := samlProviderAndRole(t, e, idp)
	anon := anonymousSTS(e)
	now := clk.Now()
	base := func() testidp.Assertion {
		return testidp.Assertion{Now: now, Subject: "alice@corp.example", Roles: []string{provARN + "," + roleARN}, SessionName: "alice"}
	}
	expired := base()
	expired.NotOnOrAfter = now.Add(-time.Second)
	nq := rwsts.NameQualifier(idp.EntityID, acct, "corp")
	for _, tc := range []struct {
		name, principal, resp, code, provider string
	}{
		{"wrong key", provARN, idp.SAMLResponseWrongKey(t, base()), "InvalidIdentityToken", nq},
		{"expired", provARN, idp.SAMLResponse(t, expired), "ExpiredTokenException", nq},
		{"tampered after signing", provARN, idp.SAMLResponseTampered(t, base(), "mallory@corp.example"), "InvalidIdentityToken", nq},
		{"not XML", provARN, "bm90IGEgU0FNTCByZXNwb25zZQ==", "InvalidIdentityToken", nq},
		{"no such provider", "arn:aws:iam::" + acct + ":saml-provider/nope", idp.SAMLResponse(t, base()), "InvalidIdentityToken", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(tc.principal), SAMLAssertion: aws.String(tc.resp)})
			testutil.WantCode(t, err, tc.code)
			ev, raw := federationRecord(t, e, acct, err)
			wantRefusalRecord(t, ev, raw, "AssumeRoleWithSAML", tc.code, "SAMLUser", tc.provider, tc.resp)
			if strings.Contains(raw, "mallory") {
				t.Errorf("the record holds a claim of the refused assertion: %s", raw)
			}
		})
	}
}

// The calls made with a web identity or SAML role session carry, in userIdentity.sessionContext,
// the webIdFederationData CloudTrail records for them: the OpenID Connect provider's ARN with
// empty attributes for a web identity session, an empty element for a SAML one; a call with
// long-term keys carries none.
func TestFederatedSessionRecords(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	oidcARN := oidcProvider(t, e, idp)
	webARN := webRole(t, e, "web", oidcARN, "")
	samlARN, samlRoleARN := samlProviderAndRole(t, e, idp)
	anon := anonymousSTS(e)
	now := clk.Now()

	web, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(webARN), RoleSessionName: aws.String("ci-run"),
		WebIdentityToken: aws.String(idp.Token(t, "RS256", idp.Standard("repo:org/app", "app", now)))})
	if err != nil {
		t.Fatal(err)
	}
	viaSAML, err := anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN), PrincipalArn: aws.String(samlARN),
		SAMLAssertion: aws.String(idp.SAMLResponse(t, testidp.Assertion{Now: now, Subject: "alice@corp.example", Roles: []string{samlARN + "," + samlRoleARN}, SessionName: "alice"}))})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		creds *ststypes.Credentials
		want  string
	}{
		{"web identity session", web.Credentials, `{"federatedProvider": "` + oidcARN + `", "attributes": {}}`},
		{"SAML session", viaSAML.Credentials, `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, secret, token := *tc.creds.AccessKeyId, *tc.creds.SecretAccessKey, *tc.creds.SessionToken
			if _, err := e.CallerFor(acct, key, secret, token).STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatal(err)
			}
			e.Trail.Flush()
			p, err := trail.List(context.Background(), e.Store, trail.Query{Account: acct, EventName: "GetCallerIdentity", AccessKeyID: key})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != 1 {
				t.Fatalf("got %d GetCallerIdentity records of key %s, want 1", len(p.Events), key)
			}
			ui := testutil.JSONObject(t, p.Events[0])["userIdentity"].(map[string]any)
			sc, _ := ui["sessionContext"].(map[string]any)
			if ui["type"] != "AssumedRole" || sc == nil || sc["sessionIssuer"] == nil {
				t.Fatalf("got userIdentity %v, want an AssumedRole with its session's issuer", ui)
			}
			wid, ok := sc["webIdFederationData"].(map[string]any)
			if !ok {
				t.Fatalf("got sessionContext %v, want webIdFederationData %s", sc, tc.want)
			}
			testutil.WantJSON(t, wid, tc.want)
		})
	}

	t.Run("a call with long-term keys", func(t *testing.T) {
		if _, err := e.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
			t.Fatal(err)
		}
		e.Trail.Flush()
		p, err := trail.List(context.Background(), e.Store, trail.Query{Account: acct, EventName: "ListRoles", Newest: true, Limit: 1})
		if err != nil || len(p.Events) != 1 {
			t.Fatalf("got %v, %v; want the admin's ListRoles record", p.Events, err)
		}
		if raw := testutil.JSONObject(t, p.Events[0].UserIdentity); raw["sessionContext"] != nil {
			t.Fatalf("got userIdentity %v for a call with long-term keys, want no sessionContext", raw)
		}
	})
}
