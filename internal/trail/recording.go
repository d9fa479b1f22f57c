//go:build !rootward_bench_notrail

package trail

// recording is true in every build but the benchmark's (see recording_bench.go).
const recording = true
