// Package awsproto holds Rootward's wire codecs: the awsQuery protocol (form-encoded parameters in,
// XML out) used by IAM and STS, and its error shape. It knows nothing of IAM itself.
package awsproto

import (
	"bufio"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
)

// Params are the decoded parameters of an awsQuery request. Nested members use AWS's flattened
// names: "Tags.member.1.Key", "PolicyArns.member.2.arn", "TaskPolicyArn.arn".
type Params map[string]string

// ParseQuery decodes the parameters of an awsQuery request from the URL query and a form body.
// Body parameters win over query parameters of the same name, as in AWS's query protocol where the
// SDKs send everything in the body. Invalid percent-encoding and invalid UTF-8 are refused.
func ParseQuery(rawQuery string, body []byte) (Params, error) {
	p := Params{}
	if err := p.decode(rawQuery); err != nil {
		return nil, err
	}
	if err := p.decode(string(body)); err != nil {
		return nil, err
	}
	return p, nil
}

func (p Params) decode(s string) error {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return awserr.New(awserr.MalformedQueryString, "The query string is malformed: invalid escape in parameter name")
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return awserr.New(awserr.MalformedQueryString, "The query string is malformed: invalid escape in the value of %s", printable(key))
		}
		if !utf8.ValidString(key) || !utf8.ValidString(val) {
			return awserr.New(awserr.MalformedQueryString, "The query string is malformed: parameters must be valid UTF-8")
		}
		if key == "X-Amz-Signature" || strings.HasPrefix(key, "X-Amz-") {
			// SigV4 presigned-URL parameters belong to authentication, not to the operation.
			continue
		}
		p[key] = val
	}
	return nil
}

func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strconv.Quote(s)
}

// Has reports whether the parameter was sent.
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

// Get returns a parameter, "" when absent.
func (p Params) Get(name string) string { return p[name] }

// List returns the members of a list parameter in order: name.member.1, name.member.2, …
// A gap ends the list, as in AWS's query deserialisers.
func (p Params) List(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// Structs returns, for a list of structures, each member's fields: name.member.N.Field.
func (p Params) Structs(name string, fields ...string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		prefix := name + ".member." + strconv.Itoa(i) + "."
		m := map[string]string{}
		for _, f := range fields {
			if v, ok := p[prefix+f]; ok {
				m[f] = v
			}
		}
		if len(m) == 0 {
			return out
		}
		out = append(out, m)
	}
}

// Required returns a parameter that must be present and non-empty, or a ValidationError naming it
// in the form AWS uses for a missing required member.
func (p Params) Required(name string) (string, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return "", MissingParam(name)
	}
	return v, nil
}

// MissingParam is the ValidationError AWS answers for a missing required member (message form from
// the IAM API: "1 validation error detected: Value null at 'userName' failed to satisfy constraint:
// Member must not be null").
func MissingParam(name string) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
}

