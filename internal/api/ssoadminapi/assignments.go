package ssoadminapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/store"
)

// Account assignments, provisioning and the status of their asynchronous requests.

var (
	CreateAccountAssignment = api.Add(&ops, &api.Op[AssignmentInput, CreationStatusOutput]{
		Name: "CreateAccountAssignment", Authorize: on(assignmentTarget), Run: createAssignment})
	DeleteAccountAssignment = api.Add(&ops, &api.Op[AssignmentInput, DeletionStatusOutput]{
		Name: "DeleteAccountAssignment", Authorize: on(assignmentTarget), Run: deleteAssignment})
	DescribeAccountAssignmentCreationStatus = api.Add(&ops, &api.Op[CreationStatusInput, CreationStatusOutput]{
		Name: "DescribeAccountAssignmentCreationStatus", Authorize: on(func(in *CreationStatusInput) target {
			return target{resources: []string{in.InstanceArn}}
		}), Run: describeCreation})
	DescribeAccountAssignmentDeletionStatus = api.Add(&ops, &api.Op[DeletionStatusInput, DeletionStatusOutput]{
		Name: "DescribeAccountAssignmentDeletionStatus", Authorize: on(func(in *DeletionStatusInput) target {
			return target{resources: []string{in.InstanceArn}}
		}), Run: describeDeletion})
	ListAccountAssignmentCreationStatus = api.Add(&ops, &api.Op[ListStatusInput, ListCreationStatusOutput]{
		Name: "ListAccountAssignmentCreationStatus", Authorize: on(statusTarget), Run: listCreation})
	ListAccountAssignmentDeletionStatus = api.Add(&ops, &api.Op[ListStatusInput, ListDeletionStatusOutput]{
		Name: "ListAccountAssignmentDeletionStatus", Authorize: on(statusTarget), Run: listDeletion})
	ProvisionPermissionSet = api.Add(&ops, &api.Op[ProvisionInput, ProvisioningStatusOutput]{
		Name: "ProvisionPermissionSet", Authorize: on(func(in *ProvisionInput) target {
			t := psTarget(in.InstanceArn, in.PermissionSetArn)
			if in.TargetId != "" {
				t.resources = append(t.resources, accountARN(in.TargetId))
			}
			return t
		}), Run: provision})
	DescribePermissionSetProvisioningStatus = api.Add(&ops, &api.Op[ProvisioningStatusInput, ProvisioningStatusOutput]{
		Name: "DescribePermissionSetProvisioningStatus", Authorize: on(func(in *ProvisioningStatusInput) target {
			return target{resources: []string{in.InstanceArn}}
		}), Run: describeProvisioning})
	ListPermissionSetProvisioningStatus = api.Add(&ops, &api.Op[ListStatusInput, ListProvisioningStatusOutput]{
		Name: "ListPermissionSetProvisioningStatus", Authorize: on(statusTarget), Run: listProvisioning})
	ListAccountAssignments = api.Add(&ops, &api.Op[ListAssignmentsInput, ListAssignmentsOutput]{
		Name: "ListAccountAssignments", Authorize: on(func(in *ListAssignmentsInput) target {
			t := psTarget(in.InstanceArn, in.PermissionSetArn)
			t.resources = append(t.resources, accountARN(in.AccountId))
			return t
		}), Run: listAssignments})
	ListAccountsForProvisionedPermissionSet = api.Add(&ops, &api.Op[ListAccountsInput, ListAccountsOutput]{
		Name: "ListAccountsForProvisionedPermissionSet", Authorize: on(func(in *ListAccountsInput) target {
			return psTarget(in.InstanceArn, in.PermissionSetArn)
		}), Run: listAccounts})
	ListPermissionSetsProvisionedToAccount = api.Add(&ops, &api.Op[ListProvisionedInput, ListPermissionSetsOutput]{
		Name: "ListPermissionSetsProvisionedToAccount", Authorize: on(func(in *ListProvisionedInput) target {
			return target{resources: []string{in.InstanceArn, accountARN(in.AccountId)}}
		}), Run: listProvisioned})
)

// AssignmentInput is CreateAccountAssignment's and DeleteAccountAssignment's request.
type AssignmentInput struct {
	InstanceArn      string
	PermissionSetArn string
	PrincipalId      string
	PrincipalType    string
	TargetId         string
	TargetType       string
}

