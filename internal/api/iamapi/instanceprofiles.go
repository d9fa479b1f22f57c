package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
// ListInstanceProfiles, ListInstanceProfilesForRole, AddRoleToInstanceProfile,
// RemoveRoleFromInstanceProfile and the profile's tags. The resource of an operation on a profile
// is arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME, with the profile's tags as
// aws:ResourceTag/* (Service Authorization Reference, IAM, resource type instance-profile).

// instanceProfileARN is the ARN of the profile named name with its path, read once (its facts are
// kept in c.Facts); without a path when there is no such profile.
func instanceProfileARN(c *api.Call, name string) string {
	if name == "" {
		return arnOf(c, "instance-profile", "")
	}
	f, err := c.IAM.InstanceProfileFacts(c.Ctx, c.Account(), name)
	switch {
	case err != nil:
		cannotRead(c, err)
		return arnOf(c, "instance-profile", name)
	case f == nil:
		f = &iam.ResourceFacts{Kind: "instance-profile", ARN: arnOf(c, "instance-profile", name)}
	}
	c.Facts = f
	return f.ARN
}

// InstanceProfile is IAM's InstanceProfile: its role (Roles, at most one) as IAM answers roles.
type InstanceProfile struct {
	Path                string        `xml:"Path"`
	InstanceProfileName string        `xml:"InstanceProfileName"`
	InstanceProfileID   string        `xml:"InstanceProfileId"`
	Arn                 string        `xml:"Arn"`
	CreateDate          awsproto.Time `xml:"CreateDate"`
	Roles               []Role        `xml:"Roles>member"`
	Tags                iam.TagList   `xml:"Tags,omitempty"`
}

func instanceProfileOf(p *iam.InstanceProfile) InstanceProfile {
	out := InstanceProfile{Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileID: p.InstanceProfileID,
		Arn: p.Arn, CreateDate: awsproto.Time(p.CreateDate), Roles: make([]Role, len(p.Roles)), Tags: p.Tags}
	for i := range p.Roles {
		out.Roles[i] = RoleOf(&p.Roles[i])
	}
	return out
}

// InstanceProfileOutput is the result of CreateInstanceProfile and GetInstanceProfile.
type InstanceProfileOutput struct {
	InstanceProfile InstanceProfile `xml:"InstanceProfile"`
}

