package services_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/awsproto"
)

var update = flag.Bool("update", false, "rewrite docs/operations.md from the SDK's service models")

// sdkModules are the aws-sdk-go-v2 modules whose operations are each served service's: the SDK
// generates one api_op_NAME.go per operation of the service's Smithy model.
var sdkModules = map[string]string{
	"iam":           "github.com/aws/aws-sdk-go-v2/service/iam",
	"sts":           "github.com/aws/aws-sdk-go-v2/service/sts",
	"organizations": "github.com/aws/aws-sdk-go-v2/service/organizations",
	"cloudtrail":    "github.com/aws/aws-sdk-go-v2/service/cloudtrail",
	"events":        "github.com/aws/aws-sdk-go-v2/service/eventbridge",
	"sns":           "github.com/aws/aws-sdk-go-v2/service/sns",
	"guardduty":     "github.com/aws/aws-sdk-go-v2/service/guardduty",
	"account":       "github.com/aws/aws-sdk-go-v2/service/account",
	"securityhub":   "github.com/aws/aws-sdk-go-v2/service/securityhub",
	"support":       "github.com/aws/aws-sdk-go-v2/service/support",
	"config":        "github.com/aws/aws-sdk-go-v2/service/configservice",
	"mpa":           "github.com/aws/aws-sdk-go-v2/service/mpa",
	"identitystore": "github.com/aws/aws-sdk-go-v2/service/identitystore",
	"sso":           "github.com/aws/aws-sdk-go-v2/service/ssoadmin",
	"sso-oauth":     "github.com/aws/aws-sdk-go-v2/service/ssooidc",
	"awsssoportal":  "github.com/aws/aws-sdk-go-v2/service/sso",
}

// sdkOperation is one operation of an SDK model: its name and whether its output is a shape (an
// empty structure included) rather than none (smithy.api#Unit).
type sdkOperation struct {
	name      string
	hasOutput bool
	known     bool // whether the SDK file says (the schema-serde SDKs do)
}

var outputSchema = regexp.MustCompile(`deserializeResponseMiddleware\{[^\n]*NewOperationSchema\(schemas\.\w+, [\w.]+, ([\w.]+)\)`)

// sdkModel reads the operations of the SDK module mod from the Go module cache.
func sdkModel(t *testing.T, mod string) (version string, ops []sdkOperation) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", mod).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", mod, err)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	files, err := filepath.Glob(filepath.Join(dir, "api_op_*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no api_op_*.go in %s (%v): is the module downloaded (go mod download)?", dir, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "api_op_"), ".go")
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		op := sdkOperation{name: name}
		if m := outputSchema.FindSubmatch(src); m != nil {
			op.known, op.hasOutput = true, string(m[1]) != "nil"
		}
		ops = append(ops, op)
	}
	return version, ops
}

// answersResult reports whether op answers a result element: its output type is anything but
// struct{} (api.Op: an operation without output has Out struct{} and returns nil; one whose output
// is an empty structure has Out api.Empty).
func answersResult(op api.Operation) bool {
	run := reflect.ValueOf(op).Elem().FieldByName("Run").Type()
	return run.Out(0).Elem() != reflect.TypeOf(struct{}{})
}

// An awsQuery operation whose output shape is a structure, even an empty one, answers its result
// element, and one without output answers none: aws-sdk-go-v2 reads <NAMEResult> for the former
// and fails ("deserialization failed, EOF") without it, although the change was applied (UpdateRole
// did, before). Checked for every served operation against the SDK's model.
func TestResultElementsFollowTheModel(t *testing.T) {
	for _, svc := range services.All() {
		if svc.Protocol != awsproto.AWSQuery {
			continue
		}
		_, model := sdkModel(t, sdkModules[svc.Name])
		for _, m := range model {
			op, ok := svc.Op(m.name)
			if !ok || !m.known || api.OpRefused(op) { // a refused operation answers no result at all
				continue
			}
			t.Run(svc.Name+"/"+m.name, func(t *testing.T) {
				if got := answersResult(op); got != m.hasOutput {
					t.Errorf("answers a result element: %t; the SDK model's output: %t", got, m.hasOutput)
				}
			})
		}
	}
}

// docs/operations.md lists every operation of every service Rootward serves, from the SDK's
// models, marked served or not. The test fails when the document is stale; -update rewrites it.
func TestOperationsDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Operations\n\n" +
		"Every operation of each AWS service Rootward serves, as the aws-sdk-go-v2 service models list them, and whether\n" +
		"Rootward serves it. An operation not served answers the service's own error for an unknown operation; a refused one\n" +
		"is authorized and then answered with the error its code comment documents (GovCloud accounts, billing transfers,\n" +
		"role templates, partner delegation requests and their summaries, IAM account properties, STS trade-in tokens).\n" +
		"Each IAM and STS refusal needs something only AWS publishes: a delegation request is created by a partner AWS onboarded\n" +
		"(\"This API is not available for general use\") and names a policy template from that onboarding\n" +
		"(DelegationPermission.PolicyTemplateArn), and GetHumanReadableSummary, GetDelegatedAccessToken and the other\n" +
		"delegation operations act on such a request; AcquireRole and GetRoleTemplateVersion act on Role Manager's templates,\n" +
		"which AWS publishes no list or content of, and PutAccountProperties sets properties of that same feature.\n\n" +
		"Generated by `go test ./internal/api/services -run TestOperationsDoc -update`; do not edit by hand.\n\n")
	all := services.All()
	b.WriteString("| Service | Served | Model |\n| --- | --- | --- |\n")
	type section struct {
		svc     *api.Service
		version string
		model   []sdkOperation
		extra   []string
	}
	var secs []section
	for _, svc := range all {
		mod, ok := sdkModules[svc.Name]
		if !ok {
			t.Fatalf("service %s has no SDK module in sdkModules", svc.Name)
		}
		version, model := sdkModel(t, mod)
		served, refused := 0, 0
		for _, m := range model {
			switch {
			case isRefused(svc, m.name):
				refused++
			case svc.Has(m.name):
				served++
			}
		}
		var extra []string
		for _, op := range svc.Ops {
			n := api.OpName(op)
			if !slices.ContainsFunc(model, func(m sdkOperation) bool { return m.name == n }) {
				extra = append(extra, n)
			}
		}
		slices.Sort(extra)
		secs = append(secs, section{svc, version, model, extra})
		counts := fmt.Sprintf("%d of %d", served, len(model))
		if refused > 0 {
			counts += fmt.Sprintf(" (%d more refused as documented)", refused)
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | `%s` %s |\n", svc.Name, svc.Name, counts, mod, version)
	}
	for _, s := range secs {
		fmt.Fprintf(&b, "\n## %s\n\n| Operation | Served |\n| --- | --- |\n", s.svc.Name)
		for _, m := range s.model {
			mark := "no"
			switch {
			case isRefused(s.svc, m.name):
				mark = "refused (a documented refusal)"
			case s.svc.Has(m.name):
				mark = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", m.name, mark)
		}
		for _, n := range s.extra {
			fmt.Fprintf(&b, "| %s | yes (not in the SDK's model) |\n", n)
		}
	}
	path := filepath.Join("..", "..", "..", "docs", "operations.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("docs/operations.md is stale (%v); regenerate it: go test ./internal/api/services -run TestOperationsDoc -update", err)
	}
}

// isRefused reports whether svc answers the operation only with a documented refusal.
func isRefused(svc *api.Service, name string) bool {
	for _, op := range svc.Ops {
		if api.OpName(op) == name {
			return api.OpRefused(op)
		}
	}
	return false
}
