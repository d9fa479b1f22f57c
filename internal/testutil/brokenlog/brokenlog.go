// Package brokenlog is an event log that refuses every append while it is broken, as a full disk
// or a lost database connection would: tests use it to see what a service answers when its
// CloudTrail records cannot be stored (internal/trail's own tests hold appends with a gate the
// same way, over the real log).
package brokenlog

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/rootward/rootward/internal/store"
)

// ErrDown is what a broken Log's appends return.
var ErrDown = errors.New("brokenlog: event log unavailable")

// Log passes appends to the event log it wraps until Break, and refuses them with ErrDown until
// Mend. Reads always reach the wrapped log.
type Log struct {
	store.EventLog
	broken atomic.Bool
}

// New wraps l, working.
func New(l store.EventLog) *Log { return &Log{EventLog: l} }

// Break makes every append fail with ErrDown.
func (l *Log) Break() { l.broken.Store(true) }

// Mend lets appends through again.
func (l *Log) Mend() { l.broken.Store(false) }

// AppendEvents appends to the wrapped log, or fails with ErrDown while l is broken.
func (l *Log) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if l.broken.Load() {
		return ErrDown
	}
	return l.EventLog.AppendEvents(ctx, events)
}
