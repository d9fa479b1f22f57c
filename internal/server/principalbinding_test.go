package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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
	"github.com/rootward/rootward/internal/server/servertest"
	"github.com/rootward/rootward/internal/store"
)

// Credentials are bound to the unique ID of the principal that authenticated (issue 8, item 2):
// once that user or role is deleted they fail for good, also after a principal of the same name
// is created.

const invalidToken = "InvalidClientTokenId"

// deleteUser deletes a user through the API the way IAM requires: access keys, MFA devices,
// inline and attached policies and group memberships first.
func (e *env) deleteUser(name string) {
	e.t.Helper()
	ctx := context.Background()
	u := aws.String(name)
	keys, err := e.iam.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: u})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := e.iam.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: u, AccessKeyId: k.AccessKeyId}); err != nil {
			e.t.Fatal(err)
		}
	}
	devices, err := e.iam.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: u})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range devices.MFADevices {
		if _, err := e.iam.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: u, SerialNumber: d.SerialNumber}); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.iam.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
			e.t.Fatal(err)
		}
	}
	inline, err := e.iam.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: u})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.iam.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: u, PolicyName: aws.String(p)}); err != nil {
			e.t.Fatal(err)
		}
	}
	attached, err := e.iam.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: u})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.iam.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: u, PolicyArn: p.PolicyArn}); err != nil {
			e.t.Fatal(err)
		}
	}
	groups, err := e.iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: u})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, g := range groups.Groups {
		if _, err := e.iam.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{UserName: u, GroupName: g.GroupName}); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.iam.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: u}); err != nil {
		e.t.Fatal(err)
	}
}

const adminPolicyARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// adminUser creates a user with AdministratorAccess through the API.
func (e *env) adminUser(name string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.iam.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(adminPolicyARN)}); err != nil {
		e.t.Fatal(err)
	}
}

func allowPolicy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

// wantRefused fails unless c's credentials are refused as invalid, for GetCallerIdentity (which
// needs no permission) and for ListUsers (which the recreated principal is allowed).
func wantRefused(t *testing.T, c caller) {
	t.Helper()
	ctx := ctxT(t)
	_, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, invalidToken)
	_, err = c.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, invalidToken)
}

// rawGet and rawPut read and write one store record, to recreate what the API cannot: a record
// that outlived its principal.
func (e *env) rawGet(kind, account, key string) []byte {
	e.t.Helper()
	var b []byte
	if err := e.st.View(context.Background(), func(tx store.Tx) (err error) {
		b, err = tx.Get(kind, account, key)
		return err
	}); err != nil {
		e.t.Fatalf("reading %s %q: %v", kind, key, err)
	}
	return b
}

func (e *env) rawPut(kind, account, key string, b []byte) {
	e.t.Helper()
	if err := e.st.Update(context.Background(), func(tx store.Tx) error { return tx.Put(kind, account, key, b) }); err != nil {
		e.t.Fatalf("writing %s %q: %v", kind, key, err)
	}
}

func TestDeletedUserAccessKey(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	acct := e.account.ID
	if _, err := e.svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	k, err := e.svc.CreateAccessKey(ctx, acct, "bob")
	if err != nil {
		t.Fatal(err)
	}
	old := e.callerFor(acct, k.AccessKeyID, k.Secret, "")
	if _, err := old.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	keyRecord := e.rawGet("accesskey", "", k.AccessKeyID)
	e.deleteUser("bob")
	e.adminUser("bob")
	// DeleteUser refuses while the user has keys; put the deleted user's key back as if it had
	// survived (a backup restored, a record written by an older version, a race).
	e.rawPut("accesskey", "", k.AccessKeyID, keyRecord)
	e.rawPut("userkey", acct, "bob\x00"+k.AccessKeyID, []byte("{}"))
	wantRefused(t, old)
}

// Keys stored before keys recorded their user's unique ID are matched by name (no such key can
// have outlived its user) and get the ID when first used.
func TestLegacyAccessKeyGetsUserID(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	acct := e.account.ID
	u, err := e.svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.svc.CreateAccessKey(ctx, acct, "carol")
	if err != nil {
		t.Fatal(err)
	}
	userID := func() any {
		var rec map[string]any
		if err := json.Unmarshal(e.rawGet("accesskey", "", k.AccessKeyID), &rec); err != nil {
			t.Fatal(err)
		}
		return rec["user_id"]
	}
	if got := userID(); got != u.UserID {
		t.Fatalf("new key's user_id = %v, want %s", got, u.UserID)
	}
	var rec map[string]any
	if err := json.Unmarshal(e.rawGet("accesskey", "", k.AccessKeyID), &rec); err != nil {
		t.Fatal(err)
	}
	delete(rec, "user_id")
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	e.rawPut("accesskey", "", k.AccessKeyID, b)
	c := e.callerFor(acct, k.AccessKeyID, k.Secret, "")
	if id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || *id.UserId != u.UserID {
		t.Fatalf("legacy key GetCallerIdentity = %+v, %v", id, err)
	}
	if got := userID(); got != u.UserID {
		t.Fatalf("legacy key's user_id after use = %v, want %s", got, u.UserID)
	}
}

