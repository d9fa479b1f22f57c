package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

// TestKnownAnswers checks published vectors, independent of any SDK: the AWS SigV4 test suite's
// get-vanilla and get-vanilla-query-order-key-case, and the IAM ListUsers example of the
// "Signature Version 4 signing process" documentation, which also publishes the signing key and the
// canonical request's hash.
func TestKnownAnswers(t *testing.T) {
	docTime := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	tests := []struct {
		name, host, query, service, signed, sig string
		header                                  map[string]string
	}{
		{
			name: "get-vanilla", host: "example.amazonaws.com", service: "service", signed: "host;x-amz-date",
			sig: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "get-vanilla-query-order-key-case", host: "example.amazonaws.com", query: "Param2=value2&Param1=value1",
			service: "service", signed: "host;x-amz-date",
			sig: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			name: "iam ListUsers documentation example", host: "iam.amazonaws.com", query: "Action=ListUsers&Version=2010-05-08",
			service: "iam", signed: "content-type;host;x-amz-date",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			sig:    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", "https://"+tt.host+"/?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			r.Header.Set("X-Amz-Date", "20150830T123600Z")
			r.Header.Set("Authorization", fmt.Sprintf("%s Credential=AKIDEXAMPLE/20150830/us-east-1/%s/aws4_request, SignedHeaders=%s, Signature=%s",
				Algorithm, tt.service, tt.signed, tt.sig))
			if err := verify(NewVerifier(), r, nil, docTime); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// The same request with the signature's last digit changed must fail.
			last := "0"
			if strings.HasSuffix(tt.sig, "0") {
				last = "1"
			}
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), tt.sig, tt.sig[:63]+last, 1))
			if err := verify(NewVerifier(), r, nil, docTime); codeOf(t, err) != awserr.SignatureDoesNotMatch {
				t.Fatalf("altered signature: %v", err)
			}
		})
	}

	t.Run("iam documentation signing key and canonical hash", func(t *testing.T) {
		key := deriveSigningKey(testSecret, "20150830", "us-east-1", "iam")
		if got := hex.EncodeToString(key[:]); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
			t.Fatalf("signing key = %s", got)
		}
		r, _ := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		r.Header.Set("X-Amz-Date", "20150830T123600Z")
		a := &Auth{SignedHeaders: []string{"content-type", "host", "x-amz-date"}}
		ws := getWorkspace()
		defer putWorkspace(ws)
		if err := payloadHash(ws, r, a, nil); err != nil {
			t.Fatal(err)
		}
		if !buildCanonicalRequest(ws, r, a, requestPath(r)) {
			t.Fatal("buildCanonicalRequest failed")
		}
		if got := hexSHA256(ws.canonical); got != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
			t.Fatalf("canonical request hash = %s for\n%s", got, ws.canonical)
		}
	})
}

// headerSigned returns an SDK-signed IAM request, as the server receives it.
func headerSigned(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	return signedServerRequest(t, sdkCases[0])
}

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name     string
		now      time.Time
		wantCode awserr.Code
		wantMsg  string
	}{
		{name: "same instant", now: testTime},
		{name: "server 15 minutes ahead", now: testTime.Add(15 * time.Minute)},
		{name: "server 15 minutes behind", now: testTime.Add(-15 * time.Minute)},
		{
			name: "server 15 minutes 1 second ahead", now: testTime.Add(15*time.Minute + time.Second), wantCode: awserr.RequestExpired,
			wantMsg: "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T001501Z - 15 min.)",
		},
		{
			name: "server 16 minutes ahead", now: testTime.Add(16 * time.Minute), wantCode: awserr.RequestExpired,
			wantMsg: "Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T001600Z - 15 min.)",
		},
		{
			name: "server 15 minutes 1 second behind", now: testTime.Add(-15*time.Minute - time.Second), wantCode: awserr.RequestExpired,
			wantMsg: "Signature not yet current: 20240101T000000Z is still later than 20231231T235959Z (20231231T234459Z + 15 min.)",
		},
		{
			name: "server clock in another zone", now: testTime.In(time.FixedZone("UTC+5", 5*3600)).Add(time.Minute),
		},
	}
	r, body := headerSigned(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(NewVerifier(), r, body, tt.now)
			checkErr(t, err, tt.wantCode, tt.wantMsg)
		})
	}
}

func checkErr(t *testing.T, err error, code awserr.Code, msg string) {
	t.Helper()
	testutil.WantCode(t, err, code)
	if e, ok := awserr.As(err); ok && msg != "" && e.Message != msg {
		t.Fatalf("got message %q, want %q", e.Message, msg)
	}
}

