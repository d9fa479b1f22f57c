package iam

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/testutil"
)

// principalLister creates principals and lists them, for the tests every principal kind shares.
type principalLister struct {
	kind   string
	create func(e *credEnv, name, path string) error
	list   func(e *credEnv, pathPrefix string, o ListOpts) (names []string, truncated bool, marker string, err error)
}

func principalListers() []principalLister {
	return []principalLister{
		{
			kind: "user",
			create: func(e *credEnv, name, path string) error {
				_, err := e.svc.CreateUser(e.ctx, e.account.ID, CreateUserInput{UserName: name, Path: path})
				return err
			},
			list: func(e *credEnv, prefix string, o ListOpts) ([]string, bool, string, error) {
				p, err := e.svc.ListUsers(e.ctx, e.account.ID, prefix, o)
				var names []string
				for _, u := range p.Items {
					names = append(names, u.Path+u.UserName)
				}
				return names, p.IsTruncated, p.Marker, err
			},
		},
		{
			kind: "group",
			create: func(e *credEnv, name, path string) error {
				_, err := e.svc.CreateGroup(e.ctx, e.account.ID, name, path)
				return err
			},
			list: func(e *credEnv, prefix string, o ListOpts) ([]string, bool, string, error) {
				p, err := e.svc.ListGroups(e.ctx, e.account.ID, prefix, o)
				var names []string
				for _, g := range p.Items {
					names = append(names, g.Path+g.GroupName)
				}
				return names, p.IsTruncated, p.Marker, err
			},
		},
		{
			kind: "role",
			create: func(e *credEnv, name, path string) error {
				_, err := e.svc.CreateRole(e.ctx, e.account.ID, CreateRoleInput{RoleName: name, Path: path, AssumeRolePolicyDocument: trustEC2})
				return err
			},
			list: func(e *credEnv, prefix string, o ListOpts) ([]string, bool, string, error) {
				p, err := e.svc.ListRoles(e.ctx, e.account.ID, prefix, o)
				var names []string
				for _, r := range p.Items {
					names = append(names, r.Path+r.RoleName)
				}
				return names, p.IsTruncated, p.Marker, err
			},
		},
	}
}

// TestListPrincipalsByPathPrefix pages through ListUsers, ListGroups and ListRoles with a
// PathPrefix: the pages joined are the principals under the prefix, by path then name, each once;
// and a page of MaxItems reads at most MaxItems+1 entries of the path index, however many
// principals lie outside the prefix. Without a prefix, or with "/", the order is by name.
func TestListPrincipalsByPathPrefix(t *testing.T) {
	t.Parallel()
	for _, l := range principalListers() {
		t.Run(l.kind, func(t *testing.T) {
			t.Parallel()
			e := newCredEnv(t)
			paths := []string{"/b/", "/a/x/", "/a/", "/c/", "/ab/"}
			byPath := map[string][]string{}
			var all []string
			for i := range 40 {
				// Names in mixed case: the order is by folded name.
				name := fmt.Sprintf("%c%02d", "pQ"[i%2], i)
				path := paths[i%len(paths)]
				if err := l.create(e, name, path); err != nil {
					t.Fatal(err)
				}
				byPath[path] = append(byPath[path], path+name)
				all = append(all, path+name)
			}
			byName := func(names []string) []string {
				slices.SortFunc(names, func(a, b string) int {
					return strings.Compare(strings.ToLower(a[strings.LastIndexByte(a, '/'):]), strings.ToLower(b[strings.LastIndexByte(b, '/'):]))
				})
				return names
			}
			byName(all)
			under := func(ps ...string) []string {
				var out []string
				for _, p := range ps {
					out = append(out, byName(byPath[p])...)
				}
				return out
			}
			counter := &storetest.Counter{Store: e.svc.st}
			e.svc.st = counter
			const maxItems = 3
			for _, tc := range []struct {
				prefix string
				want   []string
			}{
				{"/a/", under("/a/", "/a/x/")},
				{"/a", under("/a/", "/a/x/", "/ab/")},
				{"/a/x/", under("/a/x/")},
				{"/c/", under("/c/")},
				{"/none/", nil},
				{"", all},
				{"/", all},
			} {
				t.Run("PathPrefix "+tc.prefix, func(t *testing.T) {
					got := storetest.Pages(t, counter, maxItems+1, len(tc.want)+2, func(m string) ([]string, string, error) {
						names, truncated, next, err := l.list(e, tc.prefix, ListOpts{MaxItems: maxItems, Marker: m})
						return names, marker(truncated, next), err
					})
					if !slices.Equal(got, tc.want) {
						t.Errorf("pages joined:\n got %q\nwant %q", got, tc.want)
					}
				})
			}
		})
	}
}

