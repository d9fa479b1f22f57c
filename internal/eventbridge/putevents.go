package eventbridge

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// PutEvents' limits (EventBridge API Reference, PutEvents: Entries has 1 to 10 members; User
// Guide, "Calculating PutEvents event entry size": "The total entry size must be less than
// 256KB"). AWS does not say whether exactly 256 KiB passes; Rootward takes it.
const (
	MaxPutEntries   = 10
	MaxPutEntrySize = 256 << 10
)

// PutEntry is one entry of PutEvents.
type PutEntry struct {
	Source, DetailType, Detail string
	Resources                  []string
	// Time is the event's time; zero is the time it was put.
	Time time.Time
	// HasTime says Time was given (it counts 14 bytes in the entry's size).
	HasTime bool
	// Refused, when set, is the entry's failure as the caller decided it (an event bus Rootward
	// does not serve): the entry counts in the size and is not put.
	Refused *PutResult
}

// Size is the entry's size as EventBridge computes it (User Guide, "Calculating PutEvents event
// entry size"): 14 bytes for Time when given, and the UTF-8 bytes of Source, DetailType, Detail and
// each resource.
func (e *PutEntry) Size() int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if e.HasTime {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// PutResult is one entry's result: its event's ID, or why it failed.
type PutResult struct {
	EventID, ErrorCode, ErrorMessage string
}

// Errors of PutEvents' entries (API Reference, PutEventsResultEntry: ErrorCode).
const (
	PutInvalidArgument  = "InvalidArgument"
	PutMalformedDetail  = "MalformedDetail"
	PutNotAuthorizedSrc = "NotAuthorizedForSourceException"
)

// TotalPutSize is the size of entries as PutEvents bounds it.
func TotalPutSize(entries []PutEntry) int {
	n := 0
	for i := range entries {
		n += entries[i].Size()
	}
	return n
}

// PutEvents puts custom events on account's default bus and returns one result per entry, in
// order. The call as a whole is refused with ValidationException when the entries' total size
// exceeds MaxPutEntrySize ("Total size of the entries in the request is over the limit.", AWS's
// words); an entry that is not valid fails alone: Source, DetailType and Detail are required
// (InvalidArgument), Detail must be a JSON object (MalformedDetail), and a source in the aws.
// namespace, which AWS keeps for its services, is refused (NotAuthorizedForSourceException, "Not
// authorized for the source.").
func (s *Service) PutEvents(account string, entries []PutEntry) ([]PutResult, error) {
	if TotalPutSize(entries) > MaxPutEntrySize {
		return nil, awserr.New(CodeValidation, "Total size of the entries in the request is over the limit.")
	}
	out := make([]PutResult, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.Refused != nil {
			out[i] = *e.Refused
			continue
		}
		if r, ok := checkEntry(e); !ok {
			out[i] = r
			continue
		}
		id := newEventID()
		t := e.Time
		if !e.HasTime || t.IsZero() {
			t = s.now()
		}
		s.bus.put(Event{ID: id, Account: account, Region: s.region, Source: e.Source, DetailType: e.DetailType,
			Time: t.UTC(), Resources: e.Resources, Detail: json.RawMessage(e.Detail)})
		out[i] = PutResult{EventID: id}
	}
	return out, nil
}

// checkEntry refuses an entry that cannot be put. The messages of InvalidArgument and
// MalformedDetail are not in AWS's documentation; Rootward's follow the form AWS's answers take
// ("Parameter X is not valid. Reason: …").
func checkEntry(e *PutEntry) (PutResult, bool) {
	for _, m := range []struct{ name, v string }{{"Source", e.Source}, {"DetailType", e.DetailType}, {"Detail", e.Detail}} {
		if m.v == "" {
			return PutResult{ErrorCode: PutInvalidArgument, ErrorMessage: "Parameter " + m.name + " is not valid. Reason: " + m.name + " is a required argument."}, false
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.Detail), &obj); err != nil || obj == nil {
		return PutResult{ErrorCode: PutMalformedDetail, ErrorMessage: "Detail is malformed."}, false
	}
	if strings.HasPrefix(e.Source, "aws.") {
		return PutResult{ErrorCode: PutNotAuthorizedSrc, ErrorMessage: "Not authorized for the source."}, false
	}
	return PutResult{}, true
}
