package iam

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
)

// maxTags is IAM's per-resource tag quota (IAM User Guide, "IAM and AWS STS quotas"), and the
// most tags one request may carry (the API reference's tagListType: at most 50 members).
const maxTags = 50

// Tag constraints from the IAM API reference, data type Tag: Key 1–128 characters matching
// [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Value 0–256 characters matching [\p{L}\p{Z}\p{N}_.:/=+\-@]*
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html). STS session tags have the
// same shape (STS API reference, data type Tag). Lengths count characters, not bytes.
var (
	tagKeyPattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	tagKeyRegexp      = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tagValueRegexp    = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	reservedTagPrefix = "aws:"
)

// CheckTags validates the tags of one request, as IAM and STS do before anything changes: at
// most 50 (ValidationError), each key and value of AWS's length and characters (ValidationError),
// no key in the reserved aws: namespace, and no key twice, compared without case (InvalidInput):
// IAM's tag keys are case insensitive ("Duplicate tag keys found. Please note that Tag keys are case
// insensitive.", IAM's message; IAM User Guide, "Tags for AWS Identity and Access Management
// resources", Case sensitivity). param is the request member, "Tags".
//
// The reserved prefix: "Tag keys can't begin with aws:" (IAM User Guide, "Rules for tagging in IAM
// and AWS STS"), in any case. AWS's exact error text for it is not documented; Rootward answers
// InvalidInput "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use.". For
// more than 50 tags the message's Value renders the tags as [key=value, …], also Rootward's choice.
func CheckTags(param string, tags []Tag) error {
	if len(tags) > maxTags {
		parts := make([]string, len(tags))
		for i, tg := range tags {
			parts[i] = tg.Key + "=" + tg.Value
		}
		return invalid(param, "["+strings.Join(parts, ", ")+"]", fmt.Sprintf("Member must have length less than or equal to %d", maxTags))
	}
	seen := make(map[string]bool, len(tags))
	for i, tg := range tags {
		member := fmt.Sprintf("%s.%d.member", param, i+1)
		if err := checkTagKey(member+".key", tg.Key); err != nil {
			return err
		}
		if utf8.RuneCountInString(tg.Value) > 256 {
			return invalid(member+".value", tg.Value, "Member must have length less than or equal to 256")
		}
		if !tagValuePattern.MatchString(tg.Value) {
			return invalid(member+".value", tg.Value, "Member must satisfy regular expression pattern: "+tagValueRegexp)
		}
		if reservedTag(tg.Key) {
			return awserr.New(awserr.InvalidInput, "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use.")
		}
		k := strings.ToLower(tg.Key)
		if seen[k] {
			return awserr.New(awserr.InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}

func checkTags(tags []Tag) error { return CheckTags("Tags", tags) }

func checkTagKey(member, key string) error {
	if n := utf8.RuneCountInString(key); n < 1 || n > 128 {
		return invalid(member, key, "Member must have length between 1 and 128")
	}
	if !tagKeyPattern.MatchString(key) {
		return invalid(member, key, "Member must satisfy regular expression pattern: "+tagKeyRegexp)
	}
	return nil
}

// checkTagKeys validates the TagKeys of an Untag call: at most 50, each a valid key (the API
// reference's tagKeyListType and tagKeyType).
func checkTagKeys(keys []string) error {
	if len(keys) > maxTags {
		return invalid("TagKeys", "["+strings.Join(keys, ", ")+"]", fmt.Sprintf("Member must have length less than or equal to %d", maxTags))
	}
	for i, k := range keys {
		if err := checkTagKey(fmt.Sprintf("TagKeys.%d.member", i+1), k); err != nil {
			return err
		}
	}
	return nil
}

func reservedTag(key string) bool {
	return len(key) >= len(reservedTagPrefix) && strings.EqualFold(key[:len(reservedTagPrefix)], reservedTagPrefix)
}

// mergeTags sets tags on a resource that has cur: a key already there in any case is replaced,
// key and value, by the new one (IAM keeps one tag per case-insensitive key, and the last writer's
// case; see aws/aws-cdk#26253, where TagRole "test" replaced "Test"), and the others are appended.
// More than 50 in all answers LimitExceeded in the form of IAM's quota errors ("Cannot exceed
// quota for UsersPerAccount: 5000."); quota names the resource's tag quota, e.g. TagsPerUser.
func mergeTags(cur, add []Tag, quota string) ([]Tag, error) {
	out := append([]Tag(nil), cur...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, a.Key) {
				out[i] = a
				replaced = true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	if len(out) > maxTags {
		return nil, awserr.New(awserr.LimitExceeded, "Cannot exceed quota for %s: %d.", quota, maxTags)
	}
	return out, nil
}

// tagEdit is what a TagX or UntagX operation does to one resource's tags, once the request is
// checked: the resource's tags in, its new tags out.
type tagEdit func(cur []Tag) ([]Tag, error)

// tagResource is a TagX operation: tags are checked (CheckTags) before anything is read, then
// modify reads the resource, applies the edit to its tags and writes it back in one transaction.
// More than 50 tags in all answers LimitExceeded naming quota, the resource's tag quota
// (mergeTags).
func tagResource(tags []Tag, quota string, modify func(tagEdit) error) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return modify(func(cur []Tag) ([]Tag, error) { return mergeTags(cur, tags, quota) })
}

// untagResource is an UntagX operation: the keys are checked (checkTagKeys), then modify removes
// them from the resource's tags as tagResource's modify adds.
func untagResource(keys []string, modify func(tagEdit) error) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return modify(func(cur []Tag) ([]Tag, error) { return removeTags(cur, keys), nil })
}

// editTagRecords applies edit to the tags a record stores.
func editTagRecords(stored *[]tagRecord, edit tagEdit) error {
	tags, err := edit(fromTagRecords(*stored))
	*stored = tagRecords(tags)
	return err
}

// removeTags drops the tags whose keys are named, compared without case.
func removeTags(cur []Tag, keys []string) []Tag {
	out := cur[:0:0]
	for _, tg := range cur {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(tg.Key, k) {
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

// TagList is a resource's tags as IAM answers them: <Tags><member>…</member></Tags>, and no Tags
// element at all when there are none ("omitempty" leaves an empty list out; encoding/xml would
// otherwise write the parent <Tags></Tags> of a Tags>member path even when it has no members,
// which IAM never does: CreateUser without tags answers no Tags element).
type TagList []Tag

// MarshalXML writes each tag as a member of start.
func (l TagList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if len(l) == 0 {
		return nil
	}
	return e.EncodeElement(struct {
		Member []Tag `xml:"member"`
	}{l}, start)
}
