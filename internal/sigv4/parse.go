package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// Query parameters of the presigned form (IAM User Guide, "Elements of an AWS API request
// signature": authentication with query parameters).
const (
	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	querySecurityToken = "X-Amz-Security-Token"
)

// maxEcho bounds how much of a malformed value is repeated in an error message, so a megabyte
// header does not become a megabyte error.
const maxEcho = 256

// Parse extracts Auth from r. It checks form, not the signature: Verify does that.
//
// Errors are *awserr.Error, in the order and wording of AWS's front end (observed messages are
// recorded in mhart/dynalite's index.js, which replays DynamoDB's; IAM and STS share that front end):
//   - MissingAuthenticationToken "Request is missing Authentication Token": neither an Authorization
//     header nor an X-Amz-Algorithm query parameter, or an Authorization header of another scheme
//     (AWS answers a non-"AWS4-" scheme as if no token were present).
//   - IncompleteSignature: missing Credential/Signature/SignedHeaders or date, a date not in ISO 8601
//     basic format, an unsupported algorithm, a credential without five elements, a bad X-Amz-Expires.
//   - SignatureDoesNotMatch: both the header and the query form at once, or a credential scope whose
//     terminator is not aws4_request (AWS reports both as signature errors, not incomplete ones).
//
// Parse never panics, whatever r holds.
func Parse(r *http.Request) (*Auth, error) {
	if r == nil {
		return nil, errMissingToken()
	}
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	q := scanAuthQuery(rawQuery)
	authz := r.Header["Authorization"]
	switch {
	case len(authz) > 0 && q.has[idxAlgorithm]:
		return nil, awserr.New(awserr.SignatureDoesNotMatch,
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case len(authz) > 0:
		return parseHeaderForm(r, authz)
	case q.has[idxAlgorithm]:
		return parseQueryForm(r, &q)
	}
	return nil, errMissingToken()
}

func errMissingToken() error {
	return awserr.New(awserr.MissingAuthenticationToken, "Request is missing Authentication Token")
}

// parseHeaderForm reads `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
func parseHeaderForm(r *http.Request, authz []string) (*Auth, error) {
	if len(authz) > 1 {
		return nil, awserr.New(awserr.IncompleteSignature, "Only one 'Authorization' header is allowed.")
	}
	h := strings.TrimSpace(authz[0])
	if !strings.HasPrefix(h, "AWS4-") {
		return nil, errMissingToken()
	}
	alg, rest, _ := strings.Cut(h, " ")

	// The components are separated by commas, spaces or both: the SDKs write ", ", and AWS also
	// accepts "," alone (scylladb's alternator tests reproduce this against DynamoDB, issue #9568).
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for rest != "" {
		i := indexSeparator(rest)
		tok := rest
		if i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if tok == "" {
			continue
		}
		key, value, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, awserr.New(awserr.IncompleteSignature,
				"'%s' not a valid key=value pair (missing equal-sign) in Authorization header.", echo(tok))
		}
		var seen *bool
		switch key {
		case "Credential":
			cred, seen = value, &haveCred
		case "SignedHeaders":
			signed, seen = value, &haveSigned
		case "Signature":
			sig, seen = value, &haveSig
		default:
			continue // AWS ignores components it does not know
		}
		if *seen {
			return nil, awserr.New(awserr.IncompleteSignature,
				"Authorization header has more than one '%s' parameter.", key)
		}
		*seen = true
	}

	// AWS names every missing piece in one message, in this order.
	var missing strings.Builder
	if cred == "" {
		missing.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if sig == "" {
		missing.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSigned {
		missing.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	// Date is the fallback AWS documents for X-Amz-Date; it must then carry the same basic format.
	dateValue := r.Header.Get("X-Amz-Date")
	if dateValue == "" {
		dateValue = r.Header.Get("Date")
	}
	if dateValue == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return nil, awserr.New(awserr.IncompleteSignature, "%s", strings.TrimSpace(missing.String()))
	}

	a := &Auth{Signature: sig, SecurityToken: r.Header.Get("X-Amz-Security-Token")}
	if err := a.setTime(dateValue); err != nil {
		return nil, err
	}
	if err := checkAlgorithm(alg); err != nil {
		return nil, err
	}
	if err := a.setCredential(cred); err != nil {
		return nil, err
	}
	a.SignedHeaders = splitSignedHeaders(signed)
	return a, nil
}

// indexSeparator is strings.IndexAny(s, ", ") without building a character set on every call.
func indexSeparator(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == ' ' {
			return i
		}
	}
	return -1
}

// parseQueryForm reads the presigned-URL parameters.
func parseQueryForm(r *http.Request, q *authQuery) (*Auth, error) {
	var missing strings.Builder
	for _, i := range [...]int{idxAlgorithm, idxCredential, idxSignature, idxSignedHeaders, idxDate} {
		if q.val[i] == "" {
			missing.WriteString("AWS query-string parameters must include '")
			missing.WriteString(authQueryNames[i])
			missing.WriteString("'. ")
		}
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return nil, awserr.New(awserr.IncompleteSignature, "%s", missing.String())
	}
	for i, d := range q.dup {
		if d {
			return nil, awserr.New(awserr.IncompleteSignature,
				"AWS query-string parameter '%s' must appear only once.", authQueryNames[i])
		}
	}

	a := &Auth{Signature: q.val[idxSignature], Presigned: true, SecurityToken: q.val[idxSecurityToken]}
	if a.SecurityToken == "" {
		a.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	}
	if err := a.setTime(q.val[idxDate]); err != nil {
		return nil, err
	}
	if err := checkAlgorithm(q.val[idxAlgorithm]); err != nil {
		return nil, err
	}
	if err := a.setCredential(q.val[idxCredential]); err != nil {
		return nil, err
	}
	a.SignedHeaders = splitSignedHeaders(q.val[idxSignedHeaders])
	if q.has[idxExpires] {
		// S3's limits ("X-Amz-Expires must be non-negative", "... less than a week"); a zero
		// lifetime is refused too, so that Expires == 0 always means "absent".
		n, err := strconv.ParseInt(q.val[idxExpires], 10, 64)
		if err != nil {
			return nil, awserr.New(awserr.IncompleteSignature, "X-Amz-Expires should be a number")
		}
		if n <= 0 || n > int64(MaxPresignExpires/time.Second) {
			return nil, awserr.New(awserr.IncompleteSignature,
				"X-Amz-Expires must be between 1 and 604800 seconds (one week)")
		}
		a.Expires = time.Duration(n) * time.Second
	}
	return a, nil
}

func checkAlgorithm(alg string) error {
	if alg != Algorithm {
		return awserr.New(awserr.IncompleteSignature,
			"Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now).", echo(alg))
	}
	return nil
}

// setTime parses X-Amz-Date. Only the exact basic format is accepted, so that formatting Time again
// yields the very string the client signed.
func (a *Auth) setTime(v string) error {
	t, ok := parseAmzDate(v)
	if !ok {
		return awserr.New(awserr.IncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", echo(v))
	}
	a.Time = t
	return nil
}

// parseAmzDate parses yyyymmddThhmmssZ, accepting exactly what time.Parse(amzDateLayout, v) accepts
// at that length (FuzzParseAmzDate compares the two) without its general layout machinery: a real
// calendar date, hour < 24, minute and second < 60.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != len(amzDateLayout) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(v[0:4])
	month, ok2 := num(v[4:6])
	day, ok3 := num(v[6:8])
	hour, ok4 := num(v[9:11])
	minute, ok5 := num(v[11:13])
	sec, ok6 := num(v[13:15])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // the day does not exist in that month (time.Date normalised it away)
		return time.Time{}, false
	}
	return t, true
}

