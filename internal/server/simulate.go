package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/rootward/rootward/internal/authz"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// The IAM policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy (IAM API reference;
// result shapes from aws-sdk-go-v2 service/iam types.EvaluationResult, ResourceSpecificResult and
// Statement, and the response snapshot response_snapshot/SimulatePrincipalPolicy.response.snap).
//
// The simulator decides with the engine the authorizer uses (policy.Explain, whose Decision is by
// construction the one policy.Evaluate returns), over a policy set built from the same pieces
// (iam.Service.PrincipalPolicies and compile, as authorizer.build), with the request principal
// formed the same way (ARN and account). Unlike a real request it fills no condition key itself:
// only ContextEntries are in the request context ("If you leave the value for a condition key
// empty, then that key is ignored during the simulation", IAM User Guide, "Testing IAM policies
// with the IAM policy simulator").
//
// Results follow the simulator as revised in July 2026 (aws-sdk-go-v2 service/iam v1.57.0
// changelog: "reports accurate cross-account decisions"; types.EvaluationResult docs): one
// EvaluationResult per action; with ResourceArns, one ResourceSpecificResult per resource and a
// top-level result that reports the most restrictive decision and the union of matched statements
// and missing context keys across the resources. The top-level EvalResourceName is AWS's "ARN
// template for the simulated resource type ... or * if no ARN format is defined for the action";
// Rootward has no catalogue of resource types, so it is always "*".
//
// Not simulated: ResourceHandlingOption (the EC2 scenarios) only makes AWS check that the
// scenario's resources were supplied; Rootward accepts it and does not check them. And where AWS
// leaves out of MissingContextValues the keys that only SCP statements reference, Rootward lists
// them too: policy.Explanation does not say which policy a missing key came from.

// Policy source names as IAM reports them. The API reference enumerates user | group | role |
// aws-managed | user-managed | resource | none for SourcePolicyType, but captured responses of
// the live service carry "IAM Policy" for identity policies (managed, inline and PolicyInputList
// alike) and "Resource Policy" for ResourcePolicy, e.g. the AWS CLI output quoted in
// ScottLogic/blog _posts/2025-04-03-automated-iam-policy-simulator-testing.md, and soto-project/soto
// PR #230 ("isn't documented, but is being returned by IAM"). Rootward answers what IAM sends.
// The SDKs model the member as an open string enum, so they accept these values.
const (
	sourceIAM      = "IAM Policy"
	sourceResource = "Resource Policy"
	// [U] No captured response shows a permissions boundary statement or cross-account
	// EvalDecisionDetails keys; this name follows the two observed ones.
	sourceBoundary = "Permissions Boundary Policy"
)

// Source ids of the policies passed as parameters, as IAM reports them ("PolicyInputList.1" in the
// AWS CLI examples for simulate-custom-policy; "ResourcePolicy" in captured output). [U] The
// boundary's id is not in any captured output; it follows the PolicyInputList.N form.
const (
	idResourcePolicy = "ResourcePolicy"
	idBoundaryInput  = "PermissionsBoundaryPolicyInputList.1"
)

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

// policySource is how a policy is named in MatchedStatements, and its text for positions.
type policySource struct {
	id, typ, doc string
}

// simulation is one validated simulator request.
type simulation struct {
	in        policy.Input
	principal policy.Principal
	ctx       policy.Context
	actions   []string
	resources []string // nil when ResourceArns is absent: only "*" is simulated
	owner     string   // ResourceOwner's account, "" when absent
	sources   map[*policy.Policy]policySource
}

func (s *simulation) add(p *policy.Policy, src policySource) *policy.Policy {
	s.sources[p] = src
	return p
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
	excl, err := exclusionsParam(c)
	if err != nil {
		return nil, err
	}
	entity, err := sim.loadPrincipal(c, source, excl)
	if err != nil {
		return nil, err
	}
	if err := sim.addInputs(c); err != nil {
		return nil, err
	}
	if err := sim.setCaller(c, entity); err != nil {
		return nil, err
	}
	return sim.run(c)
}

func simulateCustomPolicy(c *call) (any, error) {
	if len(c.params.List("PolicyInputList")) == 0 {
		return nil, awsproto.MissingParam("PolicyInputList")
	}
	sim, err := newSimulation(c)
	if err != nil {
		return nil, err
	}
	if err := sim.addInputs(c); err != nil {
		return nil, err
	}
	if err := sim.addSCPs(c); err != nil {
		return nil, err
	}
	if err := sim.setCaller(c, ""); err != nil {
		return nil, err
	}
	return sim.run(c)
}

