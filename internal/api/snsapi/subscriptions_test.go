package snsapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestEmailSubscription follows an email subscription through the outbox: the confirmation
// email with its SubscribeURL, nothing delivered while pending, ConfirmSubscription with the
// token (a wrong one refused), the notification with its unsubscribe link, and the
// unauthenticated UnsubscribeURL.
func TestEmailSubscription(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("mail")
	const to = "security@example.com"
	out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(to)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %s, want pending confirmation", *out.SubscriptionArn)
	}
	list, err := e.admin.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(list.Subscriptions) != 1 || *list.Subscriptions[0].SubscriptionArn != "PendingConfirmation" {
		t.Fatalf("ListSubscriptions = %+v, %v; want the pending subscription", list, err)
	}
	if a := e.topicAttributes(arn); a["SubscriptionsPending"] != "1" {
		t.Fatalf("SubscriptionsPending = %s, want 1", a["SubscriptionsPending"])
	}
	e.deliver()
	mails := e.outbox(to)
	if len(mails) != 1 || mails[0].Subject != "AWS Notification - Subscription Confirmation" {
		t.Fatalf("outbox = %+v, want the confirmation email", mails)
	}
	_, token := tokenIn(t, mails[0].Body)

	// Nothing reaches a pending subscription.
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("early")}); err != nil {
		t.Fatal(err)
	}
	if n := e.deliver(); n != 0 {
		t.Fatalf("delivered %d to a pending subscription, want 0", n)
	}
	for _, tc := range []struct{ name, topic, token, code string }{
		{"wrong token", arn, strings.Repeat("0", 64), "InvalidParameter"},
		{"another topic's", e.createTopic("other"), token, "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(tc.topic), Token: aws.String(tc.token)})
			testutil.WantCode(t, err, tc.code)
		})
	}
	c, err := e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	subARN := *c.SubscriptionArn
	if !strings.HasPrefix(subARN, arn+":") {
		t.Fatalf("SubscriptionArn = %s", subARN)
	}
	// Confirming again with the same token answers the same subscription.
	if again, err := e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token)}); err != nil || *again.SubscriptionArn != subARN {
		t.Fatalf("second ConfirmSubscription: %v %v", again, err)
	}
	a, err := e.admin.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
	if err != nil || a.Attributes["ConfirmationWasAuthenticated"] != "true" || a.Attributes["PendingConfirmation"] != "false" || a.Attributes["Owner"] != e.Account.ID {
		t.Fatalf("GetSubscriptionAttributes = %v, %v", a, err)
	}

	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("Root used"), Message: aws.String("root signed in")}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	mails = e.outbox(to)
	last := mails[len(mails)-1]
	if last.Subject != "Root used" || !strings.HasPrefix(last.Body, "root signed in\n") || !strings.Contains(last.Body, e.url+"/sns/?Action=Unsubscribe&SubscriptionArn=") {
		t.Fatalf("notification email = %q %q", last.Subject, last.Body)
	}
	// The unsubscribe link works without credentials.
	i := strings.Index(last.Body, e.url+"/sns/?Action=Unsubscribe")
	link := strings.TrimSpace(last.Body[i:])
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<UnsubscribeResponse") {
		t.Fatalf("UnsubscribeURL answered %d %s", resp.StatusCode, body)
	}
	if a := e.topicAttributes(arn); a["SubscriptionsConfirmed"] != "0" || a["SubscriptionsDeleted"] != "1" {
		t.Fatalf("confirmed/deleted = %s/%s, want 0/1", a["SubscriptionsConfirmed"], a["SubscriptionsDeleted"])
	}
	_, err = e.admin.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
	testutil.WantCode(t, err, "NotFound")
	// Unsubscribing again is not an error.
	if _, err := e.admin.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: aws.String(subARN)}); err != nil {
		t.Fatal(err)
	}
}

