// Package benchdata builds the large data sets of the scale benchmarks (issue 11: a million IAM
// users in one account, ten thousand member accounts in one organization) and keeps them between
// runs.
//
// A data set is a SQLite data directory (rootward.db and master.key, as `rootward serve --data`
// reads it) plus a small JSON description (account IDs, access keys with their secrets). It is
// built through the domain services' bulk loaders (iam.Service.ImportUsers,
// orgs.Service.ImportAccounts): many entities per transaction, under the same rules as the API,
// never one API call per entity. The result is cached under os.TempDir()/rootward-bench, in a
// directory named by the set, its size and a hash of the code that decides what is stored (see
// codeVersion), so the second run starts in seconds and a change to that code builds afresh.
// Every benchmark works on a private copy of the cached set: what it writes (trail records,
// access-key last use) never reaches the cache.
//
// Building is gated: the benchmarks call Require, which skips unless ROOTWARD_BENCH_SCALE is set
// (`make bench` sets it), so `go test ./...`, `go test -bench .` and CI never build the sets.
package benchdata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store/sqlite"
)

// Key is an access key of a user, with its secret.
type Key struct {
	User   string `json:"user"`
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// Set is a data set ready to use.
type Set struct {
	// Dir is a private copy of the data directory (rootward.db, master.key), removed when the
	// benchmark ends.
	Dir string `json:"-"`
	// Account holds the users (Users) or manages the organization (Org).
	Account string `json:"account"`
	// Admin is a user of Account with AdministratorAccess.
	Admin Key `json:"admin"`
	// Users is how many IAM users Account holds besides the admin; Keys are the access keys of
	// the users that have one (Users: every tenth user, with IAMReadOnlyAccess attached).
	Users int   `json:"users"`
	Keys  []Key `json:"keys,omitempty"`
	// Members are the member accounts of the organization (Org), the management account not
	// included.
	Members []string `json:"members,omitempty"`
}

// DB is the path of the set's SQLite database.
func (s *Set) DB() string { return filepath.Join(s.Dir, "rootward.db") }

// Sealer opens the secrets of the set (its master key).
func (s *Set) Sealer(b testing.TB) *seal.Sealer {
	b.Helper()
	key, err := seal.LoadKeyFile(filepath.Join(s.Dir, "master.key"))
	if err != nil {
		b.Fatal(err)
	}
	sl, err := seal.New(key)
	if err != nil {
		b.Fatal(err)
	}
	return sl
}

// UserName is the name of user i of a Users set: user0000000, user0000001, …
func UserName(i int) string { return fmt.Sprintf("user%07d", i) }

// UserPath is the path of user i of a Users set: /team00/ … /team99/ by i mod 100 (so PathPrefix
// /team42/ matches one user in a hundred), except every 10,000th user, which is under /rare/.
func UserPath(i int) string {
	if i%10_000 == 5_000 {
		return "/rare/"
	}
	return fmt.Sprintf("/team%02d/", i%100)
}

// Keyed reports whether user i of a Users set has an access key (and IAMReadOnlyAccess).
func Keyed(i int) bool { return i%10 == 0 }

const (
	userBatch   = 10_000
	memberBatch = 1_000
	readOnlyARN = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	adminARN    = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// Users returns a set of one account holding n IAM users named UserName(i) with paths
// UserPath(i), every tenth with an access key and IAMReadOnlyAccess, plus an admin user.
func Users(b testing.TB, n int) *Set {
	return cached(b, fmt.Sprintf("users-%d", n), func(ctx context.Context, svc *iam.Service) (*Set, error) {
		set, err := adminAccount(ctx, svc, "bench-users")
		if err != nil {
			return nil, err
		}
		set.Users = n
		for lo := 0; lo < n; lo += userBatch {
			in := make([]iam.ImportUser, 0, userBatch)
			for i := lo; i < min(lo+userBatch, n); i++ {
				u := iam.ImportUser{UserName: UserName(i), Path: UserPath(i)}
				if Keyed(i) {
					u.AccessKey, u.Policies = true, []string{readOnlyARN}
				}
				in = append(in, u)
			}
			keys, err := svc.ImportUsers(ctx, set.Account, in)
			if err != nil {
				return nil, err
			}
			for _, k := range keys {
				set.Keys = append(set.Keys, Key{User: k.UserName, ID: k.AccessKeyID, Secret: k.Secret})
			}
		}
		return set, nil
	})
}

// Org returns a set whose account manages an organization (all features) with n member
// accounts besides itself, each without root credentials, as CreateAccount makes them.
func Org(b testing.TB, n int) *Set {
	return cached(b, fmt.Sprintf("org-%d", n), func(ctx context.Context, svc *iam.Service) (*Set, error) {
		set, err := adminAccount(ctx, svc, "bench-org")
		if err != nil {
			return nil, err
		}
		o := orgs.New(svc)
		if _, err := o.CreateOrganization(ctx, set.Account, ""); err != nil {
			return nil, err
		}
		for lo := 0; lo < n; lo += memberBatch {
			in := make([]iam.ImportAccount, 0, memberBatch)
			for i := lo; i < min(lo+memberBatch, n); i++ {
				in = append(in, iam.ImportAccount{Name: fmt.Sprintf("member %05d", i), Email: fmt.Sprintf("member%05d@example.com", i)})
			}
			accts, err := o.ImportAccounts(ctx, set.Account, in)
			if err != nil {
				return nil, err
			}
			for _, a := range accts {
				set.Members = append(set.Members, a.ID)
			}
		}
		return set, nil
	})
}

// adminAccount creates the set's account with an admin user holding AdministratorAccess and a key,
// through the ordinary operations, and claims the installation so that `serve` does not
// bootstrap an account of its own.
func adminAccount(ctx context.Context, svc *iam.Service, name string) (*Set, error) {
	if _, err := svc.ClaimInstallation(ctx); err != nil {
		return nil, err
	}
	acct, err := svc.CreateAccount(ctx, name, name+"@example.com", "")
	if err != nil {
		return nil, err
	}
	if _, err := svc.CreateUser(ctx, acct.ID, iam.CreateUserInput{UserName: "admin"}); err != nil {
		return nil, err
	}
	if err := svc.AttachPolicy(ctx, acct.ID, "user", "admin", adminARN); err != nil {
		return nil, err
	}
	k, err := svc.CreateAccessKey(ctx, acct.ID, "admin")
	if err != nil {
		return nil, err
	}
	return &Set{Account: acct.ID, Admin: Key{User: "admin", ID: k.AccessKeyID, Secret: k.Secret}}, nil
}

func cacheRoot() string { return filepath.Join(os.TempDir(), "rootward-bench") }

// cached returns a private copy of the set name, building it with build first when the cache
// does not hold it for this code version.
func cached(b testing.TB, name string, build func(context.Context, *iam.Service) (*Set, error)) *Set {
	b.Helper()
	Require(b)
	dir := filepath.Join(cacheRoot(), name+"-"+codeVersion(b))
	if _, err := os.Stat(filepath.Join(dir, "set.json")); err != nil {
		b.Logf("benchdata: building %s in %s (once per code version)", name, dir)
		if err := buildSet(dir, build); err != nil {
			b.Fatalf("benchdata: building %s: %v", name, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "set.json"))
	if err != nil {
		b.Fatal(err)
	}
	var set Set
	if err := json.Unmarshal(raw, &set); err != nil {
		b.Fatal(err)
	}
	set.Dir = filepath.Join(b.TempDir(), "data")
	if err := copyDir(filepath.Join(dir, "data"), set.Dir); err != nil {
		b.Fatal(err)
	}
	return &set
}

// buildSet builds a set in a scratch directory beside dir and renames it into place, so that an
// interrupted build is never taken for a finished one and two runs building at once both finish.
func buildSet(dir string, build func(context.Context, *iam.Service) (*Set, error)) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".building-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	data := filepath.Join(tmp, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	key, err := seal.CreateKeyFile(filepath.Join(data, "master.key"))
	if err != nil {
		return err
	}
	sealer, err := seal.New(key)
	if err != nil {
		return err
	}
	st, err := sqlite.Open(filepath.Join(data, "rootward.db"))
	if err != nil {
		return err
	}
	set, err := build(context.Background(), iam.New(st, sealer))
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "set.json"), raw, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "set.json")); serr == nil {
			return nil // another run finished first
		}
		return err
	}
	return nil
}

