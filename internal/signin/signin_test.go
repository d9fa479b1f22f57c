package signin

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

func TestRootSignInCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name, email, pw string
		code            awserr.Code
	}{
		{"wrong password", rootEmail, "Tangerine-Walrus-43", awserr.AccessDenied},
		{"unknown email", "nobody@example.com", rootPass, awserr.AccessDenied},
		{"empty password", rootEmail, "", awserr.AccessDenied},
		{"email in another case", "ROOT@example.COM", rootPass, ""},
	}
	var messages []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.BeginRootSignIn(e.ctx, tc.email, tc.pw, e.client)
			testutil.WantCode(t, err, tc.code)
			if err != nil {
				messages = append(messages, err.Error())
			}
		})
	}
	// A wrong password and an unknown email get the very same answer.
	if len(messages) != 3 || messages[0] != messages[1] || messages[1] != messages[2] {
		t.Fatalf("answers differ: %q", messages)
	}
	// Failures of the known email are recorded as ConsoleLogin Failure; the unknown email has no
	// account to record them in, and the successful password step is not a sign-in yet (MFA
	// registration comes next).
	logins := e.events("ConsoleLogin")
	if len(logins) != 2 {
		t.Fatalf("%d ConsoleLogin events", len(logins))
	}
	f := logins[0]
	if f.UserIdentity.Type != "Root" || f.ResponseElements["ConsoleLogin"] != "Failure" || f.ErrorMessage != "Failed authentication" ||
		f.EventType != trail.AwsConsoleSignIn || f.EventSource != "signin.amazonaws.com" || f.SourceIPAddress != "203.0.113.7" ||
		f.AdditionalEventData["MFAUsed"] != "No" || f.AdditionalEventData["MobileVersion"] != "No" || f.RecipientAccountID != e.account ||
		!f.EventTime.Equal(e.clock.Now()) || f.AdditionalEventData["LoginTo"] != consoleURL+"/home" {
		t.Fatalf("failure event = %+v", f)
	}
}

