package enginebench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rootward/rootward/internal/policy"
)

// A workload is n statements (policies, rules) of one shape, translated for each engine:
//
//	IAM:   Allow  Action svcK:ActI  on  arn:aws:s3:::bucket-I/home/${aws:username}/*
//	       when StringEquals aws:PrincipalTag/team = "team-I" and IpAddress aws:SourceIp in 10.x.y.0/24
//	Cedar: permit (principal, action == Action::"svcK:ActI", resource) when {
//	         context.resource like "arn:aws:s3:::bucket-I/home/*" && resource.owner == context.username &&
//	         context.team == "team-I" && context.sourceIp.isInRange(ip("10.x.y.0/24")) };
//	Rego:  allow if { input.action == "svcK:ActI";
//	         glob.match(concat("", ["arn:aws:s3:::bucket-I/home/", input.username, "/*"]), null, input.resource);
//	         input.team == "team-I"; net.cidr_contains("10.x.y.0/24", input.source_ip) }
//
// So each statement has an exact action, a wildcard resource, a policy variable (Cedar has no
// string interpolation: the variable becomes the resource entity's owner attribute, which is how a
// Cedar application models "the user's home"), a StringEquals and an IpAddress condition. The
// request matches the first statement, the last, or none (an action no statement names). Every
// engine gets its request built ahead of time in its own native form (a policy.Context, a
// cedar.Request with an entity map, a parsed ast.Value for OPA), so the timed loop is the decision
// alone.

var sizes = []int{10, 50, 500, 5000}

type match string

const (
	matchFirst match = "first"
	matchLast  match = "last"
	matchNone  match = "none"
)

var matches = []match{matchFirst, matchLast, matchNone}

func action(i int) string   { return fmt.Sprintf("svc%d:Act%d", i%16, i) }
func bucket(i int) string   { return fmt.Sprintf("bucket-%d", i) }
func team(i int) string     { return fmt.Sprintf("team-%d", i) }
func cidr(i int) string     { return fmt.Sprintf("10.%d.%d.0/24", (i/256)%256, i%256) }
func hostIP(i int) string   { return fmt.Sprintf("10.%d.%d.7", (i/256)%256, i%256) }
func homePref(i int) string { return "arn:aws:s3:::" + bucket(i) + "/home/" }

// request is an engine-neutral request.
type request struct {
	action, user, owner, team, ip string
	resource                      string
	hasUser                       bool
}

func requestFor(i int, m match) request {
	act := action(i)
	if m == matchNone {
		act = "svc0:NoSuchAction"
	}
	return request{action: act, user: "alice", owner: "alice", team: team(i), ip: hostIP(i),
		resource: homePref(i) + "alice/notes.txt", hasUser: true}
}

// engine is one policy engine loaded with one workload.
type engine interface {
	name() string
	prepare(r request) any // native request, built outside the timed loop
	allowed(native any) bool
}

// --- Rootward ---

type rootwardEngine struct{ in *policy.Input }

func newRootward(tb testing.TB, n int) *rootwardEngine {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Effect":"Allow","Action":%q,"Resource":%q,"Condition":{"StringEquals":{"aws:PrincipalTag/team":%q},"IpAddress":{"aws:SourceIp":%q}}}`,
			action(i), homePref(i)+"${aws:username}/*", team(i), cidr(i))
	}
	b.WriteString("]}")
	p, err := policy.Parse(b.String(), policy.KindIdentity)
	if err != nil {
		tb.Fatal(err)
	}
	return &rootwardEngine{in: &policy.Input{Identity: []*policy.Policy{p}}}
}

func (e *rootwardEngine) name() string { return "rootward" }

func (e *rootwardEngine) prepare(r request) any {
	ctx := &policy.Context{}
	if r.hasUser {
		ctx.Set("aws:username", r.user)
	}
	ctx.Set("aws:PrincipalTag/team", r.team)
	ctx.Set("aws:SourceIp", r.ip)
	return &policy.Request{Action: r.action, Resource: r.resource, Context: ctx,
		Principal: policy.Principal{ARN: "arn:aws:iam::111122223333:user/" + r.user, Account: "111122223333"}}
}

func (e *rootwardEngine) allowed(native any) bool {
	return policy.Evaluate(e.in, native.(*policy.Request)).Allowed()
}

// rootwardFreshEngine is Rootward with its request context filled inside the timed loop: the
// context is Reset, given the three keys, then the decision is made. This is what the server does
// for every call (it takes a policy.Context from a pool and Resets it after the call), and it
// includes the work Context.Set does once per request (lower-casing and hashing the keys, parsing
// typed values) that the prepared variant, like the other engines' prepared inputs, leaves out.
type rootwardFreshEngine struct {
	rootwardEngine
	ctx policy.Context
}

func (e *rootwardFreshEngine) name() string { return "rootward-fresh-ctx" }

func (e *rootwardFreshEngine) prepare(r request) any { return &r }

func (e *rootwardFreshEngine) allowed(native any) bool {
	r := native.(*request)
	ctx := &e.ctx
	ctx.Reset()
	if r.hasUser {
		ctx.Set("aws:username", r.user)
	}
	ctx.Set("aws:PrincipalTag/team", r.team)
	ctx.Set("aws:SourceIp", r.ip)
	req := policy.Request{Action: r.action, Resource: r.resource, Context: ctx,
		Principal: policy.Principal{ARN: "arn:aws:iam::111122223333:user/" + r.user, Account: "111122223333"}}
	return policy.Evaluate(e.in, &req).Allowed()
}

// --- Cedar ---

