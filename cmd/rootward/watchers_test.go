package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// snsMessage is the part of an SNS HTTP delivery the test reads (SNS Developer Guide, "Parsing
// message formats").
type snsMessage struct {
	Type, Message, SubscribeURL, TopicArn string
}

// TestTrailReachesSNSSubscriber checks serve's wiring of the watchers: an IAM call's CloudTrail
// record goes to the account's default event bus, matches a rule, and the rule's SNS topic target
// delivers it to a confirmed HTTP subscriber, as the EventBridge event AWS would send.
func TestTrailReachesSNSSubscriber(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve")
	}
	got := make(chan snsMessage, 16)
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m snsMessage
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("delivery body %q: %v", body, err)
		}
		got <- m
	}))
	defer sub.Close()

	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, dir)
	srv.waitFor(t, "initialised a new data directory")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}),
		config.WithSharedConfigProfile("rootward"), config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	topics := sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(srv.endpoint) })
	bus := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(srv.endpoint) })
	iamc := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(srv.endpoint) })

	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("iam-changes")})
	if err != nil {
		t.Fatal(err)
	}
	// EventBridge may publish only where the topic's policy lets events.amazonaws.com.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},` +
		`"Action":"sns:Publish","Resource":"` + *topic.TopicArn + `"}]}`
	if _, err := topics.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn,
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("http"),
		Endpoint: aws.String(sub.URL + "/hook")}); err != nil {
		t.Fatal(err)
	}
	next := func(want string) snsMessage {
		t.Helper()
		select {
		case m := <-got:
			if m.Type != want {
				t.Fatalf("delivery of type %q (%+v); want %s", m.Type, m, want)
			}
			return m
		case <-ctx.Done():
			t.Fatalf("no %s delivered", want)
		}
		return snsMessage{}
	}
	confirm := next("SubscriptionConfirmation")
	resp, err := http.Get(confirm.SubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET SubscribeURL = %d; want 200", resp.StatusCode)
	}

	if _, err := bus.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("user-created"),
		EventPattern: aws.String(`{"source":["aws.iam"],"detail":{"eventName":["CreateUser"]}}`)}); err != nil {
		t.Fatal(err)
	}
	pt, err := bus.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("user-created"),
		Targets: []ebtypes.Target{{Id: aws.String("topic"), Arn: topic.TopicArn}}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("PutTargets = %+v, %v", pt, err)
	}
	if _, err := iamc.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("watched")}); err != nil {
		t.Fatal(err)
	}
	n := next("Notification")
	var ev struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventName         string            `json:"eventName"`
			RequestParameters map[string]string `json:"requestParameters"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(n.Message), &ev); err != nil {
		t.Fatalf("Message %q: %v", n.Message, err)
	}
	if ev.Source != "aws.iam" || ev.DetailType != "AWS API Call via CloudTrail" || ev.Detail.EventName != "CreateUser" ||
		ev.Detail.RequestParameters["userName"] != "watched" || n.TopicArn != *topic.TopicArn {
		t.Errorf("delivered %+v (topic %s); want the CreateUser record of watched as an EventBridge event", ev, n.TopicArn)
	}
}
