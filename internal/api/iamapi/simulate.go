package iamapi

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/policy/simulate"
)

// The IAM policy simulator's operations, SimulatePrincipalPolicy and SimulateCustomPolicy: this
// file reads the request, fetches the simulated principal's policies and writes the answer; the
// simulation itself, with its validation and its AWS sources, is internal/policy/simulate.

// simulatorDefaultMaxItems is the page size when MaxItems is absent ("If you do not include this
// parameter, the number of items defaults to 100").
const simulatorDefaultMaxItems = 100

// SimulationInput is what both simulator operations read besides the policies: the actions and
// resources to simulate, the request context and the page. ActionNames is checked after the
// members the operations name first (PolicySourceArn, PolicyInputList), as before.
type SimulationInput struct {
	ActionNames                        []string `required:"true"`
	ResourceArns                       []string
	ResourceOwner                      string
	ResourcePolicy                     string
	CallerArn                          string
	PermissionsBoundaryPolicyInputList []string
	ContextEntries                     []ContextEntry
	ListInput
}

// ContextEntry is a condition key's value for the simulation.
type ContextEntry struct {
	ContextKeyName   string
	ContextKeyType   string
	ContextKeyValues []string
}

// SimulatePrincipalPolicy acts on the simulated user, group or role ("to give a user named Bob
// permission to simulate a policy that is assigned to a user named Alice, give Bob access to the
// following resource: arn:aws:iam::777788889999:user/alice", IAM User Guide).
var SimulatePrincipalPolicy = add(&api.Op[SimulatePrincipalPolicyInput, SimulateOutput]{
	Name:     "SimulatePrincipalPolicy",
	Resource: func(c *api.Call, in *SimulatePrincipalPolicyInput) string { return policySourceARN(in.PolicySourceArn) },
	Run:      simulatePrincipalPolicy,
})

// SimulatePrincipalPolicyInput is SimulatePrincipalPolicy's request.
type SimulatePrincipalPolicyInput struct {
	PolicySourceArn     string `required:"true"`
	PolicyInputList     []string
	PolicyExclusionList []PolicyExclusion
	SimulationInput
}

// PolicyExclusion leaves out of a principal's simulation the policies it matches: a type, a
// managed policy ARN (pattern), or an inline policy.
type PolicyExclusion struct {
	PolicyType             string
	PolicyArn              string
	InlinePolicyIdentifier *InlinePolicyIdentifier
}

// InlinePolicyIdentifier names an inline policy by its name and the entity it is attached to.
type InlinePolicyIdentifier struct {
	PolicyName     string
	AttachmentType string
	AttachmentName string
}

// policySourceARN is the resource of the operations that read an entity's policies: the entity
// named by PolicySourceArn.
func policySourceARN(a string) string {
	if a == "" {
		return "*"
	}
	return a
}

