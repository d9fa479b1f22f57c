package console_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/testidp"
	"github.com/rootward/rootward/internal/trail"
)

// extIdPEnv is a portal env whose instance signs in through the test IdP, set on the identity
// source page by an administrator.
type extIdPEnv struct {
	*portalEnv
	idp   *testidp.IdP
	admin *browser
}

const ssoURL = "https://idp.test/saml/sso"

func newExtIdPEnv(t *testing.T) *extIdPEnv {
	t.Helper()
	pe := newPortalEnv(t)
	pe.userWithPassword("admin", userPw, adminPolicy, false)
	// The test IdP's certificate is valid from a day before the wall clock's now, and a signature
	// is verified at the server's time: the server's clock moves up to the wall clock's.
	pe.clock.Advance(time.Since(pe.clock.Now()))
	x := &extIdPEnv{portalEnv: pe, idp: testidp.New(t, ""), admin: pe.signedInUser("admin")}
	p := x.admin.get("/console/identity-center/identity-source")
	if p.status != 200 || !strings.Contains(p.body, "Identity Center directory") || !strings.Contains(p.body, "BEGIN CERTIFICATE") {
		t.Fatalf("identity source page = %d, want the directory and the SP certificate:\n%.2000s", p.status, p.body)
	}
	p = x.admin.submit("/console/identity-center/identity-source", url.Values{"instance": {pe.instance.ID}, "action": {"external"}, "metadata": {x.idp.Metadata()}})
	if p.status != 200 || !strings.Contains(p.body, "External identity provider") || !strings.Contains(p.body, x.idp.EntityID) {
		t.Fatalf("switch to the IdP = %d:\n%.2000s", p.status, p.body)
	}
	return x
}

// start follows PUBLIC_URL/start to the IdP and returns the AuthnRequest it carries.
func (x *extIdPEnv) start(b *browser) testidp.AuthnRequest {
	t := x.t
	t.Helper()
	p := b.get("/start")
	if p.status != 302 || !strings.HasPrefix(p.location, ssoURL+"?") {
		t.Fatalf("GET /start = %d → %q, want a redirect to the IdP's SSO URL:\n%.1500s", p.status, p.location, p.body)
	}
	return testidp.ReadAuthnRequest(t, p.location)
}

