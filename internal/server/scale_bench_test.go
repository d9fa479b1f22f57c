package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/testutil/benchdata"
	"github.com/rootward/rootward/internal/trail"
)

// BenchmarkScaleUsers measures IAM reads through the server's HTTP handler, in process, on an
// account holding a million users on SQLite (issue 11 targets: GetUser ≤ 0.2 ms, the first
// ListUsers page of 100 ≤ 2 ms). Each request is signed once by the admin of the account and
// served again and again: the figure is the server's work (SigV4, the credential cache,
// authorization, the store read, the XML answer and the CloudTrail record), not the client's.
// Needs ROOTWARD_BENCH_SCALE=1 (see internal/testutil/benchdata); ROOTWARD_BENCH_USERS changes the
// size for a quick try.
func BenchmarkScaleUsers(b *testing.B) {
	n := benchdata.Size(b, "ROOTWARD_BENCH_USERS", 1_000_000)
	set := benchdata.Users(b, n)
	h := scaleHandler(b, set)
	mid := benchdata.UserName(n / 2)
	cases := []struct{ name, form string }{
		{"GetUser", "Action=GetUser&Version=2010-05-08&UserName=" + mid},
		{"ListUsers", "Action=ListUsers&Version=2010-05-08"},
		// One user in a hundred has the path: the first page reads some 10,000 users without an
		// index on the path.
		{"ListUsersPathPrefix1pc", "Action=ListUsers&Version=2010-05-08&PathPrefix=" + url.QueryEscape("/team42/")},
		// One user in 10,000: the first page reads every user without an index on the path.
		{"ListUsersPathPrefixRare", "Action=ListUsers&Version=2010-05-08&PathPrefix=" + url.QueryEscape("/rare/")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			benchRequest(b, h, signedRequest(b, "iam", set.Admin, queryForm, "", c.form))
			b.ReportMetric(float64(n), "users")
		})
	}
	// The same requests without the wait for their CloudTrail record's commit (the trail's share,
	// measured by the trail's own benchmarks), served by a handler that records nothing: what the
	// rest of the request path costs. Not issue 11 figures.
	unrecorded := scaleHandlerWith(b, set, false)
	for _, c := range cases {
		b.Run("Unrecorded"+c.name, func(b *testing.B) {
			benchRequest(b, unrecorded, signedRequest(b, "iam", set.Admin, queryForm, "", c.form))
			b.ReportMetric(float64(n), "users")
		})
	}
}

// BenchmarkScaleOrg measures Organizations' ListAccounts through the server's HTTP handler, in
// process, on an organization of 10,000 member accounts on SQLite (issue 11 target: a page of 20
// ≤ 2 ms), on the first page and on the page that starts half-way through the walk. Needs
// ROOTWARD_BENCH_SCALE=1; ROOTWARD_BENCH_MEMBERS changes the size.
func BenchmarkScaleOrg(b *testing.B) {
	n := benchdata.Size(b, "ROOTWARD_BENCH_MEMBERS", 10_000)
	set := benchdata.Org(b, n)
	h := scaleHandler(b, set)
	const target = "AWSOrganizationsV20161128.ListAccounts"
	// The NextToken of the page half-way through, as a client walking the pages gets it.
	token, listed := "", 0
	for listed < n/2 {
		body := `{}`
		if token != "" {
			body = fmt.Sprintf(`{"NextToken":%q}`, token)
		}
		w := serveOnce(h, signedRequest(b, "organizations", set.Admin, jsonAPI, target, body))
		var page struct {
			Accounts  []struct{ Id string }
			NextToken string
		}
		if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || w.Code != http.StatusOK || page.NextToken == "" {
			b.Fatalf("walking ListAccounts at %d: status %d, %v: %s", listed, w.Code, err, w.Body)
		}
		listed += len(page.Accounts)
		token = page.NextToken
	}
	for _, c := range []struct{ name, body string }{
		{"ListAccountsFirstPage", `{}`},
		{"ListAccountsDeepPage", fmt.Sprintf(`{"NextToken":%q}`, token)},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchRequest(b, h, signedRequest(b, "organizations", set.Admin, jsonAPI, target, c.body))
			b.ReportMetric(float64(n), "members")
		})
	}
}

// scaleHandler is the API served as serve serves it (without the console), over the set's
// database.
func scaleHandler(b *testing.B, set *benchdata.Set) http.Handler {
	return scaleHandlerWith(b, set, true)
}

// scaleHandlerWith is scaleHandler, with or without a trail recorder.
func scaleHandlerWith(b *testing.B, set *benchdata.Set, recorded bool) http.Handler {
	st, err := sqlite.Open(set.DB())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	svc := iam.New(st, set.Sealer(b))
	cfg := server.Config{IAM: svc, Logger: slog.New(slog.DiscardHandler)}
	if recorded {
		rec := trail.NewRecorder(st, nil)
		b.Cleanup(rec.Close)
		cfg.Trail = rec
	}
	srv := server.New(cfg)
	return httpmux.New(httpmux.Config{API: srv, Metrics: srv.Metrics()})
}

// benchRequest serves req (signed once) again and again and reports the mean time in ms.
func benchRequest(b *testing.B, h http.Handler, req *signed) {
	if w := serveOnce(h, req); w.Code != http.StatusOK {
		b.Fatalf("got status %d, want 200: %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if w := serveOnce(h, req); w.Code != http.StatusOK {
			b.Fatalf("got status %d, want 200", w.Code)
		}
	}
	benchdata.ReportMillis(b)
}

// signed is a signed request and its body, to serve many times.
type signed struct {
	r    *http.Request
	body []byte
}

func serveOnce(h http.Handler, s *signed) *httptest.ResponseRecorder {
	r := s.r.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(s.body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const (
	queryForm = "application/x-www-form-urlencoded; charset=utf-8"
	jsonAPI   = "application/x-amz-json-1.1"
)

// signedRequest is a POST to service signed with key as the SDK signs it: the query protocol
// (IAM, STS) when target is "", the JSON protocol with X-Amz-Target otherwise.
func signedRequest(b testing.TB, service string, key benchdata.Key, contentType, target, body string) *signed {
	b.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://localhost/", strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Content-Type", contentType)
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return &signed{r: r, body: []byte(body)}
}
