package sns

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Topic is an SNS topic. Policy is its access policy (AWS's default when none was set).
type Topic struct {
	ARN, Account, Name string
	DisplayName        string
	Policy             string
	DeliveryPolicy     string
	SignatureVersion   string // "1" or "2"
	TracingConfig      string
	KmsMasterKeyID     string
	Tags               []Tag
	Created            time.Time
	// SubscriptionsDeleted counts the subscriptions removed from the topic.
	SubscriptionsDeleted int
	// Fifo marks a FIFO topic; ContentDedup is its ContentBasedDeduplication.
	Fifo, ContentDedup bool
	// Sequence is a FIFO topic's last message's SequenceNumber, 0 before its first.
	Sequence uint64
}

// Tag is a topic's tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (s *Service) topicOf(account string, r *topicRecord) *Topic {
	t := &Topic{
		ARN: s.TopicARN(account, r.Name), Account: account, Name: r.Name, DisplayName: r.DisplayName, Policy: r.Policy,
		DeliveryPolicy: r.DeliveryPolicy, SignatureVersion: r.SignatureVersion, TracingConfig: r.TracingConfig,
		KmsMasterKeyID: r.KmsMasterKeyID, Tags: slices.Clone(r.Tags), Created: r.Created, SubscriptionsDeleted: r.Deleted,
		Fifo: r.Fifo, ContentDedup: r.ContentDedup, Sequence: r.Seq,
	}
	if t.Policy == "" {
		t.Policy = defaultPolicy(t.ARN, account)
	}
	if t.SignatureVersion == "" {
		t.SignatureVersion = "1"
	}
	return t
}

// Topic returns the topic of topicARN; nil when there is none. It answers InvalidParameter for
// an ARN that is not a topic's of this region.
func (s *Service) Topic(ctx context.Context, topicARN string) (*Topic, error) {
	account, name, err := s.ParseTopicARN(topicARN, "TopicArn")
	if err != nil {
		return nil, err
	}
	var t *Topic
	err = s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := topics.Get(tx, account, name)
		if ok {
			t = s.topicOf(account, r)
		}
		return err
	})
	return t, err
}

// The topic attributes CreateTopic and SetTopicAttributes accept (SNS API Reference,
// SetTopicAttributes); FifoTopic only at creation, ContentBasedDeduplication only on a FIFO topic.
const (
	AttrDeliveryPolicy   = "DeliveryPolicy"
	AttrDisplayName      = "DisplayName"
	AttrPolicy           = "Policy"
	AttrSignatureVersion = "SignatureVersion"
	AttrTracingConfig    = "TracingConfig"
	AttrKmsMasterKeyID   = "KmsMasterKeyId"
	AttrFifoTopic        = "FifoTopic"
	AttrContentDedup     = "ContentBasedDeduplication"
)

