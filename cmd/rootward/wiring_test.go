package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/signin"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// The root-user service as serve wires it follows Organizations: a member root's MFA follows the
// 35-day rule like any root's, and a member whose root credentials are centrally managed cannot recover its password.
func TestRootUserFollowsOrganizations(t *testing.T) {
	ctx := context.Background()
	w := newWired(t)
	svc, org, ru, rec, n := w.svc, w.org, w.root, w.rec, w.n
	mgmt, err := svc.CreateAccount(ctx, "mgmt", "mgmt@example.com", "Mgmt-Root-Pass-9")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateOrganization(ctx, mgmt.ID, ""); err != nil {
		t.Fatal(err)
	}
	cs, err := org.CreateAccount(ctx, mgmt.ID, orgs.CreateAccountInput{Email: "member@example.com", AccountName: "member"})
	if err != nil {
		t.Fatal(err)
	}
	done, err := org.DescribeCreateAccountStatus(ctx, mgmt.ID, cs.ID)
	if err != nil || done.State != orgs.CreateSucceeded {
		t.Fatalf("CreateAccount: %+v, %v", done, err)
	}
	member := done.AccountID
	if err := svc.SetRootPassword(ctx, member, "Member-Root-Pass-9"); err != nil {
		t.Fatal(err)
	}
	si, err := signin.New(signin.Config{IAM: svc, Root: ru, Trail: rec})
	if err != nil {
		t.Fatal(err)
	}
	client := rootuser.Client{SourceIP: "127.0.0.1"}
	mp, err := si.BeginRootSignIn(ctx, "mgmt@example.com", "Mgmt-Root-Pass-9", client)
	if err != nil || mp.Next != signin.StepMFARegistration {
		t.Fatalf("management root sign-in = %+v, %v; want the MFA registration step", mp, err)
	}
	// AWS has required MFA of member accounts' root users too since June 2025: the same 35-day
	// window applies to a member whose root still has credentials.
	sp, err := si.BeginRootSignIn(ctx, "member@example.com", "Member-Root-Pass-9", client)
	if err != nil || sp.Next != signin.StepMFARegistration || !sp.RegistrationOptional {
		t.Fatalf("member root sign-in = %+v, %v; want the optional MFA registration step of the 35-day window", sp, err)
	}

	if err := org.EnableAWSServiceAccess(ctx, mgmt.ID, orgs.IAMService); err != nil {
		t.Fatal(err)
	}
	if _, err := org.SetRootAccessFeature(ctx, mgmt.ID, orgs.FeatureRootCredentialsManagement, true); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"member@example.com", "mgmt@example.com"} {
		if err := ru.RequestPasswordReset(ctx, email, client); err != nil {
			t.Fatal(err)
		}
	}
	ru.Drain()
	// The member is told recovery is not available; only the management root gets a reset link.
	for _, c := range []struct{ to, subject string }{
		{"member@example.com", "Root password recovery is not available for account " + member},
		{"mgmt@example.com", "Reset the root password of account " + mgmt.ID},
	} {
		got, err := n.Outbox(ctx, notify.Query{To: c.to})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Subject != c.subject {
			t.Fatalf("%s got %+v, want one message %q", c.to, got, c.subject)
		}
		if hasLink := strings.Contains(got[0].Body, "/console/"); hasLink != (c.to == "mgmt@example.com") {
			t.Fatalf("%s: reset link present = %v in %q", c.to, hasLink, got[0].Body)
		}
	}
}

// wired are the services serve builds over a SQLite store: IAM, the trail, the outbox notifier,
// Organizations and the root-user service tied to it.
type wired struct {
	st   store.Store
	svc  *iam.Service
	rec  *trail.Recorder
	n    *notify.Notifier
	org  *orgs.Service
	root *rootuser.Service
}

func newWired(t testing.TB) *wired {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer := testutil.Sealer(t)
	w := &wired{st: st, svc: iam.New(st, sealer, iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))}
	w.rec = trail.NewRecorder(st, nil)
	t.Cleanup(w.rec.Close)
	if w.n, err = notify.New(st, sealer, notify.Config{}); err != nil {
		t.Fatal(err)
	}
	w.org = orgs.New(w.svc)
	w.root, err = rootuser.New(rootuser.Config{IAM: w.svc, Notifier: w.n, Trail: w.rec, ConsoleURL: "http://localhost/console"}, orgRootOptions(w.org)...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
