package sts

import (
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
)

// CheckSessionTags validates AssumeRole's session tags with IAM's rules (the STS Tag shape is
// IAM's: key 1–128 and value 0–256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@], at most 50; keys
// are case insensitive, "you cannot have separate Department and department tag keys", STS API
// reference, AssumeRole). STS has no InvalidInput code: the refusals that are not model
// validation (a key twice, the aws: prefix) answer InvalidParameterValue, Rootward's choice.
func CheckSessionTags(tags []iam.Tag) error {
	err := iam.CheckTags("Tags", tags)
	if e, ok := awserr.As(err); ok && e.Code == awserr.InvalidInput {
		return awserr.New(awserr.InvalidParameterValue, "%s", e.Message)
	}
	return err
}

// SessionTags gives sess its tags: the transitive tags of the calling session from (nil for
// long-term credentials), which a role chain carries on and the request cannot replace, then the
// request's own tags; and the keys that stay transitive (IAM User Guide, "Passing session tags in
// AWS STS", "Chaining roles with session tags"). At most 50 TransitiveTagKeys (STS API reference,
// AssumeRole). Returns InvalidParameterValue for a transitive key that names no tag of the
// request or a tag that would replace an inherited one: the documentation says such a request
// fails but not with which code and text, so these follow what LocalStack's STS answers (chosen,
// not verified against AWS).
func SessionTags(from, sess *iam.Session, tags []iam.Tag, transitive []string) error {
	if len(transitive) > 50 {
		return invalid("TransitiveTagKeys", strings.Join(transitive, ","), "Member must have length less than or equal to 50")
	}
	for _, k := range transitive {
		if !HasTagKey(tags, k) {
			return awserr.New(awserr.InvalidParameterValue, "The specified transitive tag key must be included in the requested tags.")
		}
	}
	if from != nil {
		for _, t := range from.Tags {
			if !containsFold(from.TransitiveTagKeys, t.Key) {
				continue
			}
			if HasTagKey(tags, t.Key) {
				return awserr.New(awserr.InvalidParameterValue, "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
			sess.Tags = append(sess.Tags, t)
			sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, t.Key)
		}
	}
	sess.Tags = append(sess.Tags, tags...)
	for _, k := range transitive {
		if !containsFold(sess.TransitiveTagKeys, k) {
			sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, k)
		}
	}
	return nil
}

// HasTagKey reports whether tags has key, regardless of case (tag keys are case insensitive).
func HasTagKey(tags []iam.Tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
