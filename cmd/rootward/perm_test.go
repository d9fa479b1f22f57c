//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeDataFilesPrivate checks that serve keeps its data to its owner: the data directory 0700,
// the database, its WAL and shared-memory files, the master key and the credentials file 0600
// (under umask 022, which would otherwise leave SQLite's files 0644), and that it refuses to start
// on a data directory other users can read, naming the fix.
func TestServeDataFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	// The first-run bootstrap wrote the account, the admin and its key. The files are checked while
	// serve runs: SQLite removes the -wal and -shm files when the last connection closes.
	s.waitFor(t, "Account ID:")
	checkPrivate(t, data)
	s.stop(t)

	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve", "--data", data, "--addr", "127.0.0.1:0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || ctx.Err() != nil {
		t.Fatalf("serve on a 0755 data directory: err %v (stderr %q), want a non-zero exit", err, stderr.String())
	}
	if want := "data directory " + data + " is readable by other users"; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "run: chmod 700 "+data) {
		t.Errorf("stderr = %q, want %q and the chmod fix", stderr.String(), want)
	}
}

func checkPrivate(t *testing.T, data string) {
	t.Helper()
	fi, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("data directory mode %#o, want 0700", got)
	}
	for _, f := range []string{"rootward.db", "rootward.db-wal", "rootward.db-shm", "master.key", "credentials"} {
		fi, err := os.Stat(filepath.Join(data, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", f, got)
		}
	}
}
