package stsapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/server/servertest"
	"github.com/rootward/rootward/internal/testutil"
)

// Session credentials are bound to the unique ID of the principal they were issued to (issue 8,
// item 2): once that user or role is deleted they fail for good, also after a principal of the
// same name is created. A privileged root session is bound to its member account instead.

func TestDeletedUserSessions(t *testing.T) {
	t.Parallel()
	e, clk := newCredEnv(t)
	ctx := servertest.Ctx(t)
	// sts:GetSessionToken is allowed only so that the code before issue 8 (which wrongly required it)
	// runs the test to its point.
	alice := e.userIn(e.Account.ID, "alice", allowPolicy("iam:GetUser", "sts:GetSessionToken"))
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
	testutil.WantCode(t, err, "AccessDenied")

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
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	admin := e.mgmt()
	adminARN := "arn:aws:iam::" + e.Account.ID + ":user/admin"
	opsARN := e.role("ops", adminARN, allowPolicy("iam:GetRole"), false)
	ops := e.assumed(admin, opsARN, "before")
	if _, err := ops.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatalf("GetRole as the role: %v", err)
	}
	_, err := ops.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")

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
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	admin := e.mgmt()
	firstARN := e.role("first", "arn:aws:iam::"+e.Account.ID+":user/admin", "", false)
	secondARN := e.role("second", firstARN, allowPolicy("iam:ListRoles"), false)
	first := e.assumed(admin, firstARN, "one")
	chained := e.assumed(first, secondARN, "two")
	if _, err := chained.iam.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("chained session: %v", err)
	}

	e.deleteRole("first")
	e.role("first", "arn:aws:iam::"+e.Account.ID+":user/admin", "", true)
	t.Run("source role deleted", func(t *testing.T) {
		wantRefused(t, first)
		id, err := chained.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || *id.Arn != "arn:aws:sts::"+e.Account.ID+":assumed-role/second/two" {
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

// A privileged root session (sts:AssumeRoot) is bound to the member account, not to the principal
// that asked for it, like a chained role session: deleting that principal, or creating another
// of its name, changes nothing about it.
func TestAssumeRootSessionOutlivesItsCaller(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	member := r.createMember(r.m, "member")
	ops := r.userIn(r.Account.ID, "ops", "")
	sess, _ := r.assumeRoot(ops, member, "IAMAuditRootUserCredentials")
	r.deleteUser("ops")
	r.userIn(r.Account.ID, "ops", allowPolicy("iam:GetUser"))
	id, err := sess.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+member+":root" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	if _, err := sess.iam.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("task policy action after the caller was deleted: %v", err)
	}
	_, err = sess.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
}
