package clientaddr

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestAddr(t *testing.T) {
	trusted, err := ParsePrefixes([]string{"10.0.0.0/8, 192.0.2.1", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	r := New(trusted)
	tests := []struct {
		name     string
		resolver *Resolver
		peer     string
		xff      []string
		want     string
	}{
		{"no proxy trusted: the peer, whatever the header says", New(nil), "198.51.100.7:4000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"spoofed header from an untrusted peer is ignored", r, "198.51.100.7:4000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"trusted proxy: its client", r, "10.1.2.3:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"the right-most untrusted entry, not what the client prepended", r, "10.1.2.3:4000", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},
		{"chained trusted proxies are skipped", r, "10.1.2.3:4000", []string{"203.0.113.9, 192.0.2.1", "10.9.9.9"}, "203.0.113.9"},
		{"a single trusted address", r, "192.0.2.1:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"IPv6 proxy range", r, "[2001:db8::1]:4000", []string{"2001:db8:ffff::1, 2600::5"}, "2600::5"},
		{"trusted proxy without a header", r, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"garbage stops at the last good hop", r, "10.1.2.3:4000", []string{"203.0.113.9, not-an-ip"}, "10.1.2.3"},
		{"every hop trusted: the left-most", r, "10.1.2.3:4000", []string{"10.4.4.4, 10.5.5.5"}, "10.4.4.4"},
		{"mapped IPv4 peer", r, "[::ffff:10.1.2.3]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
			req.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := tc.resolver.Addr(req); got != tc.want {
				t.Fatalf("Addr = %q, want %q", got, tc.want)
			}
			if got := From(tc.resolver.With(req)); got != tc.want {
				t.Fatalf("From(With) = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := ParsePrefixes([]string{"10.0.0.0/8,192.0.2.1", " 2001:db8::/32 "})
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("2001:db8::/32")}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ParsePrefixes = %v, %v; want %v", got, err, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ParsePrefixes = %v, want %v", got, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.com", "10.0.0.0/8,nope"} {
		if _, err := ParsePrefixes([]string{bad}); err == nil {
			t.Errorf("ParsePrefixes(%q) succeeded, want an error", bad)
		}
	}
}
