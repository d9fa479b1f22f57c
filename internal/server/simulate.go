package server

import (
	"encoding/base64"
	"errors"
	"sort"
	"strconv"
	"strings"

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

func addSimulatorOps(ops map[string]*op) {
	// iam:SimulatePrincipalPolicy acts on the simulated user, group or role ("to give a user named
	// Bob permission to simulate a policy that is assigned to a user named Alice, give Bob access
	// to the following resource: arn:aws:iam::777788889999:user/alice", IAM User Guide).
	ops["SimulatePrincipalPolicy"] = &op{resource: policySourceResource, run: simulatePrincipalPolicy}
	ops["SimulateCustomPolicy"] = &op{run: simulateCustomPolicy}
}

// policySourceResource is the resource of the operations that read an entity's policies: the
// entity named by PolicySourceArn.
func policySourceResource(c *call) string {
	if a := c.params.Get("PolicySourceArn"); a != "" {
		return a
	}
	return "*"
}

func simulatePrincipalPolicy(c *call) (any, error) {
	source, err := c.params.Required("PolicySourceArn")
	if err != nil {
		return nil, err
	}
	sim, err := newSimulation(c)
	if err != nil {
		return nil, err
	}
	excl := exclusionsParam(c)
	if err := simulate.CheckExclusions(excl); err != nil {
		return nil, simError(err)
	}
	p, err := loadPrincipal(c, source)
	if err != nil {
		return nil, err
	}
	if err := sim.AddPrincipal(p, excl); err != nil {
		return nil, err
	}
	if err := sim.AddInputs(simulationInputs(c)); err != nil {
		return nil, simError(err)
	}
	return setCallerAndRun(c, sim)
}

func simulateCustomPolicy(c *call) (any, error) {
	if len(c.params.List("PolicyInputList")) == 0 {
		return nil, awsproto.MissingParam("PolicyInputList")
	}
	sim, err := newSimulation(c)
	if err != nil {
		return nil, err
	}
	if err := sim.AddInputs(simulationInputs(c)); err != nil {
		return nil, simError(err)
	}
	var levels [][]string
	for i := 1; ; i++ {
		prefix := "OrderedOrganizationPolicyInputList.member." + strconv.Itoa(i)
		if !paramsWithPrefix(c.params, prefix+".") {
			break
		}
		levels = append(levels, c.params.List(prefix+".ServiceControlPolicyInputList"))
	}
	if err := sim.AddSCPs(levels); err != nil {
		return nil, simError(err)
	}
	return setCallerAndRun(c, sim)
}

// simError reports a member that breaks its constraint as the query protocol does.
func simError(err error) error {
	var ip *simulate.InvalidParam
	if errors.As(err, &ip) {
		return awsproto.Invalid(ip.Name, ip.Value, ip.Constraint)
	}
	return err
}

// newSimulation reads the parameters both operations share: actions, resources, context.
func newSimulation(c *call) (*simulate.Simulation, error) {
	r := simulate.Request{Account: c.Account(), Actions: c.params.List("ActionNames"), Owner: c.params.Get("ResourceOwner")}
	if len(r.Actions) == 0 {
		return nil, awsproto.MissingParam("ActionNames")
	}
	if c.params.Has("ResourceArns.member.1") {
		r.Resources = c.params.List("ResourceArns")
	}
	for i := 1; ; i++ {
		prefix := "ContextEntries.member." + strconv.Itoa(i) + "."
		if !paramsWithPrefix(c.params, prefix) {
			break
		}
		r.Context = append(r.Context, simulate.ContextEntry{
			Name: c.params.Get(prefix + "ContextKeyName"), Type: c.params.Get(prefix + "ContextKeyType"),
			Values: c.params.List(prefix + "ContextKeyValues"),
		})
	}
	sim, err := simulate.New(r)
	return sim, simError(err)
}

// parseInput parses a policy document parameter (GetContextKeysForCustomPolicy and
// GetContextKeysForPrincipalPolicy read theirs as the simulator does).
func parseInput(param, doc string, kind policy.Kind) (*policy.Policy, error) {
	p, err := simulate.ParseInput(param, doc, kind)
	return p, simError(err)
}

func simulationInputs(c *call) simulate.Inputs {
	return simulate.Inputs{
		Identity: c.params.List("PolicyInputList"),
		Boundary: c.params.List("PermissionsBoundaryPolicyInputList"),
		Resource: c.params.Get("ResourcePolicy"),
	}
}

func paramsWithPrefix(p awsproto.Params, prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// exclusionsParam reads PolicyExclusionList.member.N.{PolicyType | PolicyArn |
// InlinePolicyIdentifier.{PolicyName, AttachmentType, AttachmentName}}.
func exclusionsParam(c *call) []simulate.Exclusion {
	var out []simulate.Exclusion
	for i := 1; ; i++ {
		prefix := "PolicyExclusionList.member." + strconv.Itoa(i) + "."
		if !paramsWithPrefix(c.params, prefix) {
			return out
		}
		e := simulate.Exclusion{PolicyType: c.params.Get(prefix + "PolicyType"), PolicyARN: c.params.Get(prefix + "PolicyArn")}
		if ip := prefix + "InlinePolicyIdentifier."; paramsWithPrefix(c.params, ip) {
			e.Inline = &simulate.InlinePolicy{
				PolicyName: c.params.Get(ip + "PolicyName"), AttachmentType: c.params.Get(ip + "AttachmentType"),
				AttachmentName: c.params.Get(ip + "AttachmentName"),
			}
		}
		out = append(out, e)
	}
}

// loadPrincipal fetches the identity policies and permissions boundary of the user, group or role
// named by PolicySourceArn, as the authorizer does for a caller.
func loadPrincipal(c *call, arn string) (simulate.Principal, error) {
	src, err := simulate.ParseSource(arn)
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
		u, err := c.s.iam.GetUser(c.Ctx, c.Account(), src.Name)
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = u.Arn, u.UserName, u.UserID
		// PrincipalPolicies labels a user's group policies with the folded group name; the
		// simulator reports the name as created.
		for o := (iam.ListOpts{MaxItems: 1000}); ; {
			p, err := c.s.iam.ListGroupsForUser(c.Ctx, c.Account(), display, o)
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
		r, err := c.s.iam.GetRole(c.Ctx, c.Account(), src.Name)
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = r.Arn, r.RoleName, r.RoleID
	default:
		g, _, err := c.s.iam.GetGroup(c.Ctx, c.Account(), src.Name, iam.ListOpts{MaxItems: 1})
		if err != nil {
			return simulate.Principal{}, err
		}
		entityARN, display, entityID = g.Arn, g.GroupName, g.GroupID
	}
	if entityARN != arn {
		// The name exists under another path: the ARN given names nothing.
		return simulate.Principal{}, notFound
	}
	pp, err := c.s.iam.PrincipalPolicies(c.Ctx, c.Account(), src.Kind, display, entityID)
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

// setCallerAndRun applies CallerArn and simulates the page of actions that MaxItems and Marker
// select.
func setCallerAndRun(c *call, sim *simulate.Simulation) (any, error) {
	if err := sim.SetCaller(c.params.Get("CallerArn")); err != nil {
		return nil, err
	}
	maxItems, err := c.params.Int("MaxItems", simulatorDefaultMaxItems, 1, 1000)
	if err != nil {
		return nil, err
	}
	actions := sim.Actions()
	start, err := simMarker(c.params.Get("Marker"), len(actions))
	if err != nil {
		return nil, err
	}
	end := min(start+maxItems, len(actions))
	out := simulateResult{EvaluationResults: make([]evaluationResult, 0, end-start)}
	for _, a := range actions[start:end] {
		out.EvaluationResults = append(out.EvaluationResults, evaluationResultOf(sim.Evaluate(a)))
	}
	if end < len(actions) {
		out.IsTruncated = true
		out.Marker = base64.RawURLEncoding.EncodeToString([]byte("simulate:" + strconv.Itoa(end)))
	}
	return out, nil
}

// simMarker decodes a Marker: the opaque index of the next action to simulate.
func simMarker(m string, n int) (int, error) {
	if m == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "simulate:"); ok {
			if i, err := strconv.Atoi(rest); err == nil && i > 0 && i < n {
				return i, nil
			}
		}
	}
	return 0, awserr.New(awserr.InvalidInput, "Invalid Marker.")
}

// Result shapes (SimulatePrincipalPolicyResult / SimulateCustomPolicyResult). Lists that IAM
// always sends, even empty (MatchedStatements, MissingContextValues: "[]" in every captured
// response), are wrapper structs so that the element is written when empty.

type simulateResult struct {
	EvaluationResults []evaluationResult `xml:"EvaluationResults>member"`
	paged
}

type evaluationResult struct {
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

func evaluationResultOf(r simulate.Result) evaluationResult {
	out := evaluationResult{
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