// setAttribute checks one topic attribute and sets it on r.
func setAttribute(r *topicRecord, name, value string) error {
	switch name {
	case AttrDeliveryPolicy:
		if value != "" {
			if err := checkDeliveryPolicy(value); err != nil {
				return err
			}
		}
		r.DeliveryPolicy = value
	case AttrDisplayName:
		// "For SMS subscriptions, the display name can be up to 100 characters" (SNS API Reference);
		// Rootward bounds it the same way for every protocol.
		if len([]rune(value)) > 100 || strings.ContainsAny(value, "\r\n") {
			return invalid("DisplayName")
		}
		r.DisplayName = value
	case AttrPolicy:
		if value != "" {
			if err := checkPolicy(value); err != nil {
				return err
			}
		}
		r.Policy = value
	case AttrSignatureVersion:
		if value != "1" && value != "2" {
			return invalid("SignatureVersion")
		}
		r.SignatureVersion = value
	case AttrTracingConfig:
		if value != "PassThrough" && value != "Active" {
			return invalid("TracingConfig")
		}
		r.TracingConfig = value
	case AttrKmsMasterKeyID:
		// Kept and shown; Rootward's records are sealed under its own master key whatever it says.
		// The bound is a key ARN's or alias ARN's length (Rootward's).
		if len(value) > 2048 {
			return invalid("KmsMasterKeyId")
		}
		r.KmsMasterKeyID = value
	case AttrContentDedup:
		if !r.Fifo {
			return invalid("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
		}
		b, err := strconv.ParseBool(value)
		if err != nil || (value != "true" && value != "false") {
			return invalid("ContentBasedDeduplication Reason: Invalid value [%s] for ContentBasedDeduplication. Valid values are true and false", value)
		}
		r.ContentDedup = b
	default:
		return invalid("AttributeName")
	}
	return nil
}

// attributeOf is the value r holds for an attribute of setAttribute.
func attributeOf(r *topicRecord, name string) string {
	switch name {
	case AttrDeliveryPolicy:
		return r.DeliveryPolicy
	case AttrDisplayName:
		return r.DisplayName
	case AttrPolicy:
		return r.Policy
	case AttrSignatureVersion:
		if r.SignatureVersion == "" {
			return "1"
		}
		return r.SignatureVersion
	case AttrTracingConfig:
		return r.TracingConfig
	case AttrKmsMasterKeyID:
		return r.KmsMasterKeyID
	case AttrContentDedup:
		return strconv.FormatBool(r.ContentDedup)
	case AttrFifoTopic:
		return strconv.FormatBool(r.Fifo)
	}
	return ""
}

// CheckTopicName answers CreateTopic's InvalidParameter for a name a topic may not have.
func CheckTopicName(name string) error {
	if !validTopicName(name) {
		return invalid("Topic Name")
	}
	return nil
}

// CreateTopic creates account's topic name, or returns the existing one when the request asks for
// nothing it does not already have: AWS's CreateTopic is idempotent for the same attributes and
// tags, and answers "Invalid parameter: Attributes Reason: Topic already exists with different
// attributes" (or "… Tags …") otherwise.
func (s *Service) CreateTopic(ctx context.Context, account, name string, attrs map[string]string, tags []Tag) (*Topic, error) {
	if err := CheckTopicName(name); err != nil {
		return nil, err
	}
	r := &topicRecord{Name: name, Created: s.now().UTC()}
	if v, ok := attrs[AttrFifoTopic]; ok {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return nil, invalid("FifoTopic Reason: Invalid value [%s] for FifoTopic. Valid values are true and false", v)
		}
		r.Fifo = b
	}
	switch fifoName := strings.HasSuffix(name, fifoSuffix); {
	case r.Fifo && !fifoName:
		return nil, invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	case !r.Fifo && fifoName:
		// A standard topic's name has no dot (SNS API Reference, CreateTopic).
		return nil, invalid("Topic Name")
	}
	for _, k := range sortedKeys(attrs) {
		v := attrs[k]
		if k == AttrFifoTopic {
			continue
		}
		if err := setAttribute(r, k, v); err != nil {
			return nil, err
		}
	}
	if err := checkTags(tags, nil); err != nil {
		return nil, err
	}
	r.Tags = mergeTags(nil, tags)
	var out *Topic
	err := s.createOnce(ctx, func(tx store.Tx) error {
		old, ok, err := topics.Get(tx, account, name)
		if err != nil {
			return err
		}
		if ok {
			for k := range attrs {
				if attributeOf(old, k) != attributeOf(r, k) {
					return invalid("Attributes Reason: Topic already exists with different attributes")
				}
			}
			for _, t := range tags {
				if !slices.Contains(old.Tags, t) {
					return invalid("Tags Reason: Topic already exists with different tags")
				}
			}
			out = s.topicOf(account, old)
			return nil
		}
		if err := checkTopicQuota(tx, account, r.Fifo); err != nil {
			return err
		}
		out = s.topicOf(account, r)
		return topics.Insert(tx, account, name, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteTopic deletes a topic and its subscriptions. Deleting a topic that does not exist is not
// an error (SNS API Reference, DeleteTopic: "Deleting a topic that doesn't exist doesn't result in
// an error"). The subscriptions go in batches, the topic with the last one, so that a topic
// created again under the name never inherits the old one's subscribers.
func (s *Service) DeleteTopic(ctx context.Context, topicARN string) error {
	account, name, err := s.ParseTopicARN(topicARN, "TopicArn")
	if err != nil {
		return err
	}
	const batch = 256
	for {
		done := false
		err := s.st.Update(ctx, func(tx store.Tx) error {
			items, err := subscriptions.IndexRange(tx, byTopic, "", topicARN+"\x00")("", batch)
			if err != nil {
				return err
			}
			for _, it := range items {
				if err := subscriptions.DeleteIfExists(tx, "", store.EntryKey(it.Key)); err != nil {
					return err
				}
			}
			if len(items) < batch {
				done = true
				return topics.DeleteIfExists(tx, account, name)
			}
			return nil
		})
		if err != nil || done {
			return err
		}
	}
}

// ListTopics returns a page of account's topic ARNs (100 at most, as AWS pages ListTopics) after
// the position after (a topic name).
func (s *Service) ListTopics(ctx context.Context, account, after string) (store.Page[string], error) {
	var p store.Page[string]
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = store.ReadPage(topics.Range(tx, account, ""), after, pageSize, func(it store.Item) (string, bool, error) {
			return s.TopicARN(account, it.Key), true, nil
		})
		return err
	})
	return p, err
}

// pageSize is the page of SNS's list actions: "Each call returns a limited list of topics, up to
// 100" (SNS API Reference, ListTopics; likewise ListSubscriptions and ListSubscriptionsByTopic).
const pageSize = 100

// TopicAttributes are GetTopicAttributes' attributes of a topic (SNS API Reference,
// GetTopicAttributes): TopicArn, Owner, Policy, DisplayName, the subscription counts,
// EffectiveDeliveryPolicy and SignatureVersion always, the others when set.
func (s *Service) TopicAttributes(ctx context.Context, topicARN string) (map[string]string, error) {
	account, name, err := s.ParseTopicARN(topicARN, "TopicArn")
	if err != nil {
		return nil, err
	}
	var out map[string]string
	err = s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := topics.Get(tx, account, name)
		if err != nil {
			return err
		}
		if !ok {
			return errTopicNotFound
		}
		t := s.topicOf(account, r)
		pending, err := subscriptions.Count(tx, byState, "", stateValue(topicARN, true)+"\x00")
		if err != nil {
			return err
		}
		confirmed, err := subscriptions.Count(tx, byState, "", stateValue(topicARN, false)+"\x00")
		if err != nil {
			return err
		}
		out = map[string]string{
			"TopicArn": t.ARN, "Owner": account, "Policy": t.Policy, "DisplayName": t.DisplayName,
			"SubscriptionsPending": strconv.Itoa(pending), "SubscriptionsConfirmed": strconv.Itoa(confirmed),
			"SubscriptionsDeleted": strconv.Itoa(t.SubscriptionsDeleted), "SignatureVersion": t.SignatureVersion,
			"EffectiveDeliveryPolicy": effectiveDeliveryPolicy(t.DeliveryPolicy),
		}
		for k, v := range map[string]string{AttrDeliveryPolicy: t.DeliveryPolicy, AttrTracingConfig: t.TracingConfig, AttrKmsMasterKeyID: t.KmsMasterKeyID} {
			if v != "" {
				out[k] = v
			}
		}
		if t.Fifo {
			out[AttrFifoTopic], out[AttrContentDedup] = "true", strconv.FormatBool(t.ContentDedup)
		}
		return nil
	})
	return out, err
}

