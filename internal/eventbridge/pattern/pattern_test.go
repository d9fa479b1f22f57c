package pattern

import (
	"encoding/json"
	"errors"
	"testing"
)

// The cases follow the examples of the EventBridge User Guide ("Amazon EventBridge event
// patterns", "Content filtering in Amazon EventBridge event patterns", "Arrays in Amazon
// EventBridge event patterns", "Matching null values and empty strings") and the kinds of cases
// AWS's event-ruler tests cover; the events and patterns are written for these tests.

const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {
    "instance-id": "i-1234567890abcdef0",
    "state": "terminated",
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.123",
    "eventName": "PutObject",
    "filename": "photo.PNG",
    "location": "New York",
    "tags": ["prod", "web"],
    "empty": "",
    "nothing": null,
    "flag": true,
    "nested": {"a": {"b": "deep"}},
    "items": [{"name": "x", "size": 1}, {"name": "y", "size": 2}]
  }
}`

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"source", `{"source": ["aws.ec2"]}`, true},
		{"source among several", `{"source": ["aws.s3", "aws.ec2"]}`, true},
		{"other source", `{"source": ["aws.s3"]}`, false},
		{"source and detail-type", `{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}`, true},
		{"one field fails", `{"source": ["aws.ec2"], "detail-type": ["Other"]}`, false},
		{"nested exact", `{"detail": {"state": ["terminated"]}}`, true},
		{"nested other", `{"detail": {"state": ["running"]}}`, false},
		{"deeply nested", `{"detail": {"nested": {"a": {"b": ["deep"]}}}}`, true},
		{"missing field", `{"detail": {"nope": ["x"]}}`, false},
		{"value is case sensitive", `{"detail": {"state": ["TERMINATED"]}}`, false},
		{"number equals number", `{"detail": {"c-count": [5]}}`, true},
		{"number matches 5.0", `{"detail": {"c-count": [5.0]}}`, true},
		{"string does not match number", `{"detail": {"c-count": ["5"]}}`, false},
		{"true literal", `{"detail": {"flag": [true]}}`, true},
		{"false literal", `{"detail": {"flag": [false]}}`, false},
		{"string true is not true", `{"detail": {"flag": ["true"]}}`, false},
		{"null matches null", `{"detail": {"nothing": [null]}}`, true},
		{"null does not match missing", `{"detail": {"nope": [null]}}`, false},
		{"empty string", `{"detail": {"empty": [""]}}`, true},
		{"empty string is not null", `{"detail": {"nothing": [""]}}`, false},
		{"array field any element", `{"detail": {"tags": ["web"]}}`, true},
		{"array field no element", `{"detail": {"tags": ["dev"]}}`, false},
		{"array resources", `{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, true},
		{"prefix", `{"time": [{"prefix": "2017-12-22"}]}`, true},
		{"prefix other", `{"time": [{"prefix": "2018"}]}`, false},
		{"empty prefix", `{"detail": {"state": [{"prefix": ""}]}}`, true},
		{"prefix not on numbers", `{"detail": {"c-count": [{"prefix": "5"}]}}`, false},
		{"prefix ignore case", `{"detail": {"eventName": [{"prefix": {"equals-ignore-case": "PUTOBJ"}}]}}`, true},
		{"suffix", `{"detail": {"filename": [{"suffix": ".PNG"}]}}`, true},
		{"suffix is case sensitive", `{"detail": {"filename": [{"suffix": ".png"}]}}`, false},
		{"suffix ignore case", `{"detail": {"filename": [{"suffix": {"equals-ignore-case": ".png"}}]}}`, true},
		{"equals-ignore-case", `{"detail": {"state": [{"equals-ignore-case": "TeRmInAtEd"}]}}`, true},
		{"equals-ignore-case other", `{"detail": {"state": [{"equals-ignore-case": "running"}]}}`, false},
		{"anything-but string", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, true},
		{"anything-but same string", `{"detail": {"state": [{"anything-but": "terminated"}]}}`, false},
		{"anything-but list", `{"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}`, false},
		{"anything-but number", `{"detail": {"c-count": [{"anything-but": 4}]}}`, true},
		{"anything-but same number", `{"detail": {"c-count": [{"anything-but": [5, 6]}]}}`, false},
		{"anything-but missing field", `{"detail": {"nope": [{"anything-but": "x"}]}}`, false},
		{"anything-but prefix", `{"region": [{"anything-but": {"prefix": "us-"}}]}`, false},
		{"anything-but prefix other", `{"region": [{"anything-but": {"prefix": "eu-"}}]}`, true},
		{"anything-but suffix", `{"detail": {"filename": [{"anything-but": {"suffix": ".PNG"}}]}}`, false},
		{"anything-but ignore case", `{"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}}`, false},
		{"anything-but ignore case list", `{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["A", "B"]}}]}}`, true},
		{"anything-but wildcard", `{"detail": {"filename": [{"anything-but": {"wildcard": "*.PNG"}}]}}`, false},
		{"anything-but wildcard list", `{"detail": {"filename": [{"anything-but": {"wildcard": ["*.gif", "*.jpg"]}}]}}`, true},
		{"anything-but on array: one element left", `{"detail": {"tags": [{"anything-but": "prod"}]}}`, true},
		{"anything-but on array: all excluded", `{"detail": {"tags": [{"anything-but": ["prod", "web"]}]}}`, false},
		{"numeric greater", `{"detail": {"c-count": [{"numeric": [">", 0]}]}}`, true},
		{"numeric range", `{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}`, true},
		{"numeric open top", `{"detail": {"c-count": [{"numeric": [">", 0, "<", 5]}]}}`, false},
		{"numeric equals", `{"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}`, true},
		{"numeric less", `{"detail": {"d-count": [{"numeric": ["<", 10]}]}}`, true},
		{"numeric >=", `{"detail": {"d-count": [{"numeric": [">=", 3]}]}}`, true},
		{"numeric on a string", `{"detail": {"state": [{"numeric": [">", 0]}]}}`, false},
		{"cidr", `{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}`, true},
		{"cidr other", `{"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}`, false},
		{"ip exact", `{"detail": {"source-ip": ["10.0.0.123"]}}`, true},
		{"exists true", `{"detail": {"state": [{"exists": true}]}}`, true},
		{"exists true on missing", `{"detail": {"nope": [{"exists": true}]}}`, false},
		{"exists false on missing", `{"detail": {"nope": [{"exists": false}]}}`, true},
		{"exists false on present", `{"detail": {"state": [{"exists": false}]}}`, false},
		{"exists true on null", `{"detail": {"nothing": [{"exists": true}]}}`, true},
		{"exists on an object is false", `{"detail": {"nested": [{"exists": true}]}}`, false},
		{"exists false below a missing object", `{"detail": {"nope": {"deeper": [{"exists": false}]}}}`, true},
		{"wildcard", `{"detail": {"filename": [{"wildcard": "photo.*"}]}}`, true},
		{"wildcard middle", `{"source": [{"wildcard": "aws.*2"}]}`, true},
		{"wildcard no match", `{"source": [{"wildcard": "*.s3"}]}`, false},
		{"wildcard escaped star", `{"source": [{"wildcard": "aws\\*"}]}`, false},
		{"or of two", `{"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [3]}]}}`, true},
		{"or none", `{"detail": {"$or": [{"c-count": [1]}, {"d-count": [1]}]}}`, false},
		{"top-level or", `{"source": ["aws.ec2"], "$or": [{"region": ["eu-west-1"]}, {"detail": {"state": ["terminated"]}}]}`, true},
		{"array of objects one element", `{"detail": {"items": {"name": ["y"], "size": [2]}}}`, true},
		{"array of objects fields from different elements", `{"detail": {"items": {"name": ["x"], "size": [2]}}}`, false},
		{"several matchers any", `{"detail": {"state": [{"prefix": "x"}, "terminated"]}}`, true},
		{"exact expression", `{"detail": {"state": [{"exact": "terminated"}]}}`, true},
	}
	event := decode(t, ec2Event)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.pattern, err)
			}
			if got := p.Matches(event); got != tc.want {
				t.Errorf("Matches = %v, want %v (pattern %s)", got, tc.want, tc.pattern)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, reason string
	}{
		{"not JSON", `{"source": [`, "Invalid JSON"},
		{"trailing text", `{"source": ["a"]} x`, "Invalid JSON"},
		{"array", `["a"]`, "Filter is not an object"},
		{"scalar value", `{"source": "aws.ec2"}`, `"source" must be an object or an array`},
		{"empty object", `{}`, "Empty objects are not allowed"},
		{"empty nested object", `{"detail": {}}`, "Empty objects are not allowed"},
		{"empty array", `{"source": []}`, "Empty arrays are not allowed"},
		{"nested array", `{"source": [["a"]]}`, "Match value must be String, number, true, false, or null"},
		{"unknown expression", `{"source": [{"regex": "a"}]}`, "Unrecognized match type regex"},
		{"two keys", `{"source": [{"prefix": "a", "suffix": "b"}]}`, "Only one key allowed in match expression"},
		{"prefix number", `{"source": [{"prefix": 1}]}`, "prefix match pattern must be a string"},
		{"suffix object", `{"source": [{"suffix": {"x": "y"}}]}`, "Unsupported suffix pattern: x"},
		{"equals-ignore-case number", `{"source": [{"equals-ignore-case": 1}]}`, "equals-ignore-case match pattern must be a string"},
		{"wildcard number", `{"source": [{"wildcard": 1}]}`, "wildcard match pattern must be a string"},
		{"consecutive wildcards", `{"source": [{"wildcard": "a**b"}]}`, "Consecutive wildcard characters at pos 1"},
		{"bad escape", `{"source": [{"wildcard": "a\\b"}]}`, "Invalid escape character at pos 1"},
		{"exists string", `{"source": [{"exists": "yes"}]}`, "exists match pattern must be either true or false."},
		{"numeric not array", `{"n": [{"numeric": 5}]}`, "Value of numeric must be an array."},
		{"numeric unknown op", `{"n": [{"numeric": ["!=", 5]}]}`, "Unrecognized numeric range operator: !="},
		{"numeric value string", `{"n": [{"numeric": [">", "5"]}]}`, "Value of > must be numeric"},
		{"numeric too big", `{"n": [{"numeric": [">", 6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric bottom above top", `{"n": [{"numeric": [">", 10, "<", 5]}]}`, "Bottom must be less than top"},
		{"numeric bad top op", `{"n": [{"numeric": [">", 1, ">", 5]}]}`, "Bad numeric range operator: >"},
		{"numeric too many", `{"n": [{"numeric": [">", 1, "<", 5, "<", 6]}]}`, "Too many terms in numeric range expression"},
		{"numeric equals too many", `{"n": [{"numeric": ["=", 1, "<", 5]}]}`, "Too many elements in numeric expression"},
		{"numeric member not string", `{"n": [{"numeric": [5]}]}`, "Invalid member in numeric match: 5"},
		{"anything-but mixed", `{"s": [{"anything-but": ["a", 1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but null", `{"s": [{"anything-but": [null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but bool", `{"s": [{"anything-but": true}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but unknown", `{"s": [{"anything-but": {"numeric": [">", 1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"anything-but empty prefix", `{"s": [{"anything-but": {"prefix": ""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but prefix number", `{"s": [{"anything-but": {"prefix": 1}}]}`, "prefix/suffix match pattern must be a string"},
		{"anything-but ignore case number", `{"s": [{"anything-but": {"equals-ignore-case": [1]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"cidr no slash", `{"ip": [{"cidr": "10.0.0.0"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr bits", `{"ip": [{"cidr": "10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{"cidr negative", `{"ip": [{"cidr": "10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{"cidr bad ip", `{"ip": [{"cidr": "10.0.0/8"}]}`, "Invalid IP address: 10.0.0"},
		{"cidr v4 32", `{"ip": [{"cidr": "10.0.0.1/32"}]}`, "IPv4 mask bits must be < 32"},
		{"cidr v6 128", `{"ip": [{"cidr": "::1/128"}]}`, "IPv6 mask bits must be < 128"},
		{"or not array", `{"$or": {"a": ["b"]}}`, "It must be an Array followed with $or."},
		{"or one branch", `{"$or": [{"a": ["b"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{"or scalar branch", `{"$or": ["a", "b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{"reserved name in or", `{"$or": [{"prefix": ["b"]}, {"a": ["c"]}]}`, "prefix is Ruler reserved fieldName which cannot be used inside $or."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.pattern)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%s) = %v, want reason %q", tc.pattern, err, tc.reason)
			}
			if pe.Reason != tc.reason {
				t.Errorf("reason = %q, want %q", pe.Reason, tc.reason)
			}
			if want := "Event pattern is not valid. Reason: " + tc.reason; err.Error() != want {
				t.Errorf("message = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "a", true},
		{"a*", "ba", false},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "a", false},
		{"ab*bc", "abc", false},
		{"ab*bc", "abbc", true},
		{"*/lib/*", "usr/lib/x", true},
		{"*/lib/*", "usr/bin/x", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "ac", false},
		{"a*b*c", "axbxcxc", true},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{`a\\b`, `a\b`, true},
		{"", "", true},
		{"", "x", false},
		{"abc", "abc", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"|"+tc.value, func(t *testing.T) {
			w, err := compileWildcard(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.matches(tc.value); got != tc.want {
				t.Errorf("%q matches %q = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
		})
	}
}

func TestCIDR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cidr, ip string
		want     bool
	}{
		{"10.0.0.0/24", "10.0.0.255", true},
		{"10.0.0.0/24", "10.0.1.0", false},
		{"10.0.0.5/24", "10.0.0.4", false}, // the range starts at the address given
		{"0.0.0.0/0", "203.0.113.7", true},
		{"2001:db8::/32", "2001:db8:ffff::1", true},
		{"2001:db8::/32", "2001:db9::1", false},
		{"10.0.0.0/8", "::ffff:10.1.2.3", true},
		{"10.0.0.0/8", "2001:db8::1", false},
		{"10.0.0.0/8", "not-an-ip", false},
	}
	for _, tc := range tests {
		t.Run(tc.cidr+"|"+tc.ip, func(t *testing.T) {
			p, err := Parse(`{"ip": [{"cidr": "` + tc.cidr + `"}]}`)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Matches(map[string]any{"ip": tc.ip}); got != tc.want {
				t.Errorf("%s contains %s = %v, want %v", tc.cidr, tc.ip, got, tc.want)
			}
		})
	}
}

func TestExact(t *testing.T) {
	t.Parallel()
	p, err := Parse(`{"source": ["aws.iam", "aws.sts"], "detail-type": [{"prefix": "AWS"}], "$or": [{"a": ["b"]}, {"c": ["d"]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := p.Exact("source"); !ok || len(got) != 2 || got[0] != "aws.iam" || got[1] != "aws.sts" {
		t.Errorf("Exact(source) = %v, %v; want [aws.iam aws.sts], true", got, ok)
	}
	if got, ok := p.Exact("detail-type"); ok {
		t.Errorf("Exact(detail-type) = %v, true; want false for a prefix", got)
	}
	if got, ok := p.Exact("region"); ok {
		t.Errorf("Exact(region) = %v, true; want false for an unconstrained key", got)
	}
}

// object is a test Object over a map, as Rootward's own events implement it over structs.
type testObject map[string]any

func (o testObject) Field(name string) (any, bool) { v, ok := o[name]; return v, ok }

func TestMatchesObject(t *testing.T) {
	t.Parallel()
	event := testObject{"source": "aws.signin", "detail": testObject{"userIdentity": testObject{"type": "Root"}, "count": 3}}
	p, err := Parse(`{"source": ["aws.signin"], "detail": {"userIdentity": {"type": ["Root"]}, "count": [{"numeric": [">=", 3]}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Matches(event) {
		t.Error("Matches = false, want true for an Object event")
	}
}

func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := DecodeEvent([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzPattern checks that parsing any text and matching any event never panics, and that a
// pattern Parse accepts is deterministic.
func FuzzPattern(f *testing.F) {
	seeds := []string{
		`{"source": ["aws.ec2"]}`,
		`{"detail": {"state": [{"anything-but": {"wildcard": ["*a", "b*"]}}]}}`,
		`{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}`,
		`{"detail": {"$or": [{"a": [{"cidr": "10.0.0.0/8"}]}, {"b": [{"exists": false}]}]}}`,
		`{"x": [{"prefix": {"equals-ignore-case": "A"}}, {"suffix": "z"}, {"wildcard": "a*b\\*"}, null, true, 1.5]}`,
	}
	for _, s := range seeds {
		f.Add(s, ec2Event)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := Parse(pattern)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T, want *Error", err)
			}
			return
		}
		var v any
		if json.Unmarshal([]byte(event), &v) != nil {
			v = map[string]any{"source": event}
		}
		a := p.Matches(v)
		if b := p.Matches(v); a != b {
			t.Fatalf("Matches not deterministic")
		}
		ev, err := DecodeEvent([]byte(event))
		if err == nil {
			p.Matches(ev)
		}
	})
}
