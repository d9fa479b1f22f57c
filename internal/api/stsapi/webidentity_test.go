package stsapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/testutil/testidp"
	"github.com/rootward/rootward/internal/trail"
)

// federationEnv is a server on a test clock whose web identity client trusts idp's test CA.
func federationEnv(t *testing.T, idp *testidp.IdP) (*servertest.Env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, _ *iam.Service, _ store.Store) {
		cfg.WebIdentityClient = idp.Client
	})
	return e, clk
}

// anonymousSTS is an STS client with no credentials: the SDK sends AssumeRoleWith* unsigned.
func anonymousSTS(e *servertest.Env) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.URL), RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient()})
}

func webRole(t *testing.T, e *servertest.Env, name, providerARN, condition string) string {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"]` + condition + `}]}`
	out, err := e.IAM.CreateRole(servertest.Ctx(t), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "/tenant")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	prov, err := e.IAM.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(idp.Issuer), ClientIDList: []string{"sts.amazonaws.com"}})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.OpenIDConnectProviderArn)
	host := testidp.Host + "/tenant"
	roleARN := webRole(t, e, "ci", provARN, `,"Condition":{"StringLike":{"`+host+`:sub":"repo:org/*"},"StringEquals":{"`+host+`:aud":"sts.amazonaws.com"}}`)
	otherRole := webRole(t, e, "other", "arn:aws:iam::"+e.Account.ID+":oidc-provider/elsewhere.example.com", "")
	anon := anonymousSTS(e)
	now := clk.Now()
	good := idp.Standard("repo:org/app:ref:refs/heads/main", "sts.amazonaws.com", now)

	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			out, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci-run"),
				WebIdentityToken: aws.String(idp.Token(t, alg, good)), DurationSeconds: aws.Int32(900)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.SubjectFromWebIdentityToken) != good["sub"] || aws.ToString(out.Audience) != "sts.amazonaws.com" || aws.ToString(out.Provider) != idp.Issuer {
				t.Fatalf("got subject %q audience %q provider %q", aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience), aws.ToString(out.Provider))
			}
			wantARN := "arn:aws:sts::" + e.Account.ID + ":assumed-role/ci/ci-run"
			if aws.ToString(out.AssumedRoleUser.Arn) != wantARN {
				t.Fatalf("AssumedRoleUser.Arn = %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), wantARN)
			}
			if got := out.Credentials.Expiration.Sub(now); got != 900*time.Second {
				t.Fatalf("duration %v, want 900s", got)
			}
			cr := out.Credentials
			id, err := e.CallerFor(e.Account.ID, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken).STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != wantARN {
				t.Fatalf("GetCallerIdentity = %v, %v; want %s", id, err, wantARN)
			}
		})
	}

	// Tokens and requests that STS refuses, each with AWS's code.
	expired := idp.Standard(good["sub"].(string), "sts.amazonaws.com", now.Add(-2*time.Hour))
	future := idp.Standard(good["sub"].(string), "sts.amazonaws.com", now.Add(time.Hour))
	wrongAud := idp.Standard(good["sub"].(string), "someone-else", now)
	otherSub := idp.Standard("repo:evil/app", "sts.amazonaws.com", now)
	unknownIss := idp.Standard(good["sub"].(string), "sts.amazonaws.com", now)
	unknownIss["iss"] = "https://unknown.example.com"
	for _, tc := range []struct {
		name, role, token, code, msg string
	}{
		{"forged signature", roleARN, idp.Forged(t, good), "InvalidIdentityToken", "Signature verification failed"},
		{"alg none", roleARN, idp.Unsigned(t, good), "InvalidIdentityToken", ""},
		{"not a JWT", roleARN, "not-a-token", "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"},
		{"expired", roleARN, idp.Token(t, "RS256", expired), "ExpiredTokenException", ""},
		{"not yet valid", roleARN, idp.Token(t, "RS256", future), "InvalidIdentityToken", "Token is not yet valid"},
		{"wrong audience", roleARN, idp.Token(t, "ES256", wrongAud), "InvalidIdentityToken", "Incorrect token audience"},
		{"unknown issuer", roleARN, idp.Token(t, "RS256", unknownIss), "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://unknown.example.com"},
		{"subject the trust policy refuses", roleARN, idp.Token(t, "RS256", otherSub), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"role trusting another provider", otherRole, idp.Token(t, "RS256", good), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"missing role", "arn:aws:iam::" + e.Account.ID + ":role/none", idp.Token(t, "RS256", good), "AccessDenied", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(tc.role), RoleSessionName: aws.String("ci-run"), WebIdentityToken: aws.String(tc.token)})
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && testutil.ErrorMessage(err) != tc.msg {
				t.Fatalf("message %q, want %q", testutil.ErrorMessage(err), tc.msg)
			}
		})
	}
	if n := idp.JWKSFetches(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want once (kept for an hour)", n)
	}

	e.Trail.Flush()
	p, err := trail.List(context.Background(), e.Store, trail.Query{Account: e.Account.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ok, denied bool
	for _, ev := range p.Events {
		if ev.EventName != "AssumeRoleWithWebIdentity" || ev.ErrorCode != "" && ev.ErrorCode != "AccessDenied" {
			continue // the refusals before the token is verified: TestWebIdentityRefusalsRecorded
		}
		u := ev.UserIdentity
		if u.Type != "WebIdentityUser" || u.IdentityProvider != host || u.UserName == "" || !strings.HasPrefix(u.PrincipalID, host+":sts.amazonaws.com:") {
			t.Fatalf("userIdentity = %+v", u)
		}
		if _, hidden := ev.RequestParameters["webIdentityToken"]; hidden && ev.RequestParameters["webIdentityToken"] != trail.Hidden {
			t.Fatalf("the token was recorded: %v", ev.RequestParameters["webIdentityToken"])
		}
		ok = ok || ev.ErrorCode == ""
		denied = denied || ev.ErrorCode == "AccessDenied"
	}
	if !ok || !denied {
		t.Fatalf("trail: success recorded %v, refusal recorded %v; want both", ok, denied)
	}
}

func TestWebIdentityUnreachableAndThrottled(t *testing.T) {
	t.Parallel()
	idp := testidp.New(t, "")
	e, clk := federationEnv(t, idp)
	ctx := servertest.Ctx(t)
	roleARN := webRole(t, e, "web", oidcProvider(t, e, idp), "")
	anon := anonymousSTS(e)
	good := idp.Token(t, "RS256", idp.Standard("alice", "app", clk.Now()))
	call := func(token string) error {
		_, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(token)})
		return err
	}
	idp.SetDown(true)
	testutil.WantCode(t, call(good), "IDPCommunicationError")
	idp.SetDown(false)
	testutil.WantCode(t, call(good), "")
	// Refused tokens from one address back off after 20 (the console's per-address limit); a
	// success takes its attempt back.
	forged := idp.Forged(t, idp.Standard("alice", "app", clk.Now()))
	var throttled bool
	for i := 0; i < 25 && !throttled; i++ {
		err := call(forged)
		code, _ := testutil.ErrorCode(err)
		throttled = code == "Throttling"
		if !throttled && code != "InvalidIdentityToken" {
			t.Fatalf("attempt %d: got %v, want InvalidIdentityToken or Throttling", i+1, err)
		}
	}
	if !throttled {
		t.Fatal("25 forged tokens from one address were never throttled")
	}
	testutil.WantCode(t, call(good), "Throttling")
	clk.Advance(time.Hour)
	good = idp.Token(t, "RS256", idp.Standard("alice", "app", clk.Now()))
	testutil.WantCode(t, call(good), "")
}
