package sns

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
)

// MessageAttribute is a message attribute (SNS API Reference, MessageAttributeValue): DataType is
// String, Number or Binary, optionally with a custom suffix ("String.Array", "Number.float").
type MessageAttribute struct {
	DataType    string `json:"t"`
	StringValue string `json:"s,omitempty"`
	BinaryValue []byte `json:"b,omitempty"`
}

// PublishInput is a Publish request: exactly one of TopicARN, TargetARN (a topic's ARN: Rootward
// serves no mobile endpoints) and PhoneNumber.
type PublishInput struct {
	TopicARN, TargetARN, PhoneNumber string
	// Subject, when non-nil, is the Subject member as sent (an empty one is refused).
	Subject    *string
	Message    string
	Structure  string // "" or "json"
	Attributes map[string]MessageAttribute
	// GroupID and DeduplicationID are MessageGroupId and MessageDeduplicationId, for FIFO topics.
	GroupID, DeduplicationID string
}

// Published is what Publish answers: the message's ID and, for a FIFO topic, its SequenceNumber.
type Published struct {
	MessageID, SequenceNumber string
}

// maxMessageBytes is the limit of a message with its attributes ("The maximum size is 256 KB
// (262,144 bytes)", SNS API Reference, Publish).
const maxMessageBytes = 262144

// maxAttributes is the number of message attributes a message may carry (Amazon SNS Developer
// Guide, "Amazon SNS message attributes": "up to 10").
const maxAttributes = 10

// Target is where a valid Publish request goes: a topic's ARN or a phone number.
func (in *PublishInput) Target() (topicARN, phone string) {
	if in.TopicARN != "" {
		return in.TopicARN, ""
	}
	if in.TargetARN != "" {
		return in.TargetARN, ""
	}
	return "", in.PhoneNumber
}

// CheckPublish validates a Publish request before anything is authorized or read, in the order
// AWS checks (the messages are AWS's where known: "Invalid parameter: TopicArn or TargetArn
// Reason: no value for required parameter", "Invalid parameter: Message too long", "Invalid
// parameter: Message Structure - No default entry in JSON message body").
func (s *Service) CheckPublish(in *PublishInput) error {
	n := 0
	for _, v := range []string{in.TopicARN, in.TargetARN, in.PhoneNumber} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return invalid("TopicArn or TargetArn Reason: no value for required parameter")
	case n > 1:
		return invalid("TopicArn, TargetArn or PhoneNumber Reason: only one of them may be given")
	}
	if in.TopicARN != "" {
		if _, _, err := s.ParseTopicARN(in.TopicARN, "TopicArn"); err != nil {
			return err
		}
	}
	if in.TargetARN != "" {
		if _, _, err := s.ParseTopicARN(in.TargetARN, "TargetArn"); err != nil {
			return err
		}
	}
	if in.PhoneNumber != "" && !notify.ValidPhone(in.PhoneNumber) {
		return invalid("PhoneNumber Reason: %s is not valid to publish to", in.PhoneNumber)
	}
	if in.Subject != nil && !validSubject(*in.Subject) {
		return invalid("Subject")
	}
	if strings.TrimSpace(in.Message) == "" {
		return invalid("Empty message")
	}
	size := len(in.Message)
	for name, a := range in.Attributes {
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if size > maxMessageBytes {
		return invalid("Message too long")
	}
	switch in.Structure {
	case "":
	case "json":
		if _, err := messageStructure(in.Message); err != nil {
			return err
		}
	default:
		return invalid("MessageStructure")
	}
	return checkAttributes(in.Attributes)
}

// validSubject is Publish's rule for Subject: "Subjects must be UTF-8 text with no line breaks or
// control characters, and less than 100 characters long" (SNS API Reference, Publish).
func validSubject(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) >= 100 {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// messageStructure parses a MessageStructure=json message: a JSON object with a "default" string,
// and per-protocol strings; members that are not strings are ignored.
func messageStructure(msg string) (map[string]string, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(msg), &m); err != nil || m == nil {
		return nil, invalid("Message Structure - JSON message body failed to parse")
	}
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	if _, ok := out["default"]; !ok {
		return nil, invalid("Message Structure - No default entry in JSON message body")
	}
	return out, nil
}