// readersGroup creates the group Readers, whose policy allows iam:ListRoles.
func (e *env) readersGroup() {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.iam.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("Readers")}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.iam.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("Readers"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(allowPolicy("iam:ListRoles"))}); err != nil {
		e.t.Fatal(err)
	}
}

// Group membership belongs to the user's unique ID: a user deleted and created again is in no
// group, whatever membership record the old user left.
func TestDeletedUserGroupMembership(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	acct := e.account.ID
	e.readersGroup()
	dave := e.userIn(acct, "dave", allowPolicy("iam:GetUser"))
	if _, err := e.iam.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	if _, err := dave.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("member of Readers: %v", err)
	}
	memberOf, member := e.rawGet("memberof", acct, "dave\x00readers"), e.rawGet("member", acct, "readers\x00dave")

	e.deleteUser("dave") // removes dave from Readers first
	// The old user's membership records, as if they had survived the deletion.
	e.rawPut("memberof", acct, "dave\x00readers", memberOf)
	e.rawPut("member", acct, "readers\x00dave", member)
	t.Run("a record without its user", func(t *testing.T) {
		g, err := e.iam.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Readers")})
		if err != nil || len(g.Users) != 0 {
			t.Fatalf("GetGroup users = %+v, %v; want none", g, err)
		}
	})
	// Created again through the service, which also moves this node past any cache that
	// predates the records.
	dave = e.userIn(acct, "dave", allowPolicy("iam:GetUser"))

	t.Run("no group permissions", func(t *testing.T) {
		_, err := dave.iam.ListRoles(ctx, &awsiam.ListRolesInput{})
		wantCode(t, err, "AccessDenied")
	})
	t.Run("not listed as a member", func(t *testing.T) {
		groups, err := e.iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("dave")})
		if err != nil || len(groups.Groups) != 0 {
			t.Fatalf("ListGroupsForUser = %+v, %v; want no group", groups, err)
		}
		g, err := e.iam.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("Readers")})
		if err != nil || len(g.Users) != 0 {
			t.Fatalf("GetGroup users = %+v, %v; want none", g, err)
		}
		details, err := e.iam.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
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
		if _, err := e.iam.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dave")}); err != nil {
			t.Fatal(err)
		}
		if _, err := dave.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
			t.Fatalf("added to Readers again: %v", err)
		}
	})
}

// Membership records written before they carried the user's ID count by name: none can have
// outlived its user, since DeleteUser refuses while the user is in a group.
func TestLegacyGroupMembership(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	acct := e.account.ID
	e.readersGroup()
	e.rawPut("memberof", acct, "frank\x00readers", []byte("{}"))
	e.rawPut("member", acct, "readers\x00frank", []byte("{}"))
	// Created through the service after the records, so that no cache predates them.
	frank := e.userIn(acct, "frank", allowPolicy("iam:GetUser"))
	if _, err := frank.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("legacy member of Readers: %v", err)
	}
	groups, err := e.iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("frank")})
	if err != nil || len(groups.Groups) != 1 {
		t.Fatalf("ListGroupsForUser = %+v, %v; want Readers", groups, err)
	}
}

// A console session ends with the user who signed in; a later user of the same name does not
// inherit it.
func TestDeletedUserConsoleSession(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	acct := e.account.ID
	u, err := e.svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "erin"})
	if err != nil {
		t.Fatal(err)
	}
	run := server.New(server.Config{IAM: e.svc, Trail: e.trail}).Runner()
	p := authz.Principal{Account: acct, UserName: "erin", UserID: u.UserID, SessionID: "s-erin", IssuedAt: time.Now()}
	whoAmI := func() error {
		_, err := api.Invoke(run, servertest.ConsoleRequest("192.0.2.1"), p, stsapi.GetCallerIdentity, &struct{}{})
		return err
	}
	if err := whoAmI(); err != nil {
		t.Fatal(err)
	}
	e.deleteUser("erin")
	e.adminUser("erin")
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
