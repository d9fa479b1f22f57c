package cloudtrail

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Tags on trails: AddTags, RemoveTags, ListTags (API Reference). A resource is named by its ARN;
// Rootward's CloudTrail resources are trails.

// addTags returns have with add applied (a key already there takes the new value). Returns
// InvalidTagParameterException (key 1–128 characters, value at most 256, "aws:" reserved) and
// TagsLimitExceededException (more than 50).
func addTags(have []tagRecord, add []Tag) ([]tagRecord, error) {
	out := append([]tagRecord(nil), have...)
	for _, t := range add {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 {
			return nil, awserr.New(awserr.CTInvalidTagParameter, "A tag key must be 1 to 128 characters long.")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return nil, awserr.New(awserr.CTInvalidTagParameter, "A tag value must be at most 256 characters long.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, awserr.New(awserr.CTInvalidTagParameter, "The tag key prefix aws: is reserved for AWS use.")
		}
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, tagRecord(t))
		}
	}
	if len(out) > maxTags {
		return nil, awserr.New(awserr.CTTagsLimitExceeded, "A trail can have at most %d tags.", maxTags)
	}
	return out, nil
}

// tagged resolves a resource ID of a tag operation to a trail account owns (or, for a read, sees).
// Returns CloudTrailARNInvalidException, ResourceTypeNotSupportedException,
// ResourceNotFoundException and, for a change to an organization trail by a member,
// NotOrganizationMasterAccountException.
func (s *Service) tagged(ctx context.Context, account, region, resourceID string, change bool) (*trailRecord, string, error) {
	a, err := arn.Parse(resourceID)
	if err != nil || a.Service != "cloudtrail" || !accountID(a.Account) {
		return nil, "", awserr.New(awserr.CTARNInvalid, "The resource ID %s is not a valid CloudTrail ARN.", quote(resourceID))
	}
	name, ok := strings.CutPrefix(a.Resource, "trail/")
	if !ok {
		return nil, "", awserr.New(awserr.CTResourceTypeNotSupported, "Tagging of the resource type of %s is not supported.", quote(resourceID))
	}
	notThere := awserr.New(awserr.CTResourceNotFound, "The resource %s was not found.", quote(resourceID))
	if CheckTrailName(name) != nil || a.Region != region {
		return nil, "", notThere
	}
	rec, owner, err := s.find(ctx, account, ref{a.Account, name, resourceID})
	if awserr.IsCode(err, awserr.CTTrailNotFound) {
		return nil, "", notThere
	}
	if err != nil {
		return nil, "", err
	}
	if change && owner != account {
		return nil, "", notMaster(account)
	}
	return rec, owner, nil
}

// AddTags adds tags to a trail (replacing the values of keys it has).
func (s *Service) AddTags(ctx context.Context, account, region, resourceID string, tags []Tag) error {
	return s.retag(ctx, account, region, resourceID, func(have []tagRecord) ([]tagRecord, error) { return addTags(have, tags) })
}

// RemoveTags removes the tags of the given keys from a trail; a key it does not have is ignored.
func (s *Service) RemoveTags(ctx context.Context, account, region, resourceID string, keys []string) error {
	return s.retag(ctx, account, region, resourceID, func(have []tagRecord) ([]tagRecord, error) {
		var out []tagRecord
		for _, t := range have {
			keep := true
			for _, k := range keys {
				keep = keep && t.Key != k
			}
			if keep {
				out = append(out, t)
			}
		}
		return out, nil
	})
}

func (s *Service) retag(ctx context.Context, account, region, resourceID string, fn func([]tagRecord) ([]tagRecord, error)) error {
	rec, _, err := s.tagged(ctx, account, region, resourceID, true)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		r, ok, err := trails.Get(t, account, rec.Name)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.New(awserr.CTResourceNotFound, "The resource %s was not found.", quote(resourceID))
		}
		if r.Tags, err = fn(r.Tags); err != nil {
			return err
		}
		return trails.Put(t, account, rec.Name, r)
	})
}

// ListTags returns the tags of the trail of resourceID as account sees it.
func (s *Service) ListTags(ctx context.Context, account, region, resourceID string) ([]Tag, error) {
	rec, _, err := s.tagged(ctx, account, region, resourceID, false)
	if err != nil {
		return nil, err
	}
	return rec.tags(), nil
}

// tags are the trail's tags as the service answers them.
func (r *trailRecord) tags() []Tag {
	out := make([]Tag, len(r.Tags))
	for i, t := range r.Tags {
		out[i] = Tag(t)
	}
	return out
}

// TagsOf returns the tags of the trail nameOrARN names as account sees it, none when there is no
// such trail: the aws:ResourceTag/* keys of an action on it. An error reading the store is
// returned, so that a policy conditioned on the tags is never evaluated without them.
func (s *Service) TagsOf(ctx context.Context, account, region, nameOrARN string) ([]Tag, error) {
	r, err := parseRef(account, region, nameOrARN)
	if err != nil {
		return nil, nil
	}
	rec, _, err := s.find(ctx, account, r)
	if awserr.IsCode(err, awserr.CTTrailNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rec.tags(), nil
}
