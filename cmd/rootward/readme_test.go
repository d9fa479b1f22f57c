package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every rootward command the README names exists, with every flag it names, so the README's
// commands work as written.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := regexp.MustCompile("`rootward ([^`]+)`").FindAllStringSubmatch(strings.ReplaceAll(string(readme), "\n", " "), -1)
	if len(cmds) < 10 {
		t.Fatalf("found %d rootward commands in the README, want the command list", len(cmds))
	}
	flag := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, m := range cmds {
		line := m[1]
		t.Run(line, func(t *testing.T) {
			var words []string
			for _, w := range strings.Fields(line) {
				if !regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(w) {
					break
				}
				words = append(words, w)
			}
			out, stderr, code := run(t, append(words, "--help")...)
			if code != 0 {
				t.Fatalf("rootward %s --help: exit %d\n%s%s", strings.Join(words, " "), code, out, stderr)
			}
			if !strings.Contains(out, "rootward "+strings.Join(words, " ")) {
				t.Fatalf("rootward %s is not a command (help shows another):\n%s", strings.Join(words, " "), out)
			}
			for _, f := range flag.FindAllString(line, -1) {
				if !strings.Contains(out, f+" ") && !strings.Contains(out, f+"[") {
					t.Errorf("rootward %s has no flag %s:\n%s", strings.Join(words, " "), f, out)
				}
			}
		})
	}
}
