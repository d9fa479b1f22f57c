package identitystoreapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
)

// Groups and group memberships.

var (
	CreateGroup = api.Add(&ops, &api.Op[CreateGroupInput, GroupIDOutput]{
		Name: "CreateGroup", Authorize: on(func(in *CreateGroupInput) string { return in.IdentityStoreId }, nil, nil),
		Run: createGroup})
	DescribeGroup = api.Add(&ops, &api.Op[GroupInput, GroupOutput]{
		Name: "DescribeGroup", Authorize: on(groupStore, groupARN, nil), Run: describeGroup})
	ListGroups = api.Add(&ops, &api.Op[ListGroupsInput, ListGroupsOutput]{
		Name: "ListGroups", Authorize: on(func(in *ListGroupsInput) string { return in.IdentityStoreId }, nil, nil),
		Run: listGroups})
	UpdateGroup = api.Add(&ops, &api.Op[UpdateGroupInput, GroupIDOutput]{
		Name: "UpdateGroup", Authorize: on(func(in *UpdateGroupInput) string { return in.IdentityStoreId },
			func(in *UpdateGroupInput) []string { return []string{identitycenter.GroupARN(in.GroupId)} }, nil),
		Run: updateGroup})
	DeleteGroup = api.Add(&ops, &api.Op[GroupInput, struct{}]{
		Name: "DeleteGroup", Authorize: on(groupStore, groupARN, nil), Run: deleteGroup})
	GetGroupId = api.Add(&ops, &api.Op[GetGroupIdInput, GroupIDOutput]{
		Name: "GetGroupId", Authorize: on(func(in *GetGroupIdInput) string { return in.IdentityStoreId }, nil, nil),
		Run: getGroupID})

	CreateGroupMembership = api.Add(&ops, &api.Op[MembershipInput, MembershipIDOutput]{
		Name: "CreateGroupMembership", Authorize: on(membershipStore, memberResources, memberUser), Run: createGroupMembership})
	GetGroupMembershipId = api.Add(&ops, &api.Op[MembershipInput, MembershipIDOutput]{
		Name: "GetGroupMembershipId", Authorize: on(membershipStore, memberResources, memberUser), Run: getGroupMembershipID})
	DescribeGroupMembership = api.Add(&ops, &api.Op[MembershipIDInput, MembershipOutput]{
		Name: "DescribeGroupMembership", Authorize: on(membershipIDStore, membershipARN, nil), Run: describeGroupMembership})
	DeleteGroupMembership = api.Add(&ops, &api.Op[MembershipIDInput, struct{}]{
		Name: "DeleteGroupMembership", Authorize: on(membershipIDStore, membershipARN, nil), Run: deleteGroupMembership})
	ListGroupMemberships = api.Add(&ops, &api.Op[ListGroupMembershipsInput, ListGroupMembershipsOutput]{
		Name: "ListGroupMemberships", Authorize: on(func(in *ListGroupMembershipsInput) string { return in.IdentityStoreId },
			func(in *ListGroupMembershipsInput) []string { return []string{identitycenter.GroupARN(in.GroupId)} }, nil),
		Run: listGroupMemberships})
	ListGroupMembershipsForMember = api.Add(&ops, &api.Op[ListForMemberInput, ListGroupMembershipsOutput]{
		Name: "ListGroupMembershipsForMember", Authorize: on(func(in *ListForMemberInput) string { return in.IdentityStoreId },
			func(in *ListForMemberInput) []string { return []string{identitycenter.UserARN(in.MemberId.UserId)} },
			func(in *ListForMemberInput) string { return in.MemberId.UserId }),
		Run: listGroupMembershipsForMember})
	IsMemberInGroups = api.Add(&ops, &api.Op[IsMemberInGroupsInput, IsMemberInGroupsOutput]{
		Name: "IsMemberInGroups", Authorize: on(func(in *IsMemberInGroupsInput) string { return in.IdentityStoreId },
			func(in *IsMemberInGroupsInput) []string {
				out := []string{identitycenter.UserARN(in.MemberId.UserId)}
				for _, g := range in.GroupIds {
					out = append(out, identitycenter.GroupARN(g))
				}
				return out
			}, func(in *IsMemberInGroupsInput) string { return in.MemberId.UserId }),
		Run: isMemberInGroups})
)

type CreateGroupInput struct {
	IdentityStoreId string
	DisplayName     string
	Description     string
}

// GroupInput names one group.
type GroupInput struct {
	IdentityStoreId string
	GroupId         string
}

func groupStore(in *GroupInput) string { return in.IdentityStoreId }
func groupARN(in *GroupInput) []string { return []string{identitycenter.GroupARN(in.GroupId)} }

// GroupIDOutput is CreateGroup's, UpdateGroup's and GetGroupId's answer.
type GroupIDOutput struct {
	IdentityStoreId string
	GroupId         string
}

