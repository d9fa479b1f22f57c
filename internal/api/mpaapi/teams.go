package mpaapi

import (
	"context"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store"
)

// CreateIdentitySource: POST /identity-sources.
var CreateIdentitySource = api.Add(&ops, &api.Op[CreateIdentitySourceInput, CreateIdentitySourceOutput]{
	Name: "CreateIdentitySource", HTTP: "POST /identity-sources", Authorize: on[CreateIdentitySourceInput](nil),
	Run: createIdentitySource})

// CreateIdentitySourceInput names an IAM Identity Center instance.
type CreateIdentitySourceInput struct {
	IdentitySourceParameters *struct {
		IamIdentityCenter *struct {
			InstanceArn string `json:"InstanceArn"`
			Region      string `json:"Region"`
		} `json:"IamIdentityCenter"`
	} `json:"IdentitySourceParameters"`
	ClientToken string            `json:"ClientToken"`
	Tags        map[string]string `json:"Tags"`
}

// Validate requires IdentitySourceParameters.IamIdentityCenter.InstanceArn.
func (in *CreateIdentitySourceInput) Validate() error {
	if in.IdentitySourceParameters == nil || in.IdentitySourceParameters.IamIdentityCenter == nil ||
		in.IdentitySourceParameters.IamIdentityCenter.InstanceArn == "" {
		return mpaValidation("IdentitySourceParameters.IamIdentityCenter.InstanceArn is required.")
	}
	return nil
}

// CreateIdentitySourceOutput is the new identity source.
type CreateIdentitySourceOutput struct {
	CreationTime       string `json:"CreationTime"`
	IdentitySourceArn  string `json:"IdentitySourceArn"`
	IdentitySourceType string `json:"IdentitySourceType"`
}

// identityCenter is the one identity source type.
const identityCenter = "IAM_IDENTITY_CENTER"

func createIdentitySource(c *api.Call, in *CreateIdentitySourceInput) (*CreateIdentitySourceOutput, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	p := in.IdentitySourceParameters.IamIdentityCenter
	src, err := m.CreateIdentitySource(c.Ctx, c.Account(), p.InstanceArn, p.Region, in.Tags)
	if err != nil {
		return nil, err
	}
	return &CreateIdentitySourceOutput{CreationTime: ts(src.Created), IdentitySourceArn: src.ARN, IdentitySourceType: identityCenter}, nil
}

// IdentitySourceInput is the IdentitySourceArn label.
type IdentitySourceInput struct {
	IdentitySourceArn string `json:"-" location:"uri" locationName:"IdentitySourceArn" required:"true"`
}

func onSource(c *api.Call, in *IdentitySourceInput) string { return in.IdentitySourceArn }

// GetIdentitySource: GET /identity-sources/{IdentitySourceArn}.
var GetIdentitySource = api.Add(&ops, &api.Op[IdentitySourceInput, GetIdentitySourceOutput]{
	Name: "GetIdentitySource", HTTP: "GET /identity-sources/{IdentitySourceArn}", Authorize: on(onSource),
	Run: getIdentitySource})

// IdentityCenterForGet is IamIdentityCenterForGet (and ForList).
type IdentityCenterForGet struct {
	ApprovalPortalURL string `json:"ApprovalPortalUrl,omitempty"`
	InstanceArn       string `json:"InstanceArn"`
	Region            string `json:"Region"`
}

// SourceParams is the IdentitySourceParametersForGet union.
type SourceParams struct {
	IamIdentityCenter IdentityCenterForGet `json:"IamIdentityCenter"`
}

// GetIdentitySourceOutput is an identity source.
type GetIdentitySourceOutput struct {
	CreationTime             string       `json:"CreationTime"`
	IdentitySourceArn        string       `json:"IdentitySourceArn"`
	IdentitySourceParameters SourceParams `json:"IdentitySourceParameters"`
	IdentitySourceType       string       `json:"IdentitySourceType"`
	Status                   string       `json:"Status"`
}