type cedarEngine struct{ ps *cedar.PolicySet }

func newCedar(tb testing.TB, n int) *cedarEngine {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "permit (principal, action == Action::%q, resource) when { context.resource like \"%s*\" && resource.owner == context.username && context.team == %q && context.sourceIp.isInRange(ip(%q)) };\n",
			action(i), homePref(i), team(i), cidr(i))
	}
	ps, err := cedar.NewPolicySetFromBytes("bench.cedar", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return &cedarEngine{ps: ps}
}

func (e *cedarEngine) name() string { return "cedar" }

type cedarReq struct {
	req      cedar.Request
	entities cedar.EntityMap
}

func (e *cedarEngine) prepare(r request) any {
	ip, err := types.ParseIPAddr(r.ip)
	if err != nil {
		panic(err)
	}
	ctx := cedar.RecordMap{"resource": cedar.String(r.resource), "team": cedar.String(r.team), "sourceIp": ip}
	if r.hasUser {
		ctx["username"] = cedar.String(r.user)
	}
	res := cedar.NewEntityUID("Object", cedar.String(r.resource))
	return &cedarReq{
		req: cedar.Request{
			Principal: cedar.NewEntityUID("User", cedar.String(r.user)),
			Action:    cedar.NewEntityUID("Action", cedar.String(r.action)),
			Resource:  res,
			Context:   cedar.NewRecord(ctx),
		},
		entities: cedar.EntityMap{res: cedar.Entity{UID: res, Attributes: cedar.NewRecord(cedar.RecordMap{"owner": cedar.String(r.owner)})}},
	}
}

func (e *cedarEngine) allowed(native any) bool {
	r := native.(*cedarReq)
	d, _ := cedar.Authorize(e.ps, r.entities, r.req)
	return d == cedar.Allow
}

// --- OPA ---

type opaEngine struct{ pq rego.PreparedEvalQuery }

func newOPA(tb testing.TB, n int) *opaEngine {
	var b strings.Builder
	b.WriteString("package iam\n\ndefault allow := false\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "allow if {\n\tinput.action == %q\n\tglob.match(concat(\"\", [%q, input.username, \"/*\"]), null, input.resource)\n\tinput.team == %q\n\tnet.cidr_contains(%q, input.source_ip)\n}\n\n",
			action(i), homePref(i), team(i), cidr(i))
	}
	pq, err := rego.New(rego.Query("data.iam.allow"), rego.Module("bench.rego", b.String())).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return &opaEngine{pq: pq}
}

func (e *opaEngine) name() string { return "opa" }

func (e *opaEngine) prepare(r request) any {
	in := map[string]any{"action": r.action, "resource": r.resource, "team": r.team, "source_ip": r.ip}
	if r.hasUser {
		in["username"] = r.user
	}
	v, err := ast.InterfaceToValue(in)
	if err != nil {
		panic(err)
	}
	return v
}

func (e *opaEngine) allowed(native any) bool {
	rs, err := e.pq.Eval(context.Background(), rego.EvalParsedInput(native.(ast.Value)))
	if err != nil {
		panic(err)
	}
	return rs.Allowed()
}

func engines(tb testing.TB, n int) []engine {
	rw := newRootward(tb, n)
	return []engine{rw, &rootwardFreshEngine{rootwardEngine: *rw}, newCedar(tb, n), newOPA(tb, n)}
}

// checkAgreement fails unless every engine gives want for r.
func checkAgreement(tb testing.TB, es []engine, r request, want bool, label string) {
	tb.Helper()
	for _, e := range es {
		if got := e.allowed(e.prepare(r)); got != want {
			tb.Fatalf("%s: %s decided allowed=%v, want %v", label, e.name(), got, want)
		}
	}
}

// TestEnginesAgree is the gate for BenchmarkEngines: on every benchmarked request, and on
// variations that break each part of the statement, the three engines decide alike.
func TestEnginesAgree(t *testing.T) {
	testSizes := sizes
	if testing.Short() {
		testSizes = sizes[:2]
	}
	for _, n := range testSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			es := engines(t, n)
			for _, m := range matches {
				i := index(n, m)
				checkAgreement(t, es, requestFor(i, m), m != matchNone, "benchmarked request "+string(m))
			}
			i := n - 1
			base := requestFor(i, matchLast)
			variations := map[string]func(r *request){
				"other user's home": func(r *request) { r.resource = homePref(i) + "bob/notes.txt"; r.owner = "bob" },
				"no username":       func(r *request) { r.hasUser = false },
				"wrong team":        func(r *request) { r.team = "team-x" },
				"outside the block": func(r *request) { r.ip = "192.0.2.1" },
				"other bucket":      func(r *request) { r.resource = homePref(i+1) + "alice/notes.txt" },
			}
			for name, mutate := range variations {
				r := base
				mutate(&r)
				checkAgreement(t, es, r, false, name)
			}
		})
	}
}

func index(n int, m match) int {
	if m == matchLast {
		return n - 1
	}
	return 0
}

// BenchmarkEngines times one decision per engine: BenchmarkEngines/<workload>/<engine>.
// Each benchmark first checks that the engines agree on its request.
func BenchmarkEngines(b *testing.B) {
	for _, n := range sizes {
		es := engines(b, n)
		for _, m := range matches {
			r := requestFor(index(n, m), m)
			checkAgreement(b, es, r, m != matchNone, "benchmarked request")
			for _, e := range es {
				native := e.prepare(r)
				b.Run(fmt.Sprintf("n=%d,match=%s/%s", n, m, e.name()), func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						e.allowed(native)
					}
				})
			}
		}
	}
}
