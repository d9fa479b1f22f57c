package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Managed policies and their versions: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies,
// ListEntitiesForPolicy, Create/Get/List/DeletePolicyVersion and SetDefaultPolicyVersion. Their
// tags are in tags.go; attaching one to a principal is in principalpolicies.go. The resource of an
// operation on a policy is the PolicyArn it names; its tags are aws:ResourceTag/* (resourceKeys).

func policyARN(c *api.Call, arn string) string {
	if arn == "" {
		return arnOf(c, "policy", "")
	}
	return arn
}

// PolicyOutput is the result of CreatePolicy and GetPolicy.
type PolicyOutput struct {
	Policy *iam.ManagedPolicy `xml:"Policy"`
}

// PolicyVersion is a version of a managed policy as IAM answers it: its document URL-encoded, and
// absent where IAM leaves it out (CreatePolicyVersion's answer).
type PolicyVersion struct {
	Document         string        `xml:"Document,omitempty"`
	VersionID        string        `xml:"VersionId"`
	IsDefaultVersion bool          `xml:"IsDefaultVersion"`
	CreateDate       awsproto.Time `xml:"CreateDate"`
}

// PolicyVersionOf is v as IAM answers it.
func PolicyVersionOf(v iam.PolicyVersion) PolicyVersion {
	out := PolicyVersion{VersionID: v.VersionID, IsDefaultVersion: v.IsDefaultVersion, CreateDate: awsproto.Time(v.CreateDate)}
	if v.Document != "" {
		out.Document = encodeDoc(v.Document)
	}
	return out
}

// PolicyVersionOutput is the result of CreatePolicyVersion and GetPolicyVersion.
type PolicyVersionOutput struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

var CreatePolicy = add(&api.Op[CreatePolicyInput, PolicyOutput]{
	Name: "CreatePolicy",
	Resource: func(c *api.Call, in *CreatePolicyInput) string {
		return newEntityARN(c, "policy", in.Path, in.PolicyName)
	},
	Keys: func(c *api.Call, in *CreatePolicyInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: createPolicy,
})

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName     string `required:"true"`
	Path           string
	PolicyDocument string `required:"true"`
	Description    string
	Tags           []iam.Tag
}

func createPolicy(c *api.Call, in *CreatePolicyInput) (*PolicyOutput, error) {
	p, err := c.IAM.CreatePolicy(c.Ctx, c.Account(), iam.CreatePolicyInput{
		PolicyName: in.PolicyName, Path: in.Path, PolicyDocument: in.PolicyDocument, Description: in.Description, Tags: in.Tags,
	})
	if err != nil {
		return nil, err
	}
	// IAM's CreatePolicy answer carries no Description (GetPolicy's does).
	answer := *p
	answer.Description = ""
	return &PolicyOutput{Policy: &answer}, nil
}

var GetPolicy = add(&api.Op[PolicyARNInput, PolicyOutput]{
	Name:     "GetPolicy",
	Resource: func(c *api.Call, in *PolicyARNInput) string { return policyARN(c, in.PolicyArn) },
	Run:      getPolicy,
})

// PolicyARNInput is the request of an operation on a managed policy that takes nothing else
// (GetPolicy, DeletePolicy).
type PolicyARNInput struct {
	PolicyArn string `required:"true"`
}

func getPolicy(c *api.Call, in *PolicyARNInput) (*PolicyOutput, error) {
	p, err := c.IAM.GetPolicy(c.Ctx, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: p}, nil
}

var DeletePolicy = add(&api.Op[PolicyARNInput, struct{}]{
	Name:     "DeletePolicy",
	Resource: func(c *api.Call, in *PolicyARNInput) string { return policyARN(c, in.PolicyArn) },
	Run:      deletePolicy,
})

func deletePolicy(c *api.Call, in *PolicyARNInput) (*struct{}, error) {
	return nil, c.IAM.DeletePolicy(c.Ctx, c.Account(), in.PolicyArn)
}

var ListPolicies = add(&api.Op[ListPoliciesInput, ListPoliciesOutput]{Name: "ListPolicies", Run: listPolicies})

// ListPoliciesInput is ListPolicies' request.
type ListPoliciesInput struct {
	Scope             string
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string
	ListInput
}

// ListPoliciesOutput is ListPolicies' result.
type ListPoliciesOutput struct {
	Policies []iam.ManagedPolicy `xml:"Policies>member"`
	Paged
}

func listPolicies(c *api.Call, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	p, err := c.IAM.ListPolicies(c.Ctx, c.Account(), iam.ListPoliciesInput{
		Scope: in.Scope, OnlyAttached: in.OnlyAttached, PathPrefix: in.PathPrefix, PolicyUsageFilter: in.PolicyUsageFilter,
	}, in.Opts())
	if err != nil {
		return nil, err
	}
	return &ListPoliciesOutput{Policies: p.Items, Paged: PageOf(p)}, nil
}

var ListEntitiesForPolicy = add(&api.Op[ListEntitiesForPolicyInput, ListEntitiesForPolicyOutput]{
	Name:     "ListEntitiesForPolicy",
	Resource: func(c *api.Call, in *ListEntitiesForPolicyInput) string { return policyARN(c, in.PolicyArn) },
	Run:      listEntitiesForPolicy,
})

// ListEntitiesForPolicyInput is ListEntitiesForPolicy's request. MaxItems counts the users, groups
// and roles of a page together.
type ListEntitiesForPolicyInput struct {
	PolicyArn         string `required:"true"`
	EntityFilter      string
	PolicyUsageFilter string
	ListInput
}