// SetTopicAttribute sets one attribute of a topic. An empty Policy or DeliveryPolicy restores the
// default.
func (s *Service) SetTopicAttribute(ctx context.Context, topicARN, name, value string) error {
	account, topic, err := s.ParseTopicARN(topicARN, "TopicArn")
	if err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, ok, err := topics.Get(tx, account, topic)
		if err != nil {
			return err
		}
		if !ok {
			return errTopicNotFound
		}
		if err := setAttribute(r, name, value); err != nil {
			return err
		}
		return topics.Put(tx, account, topic, r)
	})
}

// Tag limits (Amazon SNS Developer Guide, "Amazon SNS cost allocation tags": 50 tags per topic,
// keys of 1–128 characters, values of 0–256).
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// checkTags validates the tags a request adds to the existing ones.
func checkTags(add, existing []Tag) error {
	seen := map[string]bool{}
	for _, t := range add {
		if seen[t.Key] {
			return invalid("Duplicated keys are not allowed.")
		}
		seen[t.Key] = true
		if n := len([]rune(t.Key)); n < 1 || n > maxTagKeyLen {
			return invalid("Tags Reason: Tag key must be between 1 and %d characters", maxTagKeyLen)
		}
		if len([]rune(t.Value)) > maxTagValueLen {
			return invalid("Tags Reason: Tag value must be at most %d characters", maxTagValueLen)
		}
		// Keys starting with "aws:" are reserved for AWS's use (Tagging AWS resources, "Tag
		// naming limits and requirements"); the message is Rootward's.
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return Errorf(CodeTagPolicy, "Tag keys starting with aws: are reserved for AWS use.")
		}
	}
	if len(mergeTags(existing, add)) > maxTags {
		return Errorf(CodeTagLimitExceeded, "Could not complete request: tag quota of per resource exceeded")
	}
	return nil
}

