package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// The tests run api.Invoke and api.Allowed on a service of their own, a few IAM user operations
// written here over internal/iam, so that they show the Runner's part — authorization as the
// principal, the CloudTrail record, the typed result — whatever the real service packages become.

type userNameInput struct {
	UserName string `required:"true"`
}

type userOutput struct {
	User *iam.User `xml:"User"`
}

type listUsersOutput struct {
	Users []iam.User `xml:"Users>member"`
}

func userARN(c *api.Call, in *userNameInput) string {
	return arn.IAMEntity(c.Account(), "user", "/", in.UserName)
}

var (
	ops       api.Table
	listUsers = api.Add(&ops, &api.Op[struct{}, listUsersOutput]{Name: "ListUsers",
		Run: func(c *api.Call, _ *struct{}) (*listUsersOutput, error) {
			p, err := c.IAM.ListUsers(c.Ctx, c.Account(), "", iam.ListOpts{})
			if err != nil {
				return nil, err
			}
			return &listUsersOutput{Users: p.Items}, nil
		}})
	getUser = api.Add(&ops, &api.Op[userNameInput, userOutput]{Name: "GetUser", Resource: userARN,
		Run: func(c *api.Call, in *userNameInput) (*userOutput, error) {
			u, err := c.IAM.GetUser(c.Ctx, c.Account(), in.UserName)
			if err != nil {
				return nil, err
			}
			return &userOutput{User: u}, nil
		}})
	createUser = api.Add(&ops, &api.Op[userNameInput, userOutput]{Name: "CreateUser", Resource: userARN,
		Run: func(c *api.Call, in *userNameInput) (*userOutput, error) {
			u, err := c.IAM.CreateUser(c.Ctx, c.Account(), iam.CreateUserInput{UserName: in.UserName})
			if err != nil {
				return nil, err
			}
			return &userOutput{User: u}, nil
		}})
	deleteUser = api.Add(&ops, &api.Op[userNameInput, struct{}]{Name: "DeleteUser", Resource: userARN,
		Run: func(c *api.Call, in *userNameInput) (*struct{}, error) {
			return nil, c.IAM.DeleteUser(c.Ctx, c.Account(), in.UserName)
		}})
	// createAccessKey stands for a console step that is allowed as an operation before another
	// service carries it out (a root access key created after a confirmation).
	createAccessKey = api.Add(&ops, &api.Op[userNameInput, struct{}]{Name: "CreateAccessKey", Resource: userARN,
		Run: func(*api.Call, *userNameInput) (*struct{}, error) { panic("Allowed must not run the operation") }})
	// selfService is authorized by its own rule, as ChangePassword is: a user may call it on
	// itself only.
	selfService = api.Add(&ops, &api.Op[struct{}, struct{}]{Name: "ChangePassword",
		Authorize: func(c *api.Call, _ *struct{}) error {
			if c.Caller.UserName != "carol" {
				return c.Authorize("iam:ChangePassword", c.Caller.ARN, nil)
			}
			return nil
		},
		Run: func(*api.Call, *struct{}) (*struct{}, error) { return nil, nil }})
	// failing fails with an internal error, whose detail the caller must not see.
	failing = api.Add(&ops, &api.Op[struct{}, struct{}]{Name: "GetAccountSummary",
		Run: func(*api.Call, *struct{}) (*struct{}, error) {
			return nil, errInternal
		}})
)

var errInternal = errors.New("disk /var/lib/secret is full")

// validated refuses a bad input before authorization (api.Validator).
type validated struct{ MaxItems int }

func (v *validated) Validate() error {
	if v.MaxItems > 1000 {
		return awserr.New(awserr.ValidationError, "MaxItems must be at most 1000.")
	}
	return nil
}

var listValidated = api.Add(&ops, &api.Op[validated, struct{}]{Name: "ListGroups",
	Run: func(*api.Call, *validated) (*struct{}, error) { return nil, nil }})

