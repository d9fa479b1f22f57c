package snsapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

const allowSNS = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}`

// setPolicy sets a topic's access policy as the admin.
func (e *env) setPolicy(arn, doc string) {
	e.t.Helper()
	if _, err := e.admin.SetTopicAttributes(servertest.Ctx(e.t), &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(doc)}); err != nil {
		e.t.Fatalf("SetTopicAttributes Policy: %v", err)
	}
}

func publishErr(c *awssns.Client, arn string) error {
	_, err := c.Publish(context.Background(), &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m")})
	return err
}

// TestTopicPolicy evaluates the topic's access policy as a resource-based policy together with
// the caller's identity policies: the default policy grants nothing by itself; in the topic's
// account a statement naming the user allows alone, one naming the account delegates to the
// identity policies; another account needs both sides; an explicit Deny wins.
func TestTopicPolicy(t *testing.T) {
	e := newEnv(t)
	arn := e.createTopic("guarded")
	b := e.otherAccount("b")
	sameNone := e.user(e.Account.ID, "nobody", "")
	sameAllowed := e.user(e.Account.ID, "publisher", allowSNS)
	otherAllowed := e.user(b, "admin", allowSNS)
	otherNone := e.user(b, "nobody", "")
	userARN := "arn:aws:iam::" + e.Account.ID + ":user/nobody"

	check := func(t *testing.T, c *awssns.Client, code string) {
		t.Helper()
		err := publishErr(c, arn)
		testutil.WantCode(t, err, code)
		if code == "AuthorizationError" {
			testutil.WantStatus(t, err, 403)
			if !strings.Contains(err.Error(), "is not authorized to perform: sns:Publish on resource: "+arn) {
				t.Fatalf("message %v", err)
			}
		}
	}
	t.Run("default policy", func(t *testing.T) {
		check(t, sameNone, "AuthorizationError")
		check(t, sameAllowed, "")
		check(t, otherAllowed, "AuthorizationError")
		check(t, e.admin, "")
	})
	t.Run("policy naming the user", func(t *testing.T) {
		e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"u","Effect":"Allow","Principal":{"AWS":"`+userARN+`"},"Action":"sns:Publish","Resource":"`+arn+`"}]}`)
		check(t, sameNone, "")
		check(t, otherAllowed, "AuthorizationError")
	})
	t.Run("policy naming the own account", func(t *testing.T) {
		e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"`+e.Account.ID+`"},"Action":"sns:Publish","Resource":"`+arn+`"}]}`)
		check(t, sameNone, "AuthorizationError")
		check(t, sameAllowed, "")
	})
	t.Run("cross-account", func(t *testing.T) {
		e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"b","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+b+`:root"},"Action":["sns:Publish","sns:Subscribe"],"Resource":"`+arn+`"}]}`)
		check(t, otherAllowed, "")
		check(t, otherNone, "AuthorizationError")
		check(t, sameNone, "AuthorizationError")
	})
	t.Run("explicit deny", func(t *testing.T) {
		e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"d","Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"`+arn+`"}]}`)
		check(t, e.admin, "AuthorizationError")
		check(t, sameAllowed, "AuthorizationError")
		// The policy denies Publish only; the admin may still restore the default.
		e.setPolicy(arn, "")
		check(t, e.admin, "")
	})
}

// TestCrossAccountSubscription subscribes from another account that the topic policy allows: the
// subscription is the subscriber's (its ListSubscriptions), the topic owner lists it too and may
// remove it, a third account may not.
func TestCrossAccountSubscription(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("shared")
	b, c := e.otherAccount("b"), e.otherAccount("c")
	bc := e.user(b, "admin", allowSNS)
	cc := e.user(c, "admin", allowSNS)
	_, err := bc.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	testutil.WantCode(t, err, "AuthorizationError")
	e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"b","Effect":"Allow","Principal":{"AWS":"`+b+`"},"Action":"sns:Subscribe","Resource":"`+arn+`"}]}`)
	out, err := bc.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := bc.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(mine.Subscriptions) != 1 || *mine.Subscriptions[0].Owner != b {
		t.Fatalf("B's ListSubscriptions = %+v, %v", mine, err)
	}
	owners, err := e.admin.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(owners.Subscriptions) != 0 {
		t.Fatalf("A's ListSubscriptions = %+v, %v; want none (the subscription is B's)", owners, err)
	}
	byTopic, err := e.admin.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil || len(byTopic.Subscriptions) != 1 {
		t.Fatalf("ListSubscriptionsByTopic = %+v, %v", byTopic, err)
	}
	_, err = cc.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: out.SubscriptionArn})
	testutil.WantCode(t, err, "AuthorizationError")
	_, err = cc.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn})
	testutil.WantCode(t, err, "AuthorizationError")
	if _, err := e.admin.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: out.SubscriptionArn}); err != nil {
		t.Fatalf("the topic owner's Unsubscribe: %v", err)
	}
}

// TestConditionKeys authorizes with SNS's own keys (sns:Protocol, sns:Endpoint) and the tag keys.
func TestConditionKeys(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	dev, prod := e.createTopic("dev"), e.createTopic("prod")
	if _, err := e.admin.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: aws.String(dev), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	c := e.user(e.Account.ID, "scoped", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sns:Subscribe","Resource":"*","Condition":{"StringEquals":{"sns:Protocol":"sms"},"StringLike":{"sns:Endpoint":"+1555*"}}},
		{"Effect":"Allow","Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}},
		{"Effect":"Allow","Action":["sns:CreateTopic","sns:TagResource"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"sec"}}}]}`)
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"sms to an allowed number", func() error {
			_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(dev), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
			return err
		}, ""},
		{"sms to another number", func() error {
			_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(dev), Protocol: aws.String("sms"), Endpoint: aws.String("+4915555550100")})
			return err
		}, "AuthorizationError"},
		{"email", func() error {
			_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(dev), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
			return err
		}, "AuthorizationError"},
		{"publish to the dev topic", func() error { return publishErr(c, dev) }, ""},
		{"publish to the untagged topic", func() error { return publishErr(c, prod) }, "AuthorizationError"},
		{"create with the team tag", func() error {
			_, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("sec"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
			return err
		}, ""},
		{"create without it", func() error {
			_, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("other")})
			return err
		}, "AuthorizationError"},
		{"list topics", func() error {
			_, err := c.ListTopics(ctx, &awssns.ListTopicsInput{})
			return err
		}, "AuthorizationError"},
	} {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
}

