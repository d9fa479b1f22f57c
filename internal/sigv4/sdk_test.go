package sigv4

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
)

// sdkCase is one request signed by aws-sdk-go-v2's own signer.
type sdkCase struct {
	name     string
	method   string
	url      string
	body     []byte
	header   map[string][]string
	token    string
	service  string
	presign  bool
	unsigned bool // payload hash UNSIGNED-PAYLOAD (presign only)
	sendPath string
}

func kib(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "Action=ListUsers&Version=2010-05-08&PathPrefix=/x/"[i%49]
	}
	return b
}

var formType = map[string][]string{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}

var sdkCases = []sdkCase{
	{
		name: "iam POST form body", method: "POST", url: "https://iam.amazonaws.com/",
		body: []byte("Action=ListUsers&Version=2010-05-08"), header: formType, service: "iam",
	},
	{
		name: "iam POST form body with session token", method: "POST", url: "https://iam.amazonaws.com/",
		body: []byte("Action=GetUser&UserName=alice%2Bbob&Version=2010-05-08"), header: formType, service: "iam",
		token: testToken,
	},
	{
		name: "sts POST 1 KiB body on a non-default port", method: "POST", url: "http://localhost:8443/",
		body: kib(1024), header: formType, service: "sts",
	},
	{
		name: "organizations JSON with X-Amz-Target", method: "POST", url: "https://organizations.us-east-1.amazonaws.com/",
		body: []byte(`{"FeatureSet":"ALL"}`), service: "organizations",
		header: map[string][]string{
			"Content-Type": {"application/x-amz-json-1.1"},
			"X-Amz-Target": {"AWSOrganizationsV20161128.CreateOrganization"},
		},
	},
	{
		name: "GET query with special characters", method: "GET", service: "iam",
		url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision%20a%2F" +
			"&Marker=a%2Bb%2F%3D%3D&Empty=&Flag&Utf8=caf%C3%A9%E2%82%AC&Tilde=~x&Reserved=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C" +
			"&Dup=b&Dup=a&Space=a+b",
	},
	{
		name: "path with spaces and reserved characters", method: "GET", service: "iam",
		url:    "https://iam.amazonaws.com/a%20b/c+d/%7Euser/caf%C3%A9/x%2Fy/!$&'()*,;=:@/",
		header: map[string][]string{"X-Custom": {"  a   b \t c  "}, "X-Multi": {"1", " 2 "}},
	},
	{
		name: "path with dot segments signed literally", method: "GET", service: "iam",
		url: "https://iam.amazonaws.com/a/./b/../c//d",
	},
	{
		name: "declared X-Amz-Content-Sha256", method: "POST", url: "https://sts.amazonaws.com/",
		body: []byte("Action=GetCallerIdentity&Version=2011-06-15"), service: "sts",
		header: map[string][]string{
			"Content-Type":         {"application/x-www-form-urlencoded"},
			"X-Amz-Content-Sha256": {hexSHA256([]byte("Action=GetCallerIdentity&Version=2011-06-15"))},
		},
	},
	{
		name: "presigned GET", method: "GET", service: "sts", presign: true,
		url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900",
	},
	{
		name: "presigned GET with session token and signed header", method: "GET", service: "sts", presign: true,
		token:  testToken,
		url:    "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60",
		header: map[string][]string{"X-K8s-Aws-Id": {"my-cluster"}},
	},
	{
		name: "presigned POST with body", method: "POST", service: "iam", presign: true,
		url:  "https://iam.amazonaws.com/?X-Amz-Expires=300",
		body: []byte("Action=ListRoles&Version=2010-05-08"), header: formType,
	},
	{
		name: "presigned with UNSIGNED-PAYLOAD", method: "GET", service: "sts", presign: true, unsigned: true,
		url:    "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
		header: map[string][]string{"X-Amz-Content-Sha256": {UnsignedPayload}},
	},
	{
		// botocore removes dot segments and empty segments before signing (remove_dot_segments); the
		// Go SDK does not. The request is signed for the normalized path and sent with the raw one.
		name: "botocore-style normalized path", method: "GET", service: "iam",
		url: "https://iam.amazonaws.com/a/c/d", sendPath: "/a/./b/../c//d",
	},
}

// signedServerRequest signs c with the SDK and returns the request as the server receives it.
func signedServerRequest(t testing.TB, c sdkCase) (*http.Request, []byte) {
	t.Helper()
	req := newClientRequest(t, c.method, c.url, c.body, c.header)
	payload := ""
	if c.unsigned {
		payload = UnsignedPayload
	}
	if c.presign {
		req = sdkPresign(t, req, c.body, c.token, payload, c.service, "us-east-1")
	} else {
		sdkSign(t, req, c.body, c.token, payload, c.service, "us-east-1")
	}
	if c.sendPath != "" {
		req.URL.Path, req.URL.RawPath = c.sendPath, ""
	}
	return overTheWire(t, req)
}

// TestSDKSignedRequestsVerify is the differential test: whatever aws-sdk-go-v2 signs, Verify accepts.
func TestSDKSignedRequestsVerify(t *testing.T) {
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			r, body := signedServerRequest(t, c)
			a, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.Presigned != c.presign || a.Service != c.service || a.Region != "us-east-1" ||
				a.AccessKeyID != testAccessKey || a.SecurityToken != c.token || !a.Time.Equal(testTime) {
				t.Fatalf("Parse = %+v", a)
			}
			if err := NewVerifier().Verify(r, body, a, testSecret, testTime); err != nil {
				t.Fatalf("Verify: %v\nrequest URI %s\nheaders %v", err, r.RequestURI, r.Header)
			}
		})
	}
}

