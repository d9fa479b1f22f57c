package iamapi_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// unvalidated sends a call without the SDK's own check of required members, so that the server's
// check is what answers.
func unvalidated(o *awsiam.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// TestInputCheckedBeforeAuthorization: a request missing a required member answers AWS's
// ValidationError whoever sends it, before anything is authorized (IAM's operations checked their
// members only once authorized, so a caller without permissions got AccessDenied for a request
// that could never run); a complete request by the same caller is denied.
func TestInputCheckedBeforeAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	nobody, _ := e.UserClients("nobody", "")
	cases := []struct {
		name, member string
		call         func() error
	}{
		{"DeleteUser", "userName", func() error {
			_, err := nobody.DeleteUser(ctx, &awsiam.DeleteUserInput{}, unvalidated)
			return err
		}},
		{"GetRole", "roleName", func() error {
			_, err := nobody.GetRole(ctx, &awsiam.GetRoleInput{}, unvalidated)
			return err
		}},
		{"AttachUserPolicy", "policyArn", func() error {
			_, err := nobody.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("admin")}, unvalidated)
			return err
		}},
		{"PutRolePolicy", "policyDocument", func() error {
			_, err := nobody.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p")}, unvalidated)
			return err
		}},
		{"CreatePolicyVersion", "policyDocument", func() error {
			_, err := nobody.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}, unvalidated)
			return err
		}},
		{"SimulatePrincipalPolicy", "policySourceArn", func() error {
			_, err := nobody.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:GetUser"}}, unvalidated)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "ValidationError")
			want := "Value null at '" + tc.member + "' failed to satisfy constraint: Member must not be null"
			if got := testutil.ErrorMessage(err); !strings.Contains(got, want) {
				t.Errorf("message = %q, want it to contain %q", got, want)
			}
		})
	}
	_, err := nobody.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("admin")})
	testutil.WantCode(t, err, "AccessDenied")
}

// readCounter counts the reads (Get) of each stored object, by kind and key, and fails the next
// read of the objects in failNext.
type readCounter struct {
	store.Store
	mu       sync.Mutex
	reads    map[string]int
	failNext map[string]bool
}

func (c *readCounter) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.View(ctx, func(tx store.Tx) error { return fn(countingTx{tx, c}) })
}

func (c *readCounter) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.Update(ctx, func(tx store.Tx) error { return fn(countingTx{tx, c}) })
}

func (c *readCounter) count(kind, key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads[kind+"/"+key]
}

func (c *readCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads = map[string]int{}
}

type countingTx struct {
	store.Tx
	c *readCounter
}

func (c *readCounter) failOnce(kind, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failNext[kind+"/"+key] = true
}

func (t countingTx) Get(kind, account, key string) ([]byte, error) {
	t.c.mu.Lock()
	t.c.reads[kind+"/"+key]++
	fail := t.c.failNext[kind+"/"+key]
	delete(t.c.failNext, kind+"/"+key)
	t.c.mu.Unlock()
	if fail {
		return nil, errors.New("storage unavailable")
	}
	return t.Tx.Get(kind, account, key)
}

// TestEntityResolvedOnce: authorizing an action on a user, group or role reads the entity once, for
// both the ARN with its path and the resource's condition keys (its tags, its boundary); the
// operation then reads it once more for itself. Before, the ARN and the keys each read it.
func TestEntityResolvedOnce(t *testing.T) {
	t.Parallel()
	rc := &readCounter{Store: testbackend.Open(t), reads: map[string]int{}, failNext: map[string]bool{}}
	e := servertest.Build(t, rc, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "bob", Path: "/eng/", Tags: []iam.Tag{{Key: "team", Value: "red"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateGroup(ctx, acct, "devs", "/eng/"); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.Svc.CreateRole(ctx, acct, iam.CreateRoleInput{RoleName: "deploy", Path: "/ci/", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, kind, key string
		call            func() error
	}{
		{"ListUserTags", "user", "bob", func() error {
			_, err := e.IAM.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: aws.String("bob")})
			return err
		}},
		{"ListAttachedGroupPolicies", "group", "devs", func() error {
			_, err := e.IAM.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")})
			return err
		}},
		{"GetRole", "role", "deploy", func() error {
			_, err := e.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("deploy")})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Once to warm the caller's policy cache, then counted.
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			rc.reset()
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			if got := rc.count(tc.kind, tc.key); got != 2 {
				t.Errorf("%s/%s read %d times, want 2 (authorization, then the operation)", tc.kind, tc.key, got)
			}
		})
	}
}

