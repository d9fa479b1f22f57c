package identitystoreapi

import (
	"encoding/json"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
)

// Users of an identity store.

var (
	CreateUser = api.Add(&ops, &api.Op[CreateUserInput, UserIDOutput]{
		Name: "CreateUser", Authorize: on(func(in *CreateUserInput) string { return in.IdentityStoreId }, nil, nil),
		Run: createUser})
	DescribeUser = api.Add(&ops, &api.Op[UserInput, UserOutput]{
		Name: "DescribeUser", Authorize: on(userStore, userARN, userID), Run: describeUser})
	ListUsers = api.Add(&ops, &api.Op[ListUsersInput, ListUsersOutput]{
		Name: "ListUsers", Authorize: on(func(in *ListUsersInput) string { return in.IdentityStoreId }, nil, nil),
		Run: listUsers})
	UpdateUser = api.Add(&ops, &api.Op[UpdateUserInput, UserIDOutput]{
		Name: "UpdateUser", Authorize: on(func(in *UpdateUserInput) string { return in.IdentityStoreId },
			func(in *UpdateUserInput) []string { return []string{identitycenter.UserARN(in.UserId)} },
			func(in *UpdateUserInput) string { return in.UserId }),
		Run: updateUser})
	DeleteUser = api.Add(&ops, &api.Op[UserInput, struct{}]{
		Name: "DeleteUser", Authorize: on(userStore, userARN, userID), Run: deleteUser})
	GetUserId = api.Add(&ops, &api.Op[GetUserIdInput, UserIDOutput]{
		Name: "GetUserId", Authorize: on(func(in *GetUserIdInput) string { return in.IdentityStoreId }, nil, nil),
		Run: getUserID})
)

// Name is the API's Name (and identitycenter.Name, field for field).
type Name struct {
	Formatted       string `json:",omitempty"`
	FamilyName      string `json:",omitempty"`
	GivenName       string `json:",omitempty"`
	MiddleName      string `json:",omitempty"`
	HonorificPrefix string `json:",omitempty"`
	HonorificSuffix string `json:",omitempty"`
}

// Email is the API's Email.
type Email struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary bool   `json:",omitempty"`
}

// PhoneNumber is the API's PhoneNumber.
type PhoneNumber struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary bool   `json:",omitempty"`
}

// Address is the API's Address.
type Address struct {
	StreetAddress string `json:",omitempty"`
	Locality      string `json:",omitempty"`
	Region        string `json:",omitempty"`
	PostalCode    string `json:",omitempty"`
	Country       string `json:",omitempty"`
	Formatted     string `json:",omitempty"`
	Type          string `json:",omitempty"`
	Primary       bool   `json:",omitempty"`
}

// ExternalId is the API's ExternalId.
type ExternalId struct {
	Issuer string
	Id     string
}

// userAttributes are the members CreateUser takes and DescribeUser answers.
type userAttributes struct {
	UserName          string        `json:",omitempty"`
	DisplayName       string        `json:",omitempty"`
	Name              *Name         `json:",omitempty"`
	NickName          string        `json:",omitempty"`
	ProfileUrl        string        `json:",omitempty"`
	Emails            []Email       `json:",omitempty"`
	Addresses         []Address     `json:",omitempty"`
	PhoneNumbers      []PhoneNumber `json:",omitempty"`
	UserType          string        `json:",omitempty"`
	Title             string        `json:",omitempty"`
	PreferredLanguage string        `json:",omitempty"`
	Locale            string        `json:",omitempty"`
	Timezone          string        `json:",omitempty"`
}

