package simulate

import (
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
)

// Policy source names as IAM reports them. The API reference enumerates user | group | role |
// aws-managed | user-managed | resource | none for SourcePolicyType, but captured responses of
// the live service carry "IAM Policy" for identity policies (managed, inline and PolicyInputList
// alike) and "Resource Policy" for ResourcePolicy, e.g. the AWS CLI output quoted in
// ScottLogic/blog _posts/2025-04-03-automated-iam-policy-simulator-testing.md, and soto-project/soto
// PR #230 ("isn't documented, but is being returned by IAM"). Rootward answers what IAM sends.
// The SDKs model the member as an open string enum, so they accept these values. They are also
// the keys of EvalDecisionDetails.
const (
	SourceIAM      = "IAM Policy"
	SourceResource = "Resource Policy"
	// [U] No captured response shows a permissions boundary statement or cross-account
	// EvalDecisionDetails keys; this name follows the two observed ones.
	SourceBoundary = "Permissions Boundary Policy"
)

// Source ids of the policies passed as parameters, as IAM reports them ("PolicyInputList.1" in the
// AWS CLI examples for simulate-custom-policy; "ResourcePolicy" in captured output). [U] The
// boundary's id is not in any captured output; it follows the PolicyInputList.N form.
const (
	idResourcePolicy = "ResourcePolicy"
	idBoundaryInput  = "PermissionsBoundaryPolicyInputList.1"
)

// maxDocument is the length constraint of policyDocumentType, the type of every policy document
// parameter of the simulator.
const maxDocument = 131072

// Request is what both operations share: the actions, resources and context to simulate, in the
// account that asks.
type Request struct {
	Account   string         // the caller's account: the simulated principal's, unless CallerArn says otherwise
	Actions   []string       // ActionNames, at least one
	Resources []string       // ResourceArns; nil when absent: only "*" is simulated
	Owner     string         // ResourceOwner, "" when absent
	Context   []ContextEntry // ContextEntries
}

// policySource is how a policy is named in MatchedStatements, and its text for positions.
type policySource struct {
	id, typ, doc string
}

// Simulation is one validated simulator request: New, then the policies (AddPrincipal, AddInputs,
// AddSCPs), then SetCaller, then Evaluate for each action. Each step validates its own part and
// returns the first error, in the order IAM checks the parameters.
type Simulation struct {
	in        policy.Input
	principal policy.Principal
	ctx       policy.Context
	actions   []string
	resources []string
	owner     string // ResourceOwner's account, "" when absent
	entity    string // the policy source's ARN when it is a user or role
	sources   map[*policy.Policy]policySource
}