func sourceOut(src *mpa.Source) GetIdentitySourceOutput {
	return GetIdentitySourceOutput{CreationTime: ts(src.Created), IdentitySourceArn: src.ARN, IdentitySourceType: identityCenter,
		Status: "ACTIVE", IdentitySourceParameters: SourceParams{IamIdentityCenter: IdentityCenterForGet{
			ApprovalPortalURL: src.PortalURL, InstanceArn: src.InstanceARN, Region: src.InstanceRegion}}}
}

// resourceOf parses an ARN of the caller's account of type typ; ResourceNotFoundException for
// anything else.
func resourceOf(c *api.Call, m *mpa.Service, a, typ, what string) (mpa.Resource, error) {
	res, ok := m.ParseARN(a)
	if !ok || res.Type != typ || res.Account != c.Account() {
		return res, notFound("%s %s was not found.", what, a)
	}
	return res, nil
}

func getIdentitySource(c *api.Call, in *IdentitySourceInput) (*GetIdentitySourceOutput, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	res, err := resourceOf(c, m, in.IdentitySourceArn, "identity-source", "Identity source")
	if err != nil {
		return nil, err
	}
	src, err := m.IdentitySource(c.Ctx, c.Account(), res.ID)
	if err != nil {
		return nil, err
	}
	out := sourceOut(src)
	return &out, nil
}

// ListIdentitySources: POST /identity-sources/?List.
var ListIdentitySources = api.Add(&ops, &api.Op[ListInput, ListIdentitySourcesOutput]{
	Name: "ListIdentitySources", HTTP: "POST /identity-sources/?List", Authorize: on[ListInput](nil),
	Run: listIdentitySources})

// ListInput pages a listing (MaxResults 1–20, Rootward's bound: the model gives none).
type ListInput struct {
	MaxResults *int   `json:"-" location:"querystring" locationName:"MaxResults" min:"1" max:"100" page:"size"`
	NextToken  string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
}

// ListIdentitySourcesOutput is a page of identity sources.
type ListIdentitySourcesOutput struct {
	IdentitySources []GetIdentitySourceOutput `json:"IdentitySources"`
	NextToken       string                    `json:"NextToken,omitempty" page:"token"`
}

func listIdentitySources(c *api.Call, in *ListInput) (*ListIdentitySourcesOutput, error) {
	out := &ListIdentitySourcesOutput{}
	var err error
	out.IdentitySources, out.NextToken, err = listed(c, in, (*mpa.Service).IdentitySources, sourceOut)
	return out, err
}

// listed is a listing of the caller's account: read's page after in's token, of in's size, its
// items mapped by f, and the next token.
func listed[T, O any](c *api.Call, in *ListInput, read func(*mpa.Service, context.Context, string, string, int) (store.Page[T], error), f func(T) O) ([]O, string, error) {
	m, err := svc(c)
	if err != nil {
		return nil, "", err
	}
	p, err := read(m, c.Ctx, c.Account(), in.NextToken, pageSize(in.MaxResults))
	if err != nil {
		return nil, "", err
	}
	items, next := paged(p, f)
	return items, next, nil
}

// DeleteIdentitySource: DELETE /identity-sources/{IdentitySourceArn}.
var DeleteIdentitySource = api.Add(&ops, &api.Op[IdentitySourceInput, struct{}]{
	Name: "DeleteIdentitySource", HTTP: "DELETE /identity-sources/{IdentitySourceArn}", Authorize: on(onSource),
	Run: deleteIdentitySource})

func deleteIdentitySource(c *api.Call, in *IdentitySourceInput) (*struct{}, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	res, err := resourceOf(c, m, in.IdentitySourceArn, "identity-source", "Identity source")
	if err != nil {
		return nil, err
	}
	return nil, m.DeleteIdentitySource(c.Ctx, c.Account(), res.ID)
}

