package server

import (
	"errors"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
)

// AWS Organizations over awsJson 1.1 (X-Amz-Target AWSOrganizationsV20161128.<Op>). Member names
// and shapes follow the Organizations API Reference and aws-sdk-go-v2 service/organizations/types;
// timestamps are epoch seconds, the awsJson default. IAM authorizes organizations:<Op> first (so
// SCPs and identity policies apply); the orgs service then decides by the caller's account.

const orgsTargetPrefix = "AWSOrganizationsV20161128"

// orgsCodes renames the generic codes the server raises to Organizations' shape names.
var orgsCodes = map[awserr.Code]awserr.Code{
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

// jsonOp is an operation whose input is decoded into In, authorized on "*": the Service
// Authorization Reference lists no resource for it.
func jsonOp[In any](run func(c *call, in *In) (any, error)) *op { return orgsOp(nil, run) }

// orgsOp is an operation whose input is decoded into In and authorized as authz says (nil: on "*"
// with no keys of its own). The input is decoded once, before authorization, which needs it.
func orgsOp[In any](authz func(in *In) orgsAuthz, run func(c *call, in *In) (any, error)) *op {
	return &op{
		authorize: func(c *call) error {
			in := new(In)
			if err := awsproto.DecodeJSON(c.body, in); err != nil {
				return err
			}
			c.input = in
			var a orgsAuthz
			if authz != nil {
				a = authz(in)
			}
			return c.s.authorizeOrgs(c, a)
		},
		run: func(c *call) (any, error) {
			in, ok := c.input.(*In)
			if !ok {
				return nil, errors.New("organizations: operation run without its decoded input")
			}
			return run(c, in)
		},
	}
}

// orgsAuthz is what an Organizations action is authorized against, as the Service Authorization
// Reference lists it ("Actions, resources, and condition keys for AWS Organizations",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
type orgsAuthz struct {
	// ids are the resources the action acts on (root, OU, account, policy or handshake IDs). Each
	// is authorized in turn and every one must be allowed: AttachPolicy needs the policy and the
	// target, MoveAccount the account and both parents. None means "*".
	ids []string
	// policyType marks an action with the organizations:PolicyType key; typ is its value when the
	// request names the type (CreatePolicy's Type, EnablePolicyType, a list's Filter), else the
	// type of the policy among ids.
	policyType bool
	typ        string
	// servicePrincipal is organizations:ServicePrincipal.
	servicePrincipal string
	// tags are the request's tags (aws:RequestTag/*, their keys aws:TagKeys); tagKeys the keys
	// UntagResource removes (aws:TagKeys).
	tags    []tagIn
	tagKeys []string
}

// ids lists the non-empty IDs among v.
func ids(v ...string) []string {
	var out []string
	for _, id := range v {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// authorizeOrgs authorizes the action on each of its resources with the request's condition keys
// and the resource's tags (aws:ResourceTag/*).
func (s *Server) authorizeOrgs(c *call, a orgsAuthz) error {
	action := "organizations:" + c.Action
	res := []orgs.AuthzResource{{ARN: orgs.AnyResource}}
	if len(a.ids) > 0 {
		var err error
		if res, err = s.orgs.AuthzResources(c.Ctx, c.Account(), a.ids...); err != nil {
			return err
		}
	}
	typ := a.typ
	for _, r := range res {
		if typ == "" {
			typ = r.PolicyType
		}
	}
	if !a.policyType {
		typ = ""
	}
	// A tag without a Value is refused after authorization (tagsIn); its key still counts here.
	reqTags := make([]iam.Tag, len(a.tags))
	for i, t := range a.tags {
		reqTags[i].Key = t.Key
		if t.Value != nil {
			reqTags[i].Value = *t.Value
		}
	}
	for _, r := range res {
		err := c.Authorize(action, r.ARN, func(ctx *policy.Context) {
			setIfPresent(ctx, "organizations:PolicyType", typ)
			setIfPresent(ctx, "organizations:ServicePrincipal", a.servicePrincipal)
			setRequestTags(ctx, reqTags)
			if len(a.tagKeys) > 0 {
				ctx.Set("aws:TagKeys", a.tagKeys...)
			}
			for k, v := range r.Tags {
				ctx.Set("aws:ResourceTag/"+k, v)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
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

// The authorization of the operations that take an idIn: what each acts on, and its keys.
func accountAuthz(in *idIn) orgsAuthz   { return orgsAuthz{ids: ids(in.AccountId)} }
func ouAuthz(in *idIn) orgsAuthz        { return orgsAuthz{ids: ids(in.OrganizationalUnitId)} }
func handshakeAuthz(in *idIn) orgsAuthz { return orgsAuthz{ids: ids(in.HandshakeId)} }
func policyAuthz(in *idIn) orgsAuthz    { return orgsAuthz{ids: ids(in.PolicyId), policyType: true} }

// attachmentAuthz: AttachPolicy and DetachPolicy act on the policy and on the target.
func attachmentAuthz(in *idIn) orgsAuthz {
	return orgsAuthz{ids: ids(in.PolicyId, in.TargetId), policyType: true}
}

func servicePrincipalAuthz(in *idIn) orgsAuthz {
	return orgsAuthz{servicePrincipal: in.ServicePrincipal}
}

func delegationAuthz(in *idIn) orgsAuthz {
	return orgsAuthz{ids: ids(in.AccountId), servicePrincipal: in.ServicePrincipal}
}

// Inputs of the operations whose authorization reads them.
type (
	createAccountIn struct {
		Email, AccountName, RoleName, IamUserAccessToBilling string
		Tags                                                 []tagIn
	}
	moveAccountIn struct{ AccountId, SourceParentId, DestinationParentId string }
	inviteIn      struct {
		Target struct{ Id, Type string }
		Notes  string
	}
	createOUIn struct {
		ParentId, Name string
		Tags           []tagIn
	}
	updateOUIn   struct{ OrganizationalUnitId, Name string }
	parentPageIn struct {
		ParentId string
		pageIn
	}
	listChildrenIn struct {
		ParentId, ChildType string
		pageIn
	}
	listParentsIn struct {
		ChildId string
		pageIn
	}
	policyTypeIn   struct{ RootId, PolicyType string }
	createPolicyIn struct {
		Content, Description, Name, Type string
		Tags                             []tagIn
	}
	updatePolicyIn struct {
		PolicyId                   string
		Name, Description, Content *string
	}
	listPoliciesIn struct {
		Filter string
		pageIn
	}
	policiesForTargetIn struct {
		TargetId, Filter string
		pageIn
	}
	targetsForPolicyIn struct {
		PolicyId string
		pageIn
	}
	tagResourceIn struct {
		ResourceId string
		Tags       []tagIn
	}
	untagResourceIn struct {
		ResourceId string
		TagKeys    []string
	}
	resourcePageIn struct {
		ResourceId string
		pageIn
	}
	delegatedAdminsIn struct {
		ServicePrincipal string
		pageIn
	}
)

func parentAuthz(in *parentPageIn) orgsAuthz { return orgsAuthz{ids: ids(in.ParentId)} }

func policyTypeAuthz(in *policyTypeIn) orgsAuthz {
	return orgsAuthz{ids: ids(in.RootId), policyType: true, typ: in.PolicyType}
}

func orgsOps() map[string]*op {
	return map[string]*op{
		// The organization.
		"CreateOrganization": jsonOp(func(c *call, in *struct{ FeatureSet string }) (any, error) {
			o, err := c.s.orgs.CreateOrganization(c.Ctx, c.Account(), in.FeatureSet)
			if err != nil {
				return nil, err
			}
			return struct{ Organization organizationOut }{organizationJSON(o)}, nil
		}),
		"DescribeOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			o, err := c.s.orgs.DescribeOrganization(c.Ctx, c.Account())
			if err != nil {
				return nil, err
			}
			return struct{ Organization organizationOut }{organizationJSON(o)}, nil
		}),
		"DeleteOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			return nil, c.s.orgs.DeleteOrganization(c.Ctx, c.Account())
		}),
		"ListRoots": jsonOp(func(c *call, _ *pageIn) (any, error) {
			roots, err := c.s.orgs.ListRoots(c.Ctx, c.Account())
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
		"CreateAccount": orgsOp(func(in *createAccountIn) orgsAuthz { return orgsAuthz{tags: in.Tags} }, func(c *call, in *createAccountIn) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			st, err := c.s.orgs.CreateAccount(c.Ctx, c.Account(), orgs.CreateAccountInput{
				Email: in.Email, AccountName: in.AccountName, RoleName: in.RoleName, IamUserAccessToBilling: in.IamUserAccessToBilling,
				Tags: tags,
			})
			if err != nil {
				return nil, err
			}
			return struct{ CreateAccountStatus createStatusOut }{createStatusJSON(st)}, nil
		}),
		"DescribeCreateAccountStatus": jsonOp(func(c *call, in *struct{ CreateAccountRequestId string }) (any, error) {
			st, err := c.s.orgs.DescribeCreateAccountStatus(c.Ctx, c.Account(), in.CreateAccountRequestId)
			if err != nil {
				return nil, err
			}
			return struct{ CreateAccountStatus createStatusOut }{createStatusJSON(st)}, nil
		}),
		"ListCreateAccountStatus": jsonOp(func(c *call, in *struct {
			States []string
			pageIn
		}) (any, error) {
			p, err := c.s.orgs.ListCreateAccountStatus(c.Ctx, c.Account(), in.States, in.opts())
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
			p, err := c.s.orgs.ListAccounts(c.Ctx, c.Account(), in.opts())
			if err != nil {
				return nil, err
			}
			return struct {
				Accounts  []accountOut
				NextToken *string `json:",omitempty"`
			}{accountsJSON(p.Items), next(p.NextToken)}, nil
		}),
		"DescribeAccount": orgsOp(accountAuthz, func(c *call, in *idIn) (any, error) {
			a, err := c.s.orgs.DescribeAccount(c.Ctx, c.Account(), in.AccountId)
			if err != nil {
				return nil, err
			}
			return struct{ Account accountOut }{accountJSON(a)}, nil
		}),
		"CloseAccount": orgsOp(accountAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.CloseAccount(c.Ctx, c.Account(), in.AccountId)
		}),
		"RemoveAccountFromOrganization": orgsOp(accountAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.RemoveAccountFromOrganization(c.Ctx, c.Account(), in.AccountId)
		}),
		"LeaveOrganization": jsonOp(func(c *call, _ *struct{}) (any, error) {
			return nil, c.s.orgs.LeaveOrganization(c.Ctx, c.Account())
		}),
		"MoveAccount": orgsOp(func(in *moveAccountIn) orgsAuthz {
			return orgsAuthz{ids: ids(in.AccountId, in.SourceParentId, in.DestinationParentId)}
		}, func(c *call, in *moveAccountIn) (any, error) {
			return nil, c.s.orgs.MoveAccount(c.Ctx, c.Account(), in.AccountId, in.SourceParentId, in.DestinationParentId)
		}),

		// Invitations.
		"InviteAccountToOrganization": orgsOp(func(in *inviteIn) orgsAuthz {
			if in.Target.Type == "ACCOUNT" {
				return orgsAuthz{ids: ids(in.Target.Id)}
			}
			return orgsAuthz{}
		}, func(c *call, in *inviteIn) (any, error) {
			return handshakeResult(c.s.orgs.InviteAccountToOrganization(c.Ctx, c.Account(),
				orgs.HandshakeParty{ID: in.Target.Id, Type: in.Target.Type}, in.Notes))
		}),
		"AcceptHandshake": orgsOp(handshakeAuthz, func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.AcceptHandshake(c.Ctx, c.Account(), in.HandshakeId))
		}),
		"DeclineHandshake": orgsOp(handshakeAuthz, func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.DeclineHandshake(c.Ctx, c.Account(), in.HandshakeId))
		}),
		"CancelHandshake": orgsOp(handshakeAuthz, func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.CancelHandshake(c.Ctx, c.Account(), in.HandshakeId))
		}),
		"DescribeHandshake": orgsOp(handshakeAuthz, func(c *call, in *idIn) (any, error) {
			return handshakeResult(c.s.orgs.DescribeHandshake(c.Ctx, c.Account(), in.HandshakeId))
		}),
		"ListHandshakesForAccount": jsonOp(func(c *call, in *struct {
			Filter struct{ ActionType string }
			pageIn
		}) (any, error) {
			return handshakesJSON(c.s.orgs.ListHandshakesForAccount(c.Ctx, c.Account(), in.Filter.ActionType, in.opts()))
		}),
		"ListHandshakesForOrganization": jsonOp(func(c *call, in *struct {
			Filter struct{ ActionType string }
			pageIn
		}) (any, error) {
			return handshakesJSON(c.s.orgs.ListHandshakesForOrganization(c.Ctx, c.Account(), in.Filter.ActionType, in.opts()))
		}),

		// Organizational units.
		"CreateOrganizationalUnit": orgsOp(func(in *createOUIn) orgsAuthz {
			return orgsAuthz{ids: ids(in.ParentId), tags: in.Tags}
		}, func(c *call, in *createOUIn) (any, error) {
			tags, err := tagsIn(in.Tags)
			if err != nil {
				return nil, err
			}
			u, err := c.s.orgs.CreateOrganizationalUnit(c.Ctx, c.Account(), in.ParentId, in.Name, tags...)
			if err != nil {
				return nil, err
			}
			return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
		}),
		"DescribeOrganizationalUnit": orgsOp(ouAuthz, func(c *call, in *idIn) (any, error) {
			u, err := c.s.orgs.DescribeOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId)
			if err != nil {
				return nil, err
			}
			return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
		}),
		"UpdateOrganizationalUnit": orgsOp(func(in *updateOUIn) orgsAuthz { return orgsAuthz{ids: ids(in.OrganizationalUnitId)} },
			func(c *call, in *updateOUIn) (any, error) {
				u, err := c.s.orgs.UpdateOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId, in.Name)
				if err != nil {
					return nil, err
				}
				return struct{ OrganizationalUnit ouOut }{ouJSON(u)}, nil
			}),
		"DeleteOrganizationalUnit": orgsOp(ouAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeleteOrganizationalUnit(c.Ctx, c.Account(), in.OrganizationalUnitId)
		}),
		"ListOrganizationalUnitsForParent": orgsOp(parentAuthz, func(c *call, in *parentPageIn) (any, error) {
			p, err := c.s.orgs.ListOrganizationalUnitsForParent(c.Ctx, c.Account(), in.ParentId, in.opts())
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
		"ListAccountsForParent": orgsOp(parentAuthz, func(c *call, in *parentPageIn) (any, error) {
			p, err := c.s.orgs.ListAccountsForParent(c.Ctx, c.Account(), in.ParentId, in.opts())
			if err != nil {
				return nil, err
			}
			return struct {
				Accounts  []accountOut
				NextToken *string `json:",omitempty"`
			}{accountsJSON(p.Items), next(p.NextToken)}, nil
		}),
		"ListChildren": orgsOp(func(in *listChildrenIn) orgsAuthz { return orgsAuthz{ids: ids(in.ParentId)} },
			func(c *call, in *listChildrenIn) (any, error) {
				p, err := c.s.orgs.ListChildren(c.Ctx, c.Account(), in.ParentId, in.ChildType, in.opts())
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
		"ListParents": orgsOp(func(in *listParentsIn) orgsAuthz { return orgsAuthz{ids: ids(in.ChildId)} },
			func(c *call, in *listParentsIn) (any, error) {
				ps, err := c.s.orgs.ListParents(c.Ctx, c.Account(), in.ChildId)
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
		"EnablePolicyType": orgsOp(policyTypeAuthz, func(c *call, in *policyTypeIn) (any, error) {
			r, err := c.s.orgs.EnablePolicyType(c.Ctx, c.Account(), in.RootId, in.PolicyType)
			if err != nil {
				return nil, err
			}
			return struct{ Root rootOut }{rootJSON(*r)}, nil
		}),
		"DisablePolicyType": orgsOp(policyTypeAuthz, func(c *call, in *policyTypeIn) (any, error) {
			r, err := c.s.orgs.DisablePolicyType(c.Ctx, c.Account(), in.RootId, in.PolicyType)
			if err != nil {
				return nil, err
			}
			return struct{ Root rootOut }{rootJSON(*r)}, nil
		}),
		"CreatePolicy": orgsOp(func(in *createPolicyIn) orgsAuthz { return orgsAuthz{policyType: true, typ: in.Type, tags: in.Tags} },
			func(c *call, in *createPolicyIn) (any, error) {
				tags, err := tagsIn(in.Tags)
				if err != nil {
					return nil, err
				}
				p, err := c.s.orgs.CreatePolicy(c.Ctx, c.Account(), orgs.CreatePolicyInput{
					Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content, Tags: tags,
				})
				if err != nil {
					return nil, err
				}
				return policyJSON(p), nil
			}),
		"UpdatePolicy": orgsOp(func(in *updatePolicyIn) orgsAuthz { return orgsAuthz{ids: ids(in.PolicyId), policyType: true} },
			func(c *call, in *updatePolicyIn) (any, error) {
				p, err := c.s.orgs.UpdatePolicy(c.Ctx, c.Account(), in.PolicyId, orgs.UpdatePolicyInput{
					Name: in.Name, Description: in.Description, Content: in.Content,
				})
				if err != nil {
					return nil, err
				}
				return policyJSON(p), nil
			}),
		"DescribePolicy": orgsOp(policyAuthz, func(c *call, in *idIn) (any, error) {
			p, err := c.s.orgs.DescribePolicy(c.Ctx, c.Account(), in.PolicyId)
			if err != nil {
				return nil, err
			}
			return policyJSON(p), nil
		}),
		"DeletePolicy": orgsOp(policyAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeletePolicy(c.Ctx, c.Account(), in.PolicyId)
		}),
		"ListPolicies": orgsOp(func(in *listPoliciesIn) orgsAuthz { return orgsAuthz{policyType: true, typ: in.Filter} },
			func(c *call, in *listPoliciesIn) (any, error) {
				p, err := c.s.orgs.ListPolicies(c.Ctx, c.Account(), in.Filter, in.opts())
				if err != nil {
					return nil, err
				}
				return policiesJSON(p), nil
			}),
		"AttachPolicy": orgsOp(attachmentAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.AttachPolicy(c.Ctx, c.Account(), in.PolicyId, in.TargetId)
		}),
		"DetachPolicy": orgsOp(attachmentAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DetachPolicy(c.Ctx, c.Account(), in.PolicyId, in.TargetId)
		}),
		"ListPoliciesForTarget": orgsOp(func(in *policiesForTargetIn) orgsAuthz {
			return orgsAuthz{ids: ids(in.TargetId), policyType: true, typ: in.Filter}
		}, func(c *call, in *policiesForTargetIn) (any, error) {
			p, err := c.s.orgs.ListPoliciesForTarget(c.Ctx, c.Account(), in.TargetId, in.Filter, in.opts())
			if err != nil {
				return nil, err
			}
			return policiesJSON(p), nil
		}),
		"ListTargetsForPolicy": orgsOp(func(in *targetsForPolicyIn) orgsAuthz { return orgsAuthz{ids: ids(in.PolicyId), policyType: true} },
			func(c *call, in *targetsForPolicyIn) (any, error) {
				p, err := c.s.orgs.ListTargetsForPolicy(c.Ctx, c.Account(), in.PolicyId, in.opts())
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
		"TagResource": orgsOp(func(in *tagResourceIn) orgsAuthz { return orgsAuthz{ids: ids(in.ResourceId), tags: in.Tags} },
			func(c *call, in *tagResourceIn) (any, error) {
				tags, err := tagsIn(in.Tags)
				if err != nil {
					return nil, err
				}
				return nil, c.s.orgs.TagResource(c.Ctx, c.Account(), in.ResourceId, tags)
			}),
		"UntagResource": orgsOp(func(in *untagResourceIn) orgsAuthz { return orgsAuthz{ids: ids(in.ResourceId), tagKeys: in.TagKeys} },
			func(c *call, in *untagResourceIn) (any, error) {
				return nil, c.s.orgs.UntagResource(c.Ctx, c.Account(), in.ResourceId, in.TagKeys)
			}),
		"ListTagsForResource": orgsOp(func(in *resourcePageIn) orgsAuthz { return orgsAuthz{ids: ids(in.ResourceId)} },
			func(c *call, in *resourcePageIn) (any, error) {
				p, err := c.s.orgs.ListTagsForResource(c.Ctx, c.Account(), in.ResourceId, in.opts())
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
		"EnableAWSServiceAccess": orgsOp(servicePrincipalAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.EnableAWSServiceAccess(c.Ctx, c.Account(), in.ServicePrincipal)
		}),
		"DisableAWSServiceAccess": orgsOp(servicePrincipalAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DisableAWSServiceAccess(c.Ctx, c.Account(), in.ServicePrincipal)
		}),
		"ListAWSServiceAccessForOrganization": jsonOp(func(c *call, _ *pageIn) (any, error) {
			sa, err := c.s.orgs.ListAWSServiceAccessForOrganization(c.Ctx, c.Account())
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
		"RegisterDelegatedAdministrator": orgsOp(delegationAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.RegisterDelegatedAdministrator(c.Ctx, c.Account(), in.AccountId, in.ServicePrincipal)
		}),
		"DeregisterDelegatedAdministrator": orgsOp(delegationAuthz, func(c *call, in *idIn) (any, error) {
			return nil, c.s.orgs.DeregisterDelegatedAdministrator(c.Ctx, c.Account(), in.AccountId, in.ServicePrincipal)
		}),
		"ListDelegatedAdministrators": orgsOp(func(in *delegatedAdminsIn) orgsAuthz { return orgsAuthz{servicePrincipal: in.ServicePrincipal} },
			func(c *call, in *delegatedAdminsIn) (any, error) {
				p, err := c.s.orgs.ListDelegatedAdministrators(c.Ctx, c.Account(), in.ServicePrincipal, in.opts())
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
		"ListDelegatedServicesForAccount": orgsOp(accountAuthz, func(c *call, in *idIn) (any, error) {
			ds, err := c.s.orgs.ListDelegatedServicesForAccount(c.Ctx, c.Account(), in.AccountId)
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
