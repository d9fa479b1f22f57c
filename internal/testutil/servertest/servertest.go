// Package servertest starts an in-process Rootward for tests that call it through the real AWS SDK
// clients: the environment every service package's tests share.
package servertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// Env is an in-process Rootward with an account whose admin user holds AdministratorAccess, and
// SDK clients signing as that admin.
type Env struct {
	T        testing.TB
	Svc      *iam.Service
	Trail    *trail.Recorder
	Store    store.Store
	Server   *server.Server
	URL      string
	Account  *iam.Account
	AdminKey *iam.AccessKey
	IAM      *awsiam.Client
	STS      *sts.Client
	Orgs     *organizations.Client
	// Root is the root-user service the server's Account Management operations use; Notifier its
	// notifier, whose messages stay in the outbox.
	Root     *rootuser.Service
	Notifier *notify.Notifier
}

// New starts an Env over the backend under test (testbackend.Open: PostgreSQL when
// ROOTWARD_TEST_POSTGRES is set, SQLite otherwise) on the real clock.
func New(t testing.TB) *Env { return Build(t, nil, nil) }

// Build starts an Env over st (testbackend.Open(t) when nil) with the clock now (time.Now when
// nil); configure may change the server's configuration before it starts.
func Build(t testing.TB, st store.Store, now func() time.Time, configure ...func(*server.Config, *iam.Service, store.Store)) *Env {
	t.Helper()
	if st == nil {
		st = testbackend.Open(t)
	}
	sealer := testutil.Sealer(t)
	opts := []iam.Option{iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1})}
	if now != nil {
		opts = append(opts, iam.WithClock(now))
	}
	svc := iam.New(st, sealer, opts...)
	rec := trail.NewRecorder(st, nil)
	t.Cleanup(rec.Close)
	// SNS as serve builds it, its email and SMS deliveries kept in the outbox; nothing delivers
	// unless a test runs its delivery.
	n, err := notify.New(st, sealer, notify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	topics := sns.New(sns.Config{Store: st, Sealer: sealer, Notifier: n, Now: now})
	var rootOpts []rootuser.Option
	if now != nil {
		rootOpts = append(rootOpts, rootuser.WithClock(now))
	}
	root, err := rootuser.New(rootuser.Config{IAM: svc, Notifier: n, Trail: rec, ConsoleURL: "https://rootward.test/console"}, rootOpts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{IAM: svc, Trail: rec, Now: now, Services: services.All(), SNS: topics, Root: root}
	for _, f := range configure {
		f(&cfg, svc, st)
	}
	srv := server.New(cfg)
	// Served as serve serves it, with /healthz and /metrics beside the API.
	hs := httptest.NewServer(httpmux.New(httpmux.Config{API: srv, Metrics: srv.Metrics(), SNS: topics.CertHandler(), Issuers: iamapi.IssuerHandler(svc, nil), TrustedProxies: cfg.TrustedProxies}))
	t.Cleanup(hs.Close)
	svc.SetPublicURL(hs.URL)
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
	e := &Env{T: t, Svc: svc, Trail: rec, Store: st, Server: srv, URL: hs.URL, Account: acct, AdminKey: k, Root: root, Notifier: n}
	e.IAM, e.STS = e.Clients(k.AccessKeyID, k.Secret, "")
	e.Orgs = e.OrgsClient(k.AccessKeyID, k.Secret, "")
	return e
}

// Config is the SDK configuration of clients signing with the given credentials (no retries; the
// HTTP client sends bodies from memory, see testutil.SDKHTTPClient).
func (e *Env) Config(id, secret, token string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, token),
		RetryMaxAttempts: 1,
		BaseEndpoint:     aws.String(e.URL),
		HTTPClient:       testutil.SDKHTTPClient(),
	}
}

// Clients returns IAM and STS clients signing with the given credentials.
func (e *Env) Clients(id, secret, token string) (*awsiam.Client, *sts.Client) {
	cfg := e.Config(id, secret, token)
	return awsiam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// OrgsClient returns an Organizations client signing with the given credentials.
func (e *Env) OrgsClient(id, secret, token string) *organizations.Client {
	return organizations.NewFromConfig(e.Config(id, secret, token))
}

// UserClients creates a user with the given inline policy (none if "") and an access key, and
// returns clients signing as that user.
func (e *Env) UserClients(name, inlinePolicy string) (*awsiam.Client, *sts.Client) {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: name}); err != nil {
		e.T.Fatal(err)
	}
	if inlinePolicy != "" {
		if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", name, "inline", inlinePolicy); err != nil {
			e.T.Fatal(err)
		}
	}
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.Clients(k.AccessKeyID, k.Secret, "")
}

// Ctx is a context for one test's calls, cancelled when the test ends (30 s at most).
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ConsoleRequest is the console's own HTTP request from a browser at ip, which api.Invoke takes a
// console call's condition keys (aws:SourceIp) and CloudTrail's userAgent from.
func ConsoleRequest(ip string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/console/home", nil)
	r.RemoteAddr = ip + ":51000"
	r.Header.Set("User-Agent", "test-browser/1.0")
	return r
}

// WantReason fails unless err is an Organizations error with code and Reason.
func WantReason(t testing.TB, err error, code, reason string) {
	t.Helper()
	testutil.WantCode(t, err, code)
	var got string
	var cv *otypes.ConstraintViolationException
	var ii *otypes.InvalidInputException
	var hc *otypes.HandshakeConstraintViolationException
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	case errors.As(err, &hc):
		got = string(hc.Reason)
	}
	if got != reason {
		t.Fatalf("Reason = %q, want %q (%v)", got, reason, err)
	}
}
