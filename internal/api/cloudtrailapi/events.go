package cloudtrailapi

import (
	"encoding/json"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/cloudtrail"
	"github.com/rootward/rootward/internal/trail"
)

// LookupEvents reads the caller's account's event history, newest first (API Reference,
// LookupEvents). Its authorization is cloudtrail:LookupEvents on "*": the Service Authorization
// Reference lists no resource type and no condition key for it.
var LookupEvents = api.Add(&ops, &api.Op[LookupEventsInput, LookupEventsOutput]{
	Name: "LookupEvents", Run: lookupEvents})

// LookupAttribute is one lookup attribute.
type LookupAttribute struct {
	AttributeKey   string
	AttributeValue string
}

// LookupEventsInput is LookupEvents' request. MaxResults is nil when absent (50 then); NextToken is
// bound by the Runner to every other member, so a token passed with other attributes or times is
// InvalidNextTokenException, as the API Reference says a token must come "with the same
// parameters that were specified in the original call".
type LookupEventsInput struct {
	LookupAttributes []LookupAttribute
	StartTime        *Timestamp
	EndTime          *Timestamp
	EventCategory    string
	MaxResults       *int   `page:"size"`
	NextToken        string `page:"token"`
}

// query is the domain's form of the request.
func (in *LookupEventsInput) query() cloudtrail.LookupQuery {
	q := cloudtrail.LookupQuery{Start: timePtr(in.StartTime), End: timePtr(in.EndTime), Category: in.EventCategory, After: in.NextToken}
	if len(in.LookupAttributes) > 0 {
		a := in.LookupAttributes[0]
		q.AttributeKey, q.AttributeValue, q.HasAttribute = a.AttributeKey, a.AttributeValue, true
	}
	if in.MaxResults != nil {
		q.Limit = *in.MaxResults
	}
	return q
}

// Validate checks the request before anything is authorized: one attribute at most, with a key
// and value LookupEvents knows, a time range that is one, a known category, MaxResults 1–50.
func (in *LookupEventsInput) Validate() error {
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > cloudtrail.MaxLookupResults) {
		return awserr.New(awserr.CTInvalidMaxResults, "MaxResults must be between 1 and 50.")
	}
	q := in.query()
	return cloudtrail.CheckLookup(&q, len(in.LookupAttributes))
}

// Resource is a resource an event names.
type Resource struct {
	ResourceType string
	ResourceName string
}

// Event is the API's Event: the record's summary and the record itself as a JSON string.
type Event struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string `json:",omitempty"`
	EventTime       Timestamp
	EventSource     string
	Username        string `json:",omitempty"`
	Resources       []Resource
	CloudTrailEvent string
}

type LookupEventsOutput struct {
	Events    []Event
	NextToken *string `json:",omitempty" page:"token"`
}

func lookupEvents(c *api.Call, in *LookupEventsInput) (*LookupEventsOutput, error) {
	p, err := c.CloudTrail.LookupEvents(c.Ctx, c.Account(), in.query())
	if err != nil {
		return nil, err
	}
	out := &LookupEventsOutput{Events: make([]Event, 0, len(p.Events))}
	for i := range p.Events {
		ev, err := EventOf(&p.Events[i])
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, ev)
	}
	if p.Next != "" {
		out.NextToken = &p.Next
	}
	return out, nil
}

// EventOf is a trail record as LookupEvents answers it.
func EventOf(e *trail.Event) (Event, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return Event{}, err
	}
	ev := Event{
		EventId: e.EventID, EventName: e.EventName, EventTime: Timestamp(e.EventTime), EventSource: e.EventSource,
		Username: cloudtrail.Username(e), Resources: []Resource{}, CloudTrailEvent: string(body),
		ReadOnly: "false",
	}
	if e.ReadOnly != nil {
		ev.ReadOnly = strconv.FormatBool(*e.ReadOnly)
	}
	if k := e.UserIdentity.AccessKeyID; k != nil {
		ev.AccessKeyId = *k
	}
	if typ, name := trail.ResourceOf(e); name != "" {
		ev.Resources = append(ev.Resources, Resource{typ, name})
	}
	return ev, nil
}
