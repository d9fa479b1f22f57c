package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestServeFirstRunClaim starts `rootward serve` on an empty data directory, follows the one-time
// claim link it prints to set the root email and password, signs in as the root user in the
// console, and checks that the link works only once.
func TestServeFirstRunClaim(t *testing.T) {
	data := t.TempDir() + "/data"
	s := startServe(t, data)
	link := s.waitFor(t, `http://localhost:\d+/console/claim/[A-Za-z0-9_-]+`)
	if link == "" {
		t.Fatalf("serve printed no claim link:\n%s", s.output())
	}
	base := link[:strings.Index(link, "/console/")]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	post := func(u, page string, form url.Values) (int, string) {
		t.Helper()
		m := csrf.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form on the page:\n%.1500s", page)
		}
		form.Set("csrf", m[1])
		resp, err := c.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, page := get(link)
	if status != http.StatusOK {
		t.Fatalf("claim page: %d", status)
	}
	status, page = post(link, page, url.Values{"email": {"ops@example.org"}, "account_name": {"production"},
		"password": {"Vault-Keeper-2026!"}, "confirm_password": {"Vault-Keeper-2026!"}, "phone": {"+15555550123"}})
	if status != http.StatusOK || !strings.Contains(page, "Installation claimed") {
		t.Fatalf("claim: %d\n%.1500s", status, page)
	}
	if status, _ := get(link); status != http.StatusNotFound {
		t.Fatalf("second use of the claim link: %d, want 404", status)
	}

	_, page = get(base + "/")
	status, page = post(base+"/console/signin/root", page, url.Values{"email": {"ops@example.org"}})
	if status != http.StatusOK {
		t.Fatalf("email step: %d", status)
	}
	status, page = post(base+"/console/signin/root/password", page, url.Values{"email": {"ops@example.org"}, "password": {"Vault-Keeper-2026!"}})
	if status != http.StatusOK || !strings.Contains(page, "Register an MFA device") || !strings.Contains(page, "Remind me later") {
		t.Fatalf("root sign-in after the claim: %d, want the MFA registration step\n%.2000s", status, page)
	}
	s.stop(t)
}
