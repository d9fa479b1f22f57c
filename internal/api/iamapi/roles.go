package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
)

// IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
// UpdateAssumeRolePolicy, DeleteRole and a role's permissions boundary. Tags are in tags.go, a
// role's policies in principalpolicies.go.

func roleARN(c *api.Call, name string) string { return entityARN(c, "role", name) }

// Role is a role as IAM answers it: its trust policy URL-encoded, as every policy document.
type Role struct {
	*iam.Role
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
}

// RoleOf is r as IAM answers it.
func RoleOf(r *iam.Role) Role {
	return Role{Role: r, AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument)}
}

// RoleOutput is the result of CreateRole, GetRole and UpdateRoleDescription.
type RoleOutput struct {
	Role Role `xml:"Role"`
}

var CreateRole = add(&api.Op[CreateRoleInput, RoleOutput]{
	Name: "CreateRole",
	Resource: func(c *api.Call, in *CreateRoleInput) string {
		return newEntityARN(c, "role", in.Path, in.RoleName)
	},
	Keys: func(c *api.Call, in *CreateRoleInput) (authz.Keys, error) {
		return createEntityKeys(in.PermissionsBoundary, in.Tags), nil
	},
	Run: createRole,
})

// CreateRoleInput is CreateRole's request. MaxSessionDuration is 3600–43200 seconds (IAM API
// Reference, CreateRole); 0 when absent (IAM's default, one hour).
type CreateRoleInput struct {
	RoleName                 string `required:"true"`
	Path                     string
	AssumeRolePolicyDocument string `required:"true"`
	Description              string
	PermissionsBoundary      string
	MaxSessionDuration       int `min:"3600" max:"43200"`
	Tags                     []iam.Tag
}

func createRole(c *api.Call, in *CreateRoleInput) (*RoleOutput, error) {
	r, err := c.IAM.CreateRole(c.Ctx, c.Account(), iam.CreateRoleInput{
		RoleName: in.RoleName, Path: in.Path, AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description: in.Description, PermissionsBoundary: in.PermissionsBoundary,
		MaxSessionDuration: in.MaxSessionDuration, Tags: in.Tags,
	})
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Role: RoleOf(r)}, nil
}

var GetRole = add(&api.Op[RoleNameInput, RoleOutput]{
	Name:     "GetRole",
	Resource: func(c *api.Call, in *RoleNameInput) string { return roleARN(c, in.RoleName) },
	Run:      getRole,
})

// RoleNameInput is the request of an operation on a role that takes nothing else (GetRole,
// DeleteRole, DeleteRolePermissionsBoundary).
type RoleNameInput struct {
	RoleName string `required:"true"`
}

func getRole(c *api.Call, in *RoleNameInput) (*RoleOutput, error) {
	r, err := c.IAM.GetRole(c.Ctx, c.Account(), in.RoleName)
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Role: RoleOf(r)}, nil
}

var ListRoles = add(&api.Op[ListRolesInput, ListRolesOutput]{Name: "ListRoles", Run: listRoles})

// ListRolesInput is ListRoles' request.
type ListRolesInput struct {
	PathPrefix string
	ListInput
}

// ListRolesOutput is ListRoles' result.
type ListRolesOutput struct {
	Roles []Role `xml:"Roles>member"`
	Paged
}

