package accountapi

import (
	"errors"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/rootuser"
)

// GetAccountInformation: POST /getAccountInformation.
var GetAccountInformation = api.Add(&ops, &api.Op[AccountInput, GetAccountInformationOutput]{
	Name: "GetAccountInformation", HTTP: "POST /getAccountInformation",
	Authorize: authorizeOn[AccountInput](false, nil), Run: getAccountInformation})

// GetAccountInformationOutput is the account's ID, name, creation time and state.
type GetAccountInformationOutput struct {
	AccountCreatedDate string `json:"AccountCreatedDate,omitempty"`
	AccountID          string `json:"AccountId"`
	AccountName        string `json:"AccountName"`
	// AccountState is ACTIVE: Rootward's accounts have no billing activation or suspension, and a
	// closed account's principals cannot call.
	AccountState string `json:"AccountState"`
}

func getAccountInformation(c *api.Call, in *AccountInput) (*GetAccountInformationOutput, error) {
	a, err := c.IAM.GetAccount(c.Ctx, in.Account())
	if err != nil {
		return nil, domainError(err, "accountId")
	}
	return &GetAccountInformationOutput{AccountID: a.ID, AccountName: a.Name, AccountState: "ACTIVE",
		AccountCreatedDate: a.CreatedAt.UTC().Format(time.RFC3339)}, nil
}

// PutAccountName: POST /putAccountName.
var PutAccountName = api.Add(&ops, &api.Op[PutAccountNameInput, Empty]{
	Name: "PutAccountName", HTTP: "POST /putAccountName",
	Authorize: authorizeOn[PutAccountNameInput](false, nil), Run: putAccountName})

// PutAccountNameInput renames the account.
type PutAccountNameInput struct {
	Target
	AccountName string `json:"AccountName"`
}

// Validate checks AccountId and the name (1–50 printable ASCII characters but "<" and ">").
func (in *PutAccountNameInput) Validate() error {
	var v checker
	v.accountID(&in.Target, false)
	v.str("accountName", in.AccountName, true, 1, 50, accountNamePattern)
	return v.err()
}

func putAccountName(c *api.Call, in *PutAccountNameInput) (*Empty, error) {
	if err := c.IAM.SetAccountName(c.Ctx, in.Account(), in.AccountName); err != nil {
		return nil, domainError(err, "accountName")
	}
	return &Empty{}, nil
}

// GetPrimaryEmail: POST /getPrimaryEmail. AccountId is required: the operation is the management
// account's (or the delegated administrator's) on a member.
var GetPrimaryEmail = api.Add(&ops, &api.Op[GetPrimaryEmailInput, GetPrimaryEmailOutput]{
	Name: "GetPrimaryEmail", HTTP: "POST /getPrimaryEmail",
	Authorize: authorizeOn[GetPrimaryEmailInput](true, nil), Run: getPrimaryEmail})

// GetPrimaryEmailInput names the member account.
type GetPrimaryEmailInput struct{ Target }

// Validate checks AccountId: required, twelve digits.
func (in *GetPrimaryEmailInput) Validate() error {
	var v checker
	v.accountID(&in.Target, true)
	return v.err()
}

// GetPrimaryEmailOutput is the member's root email.
type GetPrimaryEmailOutput struct {
	PrimaryEmail string `json:"PrimaryEmail"`
}

func getPrimaryEmail(c *api.Call, in *GetPrimaryEmailInput) (*GetPrimaryEmailOutput, error) {
	a, err := c.IAM.GetAccount(c.Ctx, in.Account())
	if err != nil {
		return nil, domainError(err, "accountId")
	}
	return &GetPrimaryEmailOutput{PrimaryEmail: a.Email}, nil
}

// PrimaryEmailUpdateOutput is the status of a primary email update: PENDING once started,
// ACCEPTED once accepted.
type PrimaryEmailUpdateOutput struct {
	Status string `json:"Status"`
}

