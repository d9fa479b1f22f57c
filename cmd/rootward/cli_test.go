package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	out, stderr, code := run(t, "version")
	if code != 0 || !regexp.MustCompile(`^rootward \S+ .*go1\.\d+`).MatchString(out) {
		t.Fatalf("version: exit %d, %q %q; want 'rootward VERSION … goX.Y'", code, out, stderr)
	}
}

// Commands that read state say so when the data directory is missing, instead of creating an
// empty one and answering from it.
func TestCommandsRefuseAMissingDataDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, args := range [][]string{
		{"outbox"},
		{"org", "root-status"},
		{"root", "set-password", "--password-file", writeFile(t, "Vault-Keeper-2026!")},
		{"root", "claim-link"},
		{"backup", "--to", filepath.Join(t.TempDir(), "b.db")},
		{"alerts", "runbook"},
	} {
		t.Run(strings.Join(args[:min(2, len(args))], " "), func(t *testing.T) {
			_, stderr, code := run(t, append(args, "--data", missing)...)
			if code != 2 || !strings.Contains(stderr, missing) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, missing)
			}
			if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the command created %s", missing)
			}
		})
	}
}

// A restart while the root user is unclaimed says how to get a new link; claim-link prints one
// (while serve runs) and the earlier link stops working.
func TestClaimLinkAfterRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	claimRE := `http://localhost:\d+/console/claim/[A-Za-z0-9_-]+`
	first := s.waitFor(t, claimRE)
	s.stop(t)

	s2 := startServe(t, data)
	hint := s2.waitFor(t, `rootward root claim-link --data \S+ --public-url http://localhost:\d+`)
	base := hint[strings.LastIndex(hint, " ")+1:]
	out, stderr, code := run(t, "root", "claim-link", "--data", data, "--public-url", base)
	if code != 0 {
		t.Fatalf("claim-link: exit %d: %s", code, stderr)
	}
	second := regexp.MustCompile(claimRE).FindString(out)
	if second == "" {
		t.Fatalf("claim-link printed no link: %q", out)
	}
	status := func(link string) int {
		t.Helper()
		// The printed link names the first server's port; the path is what matters.
		resp, err := http.Get(base + link[strings.Index(link, "/console/"):])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(first); got != http.StatusNotFound {
		t.Fatalf("the replaced link answers %d, want 404", got)
	}
	if got := status(second); got != http.StatusOK {
		t.Fatalf("the new link answers %d, want 200", got)
	}
	s2.stop(t)
}

