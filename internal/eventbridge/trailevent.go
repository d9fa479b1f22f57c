package eventbridge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/trail"
)

// A CloudTrail record on the default bus (EventBridge User Guide, "Events from AWS services" and
// "Receiving read-only management events from AWS services"): detail-type by the record's
// eventType, source "aws." and the service of its eventSource (aws.signin for sign-ins), detail
// the record itself.

// DetailType is the detail-type of a CloudTrail record of eventType.
func DetailType(eventType string) string {
	switch eventType {
	case trail.AwsConsoleSignIn:
		return "AWS Console Sign In via CloudTrail"
	case trail.AwsServiceEvent:
		return "AWS Service Event via CloudTrail"
	case trail.AwsConsoleAction:
		return "AWS Console Action via CloudTrail"
	}
	return "AWS API Call via CloudTrail"
}

// Source is the source of a CloudTrail record of eventSource ("iam.amazonaws.com" → "aws.iam").
func Source(eventSource string) string {
	return "aws." + strings.TrimSuffix(eventSource, ".amazonaws.com")
}

// envelope is an event on the bus as targets receive it, its members in AWS's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// newEventID is a random UUID (version 4), EventBridge's form of event IDs.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func eventTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// trailView is a CloudTrail record on the bus as the matcher reads it (pattern.Object), without
// encoding it: the envelope's members and the record's own. In quick mode, a field the view
// cannot answer from the struct (requestParameters, sessionContext, the event's id …) is
// reported as absent and marks the view unknown, so that the caller knows the answer was not
// exact and leaves the decision to the worker, which matches the encoded event.
type trailView struct {
	e       *trail.Event
	unknown bool
}

// Field implements pattern.Object for the envelope.
func (v *trailView) Field(name string) (any, bool) {
	e := v.e
	switch name {
	case "version":
		return "0", true
	case "detail-type":
		return DetailType(e.EventType), true
	case "source":
		return Source(e.EventSource), true
	case "account":
		return e.RecipientAccountID, true
	case "time":
		return eventTime(e.EventTime), true
	case "region":
		return e.AWSRegion, true
	case "resources":
		return noResources, true
	case "detail":
		return (*detailView)(v), true
	}
	v.unknown = true
	return nil, false
}

// detailView is the record (the envelope's detail): its members as encoding/json writes them,
// omitempty ones absent when empty.
type detailView trailView

func (d *detailView) Field(name string) (any, bool) {
	e := d.e
	str := func(s string, omitEmpty bool) (any, bool) {
		if omitEmpty && s == "" {
			return nil, false
		}
		return s, true
	}
	switch name {
	case "eventVersion":
		return str(e.EventVersion, false)
	case "userIdentity":
		return (*identityView)(d), true
	case "eventTime":
		return eventTime(e.EventTime), true
	case "eventSource":
		return str(e.EventSource, false)
	case "eventName":
		return str(e.EventName, false)
	case "awsRegion":
		return str(e.AWSRegion, false)
	case "sourceIPAddress":
		return str(e.SourceIPAddress, true)
	case "userAgent":
		return str(e.UserAgent, true)
	case "errorCode":
		return str(e.ErrorCode, true)
	case "errorMessage":
		return str(e.ErrorMessage, true)
	case "requestID":
		return str(e.RequestID, true)
	case "eventID":
		return str(e.EventID, false)
	case "readOnly":
		if e.ReadOnly == nil {
			return nil, false
		}
		return *e.ReadOnly, true
	case "eventType":
		return str(e.EventType, false)
	case "managementEvent":
		return e.ManagementEvent, true
	case "recipientAccountId":
		return str(e.RecipientAccountID, false)
	case "eventCategory":
		return str(e.EventCategory, false)
	}
	d.unknown = true
	return nil, false
}

// identityView is the record's userIdentity.
type identityView trailView

func (u *identityView) Field(name string) (any, bool) {
	id := &u.e.UserIdentity
	str := func(s string, omitEmpty bool) (any, bool) {
		if omitEmpty && s == "" {
			return nil, false
		}
		return s, true
	}
	switch name {
	case "type":
		return str(id.Type, false)
	case "principalId":
		return str(id.PrincipalID, true)
	case "arn":
		return str(id.ARN, true)
	case "accountId":
		return str(id.AccountID, true)
	case "accessKeyId":
		if id.AccessKeyID == nil {
			return nil, false
		}
		return *id.AccessKeyID, true
	case "userName":
		return str(id.UserName, true)
	case "invokedBy":
		return str(id.InvokedBy, true)
	}
	u.unknown = true
	return nil, false
}

var _ pattern.Object = (*trailView)(nil)

// trailEnvelope encodes a CloudTrail record as the event targets receive.
func trailEnvelope(e *trail.Event) ([]byte, error) {
	detail, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{Version: "0", ID: newEventID(), DetailType: DetailType(e.EventType), Source: Source(e.EventSource),
		Account: e.RecipientAccountID, Time: eventTime(e.EventTime), Region: e.AWSRegion, Resources: []string{}, Detail: detail})
}

// putEnvelope encodes an event of Put.
func putEnvelope(e *Event, region string) ([]byte, error) {
	detail := e.Detail
	if len(detail) == 0 {
		detail = json.RawMessage("{}")
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	if e.Region != "" {
		region = e.Region
	}
	id := e.ID
	if id == "" {
		id = newEventID()
	}
	return json.Marshal(envelope{Version: "0", ID: id, DetailType: e.DetailType, Source: e.Source, Account: e.Account,
		Time: eventTime(e.Time), Region: region, Resources: resources, Detail: detail})
}

// readOnly reports whether a CloudTrail record is a read-only management event, which only rules
// in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receive.
func readOnly(e *trail.Event) bool { return e.ReadOnly != nil && *e.ReadOnly }

// noResources is the resources of a CloudTrail record on the bus: always empty.
var noResources = []any{}
