package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestListEntitiesForPolicyIDsAndUsage: the entities come with their unique IDs, and
// PolicyUsageFilter=PermissionsBoundary lists the users and roles whose boundary the policy is
// instead of those it is attached to (IAM API Reference, ListEntitiesForPolicy).
func TestListEntitiesForPolicyIDsAndUsage(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	p, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("fence"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	attached, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("attached")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("attached"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	fenced, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("Fenced"), PermissionsBoundary: p.Policy.Arn})
	if err != nil {
		t.Fatal(err)
	}
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("fenced-role"), PermissionsBoundary: p.Policy.Arn,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	list := func(usage iamtypes.PolicyUsageType, filter iamtypes.EntityType) *awsiam.ListEntitiesForPolicyOutput {
		t.Helper()
		out, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Policy.Arn, PolicyUsageFilter: usage, EntityFilter: filter})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	perm := list("", "")
	if len(perm.PolicyUsers) != 1 || aws.ToString(perm.PolicyUsers[0].UserName) != "attached" || aws.ToString(perm.PolicyUsers[0].UserId) != aws.ToString(attached.User.UserId) ||
		len(perm.PolicyRoles) != 0 {
		t.Errorf("attached entities: %+v", perm)
	}
	bound := list(iamtypes.PolicyUsageTypePermissionsBoundary, "")
	if len(bound.PolicyUsers) != 1 || aws.ToString(bound.PolicyUsers[0].UserName) != "Fenced" || aws.ToString(bound.PolicyUsers[0].UserId) != aws.ToString(fenced.User.UserId) ||
		len(bound.PolicyRoles) != 1 || aws.ToString(bound.PolicyRoles[0].RoleId) != aws.ToString(role.Role.RoleId) || !strings.HasPrefix(aws.ToString(bound.PolicyRoles[0].RoleId), "AROA") {
		t.Errorf("boundary entities: %+v", bound)
	}
	if roles := list(iamtypes.PolicyUsageTypePermissionsBoundary, iamtypes.EntityTypeRole); len(roles.PolicyUsers) != 0 || len(roles.PolicyRoles) != 1 {
		t.Errorf("boundary entities, roles only: %+v", roles)
	}
	_, err = e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: p.Policy.Arn, PolicyUsageFilter: "Sometimes"})
	testutil.WantCode(t, err, "ValidationError")
}