// TestSMS subscribes a phone number (confirmed at once, as AWS's SMS subscriptions), publishes to
// the topic with a per-protocol MessageStructure and to a phone number directly.
func TestSMS(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("sms")
	if _, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("Rootward")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*out.SubscriptionArn, arn+":") {
		t.Fatalf("SubscriptionArn = %s, want a confirmed subscription's ARN", *out.SubscriptionArn)
	}
	if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("555")}); err == nil {
		t.Fatal("Subscribe accepted an SMS endpoint that is not E.164")
	} else {
		testutil.WantCode(t, err, "InvalidParameter")
	}
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), MessageStructure: aws.String("json"),
		Message: aws.String(`{"default":"long text","sms":"short"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{PhoneNumber: aws.String("+15555550111"), Message: aws.String("direct")}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if got := e.outbox("+15555550100"); len(got) != 1 || got[0].Body != "Rootward> short" || got[0].Channel != "sms" {
		t.Fatalf("outbox of the subscriber = %+v, want the sms text after the display name", got)
	}
	if got := e.outbox("+15555550111"); len(got) != 1 || got[0].Body != "direct" {
		t.Fatalf("outbox of the direct number = %+v", got)
	}
	ds, err := e.svc.Deliveries(ctx, "+15555550111")
	if err != nil || len(ds) != 1 || ds[0].State != "delivered" {
		t.Fatalf("deliveries to the number = %+v, %v", ds, err)
	}
}

// TestFilterPolicy delivers only the messages a subscription's filter policy matches.
func TestFilterPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("filtered")
	out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100"),
		Attributes: map[string]string{"FilterPolicy": `{"severity":["high",{"prefix":"crit"}],"count":[{"numeric":[">=",3]}]}`}})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	num := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(v)}
	}
	for _, tc := range []struct {
		msg   string
		attrs map[string]types.MessageAttributeValue
	}{
		{"match high", map[string]types.MessageAttributeValue{"severity": str("high"), "count": num("3")}},
		{"match critical", map[string]types.MessageAttributeValue{"severity": str("critical"), "count": num("10")}},
		{"low", map[string]types.MessageAttributeValue{"severity": str("low"), "count": num("10")}},
		{"too few", map[string]types.MessageAttributeValue{"severity": str("high"), "count": num("2")}},
		{"none", nil},
	} {
		if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(tc.msg), MessageAttributes: tc.attrs}); err != nil {
			t.Fatal(err)
		}
	}
	e.deliver()
	var bodies []string
	for _, m := range e.outbox("+15555550100") {
		bodies = append(bodies, m.Body)
	}
	slices.Sort(bodies) // deliveries run in parallel
	if strings.Join(bodies, ",") != "match critical,match high" {
		t.Fatalf("delivered %q, want the two matching messages", bodies)
	}
	_, err = e.admin.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"severity":"high"}`)})
	testutil.WantCode(t, err, "InvalidParameter")
}