// TestPublishAs publishes for EventBridge: the topic policy must allow events.amazonaws.com, with
// aws:SourceArn the rule's when the policy conditions on it.
func TestPublishAs(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("events")
	rule := "arn:aws:events:us-east-1:" + e.Account.ID + ":rule/RootwardRootActivity"
	if _, err := e.svc.PublishAs(ctx, "events.amazonaws.com", rule, arn, "Root activity", "{}"); err == nil {
		t.Fatal("PublishAs with the default policy succeeded, want AuthorizationError")
	} else {
		testutil.WantCode(t, err, "AuthorizationError")
	}
	e.setPolicy(arn, `{"Version":"2012-10-17","Statement":[{"Sid":"eb","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"`+arn+`",
		"Condition":{"ArnEquals":{"aws:SourceArn":"`+rule+`"},"StringEquals":{"aws:SourceAccount":"`+e.Account.ID+`"}}}]}`)
	if _, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, principal, source, code string }{
		{"the rule", "events.amazonaws.com", rule, ""},
		{"another rule", "events.amazonaws.com", rule + "-2", "AuthorizationError"},
		{"another service", "s3.amazonaws.com", rule, "AuthorizationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := e.svc.PublishAs(ctx, tc.principal, tc.source, arn, "Root activity", "root signed in")
			testutil.WantCode(t, err, tc.code)
			if err == nil && id == "" {
				t.Fatal("no message ID")
			}
		})
	}
	_, err := e.svc.PublishAs(ctx, "events.amazonaws.com", rule, arn+"-gone", "", "m")
	testutil.WantCode(t, err, "NotFound")
	e.deliver()
	if got := e.outbox("+15555550100"); len(got) != 1 || got[0].Body != "root signed in" {
		t.Fatalf("outbox = %+v, want the one allowed message", got)
	}
}

// TestPublishErrors checks Publish's validation, in AWS's words where known.
func TestPublishErrors(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("p")
	long := strings.Repeat("x", 262145)
	attr := func(typ, v string) map[string]types.MessageAttributeValue {
		return map[string]types.MessageAttributeValue{"a": {DataType: aws.String(typ), StringValue: aws.String(v)}}
	}
	for _, tc := range []struct {
		name string
		in   *awssns.PublishInput
		code string
		msg  string
	}{
		{"no target", &awssns.PublishInput{Message: aws.String("m")}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{"empty message", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("")}, "InvalidParameter", "Invalid parameter: Empty message"},
		{"too long", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(long)}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"empty subject", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), Subject: aws.String("")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"subject with a line break", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"structure not JSON", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), MessageStructure: aws.String("json")}, "InvalidParameter",
			"Invalid parameter: Message Structure - JSON message body failed to parse"},
		{"structure without default", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`{"sms":"x"}`), MessageStructure: aws.String("json")}, "InvalidParameter",
			"Invalid parameter: Message Structure - No default entry in JSON message body"},
		{"bad attribute type", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), MessageAttributes: attr("Text", "v")}, "ParameterValueInvalid",
			"The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"number that is not", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), MessageAttributes: attr("Number", "ten")}, "ParameterValueInvalid", ""},
		{"bad phone", &awssns.PublishInput{PhoneNumber: aws.String("12"), Message: aws.String("m")}, "InvalidParameter", "Invalid parameter: PhoneNumber Reason: 12 is not valid to publish to"},
		{"fifo member", &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), MessageGroupId: aws.String("g")}, "InvalidParameter", ""},
		{"no such topic", &awssns.PublishInput{TopicArn: aws.String(arn + "-gone"), Message: aws.String("m")}, "NotFound", "Topic does not exist"},
		{"TargetArn of a topic", &awssns.PublishInput{TargetArn: aws.String(arn), Message: aws.String("m")}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.admin.Publish(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want message %q", err, tc.msg)
			}
		})
	}
}

// TestTrail checks SNS calls are recorded with eventSource sns.amazonaws.com, and that neither a
// published message nor a confirmation token reaches the record.
func TestTrail(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("audited")
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("secret subject"), Message: aws.String("secret message")}); err != nil {
		t.Fatal(err)
	}
	_, _ = e.admin.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("secret-token")})
	// Denied calls are recorded too, still without the secrets.
	nobody := e.user(e.Account.ID, "nobody", "")
	_, _ = nobody.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("secret subject"), Message: aws.String("secret message")})
	_, _ = nobody.ConfirmSubscription(ctx, &awssns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("secret-token")})
	p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, EventSource: "sns.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ev := range p.Events {
		names[ev.EventName+" "+ev.ErrorCode] = true
		b, _ := json.Marshal(ev)
		if strings.Contains(string(b), "secret") {
			t.Errorf("record of %s holds a secret: %s", ev.EventName, b)
		}
	}
	for _, n := range []string{"CreateTopic ", "Publish ", "ConfirmSubscription InvalidParameter", "Publish AuthorizationError", "ConfirmSubscription AuthorizationError"} {
		if !names[n] {
			t.Errorf("no %s record among %v", n, names)
		}
	}
}
