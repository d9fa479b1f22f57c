package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/rootward/rootward/internal/testutil"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
)

// Credentials are bound to the unique ID of the principal that authenticated (issue 8, item 2):
// once that user or role is deleted they fail for good, also after a principal of the same name
// is created.

const invalidToken = "InvalidClientTokenId"

// mfaDevice gives user ("" = the root user) an enabled virtual MFA device and returns its serial
// and a source of codes: each call moves the test clock to the next TOTP step, so that no code is
// replayed.
func (e *env) mfaDevice(clk *testutil.Clock, user string) (string, func() string) {
	e.t.Helper()
	ctx := context.Background()
	name := user
	if name == "" {
		name = "root-device"
	}
	d, err := e.svc.CreateVirtualMFADevice(ctx, e.account.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		e.t.Fatal(err)
	}
	seed := []byte(d.Base32StringSeed)
	now := clk.Now()
	if err := e.svc.EnableMFADevice(ctx, e.account.ID, user, d.SerialNumber, totpCode(e.t, seed, now.Add(-30*time.Second)), totpCode(e.t, seed, now)); err != nil {
		e.t.Fatal(err)
	}
	return d.SerialNumber, func() string {
		clk.Advance(30 * time.Second)
		return totpCode(e.t, seed, clk.Now())
	}
}

// sessionOf calls GetSessionToken as c, with an MFA code when serial is set, and returns clients
// signing with the session.
func (e *env) sessionOf(c caller, serial string, code func() string) caller {
	e.t.Helper()
	in := &sts.GetSessionTokenInput{}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code())
	}
	out, err := c.sts.GetSessionToken(context.Background(), in)
	if err != nil {
		e.t.Fatalf("GetSessionToken: %v", err)
	}
	cr := out.Credentials
	return e.callerFor(c.account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

// assumed calls AssumeRole as c and returns clients signing with the role session.
func (e *env) assumed(c caller, roleARN, session string) caller {
	e.t.Helper()
	out, err := c.sts.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)})
	if err != nil {
		e.t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	cr := out.Credentials
	return e.callerFor(c.account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

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

// deleteRole deletes a role and its inline and attached policies through the API.
func (e *env) deleteRole(name string) {
	e.t.Helper()
	ctx := context.Background()
	r := aws.String(name)
	inline, err := e.iam.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: r})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: r, PolicyName: aws.String(p)}); err != nil {
			e.t.Fatal(err)
		}
	}
	attached, err := e.iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: r})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: r, PolicyArn: p.PolicyArn}); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: r}); err != nil {
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

// role creates a role trusting principalARN with an inline policy (none if "") and, when admin,
// AdministratorAccess, and returns its ARN.
func (e *env) role(name, principalARN, inline string, admin bool) string {
	e.t.Helper()
	ctx := context.Background()
	out, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		e.t.Fatal(err)
	}
	if inline != "" {
		if _, err := e.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)}); err != nil {
			e.t.Fatal(err)
		}
	}
	if admin {
		if _, err := e.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(adminPolicyARN)}); err != nil {
			e.t.Fatal(err)
		}
	}
	return *out.Role.Arn
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

func TestDeletedUserSessions(t *testing.T) {
	e, clk := newCredEnv(t, nil)
	ctx := ctxT(t)
	// sts:GetSessionToken is allowed only so that the code before issue 8 (which wrongly required it)
	// runs the test to its point.
	alice := e.userIn(e.account.ID, "alice", allowPolicy("iam:GetUser", "sts:GetSessionToken"))
	serial, code := e.mfaDevice(clk, "alice")
	plain := e.sessionOf(alice, "", nil)
	withMFA := e.sessionOf(alice, serial, code)
	// Before the deletion, the sessions act as alice (and warm the server's caches).
	if id, err := plain.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || !strings.HasSuffix(*id.Arn, ":user/alice") {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	if _, err := withMFA.iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("GetUser with MFA: %v", err)
	}
	_, err := withMFA.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	e.deleteUser("alice")
	e.adminUser("alice")
	for _, tc := range []struct {
		name string
		c    caller
	}{{"session without MFA", plain}, {"session with MFA", withMFA}} {
		t.Run(tc.name, func(t *testing.T) { wantRefused(t, tc.c) })
	}
}

