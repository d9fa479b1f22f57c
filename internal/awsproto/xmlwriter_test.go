package awsproto

import (
	"bytes"
	"testing"
	"time"
)

// timeResult is a ResultWriter with a time.Time member, to check XMLWriter.Time against what
// encoding/xml does with the same member.
type timeResult struct {
	When time.Time `xml:"When"`
	Ok   bool      `xml:"Ok"`
}

func (r *timeResult) WriteResultXML(w *XMLWriter) {
	w.Time("When", r.When)
	w.Bool("Ok", r.Ok)
}

// TestXMLWriterMatchesEncoder: a ResultWriter's answer is encoding/xml's, a time it cannot write
// (a year past 9999) included, which fails both.
func TestXMLWriterMatchesEncoder(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    timeResult
	}{
		{"seconds", timeResult{When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Ok: true}},
		{"nanoseconds and a zone", timeResult{When: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -5*3600))}},
		{"zero", timeResult{}},
		{"year 10000", timeResult{When: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got, want bytes.Buffer
			gotErr := encodeResponse(&got, "ns", "Get", "req", &tc.r)
			// encoderResponse marshals with encoding/xml alone; the plain struct has no WriteResultXML.
			plain := struct {
				When time.Time `xml:"When"`
				Ok   bool      `xml:"Ok"`
			}(tc.r)
			wantErr := encoderResponse(&want, "ns", "Get", "req", &plain)
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("error = %v, want %v", gotErr, wantErr)
			}
			if wantErr == nil && got.String() != want.String() {
				t.Errorf("got  %s\nwant %s", got.String(), want.String())
			}
		})
	}
}
