package accountapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/rootuser"
)

// ContactInformation is the primary contact information (AWS Account Management API Reference,
// ContactInformation).
type ContactInformation struct {
	AddressLine1     string `json:"AddressLine1,omitempty"`
	AddressLine2     string `json:"AddressLine2,omitempty"`
	AddressLine3     string `json:"AddressLine3,omitempty"`
	City             string `json:"City,omitempty"`
	CompanyName      string `json:"CompanyName,omitempty"`
	CountryCode      string `json:"CountryCode,omitempty"`
	DistrictOrCounty string `json:"DistrictOrCounty,omitempty"`
	FullName         string `json:"FullName,omitempty"`
	PhoneNumber      string `json:"PhoneNumber,omitempty"`
	PostalCode       string `json:"PostalCode,omitempty"`
	StateOrRegion    string `json:"StateOrRegion,omitempty"`
	WebsiteURL       string `json:"WebsiteUrl,omitempty"`
}

// stateRequired are the countries whose addresses need StateOrRegion (ContactInformation's
// StateOrRegion: "required in the following countries: US, CA, GB, DE, JP, IN, and BR").
var stateRequired = map[string]bool{"US": true, "CA": true, "GB": true, "DE": true, "JP": true, "IN": true, "BR": true}

// check checks the members against the model (lengths; the phone's pattern).
func (ci *ContactInformation) check(v *checker) {
	const p = "contactInformation."
	v.str(p+"addressLine1", ci.AddressLine1, true, 1, 60, nil)
	v.str(p+"addressLine2", ci.AddressLine2, false, 1, 60, nil)
	v.str(p+"addressLine3", ci.AddressLine3, false, 1, 60, nil)
	v.str(p+"city", ci.City, true, 1, 50, nil)
	v.str(p+"companyName", ci.CompanyName, false, 1, 50, nil)
	v.str(p+"countryCode", ci.CountryCode, true, 2, 2, nil)
	v.str(p+"districtOrCounty", ci.DistrictOrCounty, false, 1, 50, nil)
	v.str(p+"fullName", ci.FullName, true, 1, 50, nil)
	v.str(p+"phoneNumber", ci.PhoneNumber, true, 1, 20, contactPhonePattern)
	v.str(p+"postalCode", ci.PostalCode, true, 1, 20, nil)
	v.str(p+"stateOrRegion", ci.StateOrRegion, stateRequired[strings.ToUpper(ci.CountryCode)], 1, 50, nil)
	v.str(p+"websiteUrl", ci.WebsiteURL, false, 1, 256, nil)
}

// GetContactInformation: POST /getContactInformation.
var GetContactInformation = api.Add(&ops, &api.Op[AccountInput, GetContactInformationOutput]{
	Name: "GetContactInformation", HTTP: "POST /getContactInformation",
	Authorize: authorizeOn[AccountInput](false, nil), Run: getContactInformation})

// GetContactInformationOutput is the account's primary contact information.
type GetContactInformationOutput struct {
	ContactInformation *ContactInformation `json:"ContactInformation,omitempty"`
}

func getContactInformation(c *api.Call, in *AccountInput) (*GetContactInformationOutput, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	ci, err := r.ContactInformation(c.Ctx, in.Account())
	if err != nil {
		return nil, domainError(err, "accountId")
	}
	return &GetContactInformationOutput{ContactInformation: &ContactInformation{
		AddressLine1: ci.AddressLine1, AddressLine2: ci.AddressLine2, AddressLine3: ci.AddressLine3, City: ci.City,
		CompanyName: ci.CompanyName, CountryCode: ci.CountryCode, DistrictOrCounty: ci.DistrictOrCounty, FullName: ci.FullName,
		PhoneNumber: ci.PhoneNumber, PostalCode: ci.PostalCode, StateOrRegion: ci.StateOrRegion, WebsiteURL: ci.WebsiteURL,
	}}, nil
}

// PutContactInformation: POST /putContactInformation.
var PutContactInformation = api.Add(&ops, &api.Op[PutContactInformationInput, Empty]{
	Name: "PutContactInformation", HTTP: "POST /putContactInformation",
	Authorize: authorizeOn[PutContactInformationInput](false, nil), Run: putContactInformation})

// PutContactInformationInput replaces the account's primary contact information.
type PutContactInformationInput struct {
	Target
	ContactInformation *ContactInformation `json:"ContactInformation"`
}

// Validate checks every member against the model, and that the phone is one the recovery calls
// can reach: the phone is the account's contact phone, where lost-MFA recovery codes go.
func (in *PutContactInformationInput) Validate() error {
	var v checker
	v.accountID(&in.Target, false)
	if in.ContactInformation == nil {
		v.add("contactInformation", "Member must not be null")
		return v.err()
	}
	in.ContactInformation.check(&v)
	if err := v.err(); err != nil {
		return err
	}
	if err := rootuser.CheckPhone(rootuser.NormalizePhone(in.ContactInformation.PhoneNumber)); err != nil {
		return domainError(err, "contactInformation.phoneNumber")
	}
	return nil
}

