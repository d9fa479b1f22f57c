package compliance_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// TestGatherReadsRootwardState builds an account through the domain services on the backend under
// test and checks the facts Gather reads and what the checks make of them.
func TestGatherReadsRootwardState(t *testing.T) {
	ctx := context.Background()
	st := testbackend.Open(t)
	sealer := testutil.Sealer(t)
	clk := testutil.NewClock(time.Date(2026, 5, 4, 10, 0, 15, 0, time.UTC))
	is := iam.New(st, sealer, iam.WithClock(clk.Now), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := notify.New(st, sealer, notify.Config{}, notify.WithClock(clk.Now), notify.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	rec := trail.NewRecorder(st, quiet)
	t.Cleanup(rec.Close)
	rs, err := rootuser.New(rootuser.Config{IAM: is, Notifier: n, Trail: rec, ConsoleURL: "https://console.rootward.test"},
		rootuser.WithClock(clk.Now), rootuser.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Drain)
	org := orgs.New(is)
	acct, err := is.CreateAccount(ctx, "Prod", "aws-root@corp.example", "Tangerine-Walrus-42")
	if err != nil {
		t.Fatal(err)
	}
	a := acct.ID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = is.CreateUser(ctx, a, iam.CreateUserInput{UserName: "alice"})
	must(err)
	_, err = is.CreateLoginProfile(ctx, a, "alice", "Correct-Horse-Battery-9", false)
	must(err)
	_, err = is.CreateAccessKey(ctx, a, "alice")
	must(err)
	must(is.AttachPolicy(ctx, a, "user", "alice", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	_, err = is.CreateGroup(ctx, a, "admins", "/")
	must(err)
	_, err = is.CreateGroup(ctx, a, "empty", "/")
	must(err)
	must(is.AddUserToGroup(ctx, a, "admins", "alice"))
	_, err = is.CreatePolicy(ctx, a, iam.CreatePolicyInput{PolicyName: "Everything",
		PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`})
	must(err)
	_, err = is.CreateRootAccessKey(ctx, a)
	must(err)
	fourteen := 14
	must(is.UpdateAccountPasswordPolicy(ctx, a, iam.PasswordPolicyInput{MinimumPasswordLength: &fourteen, RequireSymbols: true}))
	client := rootuser.Client{SourceIP: "203.0.113.7", UserAgent: "test"}
	enr, err := rs.CreateTOTPDevice(ctx, a, "", "root-app", client)
	must(err)
	now := clk.Now()
	must(rs.EnableTOTPDevice(ctx, a, "", enr.Serial, testutil.TOTPCode(t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(t, enr.Seed, now), client))

	f, err := compliance.NewGatherer(is, rs, org).Gather(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Missing) > 0 {
		t.Fatalf("Missing = %v, want none", f.Missing)
	}
	if f.Root.Email != "aws-root@corp.example" || !f.Root.PasswordEnabled || !f.Root.MFAEnabled || f.Root.VirtualMFA != 1 ||
		f.Root.HardwareMFA != 0 || f.Root.AccessKeys != 1 || f.Root.CredentialsRemoved || f.Member {
		t.Errorf("root facts: got %+v (member %v)", f.Root, f.Member)
	}
	var alice *compliance.User
	for i := range f.Users {
		if f.Users[i].Name == "alice" {
			alice = &f.Users[i]
		}
	}
	if alice == nil || !alice.PasswordEnabled || len(alice.AccessKeys) != 1 || !alice.AccessKeys[0].Active ||
		len(alice.AttachedPolicies) != 1 || alice.MFADevices != 0 || len(alice.Groups) != 1 {
		t.Fatalf("alice: got %+v", alice)
	}
	if f.PasswordPolicy == nil || f.PasswordPolicy.MinimumPasswordLength != 14 || !f.PasswordPolicy.RequireSymbols || f.PasswordPolicy.RequireNumbers {
		t.Errorf("password policy: got %+v", f.PasswordPolicy)
	}
	want := map[string]compliance.Status{
		"ROOT_ACCOUNT_MFA_ENABLED":          compliance.Passed,
		"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": compliance.Failed,
		"IAM_ROOT_ACCESS_KEY_CHECK":         compliance.Failed,
		"IAM_PASSWORD_POLICY":               compliance.Failed,
		"ROOTWARD_ROOT_MFA_TWO_DEVICES":     compliance.Failed,
		"ROOTWARD_ACCOUNT_CONTACTS_PRESENT": compliance.Failed,
	}
	got := map[string]compliance.Status{}
	for _, r := range compliance.EvaluateAll(f) {
		switch {
		case r.ResourceType == compliance.TypeAccount:
			got[r.Check] = r.Status
		case r.ResourceName == "alice" || r.ResourceName == "empty" || r.ResourceName == "Everything":
			got[r.Check+"/"+r.ResourceName] = r.Status
		}
	}
	want["MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS/alice"] = compliance.Failed
	want["IAM_USER_NO_POLICIES_CHECK/alice"] = compliance.Failed
	want["IAM_GROUP_HAS_USERS_CHECK/empty"] = compliance.Failed
	want["IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS/Everything"] = compliance.Failed
	want["ACCESS_KEYS_ROTATED/alice"] = compliance.Passed
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
}
