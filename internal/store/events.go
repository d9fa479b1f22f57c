package store

import (
	"context"
	"time"
)

// EventLog is the trail's append-only log: one entry per CloudTrail record, with the fields
// LookupEvents filters on kept apart from the body and indexed per recipient account, so that a
// page of one account's events of one user, name, key, resource or read-only flag, newest first,
// is an index range read however many events the log holds. It sits beside the objects, not in
// them: the trail is append-heavy, grows to tens of millions of events and is queried by several
// attributes. (PostgreSQL keeps a row per event with an index per attribute; SQLite appends to a
// segment file and indexes behind it into blocks of up to 64 events with one posting per distinct
// attribute value of a block, since its cost is per B-tree insert: see
// internal/store/sqlite/events.go.)
//
// Times are kept to the microsecond, in UTC.
type EventLog interface {
	// AppendEvents stores the events, all or none, durably (they survive a crash once it returns
	// nil) and visibly (a later LookupEvents or ScanEvents in this process sees them), and sets
	// each event's Seq. An event whose ID is already stored is skipped (its Seq stays 0):
	// appending is idempotent, so a record copied twice is kept once.
	//
	// Durable means: when any event is not ReadOnly (a call that changed something), as durable
	// as the change itself (a power loss keeps it); when every event is ReadOnly, a backend may
	// store them so that a crash of the process (kill -9) keeps them but a power loss in the next
	// 100 ms may not (SQLite: written to its segment file, fsynced within 100 ms; see
	// internal/store/sqlite/events.go, which also says how soon other processes see them).
	//
	// The log keeps no event's Body once AppendEvents returns: the caller may reuse the buffers
	// (the trail's recorder does).
	AppendEvents(ctx context.Context, events []*StoredEvent) error
	// LookupEvents returns the events of q.Account that match every filter set in q, in time
	// order (newest first when q.Newest), at most q.Limit of them.
	LookupEvents(ctx context.Context, q EventQuery) ([]StoredEvent, error)
	// ScanEvents returns up to limit events of every account in (Time, Seq) order, strictly after
	// `after` (from the oldest when after is nil): a reader that follows the whole log, such as
	// CloudTrail log-file delivery, pages through it with the last event's Pos. An append commits
	// after its events' times were taken, so a reader that must not miss events stays some time
	// behind the present (see internal/trail). limit must be positive.
	ScanEvents(ctx context.Context, after *EventPos, limit int) ([]StoredEvent, error)
	// ExpireEvents deletes events (of any account) whose time is before `before`, oldest first,
	// in one transaction of bounded size, and returns how many it deleted: fewer than batch means
	// none older is left to delete. It deletes at most batch events, except that a backend that
	// keeps events in blocks (SQLite, up to 64 events a block) deletes whole blocks until it has
	// deleted batch or more; from its first call on, such a backend hides from LookupEvents and
	// ScanEvents every event before `before` that shares a block with later ones (and any appended
	// later with an earlier time), and deletes it with its block once every event of the block is
	// before a cutoff. batch must be positive.
	ExpireEvents(ctx context.Context, before time.Time, batch int) (int, error)
}

// StoredEvent is one row of the event log.
type StoredEvent struct {
	// Seq is the position of the event in the log, assigned by AppendEvents; it orders events of
	// the same time.
	Seq       int64
	Account   string // the recipient account
	Time      time.Time
	ID        string // unique in the log
	Name      string
	Source    string
	UserName  string
	AccessKey string
	// ResourceType and ResourceName name the resource the event acted on, "" if none.
	ResourceType string
	ResourceName string
	ReadOnly     bool
	// Body is the whole record (CloudTrail JSON).
	Body []byte
}

// EventPos is a position in time order: an event's Time and Seq.
type EventPos struct {
	Time time.Time
	Seq  int64
}

// Pos is the event's position, for EventQuery.After.
func (e *StoredEvent) Pos() EventPos { return EventPos{Time: e.Time, Seq: e.Seq} }

// EventQuery selects events of one account. Every set filter must match (exact, case-sensitive
// comparison); a zero filter matches everything.
type EventQuery struct {
	Account string
	// Start and End bound the event time, both inclusive; zero means open.
	Start, End time.Time

	Name, Source, UserName, AccessKey, ResourceType, ResourceName, ID string
	ReadOnly                                                          *bool
	// After, when set, continues a listing in the query's order strictly after this position
	// (before it, when Newest).
	After *EventPos
	// Newest lists the newest events first.
	Newest bool
	// Limit bounds the events returned; it must be positive.
	Limit int
}

// ColumnFilter is one equality filter of an EventQuery: a column of PostgreSQL's events table and
// the value it must hold.
type ColumnFilter struct {
	Column, Value string
}

// Filters returns q's set attribute filters as columns of an events table, for a backend to
// turn into its SQL. ReadOnly, the time bounds and After are the backend's to add.
func (q *EventQuery) Filters() []ColumnFilter {
	var out []ColumnFilter
	for _, f := range []ColumnFilter{
		{"event_name", q.Name}, {"user_name", q.UserName}, {"access_key_id", q.AccessKey},
		{"resource_type", q.ResourceType}, {"resource_name", q.ResourceName},
		{"event_source", q.Source}, {"event_id", q.ID},
	} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}
