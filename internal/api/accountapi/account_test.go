package accountapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// client is an Account Management client signing as c's credentials.
func client(e *servertest.Env, id, secret string) *account.Client {
	return account.NewFromConfig(e.Config(id, secret, ""))
}

// memberClient creates a user of account (AdministratorAccess, or the inline policy) and returns
// an Account Management client signing as it.
func memberClient(t *testing.T, e *servertest.Env, acct, name, inline string) *account.Client {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	var err error
	if inline == "" {
		err = e.Svc.AttachPolicy(ctx, acct, "user", name, servertest.AdminPolicyARN)
	} else {
		err = e.Svc.PutInlinePolicy(ctx, acct, "user", name, "inline", inline)
	}
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, acct, name)
	if err != nil {
		t.Fatal(err)
	}
	return client(e, k.AccessKeyID, k.Secret)
}

// admin is the test account's admin's Account Management client.
func admin(e *servertest.Env) *account.Client {
	return client(e, e.AdminKey.AccessKeyID, e.AdminKey.Secret)
}

// wantFields checks that err is a ValidationException (HTTP 400, reason fieldValidationFailed)
// naming exactly the fields want.
func wantFields(t *testing.T, err error, want ...string) {
	t.Helper()
	testutil.WantCode(t, err, "ValidationException")
	testutil.WantStatus(t, err, http.StatusBadRequest)
	var ve *types.ValidationException
	if !errors.As(err, &ve) {
		t.Fatalf("err = %T, want *types.ValidationException", err)
	}
	if ve.Reason != types.ValidationExceptionReasonFieldValidationFailed {
		t.Errorf("reason = %q, want fieldValidationFailed", ve.Reason)
	}
	var got []string
	for _, f := range ve.FieldList {
		got = append(got, aws.ToString(f.Name))
		if aws.ToString(f.Message) == "" {
			t.Errorf("field %s has no message", aws.ToString(f.Name))
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fieldList = %v, want %v", got, want)
	}
}

func validContact() *types.ContactInformation {
	return &types.ContactInformation{
		FullName: aws.String("Ada Lovelace"), AddressLine1: aws.String("1 Analytical Way"), City: aws.String("Seattle"),
		StateOrRegion: aws.String("WA"), PostalCode: aws.String("98101"), CountryCode: aws.String("US"),
		PhoneNumber: aws.String("+1 (206) 555-0142"), CompanyName: aws.String("Example Corp"), WebsiteUrl: aws.String("https://example.com"),
	}
}

func TestContactInformation(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)

	_, err := c.GetContactInformation(ctx, &account.GetContactInformationInput{})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	testutil.WantStatus(t, err, http.StatusNotFound)

	if _, err := c.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: validContact()}); err != nil {
		t.Fatalf("PutContactInformation: %v", err)
	}
	out, err := c.GetContactInformation(ctx, &account.GetContactInformationInput{})
	if err != nil {
		t.Fatalf("GetContactInformation: %v", err)
	}
	ci := out.ContactInformation
	for _, f := range []struct{ name, got, want string }{
		{"FullName", aws.ToString(ci.FullName), "Ada Lovelace"},
		{"AddressLine1", aws.ToString(ci.AddressLine1), "1 Analytical Way"},
		{"City", aws.ToString(ci.City), "Seattle"},
		{"StateOrRegion", aws.ToString(ci.StateOrRegion), "WA"},
		{"PostalCode", aws.ToString(ci.PostalCode), "98101"},
		{"CountryCode", aws.ToString(ci.CountryCode), "US"},
		// The phone is kept in E.164, the form the recovery's SMS and voice channels take.
		{"PhoneNumber", aws.ToString(ci.PhoneNumber), "+12065550142"},
		{"CompanyName", aws.ToString(ci.CompanyName), "Example Corp"},
		{"WebsiteUrl", aws.ToString(ci.WebsiteUrl), "https://example.com"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	// The console's account page reads the same record.
	d, err := e.Root.AccountDetails(ctx, e.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Phone != "+12065550142" || d.Contact == nil || d.Contact.FullName != "Ada Lovelace" {
		t.Errorf("AccountDetails = phone %q, contact %+v; want the API's contact information", d.Phone, d.Contact)
	}

	long := strings.Repeat("x", 61)
	cases := []struct {
		name   string
		change func(ci *types.ContactInformation)
		fields []string
	}{
		{"country code of three letters", func(ci *types.ContactInformation) { ci.CountryCode = aws.String("USA") }, []string{"contactInformation.countryCode"}},
		{"address line too long", func(ci *types.ContactInformation) { ci.AddressLine1 = aws.String(long) }, []string{"contactInformation.addressLine1"}},
		{"phone without +", func(ci *types.ContactInformation) { ci.PhoneNumber = aws.String("206 555 0142") }, []string{"contactInformation.phoneNumber"}},
		{"phone recovery cannot reach", func(ci *types.ContactInformation) { ci.PhoneNumber = aws.String("+1") }, []string{"contactInformation.phoneNumber"}},
		{"US address without state", func(ci *types.ContactInformation) { ci.StateOrRegion = nil }, []string{"contactInformation.stateOrRegion"}},
		{"two bad fields", func(ci *types.ContactInformation) {
			ci.City = aws.String(long)
			ci.WebsiteUrl = aws.String(strings.Repeat("w", 257))
		},
			[]string{"contactInformation.city", "contactInformation.websiteUrl"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ci := validContact()
			tc.change(ci)
			_, err := c.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: ci})
			wantFields(t, err, tc.fields...)
		})
	}
	// Bad input changed nothing.
	if d2, _ := e.Root.AccountDetails(ctx, e.Account.ID); d2.Phone != "+12065550142" {
		t.Errorf("phone after refused puts = %q, want +12065550142", d2.Phone)
	}
	_, err = c.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: aws.String("12345")})
	wantFields(t, err, "accountId")
}

