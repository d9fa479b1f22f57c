// Command benchreport runs the benchmarks whose figures docs/benchmarks.md reports (`make bench`)
// and writes them there, each against its target, with the command and the machine.
//
// Every figure is one line of the figures table below: the package, the benchmark (with its
// sub-benchmark), the metric it reports and the target. benchreport runs each benchmark that a
// figure names (one `go test -bench` per package and top-level benchmark), plus the runs of
// extraRuns, whose results are listed without targets, and the end-to-end script named by -e2e-script
// (make bench passes it) when it is there
// (the end-to-end ratio needs wrk). The generated part of docs/benchmarks.md lies between the
// markers beginMark and endMark; the hand-written text around it is kept.
//
//	go run ./internal/tools/benchreport                 # run everything, rewrite docs/benchmarks.md
//	go run ./internal/tools/benchreport -in bench.txt   # only render earlier `go test -bench` output
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// figure is one reported figure and its target (issue 11). Max and Min are the bounds the figure
// must keep (0 = none); a figure without either is reported without pass/miss.
type figure struct {
	Owner  string // the workstream that owns the benchmark (issue 11 design)
	Pkg    string // go test package
	Bench  string // benchmark name without the -GOMAXPROCS suffix, sub-benchmark included
	Metric string // the unit the benchmark reports the figure in
	Max    float64
	Min    float64
	What   string
	Flags  string // extra go test flags for the benchmark's run (taken from its first figure)
	Env    string // extra environment for the run, e.g. "ROOTWARD_LOAD_DURATION=60s"
}

// scale is the environment of the runs that build the large data sets (internal/testutil/benchdata).
const scale = "ROOTWARD_BENCH_SCALE=1"

// figures are the targets. Adding a benchmark is adding its line here.
var figures = []figure{
	// B: a million IAM users in one account on SQLite, through the server's handler in process.
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleUsers/GetUser", Metric: "ms/op", Max: 0.2, Env: scale,
		What: "GetUser, 1,000,000 users in one account (SQLite, in-process handler)"},
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleUsers/ListUsers", Metric: "ms/op", Max: 2,
		What: "ListUsers first page of 100, 1,000,000 users"},
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleUsers/ListUsersPathPrefix1pc", Metric: "ms/op", Max: 2,
		What: "ListUsers PathPrefix (1 user in 100) first page of 100 (§5: an index range; target as ListUsers)"},
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleUsers/ListUsersPathPrefixRare", Metric: "ms/op", Max: 2,
		What: "ListUsers PathPrefix (1 user in 10,000) first page, 1,000,000 users (§5; target as ListUsers)"},
	{Owner: "B", Pkg: "./cmd/rootward", Bench: "BenchmarkScaleServe/ready", Metric: "ms-to-ready", Max: 1000, Env: scale, Flags: "-benchtime 1x",
		What: "`rootward serve` start → /healthz 200, 1,000,000 users (median of 5 starts)"},
	{Owner: "B", Pkg: "./cmd/rootward", Bench: "BenchmarkScaleServe/ready", Metric: "ms-to-ready-max",
		What: "the slowest of those 5 starts"},
	{Owner: "B", Pkg: "./cmd/rootward", Bench: "BenchmarkScaleServe/rss", Metric: "MB-rss", Max: 256,
		What: "serve's VmRSS after 10,000 signed calls by distinct users of 100,000 keyed ones"},
	{Owner: "B", Pkg: "./cmd/rootward", Bench: "BenchmarkScaleServe/rss", Metric: "MB-peak",
		What: "serve's peak resident memory (VmHWM) in that run"},
	// B: 10,000 member accounts in one organization.
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleOrg/ListAccountsFirstPage", Metric: "ms/op", Max: 2, Env: scale,
		What: "ListAccounts first page of 20, 10,000 member accounts"},
	{Owner: "B", Pkg: "./internal/server", Bench: "BenchmarkScaleOrg/ListAccountsDeepPage", Metric: "ms/op", Max: 2,
		What: "ListAccounts page of 20 half-way through the walk (account 5,000)"},
	{Owner: "B", Pkg: "./cmd/rootward", Bench: "BenchmarkScaleOrgRootStatus", Metric: "s-wall", Max: 10, Env: scale, Flags: "-benchtime 1x",
		What: "`rootward org root-status` over 10,000 member accounts (wall time)"},

	// T: the trail (internal/trail/bench_test.go). The recording cost is 1 − recorded ÷ unrecorded.
	{Owner: "T", Pkg: "./internal/trail", Bench: "BenchmarkRecordingCost/recorded", Metric: "calls/s", Flags: "-benchtime 3s",
		What: "trail: GetCallerIdentity handler calls/s, every call recorded durably (32 callers)"},
	{Owner: "T", Pkg: "./internal/trail", Bench: "BenchmarkRecordingCost/unrecorded", Metric: "calls/s",
		What: "trail: the same without a recorder (target: recording costs ≤ 10 % of this)"},
	{Owner: "T", Pkg: "./internal/trail", Bench: "BenchmarkLookupByUser", Metric: "ns/op", Max: 20e6,
		Env: "ROOTWARD_BENCH_EVENTS=10000000", Flags: "-benchtime 1000x",
		What: "trail: LookupEvents by user name, first page of 50, over 10,000,000 events"},
	// C and L need PostgreSQL: ROOTWARD_TEST_POSTGRES in make bench's environment (they skip without).
	{Owner: "C", Pkg: "./internal/server", Bench: "BenchmarkTwoNodesRevocation", Metric: "p99-ms", Max: 100, Flags: "-benchtime 500x",
		What: "revocation (key deactivated, explicit Deny) to effect on another node, PostgreSQL, p99"},
	{Owner: "C", Pkg: "./internal/server", Bench: "BenchmarkTwoNodesRevocation", Metric: "p50-ms",
		What: "revocation to effect on another node, p50"},
	{Owner: "L", Pkg: "./cmd/rootward", Bench: "BenchmarkTwoNodeLoadPostgres", Metric: "ratio-32/1", Min: 1,
		Env: "ROOTWARD_LOAD_DURATION=60s", Flags: "-benchtime 1x",
		What: "two-node PostgreSQL load: throughput of 32 writers ÷ 1 writer (60 s each)"},
	{Owner: "L", Pkg: "./cmd/rootward", Bench: "BenchmarkTwoNodeLoadPostgres", Metric: "writes/s-32",
		What: "two-node PostgreSQL load: acknowledged writes/s with 32 writers"},
}