var CreateInstanceProfile = add(&api.Op[CreateInstanceProfileInput, InstanceProfileOutput]{
	Name: "CreateInstanceProfile",
	Resource: func(c *api.Call, in *CreateInstanceProfileInput) string {
		return newEntityARN(c, "instance-profile", in.Path, in.InstanceProfileName)
	},
	Keys: func(c *api.Call, in *CreateInstanceProfileInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: createInstanceProfile,
})

// CreateInstanceProfileInput is CreateInstanceProfile's request.
type CreateInstanceProfileInput struct {
	InstanceProfileName string `required:"true"`
	Path                string
	Tags                []iam.Tag
}

func createInstanceProfile(c *api.Call, in *CreateInstanceProfileInput) (*InstanceProfileOutput, error) {
	p, err := c.IAM.CreateInstanceProfile(c.Ctx, c.Account(), iam.CreateInstanceProfileInput{
		InstanceProfileName: in.InstanceProfileName, Path: in.Path, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: instanceProfileOf(p)}, nil
}

// InstanceProfileNameInput is the request of an operation on a profile that takes nothing else.
type InstanceProfileNameInput struct {
	InstanceProfileName string `required:"true"`
}

var GetInstanceProfile = add(&api.Op[InstanceProfileNameInput, InstanceProfileOutput]{
	Name: "GetInstanceProfile",
	Resource: func(c *api.Call, in *InstanceProfileNameInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Run: getInstanceProfile,
})

func getInstanceProfile(c *api.Call, in *InstanceProfileNameInput) (*InstanceProfileOutput, error) {
	p, err := c.IAM.GetInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: instanceProfileOf(p)}, nil
}

var DeleteInstanceProfile = add(&api.Op[InstanceProfileNameInput, struct{}]{
	Name: "DeleteInstanceProfile",
	Resource: func(c *api.Call, in *InstanceProfileNameInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Run: deleteInstanceProfile,
})

func deleteInstanceProfile(c *api.Call, in *InstanceProfileNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName)
}

// ListInstanceProfilesOutput is the result of ListInstanceProfiles and
// ListInstanceProfilesForRole.
type ListInstanceProfilesOutput struct {
	InstanceProfiles []InstanceProfile `xml:"InstanceProfiles>member"`
	Paged
}

func instanceProfilesPage(p iam.Page[iam.InstanceProfile]) *ListInstanceProfilesOutput {
	out := &ListInstanceProfilesOutput{InstanceProfiles: make([]InstanceProfile, len(p.Items)), Paged: PageOf(p)}
	for i := range p.Items {
		out.InstanceProfiles[i] = instanceProfileOf(&p.Items[i])
	}
	return out
}

var ListInstanceProfiles = add(&api.Op[ListInstanceProfilesInput, ListInstanceProfilesOutput]{
	Name: "ListInstanceProfiles", Run: listInstanceProfiles})

// ListInstanceProfilesInput is ListInstanceProfiles' request.
type ListInstanceProfilesInput struct {
	PathPrefix string
	ListInput
}

func listInstanceProfiles(c *api.Call, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	p, err := c.IAM.ListInstanceProfiles(c.Ctx, c.Account(), in.PathPrefix, in.Opts())
	if err != nil {
		return nil, err
	}
	return instanceProfilesPage(p), nil
}

var ListInstanceProfilesForRole = add(&api.Op[ListInstanceProfilesForRoleInput, ListInstanceProfilesOutput]{
	Name:     "ListInstanceProfilesForRole",
	Resource: func(c *api.Call, in *ListInstanceProfilesForRoleInput) string { return roleARN(c, in.RoleName) },
	Run:      listInstanceProfilesForRole,
})

// ListInstanceProfilesForRoleInput is ListInstanceProfilesForRole's request.
type ListInstanceProfilesForRoleInput struct {
	RoleName string `required:"true"`
	ListInput
}

func listInstanceProfilesForRole(c *api.Call, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	p, err := c.IAM.ListInstanceProfilesForRole(c.Ctx, c.Account(), in.RoleName, in.Opts())
	if err != nil {
		return nil, err
	}
	return instanceProfilesPage(p), nil
}

// InstanceProfileRoleInput names a profile and a role.
type InstanceProfileRoleInput struct {
	InstanceProfileName string `required:"true"`
	RoleName            string `required:"true"`
}

var AddRoleToInstanceProfile = add(&api.Op[InstanceProfileRoleInput, struct{}]{
	Name: "AddRoleToInstanceProfile",
	Resource: func(c *api.Call, in *InstanceProfileRoleInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Run: addRoleToInstanceProfile,
})

// addRoleToInstanceProfile also needs iam:PassRole on the role: "The caller of this operation
// must be granted the PassRole permission on the IAM role by a permissions policy" (IAM API
// Reference, AddRoleToInstanceProfile), since whoever may launch an instance with the profile
// gets the role's permissions.
func addRoleToInstanceProfile(c *api.Call, in *InstanceProfileRoleInput) (*struct{}, error) {
	if err := c.Authorize("iam:PassRole", roleARN(c, in.RoleName), nil); err != nil {
		return nil, err
	}
	return nil, c.IAM.AddRoleToInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName, in.RoleName)
}

var RemoveRoleFromInstanceProfile = add(&api.Op[InstanceProfileRoleInput, struct{}]{
	Name: "RemoveRoleFromInstanceProfile",
	Resource: func(c *api.Call, in *InstanceProfileRoleInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Run: removeRoleFromInstanceProfile,
})

func removeRoleFromInstanceProfile(c *api.Call, in *InstanceProfileRoleInput) (*struct{}, error) {
	return nil, c.IAM.RemoveRoleFromInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName, in.RoleName)
}

var TagInstanceProfile = add(&api.Op[TagInstanceProfileInput, struct{}]{
	Name: "TagInstanceProfile",
	Resource: func(c *api.Call, in *TagInstanceProfileInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Keys: func(c *api.Call, in *TagInstanceProfileInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: func(c *api.Call, in *TagInstanceProfileInput) (*struct{}, error) {
		return nil, c.IAM.TagInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName, in.Tags)
	},
})

// TagInstanceProfileInput is TagInstanceProfile's request.
type TagInstanceProfileInput struct {
	InstanceProfileName string    `required:"true"`
	Tags                []iam.Tag `required:"true"`
}

var UntagInstanceProfile = add(&api.Op[UntagInstanceProfileInput, struct{}]{
	Name: "UntagInstanceProfile",
	Resource: func(c *api.Call, in *UntagInstanceProfileInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Keys: func(c *api.Call, in *UntagInstanceProfileInput) (authz.Keys, error) {
		return untagKeys(in.TagKeys), nil
	},
	Run: func(c *api.Call, in *UntagInstanceProfileInput) (*struct{}, error) {
		return nil, c.IAM.UntagInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName, in.TagKeys)
	},
})

// UntagInstanceProfileInput is UntagInstanceProfile's request.
type UntagInstanceProfileInput struct {
	InstanceProfileName string   `required:"true"`
	TagKeys             []string `required:"true"`
}

var ListInstanceProfileTags = add(&api.Op[ListInstanceProfileTagsInput, TagsOutput]{
	Name: "ListInstanceProfileTags",
	Resource: func(c *api.Call, in *ListInstanceProfileTagsInput) string {
		return instanceProfileARN(c, in.InstanceProfileName)
	},
	Run: listInstanceProfileTags,
})

// ListInstanceProfileTagsInput is ListInstanceProfileTags' request.
type ListInstanceProfileTagsInput struct {
	InstanceProfileName string `required:"true"`
	ListInput
}

func listInstanceProfileTags(c *api.Call, in *ListInstanceProfileTagsInput) (*TagsOutput, error) {
	p, err := c.IAM.GetInstanceProfile(c.Ctx, c.Account(), in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	return tagsPage(p.Tags, in.ListInput)
}
