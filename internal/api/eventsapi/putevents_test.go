package eventsapi_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// PutEvents puts custom events on the default bus, where a rule delivers them with the ID the call
// answered; a bad entry fails alone with AWS's code; more than 10 entries, or entries over 256 KiB
// in all (sized as AWS documents: Time 14 bytes, the UTF-8 bytes of Source, DetailType, Detail and
// each resource), refuse the call with ValidationException and put nothing. Before, PutEvents was
// not served.
func TestPutEvents(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	en.putRule("orders", `{"source": ["com.example.orders"]}`, "", "sink")

	at := en.clock.Now().Add(-time.Hour).Truncate(time.Second)
	entry := func(source, detail string) ebtypes.PutEventsRequestEntry {
		return ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("Order Placed"), Detail: aws.String(detail)}
	}
	ok := entry("com.example.orders", `{"id": 7}`)
	ok.Time, ok.Resources = aws.Time(at), []string{"arn:aws:example:::order/7"}
	noDetail := entry("com.example.orders", "")
	noDetail.Detail = nil
	otherBus := entry("com.example.orders", `{}`)
	otherBus.EventBusName = aws.String("payments")
	out, err := en.c.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		ok, entry("aws.iam", `{}`), entry("com.example.orders", `[1]`), noDetail, otherBus}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ code, msg string }{
		{},
		{"NotAuthorizedForSourceException", "Not authorized for the source."},
		{"MalformedDetail", "Detail is malformed."},
		{"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."},
		{"ResourceNotFoundException", "Event bus payments does not exist."},
	}
	if out.FailedEntryCount != 4 || len(out.Entries) != len(want) {
		t.Fatalf("FailedEntryCount %d, %d entries; want 4 of %d", out.FailedEntryCount, len(out.Entries), len(want))
	}
	for i, w := range want {
		e := out.Entries[i]
		if aws.ToString(e.ErrorCode) != w.code || aws.ToString(e.ErrorMessage) != w.msg || (w.code == "") != (aws.ToString(e.EventId) != "") {
			t.Errorf("entry %d = %s %q id %q; want %s %q", i, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage), aws.ToString(e.EventId), w.code, w.msg)
		}
	}
	d := en.wait()
	var ev struct {
		ID         string          `json:"id"`
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Time       string          `json:"time"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(d.payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != aws.ToString(out.Entries[0].EventId) || ev.Source != "com.example.orders" || ev.DetailType != "Order Placed" ||
		ev.Time != at.UTC().Format(time.RFC3339) || len(ev.Resources) != 1 || string(ev.Detail) != `{"id":7}` {
		t.Errorf("delivered %s; want event %s at %s", d.payload, aws.ToString(out.Entries[0].EventId), at.Format(time.RFC3339))
	}

	// The size: Source + DetailType ("Order Placed", 12) + Detail + resources + 14 for a Time.
	big := func(size int, withTime bool) ebtypes.PutEventsRequestEntry {
		fixed := len("com.example.orders") + len("Order Placed") + len(`{"x":""}`)
		if withTime {
			fixed += 14
		}
		e := entry("com.example.orders", `{"x":"`+strings.Repeat("é", (size-fixed)/2)+strings.Repeat("a", (size-fixed)%2)+`"}`)
		if withTime {
			e.Time = aws.Time(at)
		}
		return e
	}
	const quota = eventbridge.MaxPutEntrySize
	cases := []struct {
		name    string
		entries []ebtypes.PutEventsRequestEntry
		code    string
		msg     string
	}{
		{"256 KiB exactly", []ebtypes.PutEventsRequestEntry{big(quota/2, true), big(quota/2, false)}, "", ""},
		{"one byte over, counting Time's 14", []ebtypes.PutEventsRequestEntry{big(quota/2, true), big(quota/2+1, false)},
			"ValidationException", "Total size of the entries in the request is over the limit."},
		{"11 entries", func() []ebtypes.PutEventsRequestEntry {
			var l []ebtypes.PutEventsRequestEntry
			for i := range 11 {
				l = append(l, entry("com.example.n"+strconv.Itoa(i), `{}`))
			}
			return l
		}(), "ValidationException", "1 validation error detected: Value '[11 entries]' at 'entries' failed to satisfy constraint: Member must have length between 1 and 10"},
		{"no entries", []ebtypes.PutEventsRequestEntry{}, "ValidationException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := en.c.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: tc.entries})
			if tc.code == "" {
				if err != nil || out.FailedEntryCount != 0 {
					t.Fatalf("PutEvents = %+v, %v; want every entry put", out, err)
				}
				for range tc.entries {
					en.wait()
				}
				return
			}
			wantError(t, err, tc.code, tc.msg)
		})
	}
	select {
	case d := <-en.got:
		t.Errorf("a refused call delivered %s", d.payload)
	default:
	}
}

// At most 30 rules of a bus may hold wildcard filters (EventBridge quotas, "Rules containing
// wildcards"): the 31st is refused with LimitExceededException and not created; replacing a
// wildcard rule, or a rule without wildcards, stays allowed. Before, any number was taken.
func TestWildcardRulesQuota(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	wild := func(i int) string {
		return `{"detail": {"eventName": [{"wildcard": "Create*` + strconv.Itoa(i) + `"}]}}`
	}
	for i := range eventbridge.MaxWildcardRules {
		pattern := wild(i)
		if i%2 == 1 {
			pattern = `{"source": [{"anything-but": {"wildcard": "aws.*` + strconv.Itoa(i) + `"}}]}`
		}
		en.putRule("w"+strconv.Itoa(i), pattern, "")
	}
	_, err := en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("w-more"), EventPattern: aws.String(wild(99))})
	testutil.WantCode(t, err, "LimitExceededException")
	if _, err := en.c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("w-more")}); err == nil {
		t.Fatal("the refused rule exists")
	}
	// A rule without wildcards may turn into one only within the quota.
	en.putRule("plain", `{"source": ["x"]}`, "")
	_, err = en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("plain"), EventPattern: aws.String(`{"$or": [{"source": ["y"]}, {"source": [{"wildcard": "z*"}]}]}`)})
	testutil.WantCode(t, err, "LimitExceededException")
	// Replacing a wildcard rule's pattern is allowed at the quota.
	en.putRule("w0", wild(100), "")
	// Deleting one makes room.
	if _, err := en.c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("w1")}); err != nil {
		t.Fatal(err)
	}
	en.putRule("w-more", wild(99), "")
}
