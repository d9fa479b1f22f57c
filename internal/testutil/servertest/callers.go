package servertest

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

// AdminPolicyARN is the AWS managed policy that allows everything.
const AdminPolicyARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// Caller is a set of SDK clients signing as one principal of Account.
type Caller struct {
	Account string
	IAM     *awsiam.Client
	STS     *sts.Client
	Orgs    *organizations.Client
}

// CallerFor returns clients of account's principal signing with the given credentials.
func (e *Env) CallerFor(account, id, secret, token string) Caller {
	i, s := e.Clients(id, secret, token)
	return Caller{Account: account, IAM: i, STS: s, Orgs: e.OrgsClient(id, secret, token)}
}

// Admin is the test account's admin user: the organization's management account once it creates one.
func (e *Env) Admin() Caller {
	return e.CallerFor(e.Account.ID, e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
}

// UserIn creates a user with AdministratorAccess (with the inline policy instead, if any) in
// account, and returns clients signing with a new access key of the user.
func (e *Env) UserIn(account, name, inline string) Caller {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		e.T.Fatal(err)
	}
	if inline == "" {
		if err := e.Svc.AttachPolicy(ctx, account, "user", name, AdminPolicyARN); err != nil {
			e.T.Fatal(err)
		}
	} else if err := e.Svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline); err != nil {
		e.T.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.CallerFor(account, k.AccessKeyID, k.Secret, "")
}

// RootOf returns clients signing with a new access key of account's root user.
func (e *Env) RootOf(account string) Caller {
	e.T.Helper()
	k, err := e.Svc.CreateRootAccessKey(context.Background(), account)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.CallerFor(account, k.AccessKeyID, k.Secret, "")
}

// RootClients returns clients signing as the test account's root user with a key written to the
// store directly, the way iam.Service stores keys: a record of the kind "accesskey" (its JSON
// names are the record's), sealed under the master key bound to "accesskey:ID", and indexed under
// the root's empty user name by the kind. Unlike RootOf it leaves no trail and takes none of the
// account's key quota.
func (e *Env) RootClients() (*awsiam.Client, *sts.Client) {
	e.T.Helper()
	sealer := testutil.Sealer(e.T)
	id, secret := "AKIAROOT"+strings.ToUpper(e.Account.ID), "root-secret-access-key-0123456789abcdefgh"
	body, err := json.Marshal(map[string]any{"id": id, "account": e.Account.ID, "status": "Active",
		"created": time.Now().UTC().Truncate(time.Second), "sealed_secret": sealer.Seal([]byte(secret), "accesskey:"+id)})
	if err != nil {
		e.T.Fatal(err)
	}
	if err := e.Store.Update(context.Background(), func(tx store.Tx) error {
		return store.PutRecordJSON(tx, "accesskey", "", id, body)
	}); err != nil {
		e.T.Fatal(err)
	}
	return e.Clients(id, secret, "")
}

// Standalone creates an account outside any organization with an admin user, and returns clients
// signing as that admin.
func (e *Env) Standalone(name string) Caller {
	e.T.Helper()
	a, err := e.Svc.CreateAccount(context.Background(), name, name+"+"+strings.ToLower(e.T.Name())+"@example.com", "")
	if err != nil {
		e.T.Fatal(err)
	}
	return e.UserIn(a.ID, "admin", "")
}

// NewOrg creates an organization (all features) with m as its management account and returns
// its root's ID.
func (e *Env) NewOrg(m Caller) string {
	e.T.Helper()
	ctx := Ctx(e.T)
	if _, err := m.Orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll}); err != nil {
		e.T.Fatal(err)
	}
	roots, err := m.Orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		e.T.Fatal(err)
	}
	if len(roots.Roots) != 1 {
		e.T.Fatalf("ListRoots: got %d roots, want 1", len(roots.Roots))
	}
	return *roots.Roots[0].Id
}

// CreateMember creates a member account through m's CreateAccount, checks that it succeeded, and
// returns its ID.
func (e *Env) CreateMember(m Caller, name string) string {
	e.T.Helper()
	ctx := Ctx(e.T)
	out, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "+" + strings.ToLower(e.T.Name()) + "@example.com"),
	})
	if err != nil {
		e.T.Fatal(err)
	}
	st, err := m.Orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		e.T.Fatal(err)
	}
	if got := st.CreateAccountStatus.State; got != otypes.CreateAccountStateSucceeded {
		e.T.Fatalf("DescribeCreateAccountStatus: got state %s (%s), want %s", got, st.CreateAccountStatus.FailureReason, otypes.CreateAccountStateSucceeded)
	}
	return *st.CreateAccountStatus.AccountId
}
