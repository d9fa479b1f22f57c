package cloudtrailapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// ctClient is a CloudTrail client signing with the given credentials.
func ctClient(e *servertest.Env, id, secret string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(e.Config(id, secret, ""))
}

// admin is a CloudTrail client of the test account's admin.
func admin(e *servertest.Env) *cloudtrail.Client {
	return ctClient(e, e.AdminKey.AccessKeyID, e.AdminKey.Secret)
}

// userKey creates a user of account with the inline policy (AdministratorAccess when "") and
// returns a new access key of it.
func userKey(t *testing.T, e *servertest.Env, account, name, inline string) *iam.AccessKey {
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
	return k
}