func TestAlternateContacts(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)
	for _, typ := range []types.AlternateContactType{types.AlternateContactTypeBilling, types.AlternateContactTypeOperations, types.AlternateContactTypeSecurity} {
		t.Run(string(typ), func(t *testing.T) {
			_, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
			testutil.WantCode(t, err, "ResourceNotFoundException")
			testutil.WantStatus(t, err, http.StatusNotFound)
			_, err = c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: typ})
			testutil.WantCode(t, err, "ResourceNotFoundException")

			email := strings.ToLower(string(typ)) + "@example.com"
			if _, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: typ,
				Name: aws.String("Grace " + string(typ)), Title: aws.String("Lead"), EmailAddress: aws.String(email), PhoneNumber: aws.String("+1 206 555 0100")}); err != nil {
				t.Fatalf("PutAlternateContact: %v", err)
			}
			out, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
			if err != nil {
				t.Fatalf("GetAlternateContact: %v", err)
			}
			got := out.AlternateContact
			if got.AlternateContactType != typ || aws.ToString(got.Name) != "Grace "+string(typ) || aws.ToString(got.Title) != "Lead" ||
				aws.ToString(got.EmailAddress) != email || aws.ToString(got.PhoneNumber) != "+12065550100" {
				t.Errorf("GetAlternateContact = %+v, want the contact put", got)
			}
			if _, err := c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: typ}); err != nil {
				t.Fatalf("DeleteAlternateContact: %v", err)
			}
			_, err = c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
			testutil.WantCode(t, err, "ResourceNotFoundException")
		})
	}

	valid := func() *account.PutAlternateContactInput {
		return &account.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity, Name: aws.String("Sec"),
			Title: aws.String("CISO"), EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("555-0100")}
	}
	cases := []struct {
		name   string
		change func(in *account.PutAlternateContactInput)
		fields []string
	}{
		{"unknown type", func(in *account.PutAlternateContactInput) { in.AlternateContactType = "LEGAL" }, []string{"alternateContactType"}},
		{"email without domain", func(in *account.PutAlternateContactInput) { in.EmailAddress = aws.String("sec@") }, []string{"emailAddress"}},
		{"phone with letters", func(in *account.PutAlternateContactInput) { in.PhoneNumber = aws.String("call me") }, []string{"phoneNumber"}},
		{"name too long", func(in *account.PutAlternateContactInput) { in.Name = aws.String(strings.Repeat("n", 65)) }, []string{"name"}},
		{"title too long", func(in *account.PutAlternateContactInput) { in.Title = aws.String(strings.Repeat("t", 51)) }, []string{"title"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.change(in)
			_, err := c.PutAlternateContact(ctx, in)
			wantFields(t, err, tc.fields...)
		})
	}
	_, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: "LEGAL"})
	wantFields(t, err, "alternateContactType")
	// A national number is a valid alternate contact phone (pattern [\s0-9()+-]+).
	if _, err := c.PutAlternateContact(ctx, valid()); err != nil {
		t.Fatalf("PutAlternateContact with a national number: %v", err)
	}

	// The trail shows the type, and hides the members the model marks sensitive, refused or not.
	e.Trail.Flush()
	p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, EventName: "PutAlternateContact"})
	if err != nil || len(p.Events) == 0 {
		t.Fatalf("PutAlternateContact records: %d, %v", len(p.Events), err)
	}
	for _, ev := range p.Events {
		rp := ev.RequestParameters
		if ev.EventSource != "account.amazonaws.com" || rp["alternateContactType"] == nil || rp["alternateContactType"] == trail.Hidden ||
			rp["emailAddress"] != trail.Hidden || rp["phoneNumber"] != trail.Hidden || rp["name"] != trail.Hidden || rp["title"] != trail.Hidden {
			t.Errorf("record %s: requestParameters %v, want the type shown and the contact hidden", ev.EventSource, rp)
		}
	}
}

