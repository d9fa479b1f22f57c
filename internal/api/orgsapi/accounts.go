package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Member accounts: created, listed, described, moved, closed and removed.

var (
	CreateAccount = api.Add(&ops, &api.Op[CreateAccountInput, CreateAccountStatusOutput]{
		Name: "CreateAccount", Authorize: on(func(in *CreateAccountInput) target { return target{tags: in.Tags} }),
		Run: createAccount})
	DescribeCreateAccountStatus = api.Add(&ops, &api.Op[DescribeCreateAccountStatusInput, CreateAccountStatusOutput]{
		Name: "DescribeCreateAccountStatus", Run: describeCreateAccountStatus})
	ListCreateAccountStatus = api.Add(&ops, &api.Op[ListCreateAccountStatusInput, ListCreateAccountStatusOutput]{
		Name: "ListCreateAccountStatus", Run: listCreateAccountStatus})
	ListAccounts = api.Add(&ops, &api.Op[ListAccountsInput, AccountsOutput]{
		Name: "ListAccounts", Run: listAccounts})
	DescribeAccount = api.Add(&ops, &api.Op[AccountInput, AccountOutput]{
		Name: "DescribeAccount", Authorize: on(accountTarget), Run: describeAccount})
	CloseAccount = api.Add(&ops, &api.Op[AccountInput, struct{}]{
		Name: "CloseAccount", Authorize: on(accountTarget), Run: closeAccount})
	RemoveAccountFromOrganization = api.Add(&ops, &api.Op[AccountInput, struct{}]{
		Name: "RemoveAccountFromOrganization", Authorize: on(accountTarget), Run: removeAccountFromOrganization})
	LeaveOrganization = api.Add(&ops, &api.Op[struct{}, struct{}]{
		Name: "LeaveOrganization", Run: leaveOrganization})
	// MoveAccount acts on the account and on both parents.
	MoveAccount = api.Add(&ops, &api.Op[MoveAccountInput, struct{}]{
		Name: "MoveAccount", Authorize: on(func(in *MoveAccountInput) target {
			return target{ids: []string{in.AccountId, in.SourceParentId, in.DestinationParentId}}
		}),
		Run: moveAccount})
)

type CreateAccountInput struct {
	Email, AccountName, RoleName, IamUserAccessToBilling string
	Tags                                                 []Tag
}

type DescribeCreateAccountStatusInput struct {
	CreateAccountRequestId string
}

type ListCreateAccountStatusInput struct {
	States []string
	ListInput
}

type ListAccountsInput struct {
	ListInput
}

// AccountInput is the input of the operations on one account.
type AccountInput struct {
	AccountId string
}

func accountTarget(in *AccountInput) target { return target{ids: []string{in.AccountId}} }

type MoveAccountInput struct {
	AccountId, SourceParentId, DestinationParentId string
}

// Account is the API's Account.
type Account struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp epoch
}

// CreateAccountStatus is the API's CreateAccountStatus.
type CreateAccountStatus struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp epoch
	CompletedTimestamp *epoch  `json:",omitempty"`
	AccountId          *string `json:",omitempty"`
	FailureReason      *string `json:",omitempty"`
}

// CreateAccountStatusOutput is the result of CreateAccount and DescribeCreateAccountStatus.
type CreateAccountStatusOutput struct {
	CreateAccountStatus CreateAccountStatus
}

type ListCreateAccountStatusOutput struct {
	CreateAccountStatuses []CreateAccountStatus
	Paged
}

// AccountsOutput is the result of ListAccounts and ListAccountsForParent.
type AccountsOutput struct {
	Accounts []Account
	Paged
}

type AccountOutput struct {
	Account Account
}

func accountOf(a *orgs.Account) Account {
	// State superseded Status (AccountState: ACTIVE, SUSPENDED, …); both are sent.
	return Account{a.ID, a.Arn, a.Email, a.Name, a.Status, a.Status, a.JoinedMethod, epoch(a.JoinedTimestamp)}
}

func accountsOf(p orgs.Page[orgs.Account]) *AccountsOutput {
	return &AccountsOutput{Accounts: each(p.Items, accountOf), Paged: PageOf(p)}
}

func createStatusOf(s *orgs.CreateAccountStatus) CreateAccountStatus {
	out := CreateAccountStatus{Id: s.ID, AccountName: s.AccountName, State: s.State, RequestedTimestamp: epoch(s.RequestedTimestamp),
		CompletedTimestamp: epochPtr(s.CompletedTimestamp)}
	if s.AccountID != "" {
		out.AccountId = &s.AccountID
	}
	if s.FailureReason != "" {
		out.FailureReason = &s.FailureReason
	}
	return out
}

func createAccount(c *api.Call, in *CreateAccountInput) (*CreateAccountStatusOutput, error) {
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	st, err := c.Orgs.CreateAccount(c.Ctx, c.Account(), orgs.CreateAccountInput{
		Email: in.Email, AccountName: in.AccountName, RoleName: in.RoleName, IamUserAccessToBilling: in.IamUserAccessToBilling,
		Tags: tags,
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccountStatusOutput{createStatusOf(st)}, nil
}

func describeCreateAccountStatus(c *api.Call, in *DescribeCreateAccountStatusInput) (*CreateAccountStatusOutput, error) {
	st, err := c.Orgs.DescribeCreateAccountStatus(c.Ctx, c.Account(), in.CreateAccountRequestId)
	if err != nil {
		return nil, err
	}
	return &CreateAccountStatusOutput{createStatusOf(st)}, nil
}

func listCreateAccountStatus(c *api.Call, in *ListCreateAccountStatusInput) (*ListCreateAccountStatusOutput, error) {
	p, err := c.Orgs.ListCreateAccountStatus(c.Ctx, c.Account(), in.States, in.Opts())
	if err != nil {
		return nil, err
	}
	return &ListCreateAccountStatusOutput{CreateAccountStatuses: each(p.Items, createStatusOf), Paged: PageOf(p)}, nil
}

func listAccounts(c *api.Call, in *ListAccountsInput) (*AccountsOutput, error) {
	p, err := c.Orgs.ListAccounts(c.Ctx, c.Account(), in.Opts())
	if err != nil {
		return nil, err
	}
	return accountsOf(p), nil
}

func describeAccount(c *api.Call, in *AccountInput) (*AccountOutput, error) {
	a, err := c.Orgs.DescribeAccount(c.Ctx, c.Account(), in.AccountId)
	if err != nil {
		return nil, err
	}
	return &AccountOutput{accountOf(a)}, nil
}

func closeAccount(c *api.Call, in *AccountInput) (*struct{}, error) {
	return nil, c.Orgs.CloseAccount(c.Ctx, c.Account(), in.AccountId)
}

func removeAccountFromOrganization(c *api.Call, in *AccountInput) (*struct{}, error) {
	return nil, c.Orgs.RemoveAccountFromOrganization(c.Ctx, c.Account(), in.AccountId)
}

func leaveOrganization(c *api.Call, _ *struct{}) (*struct{}, error) {
	return nil, c.Orgs.LeaveOrganization(c.Ctx, c.Account())
}

func moveAccount(c *api.Call, in *MoveAccountInput) (*struct{}, error) {
	return nil, c.Orgs.MoveAccount(c.Ctx, c.Account(), in.AccountId, in.SourceParentId, in.DestinationParentId)
}