// TestMigrateLegacyPrincipals: principals stored by the previous schema (bodies without a version,
// hand-kept index objects, no declared index entries, no registry row) read back once the store's
// Migrate has run, as it does when a backend opens: PathPrefix listings find them through the new
// path indexes, a user's groups and keys are found through the declared indexes, and the
// hand-kept index objects are gone.
func TestMigrateLegacyPrincipals(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	certPEM := testutil.SelfSignedPEM(t, "legacy")
	fp, err := parseCertificate(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	legacy := map[string]string{ // kind → a body of the previous schema
		"user":   `{"path":"/old/","name":"Legacy","id":"AIDALEGACYLEGACY0001","arn":"arn:aws:iam::` + acct + `:user/old/Legacy","created":"2025-01-02T03:04:05Z","tags":[{"Key":"k","Value":"v"}]}`,
		"group":  `{"path":"/old/","name":"Legacy","id":"AGPALEGACYLEGACY0001","arn":"arn:aws:iam::` + acct + `:group/old/Legacy","created":"2025-01-02T03:04:05Z"}`,
		"member": `{"user_id":"AIDALEGACYLEGACY0001"}`,
		"role": `{"path":"/old/","name":"Legacy","id":"AROALEGACYLEGACY0001","arn":"arn:aws:iam::` + acct + `:role/old/Legacy","created":"2025-01-02T03:04:05Z",` +
			`"trust":` + strconv.Quote(trustEC2) + `,"max_session":7200,"boundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"},` +
			`"last_used":{"date":"2025-02-03T04:05:06Z","region":"eu-west-1"},"service_linked":true}`,
		"loginprofile": `{"created":"2025-01-02T03:04:05Z","reset_required":true,"changed":"2025-01-03T03:04:05Z","hashes":["$argon2id$legacy"]}`,
		"usercert":     `{"id":"LEGACYCERT","body":` + strconv.Quote(certPEM) + `,"status":"Inactive","uploaded":"2025-01-02T03:04:05Z","sha256":"` + fp + `"}`,
	}
	// The membership as the previous schema kept it: a member object and its hand-kept mirror.
	keys := map[string]string{"user": "legacy", "group": "legacy", "member": "legacy\x00legacy", "role": "legacy",
		"loginprofile": "legacy", "usercert": "legacy\x00LEGACYCERT"}
	err = e.svc.st.Update(e.ctx, func(tx store.Tx) error {
		if err := tx.Put("certfp", acct, fp, []byte(`"LEGACYCERT"`)); err != nil {
			return err
		}
		for kind, body := range legacy {
			if err := tx.Put(kind, acct, keys[kind], []byte(body)); err != nil {
				return err
			}
			if err := tx.Delete("store.kind", "", kind); err != nil {
				return err
			}
		}
		if err := tx.Put("memberof", acct, "legacy\x00legacy", []byte(legacy["member"])); err != nil {
			return err
		}
		key := `{"id":"AKIALEGACYLEGACY0001","account":"` + acct + `","user":"Legacy","status":"Inactive","created":"2025-01-02T03:04:05Z","sealed_secret":"c2VhbGVk"}`
		if err := tx.Put("accesskey", "", "AKIALEGACYLEGACY0001", []byte(key)); err != nil {
			return err
		}
		if err := tx.Delete("store.kind", "", "accesskey"); err != nil {
			return err
		}
		return tx.Put("userkey", acct, "legacy\x00AKIALEGACYLEGACY0001", []byte("{}"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(e.ctx, e.svc.st); err != nil {
		t.Fatal(err)
	}
	for _, l := range principalListers() {
		if legacy[l.kind] == "" {
			continue
		}
		t.Run(l.kind, func(t *testing.T) {
			names, _, _, err := l.list(e, "/old/", ListOpts{})
			if err != nil || !slices.Equal(names, []string{"/old/Legacy"}) {
				t.Errorf("listing /old/ after Migrate = %q, %v; want the legacy %s", names, err, l.kind)
			}
		})
	}
	u, err := e.svc.GetUser(e.ctx, acct, "legacy")
	if err != nil || u.UserID != "AIDALEGACYLEGACY0001" || len(u.Tags) != 1 || u.Tags[0] != (Tag{Key: "k", Value: "v"}) {
		t.Errorf("GetUser of a legacy user = %+v, %v", u, err)
	}
	r, err := e.svc.GetRole(e.ctx, acct, "legacy")
	if err != nil || r.RoleID != "AROALEGACYLEGACY0001" || r.MaxSessionDuration != 7200 || !r.ServiceLinked ||
		r.PermissionsBoundary == nil || r.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/ReadOnlyAccess" ||
		r.RoleLastUsed == nil || r.RoleLastUsed.Region != "eu-west-1" || r.AssumeRolePolicyDocument != trustEC2 {
		t.Errorf("GetRole of a legacy role = %+v, %v", r, err)
	}
	t.Run("membership", func(t *testing.T) {
		gs, err := e.svc.ListGroupsForUser(e.ctx, acct, "Legacy", ListOpts{})
		if err != nil || len(gs.Items) != 1 || gs.Items[0].GroupName != "Legacy" {
			t.Errorf("ListGroupsForUser after Migrate = %+v, %v; want the group Legacy", gs.Items, err)
		}
		_, us, err := e.svc.GetGroup(e.ctx, acct, "Legacy", ListOpts{})
		if err != nil || len(us.Items) != 1 || us.Items[0].UserName != "Legacy" {
			t.Errorf("GetGroup users after Migrate = %+v, %v; want the user Legacy", us.Items, err)
		}
	})
	t.Run("access key", func(t *testing.T) {
		keys, err := e.svc.ListAccessKeys(e.ctx, acct, "legacy", ListOpts{})
		if err != nil || len(keys.Items) != 1 || keys.Items[0].AccessKeyID != "AKIALEGACYLEGACY0001" || keys.Items[0].Status != "Inactive" {
			t.Errorf("ListAccessKeys after Migrate = %+v, %v; want the legacy key", keys.Items, err)
		}
	})
	t.Run("login profile", func(t *testing.T) {
		lp, err := e.svc.GetLoginProfile(e.ctx, acct, "legacy")
		if err != nil || lp.UserName != "Legacy" || !lp.PasswordResetRequired || len(lp.Hashes) != 1 || lp.PasswordLastChanged.IsZero() {
			t.Errorf("GetLoginProfile after Migrate = %v, %v", lp, err)
		}
	})
	t.Run("signing certificate", func(t *testing.T) {
		cs, err := e.svc.ListSigningCertificates(e.ctx, acct, "legacy", ListOpts{})
		if err != nil || len(cs.Items) != 1 || cs.Items[0].CertificateID != "LEGACYCERT" || cs.Items[0].Status != "Inactive" || cs.Items[0].UserName != "Legacy" {
			t.Errorf("ListSigningCertificates after Migrate = %+v, %v; want the legacy certificate", cs.Items, err)
		}
		// The fingerprint index was built from the certificate: the account holds it once.
		e.user(t, "other")
		_, err = e.svc.UploadSigningCertificate(e.ctx, acct, "other", certPEM)
		testutil.WantCode(t, err, awserr.DuplicateCertificate)
	})
	t.Run("retired kinds", func(t *testing.T) {
		err := e.svc.st.View(e.ctx, func(tx store.Tx) error {
			for _, kind := range store.Retired() {
				if objs, err := tx.Scan(kind, nil, 1); err != nil || len(objs) != 0 {
					t.Errorf("%s objects after Migrate: %d, %v; want none", kind, len(objs), err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