// extraRuns are the benchmarks of earlier issues, reported as measured, without targets.
var extraRuns = []run{
	{Pkg: "./internal/sigv4", Pattern: "."},
	{Pkg: "./internal/policy", Pattern: "."},
	{Pkg: "./internal/server", Pattern: "^BenchmarkGetCallerIdentity$"},
	{Pkg: "./internal/store/sqlite", Pattern: "."},
	{Pkg: "./cmd/rootward", Pattern: "^BenchmarkColdStart", Flags: "-benchtime 10x"},
}

// e2eScript is P's end-to-end comparison (GetCallerIdentity over loopback vs a bare net/http
// handler under wrk); it lives beside the repository, not in it.
// It lives beside the repository, not in it: make bench names it with -e2e-script (E2E_SCRIPT).
var e2eScript string

// e2eFigure is what e2e.sh's last line reports ("… rootward/bare=0.62").
var e2eFigure = figure{Owner: "P", Bench: "e2e.sh", Metric: "rootward/bare", Min: 0.6,
	What: "signed GetCallerIdentity over loopback ÷ bare net/http handler (the e2e script, `E2E_SCRIPT .`)"}

const (
	beginMark = "<!-- benchreport:begin (generated by `make bench`; edit internal/tools/benchreport, not this part) -->"
	endMark   = "<!-- benchreport:end -->"
)

type run struct {
	Pkg, Pattern, Flags, Env string
}

