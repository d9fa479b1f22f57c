package awsproto

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestParseQuery(t *testing.T) {
	cases := []struct {
		name, query, body string
		want              map[string]string
		code              awserr.Code
	}{
		{"form body", "", "Action=CreateUser&UserName=al%20ice&Version=2010-05-08", map[string]string{"Action": "CreateUser", "UserName": "al ice"}, ""},
		{"plus is space", "", "Path=%2Fa%2F&Description=a+b", map[string]string{"Path": "/a/", "Description": "a b"}, ""},
		{"body wins over query", "Action=ListUsers", "Action=GetUser", map[string]string{"Action": "GetUser"}, ""},
		{"presign parameters dropped", "X-Amz-Signature=abc&Action=GetCallerIdentity", "", map[string]string{"Action": "GetCallerIdentity"}, ""},
		{"bad escape", "", "UserName=%zz", nil, awserr.MalformedQueryString},
		{"invalid utf-8", "", "UserName=%ff%fe", nil, awserr.MalformedQueryString},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseQuery(tc.query, []byte(tc.body))
			testutil.WantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			for k, v := range tc.want {
				if p.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, p.Get(k), v)
				}
			}
			if p.Has("X-Amz-Signature") {
				t.Error("X-Amz-Signature kept as a parameter")
			}
		})
	}
}

func TestListsAndScalars(t *testing.T) {
	p, err := ParseQuery("", []byte("TagKeys.member.1=a&TagKeys.member.2=b&TagKeys.member.4=d&Tags.member.1.Key=k&Tags.member.1.Value=v&MaxItems=5&Bad=x&On=true"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.List("TagKeys"), ","); got != "a,b" {
		t.Fatalf("List = %q (a gap ends the list)", got)
	}
	if s := p.Structs("Tags", "Key", "Value"); len(s) != 1 || s[0]["Key"] != "k" || s[0]["Value"] != "v" {
		t.Fatalf("Structs = %v", s)
	}
	if n, err := p.Int("MaxItems", 100, 1, 1000); n != 5 || err != nil {
		t.Fatalf("Int = %d, %v", n, err)
	}
	if _, err := p.Int("Bad", 0, 1, 10); !awserr.IsCode(err, awserr.ValidationError) {
		t.Fatalf("Int(bad) err = %v", err)
	}
	if _, err := p.Int("MaxItems", 0, 10, 20); !awserr.IsCode(err, awserr.ValidationError) {
		t.Fatalf("Int(out of range) err = %v", err)
	}
	if b, err := p.Bool("On", false); !b || err != nil {
		t.Fatalf("Bool = %v, %v", b, err)
	}
	if _, err := p.Required("Missing"); err == nil || !strings.Contains(err.Error(), "Value null at 'missing'") {
		t.Fatalf("Required err = %v", err)
	}
}

func TestResponses(t *testing.T) {
	w := httptest.NewRecorder()
	res := struct {
		Name string   `xml:"UserName"`
		When Time     `xml:"CreateDate"`
		L    []string `xml:"Items>member"`
	}{"a&b", Time(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)), []string{"x"}}
	if err := Response(w, "https://iam.amazonaws.com/doc/2010-05-08/", "GetUser", "req-1", res); err != nil {
		t.Fatal(err)
	}
	want := `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><UserName>a&amp;b</UserName><CreateDate>2026-01-02T03:04:05Z</CreateDate><Items><member>x</member></Items></GetUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>`
	if w.Body.String() != want || w.Code != 200 {
		t.Fatalf("response %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	ErrorResponse(w, "ns", "req-2", awserr.New(awserr.NoSuchEntity, "The user with name x cannot be found."))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error><RequestId>req-2</RequestId>") {
		t.Fatalf("error %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	ErrorResponse(w, "ns", "req-3", awserr.New(awserr.ServiceFailure, "boom"))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "<Type>Receiver</Type>") {
		t.Fatalf("server fault %d %s", w.Code, w.Body.String())
	}
}

// FuzzParseQuery: any body decodes without panicking, and whatever is accepted is valid UTF-8.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"Action=ListUsers&Version=2010-05-08", "a=%", "%=%", "Tags.member.1.Key=%E2%82%AC", "&&=&"} {
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, query, body string) {
		p, err := ParseQuery(query, []byte(body))
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
			return
		}
		for _, k := range p.Keys() {
			_ = p.List(k)
			_ = p.Structs(k, "Key")
		}
	})
}

// encoderResponse is how encodeResponse wrote an answer before it wrote the envelope itself: every
// part through one xml.Encoder. TestEncodeResponseMatchesEncoder holds the two to the same bytes.
func encoderResponse(w io.Writer, ns, action, requestID string, result any) error {
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return err
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	return enc.Flush()
}

func TestEncodeResponseMatchesEncoder(t *testing.T) {
	type tag struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	}
	type nested struct {
		XMLName xml.Name `xml:"urn:example Inner"`
		Attr    string   `xml:"kind,attr"`
		NSAttr  string   `xml:"http://example.com/ns/a attr,attr"`
		NSAttr2 string   `xml:"http://example.org/ns/a attr,attr"`
		Text    string   `xml:",chardata"`
	}
	long := strings.Repeat("ü<&>\"'\t\r\n", 1000) // more than the 4 KiB buffer
	cases := []struct {
		name, ns, action, requestID string
		result                      any
	}{
		{"no result", "https://sts.amazonaws.com/doc/2011-06-15/", "DeleteUser", "0f8fad5b-d9cb-469f-a165-70867728950e", nil},
		{"caller identity", "https://sts.amazonaws.com/doc/2011-06-15/", "GetCallerIdentity", "req-1", &struct {
			Arn     string `xml:"Arn"`
			UserID  string `xml:"UserId"`
			Account string `xml:"Account"`
		}{"arn:aws:iam::123456789012:user/a&b", "AIDAEXAMPLE", "123456789012"}},
		{"lists, omitempty, time", "ns", "ListUserTags", "req-2", struct {
			Tags        []tag  `xml:"Tags>member"`
			IsTruncated bool   `xml:"IsTruncated"`
			Marker      string `xml:"Marker,omitempty"`
			When        Time   `xml:"CreateDate"`
			Ptr         *tag   `xml:"Ptr,omitempty"`
		}{Tags: []tag{{"k<", "v>"}, {"", ""}}, When: Time(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{"namespaced member", "ns", "Odd", "req-3", struct{ In nested }{nested{Attr: `a"b`, NSAttr: "x", NSAttr2: "y", Text: "t\n"}}},
		{"escaped namespace and request ID", `a"b&c<d>'e` + "\t\n\r\x01\xff", "GetUser", "<id>&\"", struct{ S string }{"x"}},
		{"empty namespace", "", "GetUser", "", struct{}{}},
		{"long text", "ns", "GetUser", long, struct{ S string }{long}},
		{"unencodable", "ns", "GetUser", "req-4", struct{ C chan int }{}},
	}
	// Twice over, so that pooled encoders are reused after every kind of answer, a failed one
	// included.
	for _, tc := range append(cases, cases...) {
		t.Run(tc.name, func(t *testing.T) {
			var got, want bytes.Buffer
			gotErr := encodeResponse(&got, tc.ns, tc.action, tc.requestID, tc.result)
			wantErr := encoderResponse(&want, tc.ns, tc.action, tc.requestID, tc.result)
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("error = %v, want %v", gotErr, wantErr)
			}
			if wantErr == nil && got.String() != want.String() {
				t.Fatalf("got  %s\nwant %s", got.String(), want.String())
			}
		})
	}
}
