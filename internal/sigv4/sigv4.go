// Package sigv4 verifies AWS Signature Version 4 on the server side: it parses the authentication a
// request carries (Authorization header or presigned-URL query) and checks the signature against a
// secret the caller looked up for the access key.
//
// The canonical request is rebuilt exactly as the signers of the AWS SDKs build it, and the steps
// carry the names the SDK signer uses (aws-sdk-go-v2 aws/signer/v4/v4.go: buildCanonicalHeaders,
// buildCanonicalString, buildStringToSign; smithy-go aws-http-auth/internal/v4/signer.go) so that a
// reader can hold the two side by side. The algorithm itself is specified in the IAM User Guide,
// "Create a signed AWS API request" (reference_sigv-create-signed-request.html).
//
// The package does no I/O: the caller reads the body and finds the secret, so the same code serves
// the wire layer and tests.
package sigv4

import "time"

// Algorithm is the only signing algorithm accepted. SigV4a (AWS4-ECDSA-P256-SHA256) is rejected.
const Algorithm = "AWS4-HMAC-SHA256"

// MaxClockSkew is how far X-Amz-Date may lie from the server's clock. AWS rejects requests whose
// timestamp is more than 15 minutes off ("Signature expired: ... (… - 15 min.)").
const MaxClockSkew = 15 * time.Minute

// MaxPresignExpires is the longest X-Amz-Expires AWS accepts: one week, in seconds
// (S3 "Authenticating Requests: Using Query Parameters": "X-Amz-Expires ... maximum 604800").
const MaxPresignExpires = 7 * 24 * time.Hour

// UnsignedPayload is the X-Amz-Content-Sha256 value by which a presigned request opts out of
// hashing its body.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// scopeTerminator ends every credential scope.
const scopeTerminator = "aws4_request"

// amzDateLayout is the ISO 8601 basic format of X-Amz-Date (e.g. 20150830T123600Z).
const amzDateLayout = "20060102T150405Z"

// Auth is the parsed authentication of one request (header form or presigned-URL form).
type Auth struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string // e.g. "iam", "sts", "organizations" — the server routes by it
	SignedHeaders []string
	Signature     string    // hex
	Time          time.Time // X-Amz-Date
	SecurityToken string    // X-Amz-Security-Token (header or query), "" if none
	Presigned     bool
	Expires       time.Duration // presigned only; 0 when X-Amz-Expires is absent
}