// The 35-day rule: inside the window each sign-in prompts for MFA registration and may skip it;
// after it, sign-in leads only to registration.
func TestRootMFAEnforcementWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.clock.Now()
	p := e.signInRoot(StepMFARegistration)
	if !p.RegistrationOptional || !p.MFADeadline.Equal(first.Add(35*24*time.Hour)) {
		t.Fatalf("pending = %+v", p)
	}
	done, err := e.svc.SkipMFARegistration(e.ctx, p.Token, e.client)
	if err != nil || done.Next != StepDone || done.Principal.MFA || !done.Principal.Root {
		t.Fatalf("skip = %+v, %v", done, err)
	}
	// The token was spent.
	_, err = e.svc.SkipMFARegistration(e.ctx, p.Token, e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)

	// Day 34: still optional, deadline unchanged (the window runs from the first attempt).
	e.clock.Advance(34 * 24 * time.Hour)
	p = e.signInRoot(StepMFARegistration)
	if !p.RegistrationOptional || !p.MFADeadline.Equal(first.Add(35*24*time.Hour)) {
		t.Fatalf("day 34 pending = %+v", p)
	}
	// Day 35 and one second: mandatory.
	e.clock.Advance(24*time.Hour + time.Second)
	p = e.signInRoot(StepMFARegistration)
	if p.RegistrationOptional {
		t.Fatal("registration still optional after 35 days")
	}
	_, err = e.svc.SkipMFARegistration(e.ctx, p.Token, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
	_, err = e.svc.CompleteMFARegistration(e.ctx, p.Token, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied) // no device yet

	// Register a virtual device during sign-in, then finish.
	acct, user, err := e.svc.PendingSubject(e.ctx, p.Token)
	if err != nil || acct != e.account || user != "" {
		t.Fatalf("PendingSubject = %s %q %v", acct, user, err)
	}
	seed, serial := e.enrolTOTP(acct, user, "")
	done, err = e.svc.CompleteMFARegistration(e.ctx, p.Token, e.client)
	if err != nil || !done.Principal.MFA || done.Principal.MFASerial != serial {
		t.Fatalf("CompleteMFARegistration = %+v, %v", done, err)
	}
	if serial != "arn:aws:iam::"+e.account+":mfa/root-account-mfa-device" {
		t.Fatalf("serial = %s", serial)
	}

	// From now on: the MFA step, any device suffices, each code once.
	e.clock.Advance(time.Minute)
	p = e.signInRoot(StepMFA)
	if len(p.Devices) != 1 || p.Devices[0].Serial != serial || p.Devices[0].Type != iam.MFAVirtual {
		t.Fatalf("devices = %+v", p.Devices)
	}
	_, err = e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: "000000"}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	good := testutil.TOTPCode(t, seed, e.clock.Now())
	done, err = e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: good}, e.client)
	if err != nil || done.Next != StepDone || !done.Principal.MFA {
		t.Fatalf("CompleteMFA = %+v, %v", done, err)
	}
	// The same code on a new sign-in is refused: each step is accepted once.
	p = e.signInRoot(StepMFA)
	_, err = e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: good}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	// One step of skew either way is accepted.
	e.clock.Advance(time.Minute)
	done, err = e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: testutil.TOTPCode(t, seed, e.clock.Now().Add(30*time.Second))}, e.client)
	if err != nil || done.Next != StepDone {
		t.Fatalf("code one step ahead = %+v, %v", done, err)
	}

	// Events: successes with MFAUsed and MFAIdentifier.
	var withMFA int
	for _, ev := range e.events("ConsoleLogin") {
		if ev.ResponseElements["ConsoleLogin"] == "Success" && ev.AdditionalEventData["MFAUsed"] == "Yes" {
			withMFA++
			if ev.AdditionalEventData["MFAIdentifier"] != serial || ev.UserIdentity.ARN != "arn:aws:iam::"+e.account+":root" {
				t.Fatalf("event = %+v", ev)
			}
		}
	}
	if withMFA != 3 {
		t.Fatalf("%d successful sign-ins with MFA recorded, want 3", withMFA)
	}
	if len(e.events("EnableMFADevice")) != 1 {
		t.Fatal("EnableMFADevice not recorded")
	}
	created := e.events("CreateVirtualMFADevice")
	if len(created) != 1 {
		t.Fatalf("%d CreateVirtualMFADevice events", len(created))
	}
	if b, _ := json.Marshal(created[0]); strings.Contains(string(b), seed) || !strings.Contains(string(b), trail.Hidden) {
		t.Fatalf("the seed is not hidden: %s", b)
	}
}

func TestPendingTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seed, serial := e.enrolTOTP(e.account, "", "")
	e.clock.Advance(time.Minute)
	p := e.signInRoot(StepMFA)
	// Three wrong codes end the pending sign-in.
	for range 3 {
		_, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: "123456"}, e.client)
		testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	}
	_, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: testutil.TOTPCode(t, seed, e.clock.Now())}, e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)
	// A pending sign-in lasts ten minutes.
	p = e.signInRoot(StepMFA)
	e.clock.Advance(10*time.Minute + time.Second)
	_, err = e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: testutil.TOTPCode(t, seed, e.clock.Now())}, e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)
	// A token of one step does not open another.
	p = e.signInRoot(StepMFA)
	_, _, err = e.svc.PendingSubject(e.ctx, p.Token)
	testutil.WantCode(t, err, awserr.ExpiredToken)
	_, err = e.svc.CompleteMFA(e.ctx, "forged-token", MFAResponse{Serial: serial, Code: "123456"}, e.client)
	testutil.WantCode(t, err, awserr.ExpiredToken)
}

// Every root user with credentials — a member account's too, as AWS has required since June
// 2025 — registers MFA within the 35-day window and cannot remove its last device. (Membership
// itself is wired in cmd/rootward: TestRootUserFollowsOrganizations signs a real member in.)
func TestRootMFARequiredEverywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.signInRoot(StepMFARegistration)
	if !p.RegistrationOptional || p.MFADeadline.IsZero() {
		t.Fatalf("first sign-in = %+v, want an optional registration with a deadline", p)
	}
	_, serial := e.enrolTOTP(e.account, "", "")
	err := e.root.RemoveDevice(e.ctx, e.account, "", serial, e.client)
	testutil.WantCode(t, err, awserr.DeleteConflict)
}

