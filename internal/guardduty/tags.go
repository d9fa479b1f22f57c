package guardduty

import (
	"context"
	"maps"
	"strings"

	"github.com/rootward/rootward/internal/store"
)

// MaxTags is the number of tags a detector holds at most: the model's limit on the tags map of
// CreateDetector and TagResource (GuardDuty API Reference, TagResource: "Maximum number of 200
// items").
const MaxTags = 200

// ValidTags checks tags against the model's constraints (keys of 1–128 characters matching
// (?!aws:)[a-zA-Z+-=._:/]+, values of at most 256): BadRequestException otherwise.
func ValidTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return badRequest(msgInvalid)
	}
	for k, v := range tags {
		if !validTagKey(k) || len(v) > 256 {
			return badRequest(msgInvalid)
		}
	}
	return nil
}

func validTagKey(k string) bool {
	if k == "" || len(k) > 128 || strings.HasPrefix(k, "aws:") {
		return false
	}
	for _, c := range k {
		// The model's character class [a-zA-Z+-=._:/]: letters, the range '+'..'=' (which holds
		// the digits, ',', '-', '.', '/', ':', ';', '<', '=') and '_', ':', '/'.
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '+' && c <= '=' || c == '_') {
			return false
		}
	}
	return true
}

// TagsOf returns the tags of the account's detector id in region, nil when there is no such
// detector (authorization runs before the operation answers BadRequestException for it).
func (s *Service) TagsOf(ctx context.Context, account, region, id string) (map[string]string, error) {
	var tags map[string]string
	err := s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := detectors.Get(tx, account, id)
		if ok && r.Region == region {
			tags = maps.Clone(r.Tags)
		}
		return err
	})
	return tags, err
}

// TagResource adds tags to a detector, replacing the values of keys it has. Returns
// BadRequestException when the account has no detector id in region or the tags are invalid (the
// detector's tags after the change included).
func (s *Service) TagResource(ctx context.Context, account, region, id string, tags map[string]string) error {
	if err := ValidTags(tags); err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, err := detectorIn(tx, account, region, id)
		if err != nil {
			return err
		}
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		maps.Copy(r.Tags, tags)
		if len(r.Tags) > MaxTags {
			return badRequest(msgInvalid)
		}
		return detectors.Put(tx, account, id, r)
	})
}

// UntagResource removes tag keys from a detector; a key it does not have is ignored. Returns
// BadRequestException when the account has no detector id in region.
func (s *Service) UntagResource(ctx context.Context, account, region, id string, keys []string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, err := detectorIn(tx, account, region, id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(r.Tags, k)
		}
		return detectors.Put(tx, account, id, r)
	})
}

// ListTags returns a detector's tags (empty, never nil). Returns BadRequestException when the
// account has no detector id in region.
func (s *Service) ListTags(ctx context.Context, account, region, id string) (map[string]string, error) {
	tags := map[string]string{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		r, err := detectorIn(tx, account, region, id)
		if err == nil {
			maps.Copy(tags, r.Tags)
		}
		return err
	})
	return tags, err
}
