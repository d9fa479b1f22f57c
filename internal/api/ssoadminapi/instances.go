package ssoadminapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
)

// Instances and the tags of instances and permission sets.

var (
	CreateInstance = api.Add(&ops, &api.Op[CreateInstanceInput, InstanceARNOutput]{
		Name: "CreateInstance", Authorize: on(func(in *CreateInstanceInput) target { return target{tags: in.Tags} }),
		Run: createInstance})
	ListInstances = api.Add(&ops, &api.Op[ListInstancesInput, ListInstancesOutput]{
		Name: "ListInstances", Run: listInstances})
	DescribeInstance = api.Add(&ops, &api.Op[InstanceInput, DescribeInstanceOutput]{
		Name: "DescribeInstance", Authorize: on(instanceTarget), Run: describeInstance})
	UpdateInstance = api.Add(&ops, &api.Op[UpdateInstanceInput, struct{}]{
		Name: "UpdateInstance", Authorize: on(func(in *UpdateInstanceInput) target {
			return target{resources: []string{in.InstanceArn}, tagged: in.InstanceArn}
		}), Run: updateInstance})
	DeleteInstance = api.Add(&ops, &api.Op[InstanceInput, struct{}]{
		Name: "DeleteInstance", Authorize: on(instanceTarget), Run: deleteInstance})

	TagResource = api.Add(&ops, &api.Op[TagResourceInput, struct{}]{
		Name: "TagResource", Authorize: on(func(in *TagResourceInput) target {
			return target{resources: []string{in.ResourceArn}, tagged: in.ResourceArn, tags: in.Tags}
		}), Run: tagResource})
	UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, struct{}]{
		Name: "UntagResource", Authorize: on(func(in *UntagResourceInput) target {
			return target{resources: []string{in.ResourceArn}, tagged: in.ResourceArn, tagKeys: in.TagKeys}
		}), Run: untagResource})
	ListTagsForResource = api.Add(&ops, &api.Op[ListTagsInput, ListTagsOutput]{
		Name: "ListTagsForResource", Authorize: on(func(in *ListTagsInput) target {
			return target{resources: []string{in.ResourceArn}, tagged: in.ResourceArn}
		}), Run: listTags})
)

type CreateInstanceInput struct {
	Name        string
	Tags        []Tag
	ClientToken string
}

type InstanceARNOutput struct {
	InstanceArn string
}

func createInstance(c *api.Call, in *CreateInstanceInput) (*InstanceARNOutput, error) {
	i, err := c.IdentityCenter.CreateInstance(c.Ctx, c.Account(), in.Name, tagsIn(in.Tags))
	if err != nil {
		return nil, err
	}
	return &InstanceARNOutput{InstanceArn: i.ARN}, nil
}

type ListInstancesInput struct {
	ListInput
}

// InstanceMetadata is the API's InstanceMetadata.
type InstanceMetadata struct {
	InstanceArn      string
	IdentityStoreId  string
	IdentityStoreArn string
	OwnerAccountId   string
	Name             string `json:",omitempty"`
	Status           string
	CreatedDate      Timestamp
}

func metadata(i *identitycenter.Instance) InstanceMetadata {
	return InstanceMetadata{InstanceArn: i.ARN, IdentityStoreId: i.IdentityStoreID,
		IdentityStoreArn: identitycenter.IdentityStoreARN(i.OwnerAccount, i.IdentityStoreID), OwnerAccountId: i.OwnerAccount,
		Name: i.Name, Status: i.Status, CreatedDate: Timestamp(i.Created)}
}

type ListInstancesOutput struct {
	Instances []InstanceMetadata
	NextToken *string `json:",omitempty" page:"token"`
}

// listInstances answers every instance the caller manages (one or two) on one page.
func listInstances(c *api.Call, in *ListInstancesInput) (*ListInstancesOutput, error) {
	if _, err := in.opts(); err != nil {
		return nil, err
	}
	list, err := c.IdentityCenter.ListInstances(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	out := &ListInstancesOutput{Instances: make([]InstanceMetadata, 0, len(list))}
	for i := range list {
		out.Instances = append(out.Instances, metadata(&list[i]))
	}
	return out, nil
}

// InstanceInput names an instance.
type InstanceInput struct {
	InstanceArn string
}

func instanceTarget(in *InstanceInput) target {
	return target{resources: []string{in.InstanceArn}, tagged: in.InstanceArn}
}

type DescribeInstanceOutput struct {
	InstanceMetadata
}

func describeInstance(c *api.Call, in *InstanceInput) (*DescribeInstanceOutput, error) {
	i, err := c.IdentityCenter.DescribeInstance(c.Ctx, c.Account(), in.InstanceArn)
	if err != nil {
		return nil, err
	}
	return &DescribeInstanceOutput{metadata(i)}, nil
}

type UpdateInstanceInput struct {
	InstanceArn string
	Name        string
}

func updateInstance(c *api.Call, in *UpdateInstanceInput) (*struct{}, error) {
	return nil, c.IdentityCenter.UpdateInstance(c.Ctx, c.Account(), in.InstanceArn, in.Name)
}

func deleteInstance(c *api.Call, in *InstanceInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteInstance(c.Ctx, c.Account(), in.InstanceArn)
}

// instanceOf is the instance a tagging request acts in: InstanceArn when given, else the instance
// the resource is or belongs to.
func instanceOf(instanceARN, resourceARN string) (string, error) {
	if instanceARN != "" {
		return instanceARN, nil
	}
	if _, err := identitycenter.InstanceID(resourceARN); err == nil {
		return resourceARN, nil
	}
	inst, _, err := identitycenter.PermissionSetID(resourceARN)
	if err != nil {
		return "", awserr.New(awserr.ICValidation, "The value of ResourceArn is not a valid instance or permission set ARN.")
	}
	return identitycenter.InstanceARN(inst), nil
}

type TagResourceInput struct {
	InstanceArn string
	ResourceArn string
	Tags        []Tag
}

func tagResource(c *api.Call, in *TagResourceInput) (*struct{}, error) {
	inst, err := instanceOf(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, awserr.New(awserr.ICValidation, "Tags must name at least one tag.")
	}
	return nil, c.IdentityCenter.TagResource(c.Ctx, c.Account(), inst, in.ResourceArn, tagsIn(in.Tags))
}

type UntagResourceInput struct {
	InstanceArn string
	ResourceArn string
	TagKeys     []string
}

func untagResource(c *api.Call, in *UntagResourceInput) (*struct{}, error) {
	inst, err := instanceOf(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 || len(in.TagKeys) > 50 {
		return nil, awserr.New(awserr.ICValidation, "TagKeys must name 1 to 50 tag keys.")
	}
	return nil, c.IdentityCenter.UntagResource(c.Ctx, c.Account(), inst, in.ResourceArn, in.TagKeys)
}

type ListTagsInput struct {
	InstanceArn string
	ResourceArn string
	NextToken   string `page:"token"`
}

type ListTagsOutput struct {
	Tags      []Tag
	NextToken *string `json:",omitempty" page:"token"`
}

// listTags answers every tag (50 at most) on one page.
func listTags(c *api.Call, in *ListTagsInput) (*ListTagsOutput, error) {
	inst, err := instanceOf(in.InstanceArn, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := c.IdentityCenter.Tags(c.Ctx, c.Account(), inst, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &ListTagsOutput{Tags: tagsOut(tags)}, nil
}
