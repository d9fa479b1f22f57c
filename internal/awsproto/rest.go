package awsproto

import (
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// restJson1 (Smithy, "AWS restJson1 protocol",
// https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html): an operation is bound to an
// HTTP method and a URI pattern ("POST /detector/{DetectorId}/filter"); its input members come from
// the path (@httpLabel), the query string (@httpQuery), headers (@httpHeader) and, for the rest, the
// JSON body. GuardDuty, Security Hub, Account, IAM Identity Center and Multi-party approval use it.

// Route is an operation's HTTP binding: a method and a URI pattern whose {Name} segments are
// labels and whose last segment may be a greedy label {Name+}, and the query string's literal keys
// the pattern may end with ("/approval-teams/{Arn}?Delete": Smithy's constant query literals),
// which a request must carry.
type Route struct {
	Method   string
	segments []string
	query    []string
}

// HasQuery reports whether the route names query literals; they make it more specific than a
// route of the same path without them.
func (rt Route) HasQuery() bool { return len(rt.query) > 0 }

// MatchQuery is Match for a request whose raw query string is rawQuery: the route's query literals
// must all be keys of it.
func (rt Route) MatchQuery(method, escapedPath, rawQuery string) (map[string]string, bool) {
	if len(rt.query) > 0 {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return nil, false
		}
		for _, k := range rt.query {
			if _, ok := q[k]; !ok {
				return nil, false
			}
		}
	}
	return rt.Match(method, escapedPath)
}

// ParseRoute parses "METHOD /path/{Label}"; it panics on a malformed pattern (routes are written in
// the code, not sent by clients).
func ParseRoute(s string) Route {
	method, path, ok := strings.Cut(s, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		panic("awsproto: malformed route " + s)
	}
	path, query, _ := strings.Cut(path, "?")
	rt := Route{Method: method, segments: strings.Split(strings.TrimPrefix(path, "/"), "/")}
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k != "" {
			rt.query = append(rt.query, k)
		}
	}
	return rt
}

// Match reports whether the request's method and escaped path fit the route, and returns the labels'
// values, unescaped.
func (rt Route) Match(method, escapedPath string) (map[string]string, bool) {
	if method != rt.Method {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	labels := map[string]string{}
	for i, seg := range rt.segments {
		label, isLabel := strings.CutPrefix(seg, "{")
		if isLabel {
			label = strings.TrimSuffix(label, "}")
		}
		if greedy, ok := strings.CutSuffix(label, "+"); isLabel && ok {
			if i >= len(parts) {
				return nil, false
			}
			v, err := url.PathUnescape(strings.Join(parts[i:], "/"))
			if err != nil || v == "" {
				return nil, false
			}
			labels[greedy] = v
			return labels, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if !isLabel {
			if parts[i] != seg {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil || v == "" {
			return nil, false
		}
		labels[label] = v
	}
	return labels, len(parts) == len(rt.segments)
}

// DecodeREST decodes a restJson1 request into v, a pointer to an operation's input struct: the JSON
// body first (fields bound elsewhere carry json:"-"), then fields tagged `location:"uri"`,
// `location:"querystring"` or `location:"header"` with the member's wire name in `locationName`
// (the tags of the Smithy bindings' names), from labels, the query and the headers. A label or
// query value that does not parse as the member's type is a SerializationException, as the SDKs'
// own servers answer.
func DecodeREST(r *http.Request, labels map[string]string, body []byte, v any) error {
	if err := DecodeJSON(body, v); err != nil {
		return err
	}
	sv := reflect.ValueOf(v).Elem()
	st := sv.Type()
	query := r.URL.Query()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		name := f.Tag.Get("locationName")
		var raw []string
		switch f.Tag.Get("location") {
		case "uri":
			if l, ok := labels[name]; ok {
				raw = []string{l}
			}
		case "querystring":
			raw = query[name]
		case "header":
			if h := r.Header.Values(name); len(h) > 0 {
				raw = h
			}
		default:
			continue
		}
		if len(raw) == 0 {
			if f.Tag.Get("required") == "true" {
				return MissingParam(name)
			}
			continue
		}
		if err := setREST(sv.Field(i), f, name, raw); err != nil {
			return err
		}
	}
	return nil
}

func setREST(fv reflect.Value, f reflect.StructField, name string, raw []string) error {
	t := f.Type
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String {
		fv.Set(reflect.ValueOf(append([]string(nil), raw...)).Convert(t))
		return nil
	}
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	val := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		val.SetString(raw[0])
	case reflect.Bool:
		b, err := strconv.ParseBool(raw[0])
		if err != nil {
			return awserr.New(awserr.Serialization, "The value of %s is not a boolean.", name)
		}
		val.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw[0], 10, 64)
		if err != nil || val.OverflowInt(n) {
			return awserr.New(awserr.Serialization, "The value of %s is not an integer.", name)
		}
		if lo, ok := intTag(f, "min"); ok && n < lo {
			return Invalid(name, raw[0], "Member must have value greater than or equal to "+strconv.FormatInt(lo, 10))
		}
		if hi, ok := intTag(f, "max"); ok && n > hi {
			return Invalid(name, raw[0], "Member must have value less than or equal to "+strconv.FormatInt(hi, 10))
		}
		val.SetInt(n)
	default:
		panic("awsproto.DecodeREST: unsupported bound field type " + f.Type.String())
	}
	set(fv, val, ptr)
	return nil
}

// RESTResponse writes a successful restJson1 answer: status 200 and the output's JSON body ("{}"
// for none).
func RESTResponse(w http.ResponseWriter, requestID string, result any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", requestID)
	return writeJSONBody(w, result)
}