// ApproverInput is ApprovalTeamRequestApprover.
type ApproverInput struct {
	PrimaryIdentityID        string `json:"PrimaryIdentityId"`
	PrimaryIdentitySourceArn string `json:"PrimaryIdentitySourceArn"`
}

func identities(list []ApproverInput) []mpa.Identity {
	if list == nil {
		return nil
	}
	out := make([]mpa.Identity, len(list))
	for i, a := range list {
		out[i] = mpa.Identity{SourceARN: a.PrimaryIdentitySourceArn, UserID: a.PrimaryIdentityID}
	}
	return out
}

// CreateApprovalTeam: POST /approval-teams.
var CreateApprovalTeam = api.Add(&ops, &api.Op[CreateApprovalTeamInput, CreateApprovalTeamOutput]{
	Name: "CreateApprovalTeam", HTTP: "POST /approval-teams", Authorize: on[CreateApprovalTeamInput](nil),
	Run: createApprovalTeam})

// CreateApprovalTeamInput is a new team.
type CreateApprovalTeamInput struct {
	ApprovalStrategy *Strategy         `json:"ApprovalStrategy"`
	Approvers        []ApproverInput   `json:"Approvers"`
	Description      string            `json:"Description"`
	Name             string            `json:"Name"`
	Policies         []PolicyRef       `json:"Policies"`
	ClientToken      string            `json:"ClientToken"`
	Tags             map[string]string `json:"Tags"`
}

// PolicyRef is PolicyReference.
type PolicyRef struct {
	PolicyArn string `json:"PolicyArn"`
}

// Validate requires the strategy's M.
func (in *CreateApprovalTeamInput) Validate() error {
	if in.ApprovalStrategy == nil || in.ApprovalStrategy.MofN == nil || in.ApprovalStrategy.MofN.MinApprovalsRequired == nil {
		return mpaValidation("ApprovalStrategy.MofN.MinApprovalsRequired is required.")
	}
	return nil
}

// CreateApprovalTeamOutput is the new team.
type CreateApprovalTeamOutput struct {
	Arn          string `json:"Arn"`
	CreationTime string `json:"CreationTime"`
	Name         string `json:"Name"`
	VersionID    string `json:"VersionId"`
}