func main() {
	in := flag.String("in", "", "render this earlier output of benchreport's runs (`go test -bench` output, each run after a line \"== command\") instead of running the benchmarks")
	out := flag.String("out", "docs/benchmarks.md", "the markdown file whose generated part to rewrite")
	raw := flag.String("raw", os.TempDir()+"/rootward-bench-output.txt", "where to keep the raw output of the runs")
	e2e := flag.Bool("e2e", true, "run the end-to-end script when it exists")
	flag.StringVar(&e2eScript, "e2e-script", "", "the end-to-end comparison script (GetCallerIdentity vs a bare handler under wrk), run with the project directory")
	flag.Parse()
	if err := mainErr(*in, *out, *raw, *e2e); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func mainErr(in, out, raw string, e2e bool) error {
	rep := report{Date: time.Now().UTC(), Machine: machine()}
	var output []byte
	if in != "" {
		b, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		output = b
		// The commands that made the output, as the runs record them ("== command").
		for _, l := range strings.Split(string(b), "\n") {
			if c, ok := strings.CutPrefix(l, "== "); ok {
				rep.Commands = append(rep.Commands, c)
			}
		}
		rep.Raw = in
		rep.Rendered = true
		rep.Notes = append(rep.Notes, "Rendered from the output of separate runs (`go run ./internal/tools/benchreport -in FILE`), not one `make bench`.")
		// An end-to-end run kept in the file ("… rootward/bare=0.62" last) counts as well.
		if v, ok := e2eRatio(string(b)); ok {
			rep.E2E = &v
		}
	} else {
		var buf bytes.Buffer
		for _, r := range runs() {
			cmd := r.command()
			rep.Commands = append(rep.Commands, cmd)
			fmt.Fprintln(os.Stderr, "==", cmd)
			fmt.Fprintln(&buf, "==", cmd)
			c := exec.Command("sh", "-c", cmd)
			c.Stdout = io.MultiWriter(&buf, os.Stderr)
			c.Stderr = io.MultiWriter(&buf, os.Stderr)
			if err := c.Run(); err != nil {
				// A failed run is reported as missing figures; the others still count.
				fmt.Fprintf(&buf, "benchreport: %s: %v\n", cmd, err)
				rep.Failed = append(rep.Failed, cmd)
			}
		}
		output = buf.Bytes()
		if e2e {
			rep.E2E = runE2E(&rep)
		}
		if err := os.WriteFile(raw, output, 0o644); err != nil {
			return err
		}
		rep.Raw = raw
	}
	rep.Results = parse(output)
	doc, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	updated, err := splice(string(doc), rep.markdown())
	if err != nil {
		return err
	}
	return os.WriteFile(out, []byte(updated), 0o644)
}

// runs are the go test invocations: one per package and top-level benchmark of figures (the
// first figure's Flags and Env), then extraRuns.
func runs() []run {
	var out []run
	seen := map[string]bool{}
	for _, f := range figures {
		if f.Pkg == "" || f.Bench == "" {
			continue
		}
		top, _, _ := strings.Cut(f.Bench, "/")
		if seen[f.Pkg+" "+top] {
			continue
		}
		seen[f.Pkg+" "+top] = true
		out = append(out, run{Pkg: f.Pkg, Pattern: "^" + top + "$", Flags: f.Flags, Env: f.Env})
	}
	return append(out, extraRuns...)
}

func (r run) command() string {
	cmd := "go test -run '^$' -bench '" + r.Pattern + "' -benchmem -timeout 2h"
	if r.Flags != "" {
		cmd += " " + r.Flags
	}
	cmd += " " + r.Pkg
	if r.Env != "" {
		cmd = r.Env + " " + cmd
	}
	return cmd
}

// runE2E runs e2e.sh when it exists and returns the ratio it printed last, or nil with a note.
func runE2E(rep *report) *float64 {
	if e2eScript == "" {
		rep.Notes = append(rep.Notes, "No -e2e-script was given: the end-to-end ratio was not measured.")
		return nil
	}
	if _, err := os.Stat(e2eScript); err != nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s is not there (%v): the end-to-end ratio was not measured.", e2eScript, err))
		return nil
	}
	cmd := e2eScript + " ."
	rep.Commands = append(rep.Commands, cmd)
	fmt.Fprintln(os.Stderr, "==", cmd)
	var buf bytes.Buffer
	c := exec.Command(e2eScript, ".")
	c.Stdout = io.MultiWriter(&buf, os.Stderr)
	c.Stderr = io.MultiWriter(&buf, os.Stderr)
	err := c.Run()
	if v, ok := e2eRatio(buf.String()); ok && err == nil {
		return &v
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("%s failed (%v): %s", cmd, err, lastLine(buf.String())))
	return nil
}

var ratioRE = regexp.MustCompile(`rootward/bare=([0-9.]+)`)

func e2eRatio(out string) (float64, bool) {
	m := ratioRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[len(m)-1][1], 64)
	return v, err == nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// result is one benchmark line of `go test -bench` output: its metrics by unit.
type result struct {
	Pkg     string
	Name    string // without the -GOMAXPROCS suffix
	Iters   int64
	Metrics map[string]float64
	Units   []string // in the order printed
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output: "pkg:" lines name the package of the lines after them,
// and each "BenchmarkX-N  iters  value unit  value unit…" line is a result. A benchmark reported
// more than once (-count) keeps its last line.
func parse(out []byte) []result {
	var (
		res []result
		pkg string
	)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		r := result{Pkg: pkg, Name: procsSuffix.ReplaceAllString(f[0], ""), Iters: n, Metrics: map[string]float64{}}
		ok := true
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			r.Metrics[f[i+1]] = v
			r.Units = append(r.Units, f[i+1])
		}
		if !ok {
			continue
		}
		for i := range res {
			if res[i].Pkg == r.Pkg && res[i].Name == r.Name {
				res = append(res[:i], res[i+1:]...)
				break
			}
		}
		res = append(res, r)
	}
	return res
}

