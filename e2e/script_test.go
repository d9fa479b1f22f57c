package e2e_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// script is a browser script the test converses with: the script prints a line when it reaches a
// point where the test acts (ACCEPTED, PROPOSED ARN, …), and waits for a file the test writes.
type script struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	lines  *bufio.Scanner
	stderr strings.Builder
}

// startScript runs `node name` with env added to the test's environment, for three minutes at
// most.
func startScript(t *testing.T, name string, env ...string) *script {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	s := &script{t: t, name: name, cmd: exec.CommandContext(ctx, "node", name)}
	t.Cleanup(cancel)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = &s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.lines = bufio.NewScanner(stdout)
	return s
}

// until reads the script's output up to a line beginning with prefix and returns the rest of it;
// false when the script ended first (then finish says why).
func (s *script) until(prefix string) (string, bool) {
	for s.lines.Scan() {
		s.t.Logf("%s: %s", s.name, s.lines.Text())
		if rest, ok := strings.CutPrefix(s.lines.Text(), prefix); ok {
			return rest, true
		}
	}
	return "", false
}

// finish reads the rest of the output and fails the test unless the script succeeded.
func (s *script) finish() {
	s.t.Helper()
	for s.lines.Scan() {
		s.t.Logf("%s: %s", s.name, s.lines.Text())
	}
	if err := s.cmd.Wait(); err != nil {
		s.t.Fatalf("browser test failed: %v\n%s", err, s.stderr.String())
	}
}
