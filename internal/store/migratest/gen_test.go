//go:build migratestgen

// The generator of the fixtures: it ran once against the code of the commit testdata/README.md
// names, and is kept to show how the fixtures were made and to make the next generation's. It
// is behind a build tag because it is written against that commit's API, which later code may
// change; run it as the README says, on a checkout of the commit it is meant for.

package migratest

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/rootuser/webauthntest"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// genStart is the generator's clock at its start: 15 s into a TOTP step, so that the codes of
// neighbouring steps are unambiguous.
var genStart = time.Date(2026, 3, 2, 10, 0, 15, 0, time.UTC)

const hwSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// TestGenerate writes testdata/rootward.db, testdata/postgres.sql and testdata/handles.json. It
// needs ROOTWARD_TEST_POSTGRES for the dump, and pg_dump of the server's major version.
func TestGenerate(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, f := range []string{sqliteFixture, sqliteFixture + "-wal", sqliteFixture + "-shm", sqliteFixture + "-open.lock"} {
		_ = os.Remove(f)
	}
	st, err := sqlite.Open(sqliteFixture)
	if err != nil {
		t.Fatal(err)
	}
	h := populate(t, st)
	writeJSON(t, handlesFile, h)

	// The PostgreSQL fixture holds the same objects, written through the postgres backend of the
	// same commit, so that one set of expected values serves both.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	items := readObjects(t, sqliteFixture)
	pgDSN := pgtest.FreshSchema(t, dsn)
	pg, err := postgres.Open(context.Background(), pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.Update(context.Background(), func(tx store.Tx) error {
		for _, o := range items {
			if err := tx.Insert(o.kind, o.account, o.it.Key, o.it.Body); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_ = pg.Close()
	dumpSchema(t, pgDSN)
	// A checkpoint folds the WAL into the file, so the fixture is the one file.
	for _, f := range []string{sqliteFixture + "-wal", sqliteFixture + "-shm", sqliteFixture + "-open.lock"} {
		_ = os.Remove(f)
	}
}

// readObjects reads every row of the SQLite fixture's objects table with the driver the store
// uses, after folding the write-ahead log into the file: the file stays in WAL mode, as serve
// leaves it, and needs no -wal file beside it.
func readObjects(t *testing.T, path string) []struct {
	kind, account string
	it            store.Item
} {
	t.Helper()
	db, err := sqliteRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT kind, account, key, body FROM objects ORDER BY kind, account, key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []struct {
		kind, account string
		it            store.Item
	}
	for rows.Next() {
		var k, a, key, body []byte
		if err := rows.Scan(&k, &a, &key, &body); err != nil {
			t.Fatal(err)
		}
		out = append(out, struct {
			kind, account string
			it            store.Item
		}{string(k), string(a), store.Item{Key: string(key), Body: body}})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpSchema writes the schema of dsn's search_path with pg_dump, as INSERT statements (COPY
// cannot be sent through a driver), without the schema's name: the test loads it into a schema
// of its own through the search_path.
func dumpSchema(t *testing.T, dsn string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := cfg.RuntimeParams["search_path"]
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	base := u.String()
	cmd := exec.Command("pg_dump", "--schema="+schema, "--no-owner", "--no-privileges", "--inserts",
		"--no-comments", base)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	// pg_dump's comments name the schema; the statements are kept, the comments and the schema's
	// own statements are not.
	lines := []string{"-- The objects of testdata/rootward.db as the PostgreSQL backend stored them: pg_dump of the",
		"-- schema, without the schema's name (see README.md)."}
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "--"), strings.HasPrefix(l, "CREATE SCHEMA "),
			// psql meta-commands (\restrict) that pg_dump adds; the test does not run psql.
			strings.HasPrefix(l, `\`),
			strings.Contains(l, "set_config('search_path'"),
			l == "" && len(lines) > 0 && lines[len(lines)-1] == "":
			continue
		}
		lines = append(lines, l)
	}
	text := strings.Join(lines, "\n")
	text = regexp.MustCompile(regexp.QuoteMeta(schema)+`\.`).ReplaceAllString(text, "")
	text = strings.ReplaceAll(text, "'"+schema+".", "'")
	if strings.Contains(text, schema) {
		_ = os.WriteFile("/tmp/migratest-dump.sql", out, 0o600)
		t.Fatalf("dump still names schema %s", schema)
	}
	if err := os.WriteFile(postgresFixture, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// populate writes at least one of every kind of stored object through the domain services, on a
// clock that only moves when told.
func populate(t *testing.T, st store.Store) *handles {
	ctx := context.Background()
	s := newServices(t, st, genStart)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tick := func() { s.clock.Advance(30 * time.Second) }
	client := rootuser.Client{SourceIP: "203.0.113.7", UserAgent: "fixture-browser/1.0"}
	h := &handles{}

	// The management account: root password, alias, password policy, root MFA (virtual and
	// WebAuthn), a root access key and signing certificate.
	first, err := s.iam.ClaimInstallation(ctx)
	must(err)
	if !first {
		t.Fatal("installation already claimed")
	}
	mgmt, err := s.iam.CreateAccount(ctx, "Fixture Management", "root@mgmt.example.com", "Tangerine-Walrus-42")
	must(err)
	h.Management = mgmt.ID
	must(s.iam.CreateAccountAlias(ctx, mgmt.ID, "fixture-mgmt"))
	must(s.iam.UpdateAccountPasswordPolicy(ctx, mgmt.ID, iam.PasswordPolicyInput{
		MinimumPasswordLength: ptr(14), MaxPasswordAge: ptr(90), PasswordReusePrevention: ptr(5),
		RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, HardExpiry: ptr(false),
	}))
	must(s.iam.RecordPasswordUse(ctx, mgmt.ID, "", s.clock.Now()))
	enr, err := s.root.CreateTOTPDevice(ctx, mgmt.ID, "", "root-phone", client)
	must(err)
	now := s.clock.Now()
	must(s.root.EnableTOTPDevice(ctx, mgmt.ID, "", enr.Serial, testutil.TOTPCode(t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(t, enr.Seed, now), client))
	tick()
	creation, ceremony, err := s.root.BeginWebAuthnRegistration(ctx, mgmt.ID, "", "yubikey")
	must(err)
	key := webauthntest.New(t, consoleURL)
	_, err = s.root.FinishWebAuthnRegistration(ctx, ceremony, key.Create(creation), client)
	must(err)
	// A registration begun and never finished leaves its ceremony record.
	_, _, err = s.root.BeginWebAuthnRegistration(ctx, mgmt.ID, "", "abandoned")
	must(err)
	rootKey, err := s.iam.CreateRootAccessKey(ctx, mgmt.ID)
	must(err)
	h.AccessKeys = append(h.AccessKeys, rootKey.AccessKeyID)
	must(s.iam.RecordKeyUse(ctx, rootKey.AccessKeyID, "sts", "us-east-1", s.clock.Now()))
	_, err = s.iam.UploadSigningCertificate(ctx, mgmt.ID, "", testutil.SelfSignedPEM(t, "fixture-root"))
	must(err)
	p := rootPrincipal(t, s, mgmt.ID)
	must(s.root.SetPhone(ctx, p, "+1 206 555 0100", client))
	must(s.root.SetSecurityContact(ctx, p, &rootuser.Contact{Name: "Sec Team", Title: "CISO", EmailAddress: "security@mgmt.example.com", PhoneNumber: "+12065550101"}, client))
	tick()

	// Customer managed policies: a boundary, and one with three versions (v2 default).
	boundary, err := s.iam.CreatePolicy(ctx, mgmt.ID, iam.CreatePolicyInput{PolicyName: "fixture-boundary", Path: "/boundaries/",
		PolicyDocument: allow("s3:*", "iam:Get*"), Description: "Boundary for engineers"})
	must(err)
	pol, err := s.iam.CreatePolicy(ctx, mgmt.ID, iam.CreatePolicyInput{PolicyName: "fixture-policy", Path: "/",
		PolicyDocument: allow("s3:GetObject"), Description: "Versions", Tags: []iam.Tag{{Key: "team", Value: "platform"}}})
	must(err)
	h.Policies = []string{boundary.Arn, pol.Arn}
	tick()
	_, err = s.iam.CreatePolicyVersion(ctx, mgmt.ID, pol.Arn, allow("s3:GetObject", "s3:PutObject"), true)
	must(err)
	tick()
	_, err = s.iam.CreatePolicyVersion(ctx, mgmt.ID, pol.Arn, allow("s3:*"), false)
	must(err)
	must(s.iam.TagPolicy(ctx, mgmt.ID, pol.Arn, []iam.Tag{{Key: "owner", Value: "alice"}}))

	// Users: alice has everything a user can have, bob a little.
	_, err = s.iam.CreateUser(ctx, mgmt.ID, iam.CreateUserInput{UserName: "Alice", Path: "/engineering/",
		PermissionsBoundary: boundary.Arn, Tags: []iam.Tag{{Key: "cost-center", Value: "1234"}, {Key: "team", Value: "platform"}}})
	must(err)
	_, err = s.iam.CreateLoginProfile(ctx, mgmt.ID, "Alice", "Alice-Password-123!", true)
	must(err)
	must(s.iam.RecordPasswordUse(ctx, mgmt.ID, "Alice", s.clock.Now()))
	k1, err := s.iam.CreateAccessKey(ctx, mgmt.ID, "Alice")
	must(err)
	k2, err := s.iam.CreateAccessKey(ctx, mgmt.ID, "Alice")
	must(err)
	must(s.iam.UpdateAccessKey(ctx, mgmt.ID, "Alice", k2.AccessKeyID, "Inactive"))
	must(s.iam.RecordKeyUse(ctx, k1.AccessKeyID, "iam", "us-east-1", s.clock.Now()))
	h.AccessKeys = append(h.AccessKeys, k1.AccessKeyID, k2.AccessKeyID)
	cert, err := s.iam.UploadSigningCertificate(ctx, mgmt.ID, "Alice", testutil.SelfSignedPEM(t, "fixture-alice"))
	must(err)
	must(s.iam.UpdateSigningCertificate(ctx, mgmt.ID, "Alice", cert.CertificateID, "Inactive"))
	dev, err := s.iam.CreateVirtualMFADevice(ctx, mgmt.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "alice-phone",
		Tags: []iam.Tag{{Key: "kind", Value: "phone"}}})
	must(err)
	now = s.clock.Now()
	must(s.iam.EnableMFADevice(ctx, mgmt.ID, "Alice", dev.SerialNumber, testutil.TOTPCode(t, dev.Base32StringSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, dev.Base32StringSeed, now)))
	tick()
	now = s.clock.Now()
	must(s.iam.EnableHardwareMFADevice(ctx, mgmt.ID, "Alice", "GAHT00000001", hwSeed, testutil.TOTPCode(t, hwSeed, now.Add(-30*time.Second)), testutil.TOTPCode(t, hwSeed, now)))
	tick()
	must(s.iam.PutInlinePolicy(ctx, mgmt.ID, "user", "Alice", "alice-inline", allow("sqs:SendMessage")))
	must(s.iam.AttachPolicy(ctx, mgmt.ID, "user", "Alice", pol.Arn))
	must(s.iam.AttachPolicy(ctx, mgmt.ID, "user", "Alice", arn.AWSManagedPolicy("/", "ReadOnlyAccess")))
	_, err = s.iam.CreateUser(ctx, mgmt.ID, iam.CreateUserInput{UserName: "bob"})
	must(err)
	_, err = s.iam.CreateAccessKey(ctx, mgmt.ID, "bob")
	must(err)
	// bob's security key (its WebAuthn user handle is the root-user service's record of bob), and
	// his console sessions ended once (the session epoch kept in the same record).
	creation, ceremony, err = s.root.BeginWebAuthnRegistration(ctx, mgmt.ID, "bob", "bob-key")
	must(err)
	_, err = s.root.FinishWebAuthnRegistration(ctx, ceremony, webauthntest.New(t, consoleURL).Create(creation), client)
	must(err)
	_, err = s.root.EndAllSessions(ctx, mgmt.ID, "bob")
	must(err)
	// An unassigned virtual device.
	_, err = s.iam.CreateVirtualMFADevice(ctx, mgmt.ID, iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: "spare", Path: "/spares/"})
	must(err)

	// A group with both users, an inline and an attached policy.
	_, err = s.iam.CreateGroup(ctx, mgmt.ID, "Developers", "/teams/")
	must(err)
	must(s.iam.AddUserToGroup(ctx, mgmt.ID, "Developers", "Alice"))
	must(s.iam.AddUserToGroup(ctx, mgmt.ID, "Developers", "bob"))
	must(s.iam.PutInlinePolicy(ctx, mgmt.ID, "group", "Developers", "dev-inline", allow("ec2:Describe*")))
	must(s.iam.AttachPolicy(ctx, mgmt.ID, "group", "Developers", pol.Arn))

	// A role with a trust policy, tags, a boundary and policies, and a service-linked role.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := s.iam.CreateRole(ctx, mgmt.ID, iam.CreateRoleInput{RoleName: "Deployer", Path: "/ci/", AssumeRolePolicyDocument: trust,
		Description: "Deploys things", MaxSessionDuration: 7200, PermissionsBoundary: boundary.Arn,
		Tags: []iam.Tag{{Key: "env", Value: "prod"}}})
	must(err)
	must(s.iam.PutInlinePolicy(ctx, mgmt.ID, "role", "Deployer", "deploy-inline", allow("lambda:UpdateFunctionCode")))
	must(s.iam.AttachPolicy(ctx, mgmt.ID, "role", "Deployer", pol.Arn))
	_, err = s.iam.CreateServiceLinkedRole(ctx, mgmt.ID, iam.ServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com", RoleName: "AWSServiceRoleForAutoScaling"})
	must(err)
	tick()

	// STS sessions: an assumed role (whose use is the role's last use) and a user's session.
	assumed := &iam.Session{Account: mgmt.ID, IssuedAt: s.clock.Now(), Expiration: s.clock.Now().Add(12 * time.Hour),
		Type: iam.PrincipalAssumedRole, RoleName: role.RoleName, RoleID: role.RoleID, RolePath: role.Path, SessionName: "deploy-1",
		SourceIdentity: "alice", Tags: []iam.Tag{{Key: "project", Value: "fixture"}}}
	must(s.iam.IssueSession(ctx, assumed))
	must(s.iam.RecordKeyUse(ctx, assumed.AccessKeyID, "sts", "eu-west-1", s.clock.Now()))
	mfaAt := s.clock.Now()
	userSess := &iam.Session{Account: mgmt.ID, IssuedAt: s.clock.Now(), Expiration: s.clock.Now().Add(12 * time.Hour),
		Type: iam.PrincipalUser, UserName: "Alice", MFA: true, MFATime: &mfaAt}
	u, err := s.iam.GetUser(ctx, mgmt.ID, "Alice")
	must(err)
	userSess.UserID = u.UserID
	must(s.iam.IssueSession(ctx, userSess))
	h.Sessions = []session{{assumed.AccessKeyID, assumed.Token}, {userSess.AccessKeyID, userSess.Token}}

	// The credential report.
	_, err = s.iam.GenerateCredentialReport(ctx, mgmt.ID)
	must(err)
	tick()

	// The organization: OUs, a created member account moved into one, SCPs, tags, handshakes,
	// trusted services, a delegated administrator and centralized root access.
	org, err := s.orgs.CreateOrganization(ctx, mgmt.ID, "ALL")
	must(err)
	h.Organization = org.ID
	roots, err := s.orgs.ListRoots(ctx, mgmt.ID)
	must(err)
	h.Root = roots[0].ID
	_, err = s.orgs.EnablePolicyType(ctx, mgmt.ID, h.Root, "SERVICE_CONTROL_POLICY")
	must(err)
	eng, err := s.orgs.CreateOrganizationalUnit(ctx, mgmt.ID, h.Root, "Engineering", orgs.Tag{Key: "dept", Value: "eng"})
	must(err)
	plat, err := s.orgs.CreateOrganizationalUnit(ctx, mgmt.ID, eng.ID, "Platform")
	must(err)
	h.OUs = []string{eng.ID, plat.ID}
	cas, err := s.orgs.CreateAccount(ctx, mgmt.ID, orgs.CreateAccountInput{Email: "root@member.example.com", AccountName: "Fixture Member",
		Tags: []orgs.Tag{{Key: "stage", Value: "dev"}}})
	must(err)
	h.CreateAccountRequest = cas.ID
	cas, err = s.orgs.DescribeCreateAccountStatus(ctx, mgmt.ID, cas.ID)
	must(err)
	if cas.AccountID == "" {
		t.Fatalf("CreateAccount: %+v", cas)
	}
	h.Member = cas.AccountID
	must(s.orgs.MoveAccount(ctx, mgmt.ID, h.Member, h.Root, plat.ID))
	scp, err := s.orgs.CreatePolicy(ctx, mgmt.ID, orgs.CreatePolicyInput{Name: "deny-leave", Description: "No leaving",
		Type: "SERVICE_CONTROL_POLICY", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`,
		Tags: []orgs.Tag{{Key: "guard", Value: "rail"}}})
	must(err)
	h.SCPs = []string{scp.ID}
	must(s.orgs.AttachPolicy(ctx, mgmt.ID, scp.ID, eng.ID))
	must(s.orgs.TagResource(ctx, mgmt.ID, h.Root, []orgs.Tag{{Key: "scope", Value: "all"}}))
	must(s.orgs.EnableAWSServiceAccess(ctx, mgmt.ID, "iam.amazonaws.com"))
	must(s.orgs.EnableAWSServiceAccess(ctx, mgmt.ID, "config.amazonaws.com"))
	must(s.orgs.RegisterDelegatedAdministrator(ctx, mgmt.ID, h.Member, "config.amazonaws.com"))
	_, err = s.orgs.SetRootAccessFeature(ctx, mgmt.ID, orgs.FeatureRootCredentialsManagement, true)
	must(err)
	tick()

	invited, err := s.iam.CreateAccount(ctx, "Fixture Invited", "root@invited.example.com", "Invited-Password-42")
	must(err)
	h.Invited = invited.ID
	hs1, err := s.orgs.InviteAccountToOrganization(ctx, mgmt.ID, orgs.HandshakeParty{ID: invited.ID, Type: "ACCOUNT"}, "Join us")
	must(err)
	_, err = s.orgs.AcceptHandshake(ctx, invited.ID, hs1.ID)
	must(err)
	standalone, err := s.iam.CreateAccount(ctx, "Fixture Standalone", "root@standalone.example.com", "")
	must(err)
	h.Standalone = standalone.ID
	hs2, err := s.orgs.InviteAccountToOrganization(ctx, mgmt.ID, orgs.HandshakeParty{ID: standalone.ID, Type: "ACCOUNT"}, "Still open")
	must(err)
	h.Handshakes = []string{hs1.ID, hs2.ID}
	tick()

	// Root-user flows that leave records: a password reset asked for (outbox, reset token,
	// throttle counters), an email change asked for, and the first-run claim of the standalone
	// account.
	must(s.root.RequestPasswordReset(ctx, "root@mgmt.example.com", client))
	s.root.Drain()
	msgs, err := s.notify.Outbox(ctx, notify.Query{To: "root@mgmt.example.com"})
	must(err)
	if len(msgs) == 0 {
		t.Fatal("no password reset message")
	}
	h.PasswordResetToken = tokenIn(t, msgs[len(msgs)-1].Body)
	must(s.root.RequestRootEmailChange(ctx, mgmt.ID, "new-root@mgmt.example.com", client))
	s.root.Drain()
	msgs, err = s.notify.Outbox(ctx, notify.Query{To: "new-root@mgmt.example.com"})
	must(err)
	if len(msgs) == 0 {
		t.Fatal("no email change message")
	}
	h.EmailChangeToken = tokenIn(t, msgs[len(msgs)-1].Body)
	rec, err := s.root.BeginMFARecoveryFor(ctx, mgmt.ID, client)
	must(err)
	s.root.Drain()
	h.MFARecoveryToken = rec.Token
	h.ClaimToken, err = console.CreateClaim(ctx, st, standalone.ID, s.clock.Now())
	must(err)
	tick()

	// Trail events: an API call by a user, a failed call, and a console sign-in.
	readOnly, write := true, false
	keyID := k1.AccessKeyID
	s.trail.Record(&trail.Event{EventTime: s.clock.Now(), EventSource: "iam.amazonaws.com", EventName: "GetUser", AWSRegion: "us-east-1",
		SourceIPAddress: "198.51.100.1", UserAgent: "aws-sdk-go-v2/1.0", RequestID: "11111111-1111-1111-1111-111111111111",
		UserIdentity:      trail.UserIdentity{Type: "IAMUser", PrincipalID: u.UserID, ARN: u.Arn, AccountID: mgmt.ID, AccessKeyID: &keyID, UserName: "Alice"},
		RequestParameters: map[string]any{"userName": "bob"}, ResponseElements: nil, ReadOnly: &readOnly,
		EventType: trail.AwsAPICall, ManagementEvent: true, RecipientAccountID: mgmt.ID})
	tick()
	s.trail.Record(&trail.Event{EventTime: s.clock.Now(), EventSource: "iam.amazonaws.com", EventName: "DeleteRole", AWSRegion: "us-east-1",
		SourceIPAddress: "198.51.100.1", UserAgent: "aws-cli/2", ErrorCode: "DeleteConflict", ErrorMessage: "Cannot delete entity, must detach all policies first.",
		UserIdentity:      trail.UserIdentity{Type: "IAMUser", PrincipalID: u.UserID, ARN: u.Arn, AccountID: mgmt.ID, AccessKeyID: &keyID, UserName: "Alice"},
		RequestParameters: map[string]any{"roleName": "Deployer"}, ReadOnly: &write,
		EventType: trail.AwsAPICall, ManagementEvent: true, RecipientAccountID: mgmt.ID})
	tick()
	s.trail.Record(&trail.Event{EventTime: s.clock.Now(), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", AWSRegion: "us-east-1",
		SourceIPAddress: "203.0.113.7", UserAgent: "fixture-browser/1.0",
		UserIdentity:        trail.UserIdentity{Type: "Root", PrincipalID: mgmt.ID, ARN: "arn:aws:iam::" + mgmt.ID + ":root", AccountID: mgmt.ID},
		ResponseElements:    map[string]any{"ConsoleLogin": "Success"},
		AdditionalEventData: map[string]any{"MFAUsed": "Yes", "LoginTo": consoleURL + "/console/home"},
		EventType:           trail.AwsConsoleSignIn, ManagementEvent: true, RecipientAccountID: mgmt.ID})
	s.trail.Record(&trail.Event{EventTime: s.clock.Now(), EventSource: "organizations.amazonaws.com", EventName: "ListAccounts", AWSRegion: "us-east-1",
		UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: h.Member, ARN: "arn:aws:iam::" + h.Member + ":root", AccountID: h.Member},
		ReadOnly:     &readOnly,
		EventType:    trail.AwsAPICall, ManagementEvent: true, RecipientAccountID: h.Member})
	s.trail.Flush()

	h.Now = s.clock.Now()
	return h
}

func ptr[T any](v T) *T { return &v }

// allow is a policy allowing actions on every resource.
func allow(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

func tokenIn(t *testing.T, body string) string {
	t.Helper()
	m := tokenInLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token in %q", body)
	}
	return m[1]
}

// rootPrincipal is account's root user as a console session signed in now holds it.
func rootPrincipal(t *testing.T, s *services, account string) *rootuser.Principal {
	t.Helper()
	epoch, err := s.root.SessionEpoch(context.Background(), account, "")
	if err != nil {
		t.Fatal(err)
	}
	return &rootuser.Principal{Account: account, Root: true, ARN: arn.Root(account), UserID: account, AuthTime: s.iam.Now(), Epoch: epoch}
}

// sqliteRaw opens the SQLite file with the driver the store registers, outside the store.
func sqliteRaw(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+filepath.ToSlash(path))
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
