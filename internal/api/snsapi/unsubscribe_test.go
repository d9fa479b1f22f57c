package snsapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// visit GETs a link of a message, without credentials, and returns the status and body.
func visit(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestUnsubscribeConfirmation: unsubscribing a confirmed HTTPS subscription, through the API or
// its UnsubscribeURL, sends the endpoint a signed UnsubscribeConfirmation (AWS's headers, message
// and members) whose SubscribeURL restores the subscription; after a restore, notifications flow
// again. Before, nothing was sent.
func TestUnsubscribeConfirmation(t *testing.T) {
	for _, via := range []string{"API", "UnsubscribeURL"} {
		t.Run(via, func(t *testing.T) {
			sub, hs := newSubscriber(t)
			e := newEnv(t, withTransport(hs.Client().Transport))
			ctx := servertest.Ctx(t)
			arn := e.createTopic("alerts")
			if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"), Endpoint: aws.String(hs.URL + "/hook")}); err != nil {
				t.Fatal(err)
			}
			e.deliver() // the confirmation request, which the subscriber confirms
			subs, err := e.admin.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
			if err != nil || len(subs.Subscriptions) != 1 {
				t.Fatalf("ListSubscriptionsByTopic = %v, %v; want one", subs, err)
			}
			subARN := *subs.Subscriptions[0].SubscriptionArn

			if via == "API" {
				if _, err := e.admin.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: aws.String(subARN)}); err != nil {
					t.Fatal(err)
				}
			} else {
				if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("hello")}); err != nil {
					t.Fatal(err)
				}
				e.deliver()
				got := sub.messages()
				if code, body := visit(t, got[len(got)-1].msg["UnsubscribeURL"].(string)); code != 200 {
					t.Fatalf("visiting UnsubscribeURL = %d %s, want 200", code, body)
				}
			}
			if n := e.deliver(); n != 1 {
				t.Fatalf("delivered %d after Unsubscribe, want the UnsubscribeConfirmation", n)
			}
			got := sub.messages()
			u := got[len(got)-1]
			if u.verifyErr != nil {
				t.Fatalf("UnsubscribeConfirmation signature: %v (%v)", u.verifyErr, u.msg)
			}
			wantHeaders := map[string]string{"x-amz-sns-message-type": "UnsubscribeConfirmation", "x-amz-sns-topic-arn": arn,
				"x-amz-sns-subscription-arn": subARN, "x-amz-sns-message-id": u.msg["MessageId"].(string)}
			for h, v := range wantHeaders {
				if g := u.header.Get(h); g != v {
					t.Errorf("header %s = %q, want %q", h, g, v)
				}
			}
			wantMsg := "You have chosen to deactivate subscription " + subARN + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
			if u.msg["Type"] != "UnsubscribeConfirmation" || u.msg["TopicArn"] != arn || u.msg["Message"] != wantMsg || u.msg["Token"] == "" {
				t.Errorf("UnsubscribeConfirmation = %v; want Type UnsubscribeConfirmation, TopicArn %s, Message %q and a Token", u.msg, arn, wantMsg)
			}
			if subs, _ := e.admin.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)}); len(subs.Subscriptions) != 0 {
				t.Fatalf("after Unsubscribe the topic lists %v, want none", subs.Subscriptions)
			}

			// The SubscribeURL restores the subscription.
			link := u.msg["SubscribeURL"].(string)
			if code, body := visit(t, link); code != 200 || !strings.Contains(body, "<SubscriptionArn>"+subARN+"</SubscriptionArn>") {
				t.Fatalf("visiting SubscribeURL = %d %s, want 200 with %s", code, body, subARN)
			}
			if code, body := visit(t, link); code != 200 || !strings.Contains(body, subARN) {
				t.Fatalf("visiting SubscribeURL again = %d %s, want 200 with %s", code, body, subARN)
			}
			if a := e.topicAttributes(arn); a["SubscriptionsConfirmed"] != "1" {
				t.Fatalf("SubscriptionsConfirmed after the restore = %s, want 1", a["SubscriptionsConfirmed"])
			}
			if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("again")}); err != nil {
				t.Fatal(err)
			}
			if n := e.deliver(); n != 1 {
				t.Fatalf("delivered %d after the restore, want the notification", n)
			}
			if got := sub.messages(); got[len(got)-1].msg["Message"] != "again" {
				t.Fatalf("last message = %v, want the notification \"again\"", got[len(got)-1].msg)
			}
		})
	}
}

// An email-json subscription gets the UnsubscribeConfirmation in its mail; a plain email one gets
// nothing; the token expires after three days, and pruning forgets it.
func TestUnsubscribeConfirmationEmail(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("mail")
	confirm := func(proto, to string) string {
		t.Helper()
		if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(proto), Endpoint: aws.String(to)}); err != nil {
			t.Fatal(err)
		}
		e.deliver()
		_, token := tokenIn(t, e.outbox(to)[0].Body)
		s, err := e.svc.ConfirmSubscription(ctx, arn, token, true, false)
		if err != nil {
			t.Fatal(err)
		}
		return s.ARN
	}
	var conf map[string]any
	if err := func() error {
		if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email-json"), Endpoint: aws.String("robot@example.com")}); err != nil {
			return err
		}
		e.deliver()
		return json.Unmarshal([]byte(e.outbox("robot@example.com")[0].Body), &conf)
	}(); err != nil {
		t.Fatal(err)
	}
	jsonSub, err := e.svc.ConfirmSubscription(ctx, arn, conf["Token"].(string), true, false)
	if err != nil {
		t.Fatal(err)
	}
	plainARN := confirm("email", "person@example.com")

	for _, s := range []string{jsonSub.ARN, plainARN} {
		if _, err := e.admin.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.deliver(); n != 1 {
		t.Fatalf("delivered %d, want one UnsubscribeConfirmation (email-json only)", n)
	}
	if got := e.outbox("person@example.com"); len(got) != 1 {
		t.Fatalf("plain email got %d mails, want only the confirmation request", len(got))
	}
	mails := e.outbox("robot@example.com")
	var u map[string]any
	if err := json.Unmarshal([]byte(mails[len(mails)-1].Body), &u); err != nil {
		t.Fatal(err)
	}
	if err := verifySNS(u); err != nil || u["Type"] != "UnsubscribeConfirmation" {
		t.Fatalf("email-json UnsubscribeConfirmation %v: %v", u, err)
	}

	// A topic deleted and created again under the same name is another topic: the token does
	// not restore the subscription into it.
	if _, err := e.admin.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if again := e.createTopic("mail"); again != arn {
		t.Fatalf("recreated topic ARN = %s, want %s", again, arn)
	}
	_, err = e.svc.ConfirmSubscription(ctx, arn, u["Token"].(string), true, false)
	testutil.WantCode(t, err, "NotFound")
	if a := e.topicAttributes(arn); a["SubscriptionsConfirmed"] != "0" {
		t.Fatalf("recreated topic: SubscriptionsConfirmed = %s, want 0", a["SubscriptionsConfirmed"])
	}

	// Past three days the token restores nothing, and pruning drops what it would have restored.
	e.clock.Advance(72*time.Hour + time.Second)
	_, err = e.svc.ConfirmSubscription(ctx, arn, u["Token"].(string), true, false)
	testutil.WantCode(t, err, "InvalidParameter")
	if _, err := e.svc.PruneDeliveries(ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(-time.Hour)
	_, err = e.svc.ConfirmSubscription(ctx, arn, u["Token"].(string), true, false)
	testutil.WantCode(t, err, "InvalidParameter")
}
