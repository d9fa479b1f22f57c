package authz_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
)

type env struct {
	ctx   context.Context
	iam   *iam.Service
	authz *authz.Authorizer
	acct  string
	clock *testutil.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testutil.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	svc := iam.New(testbackend.Open(t), testutil.Sealer(t), iam.WithClock(clk.Now),
		iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	ctx := context.Background()
	a, err := svc.CreateAccount(ctx, "authz", "root+authz@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	return &env{ctx: ctx, iam: svc, authz: authz.New(svc, orgs.New(svc)), acct: a.ID, clock: clk}
}

// user creates a user with an inline policy and returns it as a caller.
func (e *env) user(t *testing.T, name, doc string) *authz.Identity {
	t.Helper()
	u, err := e.iam.CreateUser(e.ctx, e.acct, iam.CreateUserInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if err := e.iam.PutInlinePolicy(e.ctx, e.acct, "user", name, "p", doc); err != nil {
			t.Fatal(err)
		}
	}
	return &authz.Identity{Account: e.acct, Type: iam.PrincipalUser, ARN: u.Arn, PrincipalARN: u.Arn, UserID: u.UserID, UserName: name}
}

func (e *env) request(id *authz.Identity) *authz.Request {
	return &authz.Request{Ctx: e.ctx, Caller: id, Now: e.clock.Now(), SourceIP: "192.0.2.7", Region: "us-east-1"}
}

const allowUsersFromDocNet = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*",
	"Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"StringEquals":{"aws:RequestedRegion":"us-east-1","iam:Special":"yes"}}}]}`

// Check decides with the caller's policies, the global keys it fills and the action's own keys,
// and answers AccessDenied in AWS's words.
func TestCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user(t, "alice", allowUsersFromDocNet)
	special := func(ctx *policy.Context) { ctx.Set("iam:Special", "yes") }

	if err := e.authz.Check(e.request(alice), "iam:GetUser", "*", special); err != nil {
		t.Fatalf("allowed call: got %v, want nil", err)
	}
	err := e.authz.Check(e.request(alice), "iam:GetUser", "*", nil)
	testutil.WantCode(t, err, awserr.AccessDenied)
	want := "User: " + alice.ARN + " is not authorized to perform: iam:GetUser on resource: *"
	if e, _ := awserr.As(err); !strings.HasPrefix(e.Message, want) {
		t.Errorf("message = %q, want it to start %q", e.Message, want)
	}
	far := e.request(alice)
	far.SourceIP = "198.51.100.1"
	testutil.WantCode(t, e.authz.Check(far, "iam:GetUser", "*", special), awserr.AccessDenied)
	testutil.WantCode(t, e.authz.Check(e.request(alice), "iam:DeleteUser", "*", special), awserr.AccessDenied)
}

// A write through this node reaches the cached policy set at once; a deleted user's credentials
// name no one.
func TestCacheFollowsWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob := e.user(t, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	if err := e.authz.Check(e.request(bob), "iam:ListUsers", "*", nil); err != nil {
		t.Fatalf("before the deny: got %v, want nil", err)
	}
	if err := e.iam.PutInlinePolicy(e.ctx, e.acct, "user", "bob", "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, e.authz.Check(e.request(bob), "iam:ListUsers", "*", nil), awserr.AccessDenied)

	if err := e.iam.DeleteInlinePolicy(e.ctx, e.acct, "user", "bob", "deny"); err != nil {
		t.Fatal(err)
	}
	if err := e.authz.Check(e.request(bob), "iam:ListUsers", "*", nil); err != nil {
		t.Fatalf("after the deny went: got %v, want nil", err)
	}
	if err := e.iam.DeleteInlinePolicy(e.ctx, e.acct, "user", "bob", "p"); err != nil {
		t.Fatal(err)
	}
	if err := e.iam.DeleteUser(e.ctx, e.acct, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := e.authz.Check(e.request(bob), "iam:ListUsers", "*", nil); !errors.Is(err, authz.ErrInvalidToken) {
		t.Fatalf("deleted user: got %v, want ErrInvalidToken", err)
	}
	// A user created again under the same name is another principal: bob's identity (the old
	// unique ID) still names no one.
	e.user(t, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	if err := e.authz.Check(e.request(bob), "iam:ListUsers", "*", nil); !errors.Is(err, authz.ErrInvalidToken) {
		t.Fatalf("old bob after a new bob: got %v, want ErrInvalidToken", err)
	}
}

// The root user is allowed everything in a standalone account; a console principal's identity
// carries the session facts its keys need.
func TestRootAndConsolePrincipal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root, err := authz.IdentityOf(e.ctx, e.iam, authz.Principal{Account: e.acct, SessionID: "cs-1", IssuedAt: e.clock.Now(), MFA: true, MFATime: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if root.Type != iam.PrincipalRoot || root.Session == nil || !root.Session.MFA {
		t.Fatalf("root identity = %+v, want a root session with MFA", root)
	}
	if err := e.authz.Check(e.request(root), "iam:DeleteUser", "*", nil); err != nil {
		t.Fatalf("root: got %v, want nil", err)
	}
	mfaOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	carol := e.user(t, "carol", mfaOnly)
	withMFA, err := authz.IdentityOf(e.ctx, e.iam, authz.Principal{Account: e.acct, UserName: "carol", UserID: carol.UserID, IssuedAt: e.clock.Now(), MFA: true, MFATime: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.authz.Check(e.request(withMFA), "iam:ListUsers", "*", nil); err != nil {
		t.Fatalf("console user with MFA: got %v, want nil", err)
	}
	noMFA, err := authz.IdentityOf(e.ctx, e.iam, authz.Principal{Account: e.acct, UserName: "carol", IssuedAt: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, e.authz.Check(e.request(noMFA), "iam:ListUsers", "*", nil), awserr.AccessDenied)
	if _, err := authz.IdentityOf(e.ctx, e.iam, authz.Principal{Account: e.acct, UserName: "carol", UserID: "AIDAOTHER"}); !errors.Is(err, authz.ErrInvalidToken) {
		t.Fatalf("another carol's session: got %v, want ErrInvalidToken", err)
	}
}