// newSimulation validates the parameters both operations share: actions, resources, context.
func newSimulation(c *call) (*simulation, error) {
	sim := &simulation{sources: map[*policy.Policy]policySource{}}
	sim.actions = c.params.List("ActionNames")
	if len(sim.actions) == 0 {
		return nil, awsproto.MissingParam("ActionNames")
	}
	for _, a := range sim.actions {
		if err := checkActionName(a); err != nil {
			return nil, err
		}
	}
	if c.params.Has("ResourceArns.member.1") {
		sim.resources = c.params.List("ResourceArns")
		for _, r := range sim.resources {
			if err := checkResourceName("ResourceArns", r); err != nil {
				return nil, err
			}
		}
	}
	if o := c.params.Get("ResourceOwner"); o != "" {
		acct, ok := ownerAccount(o)
		if !ok {
			return nil, awserr.New(awserr.InvalidInput, "ResourceOwner %s is not a valid account ID or ARN.", o)
		}
		sim.owner = acct
	}
	if err := contextParam(c, &sim.ctx); err != nil {
		return nil, err
	}
	return sim, nil
}

// checkActionName enforces ActionNameType (length 3–128) and the simulator's rule that actions
// are named exactly: "Each operation must include the service identifier, such as
// iam:CreateUser. This operation does not support using wildcards (*) in an action name."
func checkActionName(a string) error {
	if len(a) < 3 || len(a) > 128 {
		return awsproto.Invalid("ActionNames", a, "Member must have length between 3 and 128")
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" || strings.ContainsAny(a, "*?") || strings.Contains(name, ":") {
		// [U] IAM's wording for a malformed action name is not documented.
		return awserr.New(awserr.InvalidInput, "Action name %s is not valid: it must be a service prefix and an action, without wildcards.", a)
	}
	return nil
}

// checkResourceName accepts "*" or an ARN of at most 2,048 characters (ResourceNameType).
func checkResourceName(param, r string) error {
	if len(r) < 1 || len(r) > 2048 {
		return awsproto.Invalid(param, r, "Member must have length between 1 and 2048")
	}
	if r == "*" {
		return nil
	}
	if _, err := arn.Parse(r); err != nil {
		return awserr.New(awserr.InvalidInput, "ARN %s is not valid.", r)
	}
	return nil
}

func simAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ownerAccount reads ResourceOwner: an account ID, or an ARN naming one (arn:aws:iam::ID:root).
func ownerAccount(s string) (string, bool) {
	if simAccountID(s) {
		return s, true
	}
	a, err := arn.Parse(s)
	if err != nil || !simAccountID(a.Account) {
		return "", false
	}
	return a.Account, true
}

// contextKeyTypes maps each ContextKeyType to whether it takes several values and the condition
// operator whose parser validates its values. Validating a value by compiling it as a policy value
// of that operator makes the simulator accept exactly what the engine can compare.
var contextKeyTypes = map[string]struct {
	list     bool
	operator string
}{
	"string": {false, ""}, "stringList": {true, ""},
	"numeric": {false, "NumericEquals"}, "numericList": {true, "NumericEquals"},
	"boolean": {false, "Bool"}, "booleanList": {true, "Bool"},
	"ip": {false, ""}, "ipList": {true, ""},
	"binary": {false, "BinaryEquals"}, "binaryList": {true, "BinaryEquals"},
	"date": {false, "DateEquals"}, "dateList": {true, "DateEquals"},
}

const contextKeyTypeEnum = "[string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]"

