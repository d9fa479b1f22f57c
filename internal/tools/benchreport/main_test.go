package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: github.com/rootward/rootward/internal/server
BenchmarkScaleUsers/GetUser-2         	     200	     81789 ns/op	         0.08179 ms/op	     20000 users	   19798 B/op	     225 allocs/op
BenchmarkScaleUsers/ListUsers-2       	     200	    795487 ns/op	         2.5 ms/op	     20000 users
--- BENCH: BenchmarkScaleUsers/ListUsers-2
pkg: github.com/rootward/rootward/cmd/rootward
BenchmarkScaleServe/ready-2     	       1	1311737647 ns/op	      1292 ms-to-ready	     20000 users
PASS
`

func TestParse(t *testing.T) {
	res := parse([]byte(sample))
	if len(res) != 3 {
		t.Fatalf("got %d results, want 3: %+v", len(res), res)
	}
	cases := []struct {
		pkg, name, unit string
		want            float64
	}{
		{"./internal/server", "BenchmarkScaleUsers/GetUser", "ms/op", 0.08179},
		{"./internal/server", "BenchmarkScaleUsers/ListUsers", "ms/op", 2.5},
		{"./cmd/rootward", "BenchmarkScaleServe/ready", "ms-to-ready", 1292},
	}
	rep := report{Results: res}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rep.find(c.pkg, c.name)
			if r == nil {
				t.Fatalf("%s in %s: not found", c.name, c.pkg)
			}
			if got := r.Metrics[c.unit]; got != c.want {
				t.Errorf("%s %s: got %v, want %v", c.name, c.unit, got, c.want)
			}
		})
	}
}

func TestMarkdownVerdicts(t *testing.T) {
	md := (&report{Results: parse([]byte(sample))}).markdown()
	for _, want := range []string{
		"| B | GetUser, 1,000,000 users in one account (SQLite, in-process handler) | 0.0818 ms/op | ≤ 0.2 ms/op | pass |",
		"| B | ListUsers first page of 100, 1,000,000 users | 2.5 ms/op | ≤ 2 ms/op | **miss** |",
		"| B | `rootward serve` start → /healthz 200, 1,000,000 users (median of 5 starts) | 1,292 ms-to-ready | ≤ 1,000 ms-to-ready | **miss** |",
		"| B | ListUsers PathPrefix (1 user in 100) first page of 100 (§5: an index range; target as ListUsers) | not measured | ≤ 2 ms/op | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestSplice(t *testing.T) {
	doc := "# Benchmarks\n\nhand-written\n"
	once, err := splice(doc, "first")
	if err != nil {
		t.Fatal(err)
	}
	twice, err := splice(once+"\nafter\n", "second")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(twice, "first") || !strings.Contains(twice, "second") || !strings.HasPrefix(twice, doc) || !strings.HasSuffix(twice, "\nafter\n") {
		t.Errorf("got %q, want the hand-written text kept and the generated part replaced", twice)
	}
}

func TestE2ERatio(t *testing.T) {
	got, ok := e2eRatio("rounds (requests/s): bare 1 2; rootward 3 4\nbare=62000 rootward=23000 rootward/bare=0.37\n")
	if !ok || got != 0.37 {
		t.Errorf("got %v %v, want 0.37 true", got, ok)
	}
}
