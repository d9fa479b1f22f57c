package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// env is an in-process Rootward with an account whose admin user holds AdministratorAccess.
type env struct {
	t        *testing.T
	svc      *iam.Service
	trail    *trail.Recorder
	st       store.Store
	url      string
	account  *iam.Account
	adminKey *iam.AccessKey
	iam      *awsiam.Client
	sts      *sts.Client
}

// openStore opens the backend under test: PostgreSQL when ROOTWARD_TEST_POSTGRES is set (CI runs
// the suite both ways), SQLite otherwise.
func openStore(t testing.TB) store.Store { return testbackend.Open(t) }

func newEnv(t *testing.T) *env {
	e := newBenchEnv(t)
	e.t = t
	return e
}

// newBenchEnv is newEnv for benchmarks and tests alike.
func newBenchEnv(t testing.TB) *env { return buildEnv(t, nil, nil) }

// buildEnv starts a server over st (openStore(t) when nil) with the clock now (time.Now when nil).
func buildEnv(t testing.TB, st store.Store, now func() time.Time, configure ...func(*server.Config, *iam.Service, store.Store)) *env {
	t.Helper()
	if st == nil {
		st = openStore(t)
	}
	sealer, err := seal.New(testMasterKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := []iam.Option{iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1})}
	if now != nil {
		opts = append(opts, iam.WithClock(now))
	}
	svc := iam.New(st, sealer, opts...)
	rec := trail.NewRecorder(st, nil)
	t.Cleanup(rec.Close)
	cfg := server.Config{IAM: svc, Trail: rec, Now: now}
	for _, f := range configure {
		f(&cfg, svc, st)
	}
	hs := httptest.NewServer(server.New(cfg))
	t.Cleanup(hs.Close)
	ctx := context.Background()
	acct, err := svc.CreateAccount(ctx, "test-account", "root+"+t.Name()+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, acct.ID, iam.CreateUserInput{UserName: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AttachPolicy(ctx, acct.ID, "user", "admin", "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
		t.Fatal(err)
	}
	k, err := svc.CreateAccessKey(ctx, acct.ID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{trail: rec, svc: svc, st: st, url: hs.URL, account: acct, adminKey: k}
	e.iam, e.sts = e.clients(k.AccessKeyID, k.Secret, "")
	return e
}

// clients returns IAM and STS clients signing with the given credentials.
func (e *env) clients(id, secret, token string) (*awsiam.Client, *sts.Client) {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, token),
		RetryMaxAttempts: 1,
	}
	ic := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(e.url) })
	sc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(e.url) })
	return ic, sc
}

// userClients creates a user with the given inline policy (none if "") and an access key, and
// returns clients signing as that user.
func (e *env) userClients(name, inlinePolicy string) (*awsiam.Client, *sts.Client) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if inlinePolicy != "" {
		if err := e.svc.PutInlinePolicy(ctx, e.account.ID, "user", name, "inline", inlinePolicy); err != nil {
			e.t.Fatal(err)
		}
	}
	k, err := e.svc.CreateAccessKey(ctx, e.account.ID, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.clients(k.AccessKeyID, k.Secret, "")
}

// wantCode fails unless err is an AWS API error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var testMasterKey = []byte("0123456789abcdef0123456789abcdef")

// newCredEnv is newEnv with an injected clock, over the given store (openStore(t) when nil).
func newCredEnv(t *testing.T, st store.Store) (*env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := buildEnv(t, st, clk.Now)
	e.t = t
	return e, clk
}

// wantStatus fails unless err carries the HTTP status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("err = %v, want HTTP %d", err, status)
	}
}

// wantResult fails unless err is nil (an error code "" in the tables).
func wantResult(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		return
	}
	wantCode(t, err, code)
}

func totpCode(t *testing.T, seed []byte, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(string(seed), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func selfSignedPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
