package stsapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server/servertest"
	"github.com/rootward/rootward/internal/testutil"
)

// Test helpers of the SDK tests, copied from internal/server's tests that these tests left.

// env is servertest's environment with the helpers of these tests.
type env struct{ *servertest.Env }

func newEnv(t *testing.T) *env { return &env{servertest.New(t)} }

// newCredEnv is newEnv with an injected clock.
func newCredEnv(t *testing.T) (*env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	return &env{servertest.Build(t, nil, clk.Now)}, clk
}

// apiMessage returns the message of an API error.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// apiError returns err's code and message as the SDK parsed them, failing unless it is an API error.
func apiError(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an API error the SDK parsed", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

const (
	invalidToken   = "InvalidClientTokenId"
	explicitSCP    = "with an explicit deny in a service control policy"
	adminPolicyARN = "arn:aws:iam::aws:policy/AdministratorAccess"
)

func totpCode(t testing.TB, seed []byte, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(string(seed), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func selfSignedPEM(t testing.TB, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// unservedClients calls an operation of Amazon S3 and of Amazon SQS, which Rootward does not
// serve, each through its own SDK client, signing with the given credentials.
func unservedClients(url string, cr aws.Credentials) map[string]func(context.Context) error {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken),
		RetryMaxAttempts: 1,
	}
	ep := aws.String(url)
	return map[string]func(context.Context) error{
		"s3": func(ctx context.Context) error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = ep; o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		},
		"sqs": func(ctx context.Context) error {
			_, err := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = ep }).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
	}
}

// caller is a set of SDK clients signing as one principal.
type caller struct {
	account string
	iam     *awsiam.Client
	sts     *sts.Client
	orgs    *organizations.Client
}

func (e *env) callerFor(account, id, secret, token string) caller {
	i, s := e.Clients(id, secret, token)
	return caller{account: account, iam: i, sts: s, orgs: e.OrgsClient(id, secret, token)}
}

// mgmt is the test account's admin user: the organization's management account once it creates one.
func (e *env) mgmt() caller {
	return e.callerFor(e.Account.ID, e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")
}

// userIn creates a user with AdministratorAccess (and the inline policy, if any) in account.
func (e *env) userIn(account, name, inline string) caller {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateUser(ctx, account, iam.CreateUserInput{UserName: name}); err != nil {
		e.T.Fatal(err)
	}
	if inline == "" {
		if err := e.Svc.AttachPolicy(ctx, account, "user", name, adminPolicyARN); err != nil {
			e.T.Fatal(err)
		}
	} else if err := e.Svc.PutInlinePolicy(ctx, account, "user", name, "inline", inline); err != nil {
		e.T.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, account, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.callerFor(account, k.AccessKeyID, k.Secret, "")
}

// rootOf returns clients signing with a new access key of account's root user.
func (e *env) rootOf(account string) caller {
	e.T.Helper()
	k, err := e.Svc.CreateRootAccessKey(context.Background(), account)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.callerFor(account, k.AccessKeyID, k.Secret, "")
}

// standalone creates an account outside any organization with an admin user.
func (e *env) standalone(name string) caller {
	e.T.Helper()
	a, err := e.Svc.CreateAccount(context.Background(), name, name+"+"+strings.ToLower(e.T.Name())+"@example.com", "")
	if err != nil {
		e.T.Fatal(err)
	}
	return e.userIn(a.ID, "admin", "")
}

// newOrg creates an organization with the management account's admin and returns the root ID.
func (e *env) newOrg(m caller) string {
	e.T.Helper()
	ctx := servertest.Ctx(e.T)
	if _, err := m.orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll}); err != nil {
		e.T.Fatal(err)
	}
	roots, err := m.orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		e.T.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	return *roots.Roots[0].Id
}

// createMember creates a member account through CreateAccount and waits for it.
func (e *env) createMember(m caller, name string) string {
	e.T.Helper()
	ctx := servertest.Ctx(e.T)
	out, err := m.orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "+" + strings.ToLower(e.T.Name()) + "@example.com"),
	})
	if err != nil {
		e.T.Fatal(err)
	}
	st, err := m.orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != otypes.CreateAccountStateSucceeded {
		e.T.Fatalf("DescribeCreateAccountStatus = %+v, %v", st, err)
	}
	return *st.CreateAccountStatus.AccountId
}

