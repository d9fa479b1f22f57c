package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
)

// The policies of a user, group or role: the managed policies attached to it
// (Attach/Detach/ListAttached…Policies) and its inline policies (Put/Get/Delete/List…Policy). The
// three families differ only in the member that names the principal. Attach/Detach carry
// iam:PolicyARN; on a user or role they and Put/Delete of an inline policy also carry the entity's
// current iam:PermissionsBoundary (a group has none).

// AttachedPoliciesOutput is the result of ListAttachedUserPolicies, ListAttachedGroupPolicies and
// ListAttachedRolePolicies.
type AttachedPoliciesOutput struct {
	AttachedPolicies []iam.AttachedPolicy `xml:"AttachedPolicies>member"`
	Paged
}

// PolicyNamesOutput is the result of ListUserPolicies, ListGroupPolicies and ListRolePolicies.
type PolicyNamesOutput struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	Paged
}

func listAttached(c *api.Call, kind, name, pathPrefix string, o ListInput) (*AttachedPoliciesOutput, error) {
	p, err := c.IAM.ListAttachedPolicies(c.Ctx, c.Account(), kind, name, pathPrefix, o.Opts())
	if err != nil {
		return nil, err
	}
	return &AttachedPoliciesOutput{AttachedPolicies: p.Items, Paged: PageOf(p)}, nil
}

func listInline(c *api.Call, kind, name string, o ListInput) (*PolicyNamesOutput, error) {
	p, err := c.IAM.ListInlinePolicies(c.Ctx, c.Account(), kind, name, o.Opts())
	if err != nil {
		return nil, err
	}
	return &PolicyNamesOutput{PolicyNames: p.Items, Paged: PageOf(p)}, nil
}

// The user's policies.

var AttachUserPolicy = add(&api.Op[AttachUserPolicyInput, struct{}]{
	Name:     "AttachUserPolicy",
	Resource: func(c *api.Call, in *AttachUserPolicyInput) string { return userARN(c, in.UserName) },
	Keys: func(c *api.Call, in *AttachUserPolicyInput) (authz.Keys, error) {
		return attachKeys(c, in.PolicyArn), nil
	},
	Run: attachUserPolicy,
})

var DetachUserPolicy = add(&api.Op[AttachUserPolicyInput, struct{}]{
	Name:     "DetachUserPolicy",
	Resource: func(c *api.Call, in *AttachUserPolicyInput) string { return userARN(c, in.UserName) },
	Keys: func(c *api.Call, in *AttachUserPolicyInput) (authz.Keys, error) {
		return attachKeys(c, in.PolicyArn), nil
	},
	Run: detachUserPolicy,
})

// AttachUserPolicyInput is the request of AttachUserPolicy and DetachUserPolicy.
type AttachUserPolicyInput struct {
	UserName  string `required:"true"`
	PolicyArn string `required:"true"`
}

func attachUserPolicy(c *api.Call, in *AttachUserPolicyInput) (*struct{}, error) {
	return nil, c.IAM.AttachPolicy(c.Ctx, c.Account(), "user", in.UserName, in.PolicyArn)
}

func detachUserPolicy(c *api.Call, in *AttachUserPolicyInput) (*struct{}, error) {
	return nil, c.IAM.DetachPolicy(c.Ctx, c.Account(), "user", in.UserName, in.PolicyArn)
}

var ListAttachedUserPolicies = add(&api.Op[ListAttachedUserPoliciesInput, AttachedPoliciesOutput]{
	Name:     "ListAttachedUserPolicies",
	Resource: func(c *api.Call, in *ListAttachedUserPoliciesInput) string { return userARN(c, in.UserName) },
	Run:      listAttachedUserPolicies,
})

// ListAttachedUserPoliciesInput is ListAttachedUserPolicies' request.
type ListAttachedUserPoliciesInput struct {
	UserName   string `required:"true"`
	PathPrefix string
	ListInput
}

func listAttachedUserPolicies(c *api.Call, in *ListAttachedUserPoliciesInput) (*AttachedPoliciesOutput, error) {
	return listAttached(c, "user", in.UserName, in.PathPrefix, in.ListInput)
}

var PutUserPolicy = add(&api.Op[PutUserPolicyInput, struct{}]{
	Name:     "PutUserPolicy",
	Resource: func(c *api.Call, in *PutUserPolicyInput) string { return userARN(c, in.UserName) },
	Keys:     func(c *api.Call, _ *PutUserPolicyInput) (authz.Keys, error) { return currentBoundaryKeys(c), nil },
	Run:      putUserPolicy,
})

