package snsapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// env is an in-process Rootward serving SNS on one address, as serve mounts it: the API, and
// CertHandler under /sns/. Deliveries are sent only when a test calls deliver (DeliverDue), on
// the injected clock, so nothing waits for time to pass. Email and SMS go to the outbox.
type env struct {
	*servertest.Env
	t        *testing.T
	clock    *testutil.Clock
	svc      *sns.Service
	notifier *notify.Notifier
	url      string         // the address's base URL
	admin    *awssns.Client // the test account's admin
	// transport carries the HTTP/S deliveries (set by withSubscriber before the service is made).
	transport http.RoundTripper
}

type option func(*env)

// withTransport has HTTP/S deliveries use rt (one that trusts a test subscriber's certificate).
func withTransport(rt http.RoundTripper) option { return func(e *env) { e.transport = rt } }

func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	se, clock := servertest.NewClocked(t, nil)
	e := &env{Env: se, t: t, clock: clock}
	for _, o := range opts {
		o(e)
	}
	var h http.Handler
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(front.Close)
	e.url = front.URL
	sealer := testutil.Sealer(t)
	n, err := notify.New(se.Store, sealer, notify.Config{}, notify.WithClock(clock.Now), notify.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	e.notifier = n
	e.svc = sns.New(sns.Config{Store: se.Store, Sealer: sealer, Notifier: n, PublicURL: front.URL, Now: clock.Now, Transport: e.transport})
	certs := e.svc.CertHandler()
	// The address routes as serve's does once the lead mounts CertHandler: /sns/ to it, the rest
	// to the API server.
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sns" || strings.HasPrefix(r.URL.Path, "/sns/") {
			certs.ServeHTTP(w, r)
			return
		}
		se.Server.ServeHTTP(w, r)
	})
	se.Server.Runner().Deps().SNS = e.svc
	e.admin = e.client(se.AdminKey.AccessKeyID, se.AdminKey.Secret)
	return e
}

// client is an SNS client signing with the given key, at the address.
func (e *env) client(id, secret string) *awssns.Client {
	return awssns.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(), BaseEndpoint: aws.String(e.url),
	})
}

// user creates an IAM user in account with the inline policy (none when "") and returns an SNS
// client signing as the user.
func (e *env) user(account, name, inline string) *awssns.Client {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if inline != "" {
		if err := e.Svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline); err != nil {
			e.t.Fatal(err)
		}
	}
	k, err := e.Svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.client(k.AccessKeyID, k.Secret)
}

// otherAccount creates another account.
func (e *env) otherAccount(name string) string {
	e.t.Helper()
	a, err := e.Svc.CreateAccount(context.Background(), name, "root+"+name+"@example.com", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return a.ID
}

// deliver sends every delivery due now and returns how many were attempted.
func (e *env) deliver() int {
	e.t.Helper()
	n, err := e.svc.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

// outbox is the outbox's messages to the address to.
func (e *env) outbox(to string) []notify.Entry {
	e.t.Helper()
	out, err := e.notifier.Outbox(context.Background(), notify.Query{To: to})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// createTopic creates a topic with the admin and returns its ARN.
func (e *env) createTopic(name string) string {
	e.t.Helper()
	out, err := e.admin.CreateTopic(servertest.Ctx(e.t), &awssns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		e.t.Fatalf("CreateTopic %s: %v", name, err)
	}
	return *out.TopicArn
}

// topicAttributes is GetTopicAttributes' map, by the admin.
func (e *env) topicAttributes(arn string) map[string]string {
	e.t.Helper()
	out, err := e.admin.GetTopicAttributes(servertest.Ctx(e.t), &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		e.t.Fatalf("GetTopicAttributes: %v", err)
	}
	return out.Attributes
}

// tokenIn returns the Token parameter of the SubscribeURL in text.
func tokenIn(t *testing.T, text string) (subscribeURL, token string) {
	t.Helper()
	i := strings.Index(text, "/sns/?Action=ConfirmSubscription")
	if i < 0 {
		t.Fatalf("no SubscribeURL in %q", text)
	}
	start := strings.LastIndex(text[:i], "http")
	end := strings.IndexAny(text[i:], " \n\"")
	if end < 0 {
		end = len(text) - i
	}
	subscribeURL = text[start : i+end]
	j := strings.Index(subscribeURL, "&Token=")
	if j < 0 {
		t.Fatalf("no token in %q", subscribeURL)
	}
	return subscribeURL, subscribeURL[j+len("&Token="):]
}
