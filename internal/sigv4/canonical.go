package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// workspace holds the buffers one verification writes into. Workspaces are pooled, so a
// verification of an ordinary request allocates nothing for its canonical request.
type workspace struct {
	canonical []byte       // the canonical request
	query     []byte       // encoded query pairs, addressed by params
	params    []queryParam // the pairs of query, sorted before they are written
	payload   []byte       // hex payload hash as it enters the canonical request
	sts       []byte       // HMAC inner block: key^ipad followed by the string to sign
}

// queryParam addresses one encoded pair in workspace.query: key [start:eq), value [eq:end).
type queryParam struct{ start, eq, end int }

// maxPooledBuffer keeps a request with a huge query or header from pinning its buffers in the pool.
const maxPooledBuffer = 64 << 10

var workspaces = sync.Pool{New: func() any {
	return &workspace{
		canonical: make([]byte, 0, 1024),
		query:     make([]byte, 0, 256),
		params:    make([]queryParam, 0, 16),
		payload:   make([]byte, 0, 64),
		sts:       make([]byte, 0, 256),
	}
}}

func getWorkspace() *workspace { return workspaces.Get().(*workspace) }

func putWorkspace(ws *workspace) {
	if cap(ws.canonical) > maxPooledBuffer || cap(ws.query) > maxPooledBuffer || cap(ws.sts) > maxPooledBuffer {
		return
	}
	workspaces.Put(ws)
}

// buildCanonicalRequest writes the canonical request into ws.canonical (the SDK's
// buildCanonicalString):
//
//	METHOD \n URI \n QUERY \n HEADERS (each "name:value\n") \n SIGNED-HEADERS \n PAYLOAD-HASH
//
// It reports false when the query cannot be decoded: no SDK signs such a query, so the request
// cannot carry a valid signature.
func buildCanonicalRequest(ws *workspace, r *http.Request, a *Auth, uri string) bool {
	b := ws.canonical[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, uri)
	b = append(b, '\n')
	var ok bool
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	if b, ok = buildCanonicalQuery(ws, b, rawQuery, a.Presigned); !ok {
		ws.canonical = b
		return false
	}
	b = append(b, '\n')
	b = buildCanonicalHeaders(b, r, a.SignedHeaders)
	b = append(b, '\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	b = append(b, ws.payload...)
	ws.canonical = b
	return true
}

// buildStringToSign appends
//
//	AWS4-HMAC-SHA256 \n X-Amz-Date \n date/region/service/aws4_request \n hex(SHA-256(canonical request))
//
// to dst. The scope is the client's, as it appears in the credential.
func buildStringToSign(dst []byte, a *Auth, canonicalHash *[sha256.Size]byte) []byte {
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = appendAmzDate(dst, a.Time)
	dst = append(dst, '\n')
	dst = append(dst, a.Date...)
	dst = append(dst, '/')
	dst = append(dst, a.Region...)
	dst = append(dst, '/')
	dst = append(dst, a.Service...)
	dst = append(dst, '/')
	dst = append(dst, scopeTerminator...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, canonicalHash[:])
}

// requestPath returns the escaped path the client signed: what it put on the wire, which
// url.URL.EscapedPath recovers (RawPath when the client's escaping differs from Go's default).
func requestPath(r *http.Request) string {
	if r.URL == nil {
		return "/"
	}
	p := r.URL.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

// appendCanonicalURI escapes the already-escaped wire path once more. This double encoding is what
// every SDK does for services other than S3: aws-sdk-go-v2 applies httpbinding.EscapePath to
// URL.EscapedPath unless DisableURIPathEscaping is set (only S3 sets it), and botocore quotes the
// URL's encoded path. The IAM User Guide says the same: "each path segment must be URI-encoded
// twice (except for Amazon S3 which only gets URI-encoded once)". So "/a%20b" is signed as
// "/a%2520b".
func appendCanonicalURI(dst []byte, path string) []byte {
	for i := 0; i < len(path); i++ {
		c := path[i]
		if unreserved[c] || c == '/' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return dst
}

// normalizePath removes "." and ".." segments and empty segments, keeping a leading and a trailing
// slash: RFC 3986 §5.2.4 plus the removal of consecutive slashes that AWS services require, as
// botocore does (botocore.utils.remove_dot_segments, used by SigV4Auth). aws-sdk-go-v2 does not
// normalize, so Verify accepts either form; they differ only for paths with such segments.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/./") && !strings.Contains(p, "/../") &&
		!strings.HasSuffix(p, "/.") && !strings.HasSuffix(p, "/..") {
		return p
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var sb strings.Builder
	if strings.HasPrefix(p, "/") {
		sb.WriteByte('/')
	}
	sb.WriteString(strings.Join(out, "/"))
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		sb.WriteByte('/')
	}
	return sb.String()
}

// buildCanonicalQuery appends the canonical query: every pair decoded as url.ParseQuery decodes it
// ("+" is a space), re-encoded with RFC 3986 unreserved characters left alone and uppercase hex,
// sorted by encoded key then encoded value (aws-sdk-go-v2 internal/v4 EncodeQuery), joined by "&".
// A pair without "=" gets one ("a" → "a="). In the presigned form X-Amz-Signature is left out: it
// cannot sign itself.
func buildCanonicalQuery(ws *workspace, dst []byte, raw string, presigned bool) ([]byte, bool) {
	q, params := ws.query[:0], ws.params[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue // url.ParseQuery skips empty pairs too
		}
		k, v, _ := strings.Cut(pair, "=")
		start := len(q)
		var ok bool
		if q, ok = appendQueryComponent(q, k); !ok {
			ws.query, ws.params = q, params
			return dst, false
		}
		eq := len(q)
		if presigned && string(q[start:eq]) == querySignature {
			q = q[:start]
			continue
		}
		if q, ok = appendQueryComponent(q, v); !ok {
			ws.query, ws.params = q, params
			return dst, false
		}
		params = append(params, queryParam{start, eq, len(q)})
	}
	slices.SortFunc(params, func(x, y queryParam) int {
		if c := bytes.Compare(q[x.start:x.eq], q[y.start:y.eq]); c != 0 {
			return c
		}
		return bytes.Compare(q[x.eq:x.end], q[y.eq:y.end])
	})
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, q[p.start:p.eq]...)
		dst = append(dst, '=')
		dst = append(dst, q[p.eq:p.end]...)
	}
	ws.query, ws.params = q, params
	return dst, true
}

