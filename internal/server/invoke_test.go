package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/trail"
)

// consoleRequest is the console's own HTTP request from a browser at ip, which Invoke takes its
// condition keys from.
func consoleRequest(ip string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/console/home", nil)
	r.RemoteAddr = ip + ":51000"
	r.Header.Set("User-Agent", "test-browser/1.0")
	return r
}

func TestInvokeAuthorizesAsThePrincipal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acct := e.account.ID
	// reader may list users only from 192.0.2.0/24 and only with MFA; nobody may DeleteUser.
	const readerPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	if _, err := e.svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "reader"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PutInlinePolicy(ctx, acct, "user", "reader", "inline", readerPolicy); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{IAM: e.svc, Trail: e.trail})
	signIn := time.Now().Add(-time.Minute)
	root := server.Principal{Account: acct, SessionID: "s-root", IssuedAt: signIn}
	withMFA := server.Principal{Account: acct, UserName: "reader", SessionID: "s-1", IssuedAt: signIn, MFA: true, MFATime: signIn}
	noMFA := server.Principal{Account: acct, UserName: "reader", SessionID: "s-2", IssuedAt: signIn}
	gone := server.Principal{Account: acct, UserName: "deleted-meanwhile", SessionID: "s-3", IssuedAt: signIn}

	tests := []struct {
		name     string
		p        server.Principal
		ip       string
		service  string
		action   string
		params   awsproto.Params
		wantCode awserr.Code // "" for success
	}{
		{"root may do anything", root, "198.51.100.7", "iam", "ListUsers", nil, ""},
		{"user allowed with MFA from the network", withMFA, "192.0.2.10", "iam", "ListUsers", nil, ""},
		{"user without MFA is denied", noMFA, "192.0.2.10", "iam", "ListUsers", nil, awserr.AccessDenied},
		{"user from another network is denied", withMFA, "198.51.100.7", "iam", "ListUsers", nil, awserr.AccessDenied},
		{"no policy allows DeleteUser", withMFA, "192.0.2.10", "iam", "DeleteUser", awsproto.Params{"UserName": "admin"}, awserr.AccessDenied},
		{"operation errors pass through", root, "192.0.2.10", "iam", "GetUser", awsproto.Params{"UserName": "nobody"}, awserr.NoSuchEntity},
		{"a deleted user's session is no longer valid", gone, "192.0.2.10", "iam", "ListUsers", nil, awserr.InvalidClientTokenID},
		{"unknown action", root, "192.0.2.10", "iam", "NoSuchAction", nil, awserr.InvalidAction},
		{"unknown service", root, "192.0.2.10", "s3", "ListBuckets", nil, awserr.InvalidAction},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := srv.Invoke(consoleRequest(tc.ip), tc.p, tc.service, tc.action, tc.params)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				return
			}
			if !awserr.IsCode(err, tc.wantCode) {
				t.Fatalf("Invoke err = %v, want %s", err, tc.wantCode)
			}
		})
	}
	t.Run("the deleted user does not exist", func(t *testing.T) {
		if _, err := e.svc.GetUser(ctx, acct, "deleted-meanwhile"); !awserr.IsCode(err, awserr.NoSuchEntity) {
			t.Fatalf("precondition: %v", err)
		}
	})
}

func TestInvokeIntoDecodesTheWireShape(t *testing.T) {
	e := newEnv(t)
	srv := server.New(server.Config{IAM: e.svc})
	root := server.Principal{Account: e.account.ID, IssuedAt: time.Now()}
	var users struct {
		Users []struct {
			UserName string `xml:"UserName"`
			Arn      string `xml:"Arn"`
		} `xml:"Users>member"`
		IsTruncated bool `xml:"IsTruncated"`
	}
	if err := srv.InvokeInto(consoleRequest("127.0.0.1"), root, "iam", "ListUsers", nil, &users); err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 1 || users.Users[0].UserName != "admin" || !strings.HasSuffix(users.Users[0].Arn, ":user/admin") {
		t.Fatalf("ListUsers = %+v, want the admin user", users)
	}
	var who struct {
		Arn     string `xml:"Arn"`
		Account string `xml:"Account"`
	}
	if err := srv.InvokeInto(consoleRequest("127.0.0.1"), root, "sts", "GetCallerIdentity", nil, &who); err != nil {
		t.Fatal(err)
	}
	if who.Arn != "arn:aws:iam::"+e.account.ID+":root" || who.Account != e.account.ID {
		t.Fatalf("GetCallerIdentity = %+v", who)
	}
}

func TestInvokeIsRecordedInCloudTrail(t *testing.T) {
	e := newEnv(t)
	srv := server.New(server.Config{IAM: e.svc, Trail: e.trail})
	p := server.Principal{Account: e.account.ID, SessionID: "console-1", IssuedAt: time.Now(), MFA: true, MFATime: time.Now()}
	if _, err := srv.Invoke(consoleRequest("203.0.113.9"), p, "iam", "CreateUser", awsproto.Params{"UserName": "bob"}); err != nil {
		t.Fatal(err)
	}
	e.trail.Flush()
	page, err := trail.List(context.Background(), e.st, trail.Query{Account: e.account.ID, Match: func(ev *trail.Event) bool {
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

func TestAuthorizeConsoleStep(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, e.account.ID, iam.CreateUserInput{UserName: "carol"}); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{IAM: e.svc})
	r := consoleRequest("127.0.0.1")
	res := "arn:aws:iam::" + e.account.ID + ":user/carol"
	if err := srv.Authorize(r, server.Principal{Account: e.account.ID, UserName: "admin"}, "iam:CreateAccessKey", res); err != nil {
		t.Errorf("admin: %v", err)
	}
	if err := srv.Authorize(r, server.Principal{Account: e.account.ID, UserName: "carol"}, "iam:CreateAccessKey", res); !awserr.IsCode(err, awserr.AccessDenied) {
		t.Errorf("carol: err = %v, want AccessDenied", err)
	}
}
