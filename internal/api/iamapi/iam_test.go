package iamapi_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	out, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if *u.UserName != "alice" || *u.Path != "/eng/" || *u.Arn != "arn:aws:iam::"+e.Account.ID+":user/eng/alice" ||
		!strings.HasPrefix(*u.UserId, "AIDA") || len(*u.UserId) != 21 || u.CreateDate == nil {
		t.Fatalf("CreateUser = %+v", u)
	}
	_, err = e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ALICE")})
	testutil.WantCode(t, err, "EntityAlreadyExists")

	got, err := e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
	if err != nil || *got.User.UserId != *u.UserId || len(got.User.Tags) != 1 || *got.User.Tags[0].Value != "red" {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	_, err = e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	testutil.WantCode(t, err, "NoSuchEntity")

	// GetUser without a name answers the caller.
	me, err := e.IAM.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil || *me.User.UserName != "admin" {
		t.Fatalf("GetUser(self) = %+v, %v", me, err)
	}

	for _, bad := range []struct {
		name string
		in   awsiam.CreateUserInput
		code string
	}{
		{"bad characters", awsiam.CreateUserInput{UserName: aws.String("a b")}, "ValidationError"},
		{"too long", awsiam.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65))}, "ValidationError"},
		{"bad path", awsiam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("eng")}, "ValidationError"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := e.IAM.CreateUser(ctx, &bad.in)
			testutil.WantCode(t, err, bad.code)
		})
	}

	// Pagination: 5 more users, pages of 2.
	for _, n := range []string{"u1", "u2", "u3", "u4", "u5"} {
		if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := awsiam.NewListUsersPaginator(e.IAM, &awsiam.ListUsersInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.Users {
			names = append(names, *u.UserName)
		}
	}
	if strings.Join(names, ",") != "admin,alice,u1,u2,u3,u4,u5" || pages != 4 {
		t.Fatalf("paged users = %v in %d pages", names, pages)
	}
	eng, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/eng/")})
	if err != nil || len(eng.Users) != 1 || *eng.Users[0].UserName != "alice" {
		t.Fatalf("ListUsers(/eng/) = %+v, %v", eng, err)
	}

	// Rename carries group membership and keys along.
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := e.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia")}); err != nil {
		t.Fatal(err)
	}
	g, err := e.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil || len(g.Users) != 1 || *g.Users[0].UserName != "alicia" {
		t.Fatalf("GetGroup after rename = %+v, %v", g, err)
	}
	keys, err := e.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("alicia")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != *key.AccessKey.AccessKeyId {
		t.Fatalf("ListAccessKeys after rename = %+v, %v", keys, err)
	}

	// DeleteConflict until everything is gone.
	_, err = e.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alicia")})
	testutil.WantCode(t, err, "DeleteConflict")
	if _, err := e.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alicia"), AccessKeyId: key.AccessKey.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alicia")})
	testutil.WantCode(t, err, "DeleteConflict")
	if _, err := e.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alicia")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alicia")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alicia")})
	testutil.WantCode(t, err, "NoSuchEntity")
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	reader, _ := e.UserClients("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/admin"}]}`)
	if _, err := reader.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("allowed ListUsers: %v", err)
	}
	_, err := reader.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x")})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "User: arn:aws:iam::"+e.Account.ID+":user/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+e.Account.ID+":user/x because no identity-based policy allows the iam:CreateUser action") {
		t.Fatalf("AccessDenied message = %v", err)
	}
	_, err = reader.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("admin")})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "with an explicit deny in an identity-based policy") {
		t.Fatalf("explicit deny message = %v", err)
	}
	// Group policies apply, and a change is seen at once (the cache follows the change feed).
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("creators")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("creators"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::*:user/${aws:username}-*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("creators"), UserName: aws.String("reader")}); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("reader-bot")}); err != nil {
		t.Fatalf("CreateUser allowed via group and ${aws:username}: %v", err)
	}
	_, err = reader.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("other-bot")})
	testutil.WantCode(t, err, "AccessDenied")

	// A permissions boundary narrows.
	pol, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("only-list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("reader"), PermissionsBoundary: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = reader.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("reader-bot2")})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "permissions boundary") {
		t.Fatalf("boundary message = %v", err)
	}
	if _, err := reader.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers inside the boundary: %v", err)
	}
	_, err = e.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: pol.Policy.Arn})
	testutil.WantCode(t, err, "DeleteConflict")
}

func TestManagedPolicies(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	p, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("lister"), Path: aws.String("/team/"), PolicyDocument: aws.String(doc), Description: aws.String("lists")})
	if err != nil {
		t.Fatal(err)
	}
	if *p.Policy.Arn != "arn:aws:iam::"+e.Account.ID+":policy/team/lister" || *p.Policy.DefaultVersionId != "v1" || !strings.HasPrefix(*p.Policy.PolicyId, "ANPA") {
		t.Fatalf("CreatePolicy = %+v", p.Policy)
	}
	_, err = e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("LISTER"), PolicyDocument: aws.String(doc)})
	testutil.WantCode(t, err, "EntityAlreadyExists")
	for i := 2; i <= 5; i++ {
		v, err := e.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(doc), SetAsDefault: i == 3})
		if err != nil || *v.PolicyVersion.VersionId != "v"+string(rune('0'+i)) {
			t.Fatalf("CreatePolicyVersion %d = %+v, %v", i, v, err)
		}
	}
	_, err = e.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(doc)})
	testutil.WantCode(t, err, "LimitExceeded")
	gp, err := e.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: p.Policy.Arn})
	if err != nil || *gp.Policy.DefaultVersionId != "v3" {
		t.Fatalf("GetPolicy = %+v, %v", gp, err)
	}
	_, err = e.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: aws.String("v3")})
	testutil.WantCode(t, err, "DeleteConflict")
	if _, err := e.IAM.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: aws.String("v5")}); err != nil {
		t.Fatal(err)
	}
	gv, err := e.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: aws.String("v5")})
	if err != nil || !gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion = %+v, %v", gv, err)
	}
	// Documents come back URL-encoded, as from AWS.
	if dec, _ := url.QueryUnescape(*gv.PolicyVersion.Document); dec != doc {
		t.Fatalf("document = %q", *gv.PolicyVersion.Document)
	}
	lv, err := e.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: p.Policy.Arn})
	if err != nil || len(lv.Versions) != 5 || *lv.Versions[0].VersionId != "v5" {
		t.Fatalf("ListPolicyVersions = %+v, %v", lv, err)
	}

	// AWS managed policies are listed and attachable.
	var awsPolicies []types.Policy
	for pg := awsiam.NewListPoliciesPaginator(e.IAM, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)}); pg.HasMorePages(); {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		awsPolicies = append(awsPolicies, out.Policies...)
	}
	if len(awsPolicies) != 1452 {
		t.Errorf("ListPolicies Scope=AWS listed %d policies, want 1452", len(awsPolicies))
	}
	want := map[string]bool{"AdministratorAccess": false, "PowerUserAccess": false, "ReadOnlyAccess": false, "IAMFullAccess": false, "IAMReadOnlyAccess": false, "IAMUserChangePassword": false}
	for _, mp := range awsPolicies {
		if _, ok := want[*mp.PolicyName]; ok {
			want[*mp.PolicyName] = true
			if *mp.Arn != "arn:aws:iam::aws:policy/"+*mp.PolicyName {
				t.Errorf("ARN of %s = %s", *mp.PolicyName, *mp.Arn)
			}
		}
	}
	for n, seen := range want {
		if !seen {
			t.Errorf("AWS managed policy %s not listed", n)
		}
	}
	admin, err := e.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	if err != nil || *admin.Policy.AttachmentCount != 1 {
		t.Fatalf("AdministratorAccess = %+v, %v", admin, err)
	}
	// Attach, list entities, detach.
	if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r1"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	ents, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Policy.Arn})
	if err != nil || len(ents.PolicyRoles) != 1 || *ents.PolicyRoles[0].RoleName != "r1" {
		t.Fatalf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	_, err = e.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: p.Policy.Arn})
	testutil.WantCode(t, err, "DeleteConflict")
	_, err = e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r1")})
	testutil.WantCode(t, err, "DeleteConflict")
	if _, err := e.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: p.Policy.Arn})
	testutil.WantCode(t, err, "NoSuchEntity")
	if _, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r1")}); err != nil {
		t.Fatal(err)
	}
}

// MalformedPolicyDocument cases through PutUserPolicy, CreatePolicy and CreateRole (issue 3 checks).
func TestMalformedPolicies(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	identityCases := []struct{ name, doc, code string }{
		{"invalid JSON", `{"Version":"2012-10-17","Statement":[`, "MalformedPolicyDocument"},
		{"principal in identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"missing action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"missing resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, "MalformedPolicyDocument"},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringSorta":{"aws:username":"x"}}}]}`, "MalformedPolicyDocument"},
		{"inline user size", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["` + strings.Repeat("a", 2100) + `"]}]}`, "LimitExceeded"},
	}
	for _, tc := range identityCases {
		t.Run("PutUserPolicy/"+tc.name, func(t *testing.T) {
			_, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("p"), PolicyName: aws.String("x"), PolicyDocument: aws.String(tc.doc)})
			testutil.WantCode(t, err, tc.code)
		})
		if tc.code == "MalformedPolicyDocument" {
			t.Run("CreatePolicy/"+tc.name, func(t *testing.T) {
				_, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String(tc.doc)})
				testutil.WantCode(t, err, tc.code)
			})
		}
	}
	_, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	testutil.WantCode(t, err, "MalformedPolicyDocument")
	// Nothing was created by the refused calls.
	lp, err := e.IAM.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String("p")})
	if err != nil || len(lp.PolicyNames) != 0 {
		t.Fatalf("ListUserPolicies = %+v, %v", lp, err)
	}
	_, err = e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	testutil.WantCode(t, err, "NoSuchEntity")
}

// Concurrent creates of one name give exactly one success (issue 2 §6).
func TestConcurrentCreate(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("racer")})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		testutil.WantCode(t, err, "EntityAlreadyExists")
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want 1", ok)
	}
}

// The inline quota counts all of a user's inline policies together.
func TestInlinePolicyAggregateSize(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("q")}); err != nil {
		t.Fatal(err)
	}
	doc := func(n int) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/` + strings.Repeat("a", n) + `"}]}`)
	}
	if _, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("q"), PolicyName: aws.String("one"), PolicyDocument: doc(1200)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("q"), PolicyName: aws.String("two"), PolicyDocument: doc(1200)})
	testutil.WantCode(t, err, "LimitExceeded")
	// Replacing the same policy is not counted twice.
	if _, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("q"), PolicyName: aws.String("one"), PolicyDocument: doc(1500)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.IAM.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: aws.String("q"), PolicyName: aws.String("one")})
	if err != nil || *got.UserName != "q" || *got.PolicyName != "one" || !strings.Contains(*got.PolicyDocument, strings.Repeat("a", 1500)) {
		t.Fatalf("GetUserPolicy = %+v, %v", got, err)
	}
}

func TestListUserTagsPagination(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	var tags []types.Tag
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String("v-" + k)})
	}
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("tagged"), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	var got []string
	p := awsiam.NewListUserTagsPaginator(e.IAM, &awsiam.ListUserTagsInput{UserName: aws.String("tagged"), MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tg := range page.Tags {
			got = append(got, *tg.Key+"="+*tg.Value)
		}
	}
	if strings.Join(got, ",") != "a=v-a,b=v-b,c=v-c,d=v-d,e=v-e" || pages != 3 {
		t.Fatalf("tags %v in %d pages", got, pages)
	}
	// MaxItems has a minimum of 1 (IAM API reference, ListUserTags).
	_, err := e.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("tagged"), MaxItems: aws.Int32(0)})
	testutil.WantCode(t, err, "ValidationError")
}
