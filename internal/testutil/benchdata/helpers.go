package benchdata

import (
	"os"
	"strconv"
	"testing"
)

// EnvScale is the variable that lets the scale benchmarks build and use their data sets.
const EnvScale = "ROOTWARD_BENCH_SCALE"

// Require skips b unless EnvScale is set.
func Require(b testing.TB) {
	b.Helper()
	if os.Getenv(EnvScale) == "" {
		b.Skipf("scale benchmark: set %s=1 (make bench does) to build its data set (cached under %s)", EnvScale, cacheRoot())
	}
}

// Size is the size a benchmark builds its set with: the environment variable env when set (a
// smaller set for a quick try), def otherwise.
func Size(b testing.TB, env string, def int) int {
	b.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", env, v)
	}
	return n
}

// ReportMillis reports the mean time of one operation of a b.Loop benchmark in milliseconds, the
// unit of the targets (docs/benchmarks.md compares ms/op with them).
func ReportMillis(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
	}
}
