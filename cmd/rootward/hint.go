package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// cli is how the commands that rootward prints (in the serve banner, in errors, on console pages)
// start, so that they work when pasted: "go run ./cmd/rootward" under go run, "rootward" when that
// name on PATH is this binary, and the binary's absolute path otherwise.
var cli = commandPrefix(executable(), exec.LookPath)

func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe
}

// goRunCached is the directory go run (Go 1.24 and later) keeps its executables in, inside the
// build cache: GOCACHE/xx/<64 hex digits>-d/rootward.
var goRunCached = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// commandPrefix picks the prefix of printed commands for the running binary exe. go run builds
// into a temporary go-build directory that is gone when it exits, or into the build cache, which
// it trims, so a hint naming that binary (or a rootward that is not installed) would not work as
// printed; the README's flow runs go run from the repository's root, where go run ./cmd/rootward
// does.
func commandPrefix(exe string, lookPath func(string) (string, error)) string {
	if exe == "" {
		return "rootward"
	}
	slashed := filepath.ToSlash(exe)
	if (strings.Contains(slashed, "/go-build") && strings.Contains(slashed, "/exe/")) || goRunCached.MatchString(filepath.Base(filepath.Dir(exe))) {
		return "go run ./cmd/rootward"
	}
	if p, err := lookPath("rootward"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if abs, err := filepath.Abs(p); err == nil && abs == exe {
			return "rootward"
		}
	}
	return shellQuote(exe)
}

// shellQuote quotes s for a POSIX shell when it holds anything but the characters of a plain path.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// consoleCLI is the prefix of the commands console pages print. Those pages reach people who are
// not signed in, so they do not learn where the binary is installed: an absolute path is shown
// as the bare name.
func consoleCLI() string {
	if strings.HasPrefix(cli, "/") || strings.HasPrefix(cli, "'") {
		return "rootward"
	}
	return cli
}