type testEnv struct {
	*servertest.Env
	runner *api.Runner
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	e := servertest.New(t)
	svc := &api.Service{Name: "iam", Protocol: awsproto.AWSQuery, InternalCode: awserr.ServiceFailure, Ops: ops}
	r := api.NewRunner(api.Config{Deps: api.Deps{IAM: e.Svc}, Authz: authz.New(e.Svc, orgs.New(e.Svc)), Trail: e.Trail}, svc)
	return &testEnv{Env: e, runner: r}
}

func TestInvokeAuthorizesAsThePrincipal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.Account.ID
	// reader may list users only from 192.0.2.0/24 and only with MFA; nobody may DeleteUser.
	const readerPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "reader"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.PutInlinePolicy(ctx, acct, "user", "reader", "inline", readerPolicy); err != nil {
		t.Fatal(err)
	}
	signIn := time.Now().Add(-time.Minute)
	root := authz.Principal{Account: acct, SessionID: "s-root", IssuedAt: signIn}
	withMFA := authz.Principal{Account: acct, UserName: "reader", SessionID: "s-1", IssuedAt: signIn, MFA: true, MFATime: signIn}
	noMFA := authz.Principal{Account: acct, UserName: "reader", SessionID: "s-2", IssuedAt: signIn}
	gone := authz.Principal{Account: acct, UserName: "deleted-meanwhile", SessionID: "s-3", IssuedAt: signIn}

	list := func(r *http.Request, p authz.Principal) error {
		_, err := api.Invoke(e.runner, r, p, listUsers, &struct{}{})
		return err
	}
	tests := []struct {
		name     string
		p        authz.Principal
		ip       string
		call     func(*http.Request, authz.Principal) error
		wantCode awserr.Code // "" for success
	}{
		{"root may do anything", root, "198.51.100.7", list, ""},
		{"user allowed with MFA from the network", withMFA, "192.0.2.10", list, ""},
		{"user without MFA is denied", noMFA, "192.0.2.10", list, awserr.AccessDenied},
		{"user from another network is denied", withMFA, "198.51.100.7", list, awserr.AccessDenied},
		{"no policy allows DeleteUser", withMFA, "192.0.2.10", func(r *http.Request, p authz.Principal) error {
			_, err := api.Invoke(e.runner, r, p, deleteUser, &userNameInput{UserName: "admin"})
			return err
		}, awserr.AccessDenied},
		{"operation errors pass through", root, "192.0.2.10", func(r *http.Request, p authz.Principal) error {
			_, err := api.Invoke(e.runner, r, p, getUser, &userNameInput{UserName: "nobody"})
			return err
		}, awserr.NoSuchEntity},
		{"a deleted user's session is no longer valid", gone, "192.0.2.10", list, awserr.InvalidClientTokenID},
		{"an internal error is the service's, without its detail", root, "192.0.2.10", func(r *http.Request, p authz.Principal) error {
			_, err := api.Invoke(e.runner, r, p, failing, &struct{}{})
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("err = %v: the internal detail reached the caller", err)
			}
			return err
		}, awserr.ServiceFailure},
		{"a bad input is refused before anything runs", root, "192.0.2.10", func(r *http.Request, p authz.Principal) error {
			_, err := api.Invoke(e.runner, r, p, listValidated, &validated{MaxItems: 1001})
			return err
		}, awserr.ValidationError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, tc.call(servertest.ConsoleRequest(tc.ip), tc.p), tc.wantCode)
		})
	}
	t.Run("the deleted user does not exist", func(t *testing.T) {
		if _, err := e.Svc.GetUser(ctx, acct, "deleted-meanwhile"); !awserr.IsCode(err, awserr.NoSuchEntity) {
			t.Fatalf("precondition: %v", err)
		}
	})
}

