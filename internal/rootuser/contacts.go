package rootuser

import (
	"context"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// An account's contacts, kept once, in the root state: the primary contact information (its phone
// is the phone lost-MFA recovery calls, rootState.Phone) and the three alternate contacts (the
// SECURITY one is whom root alerts and recovery notices reach, rootState.SecurityContact). The AWS
// Account Management API (internal/api/accountapi), the console's account page and the recovery
// flows all read and write these same fields, so there is one source of truth (AWS Account
// Management Reference Guide, "Update the primary and alternate contact information":
// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact.html).
//
// The methods without a Principal change nothing but the contacts and record nothing: their caller
// (the API's runner) records the call in the trail itself.

// The alternate contact types (AWS Account Management API Reference, AlternateContact).
const (
	ContactBilling    = "BILLING"
	ContactOperations = "OPERATIONS"
	ContactSecurity   = "SECURITY"
)

// ContactTypes are the alternate contact types, in AWS's order.
var ContactTypes = []string{ContactBilling, ContactOperations, ContactSecurity}

// ContactInformation is an account's primary contact information (AWS Account Management API
// Reference, ContactInformation). PhoneNumber is the account's contact phone, in E.164.
type ContactInformation struct {
	FullName         string
	CompanyName      string
	AddressLine1     string
	AddressLine2     string
	AddressLine3     string
	City             string
	StateOrRegion    string
	DistrictOrCounty string
	PostalCode       string
	CountryCode      string
	PhoneNumber      string
	WebsiteURL       string
}

// contactInfoRecord is ContactInformation as stored in rootState, without the phone (rootState.Phone
// holds it, as it did before the rest of the contact information existed).
type contactInfoRecord struct {
	FullName         string `json:"full_name"`
	CompanyName      string `json:"company,omitempty"`
	AddressLine1     string `json:"address1"`
	AddressLine2     string `json:"address2,omitempty"`
	AddressLine3     string `json:"address3,omitempty"`
	City             string `json:"city"`
	StateOrRegion    string `json:"state,omitempty"`
	DistrictOrCounty string `json:"district,omitempty"`
	PostalCode       string `json:"postal_code"`
	CountryCode      string `json:"country"`
	WebsiteURL       string `json:"website,omitempty"`
}

func (st *rootState) contactInformation() *ContactInformation {
	if st.ContactInfo == nil && st.Phone == "" {
		return nil
	}
	ci := &ContactInformation{PhoneNumber: st.Phone}
	if r := st.ContactInfo; r != nil {
		ci.FullName, ci.CompanyName, ci.City, ci.WebsiteURL = r.FullName, r.CompanyName, r.City, r.WebsiteURL
		ci.AddressLine1, ci.AddressLine2, ci.AddressLine3 = r.AddressLine1, r.AddressLine2, r.AddressLine3
		ci.StateOrRegion, ci.DistrictOrCounty, ci.PostalCode, ci.CountryCode = r.StateOrRegion, r.DistrictOrCounty, r.PostalCode, r.CountryCode
	}
	return ci
}

// alternate is the stored alternate contact of a type (nil: none), as a pointer to its field.
func (st *rootState) alternate(typ string) (**contactRecord, error) {
	switch typ {
	case ContactBilling:
		return &st.BillingContact, nil
	case ContactOperations:
		return &st.OperationsContact, nil
	case ContactSecurity:
		return &st.SecurityContact, nil
	}
	return nil, awserr.New(awserr.InvalidInput, "The alternate contact type must be BILLING, OPERATIONS or SECURITY.")
}

// ContactInformation returns the account's primary contact information. Returns NoSuchEntity when
// none was ever set (not even the contact phone).
func (s *Service) ContactInformation(ctx context.Context, account string) (*ContactInformation, error) {
	st, err := s.loadState(ctx, account)
	if err != nil {
		return nil, err
	}
	ci := st.contactInformation()
	if ci == nil {
		return nil, awserr.New(awserr.NoSuchEntity, "No contact information was found for account %s.", account)
	}
	return ci, nil
}

// PutContactInformation replaces the account's primary contact information. Its phone becomes the
// contact phone lost-MFA recovery calls, so it must be a number the SMS and voice channels take
// (NormalizePhone, CheckPhone). Returns InvalidInput.
func (s *Service) PutContactInformation(ctx context.Context, account string, ci ContactInformation) error {
	phone := NormalizePhone(ci.PhoneNumber)
	if err := CheckPhone(phone); err != nil {
		return err
	}
	for _, v := range []string{ci.FullName, ci.AddressLine1, ci.City, ci.PostalCode, ci.CountryCode} {
		if strings.TrimSpace(v) == "" {
			return awserr.New(awserr.InvalidInput, "The contact information needs a full name, an address line, a city, a postal code and a country code.")
		}
	}
	return s.updateState(ctx, account, func(st *rootState) error {
		st.Phone = phone
		st.ContactInfo = &contactInfoRecord{
			FullName: ci.FullName, CompanyName: ci.CompanyName, City: ci.City, WebsiteURL: ci.WebsiteURL,
			AddressLine1: ci.AddressLine1, AddressLine2: ci.AddressLine2, AddressLine3: ci.AddressLine3,
			StateOrRegion: ci.StateOrRegion, DistrictOrCounty: ci.DistrictOrCounty, PostalCode: ci.PostalCode,
			CountryCode: strings.ToUpper(ci.CountryCode),
		}
		return nil
	})
}

// AlternateContact returns the account's alternate contact of a type (BILLING, OPERATIONS or
// SECURITY). Returns NoSuchEntity when it has none, InvalidInput for another type.
func (s *Service) AlternateContact(ctx context.Context, account, typ string) (*Contact, error) {
	st, err := s.loadState(ctx, account)
	if err != nil {
		return nil, err
	}
	f, err := st.alternate(typ)
	if err != nil {
		return nil, err
	}
	if *f == nil {
		return nil, awserr.New(awserr.NoSuchEntity, "No contact of the specified type was found.")
	}
	return (*f).contact(), nil
}

// PutAlternateContact sets the account's alternate contact of a type. A SECURITY contact is whom
// root-activity alerts, root credential notices and lost-MFA recovery notices reach. Returns
// InvalidInput.
func (s *Service) PutAlternateContact(ctx context.Context, account, typ string, c Contact) error {
	if err := checkContact(&c); err != nil {
		return err
	}
	return s.updateState(ctx, account, func(st *rootState) error {
		f, err := st.alternate(typ)
		if err != nil {
			return err
		}
		*f = newContactRecord(&c)
		return nil
	})
}

// DeleteAlternateContact removes the account's alternate contact of a type. Returns NoSuchEntity
// when it has none, InvalidInput for another type.
func (s *Service) DeleteAlternateContact(ctx context.Context, account, typ string) error {
	return s.updateState(ctx, account, func(st *rootState) error {
		f, err := st.alternate(typ)
		if err != nil {
			return err
		}
		if *f == nil {
			return awserr.New(awserr.NoSuchEntity, "No contact of the specified type was found.")
		}
		*f = nil
		return nil
	})
}

// checkContact trims and checks an alternate contact: a name (1–64 characters) and an email address
// (at most 254). The phone is kept as NormalizePhone leaves it: AWS takes national numbers too
// (pattern [\s0-9()+-]+), and a contact is only ever texted at a number the SMS channel takes
// (contacts, in recovery.go). Returns InvalidInput.
func checkContact(c *Contact) error {
	c.Name, c.Title = strings.TrimSpace(c.Name), strings.TrimSpace(c.Title)
	c.EmailAddress = strings.TrimSpace(c.EmailAddress)
	if c.Name == "" || len(c.Name) > 64 || !strings.Contains(c.EmailAddress, "@") || len(c.EmailAddress) > 254 {
		return awserr.New(awserr.InvalidInput, "The contact needs a name (up to 64 characters) and an email address.")
	}
	c.PhoneNumber = NormalizePhone(c.PhoneNumber)
	return nil
}
