package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestIAMResourcesCarryPaths: a path the caller chooses is part of the resource IAM authorizes, on
// create, on every operation on an existing group, and on both sides of a rename or move
// (UpdateUser, UpdateGroup). Before, CreateRole and CreateGroup were authorized on the name alone,
// groups on their name without their path, and a move only on the old name: a Deny on
// ".../privileged/*" did not apply, and a user allowed to manage /contractors/ could move anyone
// out of it anywhere.
func TestIAMResourcesCarryPaths(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	deny, _ := e.UserClients("denied-privileged", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:*","Resource":["arn:aws:iam::*:role/privileged/*","arn:aws:iam::*:group/privileged/*","arn:aws:iam::*:user/privileged/*"]}]}`)
	scoped, _ := e.UserClients("contractor-admin", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateRole","iam:CreateGroup","iam:UpdateUser","iam:UpdateGroup"],
		 "Resource":["arn:aws:iam::*:role/contractors/*","arn:aws:iam::*:group/contractors/*","arn:aws:iam::*:user/contractors/*"]}]}`)
	for _, u := range []string{"carl", "cora"} {
		if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: u, Path: "/contractors/"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Svc.CreateGroup(ctx, acct, "admins", "/privileged/"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateGroup(ctx, acct, "crew", "/contractors/"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		call  func() error
		allow bool
	}{
		{"CreateRole under a denied path", func() error {
			_, err := deny.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r1"), Path: aws.String("/privileged/"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		}, false},
		{"CreateGroup under a denied path", func() error {
			_, err := deny.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g1"), Path: aws.String("/privileged/")})
			return err
		}, false},
		{"AttachGroupPolicy on a group under a denied path", func() error {
			_, err := deny.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, false},
		{"UpdateUser moving a user under a denied path", func() error {
			_, err := deny.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("cora"), NewPath: aws.String("/privileged/")})
			return err
		}, false},
		{"CreateRole under the allowed path", func() error {
			_, err := scoped.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r2"), Path: aws.String("/contractors/"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		}, true},
		{"CreateRole at /", func() error {
			_, err := scoped.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r3"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		}, false},
		{"UpdateUser renaming within the allowed path", func() error {
			_, err := scoped.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("carl"), NewUserName: aws.String("carlos")})
			return err
		}, true},
		{"UpdateUser moving a user out of the allowed path", func() error {
			_, err := scoped.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("carlos"), NewPath: aws.String("/admins/")})
			return err
		}, false},
		{"UpdateGroup moving a group out of the allowed path", func() error {
			_, err := scoped.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("crew"), NewPath: aws.String("/")})
			return err
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.allow {
				if err != nil {
					t.Errorf("got %v, want success", err)
				}
				return
			}
			testutil.WantCode(t, err, "AccessDenied")
		})
	}
	// Nothing moved.
	u, err := e.Svc.GetUser(ctx, acct, "carlos")
	if err != nil || u.Path != "/contractors/" {
		t.Errorf("carlos = %+v, %v; want still under /contractors/", u, err)
	}
}
