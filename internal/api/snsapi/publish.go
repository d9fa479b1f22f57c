package snsapi

import (
	"encoding/base64"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/trail"
)

var Publish = api.Add(&ops, &api.Op[PublishInput, PublishOutput]{
	Name:      "Publish",
	Authorize: authorizePublish,
	Run:       publish,
})

// PublishInput is Publish's request. MessageAttributes is a map of structures
// (MessageAttributes.entry.N.Name, ….Value.DataType, ….Value.StringValue, ….Value.BinaryValue),
// read from the request's parameters (attributesFrom); a console caller sets it directly.
type PublishInput struct {
	TopicArn               string
	TargetArn              string
	PhoneNumber            string
	Message                string
	Subject                *string
	MessageStructure       string
	MessageAttributes      map[string]sns.MessageAttribute `query:"-"`
	MessageDeduplicationId string
	MessageGroupId         string
}

// PublishOutput is Publish's result; SequenceNumber only for a FIFO topic.
type PublishOutput struct {
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

// domain is the request for internal/sns.
func (in *PublishInput) domain() *sns.PublishInput {
	return &sns.PublishInput{TopicARN: in.TopicArn, TargetARN: in.TargetArn, PhoneNumber: in.PhoneNumber, Subject: in.Subject,
		Message: in.Message, Structure: in.MessageStructure, Attributes: in.MessageAttributes,
		GroupID: in.MessageGroupId, DeduplicationID: in.MessageDeduplicationId}
}

// authorizePublish checks the request, then decides sns:Publish on the topic with its access
// policy, or on "*" for a message to a phone number.
func authorizePublish(c *api.Call, in *PublishInput) error {
	trailPublish(c, in)
	s, err := service(c)
	if err != nil {
		return err
	}
	if c.Query != nil {
		if in.MessageAttributes, err = attributesFrom(c.Query); err != nil {
			return err
		}
	}
	d := in.domain()
	if err := s.CheckPublish(d); err != nil {
		return err
	}
	topicARN, _ := d.Target()
	if topicARN == "" {
		return authorizeAny(c, "sns:Publish", nil)
	}
	return authorizeTopic(c, "sns:Publish", topicARN, nil)
}

// trailPublish sets Publish's CloudTrail requestParameters before anything can fail: they never
// show the message, its subject or its attributes, whoever calls and whatever the outcome.
func trailPublish(c *api.Call, in *PublishInput) {
	c.TrailRequest = map[string]any{"message": trail.Hidden}
	for k, v := range map[string]string{"topicArn": in.TopicArn, "targetArn": in.TargetArn, "phoneNumber": in.PhoneNumber, "messageStructure": in.MessageStructure} {
		if v != "" {
			c.TrailRequest[k] = v
		}
	}
	if in.Subject != nil {
		c.TrailRequest["subject"] = trail.Hidden
	}
}

func publish(c *api.Call, in *PublishInput) (*PublishOutput, error) {
	p, err := c.SNS.PublishMessage(c.Ctx, in.domain())
	if err != nil {
		return nil, err
	}
	return &PublishOutput{MessageId: p.MessageID, SequenceNumber: p.SequenceNumber}, nil
}

// attributesFrom reads Publish's MessageAttributes from the request's parameters; a gap ends the
// map, as in the awsQuery deserializers. A BinaryValue that is not base64 is refused.
func attributesFrom(q awsproto.Params) (map[string]sns.MessageAttribute, error) {
	var out map[string]sns.MessageAttribute
	for n := 1; ; n++ {
		prefix := "MessageAttributes.entry." + strconv.Itoa(n) + "."
		name, ok := q[prefix+"Name"]
		if !ok {
			return out, nil
		}
		a := sns.MessageAttribute{DataType: q[prefix+"Value.DataType"], StringValue: q[prefix+"Value.StringValue"]}
		if b, ok := q[prefix+"Value.BinaryValue"]; ok {
			v, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, sns.Errorf(sns.CodeParameterValueInvalid, "The message attribute '%s' has an invalid binary value.", name)
			}
			a.BinaryValue = v
		}
		if a.DataType == "" {
			return nil, awsproto.MissingParam("DataType")
		}
		if out == nil {
			out = map[string]sns.MessageAttribute{}
		}
		out[name] = a
	}
}
