package identitystoreapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// env is a server whose test account manages an organization with the organization's Identity
// Center instance, and an Identity Store client of its admin.
type env struct {
	*servertest.Env
	ic    *identitycenter.Service
	ids   *identitystore.Client
	store string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	var ic *identitycenter.Service
	e := servertest.Build(t, nil, nil, func(cfg *server.Config, svc *iam.Service, _ store.Store) {
		cfg.Orgs = orgs.New(svc)
		ic = identitycenter.New(svc, cfg.Orgs)
		cfg.IdentityCenter = ic
	})
	t.Cleanup(ic.Wait)
	admin := e.Admin()
	e.NewOrg(admin)
	if _, err := admin.Orgs.EnableAWSServiceAccess(servertest.Ctx(t), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	list, err := ic.ListInstances(context.Background(), e.Account.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("instances after trusted access: %+v, %v", list, err)
	}
	return &env{Env: e, ic: ic, ids: identitystore.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")), store: list[0].IdentityStoreID}
}

// storeClient creates a user of account with the inline policy (AdministratorAccess when "") and
// returns an Identity Store client signing with a new access key of it.
func (e *env) storeClient(t *testing.T, account, name, inline string) *identitystore.Client {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	var err error
	if inline == "" {
		err = e.Svc.AttachPolicy(ctx, account, "user", name, servertest.AdminPolicyARN)
	} else {
		err = e.Svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline)
	}
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		t.Fatal(err)
	}
	return identitystore.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
}

func (e *env) createUser(t *testing.T, name string) string {
	t.Helper()
	out, err := e.ids.CreateUser(servertest.Ctx(t), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(e.store), UserName: aws.String(name), DisplayName: aws.String(name + " Example"),
		Name:   &types.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")},
		Emails: []types.Email{{Value: aws.String(name + "@example.com"), Primary: true, Type: aws.String("work")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.UserId
}

func TestUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	alice := e.createUser(t, "alice")
	e.createUser(t, "bob")

	got, err := e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.UserName) != "alice" || aws.ToString(got.Name.FamilyName) != "Example" || len(got.Emails) != 1 ||
		!got.Emails[0].Primary || got.UserStatus != types.UserStatusEnabled || got.CreatedAt == nil ||
		aws.ToString(got.CreatedBy) != "arn:aws:iam::"+e.Account.ID+":user/admin" {
		t.Fatalf("DescribeUser = %+v", got)
	}

	list, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store), MaxResults: aws.Int32(1)})
	if err != nil || len(list.Users) != 1 || list.NextToken == nil {
		t.Fatalf("ListUsers page 1 = %+v, %v", list, err)
	}
	list2, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store), MaxResults: aws.Int32(1), NextToken: list.NextToken})
	if err != nil || len(list2.Users) != 1 || list2.NextToken != nil || *list2.Users[0].UserId == *list.Users[0].UserId {
		t.Fatalf("ListUsers page 2 = %+v, %v", list2, err)
	}
	// Filters are deprecated in the SDK but served, as AWS still answers them.
	filtered, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store),
		//lint:ignore SA1019 Rootward serves the deprecated Filters as AWS does
		Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("alice")}}})
	if err != nil || len(filtered.Users) != 1 || *filtered.Users[0].UserId != alice {
		t.Fatalf("ListUsers UserName=alice = %+v, %v", filtered, err)
	}

	id, err := e.ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(e.store),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("alice")}}})
	if err != nil || aws.ToString(id.UserId) != alice {
		t.Fatalf("GetUserId = %+v, %v", id, err)
	}

	if _, err := e.ids.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice),
		Operations: []types.AttributeOperation{
			{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Alice A.")},
			{AttributePath: aws.String("name.givenName"), AttributeValue: document.NewLazyDocument("Al")},
		}}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)})
	if aws.ToString(got.DisplayName) != "Alice A." || aws.ToString(got.Name.GivenName) != "Al" {
		t.Fatalf("after UpdateUser: %+v", got)
	}

	if _, err := e.ids.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeUser || aws.ToString(nf.ResourceId) != alice {
		t.Fatalf("DescribeUser of a deleted user: %v; want ResourceNotFoundException USER %s", err, alice)
	}
	testutil.WantStatus(t, err, 404)
}

func TestUserErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	e.createUser(t, "alice")
	name := func(g, f string) *types.Name { return &types.Name{GivenName: aws.String(g), FamilyName: aws.String(f)} }
	cases := []struct {
		name string
		in   identitystore.CreateUserInput
		code string
	}{
		{"user name taken, in another case", identitystore.CreateUserInput{UserName: aws.String("ALICE"), DisplayName: aws.String("A"), Name: name("a", "b")}, "ConflictException"},
		{"no display name", identitystore.CreateUserInput{UserName: aws.String("carol"), Name: name("a", "b")}, "ValidationException"},
		{"no name", identitystore.CreateUserInput{UserName: aws.String("carol"), DisplayName: aws.String("C")}, "ValidationException"},
		{"reserved user name", identitystore.CreateUserInput{UserName: aws.String("AWSAdministrators"), DisplayName: aws.String("C"), Name: name("a", "b")}, "ValidationException"},
		{"two primary emails", identitystore.CreateUserInput{UserName: aws.String("carol"), DisplayName: aws.String("C"), Name: name("a", "b"),
			Emails: []types.Email{{Value: aws.String("a@example.com"), Primary: true}, {Value: aws.String("b@example.com"), Primary: true}}}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.IdentityStoreId = aws.String(e.store)
			_, err := e.ids.CreateUser(ctx, &in)
			testutil.WantCode(t, err, tc.code)
			var ce *types.ConflictException
			if errors.As(err, &ce) && ce.Reason != types.ConflictExceptionReasonUniquenessConstraintViolation {
				t.Fatalf("Reason = %q, want UNIQUENESS_CONSTRAINT_VIOLATION", ce.Reason)
			}
		})
	}
	t.Run("unknown store", func(t *testing.T) {
		_, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d-0000000000")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeIdentityStore {
			t.Fatalf("got %v; want ResourceNotFoundException IDENTITY_STORE", err)
		}
	})
	t.Run("malformed user ID", func(t *testing.T) {
		_, err := e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String("nope")})
		testutil.WantCode(t, err, "ValidationException")
	})
	t.Run("filter on another attribute", func(t *testing.T) {
		_, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store),
			//lint:ignore SA1019 Rootward serves the deprecated Filters as AWS does
			Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("x")}}})
		testutil.WantCode(t, err, "ValidationException")
	})
	t.Run("forged NextToken", func(t *testing.T) {
		_, err := e.ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store), NextToken: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")})
		testutil.WantCode(t, err, "ValidationException")
	})
	t.Run("another account's store", func(t *testing.T) {
		// An account outside the organization, with AdministratorAccess, finds no store there.
		a, err := e.Svc.CreateAccount(ctx, "other", "other@example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		c := e.storeClient(t, a.ID, "admin", "")
		_, err = c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(e.store)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeIdentityStore {
			t.Fatalf("got %v; want ResourceNotFoundException IDENTITY_STORE", err)
		}
	})
}

// TestAuthorization: identitystore actions are authorized on the identity store's ARN and the
// user's, with identitystore:UserId; a caller allowed neither is refused with AccessDeniedException
// and nothing changes.
func TestAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	alice := e.createUser(t, "alice")
	storeARN := identitycenter.IdentityStoreARN(e.Account.ID, e.store)
	policyFor := func(action, resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
	}
	client := func(name, doc string) *identitystore.Client { return e.storeClient(t, e.Account.ID, name, doc) }
	storeOnly := client("storeonly", policyFor("identitystore:DeleteUser", storeARN))
	_, err := storeOnly.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)})
	testutil.WantCode(t, err, awserr.ICAccessDenied)
	if _, err := e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)}); err != nil {
		t.Fatalf("the refused DeleteUser deleted the user: %v", err)
	}
	both := client("both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"identitystore:DescribeUser","Resource":["`+storeARN+`","`+identitycenter.UserARN(alice)+`"],"Condition":{"StringEquals":{"identitystore:UserId":"`+alice+`"}}}]}`)
	if _, err := both.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(alice)}); err != nil {
		t.Fatalf("DescribeUser allowed on the store and the user: %v", err)
	}
	bob := e.createUser(t, "bob")
	_, err = both.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(e.store), UserId: aws.String(bob)})
	testutil.WantCode(t, err, awserr.ICAccessDenied)
}

