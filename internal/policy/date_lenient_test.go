package policy

import (
	"math"
	"testing"
	"time"
)

// TestParseDateLegacyForms: the ISO 8601 forms IAM's legacy date parser reads (moto's
// AWS-checked valid documents) read as the instants they name; the forms it refuses stay refused.
func TestParseDateLegacyForms(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"01T", time.Unix(0, math.MinInt64), true}, // year 1: before every instant Unix nanoseconds hold
		{"99999-01-01", time.Unix(0, math.MaxInt64), true},
		{"2016-12-13t2:00:00.593194+23", time.Date(2016, 12, 13, 2, 0, 0, 593194000, time.FixedZone("", 23*3600)), true},
		{"2016-12-13T21:20:37.593194+00:00", time.Date(2016, 12, 13, 21, 20, 37, 593194000, time.UTC), true},
		{"2020-1-2T3:4", time.Date(2020, 1, 2, 3, 4, 0, 0, time.UTC), true},
		{"2019-07-01T13:20:15Z", time.Date(2019, 7, 1, 13, 20, 15, 0, time.UTC), true},
		{"2016-12-13t2:00:00.593194+1", time.Time{}, false},
		{"2016-12-13t2:00:00.1999999999+10:59", time.Time{}, false},
		{"234-13", time.Time{}, false},
		{"2019-02-29", time.Time{}, false},
		{"2019-07-01T24:00", time.Time{}, false},
		{"2019-07-01X", time.Time{}, false},
		{"sdfdsf", time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := parseDate(c.in)
		if ok != c.ok || ok && got != c.want.UnixNano() {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", c.in, time.Unix(0, got).UTC(), ok, c.want.UTC(), c.ok)
		}
	}
}
