package awsproto

import (
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
)

type tag struct{ Key, Value string }

type paging struct {
	Marker   string `page:"token"`
	MaxItems int    `min:"1" max:"1000"`
}

type queryInput struct {
	UserName    string `required:"true"`
	AccessKeyID string `query:"AccessKeyId"`
	Duration    *int32 `min:"900" max:"43200"`
	Force       *bool
	Tags        []tag
	Keys        []string `query:"TagKeys"`
	Entries     []struct {
		ContextKeyName   string
		ContextKeyValues []string
	} `query:"ContextEntries"`
	Attrs  map[string]string `query:"Attributes"`
	Nested *tag
	paging
}

func TestDecodeQuery(t *testing.T) {
	p := Params{
		"UserName": "bob", "AccessKeyId": "AKIA1", "Duration": "3600", "Force": "TRUE",
		"Tags.member.1.Key": "k1", "Tags.member.1.Value": "v1", "Tags.member.2.Key": "k2",
		"Tags.member.4.Key": "after a gap",
		"TagKeys.member.1":  "a", "TagKeys.member.2": "b",
		"ContextEntries.member.1.ContextKeyName":            "aws:x",
		"ContextEntries.member.1.ContextKeyValues.member.1": "1",
		"ContextEntries.member.1.ContextKeyValues.member.2": "2",
		"Attributes.entry.1.key":                            "a", "Attributes.entry.1.value": "1",
		"Nested.Key": "nk",
		"Marker":     "m", "MaxItems": "10",
	}
	var in queryInput
	if err := DecodeQuery(p, &in); err != nil {
		t.Fatal(err)
	}
	if in.UserName != "bob" || in.AccessKeyID != "AKIA1" || in.Duration == nil || *in.Duration != 3600 || in.Force == nil || !*in.Force {
		t.Errorf("scalars = %+v", in)
	}
	if want := []tag{{"k1", "v1"}, {"k2", ""}}; !reflect.DeepEqual(in.Tags, want) {
		t.Errorf("Tags = %v, want %v", in.Tags, want)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(in.Keys, want) {
		t.Errorf("TagKeys = %v, want %v", in.Keys, want)
	}
	if len(in.Entries) != 1 || in.Entries[0].ContextKeyName != "aws:x" || !reflect.DeepEqual(in.Entries[0].ContextKeyValues, []string{"1", "2"}) {
		t.Errorf("ContextEntries = %+v", in.Entries)
	}
	if in.Attrs["a"] != "1" || in.Nested == nil || in.Nested.Key != "nk" {
		t.Errorf("Attributes = %v, Nested = %v", in.Attrs, in.Nested)
	}
	if in.Marker != "m" || in.MaxItems != 10 {
		t.Errorf("embedded paging = %+v", in.paging)
	}
}

func TestDecodeQueryRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Params
		want string
	}{
		{"missing required", Params{}, "Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"empty required", Params{"UserName": ""}, "Value null at 'userName'"},
		{"not a number", Params{"UserName": "u", "Duration": "x"}, "Value 'x' at 'duration' failed to satisfy constraint: Member must be a number"},
		{"overflow", Params{"UserName": "u", "Duration": "99999999999"}, "Member must be a number"},
		{"below min", Params{"UserName": "u", "Duration": "60"}, "Value '60' at 'duration' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"above max", Params{"UserName": "u", "MaxItems": "1001"}, "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"not a boolean", Params{"UserName": "u", "Force": "yes"}, "Value 'yes' at 'force' failed to satisfy constraint: Member must be a boolean"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in queryInput
			err := DecodeQuery(tc.p, &in)
			e, ok := awserr.As(err)
			if !ok || e.Code != awserr.ValidationError || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("err = %v, want ValidationError containing %q", err, tc.want)
			}
		})
	}
}

