package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
)

// orgData builds a data directory holding an organization with centralized root access and a member
// account whose root still has a password and an access key. It returns the directory and the two
// account IDs.
func orgData(t *testing.T) (dir, mgmt, member string) {
	t.Helper()
	ctx := context.Background()
	dir = filepath.Join(t.TempDir(), "data")
	d := dataFlags{dir: dir}
	svc, st, err := d.open(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, err := svc.CreateAccount(ctx, "management", "mgmt@example.com", "")
	must(err)
	_, err = svc.CreateUser(ctx, a.ID, iam.CreateUserInput{UserName: "admin"})
	must(err)
	must(svc.AttachPolicy(ctx, a.ID, "user", "admin", "arn:aws:iam::aws:policy/AdministratorAccess"))
	o := orgs.New(svc)
	_, err = o.CreateOrganization(ctx, a.ID, "")
	must(err)
	must(o.EnableAWSServiceAccess(ctx, a.ID, orgs.IAMService))
	for _, f := range []string{orgs.FeatureRootCredentialsManagement, orgs.FeatureRootSessions} {
		_, err = o.SetRootAccessFeature(ctx, a.ID, f, true)
		must(err)
	}
	st1, err := o.CreateAccount(ctx, a.ID, orgs.CreateAccountInput{Email: "dev@example.com", AccountName: "dev"})
	must(err)
	done, err := o.DescribeCreateAccountStatus(ctx, a.ID, st1.ID)
	must(err)
	must(svc.SetRootPassword(ctx, done.AccountID, "Zq7!vR2#kLp9@wX4"))
	_, err = svc.CreateRootAccessKey(ctx, done.AccountID)
	must(err)
	return dir, a.ID, done.AccountID
}

type inventoryJSON struct {
	OrganizationID  string
	EnabledFeatures []string
	Accounts        []orgs.RootStatus
}

func rootStatus(t *testing.T, dir string) inventoryJSON {
	t.Helper()
	out, stderr, code := run(t, "org", "root-status", "--data", dir, "--json")
	if code != 0 {
		t.Fatalf("root-status --json: exit %d: %s", code, stderr)
	}
	var inv inventoryJSON
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	return inv
}

func TestOrgRootStatusAndDeletion(t *testing.T) {
	dir, mgmt, member := orgData(t)
	inv := rootStatus(t, dir)
	if !strings.HasPrefix(inv.OrganizationID, "o-") || len(inv.EnabledFeatures) != 2 || len(inv.Accounts) != 2 {
		t.Fatalf("inventory = %+v", inv)
	}
	for _, a := range inv.Accounts {
		switch a.AccountID {
		case mgmt:
			if !a.Management || a.Password || len(a.AccessKeys) != 0 {
				t.Fatalf("management row = %+v", a)
			}
		case member:
			if a.Management || !a.Password || len(a.AccessKeys) != 1 || a.AccessKeys[0].Status != "Active" || a.Name != "dev" {
				t.Fatalf("member row = %+v", a)
			}
		default:
			t.Fatalf("unexpected account %+v", a)
		}
	}
	table, stderr, code := run(t, "org", "root-status", "--data", dir)
	if code != 0 {
		t.Fatalf("root-status: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	var row string
	for _, l := range lines {
		if strings.HasPrefix(l, member) {
			row = l
		}
	}
	if !strings.Contains(table, "ACCOUNT") || !strings.Contains(table, "RootCredentialsManagement, RootSessions") ||
		!strings.Contains(row, "dev") || !strings.Contains(row, "yes") || !strings.Contains(row, "1 (1 active)") {
		t.Fatalf("table:\n%s", table)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"missing flags", []string{"--data", dir}, 2, "--member and --as are required"},
		{"unknown user", []string{"--data", dir, "--member", member, "--as", "nobody"}, 1, ""},
		{"not a management account", []string{"--data", dir, "--member", member, "--as", "admin", "--account", member}, 2, "not the management account"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"org", "delete-root-credentials"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}
	out, stderr, code := run(t, "org", "delete-root-credentials", "--data", dir, "--member", member, "--as", "admin")
	if code != 0 || !strings.Contains(out, "password:             yes") {
		t.Fatalf("delete-root-credentials: exit %d, %s %s", code, out, stderr)
	}
	for _, a := range rootStatus(t, dir).Accounts {
		if a.AccountID == member && (a.Password || len(a.AccessKeys) != 0) {
			t.Fatalf("member after deletion = %+v", a)
		}
	}

	empty := filepath.Join(t.TempDir(), "empty")
	if _, _, code := run(t, "init", "--data", empty, "--email", "root@example.com", "--account-name", "solo",
		"--password-file", writeFile(t, "Str0ng-Root-Pass\n")); code != 0 {
		t.Fatalf("init: exit %d", code)
	}
	if _, stderr, code := run(t, "org", "root-status", "--data", empty); code != 2 || !strings.Contains(stderr, "no organization") {
		t.Fatalf("no organization: exit %d, %s", code, stderr)
	}
}

// TestOrgRootStatusShowsCurrentValues changes the accounts' names and root emails after the
// organization exists and records a root password sign-in: root-status shows the current values
// and that sign-in as the last use (it kept the copies made when the accounts joined, and counted
// access keys only).
func TestOrgRootStatusShowsCurrentValues(t *testing.T) {
	dir, mgmt, member := orgData(t)
	ctx := context.Background()
	svc, st, err := (&dataFlags{dir: dir}).open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	signedIn := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	want := map[string][2]string{mgmt: {"Acme management", "security@acme.example"}, member: {"Acme development", "dev-root@acme.example"}}
	for id, ne := range want {
		if err := svc.SetAccountName(ctx, id, ne[0]); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRootEmail(ctx, id, ne[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.RecordPasswordUse(ctx, member, "", signedIn); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, a := range rootStatus(t, dir).Accounts {
		if got := [2]string{a.Name, a.Email}; got != want[a.AccountID] {
			t.Errorf("account %s: name, email = %q, want %q", a.AccountID, got, want[a.AccountID])
		}
		if a.AccountID == member && (a.LastUsed == nil || !a.LastUsed.Equal(signedIn) || a.LastUsedBy != orgs.UseConsoleSignIn) {
			t.Errorf("member last used = %v %q, want %v %q", a.LastUsed, a.LastUsedBy, signedIn, orgs.UseConsoleSignIn)
		}
	}
	table, stderr, code := run(t, "org", "root-status", "--data", dir)
	if code != 0 {
		t.Fatalf("root-status: exit %d: %s", code, stderr)
	}
	for _, l := range strings.Split(table, "\n") {
		var want string
		switch {
		case strings.HasPrefix(l, member):
			want = "Acme development  "
			if !strings.HasSuffix(l, "2026-03-01T12:00:00Z (console sign-in)") {
				t.Errorf("member row %q does not end with the password sign-in", l)
			}
		case strings.HasPrefix(l, mgmt):
			want = "Acme management (management)"
			if !strings.HasSuffix(l, "not in the last 90 days") {
				t.Errorf("management row %q does not end with %q, as the console says it", l, "not in the last 90 days")
			}
		default:
			continue
		}
		if !strings.Contains(l, want) {
			t.Errorf("row %q lacks %q", l, want)
		}
	}
}
