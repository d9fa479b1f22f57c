package iam

import (
	"reflect"
	"testing"
)

// EntityFacts finds a user, group or role by name and answers its ARN with its path with the facts
// an authorization needs (tags and boundary of a user or role), the same facts ResourceFacts finds
// by that ARN; nil for a name that names nothing, or one IAM would refuse.
func TestEntityFacts(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	boundary := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	tags := []Tag{{Key: "team", Value: "red"}}
	if _, err := e.svc.CreateUser(e.ctx, acct, CreateUserInput{UserName: "Bob", Path: "/eng/", Tags: tags, PermissionsBoundary: boundary}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateRole(e.ctx, acct, CreateRoleInput{RoleName: "deploy", Path: "/ci/", AssumeRolePolicyDocument: trust, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateGroup(e.ctx, acct, "devs", "/eng/"); err != nil {
		t.Fatal(err)
	}
	prefix := "arn:aws:iam::" + acct + ":"
	for _, tc := range []struct {
		kind, name string
		want       *ResourceFacts
	}{
		{"user", "bob", &ResourceFacts{Kind: "user", ARN: prefix + "user/eng/Bob", Tags: tags, Boundary: boundary}},
		{"role", "deploy", &ResourceFacts{Kind: "role", ARN: prefix + "role/ci/deploy", Tags: tags}},
		{"group", "devs", &ResourceFacts{Kind: "group", ARN: prefix + "group/eng/devs"}},
		{"user", "nobody", nil},
		{"role", "a\x00b", nil},
		{"policy", "devs", nil},
	} {
		t.Run(tc.kind+" "+tc.name, func(t *testing.T) {
			got, err := e.svc.EntityFacts(e.ctx, acct, tc.kind, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			// A user's facts carry the user read (for GetUser's answer); the rest is compared below.
			if got != nil && tc.kind == "user" {
				if u := got.User(); u == nil || u.UserName != "Bob" || u.Arn != got.ARN {
					t.Fatalf("EntityFacts User = %+v, want Bob", u)
				}
				user := *got
				user.user = nil
				got = &user
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("EntityFacts = %+v, want %+v", got, tc.want)
			}
			if tc.want == nil {
				return
			}
			byARN, err := e.svc.ResourceFacts(e.ctx, acct, tc.want.ARN)
			if byARN != nil {
				byARN.user = nil
			}
			if err != nil || !reflect.DeepEqual(byARN, got) {
				t.Errorf("ResourceFacts(%s) = %+v, %v; want %+v", tc.want.ARN, byARN, err, got)
			}
		})
	}
}