// assertion is the IdP's answer to req for user, addressed to the portal.
func (x *extIdPEnv) assertion(user string) testidp.Assertion {
	sp := portalURL + "/start/saml/" + x.instance.IdentityStoreID
	return testidp.Assertion{Now: x.clock.Now(), Subject: user, Audience: sp, Recipient: portalURL + "/start/saml", Destination: portalURL + "/start/saml",
		NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"}
}

func (x *extIdPEnv) post(b *browser, resp, relay string) page {
	return b.postRaw("/start/saml", url.Values{"SAMLResponse": {resp}, "RelayState": {relay}}, nil)
}

// TestExternalIdPSignIn: with an external identity provider, /start redirects to it with an
// AuthnRequest (signed, addressed to its SSO URL, naming the ACS and the SP's entity ID); its
// response signs alice in, without her password or MFA, and the portal works as for a directory
// user; the sign-in is recorded with the identity provider. The password sign-in is refused then;
// switching back to the directory restores it. Both changes are recorded.
func TestExternalIdPSignIn(t *testing.T) {
	x := newExtIdPEnv(t)
	b := x.browser()
	req := x.start(b)
	sp := portalURL + "/start/saml/" + x.instance.IdentityStoreID
	if req.Issuer != sp || req.ACS != portalURL+"/start/saml" || req.Destination != ssoURL || req.ID == "" || req.IssueInstant == "" || !req.Signed || req.RelayState == "" {
		t.Fatalf("AuthnRequest = %+v, want Issuer %s, the ACS, Destination the SSO URL, an ID, signed, a RelayState", req, sp)
	}
	p := x.post(b, x.idp.SPResponse(t, x.assertion("alice"), req.ID, false), req.RelayState)
	if p.status != 200 || !strings.Contains(p.body, `href="/start"`) {
		t.Fatalf("ACS = %d, want the page that continues to /start:\n%.1500s", p.status, p.body)
	}
	home := b.get("/start")
	if home.status != 200 || !strings.Contains(home.body, x.account.ID) || !strings.Contains(home.body, "ReadOnly: access keys") {
		t.Fatalf("portal home = %d, want the account and its role:\n%.2000s", home.status, home.body)
	}
	if p := b.submit("/start/credentials", url.Values{"account": {x.account.ID}, "role": {"ReadOnly"}}); p.status != 200 || !strings.Contains(p.body, "AWS_SESSION_TOKEN") {
		t.Fatalf("credentials = %d:\n%.1500s", p.status, p.body)
	}

	// The sign-in's records: verification through the IdP, then the authentication.
	pg, err := trail.List(context.Background(), x.st, trail.Query{Account: x.account.ID, EventSource: "signin.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range pg.Events {
		if ev.EventName == "ConsoleLogin" {
			continue // the administrator's
		}
		got = append(got, ev.EventName+":"+toString(ev.AdditionalEventData["CredentialType"])+":"+toString(ev.ServiceEventDetails[ev.EventName])+":"+toString(ev.AdditionalEventData["IdentityProvider"]))
		if ev.UserIdentity.PrincipalID != x.alice {
			t.Errorf("%s's userIdentity %+v, want alice's", ev.EventName, ev.UserIdentity)
		}
	}
	want := []string{"CredentialVerification:EXTERNAL_IDP:Success:" + x.idp.EntityID, "UserAuthentication:EXTERNAL_IDP:Success:" + x.idp.EntityID}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sign-in events = %v, want %v", got, want)
	}

	// A password sign-in is refused while the IdP is the source (the setup page carries the
	// portal's CSRF token).
	c := x.browser()
	c.get("/start/setup")
	if p := c.submit("/start/signin", url.Values{"username": {"alice"}, "password": {x.otp}}); p.status != 403 || !strings.Contains(p.body, "sign in through its identity provider") {
		t.Errorf("password sign-in with an external IdP = %d, want 403 and the IdP message:\n%.1000s", p.status, p.body)
	}

	// Back to the directory: /start shows the password form again.
	x.admin.get("/console/identity-center/identity-source")
	if p := x.admin.submit("/console/identity-center/identity-source", url.Values{"instance": {x.instance.ID}, "action": {"store"}}); p.status != 200 || !strings.Contains(p.body, "<strong>Identity Center directory</strong>") {
		t.Fatalf("switch back = %d:\n%.1500s", p.status, p.body)
	}
	if p := x.browser().get("/start"); p.status != 200 || !strings.Contains(p.body, `action="/start/signin"`) {
		t.Fatalf("/start after switching back = %d → %q, want the password form", p.status, p.location)
	}
	pg, err = trail.List(context.Background(), x.st, trail.Query{Account: x.account.ID, EventSource: "sso.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, ev := range pg.Events {
		if ev.EventName == "AssociateDirectory" || ev.EventName == "DisassociateDirectory" {
			got = append(got, ev.EventName+":"+toString(ev.RequestParameters["identitySourceType"])+":"+ev.UserIdentity.UserName+":"+ev.ErrorCode)
		}
	}
	want = []string{"AssociateDirectory:EXTERNAL_SAML:admin:", "DisassociateDirectory:IDENTITY_STORE:admin:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("identity source records = %v, want %v", got, want)
	}
}

// TestExternalIdPRefusals: each bad response refused with its reason, nobody signed in, and the
// outstanding request still usable by the right response afterwards (nothing changed).
func TestExternalIdPRefusals(t *testing.T) {
	x := newExtIdPEnv(t)
	b := x.browser()
	req := x.start(b)
	now := x.clock.Now()
	good := x.assertion("alice")
	with := func(f func(a *testidp.Assertion)) testidp.Assertion {
		a := good
		f(&a)
		return a
	}
	tamper := func(resp string) string {
		raw, _ := base64.StdEncoding.DecodeString(resp)
		return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), ">alice<", ">bob<", 1)))
	}
	cases := []struct {
		name, resp, relay, want string
	}{
		{"forged signature", tamper(x.idp.SPResponse(t, good, req.ID, false)), req.RelayState, "Response signature invalid"},
		{"wrong key", x.idp.SPResponse(t, good, req.ID, true), req.RelayState, "Response signature invalid"},
		{"unsigned", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.Unsigned = true }), req.ID, false), req.RelayState, "Response signature invalid"},
		{"expired", x.idp.SPResponse(t, with(func(a *testidp.Assertion) {
			a.NotBefore, a.NotOnOrAfter = now.Add(-10*time.Minute), now.Add(-time.Second)
		}), req.ID, false), req.RelayState, "the response has expired"},
		{"not yet valid", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.NotBefore = now.Add(10 * time.Minute) }), req.ID, false), req.RelayState, "not yet valid"},
		{"wrong audience", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.Audience = testidp.AWSAudience }), req.ID, false), req.RelayState, "no AudienceRestriction names the service provider"},
		{"wrong recipient", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.Recipient = "https://elsewhere.example/acs" }), req.ID, false), req.RelayState, "Recipient is not the assertion consumer service URL"},
		{"wrong destination", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.Destination = "https://elsewhere.example/acs" }), req.ID, false), req.RelayState, "Destination is not the assertion consumer service URL"},
		{"unknown InResponseTo", x.idp.SPResponse(t, good, "_not-the-request", false), req.RelayState, "InResponseTo is not the outstanding request"},
		{"unknown RelayState", x.idp.SPResponse(t, good, req.ID, false), "not-a-state", "answers no sign-in request of this browser"},
		{"unknown user", x.idp.SPResponse(t, with(func(a *testidp.Assertion) { a.Subject = "mallory" }), req.ID, false), req.RelayState, "not an Identity Center user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := x.post(b, tc.resp, tc.relay)
			if p.status != 403 || !strings.Contains(p.body, tc.want) {
				t.Errorf("status %d, want 403 with %q:\n%.1200s", p.status, tc.want, p.body)
			}
			if b.hasCookie("rw_portal") {
				t.Error("a portal session after the refusal")
			}
		})
	}
	// Another browser cannot use this browser's request.
	other := x.browser()
	if p := x.post(other, x.idp.SPResponse(t, good, req.ID, false), req.RelayState); p.status != 403 || !strings.Contains(p.body, "answers no sign-in request of this browser") {
		t.Errorf("another browser's post = %d, want 403", p.status)
	}
	// Nothing was spent: the right response to the first request still signs in, once.
	resp := x.idp.SPResponse(t, good, req.ID, false)
	if p := x.post(b, resp, req.RelayState); p.status != 200 {
		t.Fatalf("the right response after the refusals = %d:\n%.1200s", p.status, p.body)
	}
	if p := x.post(x.browser(), resp, req.RelayState); p.status != 403 {
		t.Errorf("replayed response = %d, want 403", p.status)
	}
	if p := x.post(b, resp, req.RelayState); p.status != 403 || !strings.Contains(p.body, "answers no sign-in request") {
		t.Errorf("replayed response from the same browser = %d, want 403:\n%.1200s", p.status, p.body)
	}
}