// TestUnreadableResourceFailsClosed: when what an action acts on cannot be read (a user, or the
// access key whose owner is GetAccessKeyLastUsed's resource), the call fails (ServiceFailure) and
// changes nothing. Before, the resource was the user's ARN without a path, or "*" for the key, and
// a Deny on the user's path did not apply when the operation's own read then worked.
func TestUnreadableResourceFailsClosed(t *testing.T) {
	t.Parallel()
	rc := &readCounter{Store: testbackend.Open(t), reads: map[string]int{}, failNext: map[string]bool{}}
	e := servertest.Build(t, rc, nil)
	ctx := servertest.Ctx(t)
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: "bob", Path: "/privileged/"}); err != nil {
		t.Fatal(err)
	}
	key, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := e.UserClients("ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:user/privileged/*"}]}`)
	// The caller's policies are read (and cached) first, so that the failed read is the resource's.
	if _, err := ops.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	tag := []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	for _, tc := range []struct {
		name, kind, key string
		call            func() error
	}{
		{"TagUser", "user", "bob", func() error {
			_, err := ops.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("bob"), Tags: tag})
			return err
		}},
		{"GetAccessKeyLastUsed", "accesskey", key.AccessKeyID, func() error {
			_, err := ops.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(key.AccessKeyID)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc.failOnce(tc.kind, tc.key)
			testutil.WantCode(t, tc.call(), "ServiceFailure")
			// Readable, the Deny applies.
			testutil.WantCode(t, tc.call(), "AccessDenied")
		})
	}
	if u, err := e.Svc.GetUser(ctx, e.Account.ID, "bob"); err != nil || len(u.Tags) != 0 {
		t.Fatalf("bob = %+v, %v; want untagged", u, err)
	}
}

// TestGetUserReadsUserOnce: GetUser answers with the user authorization read (its ARN with its
// path, its tags and boundary), so the user is read once, not twice; the answer is that user,
// also with tags and a boundary. A name in another case, a missing user and a name GetUser refuses
// still get GetUser's own read and answers.
func TestGetUserReadsUserOnce(t *testing.T) {
	t.Parallel()
	rc := &readCounter{Store: testbackend.Open(t), reads: map[string]int{}, failNext: map[string]bool{}}
	e := servertest.Build(t, rc, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	boundary := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if _, err := e.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: "Bob", Path: "/eng/", PermissionsBoundary: boundary,
		Tags: []iam.Tag{{Key: "team", Value: "red"}}}); err != nil {
		t.Fatal(err)
	}
	get := func(name string) (*awsiam.GetUserOutput, error) {
		return e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String(name)})
	}
	// Once to warm the caller's policy cache.
	if _, err := get("Bob"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user string
		reads      int
	}{
		{"exact name", "Bob", 1},
		{"other case", "bob", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc.reset()
			out, err := get(tc.user)
			if err != nil {
				t.Fatal(err)
			}
			if got := rc.count("user", "bob"); got != tc.reads {
				t.Errorf("user read %d times, want %d", got, tc.reads)
			}
			u := out.User
			if aws.ToString(u.UserName) != "Bob" || aws.ToString(u.Path) != "/eng/" || aws.ToString(u.Arn) != "arn:aws:iam::"+acct+":user/eng/Bob" {
				t.Errorf("got user %q path %q arn %q, want Bob /eng/ with its path", aws.ToString(u.UserName), aws.ToString(u.Path), aws.ToString(u.Arn))
			}
			if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != boundary {
				t.Errorf("got boundary %+v, want %s", u.PermissionsBoundary, boundary)
			}
			if len(u.Tags) != 1 || aws.ToString(u.Tags[0].Key) != "team" || aws.ToString(u.Tags[0].Value) != "red" {
				t.Errorf("got tags %+v, want team=red", u.Tags)
			}
		})
	}
	t.Run("missing user", func(t *testing.T) {
		_, err := get("nobody")
		testutil.WantCode(t, err, "NoSuchEntity")
	})
	t.Run("name GetUser refuses", func(t *testing.T) {
		_, err := get("\u212Aob") // KELVIN SIGN folds to k, but is no IAM name character
		testutil.WantCode(t, err, "ValidationError")
	})
}
