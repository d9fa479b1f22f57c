package mpa

import (
	"context"
	"maps"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Tags returns the tags of the team or identity source of ARN a, which must be account's;
// ResourceNotFoundException otherwise.
func (s *Service) Tags(ctx context.Context, account, a string) (map[string]string, error) {
	var out map[string]string
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		return s.withTags(tx, account, a, func(tags map[string]string) (map[string]string, bool) {
			out = maps.Clone(tags)
			return nil, false
		})
	})
	if out == nil {
		out = map[string]string{}
	}
	return out, err
}

// Tag adds tags to the resource of ARN a (TooManyTagsException past MaxTags).
func (s *Service) Tag(ctx context.Context, account, a string, add map[string]string) error {
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var refusal error
		err := s.withTags(tx, account, a, func(tags map[string]string) (map[string]string, bool) {
			next := maps.Clone(tags)
			if next == nil {
				next = map[string]string{}
			}
			maps.Copy(next, add)
			if len(next) > MaxTags {
				refusal = awserr.New(awserr.MPATooManyTags, "A resource can have at most %d tags.", MaxTags)
				return nil, false
			}
			return next, true
		})
		if err != nil {
			return err
		}
		return refusal
	})
}

// Untag removes the tag keys from the resource of ARN a.
func (s *Service) Untag(ctx context.Context, account, a string, keys []string) error {
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return s.withTags(tx, account, a, func(tags map[string]string) (map[string]string, bool) {
			next := maps.Clone(tags)
			for _, k := range keys {
				delete(next, k)
			}
			return next, true
		})
	})
}

// withTags hands the resource's tags to fn and stores what it returns when it says so.
func (s *Service) withTags(tx store.Tx, account, a string, fn func(map[string]string) (map[string]string, bool)) error {
	res, ok := s.ParseARN(a)
	if !ok || res.Account != account {
		return notFound("Resource %s was not found.", a)
	}
	switch res.Type {
	case "approval-team":
		r, err := s.getTeam(tx, account, res.ID)
		if err != nil {
			return err
		}
		if next, put := fn(r.Tags); put {
			r.Tags = next
			return teams.Put(tx, account, res.ID, r)
		}
		return nil
	case "identity-source":
		r, ok, err := sources.Get(tx, account, res.ID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Resource %s was not found.", a)
		}
		if next, put := fn(r.Tags); put {
			r.Tags = next
			return sources.Put(tx, account, res.ID, r)
		}
		return nil
	}
	return notFound("Resource %s was not found.", a)
}
