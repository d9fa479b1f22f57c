package server_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
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
	// Served as serve serves it, with /healthz and /metrics beside the API.
	srv := server.New(cfg)
	hs := httptest.NewServer(httpmux.New(httpmux.Config{API: srv, Metrics: srv.Metrics(), TrustedProxies: cfg.TrustedProxies}))
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
