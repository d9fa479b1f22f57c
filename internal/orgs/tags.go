package orgs

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Tags on Organizations resources: accounts, the root, OUs and policies (Organizations User Guide,
// "Tagging AWS Organizations resources"; API Reference, TagResource, UntagResource,
// ListTagsForResource). Each tagged resource has one record of kind orgtags (tagSets), scoped to
// its organization and keyed by the resource ID, holding its tags as a key → value map; a resource
// without tags has no record.

// Tag is a key and value on an Organizations resource. Keys and values are case sensitive; the
// value may be empty but not null.
type Tag struct {
	Key   string
	Value string
}

// Tag limits (API Reference, data type Tag: Key 1–128 characters, Value 0–256; User Guide,
// "Quotas for AWS Organizations": 50 tags per resource). Lengths count characters, not bytes.
const (
	maxTagsPerResource = 50
	maxTagKeyLength    = 128
	maxTagValueLength  = 256
	reservedTagPrefix  = "aws:"
)

// Reasons of the tag refusals (the SDK's ConstraintViolationExceptionReason and
// InvalidInputExceptionReason enums).
const (
	ReasonMaxTags         = "MAX_TAG_LIMIT_EXCEEDED"
	ReasonSystemTag       = "INVALID_SYSTEM_TAGS_PARAMETER"
	ReasonDuplicateTagKey = "DUPLICATE_TAG_KEY"
)

// tagPattern is the Tag shape's pattern for keys and values, ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
// (Organizations API Reference, data type Tag). Keys stay case sensitive, unlike IAM's: "Tag keys
// ... are case sensitive" (Organizations User Guide, "Tagging AWS Organizations resources").
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// taggablePattern is ListTagsForResource's ResourceId: a root, OU, account or policy ID.
var taggablePattern = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12}|p-[0-9a-zA-Z_]{8,128})$`)

func checkResourceID(id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for ResourceId.")
	}
	if !taggablePattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "ResourceId must be a root ID, an OU ID, an account ID or a policy ID.")
	}
	return nil
}

// checkTagKey refuses keys of the wrong length and keys in the aws: namespace. The prefix is
// reserved in any case ("aws:, AWS:, or any upper or lowercase combination", Tagging AWS Resources
// user guide, "Tag naming limits and requirements"); Organizations answers
// INVALID_SYSTEM_TAGS_PARAMETER ("You can't add, edit, or delete system tag keys").
func checkTagKey(key string) error {
	switch n := utf8.RuneCountInString(key); {
	case n < 1:
		return invalid(ReasonMinLength, "A tag key must be at least 1 character long.")
	case n > maxTagKeyLength:
		return invalid(ReasonMaxLength, "A tag key must be at most %d characters long.", maxTagKeyLength)
	}
	if !tagPattern.MatchString(key) {
		return invalid(ReasonInvalidPattern, "A tag key may contain only Unicode letters, digits, white space and _ . : / = + - @.")
	}
	if len(key) >= len(reservedTagPrefix) && strings.EqualFold(key[:len(reservedTagPrefix)], reservedTagPrefix) {
		return invalid(ReasonSystemTag, "Tag keys starting with aws: are reserved for AWS use.")
	}
	return nil
}

// checkTags validates a request's tags: every key and value, no key twice (DUPLICATE_TAG_KEY: "Tag
// keys must be unique among the tags attached to the same entity"), and at most 50. "If any one of
// the tags is not valid or if you exceed the maximum allowed number of tags for a resource, then
// the entire request fails" (API Reference, TagResource and the create operations' Tags).
func checkTags(tags []Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, tg := range tags {
		if err := checkTagKey(tg.Key); err != nil {
			return err
		}
		if utf8.RuneCountInString(tg.Value) > maxTagValueLength {
			return invalid(ReasonMaxLength, "A tag value must be at most %d characters long.", maxTagValueLength)
		}
		if !tagPattern.MatchString(tg.Value) {
			return invalid(ReasonInvalidPattern, "A tag value may contain only Unicode letters, digits, white space and _ . : / = + - @.")
		}
		if seen[tg.Key] {
			return invalid(ReasonDuplicateTagKey, "The tag key %s appears more than once.", tg.Key)
		}
		seen[tg.Key] = true
	}
	if len(tags) > maxTagsPerResource {
		return tooManyTags()
	}
	return nil
}

func tooManyTags() error {
	return constraint(ReasonMaxTags, "You have exceeded the number of tags allowed on this resource (%d).", maxTagsPerResource)
}

// tags returns a resource's tags; nil when it has none.
func (t txn) tags(orgID, id string) (map[string]string, error) {
	r, ok, err := tagSets.Get(t, orgID, id)
	if err != nil || !ok {
		return nil, err
	}
	return *r, nil
}

// putTags stores a resource's tags, deleting the object when none are left.
func (t txn) putTags(orgID, id string, m map[string]string) error {
	if len(m) == 0 {
		return tagSets.DeleteIfExists(t, orgID, id)
	}
	return tagSets.Put(t, orgID, id, (*tagsRecord)(&m))
}

// addTags sets tags (already checked) on a resource, overwriting the values of keys it has.
func (t txn) addTags(orgID, id string, tags []Tag) error {
	if len(tags) == 0 {
		return nil
	}
	m, err := t.tags(orgID, id)
	if err != nil {
		return err
	}
	if m == nil {
		m = make(map[string]string, len(tags))
	}
	for _, tg := range tags {
		m[tg.Key] = tg.Value
	}
	if len(m) > maxTagsPerResource {
		return tooManyTags()
	}
	return t.putTags(orgID, id, m)
}

// dropTags deletes a resource's tags: AWS drops them with a deleted OU or policy and with an
// account that leaves the organization.
func (t txn) dropTags(orgID, id string) error { return tagSets.DeleteIfExists(t, orgID, id) }

// mustTaggable returns TargetNotFoundException unless id is the root, an OU, a member account or a
// policy of o: "You specified a target that doesn't exist" covers resources of other
// organizations too.
func (t txn) mustTaggable(o *Organization, id string) error {
	var found bool
	switch {
	case strings.HasPrefix(id, "p-"):
		p, err := t.policy(o, id)
		if err != nil {
			return err
		}
		found = p != nil
	default:
		tg, err := t.target(o, id)
		if err != nil {
			return err
		}
		found = tg != nil
	}
	if !found {
		return errorf(awserr.OrgsTargetNotFound, "You specified a target that doesn't exist.")
	}
	return nil
}

// TagResource adds tags to an account, OU, the root or a policy, overwriting the value of a key the
// resource already has. Only the management account or a delegated administrator may call it, as
// for the read operations. Returns InvalidInputException (lengths, aws: keys, duplicate keys;
// IMMUTABLE_POLICY for FullAWSAccess), ConstraintViolationException (MAX_TAG_LIMIT_EXCEEDED when
// the resource would have more than 50 tags), TargetNotFoundException, AccessDeniedException and
// AWSOrganizationsNotInUseException.
func (s *Service) TagResource(ctx context.Context, caller, id string, tags []Tag) error {
	if err := checkResourceID(id); err != nil {
		return err
	}
	if len(tags) == 0 {
		return invalid(ReasonInputRequired, "You must specify a value for Tags.")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.writableTags(caller, id)
		if err != nil {
			return nil, err
		}
		return nil, t.addTags(o.ID, id, tags)
	})
}

// UntagResource removes the tags with the given keys; keys the resource does not have are ignored.
// It returns the errors of TagResource, but for the tag limit.
func (s *Service) UntagResource(ctx context.Context, caller, id string, keys []string) error {
	if err := checkResourceID(id); err != nil {
		return err
	}
	if len(keys) == 0 {
		return invalid(ReasonInputRequired, "You must specify a value for TagKeys.")
	}
	for _, k := range keys {
		if err := checkTagKey(k); err != nil {
			return err
		}
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.writableTags(caller, id)
		if err != nil {
			return nil, err
		}
		m, err := t.tags(o.ID, id)
		if err != nil || m == nil {
			return nil, err
		}
		for _, k := range keys {
			delete(m, k)
		}
		return nil, t.putTags(o.ID, id, m)
	})
}

// writableTags returns the caller's organization when the caller may change id's tags.
// FullAWSAccess is AWS managed and shared by every organization: like UpdatePolicy, tagging it is
// refused with IMMUTABLE_POLICY (a decision: AWS's documentation does not say; its tags would
// otherwise be per organization on a policy that is not).
func (t txn) writableTags(caller, id string) (*Organization, error) {
	o, err := t.reader(caller)
	if err != nil {
		return nil, err
	}
	if err := t.mustTaggable(o, id); err != nil {
		return nil, err
	}
	if awsManagedPolicy(id) != nil {
		return nil, invalid(ReasonImmutablePolicy, "You can't modify an AWS managed policy.")
	}
	return o, nil
}

// ListTagsForResource lists a resource's tags sorted by key. AWS leaves the order unspecified;
// sorting makes NextToken stable. The operation takes no MaxResults, so pages hold the default 20.
// Returns InvalidInputException, TargetNotFoundException, AccessDeniedException and
// AWSOrganizationsNotInUseException.
func (s *Service) ListTagsForResource(ctx context.Context, caller, id string, lo ListOpts) (Page[Tag], error) {
	var p Page[Tag]
	if err := checkResourceID(id); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.mustTaggable(o, id); err != nil {
			return err
		}
		m, err := t.tags(o.ID, id)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		p, err = paginate(store.FromSorted(keys), "", lo, func(k string) (Tag, bool, error) { return Tag{Key: k, Value: m[k]}, true, nil })
		return err
	})
	return p, err
}