func TestInvokeReturnsTheTypedResult(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := authz.Principal{Account: e.Account.ID, IssuedAt: time.Now()}
	users, err := api.Invoke(e.runner, servertest.ConsoleRequest("127.0.0.1"), root, listUsers, &struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 1 || users.Users[0].UserName != "admin" || !strings.HasSuffix(users.Users[0].Arn, ":user/admin") {
		t.Fatalf("ListUsers = %+v, want the admin user", users)
	}
	u, err := api.Invoke(e.runner, servertest.ConsoleRequest("127.0.0.1"), root, getUser, &userNameInput{UserName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if u.User == nil || u.User.UserName != "admin" {
		t.Fatalf("GetUser = %+v, want admin", u)
	}
	// An operation without output answers a nil result and no error.
	if _, err := api.Invoke(e.runner, servertest.ConsoleRequest("127.0.0.1"), root, createUser, &userNameInput{UserName: "dave"}); err != nil {
		t.Fatal(err)
	}
	out, err := api.Invoke(e.runner, servertest.ConsoleRequest("127.0.0.1"), root, deleteUser, &userNameInput{UserName: "dave"})
	if err != nil || out != nil {
		t.Fatalf("DeleteUser = %v, %v; want nil, nil", out, err)
	}
}

func TestInvokeIsRecordedInCloudTrail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := authz.Principal{Account: e.Account.ID, SessionID: "console-1", IssuedAt: time.Now(), MFA: true, MFATime: time.Now()}
	if _, err := api.Invoke(e.runner, servertest.ConsoleRequest("203.0.113.9"), p, createUser, &userNameInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	e.Trail.Flush()
	page, err := trail.List(context.Background(), e.Store, trail.Query{Account: e.Account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "CreateUser"
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("got %d CreateUser events, want 1", len(page.Events))
	}
	ev := page.Events[0]
	checks := []struct{ name, got, want string }{
		{"identity type", ev.UserIdentity.Type, "Root"},
		{"source IP", ev.SourceIPAddress, "203.0.113.9"},
		{"user agent", ev.UserAgent, "test-browser/1.0"},
		{"event source", ev.EventSource, "iam.amazonaws.com"},
		{"event type", ev.EventType, trail.AwsAPICall},
		{"userName parameter", ev.RequestParameters["userName"].(string), "bob"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if sc := ev.UserIdentity.SessionContext; sc == nil || sc.Attributes["mfaAuthenticated"] != "true" {
		t.Errorf("sessionContext = %+v, want mfaAuthenticated true", sc)
	}
}

// TestAllowedConsoleStep: Allowed decides as Invoke would — the identity's policies, or the
// operation's own authorization — without running the operation or recording a call.
func TestAllowedConsoleStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: "carol"}); err != nil {
		t.Fatal(err)
	}
	admin := authz.Principal{Account: e.Account.ID, UserName: "admin"}
	carol := authz.Principal{Account: e.Account.ID, UserName: "carol"}
	r := servertest.ConsoleRequest("127.0.0.1")
	tests := []struct {
		name     string
		err      error
		wantCode awserr.Code // "" for allowed
	}{
		{"admin may create carol's key", api.Allowed(e.runner, r, admin, createAccessKey, &userNameInput{UserName: "carol"}), ""},
		{"carol may not", api.Allowed(e.runner, r, carol, createAccessKey, &userNameInput{UserName: "carol"}), awserr.AccessDenied},
		{"the operation's own authorization grants carol", api.Allowed(e.runner, r, carol, selfService, &struct{}{}), ""},
		{"the input is validated", api.Allowed(e.runner, r, admin, listValidated, &validated{MaxItems: 1001}), awserr.ValidationError},
		{"an unknown principal is not allowed", api.Allowed(e.runner, r, authz.Principal{Account: e.Account.ID, UserName: "nobody"}, listUsers, &struct{}{}), awserr.InvalidClientTokenID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, tc.err, tc.wantCode)
		})
	}
	e.Trail.Flush()
	page, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "CreateAccessKey" || ev.EventName == "ChangePassword"
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 0 {
		t.Errorf("Allowed recorded %d calls, want none", len(page.Events))
	}
}