func TestPresignedExpiry(t *testing.T) {
	presigned := func(t *testing.T, expires string) (*http.Request, []byte) {
		rawURL := "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
		if expires != "" {
			rawURL += "&X-Amz-Expires=" + expires
		}
		return signedServerRequest(t, sdkCase{method: "GET", url: rawURL, service: "sts", presign: true})
	}
	tests := []struct {
		name     string
		expires  string
		now      time.Time
		wantCode awserr.Code
		wantMsg  string
	}{
		{name: "60 s URL at its last second", expires: "60", now: testTime.Add(60 * time.Second)},
		{
			name: "60 s URL one second late", expires: "60", now: testTime.Add(61 * time.Second), wantCode: awserr.RequestExpired,
			wantMsg: "Request has expired: X-Amz-Date 20240101T000000Z plus X-Amz-Expires 60 seconds is earlier than 20240101T000101Z.",
		},
		{name: "one-hour URL after 50 minutes, beyond the skew window", expires: "3600", now: testTime.Add(50 * time.Minute)},
		{name: "one-week URL after six days", expires: "604800", now: testTime.Add(6 * 24 * time.Hour)},
		{
			name: "URL dated beyond the skew window", expires: "3600", now: testTime.Add(-16 * time.Minute), wantCode: awserr.RequestExpired,
			wantMsg: "Signature not yet current: 20240101T000000Z is still later than 20231231T235900Z (20231231T234400Z + 15 min.)",
		},
		{name: "URL without X-Amz-Expires inside the skew window", now: testTime.Add(15 * time.Minute)},
		{
			name: "URL without X-Amz-Expires after the skew window", now: testTime.Add(15*time.Minute + time.Second), wantCode: awserr.RequestExpired,
			wantMsg: "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T001501Z - 15 min.)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presigned(t, tt.expires)
			checkErr(t, verify(NewVerifier(), r, body, tt.now), tt.wantCode, tt.wantMsg)
		})
	}
}

func TestVerifyRejections(t *testing.T) {
	mismatch := messageSignatureMismatch
	tests := []struct {
		name     string
		build    func(t *testing.T) (*http.Request, []byte)
		secret   string
		now      time.Time
		wantCode awserr.Code
		wantMsg  string
	}{
		{
			name: "wrong secret", build: headerSigned, secret: "wrong",
			wantCode: awserr.SignatureDoesNotMatch, wantMsg: mismatch,
		},
		{
			name: "credential date is not X-Amz-Date's",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				r.Header.Set("X-Amz-Date", "20240102T000000Z")
				return r, body
			},
			now:      testTime.Add(24 * time.Hour),
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T000000Z'.",
		},
		{
			name: "host not signed",
			build: func(t *testing.T) (*http.Request, []byte) {
				r := rawRequest("", map[string][]string{
					"Authorization": {strings.Replace(goodAuthz, "host;x-amz-date", "x-amz-date", 1)}, "X-Amz-Date": {goodAmzDay},
				})
				return r, nil
			},
			wantCode: awserr.SignatureDoesNotMatch, wantMsg: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name: "unsigned X-Amz-Target added after signing",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.DeleteOrganization")
				return r, body
			},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "There were headers present in the request which were not signed: x-amz-target",
		},
		{
			name: "unsigned non-AWS headers added by a proxy",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				r.Header.Set("X-Forwarded-For", "10.0.0.1")
				r.Header.Set("X-Amzn-Trace-Id", "Root=1-abc")
				r.Header.Set("X-Amz-Cf-Id", "cloudfront")
				r.Header.Set("User-Agent", "proxy")
				return r, body
			},
		},
		{
			name: "UNSIGNED-PAYLOAD in the header form",
			build: func(t *testing.T) (*http.Request, []byte) {
				c := sdkCases[0]
				req := newClientRequest(t, c.method, c.url, c.body, map[string][]string{"X-Amz-Content-Sha256": {UnsignedPayload}})
				sdkSign(t, req, c.body, "", UnsignedPayload, "iam", "us-east-1")
				return overTheWire(t, req)
			},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "x-amz-content-sha256 UNSIGNED-PAYLOAD is accepted only on presigned requests.",
		},
		{
			name: "declared payload hash of another body",
			build: func(t *testing.T) (*http.Request, []byte) {
				other := hexSHA256([]byte("Action=DeleteUser&UserName=alice&Version=2010-05-08"))
				c := sdkCases[0]
				req := newClientRequest(t, c.method, c.url, c.body, map[string][]string{"X-Amz-Content-Sha256": {other}})
				sdkSign(t, req, c.body, "", other, "iam", "us-east-1")
				return overTheWire(t, req)
			},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "The provided 'x-amz-content-sha256' header does not match what was computed.",
		},
		{
			name: "streaming payload hash",
			build: func(t *testing.T) (*http.Request, []byte) {
				const streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
				c := sdkCases[0]
				req := newClientRequest(t, c.method, c.url, c.body, map[string][]string{"X-Amz-Content-Sha256": {streaming}})
				sdkSign(t, req, c.body, "", streaming, "iam", "us-east-1")
				return overTheWire(t, req)
			},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.",
		},
		{
			name: "signature in uppercase hex",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				authz := r.Header.Get("Authorization")
				i := strings.Index(authz, "Signature=") + len("Signature=")
				r.Header.Set("Authorization", authz[:i]+strings.ToUpper(authz[i:]))
				return r, body
			},
			wantCode: awserr.SignatureDoesNotMatch, wantMsg: mismatch,
		},
		{
			name: "query with a malformed escape",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				r.URL.RawQuery = "a=%zz"
				return r, body
			},
			wantCode: awserr.SignatureDoesNotMatch, wantMsg: mismatch,
		},
		{
			name: "signed header missing from the request",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, body := headerSigned(t)
				r.Header.Del("Content-Type")
				return r, body
			},
			wantCode: awserr.SignatureDoesNotMatch, wantMsg: mismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.build(t)
			a, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			secret, now := tt.secret, tt.now
			if secret == "" {
				secret = testSecret
			}
			if now.IsZero() {
				now = testTime
			}
			checkErr(t, NewVerifier().Verify(r, body, a, secret, now), tt.wantCode, tt.wantMsg)
		})
	}
}

