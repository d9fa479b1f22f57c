package mpaapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
)

func mpaValidation(format string, args ...any) error {
	return awserr.New(awserr.MPAValidation, format, args...)
}

func notFound(format string, args ...any) error {
	e := awserr.New(awserr.MPAResourceNotFound, format, args...)
	e.Status = http.StatusNotFound
	return e
}

// SessionInput is the SessionArn label.
type SessionInput struct {
	SessionArn string `json:"-" location:"uri" locationName:"SessionArn" required:"true"`
}

func onSession(_ *api.Call, in *SessionInput) string { return in.SessionArn }

// GetSession: GET /sessions/{SessionArn}.
var GetSession = api.Add(&ops, &api.Op[SessionInput, GetSessionOutput]{
	Name: "GetSession", HTTP: "GET /sessions/{SessionArn}", Authorize: on(onSession), Run: getSession})

// ResponseOutput is GetSessionResponseApproverResponse.
type ResponseOutput struct {
	ApproverID        string `json:"ApproverId"`
	IdentityID        string `json:"IdentityId"`
	IdentitySourceArn string `json:"IdentitySourceArn"`
	Response          string `json:"Response"`
	ResponseTime      string `json:"ResponseTime,omitempty"`
}

// SessionSummary is ListSessionsResponseSession, and the members GetSession shares with it.
type SessionSummary struct {
	ActionCompletionStrategy string `json:"ActionCompletionStrategy"`
	ActionName               string `json:"ActionName"`
	ApprovalTeamArn          string `json:"ApprovalTeamArn"`
	ApprovalTeamName         string `json:"ApprovalTeamName"`
	CompletionTime           string `json:"CompletionTime,omitempty"`
	Description              string `json:"Description,omitempty"`
	ExpirationTime           string `json:"ExpirationTime"`
	InitiationTime           string `json:"InitiationTime"`
	ProtectedResourceArn     string `json:"ProtectedResourceArn,omitempty"`
	RequesterAccountID       string `json:"RequesterAccountId"`
	RequesterPrincipalArn    string `json:"RequesterPrincipalArn"`
	RequesterRegion          string `json:"RequesterRegion"`
	SessionArn               string `json:"SessionArn"`
	Status                   string `json:"Status"`
	StatusCode               string `json:"StatusCode,omitempty"`
	StatusMessage            string `json:"StatusMessage,omitempty"`
}

// GetSessionOutput is a session.
type GetSessionOutput struct {
	SessionSummary
	ApprovalStrategy  Strategy          `json:"ApprovalStrategy"`
	ApproverResponses []ResponseOutput  `json:"ApproverResponses"`
	ExecutionStatus   string            `json:"ExecutionStatus"`
	Metadata          map[string]string `json:"Metadata,omitempty"`
	NumberOfApprovers int               `json:"NumberOfApprovers"`
	RequesterComment  string            `json:"RequesterComment,omitempty"`
}

func summary(s *mpa.Session) SessionSummary {
	return SessionSummary{ActionCompletionStrategy: "AUTO_COMPLETION_UPON_APPROVAL", ActionName: s.ActionName,
		ApprovalTeamArn: s.TeamARN, ApprovalTeamName: s.TeamName, CompletionTime: ts(s.Completed),
		Description: s.Requester.Comment, ExpirationTime: ts(s.Expires), InitiationTime: ts(s.Initiated),
		ProtectedResourceArn: s.ProtectedResource, RequesterAccountID: s.Requester.Account,
		RequesterPrincipalArn: s.Requester.ARN, RequesterRegion: s.Requester.Region, SessionArn: s.ARN,
		Status: s.Status, StatusCode: s.StatusCode, StatusMessage: s.StatusMsg}
}

func getSession(c *api.Call, in *SessionInput) (*GetSessionOutput, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	s, err := m.SessionOf(c.Ctx, c.Account(), in.SessionArn)
	if err != nil {
		return nil, err
	}
	out := &GetSessionOutput{SessionSummary: summary(s), ApprovalStrategy: mofn(s.MinApprovals), ExecutionStatus: s.Execution,
		NumberOfApprovers: len(s.Responses), RequesterComment: s.Requester.Comment, ApproverResponses: []ResponseOutput{}}
	if s.Operation != "" {
		out.Metadata = map[string]string{"ProtectedOperation": s.Operation}
	}
	for _, r := range s.Responses {
		out.ApproverResponses = append(out.ApproverResponses, ResponseOutput{ApproverID: r.ApproverID, IdentityID: r.IdentityID,
			IdentitySourceArn: r.SourceARN, Response: r.Response, ResponseTime: ts(r.Time)})
	}
	return out, nil
}