func TestDeletedRoleSessions(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	admin := e.mgmt()
	adminARN := "arn:aws:iam::" + e.account.ID + ":user/admin"
	opsARN := e.role("ops", adminARN, allowPolicy("iam:GetRole"), false)
	ops := e.assumed(admin, opsARN, "before")
	if _, err := ops.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatalf("GetRole as the role: %v", err)
	}
	_, err := ops.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	e.deleteRole("ops")
	e.role("ops", adminARN, "", true)
	t.Run("old session", func(t *testing.T) { wantRefused(t, ops) })
	t.Run("new session", func(t *testing.T) {
		fresh := e.assumed(admin, opsARN, "after")
		if _, err := fresh.iam.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
			t.Fatalf("a session of the new role: %v", err)
		}
	})
}

// A chained session belongs to the role it assumed: deleting the role whose session asked for it
// changes nothing (as in AWS, where a session outlives the credentials that requested it);
// deleting its own role ends it.
func TestDeletedRoleChainedSessions(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	admin := e.mgmt()
	firstARN := e.role("first", "arn:aws:iam::"+e.account.ID+":user/admin", "", false)
	secondARN := e.role("second", firstARN, allowPolicy("iam:ListRoles"), false)
	first := e.assumed(admin, firstARN, "one")
	chained := e.assumed(first, secondARN, "two")
	if _, err := chained.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("chained session: %v", err)
	}

	e.deleteRole("first")
	e.role("first", "arn:aws:iam::"+e.account.ID+":user/admin", "", true)
	t.Run("source role deleted", func(t *testing.T) {
		wantRefused(t, first)
		id, err := chained.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || *id.Arn != "arn:aws:sts::"+e.account.ID+":assumed-role/second/two" {
			t.Fatalf("chained GetCallerIdentity = %+v, %v", id, err)
		}
		if _, err := chained.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
			t.Fatalf("chained session after its source role was deleted: %v", err)
		}
	})

	e.deleteRole("second")
	e.role("second", firstARN, "", true)
	t.Run("own role deleted", func(t *testing.T) { wantRefused(t, chained) })
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
	srv := server.New(server.Config{IAM: e.svc, Trail: e.trail})
	p := server.Principal{Account: acct, UserName: "erin", UserID: u.UserID, SessionID: "s-erin", IssuedAt: time.Now()}
	if _, err := srv.Invoke(consoleRequest("192.0.2.1"), p, "sts", "GetCallerIdentity", nil); err != nil {
		t.Fatal(err)
	}
	e.deleteUser("erin")
	e.adminUser("erin")
	for _, action := range []string{"GetCallerIdentity", "ListUsers"} {
		t.Run(action, func(t *testing.T) {
			service := "iam"
			if action == "GetCallerIdentity" {
				service = "sts"
			}
			_, err := srv.Invoke(consoleRequest("192.0.2.1"), p, service, action, awsproto.Params{})
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != awserr.InvalidClientTokenID {
				t.Fatalf("Invoke %s = %v, want %s", action, err, awserr.InvalidClientTokenID)
			}
		})
	}
}

// A privileged root session (sts:AssumeRoot) is bound to the member account, not to the principal
// that asked for it, like a chained role session: deleting that principal, or creating another
// of its name, changes nothing about it.
func TestAssumeRootSessionOutlivesItsCaller(t *testing.T) {
	r := newRootEnv(t)
	ctx := ctxT(t)
	member := r.createMember(r.m, "member")
	ops := r.userIn(r.account.ID, "ops", "")
	sess, _ := r.assumeRoot(ops, member, "IAMAuditRootUserCredentials")
	r.deleteUser("ops")
	r.userIn(r.account.ID, "ops", allowPolicy("iam:GetUser"))
	id, err := sess.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+member+":root" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	if _, err := sess.iam.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("task policy action after the caller was deleted: %v", err)
	}
	_, err = sess.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
}
