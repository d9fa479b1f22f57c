package snsapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestTopicLifecycle creates, reads, changes and deletes a topic through the SDK: CreateTopic is
// idempotent for the same attributes and refuses different ones, GetTopicAttributes answers AWS's
// attribute set with the default policy, DeleteTopic of a topic that does not exist succeeds.
func TestTopicLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	out, err := e.admin.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("alerts"),
		Attributes: map[string]string{"DisplayName": "Alerts"}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := *out.TopicArn
	if want := "arn:aws:sns:us-east-1:" + e.Account.ID + ":alerts"; arn != want {
		t.Fatalf("TopicArn = %s, want %s", arn, want)
	}
	t.Run("same attributes again", func(t *testing.T) {
		again, err := e.admin.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("alerts"), Attributes: map[string]string{"DisplayName": "Alerts"}})
		testutil.WantCode(t, err, "")
		if *again.TopicArn != arn {
			t.Fatalf("TopicArn = %s, want %s", *again.TopicArn, arn)
		}
	})
	for _, tc := range []struct {
		name string
		in   *awssns.CreateTopicInput
		code string
		msg  string
	}{
		{"different attributes", &awssns.CreateTopicInput{Name: aws.String("alerts"), Attributes: map[string]string{"DisplayName": "Other"}},
			"InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes"},
		{"different tags", &awssns.CreateTopicInput{Name: aws.String("alerts"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}},
			"InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags"},
		{"bad name", &awssns.CreateTopicInput{Name: aws.String("no spaces")}, "InvalidParameter", "Invalid parameter: Topic Name"},
		{"fifo", &awssns.CreateTopicInput{Name: aws.String("q"), Attributes: map[string]string{"FifoTopic": "true"}}, "InvalidParameter", ""},
		{"unknown attribute", &awssns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Colour": "red"}}, "InvalidParameter", "Invalid parameter: AttributeName"},
		{"bad policy", &awssns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Policy": "{"}}, "InvalidParameter", ""},
		{"policy of another service", &awssns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`}},
			"InvalidParameter", "Invalid parameter: Policy statement action out of service scope!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.admin.CreateTopic(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want message %q", err, tc.msg)
			}
		})
	}
	t.Run("attributes", func(t *testing.T) {
		got := e.topicAttributes(arn)
		want := map[string]string{"TopicArn": arn, "Owner": e.Account.ID, "DisplayName": "Alerts", "SubscriptionsPending": "0",
			"SubscriptionsConfirmed": "0", "SubscriptionsDeleted": "0", "SignatureVersion": "1"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		var pol struct {
			ID        string `json:"Id"`
			Statement []struct {
				Sid       string
				Resource  string
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(got["Policy"]), &pol); err != nil {
			t.Fatalf("Policy %q: %v", got["Policy"], err)
		}
		if pol.ID != "__default_policy_ID" || len(pol.Statement) != 1 || pol.Statement[0].Resource != arn ||
			pol.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != e.Account.ID {
			t.Errorf("Policy = %s, want AWS's default policy of the topic", got["Policy"])
		}
		if !strings.Contains(got["EffectiveDeliveryPolicy"], `"numRetries":3`) {
			t.Errorf("EffectiveDeliveryPolicy = %s, want the default (3 retries)", got["EffectiveDeliveryPolicy"])
		}
	})
	t.Run("set attributes", func(t *testing.T) {
		for _, a := range [][2]string{{"DisplayName", "Security"}, {"SignatureVersion", "2"},
			{"DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":10,"maxDelayTarget":10}}}`}} {
			if _, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String(a[0]), AttributeValue: aws.String(a[1])}); err != nil {
				t.Fatalf("SetTopicAttributes %s: %v", a[0], err)
			}
		}
		got := e.topicAttributes(arn)
		if got["DisplayName"] != "Security" || got["SignatureVersion"] != "2" || !strings.Contains(got["EffectiveDeliveryPolicy"], `"numRetries":5`) {
			t.Fatalf("attributes = %v, want DisplayName Security, SignatureVersion 2, numRetries 5", got)
		}
		for _, bad := range [][2]string{{"SignatureVersion", "3"}, {"Colour", "red"}, {"DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"numRetries":500}}}`}} {
			_, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String(bad[0]), AttributeValue: aws.String(bad[1])})
			testutil.WantCode(t, err, "InvalidParameter")
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := e.admin.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn + "-missing")})
		testutil.WantCode(t, err, "NotFound")
		testutil.WantStatus(t, err, 404)
		_, err = e.admin.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String("not-an-arn")})
		testutil.WantCode(t, err, "InvalidParameter")
		_, err = e.admin.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:eu-west-1:" + e.Account.ID + ":alerts")})
		testutil.WantCode(t, err, "InvalidParameter")
	})
	t.Run("delete", func(t *testing.T) {
		for range 2 { // deleting a topic that does not exist is not an error
			if _, err := e.admin.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
				t.Fatalf("DeleteTopic: %v", err)
			}
		}
		_, err := e.admin.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		testutil.WantCode(t, err, "NotFound")
	})
}

// TestListTopicsPages lists 105 topics in pages of 100, as AWS does, and refuses a NextToken it
// did not issue.
func TestListTopicsPages(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	for i := range 105 {
		e.createTopic(fmt.Sprintf("t%03d", i))
	}
	p1, err := e.admin.ListTopics(ctx, &awssns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Topics) != 100 || p1.NextToken == nil {
		t.Fatalf("page 1: %d topics, NextToken %v; want 100 and a token", len(p1.Topics), p1.NextToken)
	}
	p2, err := e.admin.ListTopics(ctx, &awssns.ListTopicsInput{NextToken: p1.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Topics) != 5 || p2.NextToken != nil {
		t.Fatalf("page 2: %d topics, NextToken %v; want 5 and none", len(p2.Topics), p2.NextToken)
	}
	if got := *p2.Topics[4].TopicArn; !strings.HasSuffix(got, ":t104") {
		t.Fatalf("last topic %s, want t104", got)
	}
	_, err = e.admin.ListTopics(ctx, &awssns.ListTopicsInput{NextToken: aws.String("forged")})
	testutil.WantCode(t, err, "InvalidParameter")
	// Another account sees none of them.
	other := e.otherAccount("other")
	oc := e.user(other, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}`)
	lo, err := oc.ListTopics(ctx, &awssns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lo.Topics) != 0 {
		t.Fatalf("another account lists %d topics, want 0", len(lo.Topics))
	}
}

// TestTags tags, lists and untags a topic, and checks the limits.
func TestTags(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("tagged")
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	if _, err := e.admin.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{tag("a", "1"), tag("b", "2")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.UntagResource(ctx, &awssns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	l, err := e.admin.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tags) != 1 || *l.Tags[0].Key != "b" || *l.Tags[0].Value != "2" {
		t.Fatalf("tags = %v, want b=2", l.Tags)
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = tag(fmt.Sprintf("k%d", i), "v")
	}
	for _, tc := range []struct {
		name string
		arn  string
		tags []types.Tag
		code string
	}{
		{"over 50", arn, many, "TagLimitExceeded"},
		{"duplicate keys", arn, []types.Tag{tag("x", "1"), tag("x", "2")}, "InvalidParameter"},
		{"reserved prefix", arn, []types.Tag{tag("aws:x", "1")}, "TagPolicy"},
		{"no such topic", arn + "-gone", []types.Tag{tag("x", "1")}, "ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.admin.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: tc.tags})
			testutil.WantCode(t, err, tc.code)
		})
	}
}