func assignmentTarget(in *AssignmentInput) target {
	t := psTarget(in.InstanceArn, in.PermissionSetArn)
	t.resources = append(t.resources, accountARN(in.TargetId))
	return t
}

func (in *AssignmentInput) assignment() identitycenter.Assignment {
	return identitycenter.Assignment{AccountID: in.TargetId, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
}

// AccountAssignmentOperationStatus is the API's AccountAssignmentOperationStatus.
type AccountAssignmentOperationStatus struct {
	RequestId        string
	Status           string
	FailureReason    string `json:",omitempty"`
	CreatedDate      Timestamp
	PermissionSetArn string
	PrincipalId      string
	PrincipalType    string
	TargetId         string
	TargetType       string
}

func statusOut(r *identitycenter.Request) *AccountAssignmentOperationStatus {
	return &AccountAssignmentOperationStatus{RequestId: r.RequestID, Status: r.Status, FailureReason: r.FailureReason,
		CreatedDate: Timestamp(r.Created), PermissionSetArn: r.PermissionSetARN, PrincipalId: r.PrincipalID,
		PrincipalType: r.PrincipalType, TargetId: r.TargetID, TargetType: r.TargetType}
}

type CreationStatusOutput struct {
	AccountAssignmentCreationStatus *AccountAssignmentOperationStatus
}

type DeletionStatusOutput struct {
	AccountAssignmentDeletionStatus *AccountAssignmentOperationStatus
}

func createAssignment(c *api.Call, in *AssignmentInput) (*CreationStatusOutput, error) {
	r, err := c.IdentityCenter.CreateAccountAssignment(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.TargetType, in.assignment())
	if err != nil {
		return nil, err
	}
	return &CreationStatusOutput{statusOut(r)}, nil
}

func deleteAssignment(c *api.Call, in *AssignmentInput) (*DeletionStatusOutput, error) {
	r, err := c.IdentityCenter.DeleteAccountAssignment(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.TargetType, in.assignment())
	if err != nil {
		return nil, err
	}
	return &DeletionStatusOutput{statusOut(r)}, nil
}

type CreationStatusInput struct {
	InstanceArn                        string
	AccountAssignmentCreationRequestId string
}

func describeCreation(c *api.Call, in *CreationStatusInput) (*CreationStatusOutput, error) {
	r, err := c.IdentityCenter.AssignmentCreationStatus(c.Ctx, c.Account(), in.InstanceArn, in.AccountAssignmentCreationRequestId)
	if err != nil {
		return nil, err
	}
	return &CreationStatusOutput{statusOut(r)}, nil
}

type DeletionStatusInput struct {
	InstanceArn                        string
	AccountAssignmentDeletionRequestId string
}

func describeDeletion(c *api.Call, in *DeletionStatusInput) (*DeletionStatusOutput, error) {
	r, err := c.IdentityCenter.AssignmentDeletionStatus(c.Ctx, c.Account(), in.InstanceArn, in.AccountAssignmentDeletionRequestId)
	if err != nil {
		return nil, err
	}
	return &DeletionStatusOutput{statusOut(r)}, nil
}

// OperationStatusFilter is the API's OperationStatusFilter.
type OperationStatusFilter struct {
	Status string `json:",omitempty"`
}

type ListStatusInput struct {
	InstanceArn string
	Filter      *OperationStatusFilter
	ListInput
}

func statusTarget(in *ListStatusInput) target { return target{resources: []string{in.InstanceArn}} }

func (in *ListStatusInput) status() string {
	if in.Filter == nil {
		return ""
	}
	return in.Filter.Status
}

// StatusMetadata is the API's AccountAssignmentOperationStatusMetadata and
// PermissionSetProvisioningStatusMetadata.
type StatusMetadata struct {
	RequestId   string
	Status      string
	CreatedDate Timestamp
}

func metadataOf(p store.Page[identitycenter.Request]) []StatusMetadata {
	out := make([]StatusMetadata, 0, len(p.Items))
	for _, r := range p.Items {
		out = append(out, StatusMetadata{RequestId: r.RequestID, Status: r.Status, CreatedDate: Timestamp(r.Created)})
	}
	return out
}

type ListCreationStatusOutput struct {
	AccountAssignmentsCreationStatus []StatusMetadata
	NextToken                        *string `json:",omitempty" page:"token"`
}

type ListDeletionStatusOutput struct {
	AccountAssignmentsDeletionStatus []StatusMetadata
	NextToken                        *string `json:",omitempty" page:"token"`
}

type ListProvisioningStatusOutput struct {
	PermissionSetsProvisioningStatus []StatusMetadata
	NextToken                        *string `json:",omitempty" page:"token"`
}

func listCreation(c *api.Call, in *ListStatusInput) (*ListCreationStatusOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListAssignmentCreationStatus(c.Ctx, c.Account(), in.InstanceArn, in.status(), o)
	if err != nil {
		return nil, err
	}
	return &ListCreationStatusOutput{metadataOf(p), next(p.Truncated, p.Last)}, nil
}

func listDeletion(c *api.Call, in *ListStatusInput) (*ListDeletionStatusOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListAssignmentDeletionStatus(c.Ctx, c.Account(), in.InstanceArn, in.status(), o)
	if err != nil {
		return nil, err
	}
	return &ListDeletionStatusOutput{metadataOf(p), next(p.Truncated, p.Last)}, nil
}

func listProvisioning(c *api.Call, in *ListStatusInput) (*ListProvisioningStatusOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListProvisioningStatus(c.Ctx, c.Account(), in.InstanceArn, in.status(), o)
	if err != nil {
		return nil, err
	}
	return &ListProvisioningStatusOutput{metadataOf(p), next(p.Truncated, p.Last)}, nil
}

type ProvisionInput struct {
	InstanceArn      string
	PermissionSetArn string
	TargetId         string
	TargetType       string
}

// PermissionSetProvisioningStatus is the API's PermissionSetProvisioningStatus.
type PermissionSetProvisioningStatus struct {
	RequestId        string
	Status           string
	FailureReason    string `json:",omitempty"`
	CreatedDate      Timestamp
	PermissionSetArn string
	AccountId        string `json:",omitempty"`
}

type ProvisioningStatusOutput struct {
	PermissionSetProvisioningStatus *PermissionSetProvisioningStatus
}

func provisioningOut(r *identitycenter.Request) *ProvisioningStatusOutput {
	return &ProvisioningStatusOutput{&PermissionSetProvisioningStatus{RequestId: r.RequestID, Status: r.Status,
		FailureReason: r.FailureReason, CreatedDate: Timestamp(r.Created), PermissionSetArn: r.PermissionSetARN, AccountId: r.TargetID}}
}

func provision(c *api.Call, in *ProvisionInput) (*ProvisioningStatusOutput, error) {
	r, err := c.IdentityCenter.ProvisionPermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.TargetType, in.TargetId)
	if err != nil {
		return nil, err
	}
	return provisioningOut(r), nil
}