// Up to eight devices of any mix; the ninth is refused; the last one of a required root stays.
func TestRootDeviceQuotaAndRemoval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const hwSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	var serials []string
	for i := range 4 {
		_, s := e.enrolTOTP(e.account, "", fmt.Sprintf("phone-%d", i))
		serials = append(serials, s)
	}
	for i := range 4 {
		now := e.clock.Now()
		s := fmt.Sprintf("GAHT0000%04d", i)
		if err := e.root.EnableHardwareDevice(e.ctx, e.account, "", s, hwSeed, testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now), e.client); err != nil {
			t.Fatal(err)
		}
		serials = append(serials, s)
		e.clock.Advance(time.Minute)
	}
	enr, err := e.root.CreateTOTPDevice(e.ctx, e.account, "", "ninth", e.client)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	err = e.root.EnableTOTPDevice(e.ctx, e.account, "", enr.Serial, testutil.TOTPCode(t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(t, enr.Seed, now), e.client)
	testutil.WantCode(t, err, awserr.LimitExceeded)
	_, _, err = e.root.BeginWebAuthnRegistration(e.ctx, e.account, "", "key")
	testutil.WantCode(t, err, awserr.LimitExceeded)

	devices, _ := e.root.Devices(e.ctx, e.account, "")
	if len(devices) != 8 {
		t.Fatalf("%d devices", len(devices))
	}
	// Any device signs in: a hardware token here.
	p := e.signInRoot(StepMFA)
	if len(p.Devices) != 8 {
		t.Fatalf("sign-in offers %d devices", len(p.Devices))
	}
	done, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: "GAHT00000002", Code: testutil.TOTPCode(t, hwSeed, e.clock.Now())}, e.client)
	if err != nil || done.Principal.MFASerial != "GAHT00000002" {
		t.Fatalf("hardware MFA = %+v, %v", done, err)
	}
	for _, s := range serials[:7] {
		testutil.WantCode(t, e.root.RemoveDevice(e.ctx, e.account, "", s, e.client), "")
	}
	testutil.WantCode(t, e.root.RemoveDevice(e.ctx, e.account, "", serials[7], e.client), awserr.DeleteConflict)
	// The virtual devices are gone, not just unassigned: their seeds no longer exist.
	left, _ := e.iam.ListVirtualMFADevices(e.ctx, e.account, "Any", iam.ListOpts{})
	if len(left.Items) != 1 { // the unassigned "ninth"
		t.Fatalf("virtual devices left = %d", len(left.Items))
	}
	if len(e.events("DeactivateMFADevice")) != 8 {
		t.Fatalf("DeactivateMFADevice events = %d", len(e.events("DeactivateMFADevice")))
	}
}

func TestUserSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := e.ctx
	if err := e.iam.CreateAccountAlias(ctx, e.account, "example-prod"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		if _, err := e.iam.CreateUser(ctx, e.account, iam.CreateUserInput{UserName: u}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.iam.CreateLoginProfile(ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(ctx, e.account, "bob", "Bob-Pass-11", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(ctx, e.account, "carol", "Carol-Pass-1", true); err != nil {
		t.Fatal(err)
	}
	carolSeed, carolSerial := e.enrolTOTP(e.account, "carol", "")

	cases := []struct {
		name, account, user, pw string
		code                    awserr.Code
		step                    Step
	}{
		{"by account ID", e.account, "alice", "Alice-Pass-1", "", StepDone},
		{"by alias", "example-prod", "Alice", "Alice-Pass-1", "", StepDone},
		{"wrong password", e.account, "alice", "Alice-Pass-2", awserr.AccessDenied, ""},
		{"unknown user", e.account, "mallory", "Alice-Pass-1", awserr.AccessDenied, ""},
		{"unknown alias", "no-such-alias", "alice", "Alice-Pass-1", awserr.AccessDenied, ""},
		{"no login profile", e.account, "dave", "Alice-Pass-1", awserr.AccessDenied, ""},
		{"reset required", e.account, "bob", "Bob-Pass-11", "", StepPasswordChange},
		{"MFA first, then reset", e.account, "carol", "Carol-Pass-1", "", StepMFA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.svc.BeginUserSignIn(ctx, tc.account, tc.user, tc.pw, e.client)
			testutil.WantCode(t, err, tc.code)
			if err != nil {
				if err.Error() != errSignIn.Error() {
					t.Fatalf("answer %q differs from the common one", err)
				}
				return
			}
			if p.Next != tc.step {
				t.Fatalf("step = %s, want %s", p.Next, tc.step)
			}
			if p.Kind != KindIAMUser {
				t.Fatalf("kind = %q, want %q", p.Kind, KindIAMUser)
			}
			if p.Next == StepDone && (p.Principal.Root || p.Principal.UserName != "alice" || p.Principal.ARN != "arn:aws:iam::"+e.account+":user/alice") {
				t.Fatalf("principal = %+v", p.Principal)
			}
		})
	}

	// Bob's forced change: the old password must be right and the new one must follow the policy.
	p, _ := e.svc.BeginUserSignIn(ctx, e.account, "bob", "Bob-Pass-11", e.client)
	_, err := e.svc.CompletePasswordChange(ctx, p.Token, "wrong-old", "Bob-Pass-22", e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
	_, err = e.svc.CompletePasswordChange(ctx, p.Token, "Bob-Pass-11", "short", e.client)
	testutil.WantCode(t, err, awserr.PasswordPolicyViolation)
	done, err := e.svc.CompletePasswordChange(ctx, p.Token, "Bob-Pass-11", "Bob-Pass-22", e.client)
	if err != nil || done.Next != StepDone || done.Principal.UserName != "bob" {
		t.Fatalf("password change = %+v, %v", done, err)
	}
	if p, err := e.svc.BeginUserSignIn(ctx, e.account, "bob", "Bob-Pass-22", e.client); err != nil || p.Next != StepDone {
		t.Fatalf("bob after change = %+v, %v", p, err)
	}

	// Carol: MFA, then the forced change.
	e.clock.Advance(time.Minute)
	p, _ = e.svc.BeginUserSignIn(ctx, e.account, "carol", "Carol-Pass-1", e.client)
	next, err := e.svc.CompleteMFA(ctx, p.Token, MFAResponse{Serial: carolSerial, Code: testutil.TOTPCode(t, carolSeed, e.clock.Now())}, e.client)
	if err != nil || next.Next != StepPasswordChange {
		t.Fatalf("carol after MFA = %+v, %v", next, err)
	}
	done, err = e.svc.CompletePasswordChange(ctx, next.Token, "Carol-Pass-1", "Carol-Pass-2", e.client)
	if err != nil || !done.Principal.MFA || done.Principal.MFASerial != carolSerial {
		t.Fatalf("carol done = %+v, %v", done, err)
	}
	// Root's MFA rules do not apply to IAM users; their events name them.
	var userLogins int
	for _, ev := range e.events("ConsoleLogin") {
		if ev.UserIdentity.Type == "IAMUser" && ev.ResponseElements["ConsoleLogin"] == "Success" {
			userLogins++
		}
	}
	if userLogins != 5 {
		t.Fatalf("%d IAM user sign-ins recorded, want 5", userLogins)
	}
}

func TestUserPasswordExpiry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		hardExpiry bool
		code       awserr.Code
		step       Step
	}{
		{"soft expiry forces a change", false, "", StepPasswordChange},
		{"hard expiry refuses", true, awserr.AccessDenied, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
				t.Fatal(err)
			}
			age := 30
			if err := e.iam.UpdateAccountPasswordPolicy(e.ctx, e.account, iam.PasswordPolicyInput{MaxPasswordAge: &age, HardExpiry: &tc.hardExpiry, AllowUsersToChangePassword: true}); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(31 * 24 * time.Hour)
			p, err := e.svc.BeginUserSignIn(e.ctx, e.account, "alice", "Alice-Pass-1", e.client)
			testutil.WantCode(t, err, tc.code)
			if err == nil && p.Next != tc.step {
				t.Fatalf("step = %s", p.Next)
			}
		})
	}
}

