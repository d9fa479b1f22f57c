package server

import (
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// The condition keys of IAM's operations that are still served from this package's legacy table
// (the credential operations); internal/api/iamapi/keys.go describes IAM's keys and holds those of
// the operations that moved.

// withResourceKeys gives op, an IAM operation with the default authorization, the keys of the
// resource it acts on: before the operation's own keys run, the resource (c.Resource) is looked up
// and its facts kept in c.Facts, so that its own keys can read its current boundary. A failed
// lookup fails the call: a Deny conditioned on a tag must not be skipped because the tag could not
// be read.
func withResourceKeys(o *op) {
	if o.authorize != nil || o.resource == nil {
		return
	}
	own := o.keys
	o.keys = func(c *call) (authz.Keys, error) {
		f, err := c.s.iam.ResourceFacts(c.Ctx, c.Account(), c.Resource)
		if err != nil {
			return nil, err
		}
		c.Facts = f
		var ownKeys authz.Keys
		if own != nil {
			if ownKeys, err = own(c); err != nil {
				return nil, err
			}
		}
		if f == nil {
			return ownKeys, nil
		}
		return func(ctx *policy.Context) {
			setResourceTags(ctx, f.Tags, f.Kind == "user" || f.Kind == "role")
			if ownKeys != nil {
				ownKeys(ctx)
			}
		}, nil
	}
}

// setResourceTags and setRequestTags are authz.SetResourceTags and authz.SetRequestTags, for the
// legacy operations.
func setResourceTags(ctx *policy.Context, tags []iam.Tag, iamTags bool) {
	authz.SetResourceTags(ctx, tags, iamTags)
}

func setRequestTags(ctx *policy.Context, tags []iam.Tag) { authz.SetRequestTags(ctx, tags) }

// setIfPresent sets key to v unless v is empty (an absent parameter).
func setIfPresent(ctx *policy.Context, key, v string) {
	if v != "" {
		ctx.Set(key, v)
	}
}

// tagRequestKeys are the keys of an action that adds tags: Create* with Tags, Tag*.
func tagRequestKeys(c *call) (authz.Keys, error) {
	tags := tagsParam(c, "Tags")
	return func(ctx *policy.Context) { setRequestTags(ctx, tags) }, nil
}