// appendQueryComponent decodes one raw query component and appends its canonical encoding, in one
// pass. It reports false on a malformed escape, where url.QueryUnescape would fail.
func appendQueryComponent(dst []byte, raw string) ([]byte, bool) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return dst, false
			}
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 2
		case '+':
			c = ' '
		}
		if unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return dst, true
}

// buildCanonicalHeaders appends "name:value\n" for each signed header, in the order the client
// listed them (the SDKs list them sorted and lower-cased; the signature covers the list as sent).
// Values are trimmed and inner runs of spaces collapsed; several values of one header are joined
// with commas (aws-sdk-go-v2 buildCanonicalHeaders with StripExcessSpaces). Host comes from
// r.Host, where net/http keeps it. A signed header missing from the request contributes an empty
// value, so the signature fails.
func buildCanonicalHeaders(dst []byte, r *http.Request, signed []string) []byte {
	for _, name := range signed {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch {
		case strings.EqualFold(name, "host"):
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			dst = appendTrimmedValue(dst, host)
		default:
			values := headerValues(r.Header, name)
			if values == nil && strings.EqualFold(name, "content-length") && r.ContentLength >= 0 {
				// net/http keeps Content-Length in Header for requests it reads from the wire but
				// only in ContentLength for requests built in process; the SDK signs ContentLength.
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
			}
			for j, v := range values {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendTrimmedValue(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendAmzDate appends t in X-Amz-Date's basic format (20060102T150405Z). It does what
// t.UTC().AppendFormat(dst, amzDateLayout) does for four-digit years, at a fraction of the cost;
// Parse only produces such years.
func appendAmzDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = appendDigits(dst, int(mo), 2)
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = appendDigits(dst, mi, 2)
	dst = appendDigits(dst, s, 2)
	return append(dst, 'Z')
}

// appendDigits appends the last n decimal digits of v, zero-padded.
func appendDigits(dst []byte, v, n int) []byte {
	if v < 0 {
		v = -v
	}
	var buf [4]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:n]...)
}

// appendTrimmedValue appends v without surrounding white space and with each inner run of spaces
// collapsed to one, as the SDK's StripExcessSpaces followed by strings.TrimSpace does.
func appendTrimmedValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return append(dst, v...) // the common case: nothing to collapse
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}

// headerValues returns the values of the header named name, in any letter case. net/http stores
// canonical keys (textproto.CanonicalMIMEHeaderKey), so the key is canonicalized into a stack
// buffer first: the map lookup with string(bytes) does not allocate. Keys net/http leaves as they
// are (those with bytes outside the token set) are found by the case-insensitive scan.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) <= len(buf) {
		k := buf[:len(name)]
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			k[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(k)]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

const upperHex = "0123456789ABCDEF"

// unreserved marks RFC 3986 §2.3 unreserved characters, the only ones SigV4 leaves unescaped.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
