package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// messageSignatureMismatch is AWS's wording for a wrong signature (IAM and STS
// SignatureDoesNotMatch). AWS's own message goes on to print the canonical request and string to
// sign; Rootward leaves them out of the answer.
const messageSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// Verifier checks signatures. It is safe for concurrent use. It caches derived signing keys per
// (access key, secret, date, region, service); a key is reused only for the secret it was derived
// from, so a rotated secret never verifies with a stale key.
type Verifier struct {
	keys keyCache
}

// NewVerifier returns a Verifier with an empty key cache.
func NewVerifier() *Verifier { return &Verifier{} }

// Verify checks a's signature over r and body with secret at time now. a must come from Parse(r).
//
// Errors are *awserr.Error, checked in AWS's order (timestamp, scope, signed headers, signature):
//   - RequestExpired: X-Amz-Date more than 15 minutes from now, or a presigned URL past
//     X-Amz-Date + X-Amz-Expires. A presigned URL without X-Amz-Expires gets the 15-minute window.
//   - SignatureDoesNotMatch: the signature is wrong; or the credential date is not X-Amz-Date's
//     date; or host is not signed; or an X-Amz-* header is present but not signed (a proxy-free
//     client signs them all, and routing by an unsigned X-Amz-Target would let a captured request
//     run another operation); or a signed X-Amz-Content-Sha256 that does not match the body, is not
//     a SHA-256 hex digest, or is UNSIGNED-PAYLOAD outside a presigned URL (in each case the
//     signature would not cover the body).
//   - IncompleteSignature: a nil request or Auth.
//
// The comparison of signatures is constant-time.
func (v *Verifier) Verify(r *http.Request, body []byte, a *Auth, secret string, now time.Time) error {
	if r == nil || a == nil {
		return awserr.New(awserr.IncompleteSignature, "Request is missing a parsed signature.")
	}
	if err := checkTime(a, now); err != nil {
		return err
	}
	if err := checkScopeDate(a); err != nil {
		return err
	}
	if err := checkSignedHeaders(r, a); err != nil {
		return err
	}

	ws := getWorkspace()
	defer putWorkspace(ws)
	if err := payloadHash(ws, r, a, body); err != nil {
		return err
	}

	// The cache is keyed by a fingerprint of the secret; the secret is copied into pooled memory to
	// hash it, so that the conversion allocates nothing, and wiped afterwards.
	ws.sts = append(ws.sts[:0], secret...)
	secretSum := sha256.Sum256(ws.sts)
	clear(ws.sts)
	scope := scopeKey{a.AccessKeyID, a.Date, a.Region, a.Service}
	key, cached := v.keys.lookup(scope, &secretSum)
	if !cached {
		key = deriveSigningKey(secret, a.Date, a.Region, a.Service)
	}

	path := requestPath(r)
	ok := signatureMatches(ws, r, a, path, &key)
	if !ok {
		if normalized := normalizePath(path); normalized != path {
			ok = signatureMatches(ws, r, a, normalized, &key)
		}
	}
	if !ok {
		return awserr.New(awserr.SignatureDoesNotMatch, messageSignatureMismatch)
	}
	if !cached {
		v.keys.store(scope, &secretSum, &key)
	}
	return nil
}

// signatureMatches rebuilds the canonical request with the given path and compares the signature
// it yields with the client's, in constant time.
func signatureMatches(ws *workspace, r *http.Request, a *Auth, path string, key *[sha256.Size]byte) bool {
	if !buildCanonicalRequest(ws, r, a, path) {
		return false
	}
	canonicalHash := sha256.Sum256(ws.canonical)
	want := signStringToSign(ws, key, a, &canonicalHash)
	got, ok := decodeSignature(a.Signature)
	if !ok {
		return false
	}
	return hmac.Equal(want[:], got[:])
}

