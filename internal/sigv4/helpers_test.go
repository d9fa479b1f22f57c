package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/awserr"
)

// Test credentials. The access key and secret are AWS's documentation examples.
const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken     = "IQoJb3JpZ2luX2VjEBoaCXVzLWVhc3QtMSJHMEUCIQD+token/with=special+chars=="
)

// testTime is the signing time of every SDK-signed request in these tests.
var testTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newClientRequest builds a request as an SDK client would before signing it.
func newClientRequest(t testing.TB, method, rawURL string, body []byte, header map[string][]string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, rawURL, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

// sdkSign signs req in the header form with aws-sdk-go-v2's signer.
func sdkSign(t testing.TB, req *http.Request, body []byte, token, payloadHash, service, region string) {
	t.Helper()
	if payloadHash == "" {
		payloadHash = hexSHA256(body)
	}
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, testTime); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// sdkPresign presigns req with aws-sdk-go-v2's signer and returns the request a holder of the URL
// would send: the presigned URL plus the headers the signer says must accompany it.
func sdkPresign(t testing.TB, req *http.Request, body []byte, token, payloadHash, service, region string) *http.Request {
	t.Helper()
	if payloadHash == "" {
		payloadHash = hexSHA256(body)
	}
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: token}
	signedURL, signedHeader, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash, service, region, testTime)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	out := newClientRequest(t, req.Method, signedURL, body, nil)
	for k, vs := range signedHeader {
		if strings.EqualFold(k, "Host") {
			out.Host = vs[0]
			continue
		}
		if strings.EqualFold(k, "Content-Length") {
			continue // net/http writes it from ContentLength
		}
		out.Header[k] = vs
	}
	return out
}

// overTheWire serializes a client request and reads it back as net/http's server would, so the
// verifier sees what it sees in production: Host in r.Host, Content-Length in Header, RequestURI.
func overTheWire(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatalf("Write: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatalf("ReadRequest: %v\n%s", err, wire.String())
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return sr, body
}

// verify parses and verifies r with the test secret at now.
func verify(v *Verifier, r *http.Request, body []byte, now time.Time) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	return v.Verify(r, body, a, testSecret, now)
}

// codeOf returns the AWS error code of err, "" for nil, and fails the test for a non-AWS error.
func codeOf(t testing.TB, err error) awserr.Code {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *awserr.Error", err, err)
	}
	return e.Code
}