func TestSessionEpoch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.principal()
	if ok, err := e.root.SessionValid(e.ctx, p); !ok || err != nil {
		t.Fatalf("fresh session valid = %v, %v", ok, err)
	}
	if _, err := e.root.EndAllSessions(e.ctx, e.account, ""); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.root.SessionValid(e.ctx, p); ok {
		t.Fatal("session survived sign out everywhere")
	}
	p2 := e.principal()
	if ok, _ := e.root.SessionValid(e.ctx, p2); !ok {
		t.Fatal("new session invalid")
	}
	// Changing the password ends the others, not the caller's.
	np, err := e.root.ChangeRootPassword(e.ctx, p2, rootPass, "Persimmon-Otter-77", e.client)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.root.SessionValid(e.ctx, p2); ok {
		t.Fatal("old session survived the password change")
	}
	if ok, _ := e.root.SessionValid(e.ctx, np); !ok {
		t.Fatal("the changing session ended")
	}
	_, err = e.root.ChangeRootPassword(e.ctx, np, "wrong", "Persimmon-Otter-78", e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
	_, err = e.root.ChangeRootPassword(e.ctx, np, "Persimmon-Otter-77", "Password1", e.client)
	testutil.WantCode(t, err, awserr.PasswordPolicyViolation) // breached list
	_, err = e.root.ChangeRootPassword(e.ctx, np, "Persimmon-Otter-77", "root@example.com!!", e.client)
	testutil.WantCode(t, err, awserr.PasswordPolicyViolation) // too close to the email
	if n := len(e.events("PasswordUpdated")); n != 4 {
		t.Fatalf("PasswordUpdated events = %d, want 4 (1 success, 3 failures)", n)
	}
	if m := e.lastMessage(rootEmail, rootuser.PurposePasswordChanged); m.Subject == "" {
		t.Fatal("no notice of the password change")
	}
}

// TestRootMFACodeUsed: a code accepted once and presented again within its step is refused as a
// wrong code is (the same AWS error, counted by the same limits), but marked iam.ErrMFACodeUsed
// so the console can say to wait for the next code; a wrong code is not marked.
func TestRootMFACodeUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.signInRoot(StepMFARegistration)
	seed, serial := e.enrolTOTP(e.account, "", "")
	if _, err := e.svc.CompleteMFARegistration(e.ctx, p.Token, e.client); err != nil {
		t.Fatal(err)
	}
	// The code shown while registering was accepted by the registration already.
	registered := testutil.TOTPCode(t, seed, e.clock.Now())
	p = e.signInRoot(StepMFA)
	_, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: registered}, e.client)
	testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
	if !errors.Is(err, iam.ErrMFACodeUsed) {
		t.Fatalf("the registration's code: err = %v, want it marked iam.ErrMFACodeUsed", err)
	}

	e.clock.Advance(30 * time.Second)
	good := testutil.TOTPCode(t, seed, e.clock.Now())
	if _, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: good}, e.client); err != nil {
		t.Fatal(err)
	}
	// Signed out, then in again within the same 30-second step: the code is spent.
	e.clock.Advance(5 * time.Second)
	for _, tc := range []struct {
		name, code string
		used       bool
	}{
		{"same code again", good, true},
		{"wrong code", "000000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.signInRoot(StepMFA)
			_, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: tc.code}, e.client)
			testutil.WantCode(t, err, awserr.InvalidAuthenticationCode)
			if used := errors.Is(err, iam.ErrMFACodeUsed); used != tc.used {
				t.Fatalf("errors.Is(%v, iam.ErrMFACodeUsed) = %v, want %v", err, used, tc.used)
			}
		})
	}
	// A used code counts as a wrong answer: three end the pending sign-in.
	p = e.signInRoot(StepMFA)
	for i := range 3 {
		_, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: good}, e.client)
		if !errors.Is(err, iam.ErrMFACodeUsed) {
			t.Fatalf("used code %d: err = %v, want it marked iam.ErrMFACodeUsed", i+1, err)
		}
	}
	if _, err := e.svc.CompleteMFA(e.ctx, p.Token, MFAResponse{Serial: serial, Code: testutil.TOTPCode(t, seed, e.clock.Now().Add(30*time.Second))}, e.client); !awserr.IsCode(err, awserr.ExpiredToken) {
		t.Fatalf("after three used codes: err = %v, want ExpiredToken", err)
	}
	var failed int
	for _, ev := range e.events("ConsoleLogin") {
		if ev.ResponseElements["ConsoleLogin"] == "Failure" {
			failed++
		}
	}
	if failed != 6 {
		t.Fatalf("%d failed sign-ins recorded, want 6 (every refused code)", failed)
	}
}
