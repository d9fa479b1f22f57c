package iam

import (
	"fmt"

	"github.com/rootward/rootward/internal/awserr"
)

// maxTags is IAM's per-resource tag quota (IAM User Guide, "IAM and AWS STS quotas").
const maxTags = 50

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return awserr.New(awserr.LimitExceeded, "The number of tags has reached the maximum limit.")
	}
	seen := map[string]bool{}
	for i, tg := range tags {
		if tg.Key == "" || len(tg.Key) > 128 {
			return invalid(fmt.Sprintf("Tags.%d.member.key", i+1), tg.Key, "Member must have length between 1 and 128")
		}
		if len(tg.Value) > 256 {
			return invalid(fmt.Sprintf("Tags.%d.member.value", i+1), tg.Value, "Member must have length less than or equal to 256")
		}
		if seen[tg.Key] {
			return awserr.New(awserr.InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[tg.Key] = true
	}
	return nil
}

// mergeTags overwrites existing keys and appends new ones, keeping the quota.
func mergeTags(cur, add []Tag) ([]Tag, error) {
	out := append([]Tag(nil), cur...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value = a.Value
				replaced = true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	if len(out) > maxTags {
		return nil, awserr.New(awserr.LimitExceeded, "The number of tags has reached the maximum limit.")
	}
	return out, nil
}

func removeTags(cur []Tag, keys []string) []Tag {
	out := cur[:0:0]
	for _, tg := range cur {
		drop := false
		for _, k := range keys {
			if tg.Key == k {
				drop = true
			}
		}
		if !drop {
			out = append(out, tg)
		}
	}
	return out
}

// PageTags paginates a resource's tags with Marker/MaxItems, as ListUserTags, ListRoleTags and
// ListPolicyTags do (IAM API reference: MaxItems 1–1000, IsTruncated and Marker in the answer).
func PageTags(tags []Tag, o ListOpts) (Page[Tag], error) {
	return pageSlice(tags, func(t Tag) string { return t.Key }, o)
}