func putContactInformation(c *api.Call, in *PutContactInformationInput) (*Empty, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	ci := in.ContactInformation
	err = r.PutContactInformation(c.Ctx, in.Account(), rootuser.ContactInformation{
		AddressLine1: ci.AddressLine1, AddressLine2: ci.AddressLine2, AddressLine3: ci.AddressLine3, City: ci.City,
		CompanyName: ci.CompanyName, CountryCode: ci.CountryCode, DistrictOrCounty: ci.DistrictOrCounty, FullName: ci.FullName,
		PhoneNumber: ci.PhoneNumber, PostalCode: ci.PostalCode, StateOrRegion: ci.StateOrRegion, WebsiteURL: ci.WebsiteURL,
	})
	if err != nil {
		return nil, domainError(err, "contactInformation")
	}
	return &Empty{}, nil
}

// AlternateContact is an alternate contact (AWS Account Management API Reference,
// AlternateContact).
type AlternateContact struct {
	AlternateContactType string `json:"AlternateContactType,omitempty"`
	EmailAddress         string `json:"EmailAddress,omitempty"`
	Name                 string `json:"Name,omitempty"`
	PhoneNumber          string `json:"PhoneNumber,omitempty"`
	Title                string `json:"Title,omitempty"`
}

// contactTypeKey is account:AlternateContactTypes of the input's type.
func contactTypeKey[In any](in *In) authz.Keys {
	return condKey("account:AlternateContactTypes", any(in).(interface{ contactType() string }).contactType())
}

// ContactTypeInput is the AlternateContactType member with AccountId.
type ContactTypeInput struct {
	Target
	AlternateContactType string `json:"AlternateContactType"`
}

func (in *ContactTypeInput) contactType() string { return in.AlternateContactType }

// Validate checks AccountId and the type.
func (in *ContactTypeInput) Validate() error {
	var v checker
	v.accountID(&in.Target, false)
	v.contactType(in.AlternateContactType)
	return v.err()
}

// GetAlternateContact: POST /getAlternateContact.
var GetAlternateContact = api.Add(&ops, &api.Op[ContactTypeInput, GetAlternateContactOutput]{
	Name: "GetAlternateContact", HTTP: "POST /getAlternateContact",
	Authorize: authorizeOn(false, contactTypeKey[ContactTypeInput]), Run: getAlternateContact})

// GetAlternateContactOutput is the alternate contact of the type.
type GetAlternateContactOutput struct {
	AlternateContact *AlternateContact `json:"AlternateContact,omitempty"`
}

func getAlternateContact(c *api.Call, in *ContactTypeInput) (*GetAlternateContactOutput, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	ct, err := r.AlternateContact(c.Ctx, in.Account(), in.AlternateContactType)
	if err != nil {
		return nil, domainError(err, "alternateContactType")
	}
	return &GetAlternateContactOutput{AlternateContact: &AlternateContact{AlternateContactType: in.AlternateContactType,
		EmailAddress: ct.EmailAddress, Name: ct.Name, PhoneNumber: ct.PhoneNumber, Title: ct.Title}}, nil
}

// DeleteAlternateContact: POST /deleteAlternateContact.
var DeleteAlternateContact = api.Add(&ops, &api.Op[ContactTypeInput, Empty]{
	Name: "DeleteAlternateContact", HTTP: "POST /deleteAlternateContact",
	Authorize: authorizeOn(false, contactTypeKey[ContactTypeInput]), Run: deleteAlternateContact})

func deleteAlternateContact(c *api.Call, in *ContactTypeInput) (*Empty, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	if err := r.DeleteAlternateContact(c.Ctx, in.Account(), in.AlternateContactType); err != nil {
		return nil, domainError(err, "alternateContactType")
	}
	return &Empty{}, nil
}

// PutAlternateContact: POST /putAlternateContact.
var PutAlternateContact = api.Add(&ops, &api.Op[PutAlternateContactInput, Empty]{
	Name: "PutAlternateContact", HTTP: "POST /putAlternateContact",
	Authorize: authorizeOn(false, contactTypeKey[PutAlternateContactInput]), Run: putAlternateContact})

// PutAlternateContactInput sets the alternate contact of a type; every member is required.
type PutAlternateContactInput struct {
	Target
	AlternateContact
}

func (in *PutAlternateContactInput) contactType() string { return in.AlternateContactType }

// Validate checks every member against the model.
func (in *PutAlternateContactInput) Validate() error {
	var v checker
	v.accountID(&in.Target, false)
	v.contactType(in.AlternateContactType)
	v.str("emailAddress", in.EmailAddress, true, 1, 254, emailPattern)
	v.str("name", in.Name, true, 1, 64, nil)
	v.str("phoneNumber", in.PhoneNumber, true, 1, 25, phonePattern)
	v.str("title", in.Title, true, 1, 50, nil)
	return v.err()
}

func putAlternateContact(c *api.Call, in *PutAlternateContactInput) (*Empty, error) {
	r, err := root(c)
	if err != nil {
		return nil, err
	}
	err = r.PutAlternateContact(c.Ctx, in.Account(), in.AlternateContactType, rootuser.Contact{
		Name: in.Name, Title: in.Title, EmailAddress: in.EmailAddress, PhoneNumber: in.PhoneNumber})
	if err != nil {
		return nil, domainError(err, "alternateContactType")
	}
	return &Empty{}, nil
}