// contextParam reads ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M,
// ContextKeyType} into ctx, refusing values that do not parse as their declared type.
func contextParam(c *call, ctx *policy.Context) error {
	for i := 1; ; i++ {
		prefix := "ContextEntries.member." + strconv.Itoa(i) + "."
		if !paramsWithPrefix(c.params, prefix) {
			return nil
		}
		name := c.params.Get(prefix + "ContextKeyName")
		if len(name) < 5 || len(name) > 256 {
			return awsproto.Invalid("ContextEntries.member."+strconv.Itoa(i)+".ContextKeyName", name, "Member must have length between 5 and 256")
		}
		typ := c.params.Get(prefix + "ContextKeyType")
		values := c.params.List(prefix + "ContextKeyValues")
		if typ != "" {
			kt, ok := contextKeyTypes[typ]
			if !ok {
				return awsproto.Invalid("ContextEntries.member."+strconv.Itoa(i)+".ContextKeyType", typ, "Member must satisfy enum value set: "+contextKeyTypeEnum)
			}
			if !kt.list && len(values) > 1 {
				return awserr.New(awserr.InvalidInput, "Context key %s of type %s takes a single value, not %d.", name, typ, len(values))
			}
			if !validContextValues(typ, kt.operator, values) {
				// The value is not echoed: context values are caller data of unknown sensitivity.
				return awserr.New(awserr.InvalidInput, "Invalid value for context key %s of type %s.", name, typ)
			}
		}
		ctx.Set(name, values...)
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

func validContextValues(typ, operator string, values []string) bool {
	if len(values) == 0 {
		return true
	}
	if strings.HasPrefix(typ, "ip") {
		// A request carries one address (aws:SourceIp), not a block: the engine parses the
		// request side with netip.ParseAddr.
		for _, v := range values {
			if _, err := netip.ParseAddr(v); err != nil {
				return false
			}
		}
		return true
	}
	if operator == "" {
		return true
	}
	vs, err := json.Marshal(values)
	if err != nil {
		return false
	}
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sim:Validate","Resource":"*","Condition":{"` +
		operator + `":{"sim:value":` + string(vs) + `}}}}`
	_, err = policy.Parse(doc, policy.KindIdentity)
	return err == nil
}

// loadPrincipal loads the identity policies and permissions boundary of the user, group or role
// named by PolicySourceArn, as the authorizer does for a caller, minus PolicyExclusionList. It
// returns the entity's ARN when it can be a caller (a user or role), "" for a group.
func (s *simulation) loadPrincipal(c *call, source string, excl []policyExclusion) (string, error) {
	a, err := arn.Parse(source)
	if err != nil || a.Service != "iam" || !simAccountID(a.Account) {
		return "", awserr.New(awserr.InvalidInput, "ARN %s is not valid.", source)
	}
	kind, path, ok := strings.Cut(a.Resource, "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	if !ok || name == "" || (kind != "user" && kind != "group" && kind != "role") {
		return "", awserr.New(awserr.InvalidInput, "ARN %s is not valid: the policy source must be an IAM user, group or role.", source)
	}
	// Another account's entities are reported as missing, so the answer reveals nothing about them.
	notFound := awserr.New(awserr.NoSuchEntity, "The %s with name %s cannot be found.", kind, name)
	if a.Account != c.Account() || a.Partition != "aws" {
		return "", notFound
	}
	var entityARN, display, entityID string
	groupNames := map[string]string{}
	switch kind {
	case "user":
		u, err := c.s.iam.GetUser(c.Ctx, c.Account(), name)
		if err != nil {
			return "", err
		}
		entityARN, display, entityID = u.Arn, u.UserName, u.UserID
		// PrincipalPolicies labels a user's group policies with the folded group name; the
		// simulator reports the name as created.
		for o := (iam.ListOpts{MaxItems: 1000}); ; {
			p, err := c.s.iam.ListGroupsForUser(c.Ctx, c.Account(), display, o)
			if err != nil {
				return "", err
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
		r, err := c.s.iam.GetRole(c.Ctx, c.Account(), name)
		if err != nil {
			return "", err
		}
		entityARN, display, entityID = r.Arn, r.RoleName, r.RoleID
	default:
		g, _, err := c.s.iam.GetGroup(c.Ctx, c.Account(), name, iam.ListOpts{MaxItems: 1})
		if err != nil {
			return "", err
		}
		entityARN, display, entityID = g.Arn, g.GroupName, g.GroupID
	}
	if entityARN != source {
		// The name exists under another path: the ARN given names nothing.
		return "", notFound
	}
	pp, err := c.s.iam.PrincipalPolicies(c.Ctx, c.Account(), kind, display, entityID)
	if errors.Is(err, iam.ErrPrincipalGone) {
		return "", notFound // deleted since it was read above
	}
	if err != nil {
		return "", err
	}
	for _, d := range pp.Identity {
		at := attachmentOfLabel(d.Label, groupNames)
		if excluded(excl, at) {
			continue
		}
		p, err := authz.Compile(d, policy.KindIdentity)
		if err != nil {
			return "", err
		}
		s.in.Identity = append(s.in.Identity, s.add(p, policySource{id: at.sourceID(), typ: sourceIAM, doc: d.Document}))
	}
	if b := pp.Boundary; b != nil && !excludedType(excl, "permission-boundary") {
		p, err := authz.Compile(*b, policy.KindBoundary)
		if err != nil {
			return "", err
		}
		s.in.Boundary = s.add(p, policySource{id: managedName(b.Label), typ: sourceBoundary, doc: b.Document})
	}
	s.principal = policy.Principal{Account: c.Account()}
	if kind == "group" {
		return "", nil
	}
	// A user or role is its own caller unless CallerArn says otherwise (SimulatePrincipalPolicy:
	// "If you do not specify a CallerArn, it defaults to the ARN of the user, group, or role that
	// you specify in PolicySourceArn").
	s.principal.ARN = entityARN
	return entityARN, nil
}

// policyAttachment describes where a principal's policy comes from, decoded from the label
// iam.Service.PrincipalPolicies gives it: a managed policy's ARN, or "user/alice/name" for an
// inline policy (IAM names never contain '/').
type policyAttachment struct {
	arn                      string // managed policies
	entityType, entity, name string // inline policies
}

func attachmentOfLabel(label string, groupNames map[string]string) policyAttachment {
	if strings.HasPrefix(label, "arn:") {
		return policyAttachment{arn: label}
	}
	parts := strings.SplitN(label, "/", 3)
	if len(parts) != 3 {
		return policyAttachment{name: label}
	}
	at := policyAttachment{entityType: parts[0], entity: parts[1], name: parts[2]}
	if g, ok := groupNames[parts[1]]; ok && at.entityType == "group" {
		at.entity = g
	}
	return at
}

// sourceID is the SourcePolicyId IAM reports: the policy name for a managed policy (e.g.
// "AdministratorAccess" in the captured outputs cited above), and type_entity_policy for an inline
// policy (e.g. "role_ecs-task-execution-role-ce-grp-4r_ecs_execution_secrets" in a captured
// simulate-principal-policy response).
func (a policyAttachment) sourceID() string {
	if a.arn != "" {
		return managedName(a.arn)
	}
	return a.entityType + "_" + a.entity + "_" + a.name
}

func managedName(policyARN string) string {
	return policyARN[strings.LastIndexByte(policyARN, '/')+1:]
}

// maxSimulatedDocument is the length constraint of policyDocumentType, the type of every policy
// document parameter of the simulator.
const maxSimulatedDocument = 131072

// parseInput parses a policy document parameter. The document is not echoed in a length error.
func parseInput(param, doc string, kind policy.Kind) (*policy.Policy, error) {
	if len(doc) > maxSimulatedDocument {
		return nil, awsproto.Invalid(param, "...", "Member must have length less than or equal to "+strconv.Itoa(maxSimulatedDocument))
	}
	return policy.Parse(doc, kind)
}

// addInputs parses PolicyInputList, PermissionsBoundaryPolicyInputList and ResourcePolicy.
func (s *simulation) addInputs(c *call) error {
	for i, doc := range c.params.List("PolicyInputList") {
		p, err := parseInput("PolicyInputList", doc, policy.KindIdentity)
		if err != nil {
			return err
		}
		id := "PolicyInputList." + strconv.Itoa(i+1)
		p.Name = id
		s.in.Identity = append(s.in.Identity, s.add(p, policySource{id: id, typ: sourceIAM, doc: doc}))
	}
	if b := c.params.List("PermissionsBoundaryPolicyInputList"); len(b) > 0 {
		// "You can input only one permissions boundary when you pass a policy to this operation."
		if len(b) > 1 {
			return awserr.New(awserr.InvalidInput, "The list of Permissions Boundary policies cannot exceed 1 items.")
		}
		p, err := parseInput("PermissionsBoundaryPolicyInputList", b[0], policy.KindBoundary)
		if err != nil {
			return err
		}
		p.Name = idBoundaryInput
		// It replaces the principal's own boundary: "if a permissions boundary is attached to an
		// entity and you pass in a different permissions boundary policy using this parameter,
		// then the new permissions boundary policy is used for the simulation".
		s.in.Boundary = s.add(p, policySource{id: idBoundaryInput, typ: sourceBoundary, doc: b[0]})
	}
	if doc := c.params.Get("ResourcePolicy"); doc != "" {
		p, err := parseInput("ResourcePolicy", doc, policy.KindResource)
		if err != nil {
			return err
		}
		p.Name = idResourcePolicy
		s.in.Resource = s.add(p, policySource{id: idResourcePolicy, typ: sourceResource, doc: doc})
	}
	return nil
}

// addSCPs reads SimulateCustomPolicy's OrderedOrganizationPolicyInputList: one level per member,
// the organization root first and the account last, each with its SCP documents. The engine
// requires every level to allow, as Organizations does.
func (s *simulation) addSCPs(c *call) error {
	for i := 1; ; i++ {
		prefix := "OrderedOrganizationPolicyInputList.member." + strconv.Itoa(i)
		if !paramsWithPrefix(c.params, prefix+".") {
			return nil
		}
		docs := c.params.List(prefix + ".ServiceControlPolicyInputList")
		if len(docs) == 0 {
			return awserr.New(awserr.InvalidInput, "Organization policy at index %d must contain at least one service control policy.", i)
		}
		level := make([]*policy.Policy, 0, len(docs))
		for j, doc := range docs {
			p, err := parseInput("ServiceControlPolicyInputList", doc, policy.KindSCP)
			if err != nil {
				return err
			}
			p.Name = prefix + ".ServiceControlPolicyInputList." + strconv.Itoa(j+1)
			level = append(level, p)
		}
		s.in.SCPs = append(s.in.SCPs, level)
	}
}

// setCaller applies CallerArn and checks the ResourcePolicy rules: "CallerArn is required if you
// include a ResourcePolicy and the PolicySourceArn is not the ARN for an IAM user", and resource
// policies are simulated "for IAM users only". entity is the PolicySourceArn's user or role ARN.
func (s *simulation) setCaller(c *call, entity string) error {
	if s.principal.Account == "" {
		s.principal.Account = c.Account()
	}
	caller := entity
	if ca := c.params.Get("CallerArn"); ca != "" {
		a, err := arn.Parse(ca)
		kind, _, _ := strings.Cut(a.Resource, "/")
		if err != nil || a.Service != "iam" || !simAccountID(a.Account) || (kind != "user" && kind != "group" && kind != "role") {
			// "You cannot specify the ARN of an assumed role, federated user, or a service principal."
			return awserr.New(awserr.InvalidInput, "CallerArn %s is not valid: it must be the ARN of an IAM user, group or role.", ca)
		}
		caller = ca
		s.principal = policy.Principal{ARN: ca, Account: a.Account}
		if kind == "group" {
			// A group is no requester a resource policy could name.
			s.principal.ARN = ""
		}
	}
	if s.in.Resource != nil {
		if caller == "" {
			return awserr.New(awserr.InvalidInput, "CallerArn is required when a ResourcePolicy is simulated and the policy source is not an IAM user.")
		}
		if a, _ := arn.Parse(caller); !strings.HasPrefix(a.Resource, "user/") {
			return awserr.New(awserr.InvalidInput, "Simulation of resource-based policies is supported for IAM users only.")
		}
	}
	return nil
}

// resourceOwner is the account that owns resource: the one its ARN names, else ResourceOwner,
// else the caller's (SimulatePrincipalPolicy: ResourceOwner "specifies the owner of any simulated
// resource that does not identify its owner in the resource ARN ... If the ResourceOwner parameter
// is not specified, then the owner of the resources and the resource policy defaults to the
// account of the identity provided in CallerArn").
func (s *simulation) resourceOwner(resource string) string {
	if a, err := arn.Parse(resource); err == nil && simAccountID(a.Account) {
		return a.Account
	}
	if s.owner != "" {
		return s.owner
	}
	return s.principal.Account
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

func (s *simulation) run(c *call) (any, error) {
	maxItems, err := c.params.Int("MaxItems", simulatorDefaultMaxItems, 1, 1000)
	if err != nil {
		return nil, err
	}
	start, err := simMarker(c.params.Get("Marker"), len(s.actions))
	if err != nil {
		return nil, err
	}
	end := min(start+maxItems, len(s.actions))
	out := simulateResult{EvaluationResults: make([]evaluationResult, 0, end-start)}
	for _, a := range s.actions[start:end] {
		out.EvaluationResults = append(out.EvaluationResults, s.evaluate(a))
	}
	if end < len(s.actions) {
		out.IsTruncated = true
		out.Marker = base64.RawURLEncoding.EncodeToString([]byte("simulate:" + strconv.Itoa(end)))
	}
	return out, nil
}

// simOutcome is the simulation of one action on one resource.
type simOutcome struct {
	effect     policy.Effect
	matched    []policy.MatchedStatement
	missing    []string
	details    map[string]policy.Effect // per policy type, for cross-account requests only
	boundaryOK bool
	orgsOK     bool
	// scpStop: the SCPs denied, which ends AWS's evaluation ("If an Organizations SCP included in
	// the evaluation denies access, the simulation ends ... and this parameter [EvalDecisionDetails]
	// is not returned").
	scpStop bool
}

func (s *simulation) simulate(action, resource string) simOutcome {
	in := s.in
	owner := s.resourceOwner(resource)
	in.ResourceAccount = owner
	x := policy.Explain(&in, &policy.Request{Action: action, Resource: resource, Principal: s.principal, Context: &s.ctx})
	o := simOutcome{effect: x.Decision.Effect, missing: x.MissingContextKeys}
	// Explain's flags say whether an Allow matched; an explicit Deny in the boundary or an SCP
	// also means "not allowed by" it (PermissionsBoundaryDecisionDetail: "A value of false means
	// that either the requested action is not allowed (implicitly denied) or that the action is
	// explicitly denied by the permissions boundary").
	o.boundaryOK = x.AllowedByPermissionsBoundary && typeEffect(x.Matched, policy.PolicyBoundary) != policy.ExplicitDeny
	o.orgsOK = x.AllowedByOrganizations && typeEffect(x.Matched, policy.PolicySCP) != policy.ExplicitDeny
	for _, m := range x.Matched {
		if reported(x.Decision.Effect, m) {
			o.matched = append(o.matched, m)
		}
	}
	o.scpStop = in.SCPs != nil && !o.orgsOK
	if owner != s.principal.Account && !o.scpStop {
		o.details = map[string]policy.Effect{
			sourceIAM:      typeEffect(x.Matched, policy.PolicyIdentity),
			sourceResource: typeEffect(x.Matched, policy.PolicyResource),
		}
		if in.Boundary != nil {
			o.details[sourceBoundary] = typeEffect(x.Matched, policy.PolicyBoundary)
		}
	}
	return o
}

// reported says whether a matched statement belongs in MatchedStatements: "the statements in the
// input policies that determine the result ... if any statement denies that operation ... the
// deny statement is the only entry included", and SCP statements never appear ("This field doesn't
// include statements from service control policies"). An implicit deny has no deciding statement.
func reported(e policy.Effect, m policy.MatchedStatement) bool {
	switch e {
	case policy.ExplicitDeny:
		return m.Effect == "Deny" && m.Type != policy.PolicySCP
	case policy.Allowed:
		return m.Effect == "Allow" && (m.Type == policy.PolicyIdentity || m.Type == policy.PolicyResource)
	}
	return false
}

// typeEffect is what the statements of one policy type alone decide.
func typeEffect(ms []policy.MatchedStatement, t policy.PolicyType) policy.Effect {
	e := policy.ImplicitDeny
	for _, m := range ms {
		if m.Type != t {
			continue
		}
		if m.Effect == "Deny" {
			return policy.ExplicitDeny
		}
		e = policy.Allowed
	}
	return e
}

// restrictive orders decisions for the top-level result, "the most restrictive decision ...
// across all requested resources".
func restrictive(a, b policy.Effect) policy.Effect {
	rank := func(e policy.Effect) int {
		switch e {
		case policy.ExplicitDeny:
			return 2
		case policy.ImplicitDeny:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func (s *simulation) evaluate(action string) evaluationResult {
	resources := s.resources
	if resources == nil {
		resources = []string{"*"}
	}
	r := evaluationResult{EvalActionName: action, EvalResourceName: "*"}
	decision := policy.Allowed
	var matched []policy.MatchedStatement
	var missing []string
	var details map[string]policy.Effect
	boundaryOK, orgsOK, scpStop := true, true, false
	for _, res := range resources {
		o := s.simulate(action, res)
		decision = restrictive(decision, o.effect)
		matched = unionMatched(matched, o.matched)
		missing = unionKeys(missing, o.missing)
		boundaryOK = boundaryOK && o.boundaryOK
		orgsOK = orgsOK && o.orgsOK
		scpStop = scpStop || o.scpStop
		for k, v := range o.details {
			if details == nil {
				details = map[string]policy.Effect{}
			}
			if old, ok := details[k]; ok {
				v = restrictive(old, v)
			}
			details[k] = v
		}
		if s.resources == nil {
			continue
		}
		rr := resourceResult{
			EvalResourceName: res, EvalResourceDecision: o.effect.String(),
			MatchedStatements: s.statements(o.matched), MissingContextValues: stringMembers{o.missing},
			EvalDecisionDetails: decisionDetails(o.details, false),
		}
		if s.in.Boundary != nil {
			rr.PermissionsBoundaryDecisionDetail = &boundaryDetail{o.boundaryOK}
		}
		if r.ResourceSpecificResults == nil {
			r.ResourceSpecificResults = &resourceResults{}
		}
		r.ResourceSpecificResults.Members = append(r.ResourceSpecificResults.Members, rr)
	}
	r.EvalDecision = decision.String()
	r.MatchedStatements = s.statements(matched)
	r.MissingContextValues = stringMembers{missing}
	// EvalDecisionDetails: "If the simulation evaluates policies within the same account and
	// includes a resource ARN, then the parameter is present but the response is empty. If ...
	// all resources (*), then the parameter is not returned."
	r.EvalDecisionDetails = decisionDetails(details, s.resources != nil && !scpStop)
	if s.in.Boundary != nil {
		r.PermissionsBoundaryDecisionDetail = &boundaryDetail{boundaryOK}
	}
	// OrganizationsDecisionDetail "only applies if the simulated user's account is part of an
	// organization", that is when SCPs take part in the simulation.
	if s.in.SCPs != nil {
		r.OrganizationsDecisionDetail = &orgsDetail{orgsOK}
	}
	return r
}

func unionMatched(into, add []policy.MatchedStatement) []policy.MatchedStatement {
next:
	for _, m := range add {
		for _, have := range into {
			if have.Policy == m.Policy && have.Statement == m.Statement {
				continue next
			}
		}
		into = append(into, m)
	}
	return into
}

func unionKeys(into, add []string) []string {
next:
	for _, k := range add {
		for _, have := range into {
			if strings.EqualFold(have, k) {
				continue next
			}
		}
		into = append(into, k)
	}
	return into
}

func decisionDetails(d map[string]policy.Effect, present bool) *decisionEntries {
	if d == nil && !present {
		return nil
	}
	out := &decisionEntries{}
	for k, v := range d {
		out.Entries = append(out.Entries, decisionEntry{k, v.String()})
	}
	sort.Slice(out.Entries, func(i, j int) bool { return out.Entries[i].Key < out.Entries[j].Key })
	return out
}

func (s *simulation) statements(ms []policy.MatchedStatement) statementList {
	out := statementList{Members: make([]statementOut, 0, len(ms))}
	for _, m := range ms {
		src, ok := s.sources[m.Policy]
		if !ok {
			src = policySource{id: m.Policy.Name, typ: sourceIAM}
		}
		start := awsStatementStart(src.doc, m.Policy, m.Statement)
		out.Members = append(out.Members, statementOut{
			SourcePolicyID: src.id, SourcePolicyType: src.typ,
			StartPosition: positionOut{start.Line, start.Column}, EndPosition: positionOut{m.End.Line, m.End.Column},
		})
	}
	return out
}

// awsStatementStart returns where IAM says statement i of p starts. IAM's end position is just
// past the statement's closing brace, which is the engine's End too, but its start is where its
// parser stood before the statement: just past the previous statement, or for the first one just
// past the opening '[' of the Statement array, or past the '{' of a lone statement object. The
// AWS CLI examples show it: simulate-custom-policy with {"Version":"2012-10-17","Statement":{...}}
// reports StartPosition column 38 (one past the '{' at column 37) and EndPosition column 167 for a
// 166-character document; AdministratorAccess (two-space indentation) reports line 3 column 17,
// one past the '[' of `  "Statement": [`, to line 8 column 6; and consecutive statements of one
// policy start where the previous one ended (AdministratorAccess-Amplify: 333:4–361:4, 361:4–428:4).
func awsStatementStart(doc string, p *policy.Policy, i int) policy.Position {
	if i > 0 {
		_, end := p.StatementPosition(i - 1)
		return end
	}
	start, _ := p.StatementPosition(0)
	off, ok := byteOffset(doc, start)
	if !ok {
		return start
	}
	j := off - 1
	for j >= 0 && (doc[j] == ' ' || doc[j] == '\t' || doc[j] == '\r' || doc[j] == '\n') {
		j--
	}
	if j >= 0 && doc[j] == '[' {
		return bytePosition(doc, j+1)
	}
	return bytePosition(doc, off+1)
}

// byteOffset converts a 1-based line and byte column into a byte offset in doc.
func byteOffset(doc string, pos policy.Position) (int, bool) {
	lineStart := 0
	for line := 1; line < pos.Line; line++ {
		nl := strings.IndexByte(doc[lineStart:], '\n')
		if nl < 0 {
			return 0, false
		}
		lineStart += nl + 1
	}
	off := lineStart + pos.Column - 1
	if pos.Line < 1 || pos.Column < 1 || off > len(doc) {
		return 0, false
	}
	return off, true
}

// bytePosition is the 1-based line and byte column of offset off in doc, as the engine counts.
func bytePosition(doc string, off int) policy.Position {
	prefix := doc[:off]
	return policy.Position{Line: 1 + strings.Count(prefix, "\n"), Column: off - strings.LastIndexByte(prefix, '\n')}
}

// policyExclusion is one PolicyExclusionList member (PolicyIdentifier): a policy type, a managed policy
// ARN pattern, or an inline policy of a user, group or role ("Syntactically valid identifiers that
// don't match any attached policy are ignored").
type policyExclusion struct {
	policyType                     string
	arnPattern                     string
	entityType, entity, inlineName string
}

// exclusionTypes are the PolicyIdentifierPolicyType values (aws-sdk-go-v2 service/iam
// types.PolicyIdentifierPolicyType). [U] "Unassigned" and "Any" are listed without a description;
// they are accepted and, like SCP and RCP identifiers (Rootward simulates no attached SCPs or RCPs),
// match no policy, which keeps the policy in the simulation rather than guessing it away.
var exclusionTypes = map[string]bool{
	"inline": true, "aws-managed": true, "user-managed": true, "permission-boundary": true,
	"scp": true, "rcp": true, "Unassigned": true, "Any": true,
}

// exclusionsParam reads PolicyExclusionList.member.N.{PolicyType | PolicyArn |
// InlinePolicyIdentifier.{PolicyName, AttachmentType, AttachmentName}}. Wildcards are allowed in
// the resource part of PolicyArn and in AttachmentName: "use at most one * (matches any sequence of
// characters, including none), and any number of ? (each matches exactly one character)";
// "Syntactically invalid identifiers, such as malformed ARNs or wildcards in disallowed positions,
// cause the request to fail with an InvalidInput error."
func exclusionsParam(c *call) ([]policyExclusion, error) {
	var out []policyExclusion
	for i := 1; ; i++ {
		prefix := "PolicyExclusionList.member." + strconv.Itoa(i) + "."
		if !paramsWithPrefix(c.params, prefix) {
			return out, nil
		}
		var e policyExclusion
		set := 0
		if t := c.params.Get(prefix + "PolicyType"); t != "" {
			set++
			if !exclusionTypes[t] {
				return nil, awsproto.Invalid("PolicyExclusionList.member."+strconv.Itoa(i)+".PolicyType", t,
					"Member must satisfy enum value set: [inline, aws-managed, user-managed, permission-boundary, scp, rcp, Unassigned, Any]")
			}
			e.policyType = t
		}
		if a := c.params.Get(prefix + "PolicyArn"); a != "" {
			set++
			if !validPolicyARNPattern(a) {
				return nil, awserr.New(awserr.InvalidInput, "ARN %s is not valid.", a)
			}
			e.arnPattern = a
		}
		if paramsWithPrefix(c.params, prefix+"InlinePolicyIdentifier.") {
			set++
			ip := prefix + "InlinePolicyIdentifier."
			e.inlineName = c.params.Get(ip + "PolicyName")
			e.entity = c.params.Get(ip + "AttachmentName")
			switch t := c.params.Get(ip + "AttachmentType"); t {
			case "user", "group", "role":
				e.entityType = t
			default:
				return nil, awsproto.Invalid("PolicyExclusionList.member."+strconv.Itoa(i)+".InlinePolicyIdentifier.AttachmentType", t,
					"Member must satisfy enum value set: [user, group, role]")
			}
			if e.inlineName == "" || e.entity == "" || strings.Count(e.entity, "*") > 1 || strings.ContainsAny(e.inlineName, "*?") {
				return nil, awserr.New(awserr.InvalidInput, "Inline policy identifier %d is not valid.", i)
			}
		}
		if set != 1 {
			return nil, awserr.New(awserr.InvalidInput, "Policy identifier %d must specify exactly one of PolicyType, PolicyArn or InlinePolicyIdentifier.", i)
		}
		out = append(out, e)
	}
}

// validPolicyARNPattern accepts arn:aws:iam::ACCOUNT|aws:policy/[path/]name with wildcards only
// after "policy/", at most one of them '*'.
func validPolicyARNPattern(p string) bool {
	a, err := arn.Parse(p)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || (a.Account != "aws" && !simAccountID(a.Account)) {
		return false
	}
	rest, ok := strings.CutPrefix(a.Resource, "policy/")
	return ok && rest != "" && strings.Count(rest, "*") <= 1
}

func excludedType(excl []policyExclusion, t string) bool {
	for _, e := range excl {
		if e.policyType == t {
			return true
		}
	}
	return false
}

func excluded(excl []policyExclusion, at policyAttachment) bool {
	for _, e := range excl {
		switch {
		case e.policyType == "inline":
			if at.arn == "" {
				return true
			}
		case e.policyType == "aws-managed":
			if arn.IsAWSManaged(at.arn) {
				return true
			}
		case e.policyType == "user-managed":
			if at.arn != "" && !arn.IsAWSManaged(at.arn) {
				return true
			}
		case e.arnPattern != "":
			// ARNs are case-sensitive.
			if at.arn != "" && wildcardMatch(e.arnPattern, at.arn) {
				return true
			}
		case e.entityType != "":
			// IAM entity names are unique case-insensitively, so they match that way; policy
			// names are exact.
			if at.arn == "" && at.entityType == e.entityType && at.name == e.inlineName &&
				wildcardMatch(strings.ToLower(e.entity), strings.ToLower(at.entity)) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches s against a pattern with at most one '*' (any run of characters) and any
// number of '?' (one character). IAM names and ARNs are ASCII, so bytes are characters.
func wildcardMatch(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return len(pattern) == len(s) && matchQ(pattern, s)
	}
	pre, suf := pattern[:star], pattern[star+1:]
	return len(s) >= len(pre)+len(suf) && matchQ(pre, s[:len(pre)]) && matchQ(suf, s[len(s)-len(suf):])
}

func matchQ(pattern, s string) bool {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '?' && pattern[i] != s[i] {
			return false
		}
	}
	return true
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
