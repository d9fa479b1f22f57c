package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
)

// Service-linked roles as callers ask for them: CreateServiceLinkedRole (with iam:AWSServiceName),
// DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus. Callers cannot otherwise change
// such a role (internal/iam protectedRole); its sessions are outside SCPs.

var CreateServiceLinkedRole = add(&api.Op[CreateServiceLinkedRoleInput, RoleOutput]{
	Name:     "CreateServiceLinkedRole",
	Resource: serviceLinkedRoleARN,
	Keys: func(c *api.Call, in *CreateServiceLinkedRoleInput) (authz.Keys, error) {
		return awsServiceNameKeys(in.AWSServiceName), nil
	},
	Run: createServiceLinkedRole,
})

// CreateServiceLinkedRoleInput is CreateServiceLinkedRole's request.
type CreateServiceLinkedRoleInput struct {
	AWSServiceName string `required:"true"`
	Description    string
	CustomSuffix   string
}

// serviceLinkedRoleARN is the ARN the role will have, under /aws-service-role/SERVICE/, so that a
// policy scoped to a service's role (arn:aws:iam::*:role/aws-service-role/ecs.amazonaws.com/*)
// decides; the service's principal when Rootward knows no role of it (the call then fails).
func serviceLinkedRoleARN(c *api.Call, in *CreateServiceLinkedRoleInput) string {
	name, _ := iam.LinkedServiceRole(in.AWSServiceName)
	if in.CustomSuffix != "" {
		name += "_" + in.CustomSuffix
	}
	return newEntityARN(c, "role", "/aws-service-role/"+in.AWSServiceName+"/", name)
}

func createServiceLinkedRole(c *api.Call, in *CreateServiceLinkedRoleInput) (*RoleOutput, error) {
	r, err := c.IAM.CreateServiceLinkedRoleFor(c.Ctx, c.Account(), in.AWSServiceName, in.Description, in.CustomSuffix)
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Role: RoleOf(r)}, nil
}

var DeleteServiceLinkedRole = add(&api.Op[RoleNameInput, DeleteServiceLinkedRoleOutput]{
	Name:     "DeleteServiceLinkedRole",
	Resource: func(c *api.Call, in *RoleNameInput) string { return roleARN(c, in.RoleName) },
	Run:      deleteServiceLinkedRole,
})

// DeleteServiceLinkedRoleOutput is the deletion task, for GetServiceLinkedRoleDeletionStatus.
type DeleteServiceLinkedRoleOutput struct {
	DeletionTaskID string `xml:"DeletionTaskId"`
}

func deleteServiceLinkedRole(c *api.Call, in *RoleNameInput) (*DeleteServiceLinkedRoleOutput, error) {
	task, err := c.IAM.DeleteServiceLinkedRole(c.Ctx, c.Account(), in.RoleName)
	if err != nil {
		return nil, err
	}
	return &DeleteServiceLinkedRoleOutput{DeletionTaskID: task}, nil
}

var GetServiceLinkedRoleDeletionStatus = add(&api.Op[GetServiceLinkedRoleDeletionStatusInput, GetServiceLinkedRoleDeletionStatusOutput]{
	Name: "GetServiceLinkedRoleDeletionStatus", Run: getServiceLinkedRoleDeletionStatus})

// GetServiceLinkedRoleDeletionStatusInput names a deletion task.
type GetServiceLinkedRoleDeletionStatusInput struct {
	DeletionTaskID string `query:"DeletionTaskId" required:"true"`
}

// GetServiceLinkedRoleDeletionStatusOutput is the task's status; Rootward's tasks never fail, so
// there is never a Reason.
type GetServiceLinkedRoleDeletionStatusOutput struct {
	Status string `xml:"Status"`
}

func getServiceLinkedRoleDeletionStatus(c *api.Call, in *GetServiceLinkedRoleDeletionStatusInput) (*GetServiceLinkedRoleDeletionStatusOutput, error) {
	st, err := c.IAM.ServiceLinkedRoleDeletionStatus(c.Ctx, c.Account(), in.DeletionTaskID)
	if err != nil {
		return nil, err
	}
	return &GetServiceLinkedRoleDeletionStatusOutput{Status: st}, nil
}