func createApprovalTeam(c *api.Call, in *CreateApprovalTeamInput) (*CreateApprovalTeamOutput, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	policies := make([]string, len(in.Policies))
	for i, p := range in.Policies {
		policies[i] = p.PolicyArn
	}
	t, err := m.CreateApprovalTeam(c.Ctx, c.Account(), mpa.TeamInput{Name: in.Name, Description: in.Description,
		MinApprovals: *in.ApprovalStrategy.MofN.MinApprovalsRequired, Approvers: identities(in.Approvers),
		Policies: policies, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return &CreateApprovalTeamOutput{Arn: t.ARN, CreationTime: ts(t.Created), Name: t.Name, VersionID: strconv.Itoa(t.Version)}, nil
}

// TeamInput is the Arn label of the operations on a team.
type TeamInput struct {
	Arn string `json:"-" location:"uri" locationName:"Arn" required:"true"`
}

func onTeam(c *api.Call, in *TeamInput) string { return in.Arn }

// team parses the team ARN of the caller's account.
func team(c *api.Call, a string) (*mpa.Service, string, error) {
	m, err := svc(c)
	if err != nil {
		return nil, "", err
	}
	res, err := resourceOf(c, m, a, "approval-team", "Approval team")
	return m, res.ID, err
}

// GetApprovalTeam: GET /approval-teams/{Arn}.
var GetApprovalTeam = api.Add(&ops, &api.Op[TeamInput, GetApprovalTeamOutput]{
	Name: "GetApprovalTeam", HTTP: "GET /approval-teams/{Arn}", Authorize: on(onTeam), Run: getApprovalTeam})

// ApproverOutput is GetApprovalTeamResponseApprover.
type ApproverOutput struct {
	ApproverID               string `json:"ApproverId"`
	LastActivity             string `json:"LastActivity,omitempty"`
	LastActivityTime         string `json:"LastActivityTime,omitempty"`
	PrimaryIdentityID        string `json:"PrimaryIdentityId"`
	PrimaryIdentitySourceArn string `json:"PrimaryIdentitySourceArn"`
	PrimaryIdentityStatus    string `json:"PrimaryIdentityStatus"`
	ResponseTime             string `json:"ResponseTime,omitempty"`
}

// PendingUpdateOutput is PendingUpdate.
type PendingUpdateOutput struct {
	ApprovalStrategy     Strategy         `json:"ApprovalStrategy"`
	Approvers            []ApproverOutput `json:"Approvers"`
	Description          string           `json:"Description"`
	NumberOfApprovers    int              `json:"NumberOfApprovers"`
	Status               string           `json:"Status,omitempty"`
	StatusCode           string           `json:"StatusCode,omitempty"`
	UpdateInitiationTime string           `json:"UpdateInitiationTime"`
	VersionID            string           `json:"VersionId"`
}

// GetApprovalTeamOutput is a team.
type GetApprovalTeamOutput struct {
	ApprovalStrategy  Strategy             `json:"ApprovalStrategy"`
	Approvers         []ApproverOutput     `json:"Approvers"`
	Arn               string               `json:"Arn"`
	CreationTime      string               `json:"CreationTime"`
	Description       string               `json:"Description"`
	LastUpdateTime    string               `json:"LastUpdateTime"`
	Name              string               `json:"Name"`
	NumberOfApprovers int                  `json:"NumberOfApprovers"`
	PendingUpdate     *PendingUpdateOutput `json:"PendingUpdate,omitempty"`
	Policies          []PolicyRef          `json:"Policies"`
	Status            string               `json:"Status"`
	StatusCode        string               `json:"StatusCode,omitempty"`
	StatusMessage     string               `json:"StatusMessage,omitempty"`
	UpdateSessionArn  string               `json:"UpdateSessionArn,omitempty"`
	VersionID         string               `json:"VersionId"`
}

func approversOut(list []mpa.Approver) []ApproverOutput {
	out := make([]ApproverOutput, len(list))
	for i, a := range list {
		out[i] = ApproverOutput{ApproverID: a.ID, LastActivity: a.Activity, LastActivityTime: ts(a.ActivityTime),
			PrimaryIdentityID: a.IdentityID, PrimaryIdentitySourceArn: a.SourceARN, PrimaryIdentityStatus: a.Status,
			ResponseTime: ts(a.ResponseTime)}
	}
	return out
}

func mofn(m int) Strategy { return Strategy{MofN: &MofN{MinApprovalsRequired: &m}} }

func getApprovalTeam(c *api.Call, in *TeamInput) (*GetApprovalTeamOutput, error) {
	m, id, err := team(c, in.Arn)
	if err != nil {
		return nil, err
	}
	t, err := m.ApprovalTeam(c.Ctx, c.Account(), id)
	if err != nil {
		return nil, err
	}
	out := &GetApprovalTeamOutput{ApprovalStrategy: mofn(t.MinApprovals), Approvers: approversOut(t.Approvers), Arn: t.ARN,
		CreationTime: ts(t.Created), Description: t.Description, LastUpdateTime: ts(t.Updated), Name: t.Name,
		NumberOfApprovers: len(t.Approvers), Status: t.Status, StatusCode: t.StatusCode, StatusMessage: t.StatusMessage,
		UpdateSessionArn: t.UpdateSessionARN, VersionID: strconv.Itoa(t.Version), Policies: []PolicyRef{}}
	for _, p := range t.Policies {
		out.Policies = append(out.Policies, PolicyRef{PolicyArn: p})
	}
	if p := t.Pending; p != nil {
		out.PendingUpdate = &PendingUpdateOutput{ApprovalStrategy: mofn(p.MinApprovals), Approvers: approversOut(p.Approvers),
			Description: p.Description, NumberOfApprovers: len(p.Approvers), Status: mpa.TeamPending, StatusCode: p.StatusCode,
			UpdateInitiationTime: ts(p.Initiated), VersionID: strconv.Itoa(p.Version)}
	}
	return out, nil
}

// ListApprovalTeams: POST /approval-teams/?List.
var ListApprovalTeams = api.Add(&ops, &api.Op[ListInput, ListApprovalTeamsOutput]{
	Name: "ListApprovalTeams", HTTP: "POST /approval-teams/?List", Authorize: on[ListInput](nil), Run: listApprovalTeams})

// TeamSummary is ListApprovalTeamsResponseApprovalTeam.
type TeamSummary struct {
	ApprovalStrategy  Strategy `json:"ApprovalStrategy"`
	Arn               string   `json:"Arn"`
	CreationTime      string   `json:"CreationTime"`
	Description       string   `json:"Description"`
	Name              string   `json:"Name"`
	NumberOfApprovers int      `json:"NumberOfApprovers"`
	Status            string   `json:"Status"`
	StatusCode        string   `json:"StatusCode,omitempty"`
	StatusMessage     string   `json:"StatusMessage,omitempty"`
}

// ListApprovalTeamsOutput is a page of teams.
type ListApprovalTeamsOutput struct {
	ApprovalTeams []TeamSummary `json:"ApprovalTeams"`
	NextToken     string        `json:"NextToken,omitempty" page:"token"`
}

func listApprovalTeams(c *api.Call, in *ListInput) (*ListApprovalTeamsOutput, error) {
	out := &ListApprovalTeamsOutput{}
	var err error
	out.ApprovalTeams, out.NextToken, err = listed(c, in, (*mpa.Service).ApprovalTeams, teamSummary)
	return out, err
}

func teamSummary(t *mpa.Team) TeamSummary {
	return TeamSummary{ApprovalStrategy: mofn(t.MinApprovals), Arn: t.ARN, CreationTime: ts(t.Created),
		Description: t.Description, Name: t.Name, NumberOfApprovers: len(t.Approvers), Status: t.Status,
		StatusCode: t.StatusCode, StatusMessage: t.StatusMessage}
}

// UpdateApprovalTeam: PATCH /approval-teams/{Arn}.
var UpdateApprovalTeam = api.Add(&ops, &api.Op[UpdateApprovalTeamInput, UpdateApprovalTeamOutput]{
	Name: "UpdateApprovalTeam", HTTP: "PATCH /approval-teams/{Arn}",
	Authorize: on(func(_ *api.Call, in *UpdateApprovalTeamInput) string { return in.Arn }), Run: updateApprovalTeam})

// UpdateApprovalTeamInput changes a team; absent members are unchanged.
type UpdateApprovalTeamInput struct {
	Arn              string          `json:"-" location:"uri" locationName:"Arn" required:"true"`
	ApprovalStrategy *Strategy       `json:"ApprovalStrategy"`
	Approvers        []ApproverInput `json:"Approvers"`
	Description      *string         `json:"Description"`
	UpdateActions    []string        `json:"UpdateActions"`
}

// UpdateApprovalTeamOutput is the new version's ID.
type UpdateApprovalTeamOutput struct {
	VersionID string `json:"VersionId"`
}

func updateApprovalTeam(c *api.Call, in *UpdateApprovalTeamInput) (*UpdateApprovalTeamOutput, error) {
	m, id, err := team(c, in.Arn)
	if err != nil {
		return nil, err
	}
	var min *int
	if in.ApprovalStrategy != nil && in.ApprovalStrategy.MofN != nil {
		min = in.ApprovalStrategy.MofN.MinApprovalsRequired
	}
	v, err := m.UpdateApprovalTeam(c.Ctx, c.Account(), id, in.Description, min, identities(in.Approvers), requester(c))
	if err != nil {
		return nil, err
	}
	return &UpdateApprovalTeamOutput{VersionID: v}, nil
}

// StartActiveApprovalTeamDeletion: POST /approval-teams/{Arn}?Delete.
var StartActiveApprovalTeamDeletion = api.Add(&ops, &api.Op[StartDeletionInput, StartDeletionOutput]{
	Name: "StartActiveApprovalTeamDeletion", HTTP: "POST /approval-teams/{Arn}?Delete",
	Authorize: on(func(_ *api.Call, in *StartDeletionInput) string { return in.Arn }), Run: startDeletion})

// StartDeletionInput starts a team's deletion.
type StartDeletionInput struct {
	Arn               string `json:"-" location:"uri" locationName:"Arn" required:"true"`
	PendingWindowDays int    `json:"PendingWindowDays"`
}

// StartDeletionOutput is the deletion's window.
type StartDeletionOutput struct {
	DeletionCompletionTime string `json:"DeletionCompletionTime"`
	DeletionStartTime      string `json:"DeletionStartTime"`
}

func startDeletion(c *api.Call, in *StartDeletionInput) (*StartDeletionOutput, error) {
	m, id, err := team(c, in.Arn)
	if err != nil {
		return nil, err
	}
	start, end, err := m.StartDeletion(c.Ctx, c.Account(), id, in.PendingWindowDays, requester(c))
	if err != nil {
		return nil, err
	}
	return &StartDeletionOutput{DeletionCompletionTime: ts(end), DeletionStartTime: ts(start)}, nil
}

// DeleteInactiveApprovalTeamVersion: DELETE /approval-teams/{Arn}/{VersionId}.
var DeleteInactiveApprovalTeamVersion = api.Add(&ops, &api.Op[DeleteVersionInput, struct{}]{
	Name: "DeleteInactiveApprovalTeamVersion", HTTP: "DELETE /approval-teams/{Arn}/{VersionId}",
	Authorize: on(func(_ *api.Call, in *DeleteVersionInput) string { return in.Arn }), Run: deleteVersion})

// DeleteVersionInput names a team's version.
type DeleteVersionInput struct {
	Arn       string `json:"-" location:"uri" locationName:"Arn" required:"true"`
	VersionID string `json:"-" location:"uri" locationName:"VersionId" required:"true"`
}

func deleteVersion(c *api.Call, in *DeleteVersionInput) (*struct{}, error) {
	m, id, err := team(c, in.Arn)
	if err != nil {
		return nil, err
	}
	return nil, m.DeleteInactiveVersion(c.Ctx, c.Account(), id, in.VersionID)
}

// StartApprovalTeamBaseline: POST /approval-teams/{Arn}/baseline.
var StartApprovalTeamBaseline = api.Add(&ops, &api.Op[StartBaselineInput, StartBaselineOutput]{
	Name: "StartApprovalTeamBaseline", HTTP: "POST /approval-teams/{Arn}/baseline",
	Authorize: on(func(_ *api.Call, in *StartBaselineInput) string { return in.Arn }), Run: startBaseline})

// StartBaselineInput names the approvers to baseline (none: all).
type StartBaselineInput struct {
	Arn         string   `json:"-" location:"uri" locationName:"Arn" required:"true"`
	ApproverIDs []string `json:"ApproverIds"`
}

// StartBaselineOutput is the baseline session.
type StartBaselineOutput struct {
	BaselineSessionArn string `json:"BaselineSessionArn"`
}

func startBaseline(c *api.Call, in *StartBaselineInput) (*StartBaselineOutput, error) {
	m, id, err := team(c, in.Arn)
	if err != nil {
		return nil, err
	}
	a, err := m.StartBaseline(c.Ctx, c.Account(), id, in.ApproverIDs, requester(c))
	if err != nil {
		return nil, err
	}
	return &StartBaselineOutput{BaselineSessionArn: a}, nil
}