type ProvisioningStatusInput struct {
	InstanceArn                     string
	ProvisionPermissionSetRequestId string
}

func describeProvisioning(c *api.Call, in *ProvisioningStatusInput) (*ProvisioningStatusOutput, error) {
	r, err := c.IdentityCenter.ProvisioningStatus(c.Ctx, c.Account(), in.InstanceArn, in.ProvisionPermissionSetRequestId)
	if err != nil {
		return nil, err
	}
	return provisioningOut(r), nil
}

type ListAssignmentsInput struct {
	InstanceArn      string
	AccountId        string
	PermissionSetArn string
	ListInput
}

// AccountAssignment is the API's AccountAssignment.
type AccountAssignment struct {
	AccountId        string
	PermissionSetArn string
	PrincipalId      string
	PrincipalType    string
}

type ListAssignmentsOutput struct {
	AccountAssignments []AccountAssignment
	NextToken          *string `json:",omitempty" page:"token"`
}

func listAssignments(c *api.Call, in *ListAssignmentsInput) (*ListAssignmentsOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListAccountAssignments(c.Ctx, c.Account(), in.InstanceArn, in.AccountId, in.PermissionSetArn, o)
	if err != nil {
		return nil, err
	}
	out := &ListAssignmentsOutput{AccountAssignments: make([]AccountAssignment, 0, len(p.Items)), NextToken: next(p.Truncated, p.Last)}
	for _, a := range p.Items {
		out.AccountAssignments = append(out.AccountAssignments, AccountAssignment{AccountId: a.AccountID,
			PermissionSetArn: a.PermissionSetARN, PrincipalId: a.PrincipalID, PrincipalType: a.PrincipalType})
	}
	return out, nil
}