// Invalid is the ValidationError for a member that breaks a constraint.
func Invalid(name, value, constraint string) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, lowerFirst(name), constraint)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Int returns an integer parameter, def when absent, and a ValidationError when malformed or outside
// [lo, hi].
func (p Params) Int(name string, def, lo, hi int) (int, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a number", v, lowerFirst(name))
	}
	if n < lo {
		return 0, Invalid(name, v, "Member must have value greater than or equal to "+strconv.Itoa(lo))
	}
	if n > hi {
		return 0, Invalid(name, v, "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
	return n, nil
}

// Bool returns a boolean parameter ("true"/"false"), def when absent.
func (p Params) Bool(name string, def bool) (bool, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", v, lowerFirst(name))
}

// Keys returns the parameter names, sorted; for logs and tests.
func (p Params) Keys() []string {
	out := make([]string, 0, len(p))
	for k := range p {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Time is a timestamp that marshals as AWS's ISO 8601 form with second precision
// ("2026-11-27T15:04:05Z"), as IAM and STS send them.
type Time time.Time

// MarshalText implements encoding.TextMarshaler.
func (t Time) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

// Response writes an awsQuery success response:
// <ActionResponse xmlns=ns><ActionResult>result</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>.
// A nil result writes no Result element, as AWS does for operations without output.
func Response(w http.ResponseWriter, ns, action, requestID string, result any) error {
	// One backing array for both header values; the full slice expressions keep an append to one
	// from overwriting the other.
	vals := []string{"text/xml", requestID}
	h := w.Header()
	h["Content-Type"] = vals[0:1:1]
	h["X-Amzn-Requestid"] = vals[1:2:2]
	w.WriteHeader(http.StatusOK)
	return encodeResponse(w, ns, action, requestID, result)
}

// responseBuffers are the buffers answers are encoded through: encoding/xml's NewEncoder uses a
// *bufio.Writer of at least its default size as it is instead of allocating one, so a pooled one
// saves each answer 4 KiB. The encoder itself is not pooled: one that wrote namespaced attributes
// numbers the prefixes of later answers differently (TestEncodeResponseMatchesEncoder).
var responseBuffers = sync.Pool{New: func() any { return bufio.NewWriter(nil) }}

// resultNames caches the name of each action's result element (action + "Result"), which would
// otherwise be concatenated for every answer. Actions are the served operations' names.
var resultNames sync.Map // action → action + "Result"

func resultName(action string) string {
	if v, ok := resultNames.Load(action); ok {
		return v.(string)
	}
	name := action + "Result"
	resultNames.Store(action, name)
	return name
}

// encodeResponse writes the envelope itself and has encoding/xml marshal only the result. The
// bytes are those an xml.Encoder writes for the envelope's tokens (TestEncodeResponseMatchesEncoder):
// element names as they are, the namespace and request ID escaped as xml.EscapeText does. The
// encoder's output for the result does not depend on the enclosing elements (it writes a
// namespace on each element that has one and keeps no default), so encoding it alone changes
// nothing.
func encodeResponse(w io.Writer, ns, action, requestID string, result any) error {
	bw := responseBuffers.Get().(*bufio.Writer)
	bw.Reset(w)
	bw.WriteByte('<')
	bw.WriteString(action)
	bw.WriteString(`Response xmlns="`)
	escapeXML(bw, ns)
	bw.WriteString(`">`)
	if rw, ok := result.(ResultWriter); ok {
		xw := XMLWriter{bw: bw}
		name := resultName(action)
		xw.Start(name)
		rw.WriteResultXML(&xw)
		xw.End(name)
		if xw.err != nil {
			bw.Reset(nil)
			responseBuffers.Put(bw)
			return xw.err
		}
	} else if result != nil {
		// EncodeElement flushes bw into w when it is done.
		if err := xml.NewEncoder(bw).EncodeElement(result, xml.StartElement{Name: xml.Name{Local: resultName(action)}}); err != nil {
			bw.Reset(nil)
			responseBuffers.Put(bw)
			return err
		}
	}
	bw.WriteString("<ResponseMetadata><RequestId>")
	escapeXML(bw, requestID)
	bw.WriteString("</RequestId></ResponseMetadata></")
	bw.WriteString(action)
	bw.WriteString("Response>")
	err := bw.Flush()
	bw.Reset(nil) // keep no reference to the response in the pool
	responseBuffers.Put(bw)
	return err
}

// escapeXML writes s as xml.EscapeText would: text that needs no escaping (a namespace URL, a
// request ID) is written as it is, without the conversion to []byte EscapeText takes.
func escapeXML(bw *bufio.Writer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\'' || c == '&' || c == '<' || c == '>' {
			_ = xml.EscapeText(bw, []byte(s))
			return
		}
	}
	bw.WriteString(s)
}

// ErrorResponse writes an awsQuery error:
// <ErrorResponse xmlns=ns><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
// with the error's HTTP status.
func ErrorResponse(w http.ResponseWriter, ns, requestID string, e *awserr.Error) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(Status(e))
	typ := "Sender"
	if !Sender(e) {
		typ = "Receiver"
	}
	body := struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		NS      string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}{NS: ns, RequestID: requestID}
	body.Error.Type, body.Error.Code, body.Error.Message = typ, string(e.Code), e.Message
	_ = xml.NewEncoder(w).Encode(body)
}
