package server_test

import (
	"context"
	"net/http"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// forwardedFor adds an X-Forwarded-For header to every request.
type forwardedFor string

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(f))
	return http.DefaultTransport.RoundTrip(r)
}

// aws:SourceIp and CloudTrail's sourceIPAddress come from X-Forwarded-For only when the connection
// comes from a proxy `serve --trusted-proxy` names, and then from the right-most entry outside the
// trusted ranges; a client that sends the header itself changes nothing.
func TestTrustedProxy(t *testing.T) {
	t.Parallel()
	const officePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
		"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`
	tests := []struct {
		name    string
		trusted []netip.Prefix
		xff     string
		allowed bool
		source  string
	}{
		{"spoofed, no proxy", nil, "203.0.113.5", false, "127.0.0.1"},
		{"spoofed, untrusted", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "203.0.113.5", false, "127.0.0.1"},
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "203.0.113.5", true, "203.0.113.5"},
		{"client prepended", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			"203.0.113.5, 198.51.100.9", false, "198.51.100.9"},
	}
	// Short names: the env's root email is made of the test's name.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := servertest.Build(t, nil, nil, func(cfg *server.Config, _ *iam.Service, _ store.Store) { cfg.TrustedProxies = tc.trusted })
			ctx := servertest.Ctx(t)
			if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: "office"}); err != nil {
				t.Fatal(err)
			}
			if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", "office", "office", officePolicy); err != nil {
				t.Fatal(err)
			}
			k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, "office")
			if err != nil {
				t.Fatal(err)
			}
			c := awsiam.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.Secret, ""),
				RetryMaxAttempts: 1, HTTPClient: &http.Client{Transport: forwardedFor(tc.xff)}}, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(e.URL) })
			_, err = c.ListUsers(ctx, &awsiam.ListUsersInput{})
			if tc.allowed {
				testutil.WantCode(t, err, "")
			} else {
				testutil.WantCode(t, err, "AccessDenied")
			}
			e.Trail.Flush()
			p, err := trail.List(context.Background(), e.Store, trail.Query{Account: e.Account.ID, Match: func(ev *trail.Event) bool {
				return ev.EventName == "ListUsers"
			}})
			if err != nil || len(p.Events) != 1 || p.Events[0].SourceIPAddress != tc.source {
				t.Fatalf("ListUsers records = %+v, %v; want one from %s", p.Events, err, tc.source)
			}
		})
	}
}
