package sigv4

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestBuildCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		presigned bool
		want      string
		wantFail  bool
		// dropped is set where url.ParseQuery, and so the SDK, would drop the pair. No SDK sends
		// such a pair (they escape what they sign); keeping it signs every byte that arrived.
		dropped bool
	}{
		{name: "empty", raw: "", want: ""},
		{name: "sorted by key", raw: "Param2=value2&Param1=value1", want: "Param1=value1&Param2=value2"},
		{name: "uppercase sorts before lowercase", raw: "b=1&B=2&a=3", want: "B=2&a=3&b=1"},
		{name: "same key sorted by value", raw: "a=2&a=10&a=1", want: "a=1&a=10&a=2"},
		{name: "plus is a space", raw: "a=b+c", want: "a=b%20c"},
		{name: "lowercase escapes become uppercase", raw: "a=%2f%c3%a9", want: "a=%2F%C3%A9"},
		{name: "unreserved escapes are decoded", raw: "a=%41%7E%2D", want: "a=A~-"},
		{name: "reserved characters are escaped", raw: "a=!*'():@$,/?[]", want: "a=%21%2A%27%28%29%3A%40%24%2C%2F%3F%5B%5D"},
		{name: "raw semicolon is kept and escaped", raw: "a=1;b=2", want: "a=1%3Bb%3D2", dropped: true},
		{name: "raw UTF-8 is escaped", raw: "k=é", want: "k=%C3%A9"},
		{name: "key without value gets an equal sign", raw: "b&a=", want: "a=&b="},
		{name: "empty key", raw: "=x", want: "=x"},
		{name: "empty pairs are skipped", raw: "&&a=1&", want: "a=1"},
		{name: "equal sign inside a value", raw: "a=b=c", want: "a=b%3Dc"},
		{name: "signature kept in the header form", raw: "X-Amz-Signature=ab&a=1", want: "X-Amz-Signature=ab&a=1"},
		{name: "signature left out when presigned", raw: "X-Amz-Signature=ab&a=1&X-Amz-Date=1", presigned: true, want: "X-Amz-Date=1&a=1"},
		{name: "encoded signature name left out when presigned", raw: "X-Amz-%53ignature=ab&a=1", presigned: true, want: "a=1"},
		{name: "truncated escape", raw: "a=%2", wantFail: true},
		{name: "invalid escape in key", raw: "%zz=1", wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := getWorkspace()
			defer putWorkspace(ws)
			got, ok := buildCanonicalQuery(ws, nil, tt.raw, tt.presigned)
			if ok == tt.wantFail {
				t.Fatalf("ok = %v, want %v", ok, !tt.wantFail)
			}
			if ok && string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if !ok {
				return
			}
			// Without the presigned exclusion, the result must agree with the encoding the SDK
			// applies to url.ParseQuery's output (strings escaped by url.QueryEscape, "+" as %20).
			if tt.presigned || tt.dropped {
				return
			}
			values, err := url.ParseQuery(tt.raw)
			if err != nil {
				t.Fatalf("ParseQuery: %v", err)
			}
			if sdk := sdkStyleEncode(values); sdk != string(got) {
				t.Fatalf("SDK-style encoding %q differs from %q", sdk, got)
			}
		})
	}
}

// sdkStyleEncode re-states aws-sdk-go-v2's internal EncodeQuery for the comparison above.
func sdkStyleEncode(v url.Values) string {
	type kv struct{ k, v string }
	var pairs []kv
	enc := func(s string) string {
		e := url.QueryEscape(s)
		out := make([]byte, 0, len(e))
		for i := 0; i < len(e); i++ {
			if e[i] == '+' {
				out = append(out, "%20"...)
			} else {
				out = append(out, e[i])
			}
		}
		return string(out)
	}
	for k, vs := range v {
		for _, x := range vs {
			pairs = append(pairs, kv{enc(k), enc(x)})
		}
	}
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && (pairs[j].k < pairs[j-1].k || pairs[j].k == pairs[j-1].k && pairs[j].v < pairs[j-1].v); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	var s []byte
	for i, p := range pairs {
		if i > 0 {
			s = append(s, '&')
		}
		s = append(s, p.k...)
		s = append(s, '=')
		s = append(s, p.v...)
	}
	return string(s)
}

func TestAppendCanonicalURI(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{name: "root", path: "/", want: "/"},
		{name: "unreserved", path: "/Az09-._~", want: "/Az09-._~"},
		{name: "escaped space is escaped again", path: "/a%20b", want: "/a%2520b"},
		{name: "sub-delims", path: "/!$&'()*+,;=:@", want: "/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"},
		{name: "slashes stay", path: "//a//", want: "//a//"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendCanonicalURI(nil, tt.path)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizePath(t *testing.T) {
	// Cases from the AWS SigV4 test suite's normalize-path group (get-relative, get-relative-relative,
	// get-slash, get-slash-dot-slash, get-slash-pointless-dot, get-slashes).
	tests := []struct{ name, path, want string }{
		{name: "plain", path: "/a/b", want: "/a/b"},
		{name: "get-relative", path: "/example/..", want: "/"},
		{name: "get-relative-relative", path: "/example1/example2/../..", want: "/"},
		{name: "get-slash", path: "//", want: "/"},
		{name: "get-slash-dot-slash", path: "/./", want: "/"},
		{name: "get-slash-pointless-dot", path: "/./example", want: "/example"},
		{name: "get-slashes", path: "//example//", want: "/example/"},
		{name: "dot-dot above the root", path: "/../../a", want: "/a"},
		{name: "trailing dot segment", path: "/a/b/.", want: "/a/b"},
		{name: "dots inside names stay", path: "/a.b/..c/", want: "/a.b/..c/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalizePath(tt.path); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendTrimmedValue(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{name: "plain", value: "a", want: "a"},
		{name: "empty", value: "", want: ""},
		{name: "only spaces", value: "   ", want: ""},
		{name: "surrounding white space", value: " \t a b \t ", want: "a b"},
		{name: "inner space runs collapse", value: "a   b    c", want: "a b c"},
		{name: "inner tabs stay, as in the SDK", value: "a \t  b", want: "a \t b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendTrimmedValue(nil, tt.value)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHeaderValues(t *testing.T) {
	h := http.Header{
		"X-Amz-Date":    {"d"},
		"Content-Type":  {"t"},
		"x_odd header":  {"odd"}, // a key net/http would not canonicalize
		"X-Multi-Value": {"1", "2"},
	}
	tests := []struct {
		name, header string
		want         []string
	}{
		{name: "lower-case name", header: "x-amz-date", want: []string{"d"}},
		{name: "mixed-case name", header: "cOnTeNt-TyPe", want: []string{"t"}},
		{name: "non-canonical key", header: "X_ODD HEADER", want: []string{"odd"}},
		{name: "several values", header: "x-multi-value", want: []string{"1", "2"}},
		{name: "absent", header: "x-absent", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := headerValues(h, tt.header)
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestAppendAmzDate(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
	}{
		{name: "test time", t: testTime},
		{name: "documentation time", t: time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)},
		{name: "last second of a leap year", t: time.Date(2024, 12, 31, 23, 59, 59, 999, time.UTC)},
		{name: "non-UTC zone", t: time.Date(2024, 1, 1, 1, 2, 3, 0, time.FixedZone("UTC-7", -7*3600))},
		{name: "year 1", t: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.t.UTC().Format(amzDateLayout)
			if got := string(appendAmzDate(nil, tt.t)); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}
