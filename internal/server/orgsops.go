package server

import (
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/orgs"
)

// AWS Organizations over awsJson 1.1 (X-Amz-Target AWSOrganizationsV20161128.<Op>). Member names
// and shapes follow the Organizations API Reference and aws-sdk-go-v2 service/organizations/types;
// timestamps are epoch seconds, the awsJson default. IAM authorizes organizations:<Op> first (so
// SCPs and identity policies apply); the orgs service then decides by the caller's account.

const orgsTargetPrefix = "AWSOrganizationsV20161128"

// orgsCodes renames the generic codes the server raises to Organizations' shape names.
var orgsCodes = map[string]string{
	"AccessDenied":    "AccessDeniedException",
	"ValidationError": "InvalidInputException",
}

// epoch is a timestamp in awsJson's default format: seconds since the epoch, a JSON number.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func epochPtr(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}

// jsonOp is an operation whose input is decoded into In.
func jsonOp[In any](run func(c *call, in *In) (any, error)) *op {
	return &op{run: func(c *call) (any, error) {
		in := new(In)
		if err := awsproto.DecodeJSON(c.body, in); err != nil {
			return nil, err
		}
		return run(c, in)
	}}
}

type pageIn struct {
	NextToken  string
	MaxResults *int // nil when absent: an explicit 0 is refused, an absent one means the default
}

func (p pageIn) opts() orgs.ListOpts {
	o := orgs.ListOpts{NextToken: p.NextToken, MaxResultsGiven: p.MaxResults != nil}
	if p.MaxResults != nil {
		o.MaxResults = *p.MaxResults
	}
	return o
}

func next(tok string) *string {
	if tok == "" {
		return nil
	}
	return &tok
}

type policyTypeOut struct {
	Type   string
	Status string
}

type organizationOut struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []policyTypeOut
}

func organizationJSON(o *orgs.Organization) organizationOut {
	out := organizationOut{
		Id: o.ID, Arn: o.Arn(), FeatureSet: o.FeatureSet, MasterAccountArn: o.MasterAccountArn(),
		MasterAccountId: o.MasterAccountID, MasterAccountEmail: o.MasterAccountEmail, AvailablePolicyTypes: []policyTypeOut{},
	}
	for _, t := range o.Root().PolicyTypes {
		out.AvailablePolicyTypes = append(out.AvailablePolicyTypes, policyTypeOut(t))
	}
	return out
}

type rootOut struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []policyTypeOut
}

func rootJSON(r orgs.Root) rootOut {
	out := rootOut{Id: r.ID, Arn: r.Arn, Name: r.Name, PolicyTypes: []policyTypeOut{}}
	for _, t := range r.PolicyTypes {
		out.PolicyTypes = append(out.PolicyTypes, policyTypeOut(t))
	}
	return out
}

type accountOut struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp epoch
}

func accountJSON(a *orgs.Account) accountOut {
	// State superseded Status (AccountState: ACTIVE, SUSPENDED, …); both are sent.
	return accountOut{a.ID, a.Arn, a.Email, a.Name, a.Status, a.Status, a.JoinedMethod, epoch(a.JoinedTimestamp)}
}

func accountsJSON(as []orgs.Account) []accountOut {
	out := make([]accountOut, len(as))
	for i := range as {
		out[i] = accountJSON(&as[i])
	}
	return out
}

type ouOut struct {
	Id   string
	Arn  string
	Name string
}

func ouJSON(u *orgs.OrganizationalUnit) ouOut { return ouOut{u.ID, u.Arn, u.Name} }

type policySummaryOut struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

func policySummaryJSON(p *orgs.Policy) policySummaryOut {
	return policySummaryOut{p.ID, p.Arn, p.Name, p.Description, p.Type, p.AwsManaged}
}

func policyJSON(p *orgs.Policy) any {
	return struct {
		Policy struct {
			PolicySummary policySummaryOut
			Content       string
		}
	}{struct {
		PolicySummary policySummaryOut
		Content       string
	}{policySummaryJSON(p), p.Content}}
}