// mfaDevice gives user ("" = the root user) an enabled virtual MFA device and returns its serial
// and a source of codes: each call moves the test clock to the next TOTP step, so that no code is
// replayed.
func (e *env) mfaDevice(clk *testutil.Clock, user string) (string, func() string) {
	e.T.Helper()
	ctx := context.Background()
	name := user
	if name == "" {
		name = "root-device"
	}
	d, err := e.Svc.CreateVirtualMFADevice(ctx, e.Account.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: name})
	if err != nil {
		e.T.Fatal(err)
	}
	seed := []byte(d.Base32StringSeed)
	now := clk.Now()
	if err := e.Svc.EnableMFADevice(ctx, e.Account.ID, user, d.SerialNumber, totpCode(e.T, seed, now.Add(-30*time.Second)), totpCode(e.T, seed, now)); err != nil {
		e.T.Fatal(err)
	}
	return d.SerialNumber, func() string {
		clk.Advance(30 * time.Second)
		return totpCode(e.T, seed, clk.Now())
	}
}

// sessionOf calls GetSessionToken as c, with an MFA code when serial is set, and returns clients
// signing with the session.
func (e *env) sessionOf(c caller, serial string, code func() string) caller {
	e.T.Helper()
	in := &sts.GetSessionTokenInput{}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code())
	}
	out, err := c.sts.GetSessionToken(context.Background(), in)
	if err != nil {
		e.T.Fatalf("GetSessionToken: %v", err)
	}
	cr := out.Credentials
	return e.callerFor(c.account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

// assumed calls AssumeRole as c and returns clients signing with the role session.
func (e *env) assumed(c caller, roleARN, session string) caller {
	e.T.Helper()
	out, err := c.sts.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)})
	if err != nil {
		e.T.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	cr := out.Credentials
	return e.callerFor(c.account, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
}

// deleteUser deletes a user through the API the way IAM requires: access keys, MFA devices,
// inline and attached policies and group memberships first.
func (e *env) deleteUser(name string) {
	e.T.Helper()
	ctx := context.Background()
	u := aws.String(name)
	keys, err := e.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := e.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: u, AccessKeyId: k.AccessKeyId}); err != nil {
			e.T.Fatal(err)
		}
	}
	devices, err := e.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, d := range devices.MFADevices {
		if _, err := e.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: u, SerialNumber: d.SerialNumber}); err != nil {
			e.T.Fatal(err)
		}
		if _, err := e.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
			e.T.Fatal(err)
		}
	}
	inline, err := e.IAM.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.IAM.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: u, PolicyName: aws.String(p)}); err != nil {
			e.T.Fatal(err)
		}
	}
	attached, err := e.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: u, PolicyArn: p.PolicyArn}); err != nil {
			e.T.Fatal(err)
		}
	}
	groups, err := e.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: u})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, g := range groups.Groups {
		if _, err := e.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{UserName: u, GroupName: g.GroupName}); err != nil {
			e.T.Fatal(err)
		}
	}
	if _, err := e.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: u}); err != nil {
		e.T.Fatal(err)
	}
}

// deleteRole deletes a role and its inline and attached policies through the API.
func (e *env) deleteRole(name string) {
	e.T.Helper()
	ctx := context.Background()
	r := aws.String(name)
	inline, err := e.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: r})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := e.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: r, PolicyName: aws.String(p)}); err != nil {
			e.T.Fatal(err)
		}
	}
	attached, err := e.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: r})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := e.IAM.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: r, PolicyArn: p.PolicyArn}); err != nil {
			e.T.Fatal(err)
		}
	}
	if _, err := e.IAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: r}); err != nil {
		e.T.Fatal(err)
	}
}

// adminUser creates a user with AdministratorAccess through the API.
func (e *env) adminUser(name string) {
	e.T.Helper()
	ctx := context.Background()
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(adminPolicyARN)}); err != nil {
		e.T.Fatal(err)
	}
}

// role creates a role trusting principalARN with an inline policy (none if "") and, when admin,
// AdministratorAccess, and returns its ARN.
func (e *env) role(name, principalARN, inline string, admin bool) string {
	e.T.Helper()
	ctx := context.Background()
	out, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		e.T.Fatal(err)
	}
	if inline != "" {
		if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)}); err != nil {
			e.T.Fatal(err)
		}
	}
	if admin {
		if _, err := e.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(adminPolicyARN)}); err != nil {
			e.T.Fatal(err)
		}
	}
	return *out.Role.Arn
}

func allowPolicy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

// wantRefused fails unless c's credentials are refused as invalid, for GetCallerIdentity (which
// needs no permission) and for ListUsers (which the recreated principal is allowed).
func wantRefused(t *testing.T, c caller) {
	t.Helper()
	ctx := servertest.Ctx(t)
	_, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	testutil.WantCode(t, err, invalidToken)
	_, err = c.iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, invalidToken)
}