func simulatePrincipalPolicy(c *api.Call, in *SimulatePrincipalPolicyInput) (*SimulateOutput, error) {
	sim, err := newSimulation(c, &in.SimulationInput)
	if err != nil {
		return nil, err
	}
	excl := make([]simulate.Exclusion, len(in.PolicyExclusionList))
	for i, e := range in.PolicyExclusionList {
		excl[i] = simulate.Exclusion{PolicyType: e.PolicyType, PolicyARN: e.PolicyArn}
		if ip := e.InlinePolicyIdentifier; ip != nil {
			excl[i].Inline = &simulate.InlinePolicy{PolicyName: ip.PolicyName, AttachmentType: ip.AttachmentType, AttachmentName: ip.AttachmentName}
		}
	}
	if err := simulate.CheckExclusions(excl); err != nil {
		return nil, simError(err)
	}
	p, err := loadPrincipal(c, in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	if err := sim.AddPrincipal(p, excl); err != nil {
		return nil, err
	}
	if err := sim.AddInputs(simulationInputs(in.PolicyInputList, &in.SimulationInput)); err != nil {
		return nil, simError(err)
	}
	return run(c, sim, &in.SimulationInput)
}

var SimulateCustomPolicy = add(&api.Op[SimulateCustomPolicyInput, SimulateOutput]{
	Name: "SimulateCustomPolicy",
	Run:  simulateCustomPolicy,
})

// SimulateCustomPolicyInput is SimulateCustomPolicy's request.
type SimulateCustomPolicyInput struct {
	PolicyInputList                    []string `required:"true"`
	OrderedOrganizationPolicyInputList []OrganizationPolicies
	SimulationInput
}

// OrganizationPolicies is one level of the organization (the root, an OU, the account) with its
// SCPs, from the root down.
type OrganizationPolicies struct {
	ServiceControlPolicyInputList []string
}

func simulateCustomPolicy(c *api.Call, in *SimulateCustomPolicyInput) (*SimulateOutput, error) {
	sim, err := newSimulation(c, &in.SimulationInput)
	if err != nil {
		return nil, err
	}
	if err := sim.AddInputs(simulationInputs(in.PolicyInputList, &in.SimulationInput)); err != nil {
		return nil, simError(err)
	}
	levels := make([][]string, len(in.OrderedOrganizationPolicyInputList))
	for i, l := range in.OrderedOrganizationPolicyInputList {
		levels[i] = l.ServiceControlPolicyInputList
	}
	if err := sim.AddSCPs(levels); err != nil {
		return nil, simError(err)
	}
	return run(c, sim, &in.SimulationInput)
}

// simError reports a member that breaks its constraint as the query protocol does.
func simError(err error) error {
	var ip *simulate.InvalidParam
	if errors.As(err, &ip) {
		return awsproto.Invalid(ip.Name, ip.Value, ip.Constraint)
	}
	return err
}

// newSimulation starts a simulation of the actions, resources and context both operations share.
func newSimulation(c *api.Call, in *SimulationInput) (*simulate.Simulation, error) {
	r := simulate.Request{Account: c.Account(), Actions: in.ActionNames, Owner: in.ResourceOwner, Resources: in.ResourceArns}
	for _, e := range in.ContextEntries {
		r.Context = append(r.Context, simulate.ContextEntry{Name: e.ContextKeyName, Type: e.ContextKeyType, Values: e.ContextKeyValues})
	}
	sim, err := simulate.New(r)
	return sim, simError(err)
}

// parseInput parses a policy document member (GetContextKeysForCustomPolicy and
// GetContextKeysForPrincipalPolicy read theirs as the simulator does).
func parseInput(member, doc string, kind policy.Kind) (*policy.Policy, error) {
	p, err := simulate.ParseInput(member, doc, kind)
	return p, simError(err)
}

func simulationInputs(identity []string, in *SimulationInput) simulate.Inputs {
	return simulate.Inputs{Identity: identity, Boundary: in.PermissionsBoundaryPolicyInputList, Resource: in.ResourcePolicy}
}

// loadPrincipal fetches the identity policies and permissions boundary of the user, group or role
// named by PolicySourceArn, as the authorizer does for a caller.
func loadPrincipal(c *api.Call, sourceARN string) (simulate.Principal, error) {
	src, err := simulate.ParseSource(sourceARN)
	if err != nil {
		return simulate.Principal{}, err
	}
	// Another account's entities are reported as missing, so the answer reveals nothing about them.
	notFound := awserr.New(awserr.NoSuchEntity, "The %s with name %s cannot be found.", src.Kind, src.Name)
	if src.Account != c.Account() || src.Partition != "aws" {
		return simulate.Principal{}, notFound
	}
	var entityARN, display, entityID string
	groupNames := map[string]string{}
	switch src.Kind {
	case "user":
		u, err := c.IAM.GetUser(c.Ctx, c.Account(), src.Name)
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = u.Arn, u.UserName, u.UserID
		// PrincipalPolicies labels a user's group policies with the folded group name; the
		// simulator reports the name as created.
		for o := (iam.ListOpts{MaxItems: 1000}); ; {
			p, err := c.IAM.ListGroupsForUser(c.Ctx, c.Account(), display, o)
			if err != nil {
				return simulate.Principal{}, err
			}
			for _, g := range p.Items {
				groupNames[strings.ToLower(g.GroupName)] = g.GroupName
			}
			if !p.IsTruncated {
				break
			}
			o.Marker = p.Marker
		}
	case "role":
		r, err := c.IAM.GetRole(c.Ctx, c.Account(), src.Name)
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = r.Arn, r.RoleName, r.RoleID
	default:
		g, _, err := c.IAM.GetGroup(c.Ctx, c.Account(), src.Name, iam.ListOpts{MaxItems: 1})
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = g.Arn, g.GroupName, g.GroupID
	}
	if entityARN != sourceARN {
		// The name exists under another path: the ARN given names nothing.
		return simulate.Principal{}, notFound
	}
	pp, err := c.IAM.PrincipalPolicies(c.Ctx, c.Account(), src.Kind, display, entityID)
	if errors.Is(err, iam.ErrPrincipalGone) {
		return simulate.Principal{}, notFound // deleted since it was read above
	}
	if err != nil {
		return simulate.Principal{}, err
	}
	p := simulate.Principal{Source: src}
	for _, d := range pp.Identity {
		p.Policies = append(p.Policies, attachedOf(d, groupNames))
	}
	if b := pp.Boundary; b != nil {
		p.Boundary = &simulate.Attached{ARN: b.Label, Document: b.Document}
	}
	return p, nil
}

// attachedOf decodes the label iam.Service.PrincipalPolicies gives a policy: a managed policy's
// ARN, or "user/alice/name" for an inline policy (IAM names never contain '/'), with a group's
// name folded.
func attachedOf(d iam.PolicyDoc, groupNames map[string]string) simulate.Attached {
	if strings.HasPrefix(d.Label, "arn:") {
		return simulate.Attached{ARN: d.Label, Document: d.Document}
	}
	parts := strings.SplitN(d.Label, "/", 3)
	if len(parts) != 3 {
		return simulate.Attached{Name: d.Label, Document: d.Document}
	}
	at := simulate.Attached{EntityType: parts[0], Entity: parts[1], Name: parts[2], Document: d.Document}
	if g, ok := groupNames[parts[1]]; ok && at.EntityType == "group" {
		at.Entity = g
	}
	return at
}

// run applies CallerArn and simulates the page of actions that MaxItems and Marker select. The
// Marker's position (the runner authenticates the token around it) is the index of the next
// action.
func run(c *api.Call, sim *simulate.Simulation, in *SimulationInput) (*SimulateOutput, error) {
	if err := sim.SetCaller(in.CallerArn); err != nil {
		return nil, err
	}
	maxItems := in.MaxItems
	if maxItems == 0 {
		maxItems = simulatorDefaultMaxItems
	}
	actions := sim.Actions()
	start, err := simMarker(in.Marker, len(actions))
	if err != nil {
		return nil, err
	}
	end := min(start+maxItems, len(actions))
	out := &SimulateOutput{EvaluationResults: make([]EvaluationResult, 0, end-start)}
	for _, a := range actions[start:end] {
		out.EvaluationResults = append(out.EvaluationResults, evaluationResultOf(sim.Evaluate(a)))
	}
	if end < len(actions) {
		out.IsTruncated = true
		out.Marker = strconv.Itoa(end)
	}
	return out, nil
}

// simMarker decodes a Marker's position: the index of the next action to simulate.
func simMarker(m string, n int) (int, error) {
	if m == "" {
		return 0, nil
	}
	if i, err := strconv.Atoi(m); err == nil && i > 0 && i < n {
		return i, nil
	}
	return 0, awserr.New(awserr.InvalidInput, "Invalid Marker.")
}

// Result shapes (SimulatePrincipalPolicyResult / SimulateCustomPolicyResult). Lists that IAM
// always sends, even empty (MatchedStatements, MissingContextValues: "[]" in every captured
// response), are wrapper structs so that the element is written when empty.

// SimulateOutput is the result of SimulatePrincipalPolicy and SimulateCustomPolicy.
type SimulateOutput struct {
	EvaluationResults []EvaluationResult `xml:"EvaluationResults>member"`
	Paged
}

// EvaluationResult is the result of simulating one action.
type EvaluationResult struct {
	EvalActionName                    string           `xml:"EvalActionName"`
	EvalResourceName                  string           `xml:"EvalResourceName"`
	EvalDecision                      string           `xml:"EvalDecision"`
	MatchedStatements                 statementList    `xml:"MatchedStatements"`
	MissingContextValues              stringMembers    `xml:"MissingContextValues"`
	OrganizationsDecisionDetail       *orgsDetail      `xml:"OrganizationsDecisionDetail"`
	PermissionsBoundaryDecisionDetail *boundaryDetail  `xml:"PermissionsBoundaryDecisionDetail"`
	EvalDecisionDetails               *decisionEntries `xml:"EvalDecisionDetails"`
	ResourceSpecificResults           *resourceResults `xml:"ResourceSpecificResults"`
}

type resourceResults struct {
	Members []resourceResult `xml:"member"`
}

type resourceResult struct {
	EvalResourceName                  string           `xml:"EvalResourceName"`
	EvalResourceDecision              string           `xml:"EvalResourceDecision"`
	MatchedStatements                 statementList    `xml:"MatchedStatements"`
	MissingContextValues              stringMembers    `xml:"MissingContextValues"`
	EvalDecisionDetails               *decisionEntries `xml:"EvalDecisionDetails"`
	PermissionsBoundaryDecisionDetail *boundaryDetail  `xml:"PermissionsBoundaryDecisionDetail"`
}

type statementList struct {
	Members []statementOut `xml:"member"`
}

type statementOut struct {
	SourcePolicyID   string      `xml:"SourcePolicyId"`
	SourcePolicyType string      `xml:"SourcePolicyType"`
	StartPosition    positionOut `xml:"StartPosition"`
	EndPosition      positionOut `xml:"EndPosition"`
}

type positionOut struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type stringMembers struct {
	Members []string `xml:"member"`
}

type decisionEntries struct {
	Entries []decisionEntry `xml:"entry"`
}

type decisionEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type boundaryDetail struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type orgsDetail struct {
	AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
}

func evaluationResultOf(r simulate.Result) EvaluationResult {
	out := EvaluationResult{
		EvalActionName: r.Action, EvalResourceName: r.Resource, EvalDecision: r.Decision.String(),
		MatchedStatements: statementsOf(r.Statements), MissingContextValues: stringMembers{r.Missing},
		PermissionsBoundaryDecisionDetail: boundaryDetailOf(r.AllowedByBoundary),
		EvalDecisionDetails:               decisionDetailsOf(r.Details),
	}
	if r.AllowedByOrganizations != nil {
		out.OrganizationsDecisionDetail = &orgsDetail{*r.AllowedByOrganizations}
	}
	if r.PerResource != nil {
		out.ResourceSpecificResults = &resourceResults{}
	}
	for _, rr := range r.PerResource {
		out.ResourceSpecificResults.Members = append(out.ResourceSpecificResults.Members, resourceResult{
			EvalResourceName: rr.Resource, EvalResourceDecision: rr.Decision.String(),
			MatchedStatements: statementsOf(rr.Statements), MissingContextValues: stringMembers{rr.Missing},
			EvalDecisionDetails:               decisionDetailsOf(rr.Details),
			PermissionsBoundaryDecisionDetail: boundaryDetailOf(rr.AllowedByBoundary),
		})
	}
	return out
}

func statementsOf(ms []simulate.Statement) statementList {
	out := statementList{Members: make([]statementOut, 0, len(ms))}
	for _, m := range ms {
		out.Members = append(out.Members, statementOut{
			SourcePolicyID: m.SourcePolicyID, SourcePolicyType: m.SourcePolicyType,
			StartPosition: positionOut{m.Start.Line, m.Start.Column}, EndPosition: positionOut{m.End.Line, m.End.Column},
		})
	}
	return out
}

func boundaryDetailOf(allowed *bool) *boundaryDetail {
	if allowed == nil {
		return nil
	}
	return &boundaryDetail{*allowed}
}

// decisionDetailsOf writes EvalDecisionDetails sorted by key: absent for nil, empty for an empty map.
func decisionDetailsOf(d map[string]policy.Effect) *decisionEntries {
	if d == nil {
		return nil
	}
	out := &decisionEntries{}
	for k, v := range d {
		out.Entries = append(out.Entries, decisionEntry{k, v.String()})
	}
	sort.Slice(out.Entries, func(i, j int) bool { return out.Entries[i].Key < out.Entries[j].Key })
	return out
}
