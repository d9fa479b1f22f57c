package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 << 20, 6400},
		{16 << 20, 400},
		{32 << 20, 200},
		{48 << 20, 133},
		{64 << 20, 100},
		{1 << 30, 100},
		{1 << 10, 10_000}, // a near-empty heap: capped
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d) = %d; want %d", tc.live, got, tc.want)
		}
	}
}

// The pacer sets the collector's percentage after a collection, from the live heap it measures:
// this test's heap is far below minHeapHeadroom, so the percentage rises above 100.
func TestPacerRaisesPercentForASmallHeap(t *testing.T) {
	p := startPacer()
	defer func() {
		p.stop()
		debug.SetGCPercent(100)
	}()
	// Each collection runs the finalizers of the one before; the deadline only bounds a failing run.
	deadline := time.Now().Add(30 * time.Second)
	for p.percent.Load() == 100 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	got := p.percent.Load()
	if got <= 100 {
		t.Fatalf("percentage after collections = %d; want > 100 for a live heap below %d bytes", got, minHeapHeadroom)
	}
	if set := debug.SetGCPercent(100); int64(set) != got {
		t.Errorf("runtime's percentage = %d; want the pacer's %d", set, got)
	}
}