func TestAccountNameAndInformation(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)
	info, err := c.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(info.AccountId) != e.Account.ID || aws.ToString(info.AccountName) != "test-account" || info.AccountState != types.AccountStateActive ||
		info.AccountCreatedDate == nil || !info.AccountCreatedDate.Equal(e.Account.CreatedAt) {
		t.Errorf("GetAccountInformation = %+v, want %s test-account ACTIVE created %v", info, e.Account.ID, e.Account.CreatedAt)
	}
	if _, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("payments-prod")}); err != nil {
		t.Fatal(err)
	}
	a, err := e.Svc.GetAccount(ctx, e.Account.ID)
	if err != nil || a.Name != "payments-prod" {
		t.Errorf("account name = %q, %v; want payments-prod", a.Name, err)
	}
	for _, bad := range []string{strings.Repeat("a", 51), "a<b>"} {
		_, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String(bad)})
		wantFields(t, err, "accountName")
	}
}

// org is an organization whose management account's admin calls the Account Management API.
type org struct {
	e      *servertest.Env
	mgmt   servertest.Caller
	member string
	c      *account.Client
}

func newOrg(t *testing.T) *org {
	e := servertest.New(t)
	m := e.Admin()
	e.NewOrg(m)
	return &org{e: e, mgmt: m, member: e.CreateMember(m, "payments"), c: admin(e)}
}