func policiesJSON(p orgs.Page[orgs.Policy]) any {
	out := make([]policySummaryOut, len(p.Items))
	for i := range p.Items {
		out[i] = policySummaryJSON(&p.Items[i])
	}
	return struct {
		Policies  []policySummaryOut
		NextToken *string `json:",omitempty"`
	}{out, next(p.NextToken)}
}

type createStatusOut struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp epoch
	CompletedTimestamp *epoch  `json:",omitempty"`
	AccountId          *string `json:",omitempty"`
	FailureReason      *string `json:",omitempty"`
}

func createStatusJSON(s *orgs.CreateAccountStatus) createStatusOut {
	out := createStatusOut{Id: s.ID, AccountName: s.AccountName, State: s.State, RequestedTimestamp: epoch(s.RequestedTimestamp),
		CompletedTimestamp: epochPtr(s.CompletedTimestamp)}
	if s.AccountID != "" {
		out.AccountId = &s.AccountID
	}
	if s.FailureReason != "" {
		out.FailureReason = &s.FailureReason
	}
	return out
}

type partyOut struct {
	Id   string
	Type string
}

type handshakeResourceOut struct {
	Value     string
	Type      string
	Resources []handshakeResourceOut `json:",omitempty"`
}

func handshakeResourcesJSON(rs []orgs.HandshakeResource) []handshakeResourceOut {
	if len(rs) == 0 {
		return nil
	}
	out := make([]handshakeResourceOut, len(rs))
	for i, r := range rs {
		out[i] = handshakeResourceOut{r.Value, r.Type, handshakeResourcesJSON(r.Resources)}
	}
	return out
}

type handshakeOut struct {
	Id                  string
	Arn                 string
	Parties             []partyOut
	State               string
	RequestedTimestamp  epoch
	ExpirationTimestamp epoch
	Action              string
	Resources           []handshakeResourceOut
}

func handshakeJSON(h *orgs.Handshake) handshakeOut {
	out := handshakeOut{Id: h.ID, Arn: h.Arn, State: h.State, RequestedTimestamp: epoch(h.RequestedTimestamp),
		ExpirationTimestamp: epoch(h.ExpirationTimestamp), Action: h.Action, Resources: handshakeResourcesJSON(h.Resources)}
	for _, p := range h.Parties {
		out.Parties = append(out.Parties, partyOut{p.ID, p.Type})
	}
	return out
}

func handshakeResult(h *orgs.Handshake, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return struct{ Handshake handshakeOut }{handshakeJSON(h)}, nil
}

func handshakesJSON(p orgs.Page[orgs.Handshake], err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := make([]handshakeOut, len(p.Items))
	for i := range p.Items {
		out[i] = handshakeJSON(&p.Items[i])
	}
	return struct {
		Handshakes []handshakeOut
		NextToken  *string `json:",omitempty"`
	}{out, next(p.NextToken)}, nil
}

// tagIn is Organizations' Tag on the wire. Value is a pointer because "you can set the value to
// an empty string, but you can't set it to null" (API Reference, Tag): a missing Value is refused
// rather than read as "".
type tagIn struct {
	Key   string
	Value *string
}

// tagsIn converts request tags; the orgs service checks their keys, values and number.
func tagsIn(in []tagIn) ([]orgs.Tag, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]orgs.Tag, len(in))
	for i, t := range in {
		if t.Value == nil {
			e := awserr.New("InvalidInputException", "You must specify a Value for each tag; it may be empty.")
			e.Fields = map[string]string{"Reason": orgs.ReasonInputRequired}
			return nil, e
		}
		out[i] = orgs.Tag{Key: t.Key, Value: *t.Value}
	}
	return out, nil
}

type tagOut struct {
	Key   string
	Value string
}

