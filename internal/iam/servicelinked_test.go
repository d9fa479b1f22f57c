package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/testutil"
)

// A service-linked role is marked by CreateServiceLinkedRole alone, the mark survives the store,
// and a session of the role carries it; a caller's role never has it, whatever its path.
func TestServiceLinkedMark(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.svc.CreateServiceLinkedRole(e.ctx, acct, ServiceLinkedRoleInput{
		AWSServiceName: "organizations.amazonaws.com", RoleName: "AWSServiceRoleForOrganizations"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateRole(e.ctx, acct, CreateRoleInput{RoleName: "plain", Path: "/service-role/", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want bool
		path string
	}{
		{"AWSServiceRoleForOrganizations", true, "/aws-service-role/organizations.amazonaws.com/"},
		{"plain", false, "/service-role/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.svc.GetRole(e.ctx, acct, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if r.ServiceLinked != tc.want || r.Path != tc.path {
				t.Errorf("ServiceLinked, Path = %v, %q; want %v, %q", r.ServiceLinked, r.Path, tc.want, tc.path)
			}
			if s := RoleSession(acct, r); s.ServiceLinked != tc.want || s.RoleID != r.RoleID || s.RolePath != r.Path {
				t.Errorf("RoleSession = %+v, want ServiceLinked %v and the role's ID and path", s, tc.want)
			}
		})
	}
	t.Run("bad service name", func(t *testing.T) {
		_, err := e.svc.CreateServiceLinkedRole(e.ctx, acct, ServiceLinkedRoleInput{AWSServiceName: "a/b", RoleName: "AWSServiceRoleForX"})
		testutil.WantCode(t, err, "ValidationError")
	})
}

// Every service-linked role Rootward creates gets one of AWS's managed policies, under
// /aws-service-role/.
func TestLinkedServicesPolicies(t *testing.T) {
	for svc, ls := range linkedServices {
		if _, ok := AWSManaged("arn:aws:iam::aws:policy/aws-service-role/" + ls.policy); !ok {
			t.Errorf("%s: policy %s is not an AWS managed policy under /aws-service-role/", svc, ls.policy)
		}
	}
}
