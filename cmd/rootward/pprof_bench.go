//go:build rootward_bench_pprof

package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

// A build with the rootward_bench_pprof tag serves net/http/pprof on the loopback address in
// ROOTWARD_PPROF_ADDR (say 127.0.0.1:6060), so that `rootward serve` can be profiled under load
// (docs/benchmarks.md). No release build sets the tag: the profiles are not behind any
// authentication.
func init() {
	addr := os.Getenv("ROOTWARD_PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return
	}
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
