package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A panic inside request handling is answered with InternalFailure and logged with the request ID;
// the server keeps serving.
func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=ListUsers"))
	w := httptest.NewRecorder()
	// No IAM service is configured, so authentication dereferences nil: a genuine panic.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	s.ServeHTTP(w, req)
	if w.Code != 500 || !strings.Contains(w.Body.String(), "<Code>InternalFailure</Code>") {
		t.Fatalf("status %d body %s", w.Code, w.Body.String())
	}
	id := w.Header().Get("X-Amzn-Requestid")
	if id == "" || !strings.Contains(logs.String(), id) || !strings.Contains(logs.String(), "panic") {
		t.Fatalf("request id %q not logged with the panic: %s", id, logs.String())
	}
}
