package api

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/rootward/rootward/internal/clientaddr"
)

func TestNewRequestID(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		if !form.MatchString(id) {
			t.Fatalf("newRequestID() = %q, want the 8-4-4-4-12 hex form", id)
		}
		if seen[id] {
			t.Fatalf("newRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestRemoteIP(t *testing.T) {
	cases := []struct{ remote, want string }{
		{"192.0.2.1:51000", "192.0.2.1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"[2001:DB8:0:0::1]:443", "2001:db8::1"}, // not in canonical form: rewritten
		{"[::ffff:192.0.2.1]:80", "::ffff:192.0.2.1"},
		{"[fe80::1%eth0]:80", "fe80::1%eth0"},
		{"not-an-address:80", ""},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if got := remoteIP(clientaddr.New(nil).With(r)); got != tc.want {
				t.Fatalf("remoteIP(%q) = %q, want %q", tc.remote, got, tc.want)
			}
		})
	}
}
