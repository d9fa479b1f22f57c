package ssoadminapi_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestListAccountAssignmentsForPrincipal: a principal's own assignments (a user's, not its
// groups'), in every account or one, paged; AWS's error codes for a bad type, ID or account and a
// principal the store does not have.
func TestListAccountAssignmentsForPrincipal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	m1, m2 := e.CreateMember(e.Admin(), "one"), e.CreateMember(e.Admin(), "two")
	alice := e.user(t, "alice")
	g, err := e.ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: e.instance.IdentityStoreId, DisplayName: aws.String("ops")})
	if err != nil {
		t.Fatal(err)
	}
	ops := aws.ToString(g.GroupId)
	if _, err := e.ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: e.instance.IdentityStoreId,
		GroupId: g.GroupId, MemberId: &idtypes.MemberIdMemberUserId{Value: alice}}); err != nil {
		t.Fatal(err)
	}
	reader, writer := e.permissionSet(t, "Reader"), e.permissionSet(t, "Writer")
	assign := func(ps, ptype, pid, account string) {
		t.Helper()
		if _, err := e.sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
			PrincipalId: aws.String(pid), PrincipalType: types.PrincipalType(ptype), TargetId: aws.String(account), TargetType: types.TargetTypeAwsAccount}); err != nil {
			t.Fatal(err)
		}
	}
	assign(reader, "USER", alice, m1)
	assign(writer, "USER", alice, m2)
	assign(reader, "GROUP", ops, m1)
	e.ic.Wait()

	list := func(in *ssoadmin.ListAccountAssignmentsForPrincipalInput) []string {
		t.Helper()
		var got []string
		p := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(e.sso, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListAccountAssignmentsForPrincipal: %v", err)
			}
			for _, a := range out.AccountAssignments {
				got = append(got, aws.ToString(a.AccountId)+" "+aws.ToString(a.PermissionSetArn)+" "+string(a.PrincipalType)+" "+aws.ToString(a.PrincipalId))
			}
		}
		slices.Sort(got)
		return got
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	for _, tc := range []struct {
		name string
		in   ssoadmin.ListAccountAssignmentsForPrincipalInput
		want []string
	}{
		{"a user's own", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser},
			sorted(m1+" "+reader+" USER "+alice, m2+" "+writer+" USER "+alice)},
		{"a page at a time", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser, MaxResults: aws.Int32(1)},
			sorted(m1+" "+reader+" USER "+alice, m2+" "+writer+" USER "+alice)},
		{"in one account", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser,
			Filter: &types.ListAccountAssignmentsFilter{AccountId: aws.String(m2)}}, []string{m2 + " " + writer + " USER " + alice}},
		{"a group's", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(ops), PrincipalType: types.PrincipalTypeGroup},
			[]string{m1 + " " + reader + " GROUP " + ops}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.InstanceArn = inst
			if got := list(&in); !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	if out, err := e.sso.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst,
		PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser, MaxResults: aws.Int32(1)}); err != nil || len(out.AccountAssignments) != 1 || out.NextToken == nil {
		t.Errorf("first page of one = %+v, %v; want one assignment and a NextToken", out, err)
	}

	for _, tc := range []struct {
		name string
		in   ssoadmin.ListAccountAssignmentsForPrincipalInput
		code string
	}{
		{"bad principal type", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(alice), PrincipalType: "ROLE"}, "ValidationException"},
		{"bad principal ID", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String("not an id!"), PrincipalType: types.PrincipalTypeUser}, "ValidationException"},
		{"bad account filter", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser,
			Filter: &types.ListAccountAssignmentsFilter{AccountId: aws.String("12345")}}, "ValidationException"},
		{"unknown user", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String("90676a5f-0000-4000-8000-000000000000"), PrincipalType: types.PrincipalTypeUser}, "ResourceNotFoundException"},
		{"a group ID as a user", ssoadmin.ListAccountAssignmentsForPrincipalInput{PrincipalId: aws.String(ops), PrincipalType: types.PrincipalTypeUser}, "ResourceNotFoundException"},
		{"unknown instance", ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000"),
			PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser}, "ResourceNotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.InstanceArn == nil {
				in.InstanceArn = inst
			}
			_, err := e.sso.ListAccountAssignmentsForPrincipal(ctx, &in)
			testutil.WantCode(t, err, tc.code)
		})
	}
}