func (a *userAttributes) domain() identitycenter.UserAttributes {
	out := identitycenter.UserAttributes{
		UserName: a.UserName, DisplayName: a.DisplayName, NickName: a.NickName, ProfileURL: a.ProfileUrl,
		UserType: a.UserType, Title: a.Title, PreferredLanguage: a.PreferredLanguage, Locale: a.Locale, Timezone: a.Timezone,
	}
	if a.Name != nil {
		n := identitycenter.Name(*a.Name)
		out.Name = &n
	}
	for _, e := range a.Emails {
		out.Emails = append(out.Emails, identitycenter.Email(e))
	}
	for _, e := range a.Addresses {
		out.Addresses = append(out.Addresses, identitycenter.Address(e))
	}
	for _, e := range a.PhoneNumbers {
		out.PhoneNumbers = append(out.PhoneNumbers, identitycenter.PhoneNumber(e))
	}
	return out
}

func attributesOf(u *identitycenter.UserAttributes) userAttributes {
	out := userAttributes{
		UserName: u.UserName, DisplayName: u.DisplayName, NickName: u.NickName, ProfileUrl: u.ProfileURL,
		UserType: u.UserType, Title: u.Title, PreferredLanguage: u.PreferredLanguage, Locale: u.Locale, Timezone: u.Timezone,
	}
	if u.Name != nil {
		n := Name(*u.Name)
		out.Name = &n
	}
	for _, e := range u.Emails {
		out.Emails = append(out.Emails, Email(e))
	}
	for _, e := range u.Addresses {
		out.Addresses = append(out.Addresses, Address(e))
	}
	for _, e := range u.PhoneNumbers {
		out.PhoneNumbers = append(out.PhoneNumbers, PhoneNumber(e))
	}
	return out
}

type CreateUserInput struct {
	IdentityStoreId string
	userAttributes
}

// UserInput names one user.
type UserInput struct {
	IdentityStoreId string
	UserId          string
}

func userStore(in *UserInput) string { return in.IdentityStoreId }
func userARN(in *UserInput) []string { return []string{identitycenter.UserARN(in.UserId)} }
func userID(in *UserInput) string    { return in.UserId }

// UserIDOutput is CreateUser's, UpdateUser's and GetUserId's answer.
type UserIDOutput struct {
	IdentityStoreId string
	UserId          string
	UserArn         string `json:",omitempty"`
}

// UserOutput is the API's User, and DescribeUser's answer.
type UserOutput struct {
	IdentityStoreId string
	UserId          string
	UserArn         string
	userAttributes
	ExternalIds []ExternalId `json:",omitempty"`
	UserStatus  string       `json:",omitempty"`
	CreatedAt   *Timestamp   `json:",omitempty"`
	CreatedBy   string       `json:",omitempty"`
	UpdatedAt   *Timestamp   `json:",omitempty"`
	UpdatedBy   string       `json:",omitempty"`
}

func stamp(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := Timestamp(t)
	return &ts
}

func userOut(u *identitycenter.User) UserOutput {
	out := UserOutput{IdentityStoreId: u.IdentityStoreID, UserId: u.UserID, UserArn: identitycenter.UserARN(u.UserID),
		userAttributes: attributesOf(&u.UserAttributes), UserStatus: u.Status, CreatedAt: stamp(u.Created), CreatedBy: u.CreatedBy,
		UpdatedAt: stamp(u.Updated), UpdatedBy: u.UpdatedBy}
	for _, e := range u.ExternalIDs {
		out.ExternalIds = append(out.ExternalIds, ExternalId{Issuer: e.Issuer, Id: e.ID})
	}
	return out
}

func createUser(c *api.Call, in *CreateUserInput) (*UserIDOutput, error) {
	u, err := c.IdentityCenter.CreateUser(c.Ctx, c.Account(), in.IdentityStoreId, c.Caller.ARN, in.domain())
	if err != nil {
		return nil, err
	}
	return &UserIDOutput{IdentityStoreId: u.IdentityStoreID, UserId: u.UserID}, nil
}

func describeUser(c *api.Call, in *UserInput) (*UserOutput, error) {
	u, err := c.IdentityCenter.DescribeUser(c.Ctx, c.Account(), in.IdentityStoreId, in.UserId)
	if err != nil {
		return nil, err
	}
	out := userOut(u)
	return &out, nil
}

// Filter is the API's Filter.
type Filter struct {
	AttributePath  string
	AttributeValue string
}