// ListEntitiesForPolicyOutput is ListEntitiesForPolicy's result.
type ListEntitiesForPolicyOutput struct {
	PolicyGroups []PolicyGroup `xml:"PolicyGroups>member"`
	PolicyUsers  []PolicyUser  `xml:"PolicyUsers>member"`
	PolicyRoles  []PolicyRole  `xml:"PolicyRoles>member"`
	Paged
}

// PolicyUser is a user a managed policy is attached to (or the boundary of).
type PolicyUser struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}

// PolicyGroup is a group a managed policy is attached to.
type PolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}

// PolicyRole is a role a managed policy is attached to (or the boundary of).
type PolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

func listEntitiesForPolicy(c *api.Call, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	p, err := c.IAM.ListPolicyEntities(c.Ctx, c.Account(), in.PolicyArn, in.EntityFilter, in.PolicyUsageFilter, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListEntitiesForPolicyOutput{Paged: PageOf(p)}
	for _, e := range p.Items {
		switch e.Type {
		case "user":
			out.PolicyUsers = append(out.PolicyUsers, PolicyUser{e.Name, e.ID})
		case "group":
			out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{e.Name, e.ID})
		case "role":
			out.PolicyRoles = append(out.PolicyRoles, PolicyRole{e.Name, e.ID})
		}
	}
	return out, nil
}

var CreatePolicyVersion = add(&api.Op[CreatePolicyVersionInput, PolicyVersionOutput]{
	Name:     "CreatePolicyVersion",
	Resource: func(c *api.Call, in *CreatePolicyVersionInput) string { return policyARN(c, in.PolicyArn) },
	Run:      createPolicyVersion,
})

// CreatePolicyVersionInput is CreatePolicyVersion's request.
type CreatePolicyVersionInput struct {
	PolicyArn      string `required:"true"`
	PolicyDocument string `required:"true"`
	SetAsDefault   bool
}

func createPolicyVersion(c *api.Call, in *CreatePolicyVersionInput) (*PolicyVersionOutput, error) {
	v, err := c.IAM.CreatePolicyVersion(c.Ctx, c.Account(), in.PolicyArn, in.PolicyDocument, in.SetAsDefault)
	if err != nil {
		return nil, err
	}
	// IAM's answer carries no document.
	v.Document = ""
	return &PolicyVersionOutput{PolicyVersion: PolicyVersionOf(*v)}, nil
}

var GetPolicyVersion = add(&api.Op[PolicyVersionInput, PolicyVersionOutput]{
	Name:     "GetPolicyVersion",
	Resource: func(c *api.Call, in *PolicyVersionInput) string { return policyARN(c, in.PolicyArn) },
	Run:      getPolicyVersion,
})

// PolicyVersionInput is the request of GetPolicyVersion, DeletePolicyVersion and
// SetDefaultPolicyVersion.
type PolicyVersionInput struct {
	PolicyArn string `required:"true"`
	VersionID string `query:"VersionId" required:"true"`
}

func getPolicyVersion(c *api.Call, in *PolicyVersionInput) (*PolicyVersionOutput, error) {
	v, err := c.IAM.GetPolicyVersion(c.Ctx, c.Account(), in.PolicyArn, in.VersionID)
	if err != nil {
		return nil, err
	}
	return &PolicyVersionOutput{PolicyVersion: PolicyVersionOf(*v)}, nil
}

var ListPolicyVersions = add(&api.Op[ListPolicyVersionsInput, ListPolicyVersionsOutput]{
	Name:     "ListPolicyVersions",
	Resource: func(c *api.Call, in *ListPolicyVersionsInput) string { return policyARN(c, in.PolicyArn) },
	Run:      listPolicyVersions,
})

// ListPolicyVersionsInput is ListPolicyVersions' request.
type ListPolicyVersionsInput struct {
	PolicyArn string `required:"true"`
	ListInput
}

// ListPolicyVersionsOutput is ListPolicyVersions' result.
type ListPolicyVersionsOutput struct {
	Versions []PolicyVersion `xml:"Versions>member"`
	Paged
}

func listPolicyVersions(c *api.Call, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	p, err := c.IAM.ListPolicyVersions(c.Ctx, c.Account(), in.PolicyArn, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListPolicyVersionsOutput{Versions: make([]PolicyVersion, len(p.Items)), Paged: PageOf(p)}
	for i, v := range p.Items {
		out.Versions[i] = PolicyVersionOf(v)
	}
	return out, nil
}

var DeletePolicyVersion = add(&api.Op[PolicyVersionInput, struct{}]{
	Name:     "DeletePolicyVersion",
	Resource: func(c *api.Call, in *PolicyVersionInput) string { return policyARN(c, in.PolicyArn) },
	Run:      deletePolicyVersion,
})

func deletePolicyVersion(c *api.Call, in *PolicyVersionInput) (*struct{}, error) {
	return nil, c.IAM.DeletePolicyVersion(c.Ctx, c.Account(), in.PolicyArn, in.VersionID)
}

var SetDefaultPolicyVersion = add(&api.Op[PolicyVersionInput, struct{}]{
	Name:     "SetDefaultPolicyVersion",
	Resource: func(c *api.Call, in *PolicyVersionInput) string { return policyARN(c, in.PolicyArn) },
	Run:      setDefaultPolicyVersion,
})

func setDefaultPolicyVersion(c *api.Call, in *PolicyVersionInput) (*struct{}, error) {
	return nil, c.IAM.SetDefaultPolicyVersion(c.Ctx, c.Account(), in.PolicyArn, in.VersionID)
}
