package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store/sqlite"
)

func TestOutboxCommand(t *testing.T) {
	data := t.TempDir()
	// t.TempDir's directory is 0755 under the usual umask; Rootward refuses a data directory
	// others can read.
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "init", "--data", data, "--email", "root@outbox.example", "--account-name", "outbox",
		"--password-file", writeFile(t, "Str0ng-Root-Pass")); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if out, _, code := run(t, "outbox", "--data", data); code != 0 || !strings.Contains(out, "The outbox is empty.") {
		t.Fatalf("empty outbox: %d %q", code, out)
	}
	// Put two messages in the outbox the way the server does, under the data directory's master key.
	key, err := os.ReadFile(filepath.Join(data, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := seal.DecodeKey(strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := seal.New(k)
	st, err := sqlite.Open(filepath.Join(data, "rootward.db"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := notify.New(st, sealer, notify.Config{})
	ctx := context.Background()
	for _, m := range []notify.Message{
		{Channel: notify.Email, To: "root@outbox.example", Subject: "Reset your root password", Body: "https://console/reset?token=LINK-TOKEN", Account: "111122223333", Purpose: "password-reset"},
		{Channel: notify.SMS, To: "+15555550100", Body: "Rootward code 123456", Account: "111122223333", Purpose: "mfa-recovery-phone"},
	} {
		if err := n.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close()

	cases := []struct {
		name      string
		args      []string
		want      []string
		wantNot   []string
		wantCount int // JSON entries; -1 for text output
	}{
		{"text, all", nil, []string{"Reset your root password", "LINK-TOKEN", "+15555550100", "Rootward code 123456", "password-reset"}, nil, -1},
		{"filtered by recipient", []string{"--to", "ROOT@outbox.example"}, []string{"LINK-TOKEN"}, []string{"123456"}, -1},
		{"without bodies", []string{"--no-body"}, []string{"Reset your root password"}, []string{"LINK-TOKEN", "123456"}, -1},
		{"json", []string{"--json"}, []string{`"body": "https://console/reset?token=LINK-TOKEN"`}, []string{"sealed"}, 2},
		{"json, newest", []string{"--json", "--limit", "1"}, []string{"Rootward code 123456"}, []string{"LINK-TOKEN"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"outbox", "--data", data}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
			if tc.wantCount >= 0 {
				var list []map[string]any
				if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != tc.wantCount {
					t.Fatalf("JSON = %d entries, %v", len(list), err)
				}
			}
		})
	}
	// Without the master key, the sealed bodies stay closed.
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte(base64.StdEncoding.EncodeToString(make([]byte, seal.KeySize))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, code := run(t, "outbox", "--data", data, "--master-key-file", other); code == 0 {
		t.Fatal("outbox opened with another master key")
	}
}
