package sigv4

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// onePOST is a 1 KiB form-body POST as the SDK signs it.
var onePOST = sdkCase{
	name: "1 KiB POST", method: "POST", url: "https://sts.amazonaws.com/", body: kib(1024), header: formType, service: "sts",
}

// BenchmarkVerify measures Verify of a 1 KiB POST with the signing key already cached, the
// steady state of a server.
func BenchmarkVerify(b *testing.B) {
	r, body := signedServerRequest(b, onePOST)
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier()
	if err := v.Verify(r, body, a, testSecret, testTime); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := v.Verify(r, body, a, testSecret, testTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndVerify is what the server pays per request: Parse plus a cached-key Verify.
func BenchmarkParseAndVerify(b *testing.B) {
	r, body := signedServerRequest(b, onePOST)
	v := NewVerifier()
	if err := verify(v, r, body, testTime); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := verify(v, r, body, testTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyKeyDerivation verifies against a secret that never matches, so every call
// derives the signing key: the cost a cache miss adds.
func BenchmarkVerifyKeyDerivation(b *testing.B) {
	r, body := signedServerRequest(b, onePOST)
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if v.Verify(r, body, a, "not-the-secret", testTime) == nil {
			b.Fatal("verified with the wrong secret")
		}
	}
}

// BenchmarkVerifyPresignedGET verifies a presigned STS GetCallerIdentity URL with a session token.
func BenchmarkVerifyPresignedGET(b *testing.B) {
	r, body := signedServerRequest(b, sdkCases[9])
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier()
	if err := v.Verify(r, body, a, testSecret, testTime); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(r, body, a, testSecret, testTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSDKSignHTTP is the peer: aws-sdk-go-v2 signing the same 1 KiB POST (body hash
// included, as Verify includes it).
func BenchmarkSDKSignHTTP(b *testing.B) {
	req := newClientRequest(b, onePOST.method, onePOST.url, onePOST.body, onePOST.header)
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := signer.SignHTTP(ctx, creds, req, hexSHA256(onePOST.body), "sts", "us-east-1", testTime); err != nil {
			b.Fatal(err)
		}
	}
}