func filters(in []Filter) []identitycenter.Filter {
	out := make([]identitycenter.Filter, len(in))
	for i, f := range in {
		out[i] = identitycenter.Filter(f)
	}
	return out
}

type ListUsersInput struct {
	IdentityStoreId string
	Filters         []Filter
	ListInput
}

type ListUsersOutput struct {
	Users     []UserOutput
	NextToken *string `json:",omitempty" page:"token"`
}

func listUsers(c *api.Call, in *ListUsersInput) (*ListUsersOutput, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := c.IdentityCenter.ListUsers(c.Ctx, c.Account(), in.IdentityStoreId, filters(in.Filters), in.opts())
	if err != nil {
		return nil, err
	}
	out := &ListUsersOutput{Users: make([]UserOutput, 0, len(p.Items)), NextToken: next(p.Truncated, p.Last)}
	for i := range p.Items {
		out.Users = append(out.Users, userOut(&p.Items[i]))
	}
	return out, nil
}

// AttributeOperation is the API's AttributeOperation; AttributeValue is a document, any JSON.
type AttributeOperation struct {
	AttributePath  string
	AttributeValue json.RawMessage
}

func operations(in []AttributeOperation) []identitycenter.AttributeOperation {
	out := make([]identitycenter.AttributeOperation, len(in))
	for i, o := range in {
		out[i] = identitycenter.AttributeOperation{Path: o.AttributePath, Value: o.AttributeValue}
	}
	return out
}

type UpdateUserInput struct {
	IdentityStoreId string
	UserId          string
	Operations      []AttributeOperation
}

func updateUser(c *api.Call, in *UpdateUserInput) (*UserIDOutput, error) {
	if err := c.IdentityCenter.UpdateUser(c.Ctx, c.Account(), in.IdentityStoreId, in.UserId, c.Caller.ARN, operations(in.Operations)); err != nil {
		return nil, err
	}
	return &UserIDOutput{IdentityStoreId: in.IdentityStoreId, UserId: in.UserId}, nil
}

func deleteUser(c *api.Call, in *UserInput) (*struct{}, error) {
	return nil, c.IdentityCenter.DeleteUser(c.Ctx, c.Account(), in.IdentityStoreId, in.UserId)
}

// UniqueAttribute is the API's UniqueAttribute; AttributeValue is a document.
type UniqueAttribute struct {
	AttributePath  string
	AttributeValue json.RawMessage
}

// AlternateIdentifier is the API's union of an external ID and a unique attribute.
type AlternateIdentifier struct {
	ExternalId      *ExternalId      `json:",omitempty"`
	UniqueAttribute *UniqueAttribute `json:",omitempty"`
}

func (a AlternateIdentifier) domain() (*identitycenter.Filter, *identitycenter.ExternalID, error) {
	if (a.ExternalId == nil) == (a.UniqueAttribute == nil) {
		return nil, nil, awserr.New(awserr.ICValidation, "AlternateIdentifier must name exactly one of ExternalId and UniqueAttribute.")
	}
	if e := a.ExternalId; e != nil {
		return nil, &identitycenter.ExternalID{Issuer: e.Issuer, ID: e.Id}, nil
	}
	return &identitycenter.Filter{AttributePath: a.UniqueAttribute.AttributePath, AttributeValue: string(a.UniqueAttribute.AttributeValue)}, nil, nil
}

type GetUserIdInput struct {
	IdentityStoreId     string
	AlternateIdentifier AlternateIdentifier
}

func getUserID(c *api.Call, in *GetUserIdInput) (*UserIDOutput, error) {
	f, ext, err := in.AlternateIdentifier.domain()
	if err != nil {
		return nil, err
	}
	id, err := c.IdentityCenter.GetUserID(c.Ctx, c.Account(), in.IdentityStoreId, f, ext)
	if err != nil {
		return nil, err
	}
	sid, _ := identitycenter.StoreID(in.IdentityStoreId)
	return &UserIDOutput{IdentityStoreId: sid, UserId: id}, nil
}