// TestSingleByteFlipsFail flips, one at a time, every byte of the method, path, query, each signed
// header value and the body of each SDK-signed request; none may verify. Flips that land in the
// signature's own parameters (presigned X-Amz-* pairs, X-Amz-Date) may fail earlier with another
// authentication code; every other flip must fail with SignatureDoesNotMatch.
func TestSingleByteFlipsFail(t *testing.T) {
	v := NewVerifier()
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			r, body := signedServerRequest(t, c)
			if err := verify(v, r, body, testTime); err != nil {
				t.Fatalf("unmodified request: %v", err)
			}
			a, _ := Parse(r)
			checked := 0
			expect := func(what string, i int, lenient bool, mr *http.Request, mbody []byte) {
				t.Helper()
				checked++
				err := verify(v, mr, mbody, testTime)
				code := codeOf(t, err)
				switch {
				case err == nil:
					t.Errorf("%s: flipping byte %d still verifies", what, i)
				case code == awserr.SignatureDoesNotMatch:
				case lenient && (code == awserr.IncompleteSignature || code == awserr.RequestExpired ||
					code == awserr.MissingAuthenticationToken):
				default:
					t.Errorf("%s: flipping byte %d: %v, want SignatureDoesNotMatch", what, i, err)
				}
			}

			for i := range len(r.Method) {
				mr := r.Clone(r.Context())
				mr.Method = flip(r.Method, i)
				expect("method", i, false, mr, body)
			}

			path := r.URL.EscapedPath()
			for i := range len(path) {
				u, err := url.ParseRequestURI(flip(path, i))
				if err != nil {
					continue // not a request target net/http would hand over
				}
				mr := r.Clone(r.Context())
				u.RawQuery = r.URL.RawQuery
				mr.URL = u
				if c.sendPath != "" && normalizePath(u.EscapedPath()) == normalizePath(path) {
					// Two raw paths with one normalized form are one path to a botocore signer
					// and to AWS: "/a/./b/../c" and "/a/./c/../c" both sign as "/a/c".
					continue
				}
				expect("path "+path, i, false, mr, body)
			}

			raw := r.URL.RawQuery
			for i := range len(raw) {
				mr := r.Clone(r.Context())
				mr.URL.RawQuery = flip(raw, i)
				expect("query", i, a.Presigned && inAuthPair(raw, i), mr, body)
			}

			for _, name := range a.SignedHeaders {
				if name == "host" {
					for i := range len(r.Host) {
						mr := r.Clone(r.Context())
						mr.Host = flip(r.Host, i)
						expect("host", i, false, mr, body)
					}
					continue
				}
				key := http.CanonicalHeaderKey(name)
				for j, value := range r.Header[key] {
					for i := range len(value) {
						mr := r.Clone(r.Context())
						vs := append([]string(nil), r.Header[key]...)
						vs[j] = flip(value, i)
						mr.Header[key] = vs
						expect("header "+name, i, name == "x-amz-date", mr, body)
					}
				}
			}

			for i := range len(body) {
				mbody := bytes.Clone(body)
				mbody[i] ^= 1
				// UNSIGNED-PAYLOAD exempts the body by the signer's own choice.
				if c.unsigned {
					if err := verify(v, r, mbody, testTime); err != nil {
						t.Errorf("UNSIGNED-PAYLOAD body flip %d: %v", i, err)
					}
					continue
				}
				expect("body", i, false, r, mbody)
			}

			if authz := r.Header.Get("Authorization"); authz != "" {
				// The access key ID is not in the string to sign: it selects the secret, and a
				// flipped one finds another secret or none. Its bytes are skipped here.
				keyStart := strings.Index(authz, testAccessKey)
				for i := range len(authz) {
					if i >= keyStart && i < keyStart+len(testAccessKey) {
						continue
					}
					mr := r.Clone(r.Context())
					mr.Header.Set("Authorization", flip(authz, i))
					if verify(v, mr, body, testTime) == nil {
						t.Errorf("Authorization: flipping byte %d still verifies", i)
					}
				}
			}
			if checked < 20 {
				t.Fatalf("only %d flips checked", checked)
			}
		})
	}
}

// flip toggles the lowest bit of s[i]. Unlike a case flip it never yields an equivalent encoding
// (%2f and %2F are the same octet; %2f and %2g are not).
func flip(s string, i int) string {
	b := []byte(s)
	b[i] ^= 1
	return string(b)
}

// inAuthPair reports whether byte i of a raw query lies in an X-Amz-* pair or on a separator next
// to one, where a flip may break the presigned form itself rather than the signature.
func inAuthPair(raw string, i int) bool {
	start := 0
	for start <= len(raw) {
		end := strings.IndexByte(raw[start:], '&')
		if end < 0 {
			end = len(raw)
		} else {
			end += start
		}
		if i >= start && i <= end && strings.HasPrefix(raw[start:end], "X-Amz-") {
			return true
		}
		if i == start-1 && strings.HasPrefix(raw[start:end], "X-Amz-") {
			return true
		}
		start = end + 1
	}
	return false
}
