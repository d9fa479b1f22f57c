package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
)

// BenchmarkColdStart100kUsers measures `rootward serve` from process start until /healthz answers
// 200, on a data directory whose account holds 100,000 IAM users (issue 2 target: < 1 s).
func BenchmarkColdStart100kUsers(b *testing.B) {
	data := filepath.Join(b.TempDir(), "data")
	pw := filepath.Join(b.TempDir(), "pw")
	if err := writeFileB(pw, "Str0ng-Root-Pass"); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command(binary, "init", "--data", data, "--email", "root@example.com", "--account-name", "big",
		"--password-file", pw, "--json").Output()
	if err != nil {
		b.Fatal(err)
	}
	var res struct {
		AccountID string `json:"account_id"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatal(err)
	}
	// The fixture writes the users in one transaction, in the form CreateUser stores them (kind
	// "user", key the folded name), because 100,000 CreateUser calls with a durable commit each
	// would take minutes.
	st, err := sqlite.Open(filepath.Join(data, "rootward.db"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	err = st.Update(context.Background(), func(tx store.Tx) error {
		for i := range 100_000 {
			name := fmt.Sprintf("user%06d", i)
			u := iam.User{Path: "/", UserName: name, UserID: fmt.Sprintf("AIDA%017d", i), Arn: "arn:aws:iam::" + res.AccountID + ":user/" + name, CreateDate: now}
			body, _ := json.Marshal(u)
			if err := tx.Insert("user", res.AccountID, strings.ToLower(name), body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(binary, "serve", "--data", data, "--addr", "127.0.0.1:45991")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://127.0.0.1:45991/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 30*time.Second {
				b.Fatal("serve did not become ready")
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-ready")
		b.StopTimer()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		b.StartTimer()
	}
}
