package layering

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/rootward/rootward/"

type pkg struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // transitive
}

// listPackages runs `go list` over the module's non-test code, with each package's transitive
// dependencies.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// domain lists the domain packages from the bottom up: each may import, of these, only the ones
// listed before it, so the domain itself has layers (the policy engine below IAM, IAM below
// Organizations and the root-user flows) and no cycle can form later. Console sign-in
// (internal/signin) is above the root user's lifecycle (internal/rootuser): it reads the state
// of each kind of principal it signs in — the root user's MFA window and recovery there, IAM
// users in internal/iam, and Identity Center users in internal/identitycenter — while
// none of them needs to know how a browser signs in.
var domain = []string{
	"internal/arn", "internal/uuid", "internal/awserr", "internal/seal", "internal/shamir", "internal/password", "internal/clientaddr",
	"internal/store", "internal/policy", "internal/policy/simulate", "internal/sigv4", "internal/awsproto", "internal/throttle",
	"internal/trail", "internal/notify", "internal/iam", "internal/orgs", "internal/cloudtrail", "internal/authz", "internal/sts", "internal/rootuser",
	"internal/identitycenter", "internal/signin", "internal/guardduty", "internal/alerts", "internal/compliance", "internal/accessadvisor", "internal/securityhub", "internal/advisor", "internal/config",
	"internal/mpa",
	"internal/portal",
}

// forbidden maps a package (and those below it) to the packages it must not depend on, directly
// or through others, each with the reason (the style of tailscale's tstest/deptest).
var forbidden = map[string]map[string]string{
	"internal/arn": {
		"os": "ARN parsing does no I/O", "net/http": "ARN parsing knows no transport",
	},
	"internal/sigv4": {
		"internal/store": "verification is given the secret; it looks nothing up",
		"internal/iam":   "verification is given the secret; it knows no IAM entity",
	},
	"internal/awserr": {
		"net/http": "an error carries a code; its HTTP status is the wire layer's (awsproto.Status)",
	},
	"internal/policy": {
		"net/http":       "the policy engine knows no transport",
		"internal/store": "the policy engine evaluates what it is given; it reads no store",
		"internal/iam":   "the engine knows policies, not IAM's entities",
		"database/sql":   "the engine reads no database",
	},
	"internal/policy/simulate": {
		"net/http": "the simulator knows no transport",
	},
	"internal/store": {
		"net/http": "storage knows nothing of the wire", "internal/iam": "the store is below every service",
	},
	"internal/iam": {
		"net/http/httptest": "test helpers stay in tests",
	},
	"internal/store/sqlite": {
		"internal/store/postgres": "the backends never depend on each other",
	},
	"internal/store/postgres": {
		"internal/store/sqlite": "the backends never depend on each other",
	},
	"internal/server": {
		"internal/console":        "the API server does not know the console (the console calls the API, not the reverse)",
		"internal/store/sqlite":   "only the command picks a database",
		"internal/store/postgres": "only the command picks a database",
		"internal/testutil":       "test helpers stay in tests",
	},
	"internal/console": {
		"internal/server":         "the console calls services through internal/api, not the HTTP pipeline",
		"internal/store/sqlite":   "only the command picks a database",
		"internal/store/postgres": "only the command picks a database",
		"internal/testutil":       "test helpers stay in tests",
	},
	"internal/httpmux": {
		"internal/server":  "the address routes the handlers it is given; it knows no handler",
		"internal/console": "the address routes the handlers it is given; it knows no handler",
		"internal/api":     "the address routes the handlers it is given; it knows no handler",
	},
	"cmd/rootward": {
		"internal/testutil": "test helpers stay in tests",
	},
	"internal/authz": {
		"net/http": "a decision is given the request's facts (address, TLS); it reads no HTTP request",
	},
	"internal/sts": {
		"net/http": "STS's rules are given the caller, the role and the request's members; internal/api/stsapi reads the wire",
	},
	"internal/api": {
		"internal/server":         "a service is a table of operations; the HTTP pipeline that decodes and encodes around it is above it",
		"internal/console":        "services know no page",
		"internal/store/sqlite":   "only the command picks a database",
		"internal/store/postgres": "only the command picks a database",
		"internal/testutil":       "test helpers stay in tests",
		"net/http/httptest":       "test helpers stay in tests",
	},
}

