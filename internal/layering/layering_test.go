package layering

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rootward/rootward/"

type pkg struct {
	ImportPath string
	Imports    []string
}

// listPackages runs `go list` over the module's non-test code.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "github.com/rootward/rootward/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestDependenciesPointOneWay(t *testing.T) {
	// Each rule: packages whose path starts with one of from may not import a package whose path
	// starts with one of to.
	domain := []string{"internal/arn", "internal/awserr", "internal/awsproto", "internal/policy", "internal/sigv4",
		"internal/seal", "internal/password", "internal/store", "internal/trail", "internal/iam", "internal/orgs",
		"internal/notify", "internal/rootuser", "internal/throttle"}
	rules := []struct {
		name     string
		from, to []string
		except   []string
	}{
		{"the domain knows nothing of HTTP, the console or the command", domain, []string{"internal/server", "internal/console", "cmd/"}, nil},
		{"only the command picks a database", append(domain, "internal/server", "internal/console"),
			[]string{"internal/store/sqlite", "internal/store/postgres"},
			[]string{"internal/store/sqlite", "internal/store/postgres", "internal/store/storetest", "internal/store/testbackend"}},
		{"the backends never import each other", []string{"internal/store/sqlite"}, []string{"internal/store/postgres"}, nil},
		{"the backends never import each other", []string{"internal/store/postgres"}, []string{"internal/store/sqlite"}, nil},
		{"the API server does not know the console", []string{"internal/server"}, []string{"internal/console"}, nil},
		{"the policy engine, SigV4 and ARNs do no I/O and stand alone", []string{"internal/policy", "internal/sigv4", "internal/arn"},
			[]string{"internal/iam", "internal/store", "internal/server", "internal/trail", "internal/orgs", "net/http/httptest", "os", "database/sql"},
			[]string{"internal/policy/enginebench"}},
	}
	has := func(prefixes []string, path string) bool {
		for _, p := range prefixes {
			if path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
				return true
			}
		}
		return false
	}
	checked := 0
	for _, p := range listPackages(t) {
		from := strings.TrimPrefix(p.ImportPath, module)
		for _, r := range rules {
			if !has(r.from, from) || has(r.except, from) {
				continue
			}
			for _, imp := range p.Imports {
				to := strings.TrimPrefix(imp, module)
				if has(r.to, to) {
					t.Errorf("%s imports %s: %s", from, to, r.name)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked")
	}
}
