package eventsapi

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/policy"
)

// PutEvents puts custom events on the caller's default bus, where its rules match them as they
// match the trail's records. Authorized as events:PutEvents on the bus with the entries' sources
// and detail types (events:source, events:detail-type; Service Authorization Reference, Amazon
// EventBridge).
var PutEvents = api.Add(&ops, &api.Op[PutEventsInput, PutEventsOutput]{
	Name: "PutEvents", Authorize: func(c *api.Call, in *PutEventsInput) error {
		svc, err := eb(c)
		if err != nil {
			return err
		}
		return c.Authorize("events:PutEvents", svc.BusARN(c.Account()), func(ctx *policy.Context) {
			var sources, types []string
			for _, e := range in.Entries {
				sources = append(sources, deref(e.Source))
				types = append(types, deref(e.DetailType))
			}
			ctx.Set("events:source", sources...)
			ctx.Set("events:detail-type", types...)
		})
	},
	Run: putEvents})

// PutEventsRequestEntry is one event to put. Time is awsJson's timestamp, seconds since the epoch.
// TraceHeader (X-Ray) is accepted and not used.
type PutEventsRequestEntry struct {
	Source       *string  `json:",omitempty"`
	DetailType   *string  `json:",omitempty"`
	Detail       *string  `json:",omitempty"`
	Resources    []string `json:",omitempty"`
	Time         *float64 `json:",omitempty"`
	EventBusName *string  `json:",omitempty"`
	TraceHeader  *string  `json:",omitempty"`
}

type PutEventsInput struct {
	Entries []PutEventsRequestEntry
	// EndpointId names a global endpoint, which Rootward does not serve; any value is refused by
	// Validate.
	EndpointId *string `json:",omitempty"`
}

func (in *PutEventsInput) Validate() error {
	var v violations
	v.required("entries", in.Entries != nil)
	if in.Entries != nil && (len(in.Entries) < 1 || len(in.Entries) > eventbridge.MaxPutEntries) {
		v.add("entries", "["+strconv.Itoa(len(in.Entries))+" entries]", "Member must have length between 1 and 10")
	}
	for i, e := range in.Entries {
		if e.EventBusName != nil {
			m := "entries." + strconv.Itoa(i+1) + ".member.eventBusName"
			v.length(m, *e.EventBusName, 1, maxBusArnOrName)
		}
	}
	if in.EndpointId != nil {
		v.add("endpointId", *in.EndpointId, "Rootward serves no global endpoints")
	}
	return v.err()
}

// maxBusArnOrName is the length constraint of PutEventsRequestEntry's EventBusName (a name or an
// ARN, NonPartnerEventBusNameOrArn).
const maxBusArnOrName = 1600

type PutEventsResultEntry struct {
	EventId      *string `json:",omitempty"`
	ErrorCode    *string `json:",omitempty"`
	ErrorMessage *string `json:",omitempty"`
}

type PutEventsOutput struct {
	FailedEntryCount int
	Entries          []PutEventsResultEntry
}

func putEvents(c *api.Call, in *PutEventsInput) (*PutEventsOutput, error) {
	svc, err := eb(c)
	if err != nil {
		return nil, err
	}
	entries := make([]eventbridge.PutEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = eventbridge.PutEntry{Source: deref(e.Source), DetailType: deref(e.DetailType), Detail: deref(e.Detail), Resources: e.Resources}
		if e.Time != nil && !math.IsNaN(*e.Time) && !math.IsInf(*e.Time, 0) {
			sec, frac := math.Modf(*e.Time)
			entries[i].Time, entries[i].HasTime = time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
		}
	}
	// An entry for a bus other than the caller's default one fails alone: Rootward serves no other.
	// AWS does not document this case's code; Rootward answers the entry with the bus's
	// ResourceNotFoundException and its message.
	for i, e := range in.Entries {
		if err := onDefaultBus(c, e.EventBusName); err != nil {
			var ae *awserr.Error
			if errors.As(err, &ae) {
				entries[i].Refused = &eventbridge.PutResult{ErrorCode: string(ae.Code), ErrorMessage: ae.Message}
			}
		}
	}
	results, err := svc.PutEvents(c.Account(), entries)
	if err != nil {
		return nil, err
	}
	out := &PutEventsOutput{Entries: make([]PutEventsResultEntry, len(results))}
	for i, r := range results {
		if r.ErrorCode != "" {
			out.FailedEntryCount++
			out.Entries[i] = PutEventsResultEntry{ErrorCode: ptr(r.ErrorCode), ErrorMessage: ptr(r.ErrorMessage)}
			continue
		}
		out.Entries[i] = PutEventsResultEntry{EventId: ptr(r.EventID)}
	}
	return out, nil
}

func ptr(s string) *string { return &s }
