package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// BenchmarkServeGetCallerIdentity is the server's own share of an e2e.sh request: one signed
// sts:GetCallerIdentity, replayed as wrk replays it, served by the handler `serve` mounts
// (internal/httpmux over the server) without a network in between, so that the figure and its
// profile (-cpuprofile) show the request path alone: SigV4, routing, decoding, authorization, the
// answer, the metrics and the trail. "recorded" records every call in the trail, as serve does;
// "unrecorded" runs without a recorder, so the difference is what recording costs the handler
// (the recorder's writer runs on another goroutine, which a CPU profile shows as trail.(*Recorder).run).
func BenchmarkServeGetCallerIdentity(b *testing.B) {
	for _, tc := range []struct {
		name     string
		recorded bool
	}{{"recorded", true}, {"unrecorded", false}} {
		b.Run(tc.name, func(b *testing.B) {
			e := servertest.Build(b, nil, nil, func(cfg *server.Config, _ *iam.Service, _ store.Store) {
				if !tc.recorded {
					cfg.Trail = nil
				}
			})
			h := httpmux.New(httpmux.Config{API: e.Server, Metrics: e.Server.Metrics()})
			req, body := signedGetCallerIdentity(b, e.AdminKey.AccessKeyID, e.AdminKey.Secret)
			rd := bytes.NewReader(body)
			req.Body = io.NopCloser(rd)
			w := &discardWriter{header: http.Header{}}
			serve := func() {
				rd.Reset(body)
				clear(w.header)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d, want 200", w.status)
				}
			}
			serve()
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
			b.StopTimer()
			if e.Trail != nil {
				e.Trail.Flush()
			}
		})
	}
}

// signedGetCallerIdentity is the request e2e.sh's wrk script sends: a form POST signed by the
// SDK's signer, with its body.
func signedGetCallerIdentity(tb testing.TB, id, secret string) (*http.Request, []byte) {
	tb.Helper()
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4599/", bytes.NewReader(body))
	req.RemoteAddr = "127.0.0.1:51000"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("User-Agent", "wrk")
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return req, body
}

// discardWriter is a ResponseWriter that keeps the status and drops the body.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
