package snsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// FIFO topics (Amazon SNS Developer Guide, "Amazon SNS FIFO topics"): created with FifoTopic=true
// under a name ending in .fifo, shown by GetTopicAttributes with ContentBasedDeduplication (settable
// only on them); Publish requires a MessageGroupId and a deduplication ID or content-based
// deduplication, answers increasing SequenceNumbers, and answers a duplicate within five minutes
// with the first message's ID and number; a standard topic refuses the FIFO members; FIFO topics
// take no subscription of Rootward's protocols. Each refusal is InvalidParameter and changes
// nothing.
func TestFifoTopics(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	out, err := e.admin.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("orders.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	fifo := aws.ToString(out.TopicArn)
	if want := "arn:aws:sns:us-east-1:" + e.Account.ID + ":orders.fifo"; fifo != want {
		t.Fatalf("TopicArn = %s, want %s", fifo, want)
	}
	std := e.createTopic("plain")
	attrs := e.topicAttributes(fifo)
	if attrs["FifoTopic"] != "true" || attrs["ContentBasedDeduplication"] != "false" {
		t.Fatalf("FIFO topic attributes = %v; want FifoTopic true, ContentBasedDeduplication false", attrs)
	}
	if a := e.topicAttributes(std); a["FifoTopic"] != "" || a["ContentBasedDeduplication"] != "" {
		t.Fatalf("standard topic attributes = %v; want no FIFO attributes", a)
	}

	t.Run("creation refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			in   *awssns.CreateTopicInput
			msg  string
		}{
			{"FIFO without .fifo", &awssns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"FifoTopic": "true"}},
				"Fifo Topic names must end with .fifo"},
			{".fifo without FifoTopic", &awssns.CreateTopicInput{Name: aws.String("x.fifo")}, "Invalid parameter: Topic Name"},
			{"only .fifo", &awssns.CreateTopicInput{Name: aws.String(".fifo"), Attributes: map[string]string{"FifoTopic": "true"}}, "Invalid parameter: Topic Name"},
			{"content deduplication on a standard topic", &awssns.CreateTopicInput{Name: aws.String("y"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}},
				"Content-based deduplication can only be set for FIFO topics"},
			{"existing FIFO topic as standard", &awssns.CreateTopicInput{Name: aws.String("orders.fifo"), Attributes: map[string]string{"FifoTopic": "false"}},
				"Topic Name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.admin.CreateTopic(ctx, tc.in)
				testutil.WantCode(t, err, "InvalidParameter")
				if !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("got %v, want %q", err, tc.msg)
				}
			})
		}
		list, err := e.admin.ListTopics(ctx, &awssns.ListTopicsInput{})
		if err != nil || len(list.Topics) != 2 {
			t.Fatalf("ListTopics = %d topics, %v; want the two created", len(list.Topics), err)
		}
	})

	t.Run("ContentBasedDeduplication", func(t *testing.T) {
		_, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(std), AttributeName: aws.String("ContentBasedDeduplication"), AttributeValue: aws.String("true")})
		testutil.WantCode(t, err, "InvalidParameter")
		_, err = e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(fifo), AttributeName: aws.String("FifoTopic"), AttributeValue: aws.String("false")})
		testutil.WantCode(t, err, "InvalidParameter")
		if e.topicAttributes(fifo)["FifoTopic"] != "true" {
			t.Fatal("FifoTopic changed")
		}
	})

	publish := func(in *awssns.PublishInput) (*awssns.PublishOutput, error) {
		in.Message = aws.String(aws.ToString(in.Message) + "m")
		return e.admin.Publish(ctx, in)
	}
	t.Run("publish refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			in   *awssns.PublishInput
			msg  string
		}{
			{"no group", &awssns.PublishInput{TopicArn: aws.String(fifo), MessageDeduplicationId: aws.String("d")}, "MessageGroupId parameter is required for FIFO topics"},
			{"no deduplication", &awssns.PublishInput{TopicArn: aws.String(fifo), MessageGroupId: aws.String("g")},
				"either have ContentBasedDeduplication enabled or MessageDeduplicationId provided"},
			{"group too long", &awssns.PublishInput{TopicArn: aws.String(fifo), MessageGroupId: aws.String(strings.Repeat("g", 129)), MessageDeduplicationId: aws.String("d")}, "MessageGroupId"},
			{"group with a space", &awssns.PublishInput{TopicArn: aws.String(fifo), MessageGroupId: aws.String("a b"), MessageDeduplicationId: aws.String("d")}, "MessageGroupId"},
			{"group on a standard topic", &awssns.PublishInput{TopicArn: aws.String(std), MessageGroupId: aws.String("g")}, "not valid for this topic type"},
			{"deduplication on a standard topic", &awssns.PublishInput{TopicArn: aws.String(std), MessageDeduplicationId: aws.String("d")}, "not valid for this topic type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := publish(tc.in)
				testutil.WantCode(t, err, "InvalidParameter")
				if !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("got %v, want %q", err, tc.msg)
				}
			})
		}
	})

	t.Run("sequence and deduplication", func(t *testing.T) {
		first, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("one"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("two"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d2")})
		if err != nil {
			t.Fatal(err)
		}
		s1, s2 := aws.ToString(first.SequenceNumber), aws.ToString(second.SequenceNumber)
		if len(s1) != 20 || s2 <= s1 || aws.ToString(first.MessageId) == aws.ToString(second.MessageId) {
			t.Fatalf("sequence numbers %q, %q; want increasing 20-digit numbers and two message IDs", s1, s2)
		}
		again, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("one again"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(again.MessageId) != aws.ToString(first.MessageId) || aws.ToString(again.SequenceNumber) != s1 {
			t.Fatalf("duplicate = %s/%s, want the first message's %s/%s", aws.ToString(again.MessageId), aws.ToString(again.SequenceNumber), aws.ToString(first.MessageId), s1)
		}
		e.clock.Advance(5*time.Minute + time.Second)
		later, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("one later"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(later.MessageId) == aws.ToString(first.MessageId) || aws.ToString(later.SequenceNumber) <= s2 {
			t.Fatalf("after the window: %s/%s; want a new message after %s", aws.ToString(later.MessageId), aws.ToString(later.SequenceNumber), s2)
		}
		std, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(std), Message: aws.String("plain")})
		if err != nil || std.SequenceNumber != nil {
			t.Fatalf("standard publish = %+v, %v; want no SequenceNumber", std, err)
		}
	})

	t.Run("content-based deduplication", func(t *testing.T) {
		if _, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(fifo), AttributeName: aws.String("ContentBasedDeduplication"), AttributeValue: aws.String("true")}); err != nil {
			t.Fatal(err)
		}
		a, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("same body"), MessageGroupId: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("same body"), MessageGroupId: aws.String("h")})
		if err != nil || aws.ToString(b.MessageId) != aws.ToString(a.MessageId) {
			t.Fatalf("same body again = %+v, %v; want the first message %s", b, err, aws.ToString(a.MessageId))
		}
	})

	t.Run("subscriptions refused", func(t *testing.T) {
		for _, p := range []struct{ protocol, endpoint string }{{"email", "sec@example.com"}, {"https", "https://hooks.example.com/sns"}, {"sms", "+15555550100"}} {
			_, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(fifo), Protocol: aws.String(p.protocol), Endpoint: aws.String(p.endpoint)})
			testutil.WantCode(t, err, "InvalidParameter")
		}
		if a := e.topicAttributes(fifo); a["SubscriptionsPending"] != "0" || a["SubscriptionsConfirmed"] != "0" {
			t.Fatalf("subscriptions = %s pending, %s confirmed; want none", a["SubscriptionsPending"], a["SubscriptionsConfirmed"])
		}
	})
}

