package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
)

// The console answers only under its public URL's host: a page asked for at 127.0.0.1 (where
// Chromium refuses passkeys with "This is an invalid domain.") is redirected to the same path
// under the public host, a form posted there is refused, and the API on the same listener answers
// SigV4 requests under any host.
func TestPublicURLRedirect(t *testing.T) {
	e := newEnv(t, func(o *envOpts) { o.publicURL = true })
	u, _ := url.Parse(e.url)
	ip := "http://127.0.0.1:" + u.Port()
	b := e.browser()
	get := func(raw string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, raw, nil)
		return b.do(req)
	}

	cases := []struct {
		name, url    string
		status       int
		wantLocation string
	}{
		{"sign-in page by IP address", ip + "/console/signin?signedout=1", http.StatusFound, e.url + "/console/signin?signedout=1"},
		{"console root by IP address", ip + "/console", http.StatusFound, e.url + "/console"},
		{"static file by IP address", ip + "/console/static/console.css", http.StatusFound, e.url + "/console/static/console.css"},
		{"sign-in page at the public URL", e.url + "/console/signin", http.StatusOK, ""},
		{"public host in capitals", "http://LOCALHOST:" + u.Port() + "/console/signin", http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := get(tc.url)
			if p.status != tc.status || p.location != tc.wantLocation {
				t.Fatalf("GET %s: %d Location %q; want %d %q", tc.url, p.status, p.location, tc.status, tc.wantLocation)
			}
		})
	}

	t.Run("form posted by IP address", func(t *testing.T) {
		get(e.url + "/console/signin")
		form := url.Values{"csrf": {b.csrf()}, "email": {"owner@acme.example"}}
		req, _ := http.NewRequest(http.MethodPost, ip+"/console/signin/root", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := b.do(req)
		if p.status != http.StatusMisdirectedRequest || p.location != "" || !strings.Contains(p.body, e.url+"/console/") {
			t.Fatalf("POST by IP address: %d Location %q; want 421 naming %s/console/\n%.1000s", p.status, p.location, e.url, p.body)
		}
	})

	t.Run("API by IP address", func(t *testing.T) {
		ctx := context.Background()
		// The SDK signs with the wall clock: the server's clock joins it.
		e.clock.Advance(time.Since(e.clock.Now()))
		if _, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: "cli"}); err != nil {
			t.Fatal(err)
		}
		k, err := e.svc.CreateAccessKey(ctx, e.account.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(ip),
			Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.Secret, "")})
		id, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity at %s: %v", ip, err)
		}
		if want := "arn:aws:iam::" + e.account.ID + ":user/cli"; aws.ToString(id.Arn) != want {
			t.Fatalf("ARN = %q, want %q", aws.ToString(id.Arn), want)
		}
	})
}

// The commands console pages name start as the server runs them (Config.CLI: go run ./cmd/rootward
// under go run), so they work as printed: a stale claim link's page, and the outbox note of a
// check-your-email page.
func TestPagesNameServerCommand(t *testing.T) {
	e := newEnv(t, func(o *envOpts) {
		o.console = append(o.console, func(c *console.Config) { c.CLI = "go run ./cmd/rootward" })
	}).withRootPassword()
	b := e.browser()
	p := b.get(console.ClaimPath("no-such-claim"))
	for _, want := range []string{"go run ./cmd/rootward root claim-link --data DIR", "go run ./cmd/rootward root set-password --data DIR"} {
		if p.status != http.StatusNotFound || !strings.Contains(p.body, want) {
			t.Fatalf("stale claim link: %d, want 404 naming %q\n%.1500s", p.status, want, p.body)
		}
	}
	b.get("/console/recover/password")
	p = b.submit("/console/recover/password", url.Values{"email": {rootEmail}})
	e.root.Drain()
	if want := "On the server, run: go run ./cmd/rootward outbox --data DIR"; p.status != http.StatusOK || !strings.Contains(p.body, want) {
		t.Fatalf("password reset request: %d, want the page naming %q\n%.1500s", p.status, want, p.body)
	}
}