// forbiddenOwn are rules like forbidden's that bind the named package alone, not those below it:
// internal/policy/simulate decodes its callers' JSON with encoding/json (which brings in os), above
// the engine. fmt needs no rule of its own here: it imports os.
var forbiddenOwn = map[string]map[string]string{
	"internal/policy": {
		"os": "the policy engine does no I/O",
	},
}

// testSupport are packages that start whole servers for other packages' tests: the rules of the
// directory they sit in do not bind them.
var testSupport = []string{"internal/testutil/servertest"}

// notDomain are packages below a domain directory that are adapters or test support, not domain:
// the storage backends and the helpers that open them for tests, the software security key of
// the root-user and sign-in tests.
var notDomain = []string{
	"internal/store/sqlite", "internal/store/postgres", "internal/store/storetest", "internal/store/testbackend",
	"internal/rootuser/webauthntest",
}

// domainMayNot are what every domain package must not depend on.
var domainMayNot = map[string]string{
	"internal/server":                "the domain knows nothing of the HTTP layer",
	"internal/console":               "the domain knows nothing of the console",
	"cmd/rootward":                   "only the command wires packages together",
	"internal/store/sqlite":          "only the command picks a database",
	"internal/store/postgres":        "only the command picks a database",
	"net/http/httptest":              "test helpers stay in tests",
	"internal/testutil":              "test helpers stay in tests",
	"internal/rootuser/webauthntest": "test helpers stay in tests",
}

// layer is the index in domain of the most specific entry that path is in (internal/policy/simulate
// is its own layer, above internal/policy), -1 when none.
func layer(path string) int {
	level := -1
	for i, d := range domain {
		if under(path, d) && (level < 0 || len(d) > len(domain[level])) {
			level = i
		}
	}
	return level
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

func TestDependenciesPointOneWay(t *testing.T) {
	pkgs := listPackages(t)
	// A rule about a package that no longer exists protects nothing: say so.
	for _, name := range slices.Concat(domain, notDomain, mapKeys(forbidden), mapKeys(forbiddenOwn)) {
		if _, ok := pkgs[name]; !ok {
			t.Errorf("the layering rules name %s, which no longer exists: update internal/layering", name)
		}
	}
	checked := 0
	for name, p := range pkgs {
		deps := map[string]bool{}
		for _, d := range p.Deps {
			deps[strings.TrimPrefix(d, module)] = true
		}
		// The rules of the package and of each directory above it, and its own.
		for rule, bans := range forbidden {
			if !under(name, rule) || slices.Contains(testSupport, name) {
				continue
			}
			checked++
			checkBans(t, name, deps, bans)
		}
		if bans, ok := forbiddenOwn[name]; ok {
			checked++
			checkBans(t, name, deps, bans)
		}
		level := layer(name)
		if level < 0 || slices.ContainsFunc(notDomain, func(a string) bool { return under(name, a) }) {
			continue
		}
		checked++
		for d := range deps {
			for dep, why := range domainMayNot {
				if under(d, dep) {
					t.Errorf("%s depends on %s: %s", name, d, why)
				}
			}
		}
		// Domain order: direct imports only reach lower layers.
		for _, imp := range p.Imports {
			imp = strings.TrimPrefix(imp, module)
			if layer(imp) > level {
				t.Errorf("%s imports %s, which is not below it in the domain's layers (internal/layering: domain)", name, imp)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked")
	}
}

// checkBans reports each of deps (package name's transitive dependencies) that bans forbids.
func checkBans(t *testing.T, name string, deps map[string]bool, bans map[string]string) {
	t.Helper()
	for dep, why := range bans {
		for d := range deps {
			if under(d, dep) {
				t.Errorf("%s depends on %s: %s", name, d, why)
			}
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
