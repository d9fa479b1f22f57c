//go:build rootward_bench_notrail

package trail

// recording is false only in a build with the rootward_bench_notrail tag, which the end-to-end
// benchmark uses to measure serve without the trail (Record then stores nothing and returns nil).
// No release build sets it, and no flag or setting can turn recording off at run time.
const recording = false
