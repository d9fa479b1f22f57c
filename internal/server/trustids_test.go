package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// A trust policy is tied to the principals it named when it was saved: a user or role deleted and
// created again under the same name is not trusted, and GetRole shows the old unique ID in its
// place, as IAM does, until the policy is saved again naming the new entity.
func TestTrustNotGivenToRecreatedUser(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	bg := context.Background()
	a := e.Account.ID
	bobARN := "arn:aws:iam::" + a + ":user/bob"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + bobARN + `"},"Action":"sts:AssumeRole"}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trust)})
	if err == nil {
		t.Fatal("a trust policy naming a user that does not exist was accepted")
	}
	testutil.WantCode(t, err, "MalformedPolicyDocument")

	_, bobSTS := e.UserClients("bob", "")
	oldBob, err := e.Svc.GetUser(bg, a, "bob")
	if err != nil {
		t.Fatal(err)
	}
	role, err = e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	assume := func(c *sts.Client) error {
		_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("session")})
		return err
	}
	if err := assume(bobSTS); err != nil {
		t.Fatalf("bob, named by the trust policy: %v", err)
	}
	shownTrust := func() string {
		t.Helper()
		out, err := e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("deploy")})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(*out.Role.AssumeRolePolicyDocument)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if doc := shownTrust(); doc != trust {
		t.Fatalf("GetRole shows %s, want the document as written", doc)
	}

	// bob is deleted and a new bob created.
	keys, err := e.Svc.ListAccessKeys(bg, a, "bob", iam.ListOpts{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.Items {
		if err := e.Svc.DeleteAccessKey(bg, a, "bob", k.AccessKeyID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Svc.DeleteUser(bg, a, "bob"); err != nil {
		t.Fatal(err)
	}
	_, newBobSTS := e.UserClients("bob", "")
	err = assume(newBobSTS)
	testutil.WantCode(t, err, "AccessDenied")
	doc := shownTrust()
	if !strings.Contains(doc, `"`+oldBob.UserID+`"`) || strings.Contains(doc, bobARN) {
		t.Fatalf("GetRole after bob was recreated shows %s, want the old unique ID %s in place of the ARN", doc, oldBob.UserID)
	}
	list, err := e.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Roles {
		if *r.RoleName == "deploy" {
			if d, _ := url.QueryUnescape(*r.AssumeRolePolicyDocument); d != doc {
				t.Fatalf("ListRoles shows %s, GetRole %s", d, doc)
			}
		}
	}

	// Saving the shown document back is refused, as IAM refuses a unique ID principal.
	_, err = e.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"), PolicyDocument: aws.String(doc)})
	testutil.WantCode(t, err, "MalformedPolicyDocument")
	// Naming bob again trusts the new bob.
	if _, err := e.IAM.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"), PolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if err := assume(newBobSTS); err != nil {
		t.Fatalf("the new bob, once named again: %v", err)
	}
	if doc := shownTrust(); doc != trust {
		t.Fatalf("GetRole shows %s after the update, want the document as written", doc)
	}
}

// A role named as a principal is tied the same way: recreated, its sessions are not trusted.
func TestTrustOfRecreatedRole(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	a := e.Account.ID
	_, bobSTS := e.UserClients("bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	bobTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + a + `:user/bob"},"Action":"sts:AssumeRole"}]}`
	first, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("first"), AssumeRolePolicyDocument: aws.String(bobTrust)})
	if err != nil {
		t.Fatal(err)
	}
	firstTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + *first.Role.Arn + `"},"Action":"sts:AssumeRole"}]}`
	second, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("second"), AssumeRolePolicyDocument: aws.String(firstTrust)})
	if err != nil {
		t.Fatal(err)
	}
	// A session of "first" with a policy allowing the next hop.
	if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("hop"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	hop := func() error {
		t.Helper()
		s, err := bobSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: first.Role.Arn, RoleSessionName: aws.String("one")})
		if err != nil {
			t.Fatal(err)
		}
		_, sc := e.Clients(*s.Credentials.AccessKeyId, *s.Credentials.SecretAccessKey, *s.Credentials.SessionToken)
		_, err = sc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two")})
		return err
	}
	if err := hop(); err != nil {
		t.Fatalf("a session of the trusted role: %v", err)
	}
	if _, err := e.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("hop")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("first")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("first"), AssumeRolePolicyDocument: aws.String(bobTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("hop"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, hop(), "AccessDenied")
}
