package snsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/sns"
)

// Topics: CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, SetTopicAttributes.

var CreateTopic = api.Add(&ops, &api.Op[CreateTopicInput, TopicARNOutput]{
	Name: "CreateTopic",
	Authorize: func(c *api.Call, in *CreateTopicInput) error {
		s, err := service(c)
		if err != nil {
			return err
		}
		if err := sns.CheckTopicName(in.Name); err != nil {
			return err
		}
		return authorizeTopic(c, "sns:CreateTopic", s.TopicARN(c.Account(), in.Name), requestTags(in.Tags))
	},
	Run: createTopic,
})

// CreateTopicInput is CreateTopic's request. DataProtectionPolicy is accepted and not applied
// (Rootward does not inspect message content).
type CreateTopicInput struct {
	Name                 string `required:"true"`
	Attributes           map[string]string
	Tags                 []Tag
	DataProtectionPolicy string
}

// TopicARNOutput is CreateTopic's result.
type TopicARNOutput struct {
	TopicArn string
}

func createTopic(c *api.Call, in *CreateTopicInput) (*TopicARNOutput, error) {
	t, err := c.SNS.CreateTopic(c.Ctx, c.Account(), in.Name, in.Attributes, domainTags(in.Tags))
	if err != nil {
		return nil, err
	}
	return &TopicARNOutput{TopicArn: t.ARN}, nil
}

var DeleteTopic = api.Add(&ops, &api.Op[TopicInput, struct{}]{
	Name:      "DeleteTopic",
	Authorize: func(c *api.Call, in *TopicInput) error { return authorizeTopic(c, "sns:DeleteTopic", in.TopicArn, nil) },
	Run: func(c *api.Call, in *TopicInput) (*struct{}, error) {
		return nil, c.SNS.DeleteTopic(c.Ctx, in.TopicArn)
	},
})

// TopicInput names a topic.
type TopicInput struct {
	TopicArn string `required:"true"`
}

var ListTopics = api.Add(&ops, &api.Op[ListInput, ListTopicsOutput]{
	Name:      "ListTopics",
	Authorize: func(c *api.Call, in *ListInput) error { return authorizeAny(c, "sns:ListTopics", nil) },
	Run:       listTopics,
})

// ListTopicsOutput is ListTopics' result.
type ListTopicsOutput struct {
	Topics []TopicMember `xml:"Topics>member"`
	Paged
}

// TopicMember is a topic in ListTopics.
type TopicMember struct {
	TopicArn string
}

func listTopics(c *api.Call, in *ListInput) (*ListTopicsOutput, error) {
	p, err := c.SNS.ListTopics(c.Ctx, c.Account(), in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListTopicsOutput{Topics: make([]TopicMember, len(p.Items))}
	for i, a := range p.Items {
		out.Topics[i].TopicArn = a
	}
	if p.Truncated {
		out.NextToken = p.Last
	}
	return out, nil
}

var GetTopicAttributes = api.Add(&ops, &api.Op[TopicInput, AttributesOutput]{
	Name: "GetTopicAttributes",
	Authorize: func(c *api.Call, in *TopicInput) error {
		return authorizeTopic(c, "sns:GetTopicAttributes", in.TopicArn, nil)
	},
	Run: func(c *api.Call, in *TopicInput) (*AttributesOutput, error) {
		m, err := c.SNS.TopicAttributes(c.Ctx, in.TopicArn)
		if err != nil {
			return nil, err
		}
		return &AttributesOutput{Attributes: attributesOf(m)}, nil
	},
})

// AttributesOutput is GetTopicAttributes' and GetSubscriptionAttributes' result.
type AttributesOutput struct {
	Attributes Attributes
}

var SetTopicAttributes = api.Add(&ops, &api.Op[SetTopicAttributesInput, struct{}]{
	Name: "SetTopicAttributes",
	Authorize: func(c *api.Call, in *SetTopicAttributesInput) error {
		return authorizeTopic(c, "sns:SetTopicAttributes", in.TopicArn, nil)
	},
	Run: func(c *api.Call, in *SetTopicAttributesInput) (*struct{}, error) {
		return nil, c.SNS.SetTopicAttribute(c.Ctx, in.TopicArn, in.AttributeName, in.AttributeValue)
	},
})

// SetTopicAttributesInput is SetTopicAttributes' request; an absent AttributeValue is "" (the
// default, for Policy and DeliveryPolicy).
type SetTopicAttributesInput struct {
	TopicArn       string `required:"true"`
	AttributeName  string `required:"true"`
	AttributeValue string
}
