package servertest

import (
	"context"
	"strings"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
)

// ForAccount replaces the AWS documentation's example account IDs in doc by account.
func ForAccount(doc, account string) string {
	return strings.NewReplacer("111122223333", account, "123456789012", account).Replace(doc)
}

// KeyUser creates a user with tags and a permissions boundary ("" for none), attaches the managed
// policies, and returns clients signing as the user.
func (e *Env) KeyUser(name string, tags []iam.Tag, boundary string, policies ...string) (*awsiam.Client, *sts.Client) {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: name, Tags: tags, PermissionsBoundary: boundary}); err != nil {
		e.T.Fatal(err)
	}
	for _, p := range policies {
		if err := e.Svc.AttachPolicy(ctx, e.Account.ID, "user", name, p); err != nil {
			e.T.Fatal(err)
		}
	}
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.Clients(k.AccessKeyID, k.Secret, "")
}

// ManagedPolicy creates a customer managed policy with the document doc (its example account IDs
// replaced by the test account's) and returns its ARN.
func (e *Env) ManagedPolicy(name, doc string) string {
	e.T.Helper()
	p, err := e.Svc.CreatePolicy(context.Background(), e.Account.ID, iam.CreatePolicyInput{PolicyName: name, PolicyDocument: ForAccount(doc, e.Account.ID)})
	if err != nil {
		e.T.Fatal(err)
	}
	return p.Arn
}
