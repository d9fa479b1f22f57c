// Package querytest checks awsQuery answers in tests.
package querytest

import (
	"bytes"
	"encoding/xml"
	"net/http/httptest"
	"testing"

	"github.com/rootward/rootward/internal/awsproto"
)

// WantResultXML checks that result, an awsQuery result that writes its own XML
// (awsproto.ResultWriter), answers action with the bytes encoding/xml marshals for it: the
// differential test of each ResultWriter.
func WantResultXML(t testing.TB, action string, result awsproto.ResultWriter) {
	t.Helper()
	const ns, requestID = "https://iam.amazonaws.com/doc/2010-05-08/", "c0ffee00-0000-4000-8000-000000000000"
	rec := httptest.NewRecorder()
	if err := awsproto.Response(rec, ns, action, requestID, result); err != nil {
		t.Fatalf("awsproto.Response: %v", err)
	}
	var want bytes.Buffer
	want.WriteString("<" + action + `Response xmlns="` + ns + `">`)
	enc := xml.NewEncoder(&want)
	if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		t.Fatalf("encoding/xml: %v", err)
	}
	want.WriteString("<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata></" + action + "Response>")
	if got, want := rec.Body.String(), want.String(); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-80)
		t.Errorf("%s answer differs at byte %d of %d (want %d)\n got …%s\nwant …%s", action, i, len(got), len(want),
			got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
	}
}