func TestGroupsAndMemberships(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	alice := e.createUser(t, "alice")
	g, err := e.ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(e.store), DisplayName: aws.String("Admins"), Description: aws.String("people who administer")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(e.store), DisplayName: aws.String("admins")})
	testutil.WantCode(t, err, "ConflictException")
	dg, err := e.ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId})
	if err != nil || aws.ToString(dg.DisplayName) != "Admins" || aws.ToString(dg.Description) != "people who administer" {
		t.Fatalf("DescribeGroup = %+v, %v", dg, err)
	}
	lg, err := e.ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(e.store),
		//lint:ignore SA1019 Rootward serves the deprecated Filters as AWS does
		Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("Admins")}}})
	if err != nil || len(lg.Groups) != 1 {
		t.Fatalf("ListGroups = %+v, %v", lg, err)
	}
	gid, err := e.ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(e.store),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Admins")}}})
	if err != nil || aws.ToString(gid.GroupId) != *g.GroupId {
		t.Fatalf("GetGroupId = %+v, %v", gid, err)
	}
	if _, err := e.ids.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId,
		Operations: []types.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("admins")}}}); err != nil {
		t.Fatal(err)
	}

	member := &types.MemberIdMemberUserId{Value: alice}
	m, err := e.ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId, MemberId: member})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId, MemberId: member})
	testutil.WantCode(t, err, "ConflictException")
	mid, err := e.ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId, MemberId: member})
	if err != nil || aws.ToString(mid.MembershipId) != *m.MembershipId {
		t.Fatalf("GetGroupMembershipId = %+v, %v", mid, err)
	}
	dm, err := e.ids.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(e.store), MembershipId: m.MembershipId})
	if err != nil || aws.ToString(dm.GroupId) != *g.GroupId || dm.MemberId.(*types.MemberIdMemberUserId).Value != alice {
		t.Fatalf("DescribeGroupMembership = %+v, %v", dm, err)
	}
	lm, err := e.ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId})
	if err != nil || len(lm.GroupMemberships) != 1 {
		t.Fatalf("ListGroupMemberships = %+v, %v", lm, err)
	}
	lf, err := e.ids.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(e.store), MemberId: member})
	if err != nil || len(lf.GroupMemberships) != 1 {
		t.Fatalf("ListGroupMembershipsForMember = %+v, %v", lf, err)
	}
	other, _ := e.ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(e.store), DisplayName: aws.String("Others")})
	in, err := e.ids.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: aws.String(e.store), MemberId: member, GroupIds: []string{*g.GroupId, *other.GroupId}})
	if err != nil || len(in.Results) != 2 || !in.Results[0].MembershipExists || in.Results[1].MembershipExists {
		t.Fatalf("IsMemberInGroups = %+v, %v", in, err)
	}
	if _, err := e.ids.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(e.store), MembershipId: m.MembershipId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.ids.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(e.store), MembershipId: m.MembershipId})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeGroupMembership {
		t.Fatalf("after DeleteGroupMembership: %v; want ResourceNotFoundException GROUP_MEMBERSHIP", err)
	}
	if _, err := e.ids.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(e.store), GroupId: g.GroupId})
	testutil.WantCode(t, err, "ResourceNotFoundException")
}

// TestTrailHidesPersonalData: CreateUser's CloudTrail record shows the store and hides the
// attributes the Identity Store model marks sensitive.
func TestTrailHidesPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	e.createUser(t, "alice")
	e.Trail.Flush()
	p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, EventName: "CreateUser"})
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("CreateUser records: %d, %v", len(p.Events), err)
	}
	ev := p.Events[0]
	rp := ev.RequestParameters
	if ev.EventSource != "identitystore.amazonaws.com" || rp["identityStoreId"] != e.store {
		t.Fatalf("record %s: %v; want identitystore.amazonaws.com with the store", ev.EventSource, rp)
	}
	for _, k := range []string{"userName", "displayName", "name", "emails"} {
		if rp[k] != trail.Hidden {
			t.Errorf("requestParameters[%s] = %v; want %s", k, rp[k], trail.Hidden)
		}
	}
}
