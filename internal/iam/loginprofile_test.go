package iam

import (
	"context"
	"github.com/rootward/rootward/internal/testutil"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store/testbackend"
)

// credEnv is a Service on a fresh SQLite store with one account and cheap password hashing.
type credEnv struct {
	svc     *Service
	clock   *testutil.Clock
	account *Account
	ctx     context.Context
}

func newCredEnv(t *testing.T) *credEnv {
	t.Helper()
	st := testbackend.Open(t) // PostgreSQL when ROOTWARD_TEST_POSTGRES is set, SQLite otherwise
	sealer := testutil.Sealer(t)
	// A time in the middle of a 30-second TOTP step, so ±1 step tests are unambiguous.
	clk := testutil.NewClock(time.Date(2026, 3, 14, 15, 9, 15, 0, time.UTC))
	svc := New(st, sealer, WithClock(clk.Now), WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	ctx := context.Background()
	acct, err := svc.CreateAccount(ctx, "Acme-Prod", "root@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	return &credEnv{svc: svc, clock: clk, account: acct, ctx: ctx}
}

func (e *credEnv) user(t *testing.T, name string) {
	t.Helper()
	if _, err := e.svc.CreateUser(e.ctx, e.account.ID, CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckPassword(t *testing.T) {
	acct := &Account{Name: "Acme-Prod", Email: "root@acme.example"}
	custom := &PasswordPolicy{MinimumPasswordLength: 12}
	strict := &PasswordPolicy{MinimumPasswordLength: 6, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}
	for _, tc := range []struct {
		name   string
		pw     string
		policy *PasswordPolicy
		ok     bool
	}{
		{"default: three classes", "Correct7horse", nil, true},
		{"default: lower digits symbol", "correct7horse!", nil, true},
		{"default: apostrophe is a symbol", "correct'horse7", nil, true},
		{"default: two classes", "correcthorse7", nil, false},
		{"default: seven characters", "Abcde1!", nil, false},
		{"default: eight characters", "Abcdef1!", nil, true},
		{"default: 128 characters", "Aa1" + strings.Repeat("x", 125), nil, true},
		{"default: 129 characters", "Aa1" + strings.Repeat("x", 126), nil, false},
		{"default: account name", "Acme-Prod", nil, false},
		{"default: account name any case", "aCME-pROD", nil, false},
		{"default: email", "ROOT@acme.example", nil, false},
		{"default: unlisted symbols do not count", "correcthorse~`", nil, false},
		{"custom: length only", "aaaaaaaaaaaa", custom, true},
		{"custom: too short", "aaaaaaaaaaa", custom, false},
		{"custom: account name allowed", "Acme-Prod-Acme", custom, true},
		{"strict: all classes", "Aa1!aa", strict, true},
		{"strict: no symbol", "Aa1aaa", strict, false},
		{"strict: no digit", "Aa!aaa", strict, false},
		{"strict: no upper", "aa1!aa", strict, false},
		{"strict: no lower", "AA1!AA", strict, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.pw, tc.policy, acct)
			if tc.ok {
				testutil.WantCode(t, err, "")
				return
			}
			testutil.WantCode(t, err, awserr.PasswordPolicyViolation)
			if strings.Contains(err.Error(), tc.pw) {
				t.Fatalf("error %q contains the password", err)
			}
		})
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	_, err := e.svc.GetAccountPasswordPolicy(e.ctx, acct)
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteAccountPasswordPolicy(e.ctx, acct), awserr.NoSuchEntity)

	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		name string
		in   PasswordPolicyInput
		code awserr.Code
	}{
		{"min length 5", PasswordPolicyInput{MinimumPasswordLength: n(5)}, awserr.ValidationError},
		{"min length 129", PasswordPolicyInput{MinimumPasswordLength: n(129)}, awserr.ValidationError},
		{"max age 0", PasswordPolicyInput{MaxPasswordAge: n(0)}, awserr.ValidationError},
		{"max age 1096", PasswordPolicyInput{MaxPasswordAge: n(1096)}, awserr.ValidationError},
		{"reuse 25", PasswordPolicyInput{PasswordReusePrevention: n(25)}, awserr.ValidationError},
		{"reuse 0", PasswordPolicyInput{PasswordReusePrevention: n(0)}, awserr.ValidationError},
		{"bounds", PasswordPolicyInput{MinimumPasswordLength: n(128), MaxPasswordAge: n(1095), PasswordReusePrevention: n(24)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.UpdateAccountPasswordPolicy(e.ctx, acct, tc.in), tc.code)
		})
	}

	// Every violated parameter in one message, and nothing changes.
	err = e.svc.UpdateAccountPasswordPolicy(e.ctx, acct, PasswordPolicyInput{MinimumPasswordLength: n(5), MaxPasswordAge: n(2000), PasswordReusePrevention: n(3)})
	want := "2 validation errors detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6; " +
		"Value '2000' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"
	if e, ok := awserr.As(err); !ok || e.Code != awserr.ValidationError || e.Message != want {
		t.Fatalf("two violations: got %v, want ValidationError %q", err, want)
	}

	// No partial updates: what is not sent returns to its default.
	hard := true
	if err := e.svc.UpdateAccountPasswordPolicy(e.ctx, acct, PasswordPolicyInput{RequireSymbols: true, MaxPasswordAge: n(90), HardExpiry: &hard}); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.GetAccountPasswordPolicy(e.ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if p.MinimumPasswordLength != 6 || !p.RequireSymbols || p.RequireNumbers || p.MaxPasswordAge != 90 || !p.ExpirePasswords() ||
		p.PasswordReusePrevention != 0 || p.HardExpiry == nil || !*p.HardExpiry {
		t.Fatalf("policy = %+v", p)
	}
	if err := e.svc.UpdateAccountPasswordPolicy(e.ctx, acct, PasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	if p, _ = e.svc.GetAccountPasswordPolicy(e.ctx, acct); p.RequireSymbols || p.ExpirePasswords() || p.HardExpiry != nil {
		t.Fatalf("policy after reset = %+v", p)
	}
	testutil.WantCode(t, e.svc.DeleteAccountPasswordPolicy(e.ctx, acct), "")
	_, err = e.svc.GetAccountPasswordPolicy(e.ctx, acct)
	testutil.WantCode(t, err, awserr.NoSuchEntity)
}

func TestLoginProfileLifecycle(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")

	_, err := e.svc.GetLoginProfile(e.ctx, acct, "alice")
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	for _, tc := range []struct {
		name, user, pw string
		code           awserr.Code
	}{
		{"no such user", "nobody", "Correct7horse", awserr.NoSuchEntity},
		{"missing password", "alice", "", awserr.ValidationError},
		{"control character", "alice", "Correct7\x01horse", awserr.ValidationError},
		{"too weak for the default policy", "alice", "password", awserr.PasswordPolicyViolation},
		{"account name", "alice", "Acme-Prod", awserr.PasswordPolicyViolation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateLoginProfile(e.ctx, acct, tc.user, tc.pw, false)
			testutil.WantCode(t, err, tc.code)
		})
	}
	lp, err := e.svc.CreateLoginProfile(e.ctx, acct, "alice", "Correct7horse", true)
	if err != nil {
		t.Fatal(err)
	}
	if lp.UserName != "alice" || !lp.PasswordResetRequired || !lp.CreateDate.Equal(e.clock.Now()) || len(lp.Hashes) != 1 ||
		strings.Contains(lp.Hashes[0], "Correct7horse") || !strings.HasPrefix(lp.Hashes[0], "$argon2id$") {
		t.Fatalf("CreateLoginProfile = %+v", lp)
	}
	_, err = e.svc.CreateLoginProfile(e.ctx, acct, "ALICE", "Correct7horse", false)
	testutil.WantCode(t, err, awserr.EntityAlreadyExists)

	// Reset flag alone.
	f := false
	testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alice", nil, &f), "")
	if got, _ := e.svc.GetLoginProfile(e.ctx, acct, "alice"); got.PasswordResetRequired || len(got.Hashes) != 1 {
		t.Fatalf("after reset flag update: %+v", got)
	}

	// Reuse prevention of 2: the current and the previous password are refused, older ones not.
	two := 2
	if err := e.svc.UpdateAccountPasswordPolicy(e.ctx, acct, PasswordPolicyInput{PasswordReusePrevention: &two, AllowUsersToChangePassword: true}); err != nil {
		t.Fatal(err)
	}
	pw := func(s string) *string { return &s }
	testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alice", pw("Second-pass"), nil), "")
	testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alice", pw("Third-pass"), nil), "")
	for _, tc := range []struct {
		name, pw string
		code     awserr.Code
	}{
		{"current password", "Third-pass", awserr.PasswordPolicyViolation},
		{"previous password", "Second-pass", awserr.PasswordPolicyViolation},
		{"too short for the custom policy", "Ab1!", awserr.PasswordPolicyViolation},
		{"third most recent", "Correct7horse", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alice", &tc.pw, nil), tc.code)
		})
	}

	// ChangePassword: the old password must verify; the reset flag is cleared.
	tr := true
	testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alice", nil, &tr), "")
	e.clock.Advance(time.Hour)
	testutil.WantCode(t, e.svc.ChangePassword(e.ctx, acct, "alice", "wrong-password", "Fourth-pass"), awserr.AccessDenied)
	testutil.WantCode(t, e.svc.ChangePassword(e.ctx, acct, "alice", "Correct7horse", "Third-pass"), awserr.PasswordPolicyViolation)
	testutil.WantCode(t, e.svc.ChangePassword(e.ctx, acct, "alice", "Correct7horse", "Fourth-pass"), "")
	got, err := e.svc.VerifyUserPassword(e.ctx, acct, "alice", "Fourth-pass")
	if err != nil || got.PasswordResetRequired || !got.PasswordLastChanged.Equal(e.clock.Now()) || len(got.Hashes) != 5 {
		t.Fatalf("VerifyUserPassword = %+v, %v", got, err)
	}
	for _, bad := range []struct{ name, user, pw string }{
		{"old password", "alice", "Correct7horse"},
		{"unknown user", "bob", "Fourth-pass"},
	} {
		t.Run("verify "+bad.name, func(t *testing.T) {
			_, err := e.svc.VerifyUserPassword(e.ctx, acct, bad.user, bad.pw)
			testutil.WantCode(t, err, awserr.AccessDenied)
		})
	}
	p, _ := e.svc.GetAccountPasswordPolicy(e.ctx, acct)
	if exp := got.PasswordExpiry(p); exp != nil {
		t.Fatalf("expiry without MaxPasswordAge = %v", exp)
	}
	p.MaxPasswordAge = 30
	if exp := got.PasswordExpiry(p); exp == nil || !exp.Equal(e.clock.Now().AddDate(0, 0, 30)) {
		t.Fatalf("expiry = %v", exp)
	}

	// The profile moves with a renamed user and blocks its deletion.
	testutil.WantCode(t, e.svc.UpdateUser(e.ctx, acct, "alice", "alicia", ""), "")
	if got, err := e.svc.GetLoginProfile(e.ctx, acct, "alicia"); err != nil || got.UserName != "alicia" {
		t.Fatalf("GetLoginProfile after rename = %+v, %v", got, err)
	}
	testutil.WantCode(t, e.svc.DeleteUser(e.ctx, acct, "alicia"), awserr.DeleteConflict)
	testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, "alicia"), "")
	testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, "alicia"), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.UpdateLoginProfile(e.ctx, acct, "alicia", nil, &tr), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.ChangePassword(e.ctx, acct, "alicia", "Fourth-pass", "Fifth-pass!"), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteUser(e.ctx, acct, "alicia"), "")
}

func TestRootLoginProfile(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	_, err := e.svc.GetLoginProfile(e.ctx, acct, "")
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, ""), awserr.NoSuchEntity)
	if err := e.svc.SetRootPassword(e.ctx, acct, "Root-Password-1"); err != nil {
		t.Fatal(err)
	}
	lp, err := e.svc.GetLoginProfile(e.ctx, acct, "")
	if err != nil || lp.UserName != "" || !lp.CreateDate.Equal(e.clock.Now()) {
		t.Fatalf("root GetLoginProfile = %+v, %v", lp, err)
	}
	testutil.WantCode(t, e.svc.DeleteLoginProfile(e.ctx, acct, ""), "")
	if a, _ := e.svc.GetAccount(e.ctx, acct); a.RootPasswordHash != "" || a.RootPasswordChange != nil {
		t.Fatalf("root password not removed: %+v", a)
	}
}

func TestLoginProfileStringHidesHashes(t *testing.T) {
	lp := LoginProfile{UserName: "alice", Hashes: []string{"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}}
	if s := lp.String(); strings.Contains(s, "argon2id") || !strings.Contains(s, "alice") {
		t.Fatalf("String() = %q", s)
	}
}
