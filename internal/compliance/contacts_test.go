package compliance_test

import (
	"context"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// The contact facts are the Account Management API's records: the contact information's phone and
// the three alternate contacts, whose addresses the root email must not be.
func TestGatherReadsTheAccountContacts(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := context.Background()
	a := e.Account.ID
	if err := e.Root.PutContactInformation(ctx, a, rootuser.ContactInformation{FullName: "Ada", AddressLine1: "1 Way", City: "Seattle",
		StateOrRegion: "WA", PostalCode: "98101", CountryCode: "US", PhoneNumber: "+1 206 555 0142"}); err != nil {
		t.Fatal(err)
	}
	for typ, email := range map[string]string{rootuser.ContactSecurity: "sec@corp.example", rootuser.ContactBilling: "ap@corp.example", rootuser.ContactOperations: "ops@corp.example"} {
		if err := e.Root.PutAlternateContact(ctx, a, typ, rootuser.Contact{Name: typ, Title: "Lead", EmailAddress: email, PhoneNumber: "+12065550100"}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := compliance.NewGatherer(e.Svc, e.Root, nil).Gather(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Contacts
	if c.Phone != "+12065550142" || c.Security == nil || c.Security.Email != "sec@corp.example" ||
		c.Billing == nil || c.Billing.Email != "ap@corp.example" || c.Operations == nil || c.Operations.Email != "ops@corp.example" {
		t.Errorf("Contacts = %+v (security %+v, billing %+v, operations %+v)", c, c.Security, c.Billing, c.Operations)
	}
	for _, want := range []string{"sec@corp.example", "ap@corp.example", "ops@corp.example"} {
		if !slices.Contains(f.OtherAddresses, want) {
			t.Errorf("OtherAddresses = %v, want %s among them", f.OtherAddresses, want)
		}
	}
}
