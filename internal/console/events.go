package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/cloudtrailapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/trail"
)

// The Events page: the account's CloudTrail event history, newest first, as the CloudTrail
// console's "Event history" shows it — filtered by user, event name and time, root activity
// highlighted, each record's JSON one click away. It reads through cloudtrailapi.LookupEvents as
// the signed-in principal, so it needs cloudtrail:LookupEvents, shows the principal's account only,
// and is itself recorded, as AWS records the console's lookups.

const eventsPath = "/console/events"

// eventsPageSize is the rows of one page, LookupEvents' largest page.
const eventsPageSize = 50

// eventsMaxReads bounds the LookupEvents calls of one page view when the page filters by user and
// event name together (LookupEvents takes one attribute; the event name is then matched here).
const eventsMaxReads = 20

// eventsData is the page.
type eventsData struct {
	User, Name, From, To string
	RootOnly             bool
	Events               []eventRow
	// Next is the link to the next (older) page, "" on the last.
	Next string
}

// eventRow is one event with what the page derives from its record.
type eventRow struct {
	ID, Name, Source, User, IP, Result string
	Time                               time.Time
	// Root marks root activity: the root user, privileged root sessions included.
	Root bool
	JSON string
}

func (h *Handler) eventsRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+eventsPath, h.signedIn(h.events))
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := eventsData{User: strings.TrimSpace(q.Get("user")), Name: strings.TrimSpace(q.Get("name")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), RootOnly: q.Get("root") != ""}
	user := d.User
	if d.RootOnly {
		if user != "" && user != "root" {
			h.render(w, r, http.StatusBadRequest, "events", s, view{Title: "Events", Data: d,
				Error: "Root activity only shows the root user's events: clear the user filter or untick it."})
			return
		}
		user = "root"
	}
	in := &cloudtrailapi.LookupEventsInput{MaxResults: new(int), NextToken: q.Get("next")}
	*in.MaxResults = eventsPageSize
	for _, t := range []struct {
		v    string
		dst  **cloudtrailapi.Timestamp
		name string
	}{{d.From, &in.StartTime, "From"}, {d.To, &in.EndTime, "To"}} {
		if t.v == "" {
			continue
		}
		at, err := parseConsoleTime(t.v)
		if err != nil {
			h.render(w, r, http.StatusBadRequest, "events", s, view{Title: "Events", Data: d,
				Error: t.name + " must be a time such as 2026-12-06T09:30 (UTC) or 2026-12-06T09:30:00Z."})
			return
		}
		*t.dst = cloudtrailapi.At(at)
	}
	// LookupEvents takes one attribute: the user when given, else the event name. With both, the
	// event name is matched here, over at most eventsMaxReads pages of the user's events.
	nameHere := false
	switch {
	case user != "":
		in.LookupAttributes = []cloudtrailapi.LookupAttribute{{AttributeKey: "Username", AttributeValue: user}}
		nameHere = d.Name != ""
	case d.Name != "":
		in.LookupAttributes = []cloudtrailapi.LookupAttribute{{AttributeKey: "EventName", AttributeValue: d.Name}}
	}
	for reads := 0; ; reads++ {
		out, err := api.Invoke(h.run, r, s.principal(), cloudtrailapi.LookupEvents, in)
		if err != nil {
			h.eventsRefused(w, r, s, d, err)
			return
		}
		for i := range out.Events {
			if nameHere && out.Events[i].EventName != d.Name {
				continue
			}
			row, err := eventRowOf(&out.Events[i])
			if err != nil {
				h.internalError(w, r, err)
				return
			}
			d.Events = append(d.Events, row)
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = *out.NextToken
		if !nameHere || len(d.Events) >= eventsPageSize || reads+1 >= eventsMaxReads {
			d.Next = eventsLink(d, in.NextToken)
			break
		}
	}
	h.render(w, r, http.StatusOK, "events", s, view{Title: "Events", Data: d})
}

// eventsLink is the page's URL with its filters and a page token.
func eventsLink(d eventsData, next string) string {
	v := url.Values{}
	for k, val := range map[string]string{"user": d.User, "name": d.Name, "from": d.From, "to": d.To, "next": next} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if d.RootOnly {
		v.Set("root", "1")
	}
	return eventsPath + "?" + v.Encode()
}

// parseConsoleTime reads a time of the filter form: an HTML datetime-local value (2026-12-06T09:30,
// seconds optional), taken as UTC, or an RFC 3339 time.
func parseConsoleTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

// eventRowOf reads the record of an event of LookupEvents.
func eventRowOf(ev *cloudtrailapi.Event) (eventRow, error) {
	var rec trail.Event
	if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
		return eventRow{}, err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(ev.CloudTrailEvent), "", "  "); err != nil {
		return eventRow{}, err
	}
	row := eventRow{ID: ev.EventId, Name: ev.EventName, Source: ev.EventSource, User: ev.Username, IP: rec.SourceIPAddress,
		Time: rec.EventTime, Root: rec.UserIdentity.Type == "Root", JSON: pretty.String(), Result: "ok"}
	switch {
	case rec.ErrorCode != "" || rec.ErrorMessage != "":
		row.Result = strings.TrimSpace(rec.ErrorCode + " " + rec.ErrorMessage)
	default:
		if v, ok := rec.ResponseElements["ConsoleLogin"].(string); ok {
			row.Result = v
		}
	}
	return row, nil
}

// eventsRefused shows why the history cannot be shown: AccessDenied (the principal may not call
// cloudtrail:LookupEvents) or another of LookupEvents' errors, in AWS's words.
func (h *Handler) eventsRefused(w http.ResponseWriter, r *http.Request, s *session, d eventsData, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, pageStatus(e), "events", s, view{Title: "Events", Data: d, Error: e.Message})
}