// PutUserPolicyInput is PutUserPolicy's request.
type PutUserPolicyInput struct {
	UserName       string `required:"true"`
	PolicyName     string `required:"true"`
	PolicyDocument string `required:"true"`
}

func putUserPolicy(c *api.Call, in *PutUserPolicyInput) (*struct{}, error) {
	return nil, c.IAM.PutInlinePolicy(c.Ctx, c.Account(), "user", in.UserName, in.PolicyName, in.PolicyDocument)
}

var GetUserPolicy = add(&api.Op[UserPolicyInput, GetUserPolicyOutput]{
	Name:     "GetUserPolicy",
	Resource: func(c *api.Call, in *UserPolicyInput) string { return userARN(c, in.UserName) },
	Run:      getUserPolicy,
})

// UserPolicyInput is the request of GetUserPolicy and DeleteUserPolicy.
type UserPolicyInput struct {
	UserName   string `required:"true"`
	PolicyName string `required:"true"`
}

// GetUserPolicyOutput is GetUserPolicy's result; the document is URL-encoded.
type GetUserPolicyOutput struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func getUserPolicy(c *api.Call, in *UserPolicyInput) (*GetUserPolicyOutput, error) {
	doc, err := c.IAM.GetInlinePolicy(c.Ctx, c.Account(), "user", in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: in.UserName, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

var DeleteUserPolicy = add(&api.Op[UserPolicyInput, struct{}]{
	Name:     "DeleteUserPolicy",
	Resource: func(c *api.Call, in *UserPolicyInput) string { return userARN(c, in.UserName) },
	Keys:     func(c *api.Call, _ *UserPolicyInput) (authz.Keys, error) { return currentBoundaryKeys(c), nil },
	Run:      deleteUserPolicy,
})

func deleteUserPolicy(c *api.Call, in *UserPolicyInput) (*struct{}, error) {
	return nil, c.IAM.DeleteInlinePolicy(c.Ctx, c.Account(), "user", in.UserName, in.PolicyName)
}

var ListUserPolicies = add(&api.Op[ListUserPoliciesInput, PolicyNamesOutput]{
	Name:     "ListUserPolicies",
	Resource: func(c *api.Call, in *ListUserPoliciesInput) string { return userARN(c, in.UserName) },
	Run:      listUserPolicies,
})

// ListUserPoliciesInput is ListUserPolicies' request.
type ListUserPoliciesInput struct {
	UserName string `required:"true"`
	ListInput
}

func listUserPolicies(c *api.Call, in *ListUserPoliciesInput) (*PolicyNamesOutput, error) {
	return listInline(c, "user", in.UserName, in.ListInput)
}

// The group's policies.

var AttachGroupPolicy = add(&api.Op[AttachGroupPolicyInput, struct{}]{
	Name:     "AttachGroupPolicy",
	Resource: func(c *api.Call, in *AttachGroupPolicyInput) string { return groupARN(c, in.GroupName) },
	Keys: func(c *api.Call, in *AttachGroupPolicyInput) (authz.Keys, error) {
		return groupAttachKeys(in.PolicyArn), nil
	},
	Run: attachGroupPolicy,
})

var DetachGroupPolicy = add(&api.Op[AttachGroupPolicyInput, struct{}]{
	Name:     "DetachGroupPolicy",
	Resource: func(c *api.Call, in *AttachGroupPolicyInput) string { return groupARN(c, in.GroupName) },
	Keys: func(c *api.Call, in *AttachGroupPolicyInput) (authz.Keys, error) {
		return groupAttachKeys(in.PolicyArn), nil
	},
	Run: detachGroupPolicy,
})

// AttachGroupPolicyInput is the request of AttachGroupPolicy and DetachGroupPolicy.
type AttachGroupPolicyInput struct {
	GroupName string `required:"true"`
	PolicyArn string `required:"true"`
}

func attachGroupPolicy(c *api.Call, in *AttachGroupPolicyInput) (*struct{}, error) {
	return nil, c.IAM.AttachPolicy(c.Ctx, c.Account(), "group", in.GroupName, in.PolicyArn)
}

func detachGroupPolicy(c *api.Call, in *AttachGroupPolicyInput) (*struct{}, error) {
	return nil, c.IAM.DetachPolicy(c.Ctx, c.Account(), "group", in.GroupName, in.PolicyArn)
}

var ListAttachedGroupPolicies = add(&api.Op[ListAttachedGroupPoliciesInput, AttachedPoliciesOutput]{
	Name: "ListAttachedGroupPolicies",
	Resource: func(c *api.Call, in *ListAttachedGroupPoliciesInput) string {
		return groupARN(c, in.GroupName)
	},
	Run: listAttachedGroupPolicies,
})

// ListAttachedGroupPoliciesInput is ListAttachedGroupPolicies' request.
type ListAttachedGroupPoliciesInput struct {
	GroupName  string `required:"true"`
	PathPrefix string
	ListInput
}

func listAttachedGroupPolicies(c *api.Call, in *ListAttachedGroupPoliciesInput) (*AttachedPoliciesOutput, error) {
	return listAttached(c, "group", in.GroupName, in.PathPrefix, in.ListInput)
}

var PutGroupPolicy = add(&api.Op[PutGroupPolicyInput, struct{}]{
	Name:     "PutGroupPolicy",
	Resource: func(c *api.Call, in *PutGroupPolicyInput) string { return groupARN(c, in.GroupName) },
	Run:      putGroupPolicy,
})

// PutGroupPolicyInput is PutGroupPolicy's request.
type PutGroupPolicyInput struct {
	GroupName      string `required:"true"`
	PolicyName     string `required:"true"`
	PolicyDocument string `required:"true"`
}

func putGroupPolicy(c *api.Call, in *PutGroupPolicyInput) (*struct{}, error) {
	return nil, c.IAM.PutInlinePolicy(c.Ctx, c.Account(), "group", in.GroupName, in.PolicyName, in.PolicyDocument)
}

var GetGroupPolicy = add(&api.Op[GroupPolicyInput, GetGroupPolicyOutput]{
	Name:     "GetGroupPolicy",
	Resource: func(c *api.Call, in *GroupPolicyInput) string { return groupARN(c, in.GroupName) },
	Run:      getGroupPolicy,
})

// GroupPolicyInput is the request of GetGroupPolicy and DeleteGroupPolicy.
type GroupPolicyInput struct {
	GroupName  string `required:"true"`
	PolicyName string `required:"true"`
}

// GetGroupPolicyOutput is GetGroupPolicy's result; the document is URL-encoded.
type GetGroupPolicyOutput struct {
	GroupName      string `xml:"GroupName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func getGroupPolicy(c *api.Call, in *GroupPolicyInput) (*GetGroupPolicyOutput, error) {
	doc, err := c.IAM.GetInlinePolicy(c.Ctx, c.Account(), "group", in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: in.GroupName, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

var DeleteGroupPolicy = add(&api.Op[GroupPolicyInput, struct{}]{
	Name:     "DeleteGroupPolicy",
	Resource: func(c *api.Call, in *GroupPolicyInput) string { return groupARN(c, in.GroupName) },
	Run:      deleteGroupPolicy,
})

func deleteGroupPolicy(c *api.Call, in *GroupPolicyInput) (*struct{}, error) {
	return nil, c.IAM.DeleteInlinePolicy(c.Ctx, c.Account(), "group", in.GroupName, in.PolicyName)
}

var ListGroupPolicies = add(&api.Op[ListGroupPoliciesInput, PolicyNamesOutput]{
	Name:     "ListGroupPolicies",
	Resource: func(c *api.Call, in *ListGroupPoliciesInput) string { return groupARN(c, in.GroupName) },
	Run:      listGroupPolicies,
})

// ListGroupPoliciesInput is ListGroupPolicies' request.
type ListGroupPoliciesInput struct {
	GroupName string `required:"true"`
	ListInput
}

func listGroupPolicies(c *api.Call, in *ListGroupPoliciesInput) (*PolicyNamesOutput, error) {
	return listInline(c, "group", in.GroupName, in.ListInput)
}

// The role's policies.

var AttachRolePolicy = add(&api.Op[AttachRolePolicyInput, struct{}]{
	Name:     "AttachRolePolicy",
	Resource: func(c *api.Call, in *AttachRolePolicyInput) string { return roleARN(c, in.RoleName) },
	Keys: func(c *api.Call, in *AttachRolePolicyInput) (authz.Keys, error) {
		return attachKeys(c, in.PolicyArn), nil
	},
	Run: attachRolePolicy,
})

var DetachRolePolicy = add(&api.Op[AttachRolePolicyInput, struct{}]{
	Name:     "DetachRolePolicy",
	Resource: func(c *api.Call, in *AttachRolePolicyInput) string { return roleARN(c, in.RoleName) },
	Keys: func(c *api.Call, in *AttachRolePolicyInput) (authz.Keys, error) {
		return attachKeys(c, in.PolicyArn), nil
	},
	Run: detachRolePolicy,
})

// AttachRolePolicyInput is the request of AttachRolePolicy and DetachRolePolicy.
type AttachRolePolicyInput struct {
	RoleName  string `required:"true"`
	PolicyArn string `required:"true"`
}

func attachRolePolicy(c *api.Call, in *AttachRolePolicyInput) (*struct{}, error) {
	return nil, c.IAM.AttachPolicy(c.Ctx, c.Account(), "role", in.RoleName, in.PolicyArn)
}

func detachRolePolicy(c *api.Call, in *AttachRolePolicyInput) (*struct{}, error) {
	return nil, c.IAM.DetachPolicy(c.Ctx, c.Account(), "role", in.RoleName, in.PolicyArn)
}

var ListAttachedRolePolicies = add(&api.Op[ListAttachedRolePoliciesInput, AttachedPoliciesOutput]{
	Name:     "ListAttachedRolePolicies",
	Resource: func(c *api.Call, in *ListAttachedRolePoliciesInput) string { return roleARN(c, in.RoleName) },
	Run:      listAttachedRolePolicies,
})

// ListAttachedRolePoliciesInput is ListAttachedRolePolicies' request.
type ListAttachedRolePoliciesInput struct {
	RoleName   string `required:"true"`
	PathPrefix string
	ListInput
}

func listAttachedRolePolicies(c *api.Call, in *ListAttachedRolePoliciesInput) (*AttachedPoliciesOutput, error) {
	return listAttached(c, "role", in.RoleName, in.PathPrefix, in.ListInput)
}

var PutRolePolicy = add(&api.Op[PutRolePolicyInput, struct{}]{
	Name:     "PutRolePolicy",
	Resource: func(c *api.Call, in *PutRolePolicyInput) string { return roleARN(c, in.RoleName) },
	Keys:     func(c *api.Call, _ *PutRolePolicyInput) (authz.Keys, error) { return currentBoundaryKeys(c), nil },
	Run:      putRolePolicy,
})

// PutRolePolicyInput is PutRolePolicy's request.
type PutRolePolicyInput struct {
	RoleName       string `required:"true"`
	PolicyName     string `required:"true"`
	PolicyDocument string `required:"true"`
}

func putRolePolicy(c *api.Call, in *PutRolePolicyInput) (*struct{}, error) {
	return nil, c.IAM.PutInlinePolicy(c.Ctx, c.Account(), "role", in.RoleName, in.PolicyName, in.PolicyDocument)
}

var GetRolePolicy = add(&api.Op[RolePolicyInput, GetRolePolicyOutput]{
	Name:     "GetRolePolicy",
	Resource: func(c *api.Call, in *RolePolicyInput) string { return roleARN(c, in.RoleName) },
	Run:      getRolePolicy,
})

// RolePolicyInput is the request of GetRolePolicy and DeleteRolePolicy.
type RolePolicyInput struct {
	RoleName   string `required:"true"`
	PolicyName string `required:"true"`
}

// GetRolePolicyOutput is GetRolePolicy's result; the document is URL-encoded.
type GetRolePolicyOutput struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func getRolePolicy(c *api.Call, in *RolePolicyInput) (*GetRolePolicyOutput, error) {
	doc, err := c.IAM.GetInlinePolicy(c.Ctx, c.Account(), "role", in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

var DeleteRolePolicy = add(&api.Op[RolePolicyInput, struct{}]{
	Name:     "DeleteRolePolicy",
	Resource: func(c *api.Call, in *RolePolicyInput) string { return roleARN(c, in.RoleName) },
	Keys:     func(c *api.Call, _ *RolePolicyInput) (authz.Keys, error) { return currentBoundaryKeys(c), nil },
	Run:      deleteRolePolicy,
})

func deleteRolePolicy(c *api.Call, in *RolePolicyInput) (*struct{}, error) {
	return nil, c.IAM.DeleteInlinePolicy(c.Ctx, c.Account(), "role", in.RoleName, in.PolicyName)
}

var ListRolePolicies = add(&api.Op[ListRolePoliciesInput, PolicyNamesOutput]{
	Name:     "ListRolePolicies",
	Resource: func(c *api.Call, in *ListRolePoliciesInput) string { return roleARN(c, in.RoleName) },
	Run:      listRolePolicies,
})

// ListRolePoliciesInput is ListRolePolicies' request.
type ListRolePoliciesInput struct {
	RoleName string `required:"true"`
	ListInput
}

func listRolePolicies(c *api.Call, in *ListRolePoliciesInput) (*PolicyNamesOutput, error) {
	return listInline(c, "role", in.RoleName, in.ListInput)
}
