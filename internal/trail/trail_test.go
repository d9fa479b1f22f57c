package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store/sqlite"
)

func TestRecordAndList(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := NewRecorder(st, nil)
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		r.Record(&Event{
			UserIdentity: UserIdentity{Type: "Root", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"},
			EventTime:    base.Add(time.Duration(i) * time.Minute), EventSource: "iam.amazonaws.com",
			EventName: map[bool]string{true: "ListUsers", false: "CreateUser"}[i%2 == 0], EventType: AwsAPICall,
			RecipientAccountID: "111122223333",
		})
	}
	r.Record(&Event{EventName: "ConsoleLogin", EventType: AwsConsoleSignIn, RecipientAccountID: "444455556666", EventTime: base})
	r.Close()

	ctx := context.Background()
	all, err := List(ctx, st, Query{Account: "111122223333"})
	if err != nil || len(all.Events) != 10 {
		t.Fatalf("List = %d events, %v", len(all.Events), err)
	}
	for i, e := range all.Events {
		if !e.EventTime.Equal(base.Add(time.Duration(i)*time.Minute)) || e.EventID == "" || e.EventVersion != "1.08" || e.EventCategory != "Management" || e.AWSRegion != "us-east-1" {
			t.Fatalf("event %d = %+v", i, e)
		}
	}
	window, _ := List(ctx, st, Query{Account: "111122223333", Start: base.Add(3 * time.Minute), End: base.Add(6 * time.Minute)})
	if len(window.Events) != 4 || window.Events[0].EventTime != base.Add(3*time.Minute) {
		t.Fatalf("window = %d events", len(window.Events))
	}
	creates, _ := List(ctx, st, Query{Account: "111122223333", Match: func(e *Event) bool { return e.EventName == "CreateUser" }})
	if len(creates.Events) != 5 {
		t.Fatalf("filtered = %d", len(creates.Events))
	}
	p1, _ := List(ctx, st, Query{Account: "111122223333", Limit: 4})
	p2, _ := List(ctx, st, Query{Account: "111122223333", Limit: 4, After: p1.Next})
	if len(p1.Events) != 4 || p1.Next == "" || len(p2.Events) != 4 || p2.Events[0].EventTime != base.Add(4*time.Minute) {
		t.Fatalf("pages %d/%d next %q", len(p1.Events), len(p2.Events), p1.Next)
	}
	other, _ := List(ctx, st, Query{Account: "444455556666"})
	if len(other.Events) != 1 || other.Events[0].EventName != "ConsoleLogin" {
		t.Fatalf("other account = %+v", other.Events)
	}
	// The record keeps CloudTrail's field names.
	b, _ := json.Marshal(all.Events[0])
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "eventID", "eventType", "recipientAccountId", "requestParameters", "responseElements"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record lacks %s: %s", k, b)
		}
	}
}
