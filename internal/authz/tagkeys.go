package authz

import (
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// SetResourceTags sets aws:ResourceTag/* for the tags of the resource an action acts on and, for a
// user or role (iamTags), iam:ResourceTag/* as well (Service Authorization Reference, IAM and STS).
func SetResourceTags(ctx *policy.Context, tags []iam.Tag, iamTags bool) {
	for _, t := range tags {
		ctx.Set("aws:ResourceTag/"+t.Key, t.Value)
		if iamTags {
			ctx.Set("iam:ResourceTag/"+t.Key, t.Value)
		}
	}
}

// SetRequestTags sets aws:RequestTag/* and aws:TagKeys for the tags a request adds; nothing when it
// adds none.
func SetRequestTags(ctx *policy.Context, tags []iam.Tag) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		ctx.Set("aws:RequestTag/"+t.Key, t.Value)
		keys[i] = t.Key
	}
	ctx.Set("aws:TagKeys", keys...)
}
