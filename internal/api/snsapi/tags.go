package snsapi

import (
	"github.com/rootward/rootward/internal/api"
)

// The tags of topics: TagResource (aws:RequestTag/*, aws:TagKeys), UntagResource (aws:TagKeys),
// ListTagsForResource; all with the topic's current tags as aws:ResourceTag/*.

var TagResource = api.Add(&ops, &api.Op[TagResourceInput, api.Empty]{
	Name: "TagResource",
	Authorize: func(c *api.Call, in *TagResourceInput) error {
		return authorizeTopic(c, "sns:TagResource", in.ResourceArn, requestTags(in.Tags))
	},
	Run: func(c *api.Call, in *TagResourceInput) (*api.Empty, error) {
		return &api.Empty{}, c.SNS.TagResource(c.Ctx, in.ResourceArn, domainTags(in.Tags))
	},
})

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceArn string `required:"true"`
	Tags        []Tag  `required:"true"`
}

var UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, api.Empty]{
	Name: "UntagResource",
	Authorize: func(c *api.Call, in *UntagResourceInput) error {
		return authorizeTopic(c, "sns:UntagResource", in.ResourceArn, tagKeys(in.TagKeys))
	},
	Run: func(c *api.Call, in *UntagResourceInput) (*api.Empty, error) {
		return &api.Empty{}, c.SNS.UntagResource(c.Ctx, in.ResourceArn, in.TagKeys)
	},
})

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceArn string   `required:"true"`
	TagKeys     []string `required:"true"`
}

var ListTagsForResource = api.Add(&ops, &api.Op[ResourceInput, ListTagsOutput]{
	Name: "ListTagsForResource",
	Authorize: func(c *api.Call, in *ResourceInput) error {
		return authorizeTopic(c, "sns:ListTagsForResource", in.ResourceArn, nil)
	},
	Run: func(c *api.Call, in *ResourceInput) (*ListTagsOutput, error) {
		tags, err := c.SNS.ListTags(c.Ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return &ListTagsOutput{Tags: wireTags(tags)}, nil
	},
})

// ResourceInput names a tagged resource (a topic).
type ResourceInput struct {
	ResourceArn string `required:"true"`
}

// ListTagsOutput is ListTagsForResource's result.
type ListTagsOutput struct {
	Tags []Tag `xml:"Tags>member"`
}
