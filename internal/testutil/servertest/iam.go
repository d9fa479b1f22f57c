package servertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

// NewClocked is Build over st (the backend under test when nil) with a testutil.Clock standing
// 15 s into a TOTP step of the present, which the test moves by hand.
func NewClocked(t testing.TB, st store.Store) (*Env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	return Build(t, st, clk.Now), clk
}

// MFADevice gives user ("" = the root user) an enabled virtual MFA device and returns its serial
// and a source of codes: each call moves the test clock to the next TOTP step, so that no code is
// replayed.
func (e *Env) MFADevice(clk *testutil.Clock, user string) (string, func() string) {
	e.T.Helper()
	ctx := context.Background()
	name := user
	if name == "" {
		name = "root-device"
	}
	d, err := e.Svc.CreateVirtualMFADevice(ctx, e.Account.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		e.T.Fatal(err)
	}
	seed := []byte(d.Base32StringSeed)
	now := clk.Now()
	if err := e.Svc.EnableMFADevice(ctx, e.Account.ID, user, d.SerialNumber, testutil.TOTPCode(e.T, seed, now.Add(-30*time.Second)), testutil.TOTPCode(e.T, seed, now)); err != nil {
		e.T.Fatal(err)
	}
	return d.SerialNumber, func() string {
		clk.Advance(30 * time.Second)
		return testutil.TOTPCode(e.T, seed, clk.Now())
	}
}

// SessionOf calls GetSessionToken as c, with an MFA code when serial is set, and returns clients
// signing with the session.
func (e *Env) SessionOf(c Caller, serial string, code func() string) Caller {
	e.T.Helper()
	in := &sts.GetSessionTokenInput{}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code())
	}
	out, err := c.STS.GetSessionToken(context.Background(), in)
	if err != nil {
		e.T.Fatalf("GetSessionToken: %v", err)
	}
	cr := out.Credentials
	return e.CallerFor(c.Account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

// Assumed calls AssumeRole as c and returns clients signing with the role session.
func (e *Env) Assumed(c Caller, roleARN, session string) Caller {
	e.T.Helper()
	out, err := c.STS.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)})
	if err != nil {
		e.T.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	cr := out.Credentials
	return e.CallerFor(c.Account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

// DeleteUser deletes a user through the API the way IAM requires: access keys, MFA devices,
// inline and attached policies and group memberships first.
func (e *Env) DeleteUser(name string) {
	e.T.Helper()
	ctx := context.Background()
	u := aws.String(name)
	keys, err := e.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := e.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: u, AccessKeyId: k.AccessKeyId}); err != nil {
			e.T.Fatal(err)
		}
	}
	devices, err := e.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, d := range devices.MFADevices {
		if _, err := e.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: u, SerialNumber: d.SerialNumber}); err != nil {
			e.T.Fatal(err)
		}
		if _, err := e.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
			e.T.Fatal(err)
		}
	}
	inline, err := e.IAM.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.IAM.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: u, PolicyName: aws.String(p)}); err != nil {
			e.T.Fatal(err)
		}
	}
	attached, err := e.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: u, PolicyArn: p.PolicyArn}); err != nil {
			e.T.Fatal(err)
		}
	}
	groups, err := e.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, g := range groups.Groups {
		if _, err := e.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{UserName: u, GroupName: g.GroupName}); err != nil {
			e.T.Fatal(err)
		}
	}
	if _, err := e.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: u}); err != nil {
		e.T.Fatal(err)
	}
}

// DeleteRole deletes a role and its inline and attached policies through the API.
func (e *Env) DeleteRole(name string) {
	e.T.Helper()
	ctx := context.Background()
	r := aws.String(name)
	inline, err := e.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: r})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: r, PolicyName: aws.String(p)}); err != nil {
			e.T.Fatal(err)
		}
	}
	attached, err := e.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: r})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: r, PolicyArn: p.PolicyArn}); err != nil {
			e.T.Fatal(err)
		}
	}
	if _, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: r}); err != nil {
		e.T.Fatal(err)
	}
}

// AdminUser creates a user with AdministratorAccess through the API.
func (e *Env) AdminUser(name string) {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(AdminPolicyARN)}); err != nil {
		e.T.Fatal(err)
	}
}

// Role creates a role trusting principalARN with an inline policy (none if "") and, when admin,
// AdministratorAccess, and returns its ARN.
func (e *Env) Role(name, principalARN, inline string, admin bool) string {
	e.T.Helper()
	ctx := context.Background()
	out, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		e.T.Fatal(err)
	}
	if inline != "" {
		if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)}); err != nil {
			e.T.Fatal(err)
		}
	}
	if admin {
		if _, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(AdminPolicyARN)}); err != nil {
			e.T.Fatal(err)
		}
	}
	return *out.Role.Arn
}

// AllowPolicy is a policy document allowing the actions on every resource.
func AllowPolicy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

// WantRefused fails unless c's credentials are refused as invalid (InvalidClientTokenId), for
// GetCallerIdentity (which needs no permission) and for ListUsers.
func WantRefused(t testing.TB, c Caller) {
	t.Helper()
	ctx := Ctx(t)
	_, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
	_, err = c.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
}