func listRoles(c *api.Call, in *ListRolesInput) (*ListRolesOutput, error) {
	p, err := c.IAM.ListRoles(c.Ctx, c.Account(), in.PathPrefix, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListRolesOutput{Roles: make([]Role, len(p.Items)), Paged: PageOf(p)}
	for i := range p.Items {
		// "This operation does not return the following attributes, even though they are an
		// attribute of the returned object: PermissionsBoundary, RoleLastUsed, Tags" (IAM API
		// Reference, ListRoles).
		p.Items[i].PermissionsBoundary, p.Items[i].RoleLastUsed, p.Items[i].Tags = nil, nil, nil
		out.Roles[i] = RoleOf(&p.Items[i])
	}
	return out, nil
}

// UpdateRole answers an empty UpdateRoleResult: its output shape is an empty structure.
var UpdateRole = add(&api.Op[UpdateRoleInput, api.Empty]{
	Name:     "UpdateRole",
	Resource: func(c *api.Call, in *UpdateRoleInput) string { return roleARN(c, in.RoleName) },
	Run:      updateRole,
})

// UpdateRoleInput is UpdateRole's request: a nil Description or a zero MaxSessionDuration leaves
// it as it is.
type UpdateRoleInput struct {
	RoleName           string `required:"true"`
	Description        *string
	MaxSessionDuration int `min:"3600" max:"43200"`
}

func updateRole(c *api.Call, in *UpdateRoleInput) (*api.Empty, error) {
	// A Description sent empty is "" (the decoder's rule for pointer members): it clears the role's.
	return nil, c.IAM.UpdateRole(c.Ctx, c.Account(), in.RoleName, in.Description, in.MaxSessionDuration)
}

var UpdateRoleDescription = add(&api.Op[UpdateRoleDescriptionInput, RoleOutput]{
	Name:     "UpdateRoleDescription",
	Resource: func(c *api.Call, in *UpdateRoleDescriptionInput) string { return roleARN(c, in.RoleName) },
	Run:      updateRoleDescription,
})

// UpdateRoleDescriptionInput is UpdateRoleDescription's request; an empty Description clears the
// role's.
type UpdateRoleDescriptionInput struct {
	RoleName    string `required:"true"`
	Description string
}

func updateRoleDescription(c *api.Call, in *UpdateRoleDescriptionInput) (*RoleOutput, error) {
	if err := c.IAM.UpdateRole(c.Ctx, c.Account(), in.RoleName, &in.Description, 0); err != nil {
		return nil, err
	}
	return getRole(c, &RoleNameInput{RoleName: in.RoleName})
}

var UpdateAssumeRolePolicy = add(&api.Op[UpdateAssumeRolePolicyInput, struct{}]{
	Name:     "UpdateAssumeRolePolicy",
	Resource: func(c *api.Call, in *UpdateAssumeRolePolicyInput) string { return roleARN(c, in.RoleName) },
	Run:      updateAssumeRolePolicy,
})

// UpdateAssumeRolePolicyInput is UpdateAssumeRolePolicy's request.
type UpdateAssumeRolePolicyInput struct {
	RoleName       string `required:"true"`
	PolicyDocument string `required:"true"`
}

func updateAssumeRolePolicy(c *api.Call, in *UpdateAssumeRolePolicyInput) (*struct{}, error) {
	return nil, c.IAM.UpdateAssumeRolePolicy(c.Ctx, c.Account(), in.RoleName, in.PolicyDocument)
}

var DeleteRole = add(&api.Op[RoleNameInput, struct{}]{
	Name:     "DeleteRole",
	Resource: func(c *api.Call, in *RoleNameInput) string { return roleARN(c, in.RoleName) },
	Run:      deleteRole,
})

func deleteRole(c *api.Call, in *RoleNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteRole(c.Ctx, c.Account(), in.RoleName)
}

var PutRolePermissionsBoundary = add(&api.Op[PutRolePermissionsBoundaryInput, struct{}]{
	Name:     "PutRolePermissionsBoundary",
	Resource: func(c *api.Call, in *PutRolePermissionsBoundaryInput) string { return roleARN(c, in.RoleName) },
	Keys: func(c *api.Call, in *PutRolePermissionsBoundaryInput) (authz.Keys, error) {
		return newBoundaryKeys(in.PermissionsBoundary), nil
	},
	Run: putRolePermissionsBoundary,
})

// PutRolePermissionsBoundaryInput is PutRolePermissionsBoundary's request.
type PutRolePermissionsBoundaryInput struct {
	RoleName            string `required:"true"`
	PermissionsBoundary string `required:"true"`
}

func putRolePermissionsBoundary(c *api.Call, in *PutRolePermissionsBoundaryInput) (*struct{}, error) {
	return nil, c.IAM.PutRolePermissionsBoundary(c.Ctx, c.Account(), in.RoleName, in.PermissionsBoundary)
}

var DeleteRolePermissionsBoundary = add(&api.Op[RoleNameInput, struct{}]{
	Name:     "DeleteRolePermissionsBoundary",
	Resource: func(c *api.Call, in *RoleNameInput) string { return roleARN(c, in.RoleName) },
	Keys: func(c *api.Call, _ *RoleNameInput) (authz.Keys, error) {
		return currentBoundaryKeys(c), nil
	},
	Run: deleteRolePermissionsBoundary,
})

func deleteRolePermissionsBoundary(c *api.Call, in *RoleNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteRolePermissionsBoundary(c.Ctx, c.Account(), in.RoleName)
}