func (o *org) enableTrustedAccess(t *testing.T) {
	t.Helper()
	if _, err := o.mgmt.Orgs.EnableAWSServiceAccess(servertest.Ctx(t), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("account.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
}

// The management account acts on a member with AccountId only once trusted access for
// account.amazonaws.com is enabled; never on itself by AccountId, nor on an account outside its
// organization; a member cannot act on another account.
func TestAccountIdNeedsTrustedAccess(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := servertest.Ctx(t)
	put := func(c *account.Client, id string) error {
		_, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AccountId: aws.String(id), AlternateContactType: types.AlternateContactTypeSecurity,
			Name: aws.String("Sec"), Title: aws.String("CISO"), EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("+12065550100")})
		return err
	}
	wantDenied := func(t *testing.T, err error) {
		t.Helper()
		testutil.WantCode(t, err, "AccessDeniedException")
		testutil.WantStatus(t, err, http.StatusForbidden)
	}
	wantDenied(t, put(o.c, o.member))
	o.enableTrustedAccess(t)
	if err := put(o.c, o.member); err != nil {
		t.Fatalf("PutAlternateContact on the member: %v", err)
	}
	d, err := o.e.Root.AccountDetails(ctx, o.member)
	if err != nil || d.SecurityContact == nil || d.SecurityContact.EmailAddress != "sec@example.com" {
		t.Fatalf("member's security contact = %+v, %v; want sec@example.com", d, err)
	}
	if d, _ := o.e.Root.AccountDetails(ctx, o.e.Account.ID); d.SecurityContact != nil {
		t.Errorf("management account's security contact = %+v, want none", d.SecurityContact)
	}

	t.Run("management account naming itself", func(t *testing.T) { wantDenied(t, put(o.c, o.e.Account.ID)) })
	t.Run("account outside the organization", func(t *testing.T) {
		other := o.e.Standalone("other")
		wantDenied(t, put(o.c, other.Account))
	})
	t.Run("member acting on another account", func(t *testing.T) {
		wantDenied(t, put(memberClient(t, o.e, o.member, "admin", ""), o.e.Account.ID))
	})
	t.Run("delegated administrator", func(t *testing.T) {
		second := o.e.CreateMember(o.mgmt, "security")
		dc := memberClient(t, o.e, second, "admin", "")
		wantDenied(t, put(dc, o.member))
		if _, err := o.mgmt.Orgs.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(second), ServicePrincipal: aws.String("account.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
		if err := put(dc, o.member); err != nil {
			t.Errorf("the delegated administrator's PutAlternateContact on a member: %v", err)
		}
		// The management account is no member: not even its delegated administrator names it.
		wantDenied(t, put(dc, o.e.Account.ID))
	})
	t.Run("user without permission", func(t *testing.T) {
		c := memberClient(t, o.e, o.e.Account.ID, "reader", servertest.AllowPolicy("account:GetAlternateContact"))
		wantDenied(t, put(c, o.member))
		if _, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: aws.String(o.member), AlternateContactType: types.AlternateContactTypeSecurity}); err != nil {
			t.Errorf("GetAlternateContact allowed by policy: %v", err)
		}
	})
}

