package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/iam"
)

// IAM groups and their members: CreateGroup, GetGroup, ListGroups, ListGroupsForUser,
// UpdateGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup. A group's policies are in
// principalpolicies.go.

func groupARN(c *api.Call, name string) string { return entityARN(c, "group", name) }

var CreateGroup = add(&api.Op[CreateGroupInput, GroupOutput]{
	Name: "CreateGroup",
	Resource: func(c *api.Call, in *CreateGroupInput) string {
		return newEntityARN(c, "group", in.Path, in.GroupName)
	},
	Run: createGroup,
})

// CreateGroupInput is CreateGroup's request.
type CreateGroupInput struct {
	GroupName string `required:"true"`
	Path      string
}

// GroupOutput is CreateGroup's result.
type GroupOutput struct {
	Group *iam.Group `xml:"Group"`
}

func createGroup(c *api.Call, in *CreateGroupInput) (*GroupOutput, error) {
	g, err := c.IAM.CreateGroup(c.Ctx, c.Account(), in.GroupName, in.Path)
	if err != nil {
		return nil, err
	}
	return &GroupOutput{Group: g}, nil
}

var GetGroup = add(&api.Op[GetGroupInput, GetGroupOutput]{
	Name:     "GetGroup",
	Resource: func(c *api.Call, in *GetGroupInput) string { return groupARN(c, in.GroupName) },
	Run:      getGroup,
})

// GetGroupInput is GetGroup's request; the page is of the group's users.
type GetGroupInput struct {
	GroupName string `required:"true"`
	ListInput
}

// GetGroupOutput is GetGroup's result: the group and a page of its users.
type GetGroupOutput struct {
	Group *iam.Group `xml:"Group"`
	Users []iam.User `xml:"Users>member"`
	Paged
}

func getGroup(c *api.Call, in *GetGroupInput) (*GetGroupOutput, error) {
	g, p, err := c.IAM.GetGroup(c.Ctx, c.Account(), in.GroupName, in.Opts())
	if err != nil {
		return nil, err
	}
	return &GetGroupOutput{Group: g, Users: p.Items, Paged: PageOf(p)}, nil
}

var ListGroups = add(&api.Op[ListGroupsInput, GroupsOutput]{Name: "ListGroups", Run: listGroups})

// ListGroupsInput is ListGroups' request.
type ListGroupsInput struct {
	PathPrefix string
	ListInput
}

// GroupsOutput is the result of ListGroups and ListGroupsForUser.
type GroupsOutput struct {
	Groups []iam.Group `xml:"Groups>member"`
	Paged
}

func listGroups(c *api.Call, in *ListGroupsInput) (*GroupsOutput, error) {
	p, err := c.IAM.ListGroups(c.Ctx, c.Account(), in.PathPrefix, in.Opts())
	if err != nil {
		return nil, err
	}
	return &GroupsOutput{Groups: p.Items, Paged: PageOf(p)}, nil
}

var ListGroupsForUser = add(&api.Op[ListGroupsForUserInput, GroupsOutput]{
	Name:     "ListGroupsForUser",
	Resource: func(c *api.Call, in *ListGroupsForUserInput) string { return userARN(c, in.UserName) },
	Run:      listGroupsForUser,
})

// ListGroupsForUserInput is ListGroupsForUser's request.
type ListGroupsForUserInput struct {
	UserName string `required:"true"`
	ListInput
}

func listGroupsForUser(c *api.Call, in *ListGroupsForUserInput) (*GroupsOutput, error) {
	p, err := c.IAM.ListGroupsForUser(c.Ctx, c.Account(), in.UserName, in.Opts())
	if err != nil {
		return nil, err
	}
	return &GroupsOutput{Groups: p.Items, Paged: PageOf(p)}, nil
}

var UpdateGroup = add(&api.Op[UpdateGroupInput, struct{}]{
	Name:     "UpdateGroup",
	Resource: func(c *api.Call, in *UpdateGroupInput) string { return groupARN(c, in.GroupName) },
	More: func(c *api.Call, in *UpdateGroupInput) []string {
		return renamed(c, "group", in.NewGroupName, in.NewPath)
	},
	Run: updateGroup,
})

// UpdateGroupInput is UpdateGroup's request.
type UpdateGroupInput struct {
	GroupName    string `required:"true"`
	NewGroupName string
	NewPath      string
}

func updateGroup(c *api.Call, in *UpdateGroupInput) (*struct{}, error) {
	return nil, c.IAM.UpdateGroup(c.Ctx, c.Account(), in.GroupName, in.NewGroupName, in.NewPath)
}

var DeleteGroup = add(&api.Op[GroupNameInput, struct{}]{
	Name:     "DeleteGroup",
	Resource: func(c *api.Call, in *GroupNameInput) string { return groupARN(c, in.GroupName) },
	Run:      deleteGroup,
})

// GroupNameInput is DeleteGroup's request.
type GroupNameInput struct {
	GroupName string `required:"true"`
}

func deleteGroup(c *api.Call, in *GroupNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteGroup(c.Ctx, c.Account(), in.GroupName)
}

// Adding a user to a group and removing one act on the group (the Service Authorization Reference
// lists the group as their resource).

var AddUserToGroup = add(&api.Op[GroupMemberInput, struct{}]{
	Name:     "AddUserToGroup",
	Resource: func(c *api.Call, in *GroupMemberInput) string { return groupARN(c, in.GroupName) },
	Run:      addUserToGroup,
})

var RemoveUserFromGroup = add(&api.Op[GroupMemberInput, struct{}]{
	Name:     "RemoveUserFromGroup",
	Resource: func(c *api.Call, in *GroupMemberInput) string { return groupARN(c, in.GroupName) },
	Run:      removeUserFromGroup,
})

// GroupMemberInput is the request of AddUserToGroup and RemoveUserFromGroup.
type GroupMemberInput struct {
	GroupName string `required:"true"`
	UserName  string `required:"true"`
}

func addUserToGroup(c *api.Call, in *GroupMemberInput) (*struct{}, error) {
	return nil, c.IAM.AddUserToGroup(c.Ctx, c.Account(), in.GroupName, in.UserName)
}

func removeUserFromGroup(c *api.Call, in *GroupMemberInput) (*struct{}, error) {
	return nil, c.IAM.RemoveUserFromGroup(c.Ctx, c.Account(), in.GroupName, in.UserName)
}
