package sns

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// FIFO topics (Amazon SNS Developer Guide, "Amazon SNS FIFO topics" and "Message deduplication
// for FIFO topics"; SNS API Reference, CreateTopic and Publish): a name ending in ".fifo", given
// FifoTopic=true at creation; every message carries a MessageGroupId and is deduplicated for five
// minutes by its MessageDeduplicationId (or, with ContentBasedDeduplication, by the SHA-256 of its
// body); Publish answers a SequenceNumber. FIFO topics deliver only to Amazon SQS queues, which
// Rootward does not serve, so they take no subscription of Rootward's protocols.
//
// AWS does not document the text of these refusals; Rootward's follow SNS's "Invalid parameter:
// NAME Reason: …" form.

const fifoSuffix = ".fifo"

// dedupWindow is how long a FIFO topic remembers a deduplication ID ("If a message with a
// particular message deduplication ID is published successfully, any messages published with the
// same message deduplication ID, within the five-minute deduplication interval, are accepted but
// not delivered").
const dedupWindow = 5 * time.Minute

// Topic quotas (Amazon SNS endpoints and quotas, "Topics": 100,000 standard and 1,000 FIFO topics
// per account), answered with TopicLimitExceeded.
const (
	maxTopics     = 100_000
	maxFifoTopics = 1000
)

// maxFifoID bounds MessageGroupId and MessageDeduplicationId: "up to 128 alphanumeric characters
// (a-z, A-Z, 0-9) and punctuation (!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)" (SNS API Reference, Publish).
const maxFifoID = 128

func validFifoID(id string) bool {
	if id == "" || len(id) > maxFifoID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// checkTopicQuota refuses a new topic past the account's quota.
func checkTopicQuota(tx store.Tx, account string, fifo bool) error {
	n, err := tx.Count(topics.Name, account, "")
	if err != nil {
		return err
	}
	if n >= maxTopics {
		return Errorf(CodeTopicLimitExceeded, "Topic limit exceeded")
	}
	if fifo {
		f, err := topics.Count(tx, "fifo", account, "")
		if err != nil {
			return err
		}
		if f >= maxFifoTopics {
			return Errorf(CodeTopicLimitExceeded, "Topic limit exceeded")
		}
	}
	return nil
}

// checkFifoMembers checks a Publish request's FIFO members against its topic's type.
func checkFifoMembers(t *Topic, in *PublishInput) error {
	if !t.Fifo {
		if in.DeduplicationID != "" {
			return invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		if in.GroupID != "" {
			return invalid("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type")
		}
		return nil
	}
	switch {
	case in.GroupID == "":
		return invalid("The MessageGroupId parameter is required for FIFO topics")
	case !validFifoID(in.GroupID):
		return invalid("MessageGroupId Reason: MessageGroupId can be up to 128 alphanumeric and punctuation characters")
	case in.DeduplicationID == "" && !t.ContentDedup:
		return invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	case in.DeduplicationID != "" && !validFifoID(in.DeduplicationID):
		return invalid("MessageDeduplicationId Reason: MessageDeduplicationId can be up to 128 alphanumeric and punctuation characters")
	}
	return nil
}

// dedupRecord remembers a FIFO message for the deduplication window (kind "sns.dedup", the topic
// owner's, keyed TOPIC NUL DEDUPLICATION-ID).
type dedupRecord struct {
	MessageID string    `json:"messageId"`
	Seq       string    `json:"seq"`
	Expires   time.Time `json:"expires"`
}

// dedups: the index "expires" lists them by expiry, so that each publish deletes a few expired ones.
var dedups = store.Define(store.Kind[dedupRecord]{Name: "sns.dedup", Version: 1,
	Indexes: []store.Index[dedupRecord]{{Name: "expires", Values: func(_ string, r *dedupRecord) []string {
		return []string{r.Expires.UTC().Format("20060102T150405.000000000Z")}
	}}},
})

// expiredPerPublish bounds the expired deduplication records one publish deletes.
const expiredPerPublish = 8

// acceptFifo takes a FIFO message: its sequence number, or, for a deduplication ID seen in the
// last five minutes, the first message's ID and sequence number with dup true (accepted, not
// delivered).
func (s *Service) acceptFifo(tx store.Tx, t *Topic, in *PublishInput, msgID string, now time.Time) (id, seq string, dup bool, err error) {
	dedupID := in.DeduplicationID
	if dedupID == "" {
		sum := sha256.Sum256([]byte(in.Message))
		dedupID = hex.EncodeToString(sum[:])
	}
	key := t.Name + "\x00" + dedupID
	old, ok, err := dedups.Get(tx, t.Account, key)
	if err != nil {
		return "", "", false, err
	}
	if ok && now.Before(old.Expires) {
		return old.MessageID, old.Seq, true, nil
	}
	r, ok, err := topics.Get(tx, t.Account, t.Name)
	if err != nil {
		return "", "", false, err
	}
	if !ok {
		return "", "", false, errTopicNotFound
	}
	r.Seq++
	if err := topics.Put(tx, t.Account, t.Name, r); err != nil {
		return "", "", false, err
	}
	// SNS's sequence numbers are 128-bit decimal strings that grow with each message of a topic;
	// Rootward writes its counter with 20 digits.
	seq = fmt.Sprintf("%020d", r.Seq)
	if err := dedups.Put(tx, t.Account, key, &dedupRecord{MessageID: msgID, Seq: seq, Expires: now.Add(dedupWindow)}); err != nil {
		return "", "", false, err
	}
	items, err := dedups.IndexRange(tx, "expires", t.Account, "")("", expiredPerPublish)
	if err != nil {
		return "", "", false, err
	}
	for _, it := range items {
		k, rec, ok, err := dedups.Resolve(tx, t.Account, it)
		if err != nil {
			return "", "", false, err
		}
		if !ok || now.Before(rec.Expires) {
			break
		}
		if err := dedups.Delete(tx, t.Account, k); err != nil {
			return "", "", false, err
		}
	}
	return msgID, seq, false, nil
}