// A list of many structures decodes whole and in order. (The decoder looks up whether a structure
// was sent in a set of prefixes, so this is linear; the test checks the result, not the time, and
// BenchmarkDecodeQueryManyMembers shows the cost.)
func TestDecodeQueryManyMembers(t *testing.T) {
	p := Params{"UserName": "u"}
	for i := 1; i <= 20000; i++ {
		p["Tags.member."+itoa(i)+".Key"] = "k"
	}
	var in queryInput
	if err := DecodeQuery(p, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Tags) != 20000 {
		t.Fatalf("got %d tags, want 20000", len(in.Tags))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

type restInput struct {
	DetectorID string   `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	MaxResults *int     `json:"-" location:"querystring" locationName:"maxResults" min:"1" max:"50"`
	Only       []string `json:"-" location:"querystring" locationName:"only"`
	Token      string   `json:"-" location:"header" locationName:"X-Amz-Token"`
	Name       string   `json:"name"`
}

func TestRouteAndDecodeREST(t *testing.T) {
	rt := ParseRoute("POST /detector/{detectorId}/filter")
	labels, ok := rt.Match("POST", "/detector/d%2F1/filter")
	if !ok || labels["detectorId"] != "d/1" {
		t.Fatalf("Match = %v, %v; want detectorId d/1", labels, ok)
	}
	for _, miss := range [][2]string{{"GET", "/detector/d/filter"}, {"POST", "/detector/d"}, {"POST", "/detector/d/filter/x"}, {"POST", "/detector//filter"}} {
		if _, ok := rt.Match(miss[0], miss[1]); ok {
			t.Errorf("%s %s matched, want no match", miss[0], miss[1])
		}
	}
	greedy := ParseRoute("GET /tags/{resourceArn+}")
	if l, ok := greedy.Match("GET", "/tags/arn:aws:x/y/z"); !ok || l["resourceArn"] != "arn:aws:x/y/z" {
		t.Errorf("greedy = %v, %v", l, ok)
	}

	r := httptest.NewRequest("POST", "/detector/d1/filter?maxResults=5&only=a&only=b", nil)
	r.Header.Set("X-Amz-Token", "tok")
	var in restInput
	if err := DecodeREST(r, map[string]string{"detectorId": "d1"}, []byte(`{"name":"n"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.DetectorID != "d1" || in.MaxResults == nil || *in.MaxResults != 5 || !reflect.DeepEqual(in.Only, []string{"a", "b"}) || in.Token != "tok" || in.Name != "n" {
		t.Errorf("decoded %+v", in)
	}
	r = httptest.NewRequest("POST", "/detector/d1/filter?maxResults=500", nil)
	err := DecodeREST(r, map[string]string{"detectorId": "d1"}, nil, &in)
	if e, ok := awserr.As(err); !ok || e.Code != awserr.ValidationError {
		t.Errorf("maxResults=500: err = %v, want ValidationError", err)
	}
	err = DecodeREST(r, nil, nil, &restInput{})
	if e, ok := awserr.As(err); !ok || e.Code != awserr.ValidationError || !strings.Contains(e.Message, "detectorId") {
		t.Errorf("no label: err = %v, want ValidationError naming detectorId", err)
	}
}

// A member sent empty is the zero value of a pointer member, absent for a plain one.
func TestDecodeQueryEmpty(t *testing.T) {
	var in struct {
		Plain    string
		Password *string
		Age      *int
		Hard     *bool
		Unsent   *string
	}
	if err := DecodeQuery(Params{"Plain": "", "Password": "", "Age": "", "Hard": ""}, &in); err != nil {
		t.Fatal(err)
	}
	if in.Plain != "" || in.Password == nil || *in.Password != "" || in.Age == nil || *in.Age != 0 || in.Hard == nil || *in.Hard || in.Unsent != nil {
		t.Fatalf("got %+v, want Password, Age and Hard pointing to zero values and Unsent nil", in)
	}
}

func BenchmarkDecodeQueryManyMembers(b *testing.B) {
	p := Params{"UserName": "u"}
	for i := 1; i <= 20000; i++ {
		p["Tags.member."+itoa(i)+".Key"] = "k"
	}
	for b.Loop() {
		var in queryInput
		if err := DecodeQuery(p, &in); err != nil {
			b.Fatal(err)
		}
	}
}