// Policies decide on the Service Authorization Reference's resources and condition keys: a member
// account is arn:aws:account::MANAGEMENT:account/o-ORG/MEMBER, and account:AlternateContactTypes
// names the type.
func TestAuthorizationResourcesAndKeys(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.enableTrustedAccess(t)
	ctx := servertest.Ctx(t)
	out, err := o.mgmt.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	orgID := aws.ToString(out.Organization.Id)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:PutAlternateContact",
		"Resource":"arn:aws:account::` + o.e.Account.ID + `:account/` + orgID + `/*",
		"Condition":{"ForAllValues:StringEquals":{"account:AlternateContactTypes":["BILLING"]}}}]}`
	c := memberClient(t, o.e, o.e.Account.ID, "billing-admin", policy)
	put := func(id string, typ types.AlternateContactType) error {
		in := &account.PutAlternateContactInput{AlternateContactType: typ, Name: aws.String("B"), Title: aws.String("T"),
			EmailAddress: aws.String("b@example.com"), PhoneNumber: aws.String("+12065550100")}
		if id != "" {
			in.AccountId = aws.String(id)
		}
		_, err := c.PutAlternateContact(ctx, in)
		return err
	}
	cases := []struct {
		name string
		id   string
		typ  types.AlternateContactType
		code string
	}{
		{"member billing", o.member, types.AlternateContactTypeBilling, ""},
		{"member security", o.member, types.AlternateContactTypeSecurity, "AccessDeniedException"},
		{"own account billing", "", types.AlternateContactTypeBilling, "AccessDeniedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, put(tc.id, tc.typ), tc.code) })
	}
}

var codePattern = regexp.MustCompile(`The one-time code is ([A-Za-z0-9]{6})\.`)

// lastCode is the one-time code of the newest message to address.
func lastCode(t *testing.T, e *servertest.Env, to string) string {
	t.Helper()
	entries, err := e.Notifier.Outbox(context.Background(), notify.Query{To: to, Purpose: rootuser.PurposeEmailChange})
	if err != nil || len(entries) == 0 {
		t.Fatalf("outbox for %s: %d entries, %v", to, len(entries), err)
	}
	m := codePattern.FindStringSubmatch(entries[len(entries)-1].Body)
	if m == nil {
		t.Fatalf("no code in the message to %s:\n%s", to, entries[len(entries)-1].Body)
	}
	return m[1]
}

func TestPrimaryEmailUpdate(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := servertest.Ctx(t)
	get := func() (string, error) {
		out, err := o.c.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: aws.String(o.member)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.PrimaryEmail), nil
	}
	_, err := get()
	testutil.WantCode(t, err, "AccessDeniedException")
	o.enableTrustedAccess(t)
	old, err := get()
	if err != nil || !strings.HasPrefix(old, "payments+") {
		t.Fatalf("GetPrimaryEmail = %q, %v; want the member's root email", old, err)
	}
	_, err = o.c.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: aws.String(o.e.Account.ID)})
	testutil.WantCode(t, err, "AccessDeniedException")

	const next = "payments-root@example.com"
	start := func(email string) error {
		_, err := o.c.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: aws.String(o.member), PrimaryEmail: aws.String(email)})
		return err
	}
	accept := func(email, otp string) (*account.AcceptPrimaryEmailUpdateOutput, error) {
		return o.c.AcceptPrimaryEmailUpdate(ctx, &account.AcceptPrimaryEmailUpdateInput{AccountId: aws.String(o.member), PrimaryEmail: aws.String(email), Otp: aws.String(otp)})
	}
	_, err = accept(next, "123456")
	testutil.WantCode(t, err, "ResourceNotFoundException")

	// Another account's root email is taken.
	mgmtEmail := o.e.Account.Email
	testutil.WantCode(t, start(mgmtEmail), "ConflictException")
	wantFields(t, start("not-an-email"), "primaryEmail")

	out, err := o.c.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: aws.String(o.member), PrimaryEmail: aws.String(next)})
	if err != nil || out.Status != types.PrimaryEmailUpdateStatusPending {
		t.Fatalf("StartPrimaryEmailUpdate = %+v, %v; want PENDING", out, err)
	}
	code := lastCode(t, o.e, next)
	// The current address is told.
	if entries, _ := o.e.Notifier.Outbox(ctx, notify.Query{To: old, Purpose: rootuser.PurposeEmailChange}); len(entries) == 0 {
		t.Errorf("no notice to the current root email %s", old)
	}
	wrong := "ZZZZZZ"
	_, err = accept(next, wrong)
	wantFields(t, err, "otp")
	_, err = accept("someone-else@example.com", code)
	wantFields(t, err, "primaryEmail")
	if got, _ := get(); got != old {
		t.Fatalf("root email before acceptance = %q, want %q", got, old)
	}
	acc, err := accept(next, code)
	if err != nil || acc.Status != types.PrimaryEmailUpdateStatusAccepted {
		t.Fatalf("AcceptPrimaryEmailUpdate = %+v, %v; want ACCEPTED", acc, err)
	}
	if got, _ := get(); got != next {
		t.Errorf("root email = %q, want %q", got, next)
	}
	// The code works once.
	_, err = accept(next, code)
	testutil.WantCode(t, err, "ResourceNotFoundException")

	// Too many wrong codes end the update.
	const third = "payments-root-2@example.com"
	if err := start(third); err != nil {
		t.Fatal(err)
	}
	code = lastCode(t, o.e, third)
	for range 4 {
		_, err = accept(third, wrong)
		wantFields(t, err, "otp")
	}
	_, err = accept(third, wrong)
	testutil.WantCode(t, err, "TooManyRequestsException")
	testutil.WantStatus(t, err, http.StatusTooManyRequests)
	_, err = accept(third, code)
	testutil.WantCode(t, err, "ResourceNotFoundException")
	if got, _ := get(); got != next {
		t.Errorf("root email after the cancelled update = %q, want %q", got, next)
	}

	// The code never reaches the trail; the calls are recorded with eventSource account.amazonaws.com.
	o.e.Trail.Flush()
	p, err := trail.List(ctx, o.e.Store, trail.Query{Account: o.e.Account.ID, EventName: "AcceptPrimaryEmailUpdate"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) == 0 {
		t.Fatal("no AcceptPrimaryEmailUpdate record")
	}
	for _, ev := range p.Events {
		b, _ := json.Marshal(ev.RequestParameters)
		if ev.EventSource != "account.amazonaws.com" || strings.Contains(string(b), code) || !strings.Contains(string(b), trail.Hidden) {
			t.Errorf("record %s %s: requestParameters %s, want the otp hidden", ev.EventSource, ev.EventName, b)
		}
	}
}