// New validates the actions, resources, resource owner and context of r. Returns InvalidInput or
// *InvalidParam for the first that is not valid.
func New(r Request) (*Simulation, error) {
	s := &Simulation{sources: map[*policy.Policy]policySource{}, actions: r.Actions, resources: r.Resources}
	s.principal.Account = r.Account
	for _, a := range r.Actions {
		if err := checkActionName(a); err != nil {
			return nil, err
		}
	}
	for _, res := range r.Resources {
		if err := checkResourceName("ResourceArns", res); err != nil {
			return nil, err
		}
	}
	if r.Owner != "" {
		acct, ok := ownerAccount(r.Owner)
		if !ok {
			return nil, awserr.New(awserr.InvalidInput, "ResourceOwner %s is not a valid account ID or ARN.", r.Owner)
		}
		s.owner = acct
	}
	if err := contextOf(r.Context, &s.ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Simulation) add(p *policy.Policy, src policySource) *policy.Policy {
	s.sources[p] = src
	return p
}

// Attached is one stored policy of the simulated principal: a managed policy (ARN set) or an
// inline policy of the principal or of one of its groups (EntityType, Entity, Name set, Entity
// as the entity's name was created).
type Attached struct {
	ARN                      string
	EntityType, Entity, Name string
	Document                 string
}

// sourceID is the SourcePolicyId IAM reports: the policy name for a managed policy (e.g.
// "AdministratorAccess" in the captured outputs cited in sourceIAM's comment), and
// type_entity_policy for an inline policy (e.g.
// "role_ecs-task-execution-role-ce-grp-4r_ecs_execution_secrets" in a captured
// simulate-principal-policy response).
func (a Attached) sourceID() string {
	if a.ARN != "" {
		return managedName(a.ARN)
	}
	return a.EntityType + "_" + a.Entity + "_" + a.Name
}

func managedName(policyARN string) string {
	return policyARN[strings.LastIndexByte(policyARN, '/')+1:]
}

// Principal is the user, group or role that SimulatePrincipalPolicy simulates, with its stored
// identity policies (its own and its groups') and permissions boundary.
type Principal struct {
	Source   Source
	Policies []Attached
	Boundary *Attached // nil when it has none
}

// Compile compiles p's policies, minus those excl names (validated by CheckExclusions): its
// identity policies in order, then its permissions boundary if it has one. Stored documents were
// validated when written: one that does not parse is returned as an error, never skipped.
func (p Principal) Compile(excl []Exclusion) ([]*policy.Policy, error) {
	identity, boundary, err := p.compile(excl)
	if err != nil {
		return nil, err
	}
	var ps []*policy.Policy
	for _, c := range identity {
		ps = append(ps, c.policy)
	}
	if boundary != nil {
		ps = append(ps, boundary.policy)
	}
	return ps, nil
}

// compiled is a compiled policy and how MatchedStatements name it.
type compiled struct {
	policy *policy.Policy
	src    policySource
}

func (a Attached) compile(kind policy.Kind, src policySource) (compiled, error) {
	p, err := policy.Parse(a.Document, kind)
	if err != nil {
		return compiled{}, err
	}
	p.Name = src.id
	return compiled{p, src}, nil
}

func (p Principal) compile(excl []Exclusion) (identity []compiled, boundary *compiled, err error) {
	for _, a := range p.Policies {
		if excluded(excl, a) {
			continue
		}
		c, err := a.compile(policy.KindIdentity, policySource{id: a.sourceID(), typ: SourceIAM, doc: a.Document})
		if err != nil {
			return nil, nil, err
		}
		identity = append(identity, c)
	}
	if b := p.Boundary; b != nil && !excludedType(excl, "permission-boundary") {
		c, err := b.compile(policy.KindBoundary, policySource{id: managedName(b.ARN), typ: SourceBoundary, doc: b.Document})
		if err != nil {
			return nil, nil, err
		}
		boundary = &c
	}
	return identity, boundary, nil
}

// AddPrincipal adds p's policies, minus those excl names (validated by CheckExclusions), as the
// authorizer would for p as a caller; it returns Compile's errors. A user or role is its own
// caller unless SetCaller says otherwise (SimulatePrincipalPolicy: "If you do not specify a
// CallerArn, it defaults to the ARN of the user, group, or role that you specify in
// PolicySourceArn").
func (s *Simulation) AddPrincipal(p Principal, excl []Exclusion) error {
	identity, boundary, err := p.compile(excl)
	if err != nil {
		return err
	}
	for _, c := range identity {
		s.in.Identity = append(s.in.Identity, s.add(c.policy, c.src))
	}
	if boundary != nil {
		s.in.Boundary = s.add(boundary.policy, boundary.src)
	}
	if p.Source.Kind != "group" {
		s.entity = p.Source.ARN
		s.principal.ARN = p.Source.ARN
	}
	return nil
}

// ParseInput parses a policy document parameter named param. Returns *InvalidParam for a document
// longer than policyDocumentType allows (the document is not echoed), MalformedPolicyDocument for
// one that does not parse.
func ParseInput(param, doc string, kind policy.Kind) (*policy.Policy, error) {
	if len(doc) > maxDocument {
		return nil, &InvalidParam{param, "...", "Member must have length less than or equal to " + strconv.Itoa(maxDocument)}
	}
	return policy.Parse(doc, kind)
}

// Inputs are the policy documents passed as parameters.
type Inputs struct {
	Identity []string // PolicyInputList
	Boundary []string // PermissionsBoundaryPolicyInputList: at most one
	Resource string   // ResourcePolicy, "" when absent
}

// AddInputs parses and adds the policies passed as parameters. Returns MalformedPolicyDocument,
// InvalidInput or *InvalidParam for the first that is not valid.
func (s *Simulation) AddInputs(in Inputs) error {
	for i, doc := range in.Identity {
		p, err := ParseInput("PolicyInputList", doc, policy.KindIdentity)
		if err != nil {
			return err
		}
		id := "PolicyInputList." + strconv.Itoa(i+1)
		p.Name = id
		s.in.Identity = append(s.in.Identity, s.add(p, policySource{id: id, typ: SourceIAM, doc: doc}))
	}
	if b := in.Boundary; len(b) > 0 {
		// "You can input only one permissions boundary when you pass a policy to this operation."
		if len(b) > 1 {
			return awserr.New(awserr.InvalidInput, "The list of Permissions Boundary policies cannot exceed 1 items.")
		}
		p, err := ParseInput("PermissionsBoundaryPolicyInputList", b[0], policy.KindBoundary)
		if err != nil {
			return err
		}
		p.Name = idBoundaryInput
		// It replaces the principal's own boundary: "if a permissions boundary is attached to an
		// entity and you pass in a different permissions boundary policy using this parameter,
		// then the new permissions boundary policy is used for the simulation".
		s.in.Boundary = s.add(p, policySource{id: idBoundaryInput, typ: SourceBoundary, doc: b[0]})
	}
	if doc := in.Resource; doc != "" {
		p, err := ParseInput("ResourcePolicy", doc, policy.KindResource)
		if err != nil {
			return err
		}
		p.Name = idResourcePolicy
		s.in.Resource = s.add(p, policySource{id: idResourcePolicy, typ: SourceResource, doc: doc})
	}
	return nil
}

// AddSCPs adds SimulateCustomPolicy's OrderedOrganizationPolicyInputList: one level per member,
// the organization root first and the account last, each with its SCP documents. The engine
// requires every level to allow, as Organizations does. Returns InvalidInput for a level without
// a policy.
func (s *Simulation) AddSCPs(levels [][]string) error {
	for i, docs := range levels {
		prefix := "OrderedOrganizationPolicyInputList.member." + strconv.Itoa(i+1)
		if len(docs) == 0 {
			return awserr.New(awserr.InvalidInput, "Organization policy at index %d must contain at least one service control policy.", i+1)
		}
		level := make([]*policy.Policy, 0, len(docs))
		for j, doc := range docs {
			p, err := ParseInput("ServiceControlPolicyInputList", doc, policy.KindSCP)
			if err != nil {
				return err
			}
			p.Name = prefix + ".ServiceControlPolicyInputList." + strconv.Itoa(j+1)
			level = append(level, p)
		}
		s.in.SCPs = append(s.in.SCPs, level)
	}
	return nil
}

// SetCaller applies CallerArn ("" when absent) and checks the ResourcePolicy rules: "CallerArn is
// required if you include a ResourcePolicy and the PolicySourceArn is not the ARN for an IAM
// user", and resource policies are simulated "for IAM users only". Call it after the policies are
// added. Returns InvalidInput.
func (s *Simulation) SetCaller(callerARN string) error {
	caller := s.entity
	if ca := callerARN; ca != "" {
		a, err := arn.Parse(ca)
		kind, _, _ := strings.Cut(a.Resource, "/")
		if err != nil || a.Service != "iam" || !accountID(a.Account) || (kind != "user" && kind != "group" && kind != "role") {
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
func (s *Simulation) resourceOwner(resource string) string {
	if a, err := arn.Parse(resource); err == nil && accountID(a.Account) {
		return a.Account
	}
	if s.owner != "" {
		return s.owner
	}
	return s.principal.Account
}
