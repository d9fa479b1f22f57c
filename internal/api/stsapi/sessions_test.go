package stsapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// Session credentials are bound to the unique ID of the principal they were issued to (issue 8,
// item 2): once that user or role is deleted they fail for good, also after a principal of the
// same name is created. A privileged root session is bound to its member account instead.

func TestDeletedUserSessions(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	// sts:GetSessionToken is allowed only so that the code before issue 8 (which wrongly required it)
	// runs the test to its point.
	alice := e.UserIn(e.Account.ID, "alice", servertest.AllowPolicy("iam:GetUser", "sts:GetSessionToken"))
	serial, code := e.MFADevice(clk, "alice")
	plain := e.SessionOf(alice, "", nil)
	withMFA := e.SessionOf(alice, serial, code)
	// Before the deletion, the sessions act as alice (and warm the server's caches).
	if id, err := plain.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || !strings.HasSuffix(*id.Arn, ":user/alice") {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	if _, err := withMFA.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("GetUser with MFA: %v", err)
	}
	_, err := withMFA.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")

	e.DeleteUser("alice")
	e.AdminUser("alice")
	for _, tc := range []struct {
		name string
		c    servertest.Caller
	}{{"session without MFA", plain}, {"session with MFA", withMFA}} {
		t.Run(tc.name, func(t *testing.T) { servertest.WantRefused(t, tc.c) })
	}
}

func TestDeletedRoleSessions(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	admin := e.Admin()
	adminARN := "arn:aws:iam::" + e.Account.ID + ":user/admin"
	opsARN := e.Role("ops", adminARN, servertest.AllowPolicy("iam:GetRole"), false)
	ops := e.Assumed(admin, opsARN, "before")
	if _, err := ops.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatalf("GetRole as the role: %v", err)
	}
	_, err := ops.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")

	e.DeleteRole("ops")
	e.Role("ops", adminARN, "", true)
	t.Run("old session", func(t *testing.T) { servertest.WantRefused(t, ops) })
	t.Run("new session", func(t *testing.T) {
		fresh := e.Assumed(admin, opsARN, "after")
		if _, err := fresh.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
			t.Fatalf("a session of the new role: %v", err)
		}
	})
}

// A chained session belongs to the role it assumed: deleting the role whose session asked for it
// changes nothing (as in AWS, where a session outlives the credentials that requested it);
// deleting its own role ends it.
func TestDeletedRoleChainedSessions(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	admin := e.Admin()
	firstARN := e.Role("first", "arn:aws:iam::"+e.Account.ID+":user/admin", "", false)
	secondARN := e.Role("second", firstARN, servertest.AllowPolicy("iam:ListRoles"), false)
	first := e.Assumed(admin, firstARN, "one")
	chained := e.Assumed(first, secondARN, "two")
	if _, err := chained.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("chained session: %v", err)
	}

	e.DeleteRole("first")
	e.Role("first", "arn:aws:iam::"+e.Account.ID+":user/admin", "", true)
	t.Run("source role deleted", func(t *testing.T) {
		servertest.WantRefused(t, first)
		id, err := chained.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || *id.Arn != "arn:aws:sts::"+e.Account.ID+":assumed-role/second/two" {
			t.Fatalf("chained GetCallerIdentity = %+v, %v", id, err)
		}
		if _, err := chained.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
			t.Fatalf("chained session after its source role was deleted: %v", err)
		}
	})

	e.DeleteRole("second")
	e.Role("second", firstARN, "", true)
	t.Run("own role deleted", func(t *testing.T) { servertest.WantRefused(t, chained) })
}

// A privileged root session (sts:AssumeRoot) is bound to the member account, not to the principal
// that asked for it, like a chained role session: deleting that principal, or creating another
// of its name, changes nothing about it.
func TestAssumeRootSessionOutlivesItsCaller(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := servertest.Ctx(t)
	member := r.CreateMember(r.m, "member")
	ops := r.UserIn(r.Account.ID, "ops", "")
	sess, _ := r.assumeRoot(ops, member, "IAMAuditRootUserCredentials")
	r.DeleteUser("ops")
	r.UserIn(r.Account.ID, "ops", servertest.AllowPolicy("iam:GetUser"))
	id, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+member+":root" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	if _, err := sess.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("task policy action after the caller was deleted: %v", err)
	}
	_, err = sess.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "AccessDenied")
}