func TestBackupCommand(t *testing.T) {
	data, _ := initData(t)
	to := filepath.Join(t.TempDir(), "copy.db")
	if _, stderr, code := run(t, "backup", "--data", data, "--to", to); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	// The copy, with the master key beside it, is a data directory that works.
	restored := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(data, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"master.key": key, "rootward.db": copyDB} {
		if err := os.WriteFile(filepath.Join(restored, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := run(t, "root", "set-password", "--data", restored, "--password-file", writeFile(t, "Other-Root-Pass-Quartz9"))
	if code != 0 || !strings.Contains(out, "Root password of account") {
		t.Fatalf("set-password on the restored copy: exit %d, %q %q", code, out, stderr)
	}
	if _, stderr, code := run(t, "backup", "--data", data, "--db", "postgres://u:secret@127.0.0.1/x", "--to", to+"2"); code != 2 ||
		!strings.Contains(stderr, "pg_dump") || strings.Contains(stderr, "secret") {
		t.Fatalf("backup on PostgreSQL: exit %d, %q; want 2 naming pg_dump without the password", code, stderr)
	}
}

// reset-mfa asks for the account twice and tells the root email (here through the outbox).
func TestResetMFACommand(t *testing.T) {
	data, account := initData(t)
	if _, stderr, code := run(t, "root", "reset-mfa", "--data", data, "--account", account, "--confirm", "123456789012"); code != 2 || !strings.Contains(stderr, "--confirm") {
		t.Fatalf("unconfirmed reset: exit %d, %q", code, stderr)
	}
	out, stderr, code := run(t, "root", "reset-mfa", "--data", data, "--account", account, "--confirm", account)
	if code != 0 || !strings.Contains(out, "Removed 0 MFA device(s)") {
		t.Fatalf("reset-mfa: exit %d, %q %q", code, out, stderr)
	}
	box, stderr, code := run(t, "outbox", "--data", data)
	if code != 0 || !strings.Contains(box, "ops@example.com") || !strings.Contains(box, "was reset on the server") {
		t.Fatalf("outbox after reset-mfa: exit %d\n%s%s", code, box, stderr)
	}
}

// set-email mails a verification link to the new address (the outbox here) and changes nothing yet.
func TestSetEmailCommand(t *testing.T) {
	data, _ := initData(t)
	if _, stderr, code := run(t, "root", "set-email", "--data", data, "--email", "not-an-address"); code != 2 || !strings.Contains(stderr, "email") {
		t.Fatalf("bad address: exit %d, %q", code, stderr)
	}
	out, stderr, code := run(t, "root", "set-email", "--data", data, "--email", "root-team@example.com", "--public-url", "https://rootward.example.com")
	if code != 0 || !strings.Contains(out, "verification link went to root-team@example.com") {
		t.Fatalf("set-email: exit %d, %q %q", code, out, stderr)
	}
	box, _, _ := run(t, "outbox", "--data", data)
	if !strings.Contains(box, "https://rootward.example.com/console/verify-email?token=") {
		t.Fatalf("outbox has no verification link:\n%s", box)
	}
}

func TestEventsCommand(t *testing.T) {
	data, account := initData(t)
	// Two recorded events: a root email change request (by the root user) and an operator's MFA reset.
	if _, stderr, code := run(t, "root", "set-email", "--data", data, "--email", "team@example.com"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "root", "reset-mfa", "--data", data, "--account", account, "--confirm", account); code != 0 {
		t.Fatal(stderr)
	}
	names := func(args ...string) []string {
		t.Helper()
		out, stderr, code := run(t, append([]string{"events", "--data", data, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("events %v: exit %d, %s", args, code, stderr)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var e struct {
				EventName string `json:"eventName"`
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("not a JSON record: %q", line)
			}
			got = append(got, e.EventName)
		}
		return got
	}
	// The two commands may record their events within one second, the trail's precision, so the
	// listings are compared as sets.
	sorted := func(names []string) string {
		slices.Sort(names)
		return strings.Join(names, ",")
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, "RequestRootEmailChange,ResetRootMFA"},
		{"root only", []string{"--root"}, "RequestRootEmailChange"},
		{"by name", []string{"--name", "resetrootmfa"}, "ResetRootMFA"},
		{"since the future", []string{"--since", "2099-01-01T00:00:00Z"}, ""},
		{"since an hour ago", []string{"--since", "1h"}, "RequestRootEmailChange,ResetRootMFA"},
		{"one of root's", []string{"--root", "--limit", "1"}, "RequestRootEmailChange"},
		{"the account's", []string{"--account", account}, "RequestRootEmailChange,ResetRootMFA"},
		{"the account's root activity since an RFC 3339 time", []string{"--account", account, "--root", "--since", "2000-01-01T00:00:00Z"}, "RequestRootEmailChange"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sorted(names(tc.args...)); got != tc.want {
				t.Fatalf("events %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	if got := names("--limit", "1"); len(got) != 1 {
		t.Fatalf("events --limit 1 = %v, want one event", got)
	}
	if text, _, code := run(t, "events", "--data", data, "--root"); code != 0 || !strings.Contains(text, "ROOT arn:aws:iam::"+account+":root") {
		t.Fatalf("text output: %q", text)
	}
	if _, stderr, code := run(t, "events", "--data", data, "--since", "yesterday"); code != 2 || !strings.Contains(stderr, "--since") {
		t.Fatalf("bad --since: exit %d, %q", code, stderr)
	}
	if out, stderr, code := run(t, "events", "--data", data, "--account", "999999999999"); code != 2 || !strings.Contains(stderr, "--account 999999999999: no such account") || out != "" {
		t.Fatalf("unknown --account: exit %d, %q %q; want exit 2 naming the account", code, out, stderr)
	}
}

// initData makes a data directory with `rootward init` (root ops@example.com, account "prod") and
// returns it with the account's ID.
func initData(t *testing.T) (data, account string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "data")
	out, stderr, code := run(t, "init", "--data", data, "--email", "ops@example.com", "--account-name", "prod",
		"--password-file", writeFile(t, "Str0ng-Root-Pass-Quartz"), "--json")
	if code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	var res struct {
		AccountID string `json:"account_id"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return data, res.AccountID
}