// mergeTags is existing with add applied: a key already there takes its new value.
func mergeTags(existing, add []Tag) []Tag {
	out := slices.Clone(existing)
	for _, t := range add {
		i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	return out
}

// errNoResource is TagResource's, UntagResource's and ListTagsForResource's answer for a topic
// that does not exist.
var errNoResource = Errorf(CodeResourceNotFound, "Resource does not exist")

// updateTags applies f to the tags of the topic of resourceARN.
func (s *Service) updateTags(ctx context.Context, resourceARN string, f func(tags []Tag) ([]Tag, error)) error {
	account, name, err := s.ParseTopicARN(resourceARN, "ResourceArn")
	if err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, ok, err := topics.Get(tx, account, name)
		if err != nil {
			return err
		}
		if !ok {
			return errNoResource
		}
		if r.Tags, err = f(r.Tags); err != nil {
			return err
		}
		return topics.Put(tx, account, name, r)
	})
}

// TagResource adds tags to a topic, replacing the values of keys it has.
func (s *Service) TagResource(ctx context.Context, resourceARN string, tags []Tag) error {
	return s.updateTags(ctx, resourceARN, func(old []Tag) ([]Tag, error) {
		if err := checkTags(tags, old); err != nil {
			return nil, err
		}
		return mergeTags(old, tags), nil
	})
}

// UntagResource removes the tags of the given keys from a topic; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, resourceARN string, keys []string) error {
	return s.updateTags(ctx, resourceARN, func(old []Tag) ([]Tag, error) {
		return slices.DeleteFunc(old, func(t Tag) bool { return slices.Contains(keys, t.Key) }), nil
	})
}

// ListTags returns a topic's tags.
func (s *Service) ListTags(ctx context.Context, resourceARN string) ([]Tag, error) {
	if _, _, err := s.ParseTopicARN(resourceARN, "ResourceArn"); err != nil {
		return nil, err
	}
	t, err := s.Topic(ctx, resourceARN)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errNoResource
	}
	return t.Tags, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
