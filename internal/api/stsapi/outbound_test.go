package stsapi_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// outboundPublicURL is the public URL the outbound tests serve under: a host name (an OIDC
// provider's URL may name no IP address or port) that httptest's TLS certificate covers.
const outboundPublicURL = "https://example.com"

// outboundEnv is a server on a test clock also served over HTTPS at outboundPublicURL (httptest's
// TLS server), as serve is behind its public URL, so that the accounts' issuers are https:// and
// Rootward's own AssumeRoleWithWebIdentity can trust them. The client it returns, also the
// server's web identity client, trusts that server's certificate and reaches it for any host.
func outboundEnv(t *testing.T) (*servertest.Env, *testutil.Clock, *http.Client) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	var mux http.Handler
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mux.ServeHTTP(w, r) }))
	t.Cleanup(tlsSrv.Close)
	tr := tlsSrv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, tlsSrv.Listener.Addr().String())
	}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	e := servertest.Build(t, nil, clk.Now, func(cfg *server.Config, _ *iam.Service, _ store.Store) {
		cfg.WebIdentityClient = client
	})
	mux = httpmux.New(httpmux.Config{API: e.Server, Issuers: iamapi.IssuerHandler(e.Svc, nil)})
	e.Svc.SetPublicURL(outboundPublicURL)
	return e, clk, client
}

// getJSON fetches url with client and decodes the JSON answer into v.
func getJSON(t *testing.T, client *http.Client, url string, v any) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s = %d %s (%s), want 200 application/json", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

// jwksKeys reads a JWKS's RSA and P-384 keys by kid.
func jwksKeys(t *testing.T, client *http.Client, url string) map[string]crypto.PublicKey {
	t.Helper()
	var doc struct {
		Keys []struct{ Kty, Kid, Alg, Use, N, E, Crv, X, Y string }
	}
	getJSON(t, client, url, &doc)
	dec := func(s string) *big.Int {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWK member %q: %v", s, err)
		}
		return new(big.Int).SetBytes(b)
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range doc.Keys {
		if k.Use != "sig" || k.Kid == "" {
			t.Errorf("JWK %+v: want use sig and a kid", k)
		}
		switch {
		case k.Kty == "RSA" && k.Alg == "RS256":
			keys[k.Kid] = &rsa.PublicKey{N: dec(k.N), E: int(dec(k.E).Int64())}
		case k.Kty == "EC" && k.Alg == "ES384" && k.Crv == "P-384":
			x, _ := base64.RawURLEncoding.DecodeString(k.X)
			y, _ := base64.RawURLEncoding.DecodeString(k.Y)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
			if err != nil {
				t.Fatalf("JWK %+v: %v", k, err)
			}
			keys[k.Kid] = pub
		default:
			t.Errorf("JWK %+v: want RS256 RSA or ES384 P-384", k)
		}
	}
	return keys
}