// GroupOutput is the API's Group, and DescribeGroup's answer.
type GroupOutput struct {
	IdentityStoreId string
	GroupId         string
	GroupArn        string
	DisplayName     string       `json:",omitempty"`
	Description     string       `json:",omitempty"`
	ExternalIds     []ExternalId `json:",omitempty"`
	CreatedAt       *Timestamp   `json:",omitempty"`
	CreatedBy       string       `json:",omitempty"`
	UpdatedAt       *Timestamp   `json:",omitempty"`
	UpdatedBy       string       `json:",omitempty"`
}

func groupOut(g *identitycenter.Group) GroupOutput {
	out := GroupOutput{IdentityStoreId: g.IdentityStoreID, GroupId: g.GroupID, GroupArn: identitycenter.GroupARN(g.GroupID),
		DisplayName: g.DisplayName, Description: g.Description, CreatedAt: stamp(g.Created), CreatedBy: g.CreatedBy,
		UpdatedAt: stamp(g.Updated), UpdatedBy: g.UpdatedBy}
	for _, e := range g.ExternalIDs {
		out.ExternalIds = append(out.ExternalIds, ExternalId{Issuer: e.Issuer, Id: e.ID})
	}
	return out
}

func createGroup(c *api.Call, in *CreateGroupInput) (*GroupIDOutput, error) {
	g, err := c.IdentityCenter.CreateGroup(c.Ctx, c.Account(), in.IdentityStoreId, c.Caller.ARN, in.DisplayName, in.Description)
	if err != nil {
		return nil, err
	}
	return &GroupIDOutput{IdentityStoreId: g.IdentityStoreID, GroupId: g.GroupID}, nil
}

func describeGroup(c *api.Call, in *GroupInput) (*GroupOutput, error) {
	g, err := c.IdentityCenter.DescribeGroup(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId)
	if err != nil {
		return nil, err
	}
	out := groupOut(g)
	return &out, nil
}

type ListGroupsInput struct {
	IdentityStoreId string
	Filters         []Filter
	ListInput
}

type ListGroupsOutput struct {
	Groups    []GroupOutput
	NextToken *string `json:",omitempty" page:"token"`
}

func listGroups(c *api.Call, in *ListGroupsInput) (*ListGroupsOutput, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListGroups(c.Ctx, c.Account(), in.IdentityStoreId, filters(in.Filters), in.opts())
	if err != nil {
		return nil, err
	}
	out := &ListGroupsOutput{Groups: make([]GroupOutput, 0, len(p.Items)), NextToken: next(p.Truncated, p.Last)}
	for i := range p.Items {
		out.Groups = append(out.Groups, groupOut(&p.Items[i]))
	}
	return out, nil
}

type UpdateGroupInput struct {
	IdentityStoreId string
	GroupId         string
	Operations      []AttributeOperation
}

func updateGroup(c *api.Call, in *UpdateGroupInput) (*GroupIDOutput, error) {
	if err := c.IdentityCenter.UpdateGroup(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId, c.Caller.ARN, operations(in.Operations)); err != nil {
		return nil, err
	}
	return &GroupIDOutput{IdentityStoreId: in.IdentityStoreId, GroupId: in.GroupId}, nil
}

func deleteGroup(c *api.Call, in *GroupInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteGroup(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId)
}

type GetGroupIdInput struct {
	IdentityStoreId     string
	AlternateIdentifier AlternateIdentifier
}

func getGroupID(c *api.Call, in *GetGroupIdInput) (*GroupIDOutput, error) {
	f, ext, err := in.AlternateIdentifier.domain()
	if err != nil {
		return nil, err
	}
	id, err := c.IdentityCenter.GetGroupID(c.Ctx, c.Account(), in.IdentityStoreId, f, ext)
	if err != nil {
		return nil, err
	}
	sid, _ := identitycenter.StoreID(in.IdentityStoreId)
	return &GroupIDOutput{IdentityStoreId: sid, GroupId: id}, nil
}

// MemberId is the API's union naming a member; a user is the only kind.
type MemberId struct {
	UserId string `json:",omitempty"`
}

func (m MemberId) check() error {
	if m.UserId == "" {
		return awserr.New(awserr.ICValidation, "MemberId must name a UserId.")
	}
	return nil
}

// MembershipInput names a group and a member (CreateGroupMembership, GetGroupMembershipId).
type MembershipInput struct {
	IdentityStoreId string
	GroupId         string
	MemberId        MemberId
}

func membershipStore(in *MembershipInput) string { return in.IdentityStoreId }
func memberResources(in *MembershipInput) []string {
	return []string{identitycenter.GroupARN(in.GroupId), identitycenter.UserARN(in.MemberId.UserId)}
}
func memberUser(in *MembershipInput) string { return in.MemberId.UserId }

type MembershipIDOutput struct {
	IdentityStoreId string
	MembershipId    string
	MembershipArn   string `json:",omitempty"`
}