// EventBridge publishes to a FIFO topic with its target's message group and the event's ID as the
// deduplication ID: messages are numbered in the order published, a retried event is accepted but
// not numbered again, and the topic's policy decides as for a standard topic. Before, a FIFO topic
// refused every EventBridge delivery (no MessageGroupId).
func TestPublishFifoAs(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	out, err := e.admin.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("audit.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TopicArn)
	rule := "arn:aws:events:us-east-1:" + e.Account.ID + ":rule/ordered"
	_, err = e.svc.PublishFifoAs(ctx, "events.amazonaws.com", rule, arn, "{}", "ledger", "e-1")
	testutil.WantCode(t, err, "AuthorizationError")
	e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"`+arn+`"}]}`)
	var seqs []string
	for _, id := range []string{"e-1", "e-2", "e-1", "e-3"} {
		p, err := e.svc.PublishFifoAs(ctx, "events.amazonaws.com", rule, arn, `{"id":"`+id+`"}`, "ledger", id)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, p.SequenceNumber)
	}
	if !(seqs[0] < seqs[1] && seqs[2] == seqs[0] && seqs[1] < seqs[3]) {
		t.Errorf("sequence numbers = %v; want increasing, the repeated e-1 answered with its first number", seqs)
	}
	if top, err := e.svc.Topic(ctx, arn); err != nil || top.Sequence != 3 {
		t.Errorf("topic's last sequence = %+v, %v; want 3 messages numbered", top, err)
	}
	_, err = e.svc.PublishFifoAs(ctx, "events.amazonaws.com", rule, arn, "{}", "", "e-4")
	testutil.WantCode(t, err, "InvalidParameter")
}
