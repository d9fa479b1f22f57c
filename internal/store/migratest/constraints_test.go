package migratest

import (
	"context"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
)

// TestConstraintsAfterMigration checks that the uniqueness and reference rules still hold over the
// migrated data, as kratos's migratest checks its constraints: a uniqueness or "still in use"
// check that moved to a new index must find the objects the previous schema wrote. Each refused
// write changes nothing, so the cases share one fixture per backend.
func TestConstraintsAfterMigration(t *testing.T) {
	h := readHandles(t)
	eng := func(h *handles) string { return h.OUs[0] }
	cases := []struct {
		name  string
		write func(ctx context.Context, s *services, h *handles) error
		want  awserr.Code
	}{
		{"user name taken, other case", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateUser(ctx, h.Management, iam.CreateUserInput{UserName: "ALICE"})
			return err
		}, awserr.EntityAlreadyExists},
		{"group name taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateGroup(ctx, h.Management, "developers", "/")
			return err
		}, awserr.EntityAlreadyExists},
		{"role name taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateRole(ctx, h.Management, iam.CreateRoleInput{RoleName: "DEPLOYER", AssumeRolePolicyDocument: allowRoot(h.Management)})
			return err
		}, awserr.EntityAlreadyExists},
		{"policy name taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreatePolicy(ctx, h.Management, iam.CreatePolicyInput{PolicyName: "fixture-policy", PolicyDocument: allowAll})
			return err
		}, awserr.EntityAlreadyExists},
		{"virtual MFA device name taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateVirtualMFADevice(ctx, h.Management, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-phone"})
			return err
		}, awserr.EntityAlreadyExists},
		{"alias taken by another account", func(ctx context.Context, s *services, h *handles) error {
			return s.iam.CreateAccountAlias(ctx, h.Standalone, "fixture-mgmt")
		}, awserr.EntityAlreadyExists},
		{"root email taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateAccount(ctx, "Another", "ROOT@mgmt.example.com", "")
			return err
		}, awserr.EntityAlreadyExists},
		{"third access key", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.iam.CreateAccessKey(ctx, h.Management, "alice")
			return err
		}, awserr.LimitExceeded},
		{"group with members", func(ctx context.Context, s *services, h *handles) error {
			return s.iam.DeleteGroup(ctx, h.Management, "developers")
		}, awserr.DeleteConflict},
		{"attached policy", func(ctx context.Context, s *services, h *handles) error {
			return s.iam.DeletePolicy(ctx, h.Management, h.Policies[1])
		}, awserr.DeleteConflict},
		{"user with keys, devices and policies", func(ctx context.Context, s *services, h *handles) error {
			return s.iam.DeleteUser(ctx, h.Management, "alice")
		}, awserr.DeleteConflict},
		{"role with policies", func(ctx context.Context, s *services, h *handles) error {
			return s.iam.DeleteRole(ctx, h.Management, "deployer")
		}, awserr.DeleteConflict},
		{"OU name taken under its parent", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.orgs.CreateOrganizationalUnit(ctx, h.Management, h.Root, "Engineering")
			return err
		}, awserr.OrgsDuplicateOU},
		{"OU with children", func(ctx context.Context, s *services, h *handles) error {
			return s.orgs.DeleteOrganizationalUnit(ctx, h.Management, eng(h))
		}, awserr.OrgsOUNotEmpty},
		{"SCP name taken", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.orgs.CreatePolicy(ctx, h.Management, orgs.CreatePolicyInput{Name: "deny-leave", Type: "SERVICE_CONTROL_POLICY",
				Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`})
			return err
		}, awserr.OrgsDuplicatePolicy},
		{"SCP in use", func(ctx context.Context, s *services, h *handles) error {
			return s.orgs.DeletePolicy(ctx, h.Management, h.SCPs[0])
		}, awserr.OrgsPolicyInUse},
		{"member already in the organization", func(ctx context.Context, s *services, h *handles) error {
			_, err := s.orgs.InviteAccountToOrganization(ctx, h.Management, orgs.HandshakeParty{ID: h.Invited, Type: "ACCOUNT"}, "")
			return err
		}, awserr.OrgsHandshakeConstraint},
	}
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			s := newServices(t, f.st, h.Now)
			ctx := context.Background()
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					err := c.write(ctx, s, h)
					e, ok := awserr.As(err)
					if !ok || e.Code != c.want {
						t.Fatalf("got %v, want %s", err, c.want)
					}
				})
			}
			// Writes over the migrated data keep old and new objects together: a new member of
			// the old group is listed with the old ones, in name order.
			t.Run("new member of an old group", func(t *testing.T) {
				if _, err := s.iam.CreateUser(ctx, h.Management, iam.CreateUserInput{UserName: "carol"}); err != nil {
					t.Fatal(err)
				}
				if err := s.iam.AddUserToGroup(ctx, h.Management, "developers", "carol"); err != nil {
					t.Fatal(err)
				}
				_, members, err := s.iam.GetGroup(ctx, h.Management, "developers", iamAll)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, u := range members.Items {
					got = append(got, u.UserName)
				}
				if want := []string{"Alice", "bob", "carol"}; !slices.Equal(got, want) {
					t.Errorf("GetGroup members = %v, want %v", got, want)
				}
			})
		})
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func allowRoot(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
}
