// Package testutil holds helpers that tests of several packages share. Production code never
// imports it (internal/layering keeps it so).
package testutil

import (
	"sync"
	"time"
)

// Clock is an injected clock that tests move by hand, never by sleeping. It is safe for
// concurrent use: the servers under test read it from their own goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