// emailDomainKey is account:EmailTargetDomain, the domain of the new primary email.
func emailDomainKey[In any](in *In) authz.Keys {
	email := any(in).(interface{ primaryEmail() string }).primaryEmail()
	_, domain, _ := strings.Cut(strings.TrimSpace(email), "@")
	return condKey("account:EmailTargetDomain", strings.ToLower(domain))
}

// StartPrimaryEmailUpdate: POST /startPrimaryEmailUpdate. A one-time code goes to the new address
// (internal/rootuser StartPrimaryEmailUpdate).
var StartPrimaryEmailUpdate = api.Add(&ops, &api.Op[StartPrimaryEmailUpdateInput, PrimaryEmailUpdateOutput]{
	Name: "StartPrimaryEmailUpdate", HTTP: "POST /startPrimaryEmailUpdate",
	Authorize: authorizeOn(true, emailDomainKey[StartPrimaryEmailUpdateInput]), Run: startPrimaryEmailUpdate})

// StartPrimaryEmailUpdateInput names the member and its new root email.
type StartPrimaryEmailUpdateInput struct {
	Target
	PrimaryEmail string `json:"PrimaryEmail"`
}

func (in *StartPrimaryEmailUpdateInput) primaryEmail() string { return in.PrimaryEmail }

// Validate checks AccountId and the address (5–64 characters).
func (in *StartPrimaryEmailUpdateInput) Validate() error {
	var v checker
	v.accountID(&in.Target, true)
	v.str("primaryEmail", in.PrimaryEmail, true, 5, 64, nil)
	return v.err()
}

func startPrimaryEmailUpdate(c *api.Call, in *StartPrimaryEmailUpdateInput) (*PrimaryEmailUpdateOutput, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	if err := r.StartPrimaryEmailUpdate(c.Ctx, in.Account(), in.PrimaryEmail); err != nil {
		return nil, domainError(err, "primaryEmail")
	}
	return &PrimaryEmailUpdateOutput{Status: "PENDING"}, nil
}

// AcceptPrimaryEmailUpdate: POST /acceptPrimaryEmailUpdate.
var AcceptPrimaryEmailUpdate = api.Add(&ops, &api.Op[AcceptPrimaryEmailUpdateInput, PrimaryEmailUpdateOutput]{
	Name: "AcceptPrimaryEmailUpdate", HTTP: "POST /acceptPrimaryEmailUpdate",
	Authorize: authorizeOn(true, emailDomainKey[AcceptPrimaryEmailUpdateInput]), Run: acceptPrimaryEmailUpdate})

// AcceptPrimaryEmailUpdateInput names the member, the new root email and the code mailed to it.
type AcceptPrimaryEmailUpdateInput struct {
	Target
	Otp          string `json:"Otp"`
	PrimaryEmail string `json:"PrimaryEmail"`
}

func (in *AcceptPrimaryEmailUpdateInput) primaryEmail() string { return in.PrimaryEmail }

// Validate checks AccountId, the address and the code's form (six letters or digits).
func (in *AcceptPrimaryEmailUpdateInput) Validate() error {
	var v checker
	v.accountID(&in.Target, true)
	v.str("otp", in.Otp, true, 6, 6, otpPattern)
	v.str("primaryEmail", in.PrimaryEmail, true, 5, 64, nil)
	return v.err()
}

func acceptPrimaryEmailUpdate(c *api.Call, in *AcceptPrimaryEmailUpdateInput) (*PrimaryEmailUpdateOutput, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	if err := r.AcceptPrimaryEmailUpdate(c.Ctx, in.Account(), in.PrimaryEmail, in.Otp); err != nil {
		field := "otp"
		if errors.Is(err, rootuser.ErrPrimaryEmailMismatch) {
			field = "primaryEmail"
		}
		return nil, domainError(err, field)
	}
	return &PrimaryEmailUpdateOutput{Status: "ACCEPTED"}, nil
}
