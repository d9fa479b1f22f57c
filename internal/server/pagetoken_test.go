package server_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// flip changes one character of a token in its middle, keeping it valid base64url.
func flip(tok string) string {
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestIAMMarkerBoundToCall checks that a Marker is honoured only by the call it was issued for: a
// made-up one, an edited one, or one from another operation, filter or account answers InvalidInput
// "Invalid Marker." instead of a page.
func TestIAMMarkerBoundToCall(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	for _, n := range []string{"alice", "bob", "carol"} {
		if _, err := e.Svc.CreateUser(context.Background(), e.Account.ID, iam.CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.CreateGroup(context.Background(), e.Account.ID, n+"-group", "/"); err != nil {
			t.Fatal(err)
		}
	}
	first, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(1)})
	if err != nil || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("ListUsers = %+v, %v", first, err)
	}
	marker := *first.Marker

	// The right call pages on, with any page size.
	next, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String(marker), MaxItems: aws.Int32(2)})
	if err != nil || len(next.Users) != 2 || *next.Users[0].UserName == *first.Users[0].UserName {
		t.Fatalf("ListUsers(Marker) = %+v, %v", next, err)
	}
	// Paging to the end visits every user once.
	var all []string
	pg := awsiam.NewListUsersPaginator(e.IAM, &awsiam.ListUsersInput{MaxItems: aws.Int32(1)})
	for pg.HasMorePages() {
		p, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			all = append(all, *u.UserName)
		}
	}
	if len(all) != 4 { // admin, alice, bob, carol
		t.Fatalf("paginated ListUsers = %v, want 4 users", all)
	}

	other := e.Standalone("other")
	cases := []struct {
		name string
		call func() error
	}{
		{"made-up marker", func() error {
			_, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String("bm90LWEtbWFya2Vy")})
			return err
		}},
		{"position without the server's MAC", func() error {
			_, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String(base64.RawURLEncoding.EncodeToString([]byte("bob")))})
			return err
		}},
		{"edited marker", func() error {
			_, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String(flip(marker))})
			return err
		}},
		{"ListUsers marker given to ListGroups", func() error {
			_, err := e.IAM.ListGroups(ctx, &awsiam.ListGroupsInput{Marker: aws.String(marker)})
			return err
		}},
		{"ListUsers marker given to ListAccessKeys", func() error {
			_, err := e.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{Marker: aws.String(marker)})
			return err
		}},
		{"marker with another PathPrefix", func() error {
			_, err := e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/"), Marker: aws.String(marker)})
			return err
		}},
		{"marker from another account", func() error {
			_, err := other.IAM.ListUsers(ctx, &awsiam.ListUsersInput{Marker: aws.String(marker)})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "InvalidInput")
			if got := testutil.ErrorMessage(err); got != "Invalid Marker." {
				t.Errorf("message = %q, want %q", got, "Invalid Marker.")
			}
		})
	}
}

// TestOrganizationsNextTokenBoundToCall is TestIAMMarkerBoundToCall for Organizations: a bad
// NextToken answers InvalidInputException with Reason INVALID_NEXT_TOKEN.
func TestOrganizationsNextTokenBoundToCall(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	e.CreateMember(m, "one")
	e.CreateMember(m, "two")
	ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("empty")})
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("ListAccounts = %+v, %v", first, err)
	}
	tok := *first.NextToken
	next, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String(tok), MaxResults: aws.Int32(5)})
	if err != nil || len(next.Accounts) != 2 {
		t.Fatalf("ListAccounts(NextToken) = %+v, %v", next, err)
	}
	parentPage, err := m.Orgs.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(rootID), MaxResults: aws.Int32(1)})
	if err != nil || parentPage.NextToken == nil {
		t.Fatalf("ListAccountsForParent = %+v, %v", parentPage, err)
	}
	parentTok := *parentPage.NextToken

	cases := []struct {
		name string
		call func() error
	}{
		{"made-up token", func() error {
			_, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("bm90LWEtdG9rZW4")})
			return err
		}},
		{"edited token", func() error {
			_, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String(flip(tok))})
			return err
		}},
		{"ListAccounts token given to ListAccountsForParent", func() error {
			_, err := m.Orgs.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(rootID), NextToken: aws.String(tok)})
			return err
		}},
		{"token for another parent", func() error {
			_, err := m.Orgs.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.OrganizationalUnit.Id, NextToken: aws.String(parentTok)})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			servertest.WantReason(t, tc.call(), "InvalidInputException", "INVALID_NEXT_TOKEN")
		})
	}
}
