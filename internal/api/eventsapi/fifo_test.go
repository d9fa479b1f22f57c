package eventsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// An SNS FIFO topic is a target only with a message group (SqsParameters.MessageGroupId,
// ValidationException without), which ListTargetsByRule shows; its events arrive one at a time
// in the order they matched, each with the target's group and a deduplication ID that a retry
// keeps, and a failed delivery is retried before the next event is tried. Before, SqsParameters was not a member
// PutTargets took, and a retry let later events overtake it.
func TestFifoTopicTarget(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	type call struct{ dedup, group, payloadID string }
	var mu sync.Mutex
	var calls []call
	failed := false
	en.eb.HandleTargets("sns", func(ctx context.Context, _ string, payload []byte) error {
		dedup, group := eventbridge.DeliveryFrom(ctx)
		var ev struct {
			ID     string `json:"id"`
			Detail struct{ N int }
		}
		_ = json.Unmarshal(payload, &ev)
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{dedup, group, ev.ID})
		if ev.Detail.N == 2 && !failed {
			failed = true
			return errors.New("the topic is unavailable")
		}
		en.got <- delivered{payload: payload}
		return nil
	})
	topic := "arn:aws:sns:us-east-1:" + en.Account.ID + ":audit.fifo"
	en.putRule("ordered", `{"source": ["com.example.ledger"]}`, "")

	_, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("ordered"), Targets: []ebtypes.Target{{Id: aws.String("fifo"), Arn: aws.String(topic)}}})
	wantError(t, err, "ValidationException", "Parameter(s) SqsParameters must be specified for target: fifo.")
	out, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("ordered"), Targets: []ebtypes.Target{{Id: aws.String("fifo"), Arn: aws.String(topic),
		SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("ledger")}}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets = %+v, %v", out, err)
	}
	l, err := en.c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("ordered")})
	if err != nil || len(l.Targets) != 1 || l.Targets[0].SqsParameters == nil || aws.ToString(l.Targets[0].SqsParameters.MessageGroupId) != "ledger" {
		t.Fatalf("ListTargetsByRule = %+v, %v; want the target with MessageGroupId ledger", l, err)
	}

	const n = 6
	var entries []ebtypes.PutEventsRequestEntry
	for i := 1; i <= n; i++ {
		entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String("com.example.ledger"), DetailType: aws.String("Entry"),
			Detail: aws.String(`{"N": ` + strconv.Itoa(i) + `}`)})
	}
	put, err := en.c.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: entries})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents = %+v, %v", put, err)
	}
	for range n {
		en.wait()
	}
	mu.Lock()
	defer mu.Unlock()
	var want []string
	for i, e := range put.Entries {
		want = append(want, aws.ToString(e.EventId))
		if i == 1 {
			want = append(want, aws.ToString(e.EventId)) // the failed attempt, then its retry
		}
	}
	if len(calls) != len(want) {
		t.Fatalf("%d deliveries, want %d: %+v", len(calls), len(want), calls)
	}
	seen := map[string]string{} // deduplication ID → event
	for i, c := range calls {
		if c.payloadID != want[i] || c.group != "ledger" || len(c.dedup) != 64 {
			t.Errorf("delivery %d = event %s, group %q, deduplication ID %q; want event %s, group ledger, 64 hex digits", i, c.payloadID, c.group, c.dedup, want[i])
		}
		if ev, ok := seen[c.dedup]; ok && ev != c.payloadID {
			t.Errorf("events %s and %s share the deduplication ID %s", ev, c.payloadID, c.dedup)
		}
		seen[c.dedup] = c.payloadID
	}
	if calls[1].dedup != calls[2].dedup {
		t.Errorf("the retry's deduplication ID %s differs from the first attempt's %s", calls[2].dedup, calls[1].dedup)
	}
}