type report struct {
	Date     time.Time
	Machine  []string
	Commands []string
	Failed   []string
	Notes    []string
	Raw      string
	Rendered bool // from -in: the commands ran separately
	Results  []result
	E2E      *float64
}

// find returns the result of the benchmark name in the package pkg ("./internal/server" matches
// "…/internal/server").
func (r *report) find(pkg, name string) *result {
	for i := range r.Results {
		res := &r.Results[i]
		if res.Name == name && strings.HasSuffix(res.Pkg, strings.TrimPrefix(pkg, ".")) {
			return res
		}
	}
	return nil
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Issue 11 targets (generated %s)\n\n", r.Date.Format("2006-01-02 15:04 UTC"))
	b.WriteString("Machine: " + strings.Join(r.Machine, "; ") + ".\n\n")
	if r.Rendered {
		b.WriteString("Commands (run one by one, then rendered by `go run ./internal/tools/benchreport -in`):\n\n```\n")
	} else {
		b.WriteString("Command: `make bench` (`go run ./internal/tools/benchreport`), which ran:\n\n```\n")
	}
	for _, c := range r.Commands {
		b.WriteString(c + "\n")
	}
	b.WriteString("```\n\n")
	if r.Raw != "" {
		fmt.Fprintf(&b, "The raw output was kept in `%s`.\n\n", r.Raw)
	}
	b.WriteString("| owner | figure | result | target | |\n|---|---|---|---|---|\n")
	rows := append([]figure(nil), figures...)
	rows = append(rows, e2eFigure)
	for _, f := range rows {
		value, have := 0.0, false
		switch {
		case f.Bench == "e2e.sh":
			if r.E2E != nil {
				value, have = *r.E2E, true
			}
		case f.Bench != "":
			if res := r.find(f.Pkg, f.Bench); res != nil {
				value, have = res.Metrics[f.Metric]
			}
		}
		result, verdict := "not measured", ""
		if f.Bench == "" {
			result = "not measured: benchmark not in the table yet"
		}
		if have {
			result = num(value) + " " + f.Metric
			verdict = "pass"
			if (f.Max > 0 && value > f.Max) || (f.Min > 0 && value < f.Min) {
				verdict = "**miss**"
			}
			if f.Max == 0 && f.Min == 0 {
				verdict = ""
			}
		} else if f.Max > 0 || f.Min > 0 {
			verdict = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.Owner, f.What, result, bound(f), verdict)
	}
	b.WriteString("\n")
	for _, n := range r.Notes {
		b.WriteString("- " + n + "\n")
	}
	for _, c := range r.Failed {
		b.WriteString("- failed: `" + c + "`\n")
	}
	if len(r.Notes)+len(r.Failed) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("### Every result of the run\n\n| package | benchmark | iterations | figures |\n|---|---|---|---|\n")
	for _, res := range r.Results {
		var parts []string
		for _, u := range res.Units {
			parts = append(parts, num(res.Metrics[u])+" "+u)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", strings.TrimPrefix(res.Pkg, "github.com/rootward/rootward/"), res.Name, res.Iters, strings.Join(parts, ", "))
	}
	return b.String()
}

func bound(f figure) string {
	switch {
	case f.Max > 0:
		return "≤ " + num(f.Max) + " " + f.Metric
	case f.Min > 0:
		return "≥ " + num(f.Min) + " " + f.Metric
	}
	return ""
}

// num formats a figure with three significant digits, thousands separated.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if strings.ContainsAny(s, "e") || v >= 1000 {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	if neg {
		intPart = "-" + intPart
	}
	if frac != "" {
		return intPart + "." + frac
	}
	return intPart
}

// splice replaces the generated part of doc (between the markers) with gen, or appends it with
// the markers when doc has none yet.
func splice(doc, gen string) (string, error) {
	block := beginMark + "\n\n" + gen + "\n" + endMark
	i := strings.Index(doc, beginMark)
	j := strings.Index(doc, endMark)
	switch {
	case i < 0 && j < 0:
		return strings.TrimRight(doc, "\n") + "\n\n" + block + "\n", nil
	case i < 0 || j < i:
		return "", fmt.Errorf("the markers of the generated part are out of order")
	}
	return doc[:i] + block + doc[j+len(endMark):], nil
}

// machine describes the machine: cores, CPU model, memory, Go version, load average.
func machine() []string {
	out := []string{fmt.Sprintf("%d cores (nproc)", runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				out = append(out, strings.TrimSpace(v))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				out = append(out, fmt.Sprintf("%.1f GiB RAM", kb/1024/1024))
			}
		}
	}
	if v, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		out = append(out, strings.TrimSpace(string(v)))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			out = append(out, "load average at the end "+strings.Join(f[:3], " "))
		}
	}
	return out
}