// copyDir copies the regular files of src into a new directory dst (mode 0700, as serve wants
// its data directory), keeping their modes.
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// codeVersion is a hash of the code that decides what a set holds and how it is stored: this
// file (the sets), the bulk loaders it calls (iam and orgs bulk.go, which write the storage
// records) and the storage layer (internal/store's files, the SQLite schema). A change to any of
// them gives a new cache directory; other changes to iam or orgs (their rules, their reads) reuse
// the set, since they do not change what is stored. dataVersion forces a rebuild by hand.
func codeVersion(b testing.TB) string {
	b.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		b.Fatal("benchdata: cannot locate the source tree")
	}
	root := filepath.Join(filepath.Dir(self), "..", "..", "..")
	h := sha256.New()
	fmt.Fprintf(h, "data version %d\n", dataVersion)
	files := []string{"internal/testutil/benchdata/benchdata.go", "internal/iam/bulk.go", "internal/orgs/bulk.go"}
	for _, dir := range []string{"internal/store", "internal/store/sqlite/migrations"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			b.Fatalf("benchdata: %v", err)
		}
		for _, e := range entries {
			n := e.Name()
			if e.Type().IsRegular() && (strings.HasSuffix(n, ".sql") || (strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go"))) {
				files = append(files, dir+"/"+n)
			}
		}
	}
	slices.Sort(files)
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			b.Fatalf("benchdata: %v", err)
		}
		fmt.Fprintf(h, "%s %d\n", f, len(raw))
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// dataVersion is bumped by hand when what the sets hold must change without a change to the
// files codeVersion reads.
const dataVersion = 1