// TestSubscribeErrors checks Subscribe's validation.
func TestSubscribeErrors(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("subs")
	for _, tc := range []struct {
		name, topic, protocol, endpoint string
		attrs                           map[string]string
		code                            string
	}{
		{"unknown protocol", arn, "carrier-pigeon", "x", nil, "InvalidParameter"},
		{"http endpoint for https", arn, "https", "http://example.com/", nil, "InvalidParameter"},
		{"credentials in the URL", arn, "https", "https://user:secret@example.com/", nil, "InvalidParameter"},
		{"no endpoint", arn, "email", "", nil, "InvalidParameter"},
		{"not an email", arn, "email", "nobody", nil, "InvalidParameter"},
		{"unknown attribute", arn, "email", "a@example.com", map[string]string{"Colour": "red"}, "InvalidParameter"},
		{"bad filter policy", arn, "email", "a@example.com", map[string]string{"FilterPolicy": "[1]"}, "InvalidParameter"},
		{"no such topic", arn + "-gone", "email", "a@example.com", nil, "NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &awssns.SubscribeInput{TopicArn: aws.String(tc.topic), Protocol: aws.String(tc.protocol), Attributes: tc.attrs}
			if tc.endpoint != "" {
				in.Endpoint = aws.String(tc.endpoint)
			}
			_, err := e.admin.Subscribe(ctx, in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Subscribing the same endpoint again is the same subscription.
	first, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	if err != nil || *second.SubscriptionArn != *first.SubscriptionArn {
		t.Fatalf("second Subscribe = %v, %v; want %s", second, err, *first.SubscriptionArn)
	}
	_, err = e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100"),
		Attributes: map[string]string{"FilterPolicy": `{"a":["b"]}`}})
	testutil.WantCode(t, err, "InvalidParameter")
}

// TestAuthenticateOnUnsubscribe confirms with AuthenticateOnUnsubscribe: the UnsubscribeURL then
// refuses to act without credentials, and an authenticated Unsubscribe still works.
func TestAuthenticateOnUnsubscribe(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("strict")
	const to = "ops@example.com"
	if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(to)}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	_, token := tokenIn(t, e.outbox(to)[0].Body)
	c, err := e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token), AuthenticateOnUnsubscribe: aws.String("true")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.url + "/sns/?Action=Unsubscribe&SubscriptionArn=" + *c.SubscriptionArn)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AuthorizationError</Code>") {
		t.Fatalf("unauthenticated unsubscribe answered %d %s, want 403 AuthorizationError", resp.StatusCode, body)
	}
	if _, err := e.admin.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: c.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	if a := e.topicAttributes(arn); a["SubscriptionsDeleted"] != "1" {
		t.Fatalf("SubscriptionsDeleted = %s, want 1", a["SubscriptionsDeleted"])
	}
	// Links Rootward does not serve, and a bad token through the SubscribeURL.
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/sns/SimpleNotificationService-0000.pem", 404},
		{"/sns/?Action=ConfirmSubscription&TopicArn=" + arn + "&Token=bogus", 400},
		{"/sns/?Action=DeleteTopic&TopicArn=" + arn, 400},
		{"/sns/other", 404},
	} {
		resp, err := http.Get(e.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	if a := e.topicAttributes(arn); a["TopicArn"] != arn {
		t.Fatal("the topic went")
	}
}

// TestEmailJSON delivers the signed JSON message to an email-json subscription, which verifies
// like an HTTP/S one.
func TestEmailJSON(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("json")
	const to = "robot@example.com"
	if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email-json"), Endpoint: aws.String(to)}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	var confirmation map[string]any
	if err := json.Unmarshal([]byte(e.outbox(to)[0].Body), &confirmation); err != nil {
		t.Fatal(err)
	}
	if err := verifySNS(confirmation); err != nil || confirmation["Type"] != "SubscriptionConfirmation" {
		t.Fatalf("confirmation %v: %v", confirmation, err)
	}
	if _, err := e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(confirmation["Token"].(string))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("for robots")}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	mails := e.outbox(to)
	var n map[string]any
	if err := json.Unmarshal([]byte(mails[len(mails)-1].Body), &n); err != nil {
		t.Fatal(err)
	}
	if err := verifySNS(n); err != nil || n["Message"] != "for robots" || n["Type"] != "Notification" {
		t.Fatalf("notification %v: %v", n, err)
	}
}

// TestTokenExpires refuses a confirmation token after three days.
func TestTokenExpires(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("slow")
	const to = "late@example.com"
	if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(to)}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	_, token := tokenIn(t, e.outbox(to)[0].Body)
	e.clock.Advance(72*time.Hour + time.Second)
	// Through the service: a signed request would be three days off the server's clock.
	_, err := e.svc.ConfirmSubscription(ctx, arn, token, true, false)
	testutil.WantCode(t, err, "InvalidParameter")
	e.clock.Advance(-time.Hour)
	if _, err := e.svc.ConfirmSubscription(ctx, arn, token, true, false); err != nil {
		t.Fatalf("within three days: %v", err)
	}
}