func createGroupMembership(c *api.Call, in *MembershipInput) (*MembershipIDOutput, error) {
	if err := in.MemberId.check(); err != nil {
		return nil, err
	}
	id, err := c.IdentityCenter.CreateGroupMembership(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId, in.MemberId.UserId)
	if err != nil {
		return nil, err
	}
	sid, _ := identitycenter.StoreID(in.IdentityStoreId)
	return &MembershipIDOutput{IdentityStoreId: sid, MembershipId: id}, nil
}

func getGroupMembershipID(c *api.Call, in *MembershipInput) (*MembershipIDOutput, error) {
	if err := in.MemberId.check(); err != nil {
		return nil, err
	}
	id, err := c.IdentityCenter.GetGroupMembershipID(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId, in.MemberId.UserId)
	if err != nil {
		return nil, err
	}
	sid, _ := identitycenter.StoreID(in.IdentityStoreId)
	return &MembershipIDOutput{IdentityStoreId: sid, MembershipId: id}, nil
}

// MembershipIDInput names one membership.
type MembershipIDInput struct {
	IdentityStoreId string
	MembershipId    string
}

func membershipIDStore(in *MembershipIDInput) string { return in.IdentityStoreId }
func membershipARN(in *MembershipIDInput) []string {
	return []string{identitycenter.MembershipARN(in.MembershipId)}
}

// MembershipOutput is the API's GroupMembership, and DescribeGroupMembership's answer.
type MembershipOutput struct {
	IdentityStoreId string
	MembershipId    string
	MembershipArn   string
	GroupId         string
	MemberId        MemberId
}

func membershipOut(m *identitycenter.Membership) MembershipOutput {
	return MembershipOutput{IdentityStoreId: m.IdentityStoreID, MembershipId: m.MembershipID,
		MembershipArn: identitycenter.MembershipARN(m.MembershipID), GroupId: m.GroupID, MemberId: MemberId{UserId: m.UserID}}
}

func describeGroupMembership(c *api.Call, in *MembershipIDInput) (*MembershipOutput, error) {
	m, err := c.IdentityCenter.DescribeGroupMembership(c.Ctx, c.Account(), in.IdentityStoreId, in.MembershipId)
	if err != nil {
		return nil, err
	}
	out := membershipOut(m)
	return &out, nil
}

func deleteGroupMembership(c *api.Call, in *MembershipIDInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteGroupMembership(c.Ctx, c.Account(), in.IdentityStoreId, in.MembershipId)
}

type ListGroupMembershipsInput struct {
	IdentityStoreId string
	GroupId         string
	ListInput
}

type ListGroupMembershipsOutput struct {
	GroupMemberships []MembershipOutput
	NextToken        *string `json:",omitempty" page:"token"`
}

func membershipsOut(items []identitycenter.Membership, truncated bool, last string) *ListGroupMembershipsOutput {
	out := &ListGroupMembershipsOutput{GroupMemberships: make([]MembershipOutput, 0, len(items)), NextToken: next(truncated, last)}
	for i := range items {
		out.GroupMemberships = append(out.GroupMemberships, membershipOut(&items[i]))
	}
	return out
}

func listGroupMemberships(c *api.Call, in *ListGroupMembershipsInput) (*ListGroupMembershipsOutput, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListGroupMemberships(c.Ctx, c.Account(), in.IdentityStoreId, in.GroupId, in.opts())
	if err != nil {
		return nil, err
	}
	return membershipsOut(p.Items, p.Truncated, p.Last), nil
}

type ListForMemberInput struct {
	IdentityStoreId string
	MemberId        MemberId
	ListInput
}

func listGroupMembershipsForMember(c *api.Call, in *ListForMemberInput) (*ListGroupMembershipsOutput, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := in.MemberId.check(); err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListGroupMembershipsForMember(c.Ctx, c.Account(), in.IdentityStoreId, in.MemberId.UserId, in.opts())
	if err != nil {
		return nil, err
	}
	return membershipsOut(p.Items, p.Truncated, p.Last), nil
}

type IsMemberInGroupsInput struct {
	IdentityStoreId string
	MemberId        MemberId
	GroupIds        []string
}

// GroupMembershipExistenceResult is the API's GroupMembershipExistenceResult.
type GroupMembershipExistenceResult struct {
	GroupId          string
	MemberId         MemberId
	MembershipExists bool
}

type IsMemberInGroupsOutput struct {
	Results []GroupMembershipExistenceResult
}

func isMemberInGroups(c *api.Call, in *IsMemberInGroupsInput) (*IsMemberInGroupsOutput, error) {
	if err := in.MemberId.check(); err != nil {
		return nil, err
	}
	res, err := c.IdentityCenter.IsMemberInGroups(c.Ctx, c.Account(), in.IdentityStoreId, in.MemberId.UserId, in.GroupIds)
	if err != nil {
		return nil, err
	}
	out := &IsMemberInGroupsOutput{Results: make([]GroupMembershipExistenceResult, 0, len(res))}
	for _, r := range res {
		out.Results = append(out.Results, GroupMembershipExistenceResult{GroupId: r.GroupID, MemberId: MemberId{UserId: r.UserID}, MembershipExists: r.MembershipExists})
	}
	return out, nil
}