// hasCookie reports whether the browser holds a cookie named name for the server.
func (b *browser) hasCookie(name string) bool {
	u, _ := url.Parse(b.e.url + "/start/saml")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// TestExternalIdPThrottled: the ACS counts refused posts against the source address as sign-in
// does; past the address's back-off threshold the next post waits (429), the right one included.
func TestExternalIdPThrottled(t *testing.T) {
	x := newExtIdPEnv(t)
	b := x.browser()
	req := x.start(b)
	bad := x.idp.SPResponse(t, x.assertion("alice"), req.ID, true)
	for i := 0; i < 20; i++ {
		if p := x.post(b, bad, req.RelayState); p.status != 403 {
			t.Fatalf("refused post %d = %d, want 403", i+1, p.status)
		}
	}
	p := x.post(b, x.idp.SPResponse(t, x.assertion("alice"), req.ID, false), req.RelayState)
	if p.status != 429 || !strings.Contains(p.body, "Too many failed attempts") {
		t.Fatalf("post past the threshold = %d, want 429:\n%.1200s", p.status, p.body)
	}
	if b.hasCookie("rw_portal") {
		t.Error("signed in while throttled")
	}
}

// TestExternalIdPDeviceApproval: `aws sso login`'s verification page, opened before sign-in,
// sends the browser to the IdP, and the sign-in comes back to it.
func TestExternalIdPDeviceApproval(t *testing.T) {
	x := newExtIdPEnv(t)
	_, _, d, verify := x.startDevice("laptop")
	b := x.browser()
	p := b.get(verify)
	if p.status != 302 || !strings.HasPrefix(p.location, ssoURL+"?") {
		t.Fatalf("device page before sign-in = %d → %q, want the IdP", p.status, p.location)
	}
	req := testidp.ReadAuthnRequest(t, p.location)
	p = x.post(b, x.idp.SPResponse(t, x.assertion("alice"), req.ID, false), req.RelayState)
	next := "/device?user_code=" + aws.ToString(d.UserCode)
	if p.status != 200 || !strings.Contains(p.body, `href="`+next+`"`) {
		t.Fatalf("ACS = %d, want the page that continues to %s:\n%.1500s", p.status, next, p.body)
	}
	if p := b.get(next); p.status != 200 || !strings.Contains(p.body, "laptop") {
		t.Fatalf("device page after sign-in = %d, want the client's name:\n%.1500s", p.status, p.body)
	}
}

// TestIdentitySourceNeedsPermission: a console user allowed to read the setting but not
// sso:AssociateDirectory cannot switch the source; the refusal is recorded and nothing changes.
func TestIdentitySourceNeedsPermission(t *testing.T) {
	pe := newPortalEnv(t)
	pe.userWithPassword("reader", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sso:ListDirectoryAssociations","Resource":"*"}]}`, false)
	b := pe.signedInUser("reader")
	if p := b.get("/console/identity-center/identity-source"); p.status != 200 {
		t.Fatalf("identity source page = %d, want 200", p.status)
	}
	idp := testidp.New(t, "")
	p := b.submit("/console/identity-center/identity-source", url.Values{"instance": {pe.instance.ID}, "action": {"external"}, "metadata": {idp.Metadata()}})
	if p.status != 403 || !strings.Contains(p.body, "not authorized to perform: sso:AssociateDirectory") {
		t.Fatalf("switch without sso:AssociateDirectory = %d:\n%.1500s", p.status, p.body)
	}
	src, err := pe.ic.IdentitySource(context.Background(), pe.account.ID, pe.instance.ID)
	if err != nil || src.Type != "IDENTITY_STORE" {
		t.Errorf("identity source after the refusal = %+v, %v; want the identity store", src, err)
	}
	pg, err := trail.List(context.Background(), pe.st, trail.Query{Account: pe.account.ID, EventSource: "sso.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range pg.Events {
		found = found || (ev.EventName == "AssociateDirectory" && ev.ErrorCode == "AccessDenied" && ev.UserIdentity.UserName == "reader")
	}
	if !found {
		t.Errorf("no AssociateDirectory AccessDenied record of reader among %d sso.amazonaws.com records", len(pg.Events))
	}
	// Metadata that is not a SAML IdP's is refused too.
	pe.userWithPassword("admin", userPw, adminPolicy, false)
	a := pe.signedInUser("admin")
	a.get("/console/identity-center/identity-source")
	if p := a.submit("/console/identity-center/identity-source", url.Values{"instance": {pe.instance.ID}, "action": {"external"}, "metadata": {"<not-metadata/>"}}); p.status != 400 || !strings.Contains(p.body, "Could not parse metadata") {
		t.Errorf("bad metadata = %d, want 400 Could not parse metadata:\n%.1000s", p.status, p.body)
	}
}

// TestExternalIdPRequestsSwept: sign-in requests that browsers start and never finish (anyone can
// open /start) are swept once expired, by the requests that follow.
func TestExternalIdPRequestsSwept(t *testing.T) {
	x := newExtIdPEnv(t)
	count := func() int {
		var n int
		err := x.st.View(context.Background(), func(tx store.Tx) error {
			items, err := tx.List("portal.authnrequest", "", "", "", 1000)
			n = len(items)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := 0; i < 30; i++ {
		x.start(x.browser())
	}
	if n := count(); n != 30 {
		t.Fatalf("%d outstanding requests, want 30", n)
	}
	x.clock.Advance(11 * time.Minute)
	for i := 0; i < 30; i++ {
		x.start(x.browser())
	}
	if n := count(); n >= 60 {
		t.Errorf("%d requests stored after 30 expired and 30 more started, want fewer than 60 (the expired swept)", n)
	}
}

// TestExternalIdPAmongInstances: with several instances, the sign-in page links each one whose
// users sign in through an identity provider, and the link redirects there; the others keep the
// password form.
func TestExternalIdPAmongInstances(t *testing.T) {
	x := newExtIdPEnv(t)
	ctx := context.Background()
	other, err := x.svc.CreateAccount(ctx, "other", "owner@other.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	in2, err := x.ic.CreateInstance(ctx, other.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := x.browser()
	p := b.get("/start")
	link := `href="/start?instance=` + x.instance.ID + `"`
	if p.status != 200 || !strings.Contains(p.body, link) || !strings.Contains(p.body, `<option value="`+in2.ID+`">`) || strings.Contains(p.body, `<option value="`+x.instance.ID+`">`) {
		t.Fatalf("sign-in page with two instances = %d, want a link to the IdP instance and the other in the form:\n%.2000s", p.status, p.body)
	}
	if p := b.get("/start?instance=" + x.instance.ID); p.status != 302 || !strings.HasPrefix(p.location, ssoURL+"?") {
		t.Errorf("the link = %d → %q, want the IdP", p.status, p.location)
	}
	if p := b.get("/start?instance=" + in2.ID); p.status != 200 {
		t.Errorf("/start?instance= of the directory instance = %d, want the sign-in page", p.status)
	}
}
