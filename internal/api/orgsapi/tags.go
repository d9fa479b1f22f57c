package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/orgs"
)

// Tags on accounts, OUs, the root and policies.

var (
	TagResource = api.Add(&ops, &api.Op[TagResourceInput, struct{}]{
		Name: "TagResource", Authorize: on(func(in *TagResourceInput) target {
			return target{ids: []string{in.ResourceId}, tags: in.Tags}
		}),
		Run: tagResource})
	UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, struct{}]{
		Name: "UntagResource", Authorize: on(func(in *UntagResourceInput) target {
			return target{ids: []string{in.ResourceId}, tagKeys: in.TagKeys}
		}),
		Run: untagResource})
	ListTagsForResource = api.Add(&ops, &api.Op[ListTagsForResourceInput, ListTagsForResourceOutput]{
		Name: "ListTagsForResource", Authorize: on(func(in *ListTagsForResourceInput) target {
			return target{ids: []string{in.ResourceId}}
		}),
		Run: listTagsForResource})
)

// Tag is Organizations' Tag in a request. Value is a pointer because "you can set the value to an
// empty string, but you can't set it to null" (API Reference, Tag): a missing Value is refused
// rather than read as "".
type Tag struct {
	Key   string
	Value *string
}

type TagResourceInput struct {
	ResourceId string
	Tags       []Tag
}

type UntagResourceInput struct {
	ResourceId string
	TagKeys    []string
}

type ListTagsForResourceInput struct {
	ResourceId string
	ListInput
}

// TagOutput is a Tag in a result.
type TagOutput struct {
	Key   string
	Value string
}

type ListTagsForResourceOutput struct {
	Tags []TagOutput
	Paged
}

// tagsIn converts request tags; the orgs service checks their keys, values and number.
func tagsIn(in []Tag) ([]orgs.Tag, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]orgs.Tag, len(in))
	for i, t := range in {
		if t.Value == nil {
			e := awserr.New(awserr.OrgsInvalidInput, "You must specify a Value for each tag; it may be empty.")
			e.Fields = map[string]string{"Reason": orgs.ReasonInputRequired}
			return nil, e
		}
		out[i] = orgs.Tag{Key: t.Key, Value: *t.Value}
	}
	return out, nil
}

func tagResource(c *api.Call, in *TagResourceInput) (*struct{}, error) {
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	return nil, c.Orgs.TagResource(c.Ctx, c.Account(), in.ResourceId, tags)
}

func untagResource(c *api.Call, in *UntagResourceInput) (*struct{}, error) {
	return nil, c.Orgs.UntagResource(c.Ctx, c.Account(), in.ResourceId, in.TagKeys)
}

func listTagsForResource(c *api.Call, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	p, err := c.Orgs.ListTagsForResource(c.Ctx, c.Account(), in.ResourceId, in.Opts())
	if err != nil {
		return nil, err
	}
	out := each(p.Items, func(t *orgs.Tag) TagOutput { return TagOutput(*t) })
	return &ListTagsForResourceOutput{Tags: out, Paged: PageOf(p)}, nil
}
