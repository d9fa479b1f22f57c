package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

const (
	goodCred   = "AKIDEXAMPLE/20240101/us-east-1/iam/aws4_request"
	goodSig    = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	goodAuthz  = "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;x-amz-date, Signature=" + goodSig
	goodAmzDay = "20240101T000000Z"
)

func rawRequest(rawQuery string, header map[string][]string) *http.Request {
	h := http.Header{}
	for k, vs := range header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Host: "iam.amazonaws.com", Header: h}
}

func presignedQuery(drop string, set ...string) string {
	q := url.Values{
		"X-Amz-Algorithm":     {Algorithm},
		"X-Amz-Credential":    {goodCred},
		"X-Amz-Date":          {goodAmzDay},
		"X-Amz-SignedHeaders": {"host"},
		"X-Amz-Signature":     {goodSig},
		"Action":              {"GetCallerIdentity"},
	}
	q.Del(drop)
	for i := 0; i+1 < len(set); i += 2 {
		q.Set(set[i], set[i+1])
	}
	return q.Encode()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		header   map[string][]string
		wantCode awserr.Code
		wantMsg  string // exact message when wantCode is set
		check    func(t *testing.T, a *Auth)
	}{
		{
			name: "no authentication", wantCode: awserr.MissingAuthenticationToken,
			wantMsg: "Request is missing Authentication Token",
		},
		{
			name: "SigV2-style header is not a SigV4 token", header: map[string][]string{"Authorization": {"AWS AKIDEXAMPLE:c2ln"}},
			wantCode: awserr.MissingAuthenticationToken, wantMsg: "Request is missing Authentication Token",
		},
		{
			name: "bearer header", header: map[string][]string{"Authorization": {"Bearer abc"}},
			wantCode: awserr.MissingAuthenticationToken, wantMsg: "Request is missing Authentication Token",
		},
		{
			name: "query credential without X-Amz-Algorithm", query: presignedQuery("X-Amz-Algorithm"),
			wantCode: awserr.MissingAuthenticationToken, wantMsg: "Request is missing Authentication Token",
		},
		{
			name: "header and query form at once", query: presignedQuery(""),
			header:   map[string][]string{"Authorization": {goodAuthz}, "X-Amz-Date": {goodAmzDay}},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name: "header without components", header: map[string][]string{"Authorization": {"AWS4-HMAC-SHA256"}, "X-Amz-Date": {goodAmzDay}},
			wantCode: awserr.IncompleteSignature,
			wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter.",
		},
		{
			name: "header without date", header: map[string][]string{"Authorization": {goodAuthz}},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
		},
		{
			name: "empty signature value", header: map[string][]string{
				"Authorization": {"AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature="}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature, wantMsg: "Authorization header requires 'Signature' parameter.",
		},
		{
			name: "component without equal sign", header: map[string][]string{
				"Authorization": {"AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=" + goodSig}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header.",
		},
		{
			name: "duplicate component", header: map[string][]string{
				"Authorization": {goodAuthz + ", Signature=" + goodSig}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature, wantMsg: "Authorization header has more than one 'Signature' parameter.",
		},
		{
			name: "two Authorization headers", header: map[string][]string{"Authorization": {goodAuthz, goodAuthz}, "X-Amz-Date": {goodAmzDay}},
			wantCode: awserr.IncompleteSignature, wantMsg: "Only one 'Authorization' header is allowed.",
		},
		{
			name: "date in extended format", header: map[string][]string{"Authorization": {goodAuthz}, "X-Amz-Date": {"2024-01-01T00:00:00Z"}},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "date with an impossible day", header: map[string][]string{"Authorization": {goodAuthz}, "X-Amz-Date": {"20240230T000000Z"}},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Date must be in ISO-8601 'basic format'. Got '20240230T000000Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "SigV4a algorithm", header: map[string][]string{
				"Authorization": {strings.Replace(goodAuthz, Algorithm, "AWS4-ECDSA-P256-SHA256", 1)}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now).",
		},
		{
			name: "credential with four elements", header: map[string][]string{
				"Authorization": {strings.Replace(goodAuthz, goodCred, "AKIDEXAMPLE/20240101/us-east-1/iam", 1)}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240101/us-east-1/iam'",
		},
		{
			name: "credential with six elements", header: map[string][]string{
				"Authorization": {strings.Replace(goodAuthz, goodCred, "A/B/"+goodCred, 1)}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'A/B/" + goodCred + "'",
		},
		{
			name: "credential with a wrong terminator", header: map[string][]string{
				"Authorization": {strings.Replace(goodAuthz, "aws4_request", "aws4_reqeust", 1)}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.SignatureDoesNotMatch,
			wantMsg:  "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqeust'.",
		},
		{
			name: "long garbage is echoed shortened", header: map[string][]string{
				"Authorization": {strings.Replace(goodAuthz, goodCred, strings.Repeat("x", 5000), 1)}, "X-Amz-Date": {goodAmzDay},
			},
			wantCode: awserr.IncompleteSignature,
			wantMsg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" +
				strings.Repeat("x", maxEcho) + "...'",
		},
		{
			name:   "header form",
			header: map[string][]string{"Authorization": {goodAuthz}, "X-Amz-Date": {goodAmzDay}, "X-Amz-Security-Token": {"tok"}},
			check: func(t *testing.T, a *Auth) {
				want := Auth{
					AccessKeyID: "AKIDEXAMPLE", Date: "20240101", Region: "us-east-1", Service: "iam",
					SignedHeaders: []string{"host", "x-amz-date"}, Signature: goodSig, Time: testTime, SecurityToken: "tok",
				}
				if !authEqual(*a, want) {
					t.Fatalf("got %+v, want %+v", *a, want)
				}
			},
		},
		{
			name: "commas without spaces, trailing credential slash, Date header",
			header: map[string][]string{
				"Authorization": {"AWS4-HMAC-SHA256 Credential=" + goodCred + "/,SignedHeaders=host,Signature=" + goodSig},
				"Date":          {goodAmzDay},
			},
			check: func(t *testing.T, a *Auth) {
				if a.Service != "iam" || !a.Time.Equal(testTime) || a.Signature != goodSig || len(a.SignedHeaders) != 1 {
					t.Fatalf("got %+v", *a)
				}
			},
		},
		{
			name: "presigned without credential and signature", query: presignedQuery("X-Amz-Credential", "X-Amz-Signature", ""),
			wantCode: awserr.IncompleteSignature,
			wantMsg: "AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
		},
		{
			name: "presigned with expires not a number", query: presignedQuery("", "X-Amz-Expires", "ten"),
			wantCode: awserr.IncompleteSignature, wantMsg: "X-Amz-Expires should be a number",
		},
		{
			name: "presigned with expires over a week", query: presignedQuery("", "X-Amz-Expires", "604801"),
			wantCode: awserr.IncompleteSignature, wantMsg: "X-Amz-Expires must be between 1 and 604800 seconds (one week)",
		},
		{
			name: "presigned with zero expires", query: presignedQuery("", "X-Amz-Expires", "0"),
			wantCode: awserr.IncompleteSignature, wantMsg: "X-Amz-Expires must be between 1 and 604800 seconds (one week)",
		},
		{
			name: "presigned with a repeated signature", query: presignedQuery("") + "&X-Amz-Signature=" + goodSig,
			wantCode: awserr.IncompleteSignature, wantMsg: "AWS query-string parameter 'X-Amz-Signature' must appear only once.",
		},
		{
			name: "presigned with a wrong algorithm", query: presignedQuery("", "X-Amz-Algorithm", "AWS4-HMAC-SHA1"),
			wantCode: awserr.IncompleteSignature,
			wantMsg:  "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now).",
		},
		{
			name: "presigned form", query: presignedQuery("", "X-Amz-Expires", "604800", "X-Amz-Security-Token", "a+b/c=="),
			check: func(t *testing.T, a *Auth) {
				want := Auth{
					AccessKeyID: "AKIDEXAMPLE", Date: "20240101", Region: "us-east-1", Service: "iam",
					SignedHeaders: []string{"host"}, Signature: goodSig, Time: testTime, SecurityToken: "a+b/c==",
					Presigned: true, Expires: 7 * 24 * time.Hour,
				}
				if !authEqual(*a, want) {
					t.Fatalf("got %+v, want %+v", *a, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(rawRequest(tt.query, tt.header))
			if tt.wantCode != "" {
				e, ok := awserr.As(err)
				if !ok || e.Code != tt.wantCode || e.Message != tt.wantMsg {
					t.Fatalf("Parse error = %v, want %s: %s", err, tt.wantCode, tt.wantMsg)
				}
				if a != nil {
					t.Fatalf("Parse returned %+v with an error", a)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, a)
		})
	}
}

func authEqual(a, b Auth) bool {
	return a.AccessKeyID == b.AccessKeyID && a.Date == b.Date && a.Region == b.Region && a.Service == b.Service &&
		slices.Equal(a.SignedHeaders, b.SignedHeaders) && a.Signature == b.Signature && a.Time.Equal(b.Time) &&
		a.SecurityToken == b.SecurityToken && a.Presigned == b.Presigned && a.Expires == b.Expires
}

func TestParseNilRequest(t *testing.T) {
	if _, err := Parse(nil); codeOf(t, err) != awserr.MissingAuthenticationToken {
		t.Fatalf("Parse(nil) = %v", err)
	}
	if _, err := Parse(&http.Request{}); codeOf(t, err) != awserr.MissingAuthenticationToken {
		t.Fatalf("Parse(empty) = %v", err)
	}
}
