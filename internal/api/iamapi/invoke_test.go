package iamapi_test

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// The console calls the credential operations typed, as a signed-in principal, through the
// runner: the same authorization as an API caller (ChangePassword's grant by the password policy
// included), typed results.
func TestCredentialOpsInvokedTyped(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	r, req := e.Server.Runner(), httptest.NewRequest("POST", "/console/security-credentials", nil)
	alice := authz.Principal{Account: e.Account.ID, UserName: "alice"}
	e.UserClients("alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*AccessKey*","iam:GetAccountSummary"],"Resource":"*"}]}`)
	if _, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Alice-Pass-1")}); err != nil {
		t.Fatal(err)
	}

	created, err := api.Invoke(r, req, alice, iamapi.CreateAccessKey, &iamapi.AccessKeyUserInput{})
	if err != nil || created.AccessKey.UserName != "alice" || created.AccessKey.SecretAccessKey == "" {
		t.Fatalf("CreateAccessKey = %+v, %v; want a key of alice's with its secret", created, err)
	}
	id := created.AccessKey.AccessKeyID
	if _, err := api.Invoke(r, req, alice, iamapi.UpdateAccessKey, &iamapi.UpdateAccessKeyInput{AccessKeyID: id, Status: "Inactive"}); err != nil {
		t.Fatalf("UpdateAccessKey: %v", err)
	}
	keys, err := api.Invoke(r, req, alice, iamapi.ListAccessKeys, &iamapi.ListAccessKeysInput{})
	if err != nil || len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys = %+v, %v; want alice's two keys", keys, err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if k.AccessKeyID == id && k.Status != "Inactive" {
			t.Fatalf("key %s status = %s, want Inactive", id, k.Status)
		}
	}
	sum, err := api.Invoke(r, req, alice, iamapi.GetAccountSummary, &iamapi.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["Users"] != 2 {
		t.Fatalf("GetAccountSummary = %+v, %v; want Users 2", sum, err)
	}

	// Alice may not change her password until the password policy allows users to.
	change := &iamapi.ChangePasswordInput{OldPassword: "Alice-Pass-1", NewPassword: "Alice-Pass-2"}
	testutil.WantCode(t, api.Allowed(r, req, alice, iamapi.ChangePassword, change), "AccessDenied")
	if _, err := e.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true}); err != nil {
		t.Fatal(err)
	}
	if err := api.Allowed(r, req, alice, iamapi.ChangePassword, change); err != nil {
		t.Fatalf("Allowed(ChangePassword) under AllowUsersToChangePassword: %v, want nil", err)
	}
	if _, err := api.Invoke(r, req, alice, iamapi.ChangePassword, change); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := e.Svc.VerifyUserPassword(ctx, e.Account.ID, "alice", "Alice-Pass-2"); err != nil {
		t.Fatalf("the new password does not verify: %v", err)
	}
	// The call is in CloudTrail as an API call would be, its passwords hidden.
	e.Trail.Flush()
	p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, Match: func(ev *trail.Event) bool {
		return ev.EventName == "ChangePassword" && ev.ErrorCode == ""
	}})
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("ChangePassword records = %+v, %v; want 1", p, err)
	}
	if got := p.Events[0].RequestParameters; got["oldPassword"] != trail.Hidden || got["newPassword"] != trail.Hidden {
		t.Fatalf("requestParameters = %v, want both passwords %s", got, trail.Hidden)
	}
	// Another user's keys are not hers to list.
	_, err = api.Invoke(r, req, alice, iamapi.ListSigningCertificates, &iamapi.ListSigningCertificatesInput{UserName: "admin"})
	testutil.WantCode(t, err, "AccessDenied")
}