// TestListEntitiesForPolicyPages: MaxItems counts the users, groups and roles of a page together,
// the Marker resumes after the last of them, EntityFilter and PolicyUsageFilter narrow the pages
// (each page reads only its own index entries: iam's BenchmarkListEntitiesForPolicyPage), an
// entity that goes between two pages loses nobody their place, and a Marker that is not this
// listing's is refused with InvalidInput.
func TestListEntitiesForPolicyPages(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	p, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("shared"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := p.Policy.Arn
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`)
	for _, n := range []string{"Carol", "alice", "bob", "dave"} {
		if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(n), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("fenced-" + n), PermissionsBoundary: arn}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"ops", "Devs"} {
		if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String(n), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"runner", "Builder", "auditor"} {
		if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: trust}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(n), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("fenced-" + n), AssumeRolePolicyDocument: trust, PermissionsBoundary: arn}); err != nil {
			t.Fatal(err)
		}
	}
	// names lists a page as "g:NAME", "r:NAME", "u:NAME".
	names := func(out *awsiam.ListEntitiesForPolicyOutput) []string {
		var got []string
		for _, g := range out.PolicyGroups {
			got = append(got, "g:"+aws.ToString(g.GroupName))
		}
		for _, r := range out.PolicyRoles {
			got = append(got, "r:"+aws.ToString(r.RoleName))
		}
		for _, u := range out.PolicyUsers {
			got = append(got, "u:"+aws.ToString(u.UserName))
		}
		return got
	}
	for _, tc := range []struct {
		name          string
		usage         iamtypes.PolicyUsageType
		filter        iamtypes.EntityType
		maxItems      int32
		want          string // the pages, separated by " | "
		wantTruncated int
	}{
		{"all, pages of 2", "", "", 2, "g:Devs,g:ops | r:auditor,r:Builder | r:runner,u:alice | u:bob,u:Carol | u:dave", 4},
		{"all, pages of 4", iamtypes.PolicyUsageTypePermissionsPolicy, "", 4, "g:Devs,g:ops,r:auditor,r:Builder | r:runner,u:alice,u:bob,u:Carol | u:dave", 2},
		{"users, pages of 3", "", iamtypes.EntityTypeUser, 3, "u:alice,u:bob,u:Carol | u:dave", 1},
		{"roles, pages of 1", "", iamtypes.EntityTypeRole, 1, "r:auditor | r:Builder | r:runner", 2},
		{"groups, one page", "", iamtypes.EntityTypeGroup, 2, "g:Devs,g:ops", 0},
		{"local managed filters nothing out", "", iamtypes.EntityTypeLocalManagedPolicy, 5, "g:Devs,g:ops,r:auditor,r:Builder,r:runner | u:alice,u:bob,u:Carol,u:dave", 1},
		{"boundaries, pages of 3", iamtypes.PolicyUsageTypePermissionsBoundary, "", 3,
			"r:fenced-auditor,r:fenced-Builder,r:fenced-runner | u:fenced-alice,u:fenced-bob,u:fenced-Carol | u:fenced-dave", 2},
		{"boundaries, pages of 2", iamtypes.PolicyUsageTypePermissionsBoundary, "", 2,
			"r:fenced-auditor,r:fenced-Builder | r:fenced-runner,u:fenced-alice | u:fenced-bob,u:fenced-Carol | u:fenced-dave", 3},
		{"boundary users, pages of 2", iamtypes.PolicyUsageTypePermissionsBoundary, iamtypes.EntityTypeUser, 2,
			"u:fenced-alice,u:fenced-bob | u:fenced-Carol,u:fenced-dave", 1},
		{"boundary groups: none", iamtypes.PolicyUsageTypePermissionsBoundary, iamtypes.EntityTypeGroup, 2, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, PolicyUsageFilter: tc.usage, EntityFilter: tc.filter, MaxItems: aws.Int32(tc.maxItems)}
			var pages []string
			truncated := 0
			for {
				out, err := e.IAM.ListEntitiesForPolicy(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(out); len(got) > 0 || len(pages) == 0 {
					pages = append(pages, strings.Join(got, ","))
				}
				if !out.IsTruncated {
					if out.Marker != nil {
						t.Errorf("last page has Marker %q", *out.Marker)
					}
					break
				}
				truncated++
				if aws.ToString(out.Marker) == "" {
					t.Fatal("truncated page without a Marker")
				}
				in.Marker = out.Marker
			}
			if got := strings.Join(pages, " | "); got != tc.want || truncated != tc.wantTruncated {
				t.Errorf("got pages %q (%d truncated); want %q (%d)", got, truncated, tc.want, tc.wantTruncated)
			}
		})
	}

	// An entity detached between two pages: the next page resumes after its place.
	first, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: iamtypes.EntityTypeUser, MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	next, err := e.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: iamtypes.EntityTypeUser, MaxItems: aws.Int32(2), Marker: first.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(next), ","); got != "u:Carol,u:dave" || next.IsTruncated {
		t.Errorf("after detaching bob: got %q (truncated %v); want u:Carol,u:dave", got, next.IsTruncated)
	}

	// A Marker is this listing's only: another filter's, or one changed, is InvalidInput.
	for _, tc := range []struct {
		name string
		in   *awsiam.ListEntitiesForPolicyInput
	}{
		{"another filter's", &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: iamtypes.EntityTypeRole, Marker: first.Marker}},
		{"changed", &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: iamtypes.EntityTypeUser, Marker: aws.String(aws.ToString(first.Marker) + "x")}},
		{"made up", &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, Marker: aws.String("dXNlcgBib2I")}},
	} {
		t.Run("marker "+tc.name, func(t *testing.T) {
			_, err := e.IAM.ListEntitiesForPolicy(ctx, tc.in)
			testutil.WantCode(t, err, "InvalidInput")
		})
	}
}
