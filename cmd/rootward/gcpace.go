package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The garbage collector's pace for serve. With GOGC=100, the default, a collection starts once the
// heap has grown by as much as was live after the last one: a server whose live heap is small (a
// few tens of megabytes, as serve's is with a small data set) collects dozens of times a second
// under load, and the collections cost about 7 % of its CPU time (profiles in
// docs/benchmarks.md). gcPace gives the heap a floor of headroom instead: after each collection
// the percentage is set so that the next starts after at least minHeapHeadroom of growth, and never
// below 100 (GOGC's default), so a large live heap (a million users' caches) is collected exactly
// as before and the memory this costs is bounded by minHeapHeadroom. An operator who sets GOGC or
// GOMEMLIMIT has chosen a pace: gcPace leaves it alone.
//
// A Go runtime has no hook at the end of a collection; a finalizer does: an object that is garbage
// when a collection marks is finalized after it, and the finalizer sets up the next such object.
// (The pattern of the Go runtime's own tests, runtime.GC and finalizers; see also "A Guide to the Go
// Garbage Collector", https://go.dev/doc/gc-guide, "GOGC".)

// minHeapHeadroom is the least growth of the heap between two collections gcPace allows.
const minHeapHeadroom = 64 << 20

// gcPace starts pacing the collector (see above) unless GOGC or GOMEMLIMIT is set.
func gcPace() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	startPacer()
}

func startPacer() *pacer {
	p := &pacer{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	p.percent.Store(100)
	p.arm()
	return p
}

type pacer struct {
	sample  []metrics.Sample // used by adjust only (finalizers run one at a time)
	percent atomic.Int64     // the percentage set last
	stopped atomic.Bool      // stop was called: no more adjustments
}

// stop ends the pacing after the next collection (for tests; serve paces until it exits).
func (p *pacer) stop() { p.stopped.Store(true) }

// gcPercent is the GOGC percentage that gives a live heap of live bytes at least minHeapHeadroom
// of growth, and at least 100 %.
func gcPercent(live uint64) int {
	if live == 0 || live >= minHeapHeadroom {
		return 100
	}
	return int(min(uint64(minHeapHeadroom)*100/live, 10_000))
}

// arm sets a finalizer on a new object that nothing references, so that it runs after the next
// collection.
func (p *pacer) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) { p.adjust() })
}

type sentinel struct{ _ [16]byte } // not a tiny allocation, which could share a block and outlive the cycle

func (p *pacer) adjust() {
	if p.stopped.Load() {
		return
	}
	metrics.Read(p.sample)
	if v := p.sample[0].Value; v.Kind() == metrics.KindUint64 {
		want := int64(gcPercent(v.Uint64()))
		// Only a change of more than a tenth is applied, so that the pace does not churn.
		if cur := p.percent.Load(); (want-cur)*10 > cur || (cur-want)*10 > cur {
			debug.SetGCPercent(int(want))
			p.percent.Store(want)
		}
	}
	p.arm()
}
