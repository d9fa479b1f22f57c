package cloudtrailapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/cloudtrail"
	"github.com/rootward/rootward/internal/policy"
)

// Tags on trails. AddTags carries aws:RequestTag/* and aws:TagKeys, RemoveTags aws:TagKeys, each on
// the trail with its aws:ResourceTag/*; ListTags is authorized on each trail it lists.

var (
	AddTags = api.Add(&ops, &api.Op[TagsInput, struct{}]{
		Name: "AddTags", Authorize: on(func(in *TagsInput) target { return target{name: in.ResourceId, tags: in.TagsList} }),
		Run: addTags})
	RemoveTags = api.Add(&ops, &api.Op[TagsInput, struct{}]{
		Name: "RemoveTags", Authorize: on(func(in *TagsInput) target { return target{name: in.ResourceId, tagKeys: tagKeys(in.TagsList)} }),
		Run: removeTags})
	ListTags = api.Add(&ops, &api.Op[ListTagsInput, ListTagsOutput]{
		Name: "ListTags", Authorize: authorizeListTags, Run: listTags})
)

// Tag is CloudTrail's Tag; Value may be absent.
type Tag struct {
	Key   string
	Value *string `json:",omitempty"`
}

type TagsInput struct {
	ResourceId string
	TagsList   []Tag
}

type ListTagsInput struct {
	ResourceIdList []string
	NextToken      string `page:"token"`
}

// ResourceTag is the API's ResourceTag.
type ResourceTag struct {
	ResourceId string
	TagsList   []Tag
}

type ListTagsOutput struct {
	ResourceTagList []ResourceTag
	NextToken       *string `json:",omitempty" page:"token"`
}

func tagsIn(in []Tag) []cloudtrail.Tag {
	out := make([]cloudtrail.Tag, 0, len(in))
	for _, t := range in {
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		out = append(out, cloudtrail.Tag{Key: t.Key, Value: v})
	}
	return out
}

func tagKeys(in []Tag) []string {
	keys := make([]string, len(in))
	for i, t := range in {
		keys[i] = t.Key
	}
	return keys
}

func addTags(c *api.Call, in *TagsInput) (*struct{}, error) {
	if len(in.TagsList) == 0 {
		return nil, awserr.New(awserr.CTInvalidTagParameter, "TagsList must name at least one tag.")
	}
	return nil, c.CloudTrail.AddTags(c.Ctx, c.Account(), c.Region, in.ResourceId, tagsIn(in.TagsList))
}

func removeTags(c *api.Call, in *TagsInput) (*struct{}, error) {
	return nil, c.CloudTrail.RemoveTags(c.Ctx, c.Account(), c.Region, in.ResourceId, tagKeys(in.TagsList))
}

// maxListTags is the number of resources one ListTags names at most (API Reference, ListTags
// ResourceIdList: "a list of trail ARNs whose tags will be listed. The list has a limit of 20 ARNs").
const maxListTags = 20

func authorizeListTags(c *api.Call, in *ListTagsInput) error {
	if len(in.ResourceIdList) == 0 || len(in.ResourceIdList) > maxListTags {
		return awserr.New(awserr.CTInvalidParameter, "ResourceIdList must name 1 to %d trail ARNs.", maxListTags)
	}
	for _, id := range in.ResourceIdList {
		if err := (target{name: id}).authorize(c); err != nil {
			return err
		}
	}
	return nil
}

func listTags(c *api.Call, in *ListTagsInput) (*ListTagsOutput, error) {
	out := &ListTagsOutput{ResourceTagList: make([]ResourceTag, 0, len(in.ResourceIdList))}
	for _, id := range in.ResourceIdList {
		tags, err := c.CloudTrail.ListTags(c.Ctx, c.Account(), c.Region, id)
		if err != nil {
			return nil, err
		}
		rt := ResourceTag{ResourceId: id, TagsList: make([]Tag, 0, len(tags))}
		for _, t := range tags {
			v := t.Value
			rt.TagsList = append(rt.TagsList, Tag{t.Key, &v})
		}
		out.ResourceTagList = append(out.ResourceTagList, rt)
	}
	return out, nil
}

// target is what an action on a trail is authorized against: the trail a request names (name or
// ARN), the tags it adds and the tag keys it removes.
type target struct {
	name    string
	tags    []Tag
	tagKeys []string
}

// on is the Authorize of an operation on the trail its input names.
func on[In any](targetOf func(in *In) target) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error { return targetOf(in).authorize(c) }
}

// authorize authorizes c's action on the trail's ARN with the trail's tags (aws:ResourceTag/*,
// none for a trail that does not exist yet) and the request's tag keys.
func (t target) authorize(c *api.Call) error {
	c.Resource = trailARN(c, t.name)
	have, err := c.CloudTrail.TagsOf(c.Ctx, c.Account(), c.Region, t.name)
	if err != nil {
		return err
	}
	var keys authz.Keys = func(ctx *policy.Context) {
		for _, tg := range have {
			ctx.Set("aws:ResourceTag/"+tg.Key, tg.Value)
		}
		if len(t.tags) > 0 {
			for _, tg := range t.tags {
				v := ""
				if tg.Value != nil {
					v = *tg.Value
				}
				ctx.Set("aws:RequestTag/"+tg.Key, v)
			}
			ctx.Set("aws:TagKeys", tagKeys(t.tags)...)
		}
		if len(t.tagKeys) > 0 {
			ctx.Set("aws:TagKeys", t.tagKeys...)
		}
	}
	return c.Authorize(c.Service+":"+c.Action, c.Resource, keys)
}
