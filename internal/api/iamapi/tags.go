package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
)

// The tags of users, roles and managed policies: Tag*, Untag* and List*Tags. Tag* carry
// aws:RequestTag/* and aws:TagKeys, Untag* aws:TagKeys, and all of them the resource's current
// tags (resourceKeys). The tags of a virtual MFA device are with the device.

// TagsOutput is the result of ListUserTags, ListRoleTags and ListPolicyTags.
type TagsOutput struct {
	Tags []iam.Tag `xml:"Tags>member"`
	Paged
}

func tagsPage(tags []iam.Tag, o ListInput) (*TagsOutput, error) {
	p, err := iam.PageTags(tags, o.Opts())
	if err != nil {
		return nil, err
	}
	return &TagsOutput{Tags: p.Items, Paged: PageOf(p)}, nil
}

var TagUser = add(&api.Op[TagUserInput, struct{}]{
	Name:     "TagUser",
	Resource: func(c *api.Call, in *TagUserInput) string { return userARN(c, in.UserName) },
	Keys:     func(c *api.Call, in *TagUserInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run:      tagUser,
})

// TagUserInput is TagUser's request.
type TagUserInput struct {
	UserName string `required:"true"`
	Tags     []iam.Tag
}

func tagUser(c *api.Call, in *TagUserInput) (*struct{}, error) {
	return nil, c.IAM.TagUser(c.Ctx, c.Account(), in.UserName, in.Tags)
}

var UntagUser = add(&api.Op[UntagUserInput, struct{}]{
	Name:     "UntagUser",
	Resource: func(c *api.Call, in *UntagUserInput) string { return userARN(c, in.UserName) },
	Keys:     func(c *api.Call, in *UntagUserInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run:      untagUser,
})

// UntagUserInput is UntagUser's request.
type UntagUserInput struct {
	UserName string `required:"true"`
	TagKeys  []string
}

func untagUser(c *api.Call, in *UntagUserInput) (*struct{}, error) {
	return nil, c.IAM.UntagUser(c.Ctx, c.Account(), in.UserName, in.TagKeys)
}

var ListUserTags = add(&api.Op[ListUserTagsInput, TagsOutput]{
	Name:     "ListUserTags",
	Resource: func(c *api.Call, in *ListUserTagsInput) string { return userARN(c, in.UserName) },
	Run:      listUserTags,
})

// ListUserTagsInput is ListUserTags' request.
type ListUserTagsInput struct {
	UserName string `required:"true"`
	ListInput
}

func listUserTags(c *api.Call, in *ListUserTagsInput) (*TagsOutput, error) {
	u, err := c.IAM.GetUser(c.Ctx, c.Account(), in.UserName)
	if err != nil {
		return nil, err
	}
	return tagsPage(u.Tags, in.ListInput)
}

var TagRole = add(&api.Op[TagRoleInput, struct{}]{
	Name:     "TagRole",
	Resource: func(c *api.Call, in *TagRoleInput) string { return roleARN(c, in.RoleName) },
	Keys:     func(c *api.Call, in *TagRoleInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run:      tagRole,
})

// TagRoleInput is TagRole's request.
type TagRoleInput struct {
	RoleName string `required:"true"`
	Tags     []iam.Tag
}

func tagRole(c *api.Call, in *TagRoleInput) (*struct{}, error) {
	return nil, c.IAM.TagRole(c.Ctx, c.Account(), in.RoleName, in.Tags)
}

var UntagRole = add(&api.Op[UntagRoleInput, struct{}]{
	Name:     "UntagRole",
	Resource: func(c *api.Call, in *UntagRoleInput) string { return roleARN(c, in.RoleName) },
	Keys:     func(c *api.Call, in *UntagRoleInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run:      untagRole,
})

// UntagRoleInput is UntagRole's request.
type UntagRoleInput struct {
	RoleName string `required:"true"`
	TagKeys  []string
}

func untagRole(c *api.Call, in *UntagRoleInput) (*struct{}, error) {
	return nil, c.IAM.UntagRole(c.Ctx, c.Account(), in.RoleName, in.TagKeys)
}

var ListRoleTags = add(&api.Op[ListRoleTagsInput, TagsOutput]{
	Name:     "ListRoleTags",
	Resource: func(c *api.Call, in *ListRoleTagsInput) string { return roleARN(c, in.RoleName) },
	Run:      listRoleTags,
})

// ListRoleTagsInput is ListRoleTags' request.
type ListRoleTagsInput struct {
	RoleName string `required:"true"`
	ListInput
}

func listRoleTags(c *api.Call, in *ListRoleTagsInput) (*TagsOutput, error) {
	r, err := c.IAM.GetRole(c.Ctx, c.Account(), in.RoleName)
	if err != nil {
		return nil, err
	}
	return tagsPage(r.Tags, in.ListInput)
}

var TagPolicy = add(&api.Op[TagPolicyInput, struct{}]{
	Name:     "TagPolicy",
	Resource: func(c *api.Call, in *TagPolicyInput) string { return policyARN(c, in.PolicyArn) },
	Keys:     func(c *api.Call, in *TagPolicyInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run:      tagPolicy,
})

// TagPolicyInput is TagPolicy's request.
type TagPolicyInput struct {
	PolicyArn string `required:"true"`
	Tags      []iam.Tag
}

func tagPolicy(c *api.Call, in *TagPolicyInput) (*struct{}, error) {
	return nil, c.IAM.TagPolicy(c.Ctx, c.Account(), in.PolicyArn, in.Tags)
}

var UntagPolicy = add(&api.Op[UntagPolicyInput, struct{}]{
	Name:     "UntagPolicy",
	Resource: func(c *api.Call, in *UntagPolicyInput) string { return policyARN(c, in.PolicyArn) },
	Keys:     func(c *api.Call, in *UntagPolicyInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run:      untagPolicy,
})

// UntagPolicyInput is UntagPolicy's request.
type UntagPolicyInput struct {
	PolicyArn string `required:"true"`
	TagKeys   []string
}

func untagPolicy(c *api.Call, in *UntagPolicyInput) (*struct{}, error) {
	return nil, c.IAM.UntagPolicy(c.Ctx, c.Account(), in.PolicyArn, in.TagKeys)
}

var ListPolicyTags = add(&api.Op[ListPolicyTagsInput, TagsOutput]{
	Name:     "ListPolicyTags",
	Resource: func(c *api.Call, in *ListPolicyTagsInput) string { return policyARN(c, in.PolicyArn) },
	Run:      listPolicyTags,
})

// ListPolicyTagsInput is ListPolicyTags' request.
type ListPolicyTagsInput struct {
	PolicyArn string `required:"true"`
	ListInput
}

func listPolicyTags(c *api.Call, in *ListPolicyTagsInput) (*TagsOutput, error) {
	p, err := c.IAM.GetPolicy(c.Ctx, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return tagsPage(p.Tags, in.ListInput)
}