func TestVerifyNilArguments(t *testing.T) {
	r, body := headerSigned(t)
	a, _ := Parse(r)
	v := NewVerifier()
	if err := v.Verify(nil, body, a, testSecret, testTime); codeOf(t, err) != awserr.IncompleteSignature {
		t.Fatalf("nil request: %v", err)
	}
	if err := v.Verify(r, body, nil, testSecret, testTime); codeOf(t, err) != awserr.IncompleteSignature {
		t.Fatalf("nil auth: %v", err)
	}
}

// signWithSecret signs the first SDK case with the given secret.
func signWithSecret(t *testing.T, secret string) (*http.Request, []byte) {
	t.Helper()
	c := sdkCases[0]
	req := newClientRequest(t, c.method, c.url, c.body, c.header)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hexSHA256(c.body), "iam", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	return overTheWire(t, req)
}

func verifyWith(v *Verifier, r *http.Request, body []byte, secret string) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	return v.Verify(r, body, a, secret, testTime)
}

func TestSigningKeyCache(t *testing.T) {
	const oldSecret, newSecret = "old/secret/0000000000000000000000000000", "new/secret/1111111111111111111111111111"
	oldReq, oldBody := signWithSecret(t, oldSecret)
	newReq, newBody := signWithSecret(t, newSecret)

	t.Run("a rotated secret never verifies with the stale key", func(t *testing.T) {
		v := NewVerifier()
		steps := []struct {
			r        *http.Request
			body     []byte
			secret   string
			wantCode awserr.Code
		}{
			{oldReq, oldBody, oldSecret, ""},                           // caches the old key
			{oldReq, oldBody, newSecret, awserr.SignatureDoesNotMatch}, // the cached key must not be used
			{newReq, newBody, newSecret, ""},                           // derives and caches the new key
			{oldReq, oldBody, newSecret, awserr.SignatureDoesNotMatch}, // old signature, new secret
			{newReq, newBody, oldSecret, awserr.SignatureDoesNotMatch}, // new signature, old secret
			{newReq, newBody, newSecret, ""},                           // from the cache
		}
		for i, s := range steps {
			if code := codeOf(t, verifyWith(v, s.r, s.body, s.secret)); code != s.wantCode {
				t.Fatalf("step %d: code %q, want %q", i, code, s.wantCode)
			}
		}
		if n := v.keys.len(); n != 1 {
			t.Fatalf("cache holds %d keys, want 1 (one scope)", n)
		}
	})

	t.Run("failed verifications cache nothing", func(t *testing.T) {
		v := NewVerifier()
		if err := verifyWith(v, oldReq, oldBody, newSecret); err == nil {
			t.Fatal("verified with the wrong secret")
		}
		if n := v.keys.len(); n != 0 {
			t.Fatalf("cache holds %d keys after a failure", n)
		}
	})

	t.Run("the cache is bounded", func(t *testing.T) {
		var c keyCache
		var sum, key [sha256.Size]byte
		for i := range maxCachedKeys + 100 {
			c.store(scopeKey{"AKID", "20240101", fmt.Sprintf("region-%d", i), "iam"}, &sum, &key)
		}
		if n := c.len(); n != maxCachedKeys {
			t.Fatalf("cache holds %d keys, want %d", n, maxCachedKeys)
		}
	})

	t.Run("concurrent verifications with two secrets", func(t *testing.T) {
		v := NewVerifier()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 100 {
					r, body, secret := oldReq, oldBody, oldSecret
					if (g+i)%2 == 1 {
						r, body, secret = newReq, newBody, newSecret
					}
					if err := verifyWith(v, r, body, secret); err != nil {
						errs <- err
						return
					}
					if verifyWith(v, r, body, "not the secret") == nil {
						errs <- fmt.Errorf("goroutine %d: verified with a wrong secret", g)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
