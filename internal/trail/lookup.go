package trail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Query selects events of one account. Every attribute set must match exactly (LookupEvents'
// attributes, CloudTrail API Reference, "LookupAttribute"); each is answered from an index of the
// event log, so a page costs the page, not the events before it.
type Query struct {
	Account    string
	Start, End time.Time // inclusive bounds; zero means open

	EventName, EventSource, UserName, AccessKeyID, ResourceType, ResourceName, EventID string
	ReadOnly                                                                           *bool

	// Match, when set, keeps only events for which it returns true. It is applied after the
	// attributes, to the events they select: a Match that declines most of them reads them all.
	Match func(*Event) bool
	// Newest lists the newest events first (as LookupEvents does); the default is oldest first.
	Newest bool
	// After continues a listing after the event whose position was returned as Page.Next, in the
	// same order.
	After string
	// Limit bounds the page (default 1000).
	Limit int
}

// Page is a page of events, in the query's order.
type Page struct {
	Events []Event
	// Next, when set, is the position to pass as Query.After for the next page: more events
	// match.
	Next string
}

// ErrBadToken is returned by List for an After that no Page.Next gave.
var ErrBadToken = errors.New("trail: malformed page position")

// List returns a page of the account's events in time order.
func List(ctx context.Context, st store.EventLog, q Query) (Page, error) {
	var p Page
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	sq := store.EventQuery{
		Account: q.Account, Start: q.Start, End: q.End, Name: q.EventName, Source: q.EventSource,
		UserName: q.UserName, AccessKey: q.AccessKeyID, ResourceType: q.ResourceType,
		ResourceName: q.ResourceName, ID: q.EventID, ReadOnly: q.ReadOnly, Newest: q.Newest,
	}
	if q.After != "" {
		pos, err := parsePos(q.After)
		if err != nil {
			return p, err
		}
		sq.After = &pos
	}
	// One more than the page tells whether another follows; with Match, read in chunks.
	sq.Limit = limit + 1
	if q.Match != nil {
		sq.Limit = 256
	}
	var last store.EventPos // of the page's last event
	for {
		rows, err := st.LookupEvents(ctx, sq)
		if err != nil {
			return p, err
		}
		for i := range rows {
			pos := rows[i].Pos()
			sq.After = &pos
			var e Event
			if err := json.Unmarshal(rows[i].Body, &e); err != nil {
				return p, fmt.Errorf("trail: event %s: %w", rows[i].ID, err)
			}
			if q.Match != nil && !q.Match(&e) {
				continue
			}
			if len(p.Events) == limit {
				p.Next = formatPos(last)
				return p, nil
			}
			p.Events = append(p.Events, e)
			last = pos
		}
		if len(rows) < sq.Limit {
			return p, nil
		}
	}
}

// formatPos writes a position as "microseconds.seq".
func formatPos(p store.EventPos) string {
	return strconv.FormatInt(p.Time.UnixMicro(), 10) + "." + strconv.FormatInt(p.Seq, 10)
}

func parsePos(s string) (store.EventPos, error) {
	us, seq, ok := strings.Cut(s, ".")
	if !ok {
		return store.EventPos{}, ErrBadToken
	}
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if err1 != nil || err2 != nil {
		return store.EventPos{}, ErrBadToken
	}
	return store.EventPos{Time: time.UnixMicro(t).UTC(), Seq: n}, nil
}

// Expire deletes the events recorded before `before`, of every account, oldest first, in
// transactions of at most batch deletions each, so a trail write waits for at most one batch. It
// returns how many events it deleted; on an error, the batches already committed stay deleted.
func (r *Recorder) Expire(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("trail: expire batch %d must be positive", batch)
	}
	deleted := 0
	for {
		n, err := r.st.ExpireEvents(ctx, before, batch)
		deleted += n
		if err != nil || n < batch {
			return deleted, err
		}
	}
}