type idIn struct {
	AccountId            string
	OrganizationalUnitId string
	PolicyId             string
	HandshakeId          string
	TargetId             string
	ServicePrincipal     string
}

func orgsOps() map[string]*op {
	return map[string]*op{
		// The organization.
		"CreateOrganization": jsonOp(func(c *call, in *struct{ FeatureSet string }) (any, error) {
			o, err := c.s.orgs.CreateOrganization(c.ctx, c.account(), in.FeatureSet)
			if err != nil {
				return nil, err
			}
			return struct{ Organization organizationOut }{organizationJSON(o)}, nil
		}),
		"DescribeOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			o, err := c.s.orgs.DescribeOrganization(c.ctx, c.account())
			if err != nil {
				return nil, err
			}
			return struct{ Organization organizationOut }{organizationJSON(o)}, nil
		}),
		"DeleteOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			return nil, c.s.orgs.DeleteOrganization(c.ctx, c.account())
		}),
		"ListRoots": jsonOp(func(c *call, _ *pageIn) (any, error) {
			roots, err := c.s.orgs.ListRoots(c.ctx, c.account())
			if err != nil {
				return nil, err
			}
			out := make([]rootOut, len(roots))
			for i, r := range roots {
				out[i] = rootJSON(r)
			}
			return struct{ Roots []rootOut }{out}, nil
		}),

		// Accounts.
		"CreateAccount": jsonOp(func(c *call, in *struct {
			Email, AccountName, RoleName, IamUserAccessToBilling string
			Tags                                                 []tagIn
		}) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			st, err := c.s.orgs.CreateAccount(c.ctx, c.account(), orgs.CreateAccountInput{
				Email: in.Email, AccountName: in.AccountName, RoleName: in.RoleName, IamUserAccessToBilling: in.IamUserAccessToBilling,
				Tags: tags,
			})
			if err != nil {
				return nil, err
			}
			return struct{ CreateAccountStatus createStatusOut }{createStatusJSON(st)}, nil
		}),
		"DescribeCreateAccountStatus": jsonOp(func(c *call, in *struct{ CreateAccountRequestId string }) (any, error) {
			st, err := c.s.orgs.DescribeCreateAccountStatus(c.ctx, c.account(), in.CreateAccountRequestId)
			if err != nil {
				return nil, err
			}
			return struct{ CreateAccountStatus createStatusOut }{createStatusJSON(st)}, nil
		}),
		"ListCreateAccountStatus": jsonOp(func(c *call, in *struct {
			States []string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListCreateAccountStatus(c.ctx, c.account(), in.States, in.opts())
			if err != nil {
				return nil, err
			}
			out := make([]createStatusOut, len(p.Items))
			for i := range p.Items {
				out[i] = createStatusJSON(&p.Items[i])
			}
			return struct {
				CreateAccountStatuses []createStatusOut
				NextToken             *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),
		"ListAccounts": jsonOp(func(c *call, in *pageIn) (any, error) {
			p, err := c.s.orgs.ListAccounts(c.ctx, c.account(), in.opts())
			if err != nil {
				return nil, err
			}
			return struct {
				Accounts  []accountOut
				NextToken *string `json:",omitempty"`
			}{accountsJSON(p.Items), next(p.NextToken)}, nil
		}),
		"DescribeAccount": jsonOp(func(c *call, in *idIn) (any, error) {
			a, err := c.s.orgs.DescribeAccount(c.ctx, c.account(), in.AccountId)
			if err != nil {
				return nil, err
			}
			return struct{ Account accountOut }{accountJSON(a)}, nil
		}),
		"CloseAccount": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.CloseAccount(c.ctx, c.account(), in.AccountId)
		}),
		"RemoveAccountFromOrganization": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.RemoveAccountFromOrganization(c.ctx, c.account(), in.AccountId)
		}),
		"LeaveOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			return nil, c.s.orgs.LeaveOrganization(c.ctx, c.account())
		}),
		"MoveAccount": jsonOp(func(c *call, in *struct{ AccountId, SourceParentId, DestinationParentId string }) (any, error) {
			return nil, c.s.orgs.MoveAccount(c.ctx, c.account(), in.AccountId, in.SourceParentId, in.DestinationParentId)
		}),

		// Invitations.
		"InviteAccountToOrganization": jsonOp(func(c *call, in *struct {
			Target struct{ Id, Type string }
			Notes  string
		}) (any, error) {
			return handshakeResult(c.s.orgs.InviteAccountToOrganization(c.ctx, c.account(),
				orgs.HandshakeParty{ID: in.Target.Id, Type: in.Target.Type}, in.Notes))
		}),
		"AcceptHandshake": jsonOp(func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.AcceptHandshake(c.ctx, c.account(), in.HandshakeId))
		}),
		"DeclineHandshake": jsonOp(func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.DeclineHandshake(c.ctx, c.account(), in.HandshakeId))
		}),
		"CancelHandshake": jsonOp(func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.CancelHandshake(c.ctx, c.account(), in.HandshakeId))
		}),
		"DescribeHandshake": jsonOp(func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.DescribeHandshake(c.ctx, c.account(), in.HandshakeId))
		}),
		"ListHandshakesForAccount": jsonOp(func(c *call, in *struct {
			Filter struct{ ActionType string }
			pageIn
		}) (any, error) {
			return handshakesJSON(c.s.orgs.ListHandshakesForAccount(c.ctx, c.account(), in.Filter.ActionType, in.opts()))
		}),
		"ListHandshakesForOrganization": jsonOp(func(c *call, in *struct {
			Filter struct{ ActionType string }
			pageIn
		}) (any, error) {
			return handshakesJSON(c.s.orgs.ListHandshakesForOrganization(c.ctx, c.account(), in.Filter.ActionType, in.opts()))
		}),

		// Organizational units.
		"CreateOrganizationalUnit": jsonOp(func(c *call, in *struct {
			ParentId, Name string
			Tags           []tagIn
		}) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			u, err := c.s.orgs.CreateOrganizationalUnit(c.ctx, c.account(), in.ParentId, in.Name, tags...)
			if err != nil {
				return nil, err
			}
			return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
		}),
		"DescribeOrganizationalUnit": jsonOp(func(c *call, in *idIn) (any, error) {
			u, err := c.s.orgs.DescribeOrganizationalUnit(c.ctx, c.account(), in.OrganizationalUnitId)
			if err != nil {
				return nil, err
			}
			return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
		}),
		"UpdateOrganizationalUnit": jsonOp(func(c *call, in *struct{ OrganizationalUnitId, Name string }) (any, error) {
			u, err := c.s.orgs.UpdateOrganizationalUnit(c.ctx, c.account(), in.OrganizationalUnitId, in.Name)
			if err != nil {
				return nil, err
			}
			return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
		}),
		"DeleteOrganizationalUnit": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeleteOrganizationalUnit(c.ctx, c.account(), in.OrganizationalUnitId)
		}),
		"ListOrganizationalUnitsForParent": jsonOp(func(c *call, in *struct {
			ParentId string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListOrganizationalUnitsForParent(c.ctx, c.account(), in.ParentId, in.opts())
			if err != nil {
				return nil, err
			}
			out := make([]ouOut, len(p.Items))
			for i := range p.Items {
				out[i] = ouJSON(&p.Items[i])
			}
			return struct {
				OrganizationalUnits []ouOut
				NextToken           *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),
		"ListAccountsForParent": jsonOp(func(c *call, in *struct {
			ParentId string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListAccountsForParent(c.ctx, c.account(), in.ParentId, in.opts())
			if err != nil {
				return nil, err
			}
			return struct {
				Accounts  []accountOut
				NextToken *string `json:",omitempty"`
			}{accountsJSON(p.Items), next(p.NextToken)}, nil
		}),
		"ListChildren": jsonOp(func(c *call, in *struct {
			ParentId, ChildType string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListChildren(c.ctx, c.account(), in.ParentId, in.ChildType, in.opts())
			if err != nil {
				return nil, err
			}
			out := make([]partyOut, len(p.Items))
			for i, ch := range p.Items {
				out[i] = partyOut{ch.ID, ch.Type}
			}
			return struct {
				Children  []partyOut
				NextToken *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),
		"ListParents": jsonOp(func(c *call, in *struct {
			ChildId string
			pageIn
		}) (any, error) {
			ps, err := c.s.orgs.ListParents(c.ctx, c.account(), in.ChildId)
			if err != nil {
				return nil, err
			}
			out := make([]partyOut, len(ps))
			for i, p := range ps {
				out[i] = partyOut{p.ID, p.Type}
			}
			return struct{ Parents []partyOut }{out}, nil
		}),

		// Service control policies.
		"EnablePolicyType": jsonOp(func(c *call, in *struct{ RootId, PolicyType string }) (any, error) {
			r, err := c.s.orgs.EnablePolicyType(c.ctx, c.account(), in.RootId, in.PolicyType)
			if err != nil {
				return nil, err
			}
			return struct{ Root rootOut }{rootJSON(*r)}, nil
		}),
		"DisablePolicyType": jsonOp(func(c *call, in *struct{ RootId, PolicyType string }) (any, error) {
			r, err := c.s.orgs.DisablePolicyType(c.ctx, c.account(), in.RootId, in.PolicyType)
			if err != nil {
				return nil, err
			}
			return struct{ Root rootOut }{rootJSON(*r)}, nil
		}),
		"CreatePolicy": jsonOp(func(c *call, in *struct {
			Content, Description, Name, Type string
			Tags                             []tagIn
		}) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			p, err := c.s.orgs.CreatePolicy(c.ctx, c.account(), orgs.CreatePolicyInput{
				Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content, Tags: tags,
			})
			if err != nil {
				return nil, err
			}
			return policyJSON(p), nil
		}),
		"UpdatePolicy": jsonOp(func(c *call, in *struct {
			PolicyId                   string
			Name, Description, Content *string
		}) (any, error) {
			p, err := c.s.orgs.UpdatePolicy(c.ctx, c.account(), in.PolicyId, orgs.UpdatePolicyInput{
				Name: in.Name, Description: in.Description, Content: in.Content,
			})
			if err != nil {
				return nil, err
			}
			return policyJSON(p), nil
		}),
		"DescribePolicy": jsonOp(func(c *call, in *idIn) (any, error) {
			p, err := c.s.orgs.DescribePolicy(c.ctx, c.account(), in.PolicyId)
			if err != nil {
				return nil, err
			}
			return policyJSON(p), nil
		}),
		"DeletePolicy": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeletePolicy(c.ctx, c.account(), in.PolicyId)
		}),
		"ListPolicies": jsonOp(func(c *call, in *struct {
			Filter string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListPolicies(c.ctx, c.account(), in.Filter, in.opts())
			if err != nil {
				return nil, err
			}
			return policiesJSON(p), nil
		}),
		"AttachPolicy": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.AttachPolicy(c.ctx, c.account(), in.PolicyId, in.TargetId)
		}),
		"DetachPolicy": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DetachPolicy(c.ctx, c.account(), in.PolicyId, in.TargetId)
		}),
		"ListPoliciesForTarget": jsonOp(func(c *call, in *struct {
			TargetId, Filter string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListPoliciesForTarget(c.ctx, c.account(), in.TargetId, in.Filter, in.opts())
			if err != nil {
				return nil, err
			}
			return policiesJSON(p), nil
		}),
		"ListTargetsForPolicy": jsonOp(func(c *call, in *struct {
			PolicyId string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListTargetsForPolicy(c.ctx, c.account(), in.PolicyId, in.opts())
			if err != nil {
				return nil, err
			}
			type targetOut struct {
				TargetId, Arn, Name, Type string
			}
			out := make([]targetOut, len(p.Items))
			for i, t := range p.Items {
				out[i] = targetOut{t.TargetID, t.Arn, t.Name, t.Type}
			}
			return struct {
				Targets   []targetOut
				NextToken *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),

		// Tags on accounts, OUs, the root and policies.
		"TagResource": jsonOp(func(c *call, in *struct {
			ResourceId string
			Tags       []tagIn
		}) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			return nil, c.s.orgs.TagResource(c.ctx, c.account(), in.ResourceId, tags)
		}),
		"UntagResource": jsonOp(func(c *call, in *struct {
			ResourceId string
			TagKeys    []string
		}) (any, error) {
			return nil, c.s.orgs.UntagResource(c.ctx, c.account(), in.ResourceId, in.TagKeys)
		}),
		"ListTagsForResource": jsonOp(func(c *call, in *struct {
			ResourceId string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListTagsForResource(c.ctx, c.account(), in.ResourceId, in.opts())
			if err != nil {
				return nil, err
			}
			out := make([]tagOut, len(p.Items))
			for i, t := range p.Items {
				out[i] = tagOut(t)
			}
			return struct {
				Tags      []tagOut
				NextToken *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),

		// Trusted access and delegated administrators.
		"EnableAWSServiceAccess": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.EnableAWSServiceAccess(c.ctx, c.account(), in.ServicePrincipal)
		}),
		"DisableAWSServiceAccess": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DisableAWSServiceAccess(c.ctx, c.account(), in.ServicePrincipal)
		}),
		"ListAWSServiceAccessForOrganization": jsonOp(func(c *call, _ *pageIn) (any, error) {
			sa, err := c.s.orgs.ListAWSServiceAccessForOrganization(c.ctx, c.account())
			if err != nil {
				return nil, err
			}
			type principalOut struct {
				ServicePrincipal string
				DateEnabled      epoch
			}
			out := make([]principalOut, len(sa))
			for i, a := range sa {
				out[i] = principalOut{a.ServicePrincipal, epoch(a.DateEnabled)}
			}
			return struct{ EnabledServicePrincipals []principalOut }{out}, nil
		}),
		"RegisterDelegatedAdministrator": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.RegisterDelegatedAdministrator(c.ctx, c.account(), in.AccountId, in.ServicePrincipal)
		}),
		"DeregisterDelegatedAdministrator": jsonOp(func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeregisterDelegatedAdministrator(c.ctx, c.account(), in.AccountId, in.ServicePrincipal)
		}),
		"ListDelegatedAdministrators": jsonOp(func(c *call, in *struct {
			ServicePrincipal string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListDelegatedAdministrators(c.ctx, c.account(), in.ServicePrincipal, in.opts())
			if err != nil {
				return nil, err
			}
			type delegatedOut struct {
				accountOut
				DelegationEnabledDate epoch
			}
			out := make([]delegatedOut, len(p.Items))
			for i := range p.Items {
				out[i] = delegatedOut{accountJSON(&p.Items[i].Account), epoch(p.Items[i].DelegationEnabledDate)}
			}
			return struct {
				DelegatedAdministrators []delegatedOut
				NextToken               *string `json:",omitempty"`
			}{out, next(p.NextToken)}, nil
		}),
		"ListDelegatedServicesForAccount": jsonOp(func(c *call, in *idIn) (any, error) {
			ds, err := c.s.orgs.ListDelegatedServicesForAccount(c.ctx, c.account(), in.AccountId)
			if err != nil {
				return nil, err
			}
			type serviceOut struct {
				ServicePrincipal      string
				DelegationEnabledDate epoch
			}
			out := make([]serviceOut, len(ds))
			for i, d := range ds {
				out[i] = serviceOut{d.ServicePrincipal, epoch(d.Date)}
			}
			return struct{ DelegatedServices []serviceOut }{out}, nil
		}),
	}
}