// ListSessions: POST /approval-teams/{ApprovalTeamArn}/sessions/?List.
var ListSessions = api.Add(&ops, &api.Op[ListSessionsInput, ListSessionsOutput]{
	Name: "ListSessions", HTTP: "POST /approval-teams/{ApprovalTeamArn}/sessions/?List",
	Authorize: on(func(_ *api.Call, in *ListSessionsInput) string { return in.ApprovalTeamArn }), Run: listSessions})

// ListSessionsInput pages a team's sessions, filtered.
type ListSessionsInput struct {
	ApprovalTeamArn string   `json:"-" location:"uri" locationName:"ApprovalTeamArn" required:"true"`
	Filters         []Filter `json:"Filters"`
	MaxResults      *int     `json:"MaxResults" min:"1" max:"100" page:"size"`
	NextToken       string   `json:"NextToken" page:"token"`
}

// Filter is one filter of ListSessions.
type Filter struct {
	FieldName string `json:"FieldName"`
	Operator  string `json:"Operator"`
	Value     string `json:"Value"`
}

// ListSessionsOutput is a page of sessions.
type ListSessionsOutput struct {
	NextToken string           `json:"NextToken,omitempty" page:"token"`
	Sessions  []SessionSummary `json:"Sessions"`
}

// Validate accepts the filters Rootward applies: ActionName, ApprovalTeamName and SessionStatus
// with EQ, NE, CONTAINS or NOT_CONTAINS; InitiationTime with GT, LT, GTE or LTE (a date-time).
// Any other is a ValidationException rather than a filter silently ignored.
func (in *ListSessionsInput) Validate() error {
	for _, f := range in.Filters {
		if _, err := f.matcher(); err != nil {
			return err
		}
	}
	return nil
}

func (f Filter) matcher() (func(*mpa.Session) bool, error) {
	var field func(*mpa.Session) string
	switch f.FieldName {
	case "ActionName":
		field = func(s *mpa.Session) string { return s.ActionName }
	case "ApprovalTeamName":
		field = func(s *mpa.Session) string { return s.TeamName }
	case "SessionStatus":
		field = func(s *mpa.Session) string { return s.Status }
	case "InitiationTime":
		at, err := time.Parse(time.RFC3339, f.Value)
		if err != nil {
			return nil, mpaValidation("Filter InitiationTime needs a date-time value.")
		}
		cmp := map[string]func(t time.Time) bool{
			"GT": func(t time.Time) bool { return t.After(at) }, "LT": func(t time.Time) bool { return t.Before(at) },
			"GTE": func(t time.Time) bool { return !t.Before(at) }, "LTE": func(t time.Time) bool { return !t.After(at) },
		}[f.Operator]
		if cmp == nil {
			return nil, mpaValidation("Filter InitiationTime does not take operator %s.", f.Operator)
		}
		return func(s *mpa.Session) bool { return cmp(s.Initiated) }, nil
	default:
		return nil, mpaValidation("Sessions cannot be filtered on %s.", f.FieldName)
	}
	switch f.Operator {
	case "EQ":
		return func(s *mpa.Session) bool { return field(s) == f.Value }, nil
	case "NE":
		return func(s *mpa.Session) bool { return field(s) != f.Value }, nil
	case "CONTAINS":
		return func(s *mpa.Session) bool { return strings.Contains(field(s), f.Value) }, nil
	case "NOT_CONTAINS":
		return func(s *mpa.Session) bool { return !strings.Contains(field(s), f.Value) }, nil
	}
	return nil, mpaValidation("Filter %s does not take operator %s.", f.FieldName, f.Operator)
}