// checkAttributes validates message attributes (Amazon SNS Developer Guide, "Amazon SNS message
// attributes"); the messages are AWS's ParameterValueInvalid ones where known.
func checkAttributes(attrs map[string]MessageAttribute) error {
	if len(attrs) > maxAttributes {
		return Errorf(CodeParameterValueInvalid, "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxAttributes)
	}
	for _, name := range sortedAttrNames(attrs) {
		a := attrs[name]
		if err := checkAttributeName(name); err != nil {
			return err
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		if base != "String" && base != "Number" && base != "Binary" || len(a.DataType) > 256 {
			return Errorf(CodeParameterValueInvalid, "The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		switch {
		case base == "Binary" && a.BinaryValue == nil:
			return Errorf(CodeParameterValueInvalid, "The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
		case base != "Binary" && a.StringValue == "":
			if a.BinaryValue != nil {
				return Errorf(CodeParameterValueInvalid, "The message attribute '%s' with type '%s' must use field 'String'.", name, a.DataType)
			}
			return Errorf(CodeParameterValueInvalid, "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
		case base == "Binary" && len(a.BinaryValue) == 0:
			return Errorf(CodeParameterValueInvalid, "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
				return Errorf(CodeParameterValueInvalid, "Could not cast message attribute '%s' value to number.", name)
			}
		}
	}
	return nil
}

// checkAttributeName: "The message attribute name can contain the following characters: A-Z,
// a-z, 0-9, underscore(_), hyphen(-), and period (.). The name must not start or end with a
// period, and it should not have successive periods", at most 256 characters.
func checkAttributeName(name string) error {
	switch {
	case name == "":
		return Errorf(CodeParameterValueInvalid, "The message attribute name must not be empty.")
	case len(name) > 256:
		return Errorf(CodeParameterValueInvalid, "Length of message attribute name must be less than 256 bytes.")
	case name[0] == '.':
		return Errorf(CodeParameterValueInvalid, "Invalid message attribute name starting with character '.' was found.")
	case name[len(name)-1] == '.':
		return Errorf(CodeParameterValueInvalid, "Invalid message attribute name ending with character '.' was found.")
	case strings.Contains(name, ".."):
		return Errorf(CodeParameterValueInvalid, "Message attribute name can not have successive '.' character.")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return Errorf(CodeParameterValueInvalid, "Invalid non-alphanumeric character '#x%s' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", strings.ToUpper(strconv.FormatInt(int64(r), 16)))
		}
	}
	return nil
}

func sortedAttrNames(attrs map[string]MessageAttribute) []string {
	m := make(map[string]string, len(attrs))
	for k := range attrs {
		m[k] = ""
	}
	return sortedKeys(m)
}

// Publish publishes a valid (CheckPublish) message: to every confirmed subscription of the topic
// whose filter policy matches, or to a phone number. It returns the message ID once the
// deliveries are queued; delivery is asynchronous. Returns NotFound for a topic that does not
// exist.
func (s *Service) Publish(ctx context.Context, in *PublishInput) (string, error) {
	p, err := s.PublishMessage(ctx, in)
	return p.MessageID, err
}

// PublishMessage is Publish, answering a FIFO message's SequenceNumber too (fifo.go): a FIFO
// topic requires GroupID and a deduplication ID (or ContentBasedDeduplication), a standard topic
// or a phone number refuses them, with InvalidParameter.
func (s *Service) PublishMessage(ctx context.Context, in *PublishInput) (Published, error) {
	if err := s.CheckPublish(in); err != nil {
		return Published{}, err
	}
	topicARN, phone := in.Target()
	if phone != "" {
		if err := checkFifoMembers(&Topic{}, in); err != nil {
			return Published{}, err
		}
		id, err := s.publishToPhone(ctx, in, phone)
		return Published{MessageID: id}, err
	}
	t, err := s.Topic(ctx, topicARN)
	if err != nil {
		return Published{}, err
	}
	if t == nil {
		return Published{}, errTopicNotFound
	}
	if err := checkFifoMembers(t, in); err != nil {
		return Published{}, err
	}
	return s.publishChecked(ctx, t, in)
}

// publishChecked publishes a checked message to topic t: a standard topic's fans out; a FIFO
// message is numbered, or found a duplicate, before its fan-out. FIFO topics have no subscription
// Rootward delivers to (fifo.go), so the fan-out finds none.
func (s *Service) publishChecked(ctx context.Context, t *Topic, in *PublishInput) (Published, error) {
	if !t.Fifo {
		id, err := s.publishToTopic(ctx, t, in)
		return Published{MessageID: id}, err
	}
	var p Published
	dup := false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		p.MessageID, p.SequenceNumber, dup, err = s.acceptFifo(tx, t, in, newID(), s.now().UTC())
		return err
	})
	if err != nil || dup {
		return p, err
	}
	_, err = s.publishToTopicAs(ctx, t, in, p.MessageID)
	return p, err
}

// PublishAs publishes message to topicARN on behalf of a service principal
// ("events.amazonaws.com"): the topic's access policy must allow sns:Publish for that principal,
// with aws:SourceAccount and aws:SourceArn the source's (sourceARN: the EventBridge rule), as AWS
// requires for EventBridge targets. It returns when the message is accepted (delivery is
// asynchronous). Returns NotFound, AuthorizationError, or InvalidParameter for a bad message.
func (s *Service) PublishAs(ctx context.Context, principal, sourceARN, topicARN, subject, message string) (string, error) {
	in := &PublishInput{TopicARN: topicARN, Message: message}
	if subject != "" {
		// EventBridge's subject is Rootward's; a long one is cut rather than refused.
		subject = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, subject)
		if r := []rune(subject); len(r) >= 100 {
			subject = string(r[:99])
		}
		in.Subject = &subject
	}
	p, err := s.publishAs(ctx, principal, sourceARN, in)
	return p.MessageID, err
}

// PublishFifoAs is PublishAs to a FIFO topic: message goes in message group group, deduplicated
// by dedupID (EventBridge's delivery's, the same for each attempt, so that a retried delivery is
// accepted but not numbered again). It answers the message's SequenceNumber.
func (s *Service) PublishFifoAs(ctx context.Context, principal, sourceARN, topicARN, message, group, dedupID string) (Published, error) {
	return s.publishAs(ctx, principal, sourceARN, &PublishInput{TopicARN: topicARN, Message: message, GroupID: group, DeduplicationID: dedupID})
}

func (s *Service) publishAs(ctx context.Context, principal, sourceARN string, in *PublishInput) (Published, error) {
	if err := s.CheckPublish(in); err != nil {
		return Published{}, err
	}
	t, err := s.Topic(ctx, in.TopicARN)
	if err != nil {
		return Published{}, err
	}
	if t == nil {
		return Published{}, errTopicNotFound
	}
	if err := s.AllowsService(t, principal, sourceARN, "sns:Publish"); err != nil {
		return Published{}, err
	}
	if err := checkFifoMembers(t, in); err != nil {
		return Published{}, err // a FIFO topic needs a MessageGroupId: its target's SqsParameters
	}
	return s.publishChecked(ctx, t, in)
}

// fanOutBatch is how many subscriptions one transaction of a publish queues deliveries for.
const fanOutBatch = 256

func (s *Service) publishToTopic(ctx context.Context, t *Topic, in *PublishInput) (string, error) {
	return s.publishToTopicAs(ctx, t, in, newID())
}

// publishToTopicAs queues the deliveries of message msgID to the topic's matching subscriptions.
func (s *Service) publishToTopicAs(ctx context.Context, t *Topic, in *PublishInput, msgID string) (string, error) {
	now := s.now().UTC()
	var structure map[string]string
	if in.Structure == "json" {
		structure, _ = messageStructure(in.Message)
	}
	subject := ""
	if in.Subject != nil {
		subject = *in.Subject
	}
	prefix := stateValue(t.ARN, false) + "\x00"
	after, queued := "", 0
	for {
		var n int
		err := s.st.Update(ctx, func(tx store.Tx) error {
			items, err := subscriptions.IndexRange(tx, byState, "", prefix)(after, fanOutBatch)
			if err != nil {
				return err
			}
			n = len(items)
			for _, it := range items {
				_, r, ok, err := subscriptions.Resolve(tx, "", it)
				if err != nil {
					return err
				}
				if !ok || !matchesFilter(r.FilterPolicy, r.FilterPolicyScope, in.Attributes, in.Message) {
					continue
				}
				msg := in.Message
				if structure != nil {
					msg = structure["default"]
					if v, ok := structure[r.Protocol]; ok {
						msg = v
					}
				}
				d := s.notificationFor(t, subscriptionOf(r), msgID, subject, msg, in.Attributes, now)
				if err := s.queue(tx, d); err != nil {
					return err
				}
				queued++
			}
			if n > 0 {
				after = items[n-1].Key
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		if n < fanOutBatch {
			break
		}
	}
	if queued > 0 {
		s.Wake()
	}
	return msgID, nil
}

func (s *Service) publishToPhone(ctx context.Context, in *PublishInput, phone string) (string, error) {
	msgID := newID()
	msg := in.Message
	if in.Structure == "json" {
		structure, _ := messageStructure(in.Message)
		msg = structure["default"]
		if v, ok := structure[ProtoSMS]; ok {
			msg = v
		}
	}
	d := &pendingDelivery{rec: deliveryRecord{Type: typeNotification, MessageID: msgID, Protocol: ProtoSMS, Endpoint: phone,
		Timestamp: s.now().UTC()}, payload: payload{Message: msg}}
	if err := s.st.Update(ctx, func(tx store.Tx) error { return s.queue(tx, d) }); err != nil {
		return "", err
	}
	s.Wake()
	return msgID, nil
}

// The message types of SNS's HTTP/S and email-json messages.
const (
	typeNotification = "Notification"
	typeConfirmation = "SubscriptionConfirmation"
	typeUnsubscribe  = "UnsubscribeConfirmation"
)

// unsubscribeConfirmationFor is the UnsubscribeConfirmation of sub, deleted: a token and its
// SubscribeURL restore it. The text is AWS's (Amazon SNS Developer Guide, "Parsing message
// formats", HTTP/HTTPS unsubscribe confirmation JSON format).
func (s *Service) unsubscribeConfirmationFor(tr *topicRecord, sub *Subscription, token string, now time.Time) *pendingDelivery {
	d := s.confirmationFor(tr, sub, token, now)
	d.rec.Type = typeUnsubscribe
	d.payload.Message = "You have chosen to deactivate subscription " + sub.ARN +
		".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	return d
}

// payload is what a delivery carries sealed: the message, its attributes, and for a
// (un)subscribe confirmation the token.
type payload struct {
	Message    string                      `json:"m"`
	Attributes map[string]MessageAttribute `json:"a,omitempty"`
	Token      string                      `json:"t,omitempty"`
}

// pendingDelivery is a delivery to queue: its record, its payload (sealed when queued), and the
// delivery policy its HTTP/S retries follow (the subscription's, else the topic's).
type pendingDelivery struct {
	rec     deliveryRecord
	payload payload
	policy  string
}

func (s *Service) notificationFor(t *Topic, sub *Subscription, msgID, subject, msg string, attrs map[string]MessageAttribute, now time.Time) *pendingDelivery {
	return &pendingDelivery{
		rec: deliveryRecord{Type: typeNotification, MessageID: msgID, TopicARN: t.ARN, SubscriptionARN: sub.ARN,
			Protocol: sub.Protocol, Endpoint: sub.Endpoint, Raw: sub.Raw, Subject: subject, DisplayName: t.DisplayName,
			SigVersion: t.SignatureVersion, Timestamp: now},
		payload: payload{Message: msg, Attributes: attrs},
		policy:  firstNonEmpty(sub.DelivPolicy, t.DeliveryPolicy),
	}
}

func (s *Service) confirmationFor(tr *topicRecord, sub *Subscription, token string, now time.Time) *pendingDelivery {
	t := s.topicOf(sub.TopicAccount, tr)
	msg := "You have chosen to subscribe to the topic " + t.ARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	return &pendingDelivery{
		rec: deliveryRecord{Type: typeConfirmation, MessageID: newID(), TopicARN: t.ARN, SubscriptionARN: sub.ARN,
			Protocol: sub.Protocol, Endpoint: sub.Endpoint, DisplayName: t.DisplayName, SigVersion: t.SignatureVersion,
			Timestamp: now},
		payload: payload{Message: msg, Token: token},
		policy:  firstNonEmpty(sub.DelivPolicy, t.DeliveryPolicy),
	}
}
