package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	st, err := sqlite.Open(set.DB())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	svc := iam.New(st, set.Sealer(b))
	rec := trail.NewRecorder(st, nil)
	b.Cleanup(rec.Close)
	srv := server.New(server.Config{IAM: svc, Trail: rec, Logger: slog.New(slog.DiscardHandler)})
	h := httpmux.New(httpmux.Config{API: srv, Metrics: srv.Metrics()})
	mid := benchdata.UserName(n / 2)
	for _, c := range []struct{ name, form string }{
		{"GetUser", "Action=GetUser&Version=2010-05-08&UserName=" + mid},
		{"ListUsers", "Action=ListUsers&Version=2010-05-08"},
		// One user in a hundred has the path: the first page reads some 10,000 users without an
		// index on the path.
		{"ListUsersPathPrefix1pc", "Action=ListUsers&Version=2010-05-08&PathPrefix=" + url.QueryEscape("/team42/")},
		// One user in 10,000: the first page reads every user without an index on the path.
		{"ListUsersPathPrefixRare", "Action=ListUsers&Version=2010-05-08&PathPrefix=" + url.QueryEscape("/rare/")},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := signedQuery(b, "iam", set.Admin, c.form)
			serve := func() *httptest.ResponseRecorder {
				r := req.Clone(context.Background())
				r.Body = io.NopCloser(bytes.NewReader([]byte(c.form)))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			if w := serve(); w.Code != http.StatusOK {
				b.Fatalf("%s: got status %d, want 200: %s", c.name, w.Code, w.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if w := serve(); w.Code != http.StatusOK {
					b.Fatalf("%s: got status %d, want 200", c.name, w.Code)
				}
			}
			benchdata.ReportMillis(b)
			b.ReportMetric(float64(n), "users")
		})
	}
}

// signedQuery is a query-protocol POST to service (iam, sts) signed with key, as the SDK signs it.
func signedQuery(b testing.TB, service string, key benchdata.Key, form string) *http.Request {
	b.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://localhost/", strings.NewReader(form))
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return r
}
