package sigv4

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// FuzzParse feeds arbitrary Authorization headers, query strings and dates to Parse, and whatever
// Parse accepts to Verify. Neither may panic, and every error must be an AWS error of a documented
// code.
//
//	go test ./internal/sigv4 -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s
func FuzzParse(f *testing.F) {
	f.Add(goodAuthz, "", goodAmzDay)
	f.Add("", presignedQuery("", "X-Amz-Expires", "60"), "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request,SignedHeaders=,Signature=00", "", "20240101T000000Z")
	f.Add("AWS4-", "X-Amz-Algorithm=x", "x")
	f.Add("AWS4-HMAC-SHA256 ,,= =,Credential==/////", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%zz", "99991231T235959Z")
	v := NewVerifier()
	f.Fuzz(func(t *testing.T, authz, rawQuery, date string) {
		r := &http.Request{
			Method: "POST",
			URL:    &url.URL{Path: "/", RawQuery: rawQuery},
			Host:   "iam.amazonaws.com",
			Header: http.Header{},
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		a, err := Parse(r)
		if err != nil {
			if a != nil {
				t.Fatalf("Parse returned both %+v and %v", a, err)
			}
			checkFuzzErr(t, err, awserr.MissingAuthenticationToken, awserr.IncompleteSignature, awserr.SignatureDoesNotMatch)
			return
		}
		if a.Presigned == (authz != "") {
			t.Fatalf("Presigned = %v with Authorization %q", a.Presigned, authz)
		}
		err = v.Verify(r, []byte(rawQuery), a, testSecret, a.Time)
		checkFuzzErr(t, err, awserr.SignatureDoesNotMatch, awserr.RequestExpired, awserr.IncompleteSignature)
	})
}

// FuzzVerify feeds whole HTTP requests, seeded with SDK-signed ones, to Parse and Verify at the
// seeds' signing time. Neither may panic, and every error must be an AWS error.
//
//	go test ./internal/sigv4 -run '^$' -fuzz '^FuzzVerify$' -fuzztime 60s
func FuzzVerify(f *testing.F) {
	for _, c := range sdkCases {
		req := newClientRequest(f, c.method, c.url, c.body, c.header)
		if c.presign {
			req = sdkPresign(f, req, c.body, c.token, "", c.service, "us-east-1")
		} else {
			payload := ""
			if c.unsigned {
				payload = UnsignedPayload
			}
			sdkSign(f, req, c.body, c.token, payload, c.service, "us-east-1")
		}
		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			f.Fatal(err)
		}
		f.Add(wire.Bytes())
	}
	v := NewVerifier()
	f.Fuzz(func(t *testing.T, wire []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
		if err != nil {
			return // net/http would not hand this request to a handler
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		a, err := Parse(r)
		if err != nil {
			checkFuzzErr(t, err, awserr.MissingAuthenticationToken, awserr.IncompleteSignature, awserr.SignatureDoesNotMatch)
			return
		}
		err = v.Verify(r, body, a, testSecret, testTime)
		checkFuzzErr(t, err, awserr.SignatureDoesNotMatch, awserr.RequestExpired, awserr.IncompleteSignature)
	})
}

func checkFuzzErr(t *testing.T, err error, codes ...awserr.Code) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *awserr.Error", err, err)
	}
	for _, c := range codes {
		if e.Code == c {
			return
		}
	}
	t.Fatalf("unexpected code %s: %v", e.Code, err)
}

// FuzzParseAmzDate holds parseAmzDate to time.Parse with the X-Amz-Date layout, which it replaced
// on the request path: the same strings accepted, and the same instant.
//
//	go test ./internal/sigv4 -run '^$' -fuzz '^FuzzParseAmzDate$' -fuzztime 60s
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{
		"20150830T123600Z", "00000101T000000Z", "99991231T235959Z", "20240229T000000Z", "20230229T000000Z",
		"20240431T000000Z", "20241301T000000Z", "20240001T000000Z", "20240100T000000Z", "20240101T240000Z",
		"20240101T006000Z", "20240101T000060Z", "20240101 000000Z", "20240101T000000z", "2024010T1000000Z",
		"+0240101T000000Z", "2024-101T000000Z", "20240101T1.00000Z", "20240101T000000.1Z", "20240101T0000.0Z",
		"", "20240101T000000", "20240101T000000ZZ", "２０24010T000000Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAmzDate(s)
		want, err := time.Parse(amzDateLayout, s)
		wantOK := err == nil && len(s) == len(amzDateLayout)
		if ok != wantOK {
			t.Fatalf("parseAmzDate(%q) ok = %v, want %v (time.Parse: %v)", s, ok, wantOK, err)
		}
		if ok && (!got.Equal(want) || got.Location() != want.Location()) {
			t.Fatalf("parseAmzDate(%q) = %v, want %v", s, got, want)
		}
	})
}