func listSessions(c *api.Call, in *ListSessionsInput) (*ListSessionsOutput, error) {
	m, id, err := team(c, in.ApprovalTeamArn)
	if err != nil {
		return nil, err
	}
	var keep []func(*mpa.Session) bool
	for _, f := range in.Filters {
		fn, err := f.matcher()
		if err != nil {
			return nil, err
		}
		keep = append(keep, fn)
	}
	p, err := m.Sessions(c.Ctx, c.Account(), id, in.NextToken, pageSize(in.MaxResults), func(s *mpa.Session) bool {
		for _, k := range keep {
			if !k(s) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	out := &ListSessionsOutput{}
	out.Sessions, out.NextToken = paged(p, summary)
	return out, nil
}

// CancelSession: PUT /sessions/{SessionArn}. Its requester may cancel it (approvers cancel in the
// approval portal).
var CancelSession = api.Add(&ops, &api.Op[SessionInput, struct{}]{
	Name: "CancelSession", HTTP: "PUT /sessions/{SessionArn}", Authorize: on(onSession), Run: cancelSession})

func cancelSession(c *api.Call, in *SessionInput) (*struct{}, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	if _, err := resourceOf(c, m, in.SessionArn, "session", "Session"); err != nil {
		return nil, err
	}
	return nil, m.Cancel(c.Ctx, in.SessionArn, c.Caller.ARN, nil)
}

// ListPolicies: POST /policies/?List.
var ListPolicies = api.Add(&ops, &api.Op[ListInput, ListPoliciesOutput]{
	Name: "ListPolicies", HTTP: "POST /policies/?List", Authorize: on[ListInput](nil), Run: listPolicies})

// PolicyOutput is Policy.
type PolicyOutput struct {
	Arn            string `json:"Arn"`
	DefaultVersion int    `json:"DefaultVersion"`
	Name           string `json:"Name"`
	PolicyType     string `json:"PolicyType"`
}

// ListPoliciesOutput lists every published policy.
type ListPoliciesOutput struct {
	NextToken string         `json:"NextToken,omitempty" page:"token"`
	Policies  []PolicyOutput `json:"Policies"`
}

// awsManaged is the published policies' type.
const awsManaged = "AWS_MANAGED"

func listPolicies(c *api.Call, in *ListInput) (*ListPoliciesOutput, error) {
	all := mpa.AllPolicies()
	start := 0
	if in.NextToken != "" {
		for i, p := range all {
			if p.Name == in.NextToken {
				start = i + 1
			}
		}
	}
	end := min(len(all), start+pageSize(in.MaxResults))
	out := &ListPoliciesOutput{Policies: []PolicyOutput{}}
	for _, p := range all[start:end] {
		out.Policies = append(out.Policies, PolicyOutput{Arn: p.ARN, DefaultVersion: p.Version, Name: p.Name, PolicyType: awsManaged})
	}
	if end < len(all) {
		out.NextToken = all[end-1].Name
	}
	return out, nil
}

// GetPolicyVersion: GET /policy-versions/{PolicyVersionArn}.
var GetPolicyVersion = api.Add(&ops, &api.Op[GetPolicyVersionInput, GetPolicyVersionOutput]{
	Name: "GetPolicyVersion", HTTP: "GET /policy-versions/{PolicyVersionArn}",
	Authorize: on(func(_ *api.Call, in *GetPolicyVersionInput) string { return in.PolicyVersionArn }), Run: getPolicyVersion})

// GetPolicyVersionInput names a policy version.
type GetPolicyVersionInput struct {
	PolicyVersionArn string `json:"-" location:"uri" locationName:"PolicyVersionArn" required:"true"`
}

// PolicyVersionOutput is PolicyVersion (Document omitted in summaries).
type PolicyVersionOutput struct {
	Arn             string `json:"Arn"`
	CreationTime    string `json:"CreationTime"`
	Document        string `json:"Document,omitempty"`
	IsDefault       bool   `json:"IsDefault"`
	LastUpdatedTime string `json:"LastUpdatedTime"`
	Name            string `json:"Name"`
	PolicyArn       string `json:"PolicyArn"`
	PolicyType      string `json:"PolicyType"`
	Status          string `json:"Status"`
	VersionID       int    `json:"VersionId"`
}

// GetPolicyVersionOutput is a policy version.
type GetPolicyVersionOutput struct {
	PolicyVersion PolicyVersionOutput `json:"PolicyVersion"`
}

func versionOut(p mpa.Policy, doc bool) PolicyVersionOutput {
	out := PolicyVersionOutput{Arn: p.VersionARN, CreationTime: ts(p.Created), IsDefault: true, LastUpdatedTime: ts(p.Created),
		Name: p.Name, PolicyArn: p.ARN, PolicyType: awsManaged, Status: "ATTACHABLE", VersionID: p.Version}
	if doc {
		out.Document = p.Document
	}
	return out
}

func getPolicyVersion(c *api.Call, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	p, ok := mpa.PolicyOf(in.PolicyVersionArn, true)
	if !ok {
		return nil, notFound("Policy version %s was not found.", in.PolicyVersionArn)
	}
	return &GetPolicyVersionOutput{PolicyVersion: versionOut(p, true)}, nil
}

// ListPolicyVersions: POST /policies/{PolicyArn}/?List.
var ListPolicyVersions = api.Add(&ops, &api.Op[ListPolicyVersionsInput, ListPolicyVersionsOutput]{
	Name: "ListPolicyVersions", HTTP: "POST /policies/{PolicyArn}/?List",
	Authorize: on(func(_ *api.Call, in *ListPolicyVersionsInput) string { return in.PolicyArn }), Run: listPolicyVersions})

// ListPolicyVersionsInput names a policy.
type ListPolicyVersionsInput struct {
	PolicyArn  string `json:"-" location:"uri" locationName:"PolicyArn" required:"true"`
	MaxResults *int   `json:"-" location:"querystring" locationName:"MaxResults" min:"1" max:"20" page:"size"`
	NextToken  string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
}

// ListPolicyVersionsOutput lists a policy's one version.
type ListPolicyVersionsOutput struct {
	NextToken      string                `json:"NextToken,omitempty" page:"token"`
	PolicyVersions []PolicyVersionOutput `json:"PolicyVersions"`
}

func listPolicyVersions(c *api.Call, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	p, ok := mpa.PolicyOf(in.PolicyArn, false)
	if !ok {
		return nil, notFound("Policy %s was not found.", in.PolicyArn)
	}
	out := &ListPolicyVersionsOutput{PolicyVersions: []PolicyVersionOutput{}}
	if in.NextToken == "" {
		out.PolicyVersions = append(out.PolicyVersions, versionOut(p, false))
	}
	return out, nil
}

// ListResourcePolicies: POST /resource-policies/{ResourceArn}/?List. A team's resource policies are
// the published policies it names.
var ListResourcePolicies = api.Add(&ops, &api.Op[ListResourcePoliciesInput, ListResourcePoliciesOutput]{
	Name: "ListResourcePolicies", HTTP: "POST /resource-policies/{ResourceArn}/?List",
	Authorize: on(func(_ *api.Call, in *ListResourcePoliciesInput) string { return in.ResourceArn }), Run: listResourcePolicies})

// ListResourcePoliciesInput names a team.
type ListResourcePoliciesInput struct {
	ResourceArn string `json:"-" location:"uri" locationName:"ResourceArn" required:"true"`
	MaxResults  *int   `json:"-" location:"querystring" locationName:"MaxResults" min:"1" max:"20" page:"size"`
	NextToken   string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
}

// ResourcePolicyOutput is ListResourcePoliciesResponseResourcePolicy.
type ResourcePolicyOutput struct {
	PolicyArn  string `json:"PolicyArn"`
	PolicyName string `json:"PolicyName"`
	PolicyType string `json:"PolicyType"`
}

// ListResourcePoliciesOutput lists a team's policies.
type ListResourcePoliciesOutput struct {
	NextToken        string                 `json:"NextToken,omitempty" page:"token"`
	ResourcePolicies []ResourcePolicyOutput `json:"ResourcePolicies"`
}

func listResourcePolicies(c *api.Call, in *ListResourcePoliciesInput) (*ListResourcePoliciesOutput, error) {
	m, id, err := team(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t, err := m.ApprovalTeam(c.Ctx, c.Account(), id)
	if err != nil {
		return nil, err
	}
	out := &ListResourcePoliciesOutput{ResourcePolicies: []ResourcePolicyOutput{}}
	if in.NextToken != "" {
		return out, nil
	}
	for _, a := range t.Policies {
		if p, ok := mpa.PolicyOf(a, false); ok {
			out.ResourcePolicies = append(out.ResourcePolicies, ResourcePolicyOutput{PolicyArn: p.ARN, PolicyName: p.Name, PolicyType: awsManaged})
		}
	}
	return out, nil
}

// GetResourcePolicy: POST /GetResourcePolicy.
var GetResourcePolicy = api.Add(&ops, &api.Op[GetResourcePolicyInput, GetResourcePolicyOutput]{
	Name: "GetResourcePolicy", HTTP: "POST /GetResourcePolicy",
	Authorize: on(func(_ *api.Call, in *GetResourcePolicyInput) string { return in.ResourceArn }), Run: getResourcePolicy})

// GetResourcePolicyInput names a team and one of its policies.
type GetResourcePolicyInput struct {
	PolicyName  string `json:"PolicyName"`
	PolicyType  string `json:"PolicyType"`
	ResourceArn string `json:"ResourceArn"`
}

// Validate requires the three members.
func (in *GetResourcePolicyInput) Validate() error {
	if in.PolicyName == "" || in.PolicyType == "" || in.ResourceArn == "" {
		return mpaValidation("PolicyName, PolicyType and ResourceArn are required.")
	}
	return nil
}

// GetResourcePolicyOutput is one of a team's policies with its document.
type GetResourcePolicyOutput struct {
	PolicyDocument   string `json:"PolicyDocument"`
	PolicyName       string `json:"PolicyName"`
	PolicyType       string `json:"PolicyType"`
	ResourceArn      string `json:"ResourceArn"`
	PolicyVersionArn string `json:"PolicyVersionArn"`
}

func getResourcePolicy(c *api.Call, in *GetResourcePolicyInput) (*GetResourcePolicyOutput, error) {
	m, id, err := team(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t, err := m.ApprovalTeam(c.Ctx, c.Account(), id)
	if err != nil {
		return nil, err
	}
	for _, a := range t.Policies {
		if p, ok := mpa.PolicyOf(a, false); ok && p.Name == in.PolicyName && in.PolicyType == awsManaged {
			return &GetResourcePolicyOutput{PolicyDocument: p.Document, PolicyName: p.Name, PolicyType: awsManaged,
				ResourceArn: t.ARN, PolicyVersionArn: p.VersionARN}, nil
		}
	}
	return nil, notFound("Policy %s of type %s is not attached to %s.", in.PolicyName, in.PolicyType, in.ResourceArn)
}

// TagsInput is the ResourceArn label of the tag operations.
type TagsInput struct {
	ResourceArn string `json:"-" location:"uri" locationName:"ResourceArn" required:"true"`
}

// ListTagsForResource: GET /tags/{ResourceArn}.
var ListTagsForResource = api.Add(&ops, &api.Op[TagsInput, TagsOutput]{
	Name: "ListTagsForResource", HTTP: "GET /tags/{ResourceArn}",
	Authorize: on(func(_ *api.Call, in *TagsInput) string { return in.ResourceArn }), Run: listTags})

// TagsOutput is a resource's tags.
type TagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

func listTags(c *api.Call, in *TagsInput) (*TagsOutput, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	tags, err := m.Tags(c.Ctx, c.Account(), in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &TagsOutput{Tags: tags}, nil
}

// TagResource: PUT /tags/{ResourceArn}.
var TagResource = api.Add(&ops, &api.Op[TagResourceInput, struct{}]{
	Name: "TagResource", HTTP: "PUT /tags/{ResourceArn}",
	Authorize: on(func(_ *api.Call, in *TagResourceInput) string { return in.ResourceArn }), Run: tagResource})

// TagResourceInput adds tags.
type TagResourceInput struct {
	ResourceArn string            `json:"-" location:"uri" locationName:"ResourceArn" required:"true"`
	Tags        map[string]string `json:"Tags" required:"true"`
}

func tagResource(c *api.Call, in *TagResourceInput) (*struct{}, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, m.Tag(c.Ctx, c.Account(), in.ResourceArn, in.Tags)
}

// UntagResource: POST /tags/{ResourceArn}.
var UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, struct{}]{
	Name: "UntagResource", HTTP: "POST /tags/{ResourceArn}",
	Authorize: on(func(_ *api.Call, in *UntagResourceInput) string { return in.ResourceArn }), Run: untagResource})

// UntagResourceInput removes tag keys.
type UntagResourceInput struct {
	ResourceArn string   `json:"-" location:"uri" locationName:"ResourceArn" required:"true"`
	TagKeys     []string `json:"TagKeys" required:"true"`
}

func untagResource(c *api.Call, in *UntagResourceInput) (*struct{}, error) {
	m, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, m.Untag(c.Ctx, c.Account(), in.ResourceArn, in.TagKeys)
}
