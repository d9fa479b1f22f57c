package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// errGone is what writing to a connection the client closed returns.
var errGone = errors.New("write tcp 127.0.0.1:8080->127.0.0.1:50000: write: connection reset by peer")

// goneWriter is the ResponseWriter of a client that drops its connection once the answer has
// begun: the status is accepted, every body write fails. It counts WriteHeader calls.
type goneWriter struct {
	header  http.Header
	headers int
	status  int
}

func (w *goneWriter) Header() http.Header { return w.header }

func (w *goneWriter) WriteHeader(status int) {
	w.headers++
	if w.headers == 1 {
		w.status = status
	}
}

func (w *goneWriter) Write([]byte) (int, error) {
	if w.headers == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return 0, errGone
}

// direct is an SDK HTTP client that hands the signed request to handler as the server would
// receive it, answered through a goneWriter; the client sees its connection reset.
type direct struct {
	handler http.Handler
	w       *goneWriter
}

func (d *direct) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	sr := httptest.NewRequest(req.Method, req.URL.String(), bytes.NewReader(body))
	for k, v := range req.Header {
		sr.Header[k] = v
	}
	sr.Host = req.URL.Host
	sr.ContentLength = int64(len(body))
	d.w = &goneWriter{header: http.Header{}}
	d.handler.ServeHTTP(d.w, sr)
	return nil, errGone
}

// A client that drops its connection while its success answer is written is gone, not an
// internal error: the operation ran, nothing answers a second time (no superfluous WriteHeader),
// the log says nothing of an internal error, and CloudTrail records the call as it succeeded.
func TestClientGoneMidAnswer(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := servertest.Build(t, nil, nil, func(c *server.Config, _ *iam.Service, _ store.Store) { c.Logger = logger })
	ctx := servertest.Ctx(t)
	d := &direct{handler: e.Server}
	cfg := e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
	cfg.HTTPClient = d

	tests := []struct {
		name   string
		call   func() error
		source string
		event  string
		ran    func() error
	}{
		{"iam CreateUser (awsQuery)", func() error {
			_, err := awsiam.NewFromConfig(cfg).CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("leaver")})
			return err
		}, "iam.amazonaws.com", "CreateUser", func() error {
			_, err := e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("leaver")})
			return err
		}},
		{"organizations CreateOrganization (awsJson)", func() error {
			_, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
			return err
		}, "organizations.amazonaws.com", "CreateOrganization", func() error {
			_, err := e.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil {
				t.Fatal("got no error, want the client's connection reset")
			}
			if d.w == nil {
				t.Fatal("the request never reached the server")
			}
			if d.w.headers != 1 || d.w.status != http.StatusOK {
				t.Fatalf("got %d WriteHeader calls, first status %d; want 1 call, status 200", d.w.headers, d.w.status)
			}
			requestID := d.w.header.Get("X-Amzn-Requestid")
			if requestID == "" {
				t.Fatal("got no X-Amzn-Requestid on the answer")
			}
			if err := tc.ran(); err != nil {
				t.Fatalf("the operation did not run: %v", err)
			}
			log := logs.String()
			if strings.Contains(log, "internal error") || strings.Contains(log, "level=ERROR") {
				t.Fatalf("got log %s, want no internal error", log)
			}
			if !strings.Contains(log, "request_id="+requestID) {
				t.Fatalf("got log %s, want the client's departure logged with request ID %s", log, requestID)
			}
			e.Trail.Flush()
			p, err := trail.List(context.Background(), e.Store, trail.Query{Account: e.Account.ID})
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, ev := range p.Events {
				if ev.RequestID != requestID {
					continue
				}
				found = true
				if ev.EventSource != tc.source || ev.EventName != tc.event || ev.ErrorCode != "" {
					t.Fatalf("got trail record %s %s error %q, want %s %s without an error", ev.EventSource, ev.EventName, ev.ErrorCode, tc.source, tc.event)
				}
			}
			if !found {
				t.Fatalf("got no trail record of request %s, want the call's", requestID)
			}
		})
	}
}
