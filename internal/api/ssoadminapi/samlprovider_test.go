package ssoadminapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestAssignmentCreatesTheSAMLProvider: the first role an instance provisions in an account
// brings the SAML provider AWSSSO_<id>_DO_NOT_DELETE that its trust policy names, which the
// account's IAM lists and which its administrator cannot update, tag or delete; the last
// assignment's deletion deletes it with the role.
func TestAssignmentCreatesTheSAMLProvider(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	inst := e.instance.InstanceArn
	member := e.CreateMember(e.Admin(), "workload")
	alice := e.user(t, "alice")
	memberAdmin := e.UserIn(member, "admin", "")
	providers := func() []iamtypes.SAMLProviderListEntry {
		t.Helper()
		out, err := memberAdmin.IAM.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
		if err != nil {
			t.Fatalf("ListSAMLProviders: %v", err)
		}
		return out.SAMLProviderList
	}
	if got := providers(); len(got) != 0 {
		t.Fatalf("SAML providers before any assignment: %+v, want none", got)
	}
	assignment := func(ps string) (*ssoadmin.CreateAccountAssignmentInput, *ssoadmin.DeleteAccountAssignmentInput) {
		return &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
				PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount},
			&ssoadmin.DeleteAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), PrincipalId: aws.String(alice),
				PrincipalType: types.PrincipalTypeUser, TargetId: aws.String(member), TargetType: types.TargetTypeAwsAccount}
	}
	var deletions []*ssoadmin.DeleteAccountAssignmentInput
	for _, name := range []string{"Operator", "Auditor"} {
		create, del := assignment(e.permissionSet(t, name))
		if _, err := e.sso.CreateAccountAssignment(ctx, create); err != nil {
			t.Fatal(err)
		}
		deletions = append(deletions, del)
	}
	e.ic.Wait()

	got := providers()
	if len(got) != 1 {
		t.Fatalf("SAML providers after two assignments: %+v, want one", got)
	}
	provider := aws.ToString(got[0].Arn)
	if !regexp.MustCompile(`^arn:aws:iam::` + member + `:saml-provider/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$`).MatchString(provider) {
		t.Fatalf("provider ARN %s; want arn:aws:iam::%s:saml-provider/AWSSSO_<16 hex>_DO_NOT_DELETE", provider, member)
	}
	roles, err := e.Svc.ListRoles(ctx, member, identitycenter.RolePath, iam.ListOpts{})
	if err != nil || len(roles.Items) != 2 {
		t.Fatalf("roles: %+v, %v; want two", roles, err)
	}
	for _, r := range roles.Items {
		full, err := e.Svc.GetRole(ctx, member, r.RoleName)
		if err != nil || !strings.Contains(full.AssumeRolePolicyDocument, `"Federated":"`+provider+`"`) {
			t.Fatalf("%s's trust policy %s, %v; want the provider %s", r.RoleName, full.AssumeRolePolicyDocument, err, provider)
		}
	}
	gp, err := memberAdmin.IAM.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(provider)})
	if err != nil || !strings.Contains(aws.ToString(gp.SAMLMetadataDocument), "IDPSSODescriptor") {
		t.Fatalf("GetSAMLProvider = %+v, %v; want its metadata", gp, err)
	}

	// The member's administrator cannot change or delete it.
	name := provider[strings.LastIndex(provider, "/")+1:]
	for op, call := range map[string]func() error{
		"DeleteSAMLProvider": func() error {
			_, err := memberAdmin.IAM.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(provider)})
			return err
		},
		"UpdateSAMLProvider": func() error {
			_, err := memberAdmin.IAM.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provider), SAMLMetadataDocument: gp.SAMLMetadataDocument})
			return err
		},
		"TagSAMLProvider": func() error {
			_, err := memberAdmin.IAM.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(provider), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
		"UntagSAMLProvider": func() error {
			_, err := memberAdmin.IAM.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(provider), TagKeys: []string{"k"}})
			return err
		},
	} {
		t.Run(op, func(t *testing.T) {
			err := call()
			testutil.WantCode(t, err, "UnmodifiableEntity")
			if msg, want := testutil.ErrorMessage(err), "Cannot perform the operation on the protected SAML provider '"+name+"' - this SAML provider is only modifiable by AWS"; msg != want {
				t.Fatalf("message %q, want %q", msg, want)
			}
		})
	}
	// The account's own provider of that name cannot take its place: the name is taken.
	_, err = memberAdmin.IAM.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: gp.SAMLMetadataDocument})
	testutil.WantCode(t, err, "EntityAlreadyExists")

	// The provider stays while a role of the instance does, and goes with the last one.
	for i, del := range deletions {
		if _, err := e.sso.DeleteAccountAssignment(ctx, del); err != nil {
			t.Fatal(err)
		}
		e.ic.Wait()
		want := 1
		if i == len(deletions)-1 {
			want = 0
		}
		if got := providers(); len(got) != want {
			t.Fatalf("SAML providers after %d of %d deletions: %+v, want %d", i+1, len(deletions), got, want)
		}
	}
}