type ListAccountsInput struct {
	InstanceArn        string
	PermissionSetArn   string
	ProvisioningStatus string
	ListInput
}

type ListAccountsOutput struct {
	AccountIds []string
	NextToken  *string `json:",omitempty" page:"token"`
}

func listAccounts(c *api.Call, in *ListAccountsInput) (*ListAccountsOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListAccountsForPermissionSet(c.Ctx, c.Account(), in.InstanceArn, in.PermissionSetArn, in.ProvisioningStatus, o)
	if err != nil {
		return nil, err
	}
	return &ListAccountsOutput{AccountIds: append([]string{}, p.Items...), NextToken: next(p.Truncated, p.Last)}, nil
}

type ListProvisionedInput struct {
	InstanceArn        string
	AccountId          string
	ProvisioningStatus string
	ListInput
}

func listProvisioned(c *api.Call, in *ListProvisionedInput) (*ListPermissionSetsOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListPermissionSetsForAccount(c.Ctx, c.Account(), in.InstanceArn, in.AccountId, in.ProvisioningStatus, o)
	if err != nil {
		return nil, err
	}
	return &ListPermissionSetsOutput{PermissionSets: append([]string{}, p.Items...), NextToken: next(p.Truncated, p.Last)}, nil
}

// ListAccountAssignmentsForPrincipal lists the assignments made to a user or group, optionally in
// one account (Filter.AccountId). Authorized on the instance, and the account when filtered.
var ListAccountAssignmentsForPrincipal = api.Add(&ops, &api.Op[ListForPrincipalInput, ListForPrincipalOutput]{
	Name: "ListAccountAssignmentsForPrincipal", Authorize: on(func(in *ListForPrincipalInput) target {
		t := target{resources: []string{in.InstanceArn}}
		if in.Filter != nil && in.Filter.AccountId != "" {
			t.resources = append(t.resources, accountARN(in.Filter.AccountId))
		}
		return t
	}), Run: listForPrincipal})

// ListForPrincipalInput is ListAccountAssignmentsForPrincipal's request.
type ListForPrincipalInput struct {
	InstanceArn   string
	PrincipalId   string
	PrincipalType string
	Filter        *ListAccountAssignmentsFilter
	ListInput
}

// ListAccountAssignmentsFilter is the API's ListAccountAssignmentsFilter.
type ListAccountAssignmentsFilter struct {
	AccountId string
}

// AccountAssignmentForPrincipal is the API's AccountAssignmentForPrincipal.
type AccountAssignmentForPrincipal struct {
	AccountId        string
	PermissionSetArn string
	PrincipalId      string
	PrincipalType    string
}

// ListForPrincipalOutput is ListAccountAssignmentsForPrincipal's answer.
type ListForPrincipalOutput struct {
	AccountAssignments []AccountAssignmentForPrincipal
	NextToken          *string `json:",omitempty" page:"token"`
}

func listForPrincipal(c *api.Call, in *ListForPrincipalInput) (*ListForPrincipalOutput, error) {
	o, err := in.opts()
	if err != nil {
		return nil, err
	}
	account := ""
	if in.Filter != nil {
		account = in.Filter.AccountId
	}
	p, err := c.IdentityCenter.ListAccountAssignmentsForPrincipal(c.Ctx, c.Account(), in.InstanceArn, in.PrincipalType, in.PrincipalId, account, o)
	if err != nil {
		return nil, err
	}
	out := &ListForPrincipalOutput{AccountAssignments: make([]AccountAssignmentForPrincipal, 0, len(p.Items)), NextToken: next(p.Truncated, p.Last)}
	for _, a := range p.Items {
		out.AccountAssignments = append(out.AccountAssignments, AccountAssignmentForPrincipal{AccountId: a.AccountID,
			PermissionSetArn: a.PermissionSetARN, PrincipalId: a.PrincipalID, PrincipalType: a.PrincipalType})
	}
	return out, nil
}
