package iamapi

import (
	"encoding/xml"
	"sort"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Account-wide reads: the summary of the account's entities and quotas, and every user, group,
// role and customer managed policy with their policies. Shapes follow the aws-sdk-go-v2
// service/iam types (UserDetail, GroupDetail, RoleDetail, ManagedPolicyDetail).

var GetAccountSummary = add(&api.Op[GetAccountSummaryInput, GetAccountSummaryOutput]{
	Name: "GetAccountSummary", Run: getAccountSummary})

var GetAccountAuthorizationDetails = add(&api.Op[GetAccountAuthorizationDetailsInput, GetAccountAuthorizationDetailsOutput]{
	Name: "GetAccountAuthorizationDetails", Run: getAccountAuthorizationDetails})

// GetAccountSummaryInput has no members.
type GetAccountSummaryInput struct{}

// SummaryMap is the account's counts and quotas by name ("Users", "UsersQuota", …).
type SummaryMap map[string]int

// MarshalXML writes the map as awsQuery does, <entry><key/><value/></entry> per name, in name
// order; an empty map writes nothing.
func (m SummaryMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range keys {
		entry := struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		}{k, strconv.Itoa(m[k])}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// GetAccountSummaryOutput is the result of GetAccountSummary.
type GetAccountSummaryOutput struct {
	SummaryMap SummaryMap `xml:"SummaryMap"`
}

func getAccountSummary(c *api.Call, _ *GetAccountSummaryInput) (*GetAccountSummaryOutput, error) {
	m, err := c.IAM.GetAccountSummary(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &GetAccountSummaryOutput{SummaryMap(m)}, nil
}

// GetAccountAuthorizationDetailsInput filters by entity type (User, Role, Group, LocalManagedPolicy,
// AWSManagedPolicy; none is all).
type GetAccountAuthorizationDetailsInput struct {
	Filter []string
	ListInput
}

// PolicyDetail is an inline policy, its document percent-encoded.
type PolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func policyDetails(ps []iam.InlinePolicy) []PolicyDetail {
	out := make([]PolicyDetail, len(ps))
	for i, p := range ps {
		out[i] = PolicyDetail{p.PolicyName, encodeDoc(p.PolicyDocument)}
	}
	return out
}

// UserDetail is a user with its inline and attached policies and its groups.
type UserDetail struct {
	Path                    string               `xml:"Path"`
	UserName                string               `xml:"UserName"`
	UserID                  string               `xml:"UserId"`
	Arn                     string               `xml:"Arn"`
	CreateDate              awsproto.Time        `xml:"CreateDate"`
	UserPolicyList          []PolicyDetail       `xml:"UserPolicyList>member"`
	GroupList               []string             `xml:"GroupList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *iam.Boundary        `xml:"PermissionsBoundary,omitempty"`
	Tags                    iam.TagList          `xml:"Tags,omitempty"`
}

// GroupDetail is a group with its inline and attached policies.
type GroupDetail struct {
	Path                    string               `xml:"Path"`
	GroupName               string               `xml:"GroupName"`
	GroupID                 string               `xml:"GroupId"`
	Arn                     string               `xml:"Arn"`
	CreateDate              awsproto.Time        `xml:"CreateDate"`
	GroupPolicyList         []PolicyDetail       `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
}

// RoleDetail is a role with its trust policy, its inline and attached policies.
type RoleDetail struct {
	Path                     string        `xml:"Path"`
	RoleName                 string        `xml:"RoleName"`
	RoleID                   string        `xml:"RoleId"`
	Arn                      string        `xml:"Arn"`
	CreateDate               awsproto.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string        `xml:"AssumeRolePolicyDocument"`
	// InstanceProfileList holds the instance profiles the role is in, each with the role.
	InstanceProfileList     []InstanceProfile    `xml:"InstanceProfileList>member"`
	RolePolicyList          []PolicyDetail       `xml:"RolePolicyList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *iam.Boundary        `xml:"PermissionsBoundary,omitempty"`
	Tags                    iam.TagList          `xml:"Tags,omitempty"`
	RoleLastUsed            *iam.RoleLastUsed    `xml:"RoleLastUsed,omitempty"`
}

// ManagedPolicyDetail is a managed policy with every version's document.
type ManagedPolicyDetail struct {
	PolicyName                    string          `xml:"PolicyName"`
	PolicyID                      string          `xml:"PolicyId"`
	Arn                           string          `xml:"Arn"`
	Path                          string          `xml:"Path"`
	DefaultVersionID              string          `xml:"DefaultVersionId"`
	AttachmentCount               int             `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `xml:"IsAttachable"`
	Description                   string          `xml:"Description,omitempty"`
	CreateDate                    awsproto.Time   `xml:"CreateDate"`
	UpdateDate                    awsproto.Time   `xml:"UpdateDate"`
	PolicyVersionList             []PolicyVersion `xml:"PolicyVersionList>member"`
}

// GetAccountAuthorizationDetailsOutput is a page of the account's entities; MaxItems counts
// entities of every type together.
type GetAccountAuthorizationDetailsOutput struct {
	UserDetailList  []UserDetail          `xml:"UserDetailList>member"`
	GroupDetailList []GroupDetail         `xml:"GroupDetailList>member"`
	RoleDetailList  []RoleDetail          `xml:"RoleDetailList>member"`
	Policies        []ManagedPolicyDetail `xml:"Policies>member"`
	Paged
}

func getAccountAuthorizationDetails(c *api.Call, in *GetAccountAuthorizationDetailsInput) (*GetAccountAuthorizationDetailsOutput, error) {
	d, err := c.IAM.GetAccountAuthorizationDetails(c.Ctx, c.Account(), in.Filter, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &GetAccountAuthorizationDetailsOutput{Paged: Paged{IsTruncated: d.IsTruncated, Marker: d.Marker}}
	for _, u := range d.Users {
		out.UserDetailList = append(out.UserDetailList, UserDetail{
			Path: u.Path, UserName: u.UserName, UserID: u.UserID, Arn: u.Arn, CreateDate: awsproto.Time(u.CreateDate),
			UserPolicyList: policyDetails(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: u.AttachedManagedPolicies,
			PermissionsBoundary: u.PermissionsBoundary, Tags: u.Tags,
		})
	}
	for _, g := range d.Groups {
		out.GroupDetailList = append(out.GroupDetailList, GroupDetail{
			Path: g.Path, GroupName: g.GroupName, GroupID: g.GroupID, Arn: g.Arn, CreateDate: awsproto.Time(g.CreateDate),
			GroupPolicyList: policyDetails(g.GroupPolicyList), AttachedManagedPolicies: g.AttachedManagedPolicies,
		})
	}
	for _, r := range d.Roles {
		profiles := make([]InstanceProfile, len(r.InstanceProfiles))
		for i := range r.InstanceProfiles {
			profiles[i] = instanceProfileOf(&r.InstanceProfiles[i])
		}
		out.RoleDetailList = append(out.RoleDetailList, RoleDetail{InstanceProfileList: profiles,
			Path: r.Path, RoleName: r.RoleName, RoleID: r.RoleID, Arn: r.Arn, CreateDate: awsproto.Time(r.CreateDate),
			AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument), RolePolicyList: policyDetails(r.RolePolicyList),
			AttachedManagedPolicies: r.AttachedManagedPolicies, PermissionsBoundary: r.PermissionsBoundary, Tags: r.Tags,
			RoleLastUsed: r.RoleLastUsed,
		})
	}
	for _, p := range d.Policies {
		mp := ManagedPolicyDetail{
			PolicyName: p.PolicyName, PolicyID: p.PolicyID, Arn: p.Arn, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
			AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
			IsAttachable: p.IsAttachable, Description: p.Description, CreateDate: awsproto.Time(p.CreateDate),
			UpdateDate: awsproto.Time(p.UpdateDate),
		}
		for _, v := range p.Versions {
			mp.PolicyVersionList = append(mp.PolicyVersionList, PolicyVersionOf(v))
		}
		out.Policies = append(out.Policies, mp)
	}
	return out, nil
}
