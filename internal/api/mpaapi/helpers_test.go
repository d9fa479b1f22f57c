package mpaapi_test

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
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/rootward/rootward/internal/iam"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// directory is a stand-in for IAM Identity Center (mpa.Directory): one instance per test, users
// added by the test, so that the tests of the rules need no identity store.
// TestApprovalWithIdentityStoreUsers runs an approval with real identity-store users through
// mpa.ICDirectory, as serve does.
type directory struct {
	mu    sync.Mutex
	inst  mpasvc.Instance
	users map[string]mpasvc.User
}

func (d *directory) Instance(_ context.Context, a string) (mpasvc.Instance, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inst, a == d.inst.ARN, nil
}

func (d *directory) User(_ context.Context, inst, id string) (mpasvc.User, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[id]
	return u, ok && inst == d.inst.ARN, nil
}

func (d *directory) add(id, name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[id] = mpasvc.User{ID: id, UserName: name, DisplayName: name, Email: name + "@example.com"}
}

// env is a server with Multi-party approval over a stand-in Identity Center, on a test clock.
type env struct {
	*servertest.Env
	clk *testutil.Clock
	dir *directory
	mpa *mpasvc.Service
	api *mpa.Client
	// out is the notifier the team's messages go to (the outbox).
	out *notify.Notifier
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, nil)
}

// newEnvOn is newEnv over st (the test backend when nil).
func newEnvOn(t *testing.T, st store.Store) *env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	e := &env{clk: clk}
	e.Env = servertest.Build(t, st, clk.Now, func(cfg *server.Config, svc *iam.Service, st store.Store) {
		e.dir = &directory{users: map[string]mpasvc.User{}}
		n, err := notify.New(st, testutil.Sealer(t), notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		e.out = n
		e.mpa = mpasvc.New(mpasvc.Config{Store: st, Directory: e.dir, Orgs: orgs.New(svc), Trail: cfg.Trail, Notifier: n, IAM: svc, Sealer: testutil.Sealer(t),
			Contacts: func(context.Context, string) ([]string, error) { return []string{"security@example.com"}, nil },
			Now:      clk.Now, PortalURL: "https://rootward.test/approvals"})
		cfg.MPA = e.mpa
	})
	e.dir.inst = mpasvc.Instance{ARN: "arn:aws:sso:::instance/ssoins-1111222233334444", Account: e.Account.ID, Region: "us-east-1"}
	e.api = mpa.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))
	return e
}

// source creates the identity source of the test's Identity Center instance.
func (e *env) source(t *testing.T) string {
	t.Helper()
	out, err := e.api.CreateIdentitySource(servertest.Ctx(t), &mpa.CreateIdentitySourceInput{
		IdentitySourceParameters: &mpatypes.IdentitySourceParameters{IamIdentityCenter: &mpatypes.IamIdentityCenter{
			InstanceArn: aws.String(e.dir.inst.ARN), Region: aws.String("us-east-1")}}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.IdentitySourceArn
}

// team creates a team of m of the users named (added to the directory) protecting operations, and
// has every approver accept; it returns the team's ARN.
func (e *env) team(t *testing.T, src string, m int, users []string, operations ...string) string {
	t.Helper()
	var approvers []mpatypes.ApprovalTeamRequestApprover
	for _, u := range users {
		e.dir.add(u, u)
		approvers = append(approvers, mpatypes.ApprovalTeamRequestApprover{PrimaryIdentityId: aws.String(u), PrimaryIdentitySourceArn: aws.String(src)})
	}
	var policies []mpatypes.PolicyReference
	for _, op := range operations {
		policies = append(policies, mpatypes.PolicyReference{PolicyArn: aws.String(mpasvc.PolicyARN(op))})
	}
	out, err := e.api.CreateApprovalTeam(servertest.Ctx(t), &mpa.CreateApprovalTeamInput{
		Name: aws.String("root-guardians-" + strings.Join(operations, "-")), Description: aws.String("Approves root use"),
		ApprovalStrategy: &mpatypes.ApprovalStrategyMemberMofN{Value: mpatypes.MofNApprovalStrategy{MinApprovalsRequired: aws.Int32(int32(m))}},
		Approvers:        approvers, Policies: policies})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if _, err := e.mpa.RespondToInvitation(servertest.Ctx(t), *out.Arn, mpasvc.Identity{SourceARN: src, UserID: u}, true); err != nil {
			t.Fatal(err)
		}
	}
	return *out.Arn
}

// vote has user approve (or reject) session.
func (e *env) vote(t *testing.T, src, session, user, response string) {
	t.Helper()
	if _, err := e.mpa.Vote(servertest.Ctx(t), session, mpasvc.Identity{SourceARN: src, UserID: user}, response); err != nil {
		t.Fatalf("vote of %s: %v", user, err)
	}
}

// wantCode fails unless err is an API error of code with HTTP status (0: any).
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if status != 0 {
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != status {
			t.Fatalf("status of %s = %v, want %d", code, err, status)
		}
	}
}

// sessionIn returns the session ARN an AccessDenied message names.
func sessionIn(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want AccessDenied naming a session", err)
	}
	msg := ae.ErrorMessage()
	i := strings.Index(msg, "arn:aws:mpa:")
	if i < 0 {
		t.Fatalf("message %q names no session", msg)
	}
	return strings.Fields(msg[i:])[0]
}

// messageOf is the API error's message ("" for another error).
func messageOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// certPEM is a self-signed certificate of common name cn, valid from 2020 to 2040.
func certPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
