package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// Credentials are bound to the unique ID of the principal that authenticated (issue 8, item 2):
// once that user or role is deleted they fail for good, also after a principal of the same name
// is created.

// recordGet and recordPut read and write one record of a registered kind as JSON, with its
// indexes (store.RecordJSON), to recreate what the API cannot: a record that outlived its
// principal, or one an older version wrote.
func recordGet(e *servertest.Env, kind, account, key string) []byte {
	e.T.Helper()
	var b []byte
	if err := e.Store.View(context.Background(), func(tx store.Tx) (err error) {
		b, err = store.RecordJSON(tx, kind, account, key)
		return err
	}); err != nil {
		e.T.Fatalf("reading %s %q: %v", kind, key, err)
	}
	return b
}

func recordPut(e *servertest.Env, kind, account, key string, js []byte) {
	e.T.Helper()
	if err := e.Store.Update(context.Background(), func(tx store.Tx) error {
		return store.PutRecordJSON(tx, kind, account, key, js)
	}); err != nil {
		e.T.Fatalf("writing %s %q: %v", kind, key, err)
	}
}

func TestDeletedUserAccessKey(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, acct, "bob")
	if err != nil {
		t.Fatal(err)
	}
	old := e.CallerFor(acct, k.AccessKeyID, k.Secret, "")
	if _, err := old.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	keyRecord := recordGet(e, "accesskey", "", k.AccessKeyID)
	e.DeleteUser("bob")
	e.AdminUser("bob")
	// DeleteUser refuses while the user has keys; put the deleted user's key back as if it had
	// survived (a backup restored, a record written by an older version, a race).
	recordPut(e, "accesskey", "", k.AccessKeyID, keyRecord)
	servertest.WantRefused(t, old)
}

// Keys stored before keys recorded their user's unique ID are matched by name (no such key can
// have outlived its user) and get the ID when first used.
func TestLegacyAccessKeyGetsUserID(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	u, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, acct, "carol")
	if err != nil {
		t.Fatal(err)
	}
	userID := func() any {
		var rec map[string]any
		if err := json.Unmarshal(recordGet(e, "accesskey", "", k.AccessKeyID), &rec); err != nil {
			t.Fatal(err)
		}
		return rec["user_id"]
	}
	if got := userID(); got != u.UserID {
		t.Fatalf("new key's user_id = %v, want %s", got, u.UserID)
	}
	var rec map[string]any
	if err := json.Unmarshal(recordGet(e, "accesskey", "", k.AccessKeyID), &rec); err != nil {
		t.Fatal(err)
	}
	delete(rec, "user_id")
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	recordPut(e, "accesskey", "", k.AccessKeyID, b)
	c := e.CallerFor(acct, k.AccessKeyID, k.Secret, "")
	if id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || *id.UserId != u.UserID {
		t.Fatalf("legacy key GetCallerIdentity = %+v, %v", id, err)
	}
	if got := userID(); got != u.UserID {
		t.Fatalf("legacy key's user_id after use = %v, want %s", got, u.UserID)
	}
}

// readersGroup creates the group Readers, whose policy allows iam:ListRoles.
func readersGroup(e *servertest.Env) {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Readers")}); err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("Readers"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(servertest.AllowPolicy("iam:ListRoles"))}); err != nil {
		e.T.Fatal(err)
	}
}

// Group membership belongs to the user's unique ID: a user deleted and created again is in no
// group, whatever membership record the old user left.
func TestDeletedUserGroupMembership(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	readersGroup(e)
	dave := e.UserIn(acct, "dave", servertest.AllowPolicy("iam:GetUser"))
	if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	if _, err := dave.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("member of Readers: %v", err)
	}
	member := recordGet(e, "member", acct, "readers\x00dave")

	e.DeleteUser("dave") // removes dave from Readers first
	// The old user's membership records, as if they had survived the deletion.
	recordPut(e, "member", acct, "readers\x00dave", member)
	t.Run("a record without its user", func(t *testing.T) {
		g, err := e.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Readers")})
		if err != nil || len(g.Users) != 0 {
			t.Fatalf("GetGroup users = %+v, %v; want none", g, err)
		}
	})
	// Created again through the service, which also moves this node past any cache that
	// predates the records.
	dave = e.UserIn(acct, "dave", servertest.AllowPolicy("iam:GetUser"))

	t.Run("no group permissions", func(t *testing.T) {
		_, err := dave.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
		testutil.WantCode(t, err, "AccessDenied")
	})
	t.Run("not listed as a member", func(t *testing.T) {
		groups, err := e.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("dave")})
		if err != nil || len(groups.Groups) != 0 {
			t.Fatalf("ListGroupsForUser = %+v, %v; want no group", groups, err)
		}
		g, err := e.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Readers")})
		if err != nil || len(g.Users) != 0 {
			t.Fatalf("GetGroup users = %+v, %v; want none", g, err)
		}
		details, err := e.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range details.UserDetailList {
			if *u.UserName == "dave" && len(u.GroupList) != 0 {
				t.Fatalf("authorization details GroupList = %v, want none", u.GroupList)
			}
		}
	})
	t.Run("added again", func(t *testing.T) {
		if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dave")}); err != nil {
			t.Fatal(err)
		}
		if _, err := dave.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
			t.Fatalf("added to Readers again: %v", err)
		}
	})
}

// Membership records written before they carried the user's ID count by name: none can have
// outlived its user, since DeleteUser refuses while the user is in a group.
func TestLegacyGroupMembership(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	readersGroup(e)
	recordPut(e, "member", acct, "readers\x00frank", []byte("{}"))
	// Created through the service after the records, so that no cache predates them.
	frank := e.UserIn(acct, "frank", servertest.AllowPolicy("iam:GetUser"))
	if _, err := frank.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("legacy member of Readers: %v", err)
	}
	groups, err := e.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("frank")})
	if err != nil || len(groups.Groups) != 1 {
		t.Fatalf("ListGroupsForUser = %+v, %v; want Readers", groups, err)
	}
}

// A console session ends with the user who signed in; a later user of the same name does not
// inherit it.
func TestDeletedUserConsoleSession(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	u, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "erin"})
	if err != nil {
		t.Fatal(err)
	}
	run := server.New(server.Config{IAM: e.Svc, Trail: e.Trail}).Runner()
	p := authz.Principal{Account: acct, UserName: "erin", UserID: u.UserID, SessionID: "s-erin", IssuedAt: time.Now()}
	whoAmI := func() error {
		_, err := api.Invoke(run, servertest.ConsoleRequest("192.0.2.1"), p, stsapi.GetCallerIdentity, &struct{}{})
		return err
	}
	if err := whoAmI(); err != nil {
		t.Fatal(err)
	}
	e.DeleteUser("erin")
	e.AdminUser("erin")
	for _, tc := range []struct {
		action string
		call   func() error
	}{
		{"GetCallerIdentity", whoAmI},
		{"ListUsers", func() error {
			_, err := api.Invoke(run, servertest.ConsoleRequest("192.0.2.1"), p, iamapi.ListUsers, &iamapi.ListUsersInput{})
			return err
		}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			err := tc.call()
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != awserr.InvalidClientTokenID {
				t.Fatalf("Invoke %s = %v, want %s", tc.action, err, awserr.InvalidClientTokenID)
			}
		})
	}
}
