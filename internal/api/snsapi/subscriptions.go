package snsapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/trail"
)

// Subscriptions: Subscribe, ConfirmSubscription, ListSubscriptions, ListSubscriptionsByTopic,
// Unsubscribe, GetSubscriptionAttributes, SetSubscriptionAttributes.

var Subscribe = api.Add(&ops, &api.Op[SubscribeInput, SubscriptionARNOutput]{
	Name: "Subscribe",
	Authorize: func(c *api.Call, in *SubscribeInput) error {
		// sns:Protocol and sns:Endpoint, the Subscribe request's own keys.
		keys := func(ctx *policy.Context) {
			ctx.Set("sns:Protocol", in.Protocol)
			if in.Endpoint != "" {
				ctx.Set("sns:Endpoint", in.Endpoint)
			}
		}
		return authorizeTopic(c, "sns:Subscribe", in.TopicArn, keys)
	},
	Run: subscribe,
})

// SubscribeInput is Subscribe's request.
type SubscribeInput struct {
	TopicArn              string `required:"true"`
	Protocol              string `required:"true"`
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionArn bool
}

// SubscriptionARNOutput is Subscribe's and ConfirmSubscription's result.
type SubscriptionARNOutput struct {
	SubscriptionArn string
}

func subscribe(c *api.Call, in *SubscribeInput) (*SubscriptionARNOutput, error) {
	sub, err := c.SNS.Subscribe(c.Ctx, sns.SubscribeInput{
		Owner: c.Account(), TopicARN: in.TopicArn, Protocol: in.Protocol, Endpoint: in.Endpoint, Attributes: in.Attributes,
	})
	if err != nil {
		return nil, err
	}
	// "If you set this parameter to true, the response includes the ARN in all cases, even if the
	// subscription is not yet confirmed" (SNS API Reference, Subscribe); otherwise a pending
	// subscription answers "pending confirmation".
	arn := sub.ARN
	if sub.Pending && !in.ReturnSubscriptionArn {
		arn = sns.PendingConfirmation
	}
	return &SubscriptionARNOutput{SubscriptionArn: arn}, nil
}

var ConfirmSubscription = api.Add(&ops, &api.Op[ConfirmSubscriptionInput, SubscriptionARNOutput]{
	Name: "ConfirmSubscription",
	Authorize: func(c *api.Call, in *ConfirmSubscriptionInput) error {
		// The token is a credential: CloudTrail never shows it, whatever the outcome.
		c.TrailRequest = map[string]any{"topicArn": in.TopicArn, "token": trail.Hidden,
			"authenticateOnUnsubscribe": in.AuthenticateOnUnsubscribe}
		return authorizeTopic(c, "sns:ConfirmSubscription", in.TopicArn, nil)
	},
	Run: func(c *api.Call, in *ConfirmSubscriptionInput) (*SubscriptionARNOutput, error) {
		sub, err := c.SNS.ConfirmSubscription(c.Ctx, in.TopicArn, in.Token, true, strings.EqualFold(in.AuthenticateOnUnsubscribe, "true"))
		if err != nil {
			return nil, err
		}
		return &SubscriptionARNOutput{SubscriptionArn: sub.ARN}, nil
	},
})

// ConfirmSubscriptionInput is ConfirmSubscription's request; AuthenticateOnUnsubscribe is the
// string "true" or "false", as SNS's model has it.
type ConfirmSubscriptionInput struct {
	TopicArn                  string `required:"true"`
	Token                     string `required:"true"`
	AuthenticateOnUnsubscribe string
}

// ListSubscriptionsOutput is ListSubscriptions' and ListSubscriptionsByTopic's result.
type ListSubscriptionsOutput struct {
	Subscriptions []SubscriptionMember `xml:"Subscriptions>member"`
	Paged
}

// SubscriptionMember is a subscription in a list.
type SubscriptionMember struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

