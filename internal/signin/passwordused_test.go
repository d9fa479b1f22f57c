package signin

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
)

// A right password at sign-in is recorded as the password's last use (GetUser's PasswordLastUsed,
// the credential report's password_last_used); a wrong one is not.
func TestSignInRecordsPasswordUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := e.ctx
	if _, err := e.iam.CreateUser(ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	lastUsed := func(user string) *time.Time {
		t.Helper()
		if user == "" {
			a, err := e.iam.GetAccount(ctx, e.account)
			if err != nil {
				t.Fatal(err)
			}
			return a.RootPasswordLastUsed
		}
		u, err := e.iam.GetUser(ctx, e.account, user)
		if err != nil {
			t.Fatal(err)
		}
		return u.PasswordLastUsed
	}
	var rootWant, aliceWant *time.Time // what each last use should be after the step
	cases := []struct {
		name     string
		root     bool
		pw       string
		wantCode awserr.Code
	}{
		{name: "user wrong password", pw: "Alice-Pass-2", wantCode: awserr.AccessDenied},
		{name: "user right password", pw: "Alice-Pass-1"},
		{name: "root wrong password", root: true, pw: rootPass + "x", wantCode: awserr.AccessDenied},
		{name: "root right password", root: true, pw: rootPass},
		{name: "user wrong password later", pw: "Alice-Pass-2", wantCode: awserr.AccessDenied},
		{name: "user right password later", pw: "Alice-Pass-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.Advance(time.Minute) // each step at a distinct time
			var err error
			if tc.root {
				_, err = e.svc.BeginRootSignIn(ctx, rootEmail, tc.pw, e.client)
			} else {
				_, err = e.svc.BeginUserSignIn(ctx, e.account, "alice", tc.pw, e.client)
			}
			testutil.WantCode(t, err, tc.wantCode)
			if err == nil {
				now := e.clock.Now().UTC().Truncate(time.Second)
				if tc.root {
					rootWant = &now
				} else {
					aliceWant = &now
				}
			}
			for _, c := range []struct {
				user string
				want *time.Time
			}{{"", rootWant}, {"alice", aliceWant}} {
				got := lastUsed(c.user)
				if (got == nil) != (c.want == nil) || got != nil && !got.Equal(*c.want) {
					t.Fatalf("password last used of %q = %v, want %v", c.user, got, c.want)
				}
			}
		})
	}
}