// setCredential splits AKID/yyyymmdd/region/service/aws4_request. Whether the region and service
// are ones this server answers for is the caller's decision; whether the date matches X-Amz-Date is
// Verify's.
func (a *Auth) setCredential(cred string) error {
	// AWS ignores trailing slashes here (dynalite's notes on the credential check).
	trimmed := strings.TrimRight(cred, "/")
	if strings.Count(trimmed, "/") != 4 {
		return awserr.New(awserr.IncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'",
			echo(cred))
	}
	var parts [5]string
	rest := trimmed
	for i := range 4 {
		parts[i], rest, _ = strings.Cut(rest, "/")
	}
	parts[4] = rest
	if parts[4] != scopeTerminator {
		return awserr.New(awserr.SignatureDoesNotMatch,
			"Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", echo(parts[4]))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// splitSignedHeaders splits "host;x-amz-date"; an empty list stays empty (Verify then reports that
// host is not signed, as AWS does).
func splitSignedHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// echo shortens a client-supplied value for an error message.
func echo(s string) string {
	if len(s) > maxEcho {
		return s[:maxEcho] + "..."
	}
	return s
}

// Indexes of the presigned-form parameters in authQuery.
const (
	idxAlgorithm = iota
	idxCredential
	idxDate
	idxExpires
	idxSignedHeaders
	idxSignature
	idxSecurityToken
	numAuthQuery
)

var authQueryNames = [numAuthQuery]string{
	idxAlgorithm:     queryAlgorithm,
	idxCredential:    queryCredential,
	idxDate:          queryDate,
	idxExpires:       queryExpires,
	idxSignedHeaders: querySignedHeaders,
	idxSignature:     querySignature,
	idxSecurityToken: querySecurityToken,
}

// authQuery holds the presigned-form parameters of a query string.
type authQuery struct {
	val [numAuthQuery]string
	has [numAuthQuery]bool
	dup [numAuthQuery]bool
}

// scanAuthQuery picks the X-Amz-* authentication parameters out of a raw query. Pairs that do not
// decode are skipped here, as url.ParseQuery skips them; Verify refuses such a query outright.
func scanAuthQuery(raw string) authQuery {
	var q authQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if !strings.HasPrefix(k, "X-Amz-") && !strings.Contains(k, "%") {
			continue // cheap exit for the common Action=…&Version=… pairs
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		for i, name := range authQueryNames {
			if key != name {
				continue
			}
			value, err := url.QueryUnescape(v)
			if err != nil {
				break
			}
			if q.has[i] {
				q.dup[i] = true
			}
			q.val[i], q.has[i] = value, true
			break
		}
	}
	return q
}