// TestOutboundWebIdentityFederation: an account turns outbound identity federation on; its
// principals' GetWebIdentityToken tokens verify against the JWKS its issuer publishes (found
// through the discovery document) and carry the claims AWS documents; off, no token is issued
// but the keys stay published; and the token is accepted by Rootward's own
// AssumeRoleWithWebIdentity through an OIDC provider for the issuer.
func TestOutboundWebIdentityFederation(t *testing.T) {
	t.Parallel()
	e, clk, client := outboundEnv(t)
	ctx := servertest.Ctx(t)
	req := &sts.GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"}, SigningAlgorithm: aws.String("RS256")}

	// Never enabled: no issuer, no token.
	_, err := e.IAM.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	testutil.WantCode(t, err, "FeatureDisabled")
	testutil.WantStatus(t, err, 404)
	_, err = e.IAM.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{})
	testutil.WantCode(t, err, "FeatureDisabled")
	_, err = e.STS.GetWebIdentityToken(ctx, req)
	testutil.WantCode(t, err, "OutboundWebIdentityFederationDisabledException")
	testutil.WantStatus(t, err, 403)

	en, err := e.IAM.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	if !strings.HasPrefix(issuer, outboundPublicURL+"/oidc/") || len(issuer) != len(outboundPublicURL+"/oidc/")+36 {
		t.Fatalf("IssuerIdentifier = %q, want %s/oidc/<uuid>", issuer, outboundPublicURL)
	}
	_, err = e.IAM.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	testutil.WantCode(t, err, "FeatureEnabled")
	testutil.WantStatus(t, err, 409)
	info, err := e.IAM.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("GetOutboundWebIdentityFederationInfo = %+v, %v; want %s, enabled", info, err, issuer)
	}

	var disc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	getJSON(t, client, issuer+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != issuer || disc.JWKSURI != issuer+"/.well-known/jwks.json" || strings.Join(disc.Algs, ",") != "RS256,ES384" {
		t.Fatalf("discovery document = %+v, want issuer %s, its jwks.json, RS256 and ES384", disc, issuer)
	}
	keys := jwksKeys(t, client, disc.JWKSURI)
	if len(keys) != 2 {
		t.Fatalf("JWKS holds %d keys, want 2 (RS256, ES384)", len(keys))
	}
	admin := "arn:aws:iam::" + e.Account.ID + ":user/admin"

	verify := func(t *testing.T, token, alg string) jwt.MapClaims {
		t.Helper()
		claims := jwt.MapClaims{}
		tok, err := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(issuer), jwt.WithTimeFunc(clk.Now), jwt.WithExpirationRequired(), jwt.WithIssuedAt()).
			ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
				kid, _ := tok.Header["kid"].(string)
				return keys[kid], nil
			})
		if err != nil || !tok.Valid {
			t.Fatalf("verifying the token against the issuer's JWKS: %v", err)
		}
		return claims
	}

	for _, tc := range []struct {
		name     string
		in       *sts.GetWebIdentityTokenInput
		alg      string
		duration int64
		want     string
	}{
		{"RS256, one audience, default duration", req, "RS256", 300,
			`{"aud":"https://api.example.com","sub":"ADMIN","https://sts.amazonaws.com/":{"aws_account":"ACCOUNT","source_region":"us-east-1"}}`},
		{"ES384, two audiences, tags", &sts.GetWebIdentityTokenInput{Audience: []string{"a1", "a2"}, SigningAlgorithm: aws.String("ES384"), DurationSeconds: aws.Int32(3600),
			Tags: []ststypes.Tag{{Key: aws.String("job"), Value: aws.String("nightly")}}}, "ES384", 3600,
			`{"aud":["a1","a2"],"sub":"ADMIN","https://sts.amazonaws.com/":{"aws_account":"ACCOUNT","source_region":"us-east-1","request_tags":{"job":"nightly"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.STS.GetWebIdentityToken(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			claims := verify(t, aws.ToString(out.WebIdentityToken), tc.alg)
			iat, _ := claims.GetIssuedAt()
			exp, _ := claims.GetExpirationTime()
			if !iat.Equal(clk.Now()) || exp.Sub(iat.Time) != time.Duration(tc.duration)*time.Second || !out.Expiration.Equal(exp.Time) {
				t.Errorf("iat %v exp %v (Expiration %v), want iat now %v and %ds", iat, exp, out.Expiration, clk.Now(), tc.duration)
			}
			if jti, _ := claims["jti"].(string); len(jti) != 36 {
				t.Errorf("jti = %q, want a UUID", jti)
			}
			for _, k := range []string{"iss", "iat", "exp", "jti"} {
				delete(claims, k)
			}
			testutil.WantJSON(t, map[string]any(claims), tc.want, "ADMIN", admin, "ACCOUNT", e.Account.ID)
		})
	}

	t.Run("a role session's token is the role's, with the caller's principal tags, within its session", func(t *testing.T) {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
		role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(trust),
			Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		as, err := e.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("session"), DurationSeconds: aws.Int32(900)})
		if err != nil {
			t.Fatal(err)
		}
		cr := as.Credentials
		worker := e.CallerFor(e.Account.ID, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken).STS
		out, err := worker.GetWebIdentityToken(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		claims := verify(t, aws.ToString(out.WebIdentityToken), "RS256")
		ns, _ := claims["https://sts.amazonaws.com/"].(map[string]any)
		if claims["sub"] != aws.ToString(role.Role.Arn) || testutil.JSONObject(t, ns["principal_tags"])["team"] != "data" {
			t.Errorf("claims = %v, want sub %s and principal_tags team=data", claims, aws.ToString(role.Role.Arn))
		}
		// 3600 seconds would outlive the 900-second session.
		_, err = worker.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: req.Audience, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(3600)})
		testutil.WantCode(t, err, "SessionDurationEscalationException")
		testutil.WantStatus(t, err, 403)
	})

	t.Run("AssumeRoleWithWebIdentity accepts the token through an OIDC provider for the issuer", func(t *testing.T) {
		prov, err := e.IAM.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{"https://api.example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		host := strings.TrimPrefix(issuer, "https://")
		roleARN := webRole(t, e, "outbound", aws.ToString(prov.OpenIDConnectProviderArn), `,"Condition":{"StringEquals":{"`+host+`:sub":"`+admin+`"}}`)
		out, err := e.STS.GetWebIdentityToken(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		as, err := anonymousSTS(e).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("outbound"), WebIdentityToken: out.WebIdentityToken})
		if err != nil {
			t.Fatalf("AssumeRoleWithWebIdentity with Rootward's own token: %v", err)
		}
		if aws.ToString(as.SubjectFromWebIdentityToken) != admin || aws.ToString(as.Provider) != issuer {
			t.Errorf("subject %q provider %q, want %s and %s", aws.ToString(as.SubjectFromWebIdentityToken), aws.ToString(as.Provider), admin, issuer)
		}
	})

	t.Run("the call is recorded", func(t *testing.T) {
		e.Trail.Flush()
		p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, EventName: "GetWebIdentityToken", Newest: true, Limit: 1})
		if err != nil || len(p.Events) == 0 {
			t.Fatalf("trail has %v, %v; want a GetWebIdentityToken record", p.Events, err)
		}
		rec := testutil.JSONObject(t, p.Events[0])
		if rec["eventSource"] != "sts.amazonaws.com" || testutil.JSONObject(t, rec["userIdentity"])["arn"] != admin {
			t.Errorf("record = %v, want sts.amazonaws.com by %s", rec, admin)
		}
	})

	// Off again: no token, the same issuer reported disabled, and its keys still published so
	// that tokens issued before verify.
	if _, err := e.IAM.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.STS.GetWebIdentityToken(ctx, req)
	testutil.WantCode(t, err, "OutboundWebIdentityFederationDisabledException")
	info, err = e.IAM.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || aws.ToString(info.IssuerIdentifier) != issuer || info.JwtVendingEnabled {
		t.Fatalf("GetOutboundWebIdentityFederationInfo = %+v, %v; want %s, disabled", info, err, issuer)
	}
	if len(jwksKeys(t, client, disc.JWKSURI)) != 2 {
		t.Fatal("the JWKS of a disabled issuer lost its keys")
	}
	en, err = e.IAM.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil || aws.ToString(en.IssuerIdentifier) != issuer {
		t.Fatalf("enabling again = %v, %v; want the same issuer %s", en, err, issuer)
	}

	// An issuer that does not exist, and paths that are no issuer document.
	for _, path := range []string{"/oidc/00000000-0000-4000-8000-000000000000/.well-known/jwks.json", strings.TrimPrefix(issuer, outboundPublicURL) + "/.well-known/other", "/oidc/"} {
		resp, err := client.Get(outboundPublicURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestGetWebIdentityTokenRefusals: bad input and callers the policy refuses, by the condition
// keys of the Service Authorization Reference (sts:IdentityTokenAudience, sts:SigningAlgorithm,
// sts:DurationSeconds) and sts:TagGetWebIdentityToken for tags.
func TestGetWebIdentityTokenRefusals(t *testing.T) {
	t.Parallel()
	e, _, _ := outboundEnv(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, limited := e.UserClients("limited", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
		"Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":["https://ok.example.com"]},"StringEquals":{"sts:SigningAlgorithm":"ES384"},"NumericLessThanEquals":{"sts:DurationSeconds":"300"}}}]}`)
	_, nobody := e.UserClients("nobody", "")
	tag := []ststypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	in := func(aud []string, alg string, dur int32, tags []ststypes.Tag) *sts.GetWebIdentityTokenInput {
		r := &sts.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String(alg), Tags: tags}
		if dur != 0 {
			r.DurationSeconds = aws.Int32(dur)
		}
		return r
	}
	ok := []string{"https://ok.example.com"}
	for _, tc := range []struct {
		name   string
		client *sts.Client
		in     *sts.GetWebIdentityTokenInput
		code   string
	}{
		{"allowed audience, algorithm and default duration", limited, in(ok, "ES384", 0, nil), ""},
		{"an audience the policy does not list", limited, in([]string{"https://ok.example.com", "https://evil.example.com"}, "ES384", 0, nil), "AccessDenied"},
		{"another algorithm", limited, in(ok, "RS256", 0, nil), "AccessDenied"},
		{"a longer duration", limited, in(ok, "ES384", 301, nil), "AccessDenied"},
		{"tags without sts:TagGetWebIdentityToken", limited, in(ok, "ES384", 0, tag), "AccessDenied"},
		{"no permission", nobody, in(ok, "RS256", 0, nil), "AccessDenied"},
		{"HS256", e.STS, in(ok, "HS256", 0, nil), "ValidationError"},
		{"duration under 60", e.STS, in(ok, "ES384", 30, nil), "ValidationError"},
		{"duration over 3600", e.STS, in(ok, "ES384", 3601, nil), "ValidationError"},
		{"eleven audiences", e.STS, in(strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","), "ES384", 0, nil), "ValidationError"},
		{"an empty audience", e.STS, in([]string{""}, "ES384", 0, nil), "ValidationError"},
		{"a reserved tag key", e.STS, in(ok, "ES384", 0, []ststypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}), "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.GetWebIdentityToken(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
}