// decodeSignature decodes the client's signature. The SDKs write lowercase hex and AWS compares
// the hex text, so uppercase digits do not match.
func decodeSignature(s string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	if len(s) != 2*sha256.Size {
		return out, false
	}
	for i := range out {
		hi, lo := s[2*i], s[2*i+1]
		if !isLowerHex(hi) || !isLowerHex(lo) {
			return out, false
		}
		out[i] = unhex(hi)<<4 | unhex(lo)
	}
	return out, true
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// checkTime applies the 15-minute clock-skew window, or for a presigned URL with X-Amz-Expires,
// its lifetime. The messages are AWS's ("Signature expired: … is now earlier than … (… - 15 min.)",
// "Signature not yet current: … is still later than … (… + 15 min.)").
func checkTime(a *Auth, now time.Time) error {
	t, now := a.Time.UTC(), now.UTC()
	if latest := now.Add(MaxClockSkew); t.After(latest) {
		return awserr.New(awserr.RequestExpired, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			t.Format(amzDateLayout), latest.Format(amzDateLayout), now.Format(amzDateLayout))
	}
	if a.Presigned && a.Expires > 0 {
		// AWS documents no wording for an expired presigned URL outside S3; S3 answers
		// "Request has expired" and lists X-Amz-Expires, the expiry and the server time.
		if expiry := t.Add(a.Expires); now.After(expiry) {
			return awserr.New(awserr.RequestExpired, "Request has expired: X-Amz-Date %s plus X-Amz-Expires %d seconds is earlier than %s.",
				t.Format(amzDateLayout), int64(a.Expires/time.Second), now.Format(amzDateLayout))
		}
		return nil
	}
	if earliest := now.Add(-MaxClockSkew); t.Before(earliest) {
		return awserr.New(awserr.RequestExpired, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			t.Format(amzDateLayout), earliest.Format(amzDateLayout), now.Format(amzDateLayout))
	}
	return nil
}

// checkScopeDate requires the credential scope's date to be X-Amz-Date's.
func checkScopeDate(a *Auth) error {
	var buf [len(amzDateLayout)]byte
	stamp := appendAmzDate(buf[:0], a.Time)
	if string(stamp[:8]) == a.Date {
		return nil
	}
	return awserr.New(awserr.SignatureDoesNotMatch,
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
		echo(a.Date), string(stamp[:8]), string(stamp))
}

// checkSignedHeaders requires host to be signed (AWS: "'Host' must be a 'SignedHeader' in the AWS
// Authorization.") and every X-Amz-* request header to be signed. The SDKs sign all headers but a
// few transport ones (aws-sdk-go-v2 IgnoredHeaders: Authorization, User-Agent, X-Amzn-Trace-Id,
// Expect, Transfer-Encoding; botocore and aws-sdk-js-v3 likewise), and presigning moves X-Amz-*
// headers into the signed query, so honest clients never trip this. X-Amz-Cf-Id is exempt:
// CloudFront adds it in front of an origin.
func checkSignedHeaders(r *http.Request, a *Auth) error {
	if !signs(a, "host") {
		return awserr.New(awserr.SignatureDoesNotMatch, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	for name := range r.Header {
		if len(name) < len("X-Amz-") || !strings.EqualFold(name[:len("X-Amz-")], "X-Amz-") {
			continue
		}
		if strings.EqualFold(name, "X-Amz-Cf-Id") || signs(a, name) {
			continue
		}
		return awserr.New(awserr.SignatureDoesNotMatch,
			"There were headers present in the request which were not signed: %s", echo(strings.ToLower(name)))
	}
	return nil
}

// signs reports whether a's signed headers include name, in any letter case.
func signs(a *Auth, name string) bool {
	for _, h := range a.SignedHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// payloadHash puts the payload line of the canonical request into ws.payload: a signed
// X-Amz-Content-Sha256 header when there is one, otherwise the hex SHA-256 of body. A hash the
// client declares is checked against the body, or the body would be unprotected;
// UNSIGNED-PAYLOAD, which opts out of that, is accepted only on presigned URLs.
func payloadHash(ws *workspace, r *http.Request, a *Auth, body []byte) error {
	ws.payload = ws.payload[:0]
	if signs(a, "x-amz-content-sha256") {
		if values := headerValues(r.Header, "X-Amz-Content-Sha256"); values != nil {
			v := ""
			if len(values) == 1 {
				v = strings.TrimSpace(values[0])
			}
			switch declared, isHash := decodeContentSHA256(v); {
			case v == UnsignedPayload && a.Presigned:
				ws.payload = append(ws.payload, v...)
				return nil
			case v == UnsignedPayload:
				return awserr.New(awserr.SignatureDoesNotMatch,
					"x-amz-content-sha256 UNSIGNED-PAYLOAD is accepted only on presigned requests.")
			case isHash:
				sum := sha256.Sum256(body)
				if !hmac.Equal(sum[:], declared[:]) {
					return awserr.New(awserr.SignatureDoesNotMatch,
						"The provided 'x-amz-content-sha256' header does not match what was computed.")
				}
				ws.payload = append(ws.payload, v...)
				return nil
			default:
				return awserr.New(awserr.SignatureDoesNotMatch,
					"x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
			}
		}
	}
	sum := sha256.Sum256(body)
	ws.payload = hex.AppendEncode(ws.payload, sum[:])
	return nil
}

// decodeContentSHA256 decodes a 64-digit hex digest (either letter case: the header is compared as
// bytes here, and enters the canonical request as sent).
func decodeContentSHA256(v string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	if len(v) != 2*sha256.Size {
		return out, false
	}
	for i := range out {
		hi, lo := v[2*i], v[2*i+1]
		if !isHex(hi) || !isHex(lo) {
			return out, false
		}
		out[i] = unhex(hi)<<4 | unhex(lo)
	}
	return out, true
}