func subscriptionsPage(p sns.SubscriptionPage) *ListSubscriptionsOutput {
	out := &ListSubscriptionsOutput{Subscriptions: make([]SubscriptionMember, len(p.Items)), Paged: Paged{NextToken: p.Next}}
	for i, s := range p.Items {
		out.Subscriptions[i] = SubscriptionMember{SubscriptionArn: s.ListedARN(), Owner: s.Owner, Protocol: s.Protocol,
			Endpoint: s.Endpoint, TopicArn: s.TopicARN}
	}
	return out
}

var ListSubscriptions = api.Add(&ops, &api.Op[ListInput, ListSubscriptionsOutput]{
	Name:      "ListSubscriptions",
	Authorize: func(c *api.Call, in *ListInput) error { return authorizeAny(c, "sns:ListSubscriptions", nil) },
	Run: func(c *api.Call, in *ListInput) (*ListSubscriptionsOutput, error) {
		p, err := c.SNS.ListSubscriptions(c.Ctx, c.Account(), in.NextToken)
		if err != nil {
			return nil, err
		}
		return subscriptionsPage(p), nil
	},
})

var ListSubscriptionsByTopic = api.Add(&ops, &api.Op[ListSubscriptionsByTopicInput, ListSubscriptionsOutput]{
	Name: "ListSubscriptionsByTopic",
	Authorize: func(c *api.Call, in *ListSubscriptionsByTopicInput) error {
		return authorizeTopic(c, "sns:ListSubscriptionsByTopic", in.TopicArn, nil)
	},
	Run: func(c *api.Call, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsOutput, error) {
		p, err := c.SNS.ListSubscriptionsByTopic(c.Ctx, in.TopicArn, in.NextToken)
		if err != nil {
			return nil, err
		}
		return subscriptionsPage(p), nil
	},
})

// ListSubscriptionsByTopicInput is ListSubscriptionsByTopic's request.
type ListSubscriptionsByTopicInput struct {
	TopicArn string `required:"true"`
	ListInput
}

// The actions on a subscription have no resource type in the Service Authorization Reference:
// they are authorized on "*", and internal/sns allows them only to the subscription's owner and
// its topic's owner (SNS API Reference, Unsubscribe).

var Unsubscribe = api.Add(&ops, &api.Op[SubscriptionInput, struct{}]{
	Name:      "Unsubscribe",
	Authorize: func(c *api.Call, in *SubscriptionInput) error { return authorizeAny(c, "sns:Unsubscribe", nil) },
	Run: func(c *api.Call, in *SubscriptionInput) (*struct{}, error) {
		return nil, c.SNS.Unsubscribe(c.Ctx, in.SubscriptionArn, c.Account())
	},
})

// SubscriptionInput names a subscription.
type SubscriptionInput struct {
	SubscriptionArn string `required:"true"`
}

var GetSubscriptionAttributes = api.Add(&ops, &api.Op[SubscriptionInput, AttributesOutput]{
	Name: "GetSubscriptionAttributes",
	Authorize: func(c *api.Call, in *SubscriptionInput) error {
		return authorizeAny(c, "sns:GetSubscriptionAttributes", nil)
	},
	Run: func(c *api.Call, in *SubscriptionInput) (*AttributesOutput, error) {
		m, err := c.SNS.SubscriptionAttributes(c.Ctx, in.SubscriptionArn, c.Account())
		if err != nil {
			return nil, err
		}
		return &AttributesOutput{Attributes: attributesOf(m)}, nil
	},
})

var SetSubscriptionAttributes = api.Add(&ops, &api.Op[SetSubscriptionAttributesInput, struct{}]{
	Name: "SetSubscriptionAttributes",
	Authorize: func(c *api.Call, in *SetSubscriptionAttributesInput) error {
		return authorizeAny(c, "sns:SetSubscriptionAttributes", nil)
	},
	Run: func(c *api.Call, in *SetSubscriptionAttributesInput) (*struct{}, error) {
		return nil, c.SNS.SetSubscriptionAttribute(c.Ctx, in.SubscriptionArn, c.Account(), in.AttributeName, in.AttributeValue)
	},
})

// SetSubscriptionAttributesInput is SetSubscriptionAttributes' request.
type SetSubscriptionAttributesInput struct {
	SubscriptionArn string `required:"true"`
	AttributeName   string `required:"true"`
	AttributeValue  string
}
