package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchInput builds a principal with n identity statements spread over policies of at most
// perPolicy statements, of which only three name the benchmarked action (iam:GetUser): an allow with a policy
// variable, a StringEquals and an IpAddress condition; a deny whose condition does not hold; and a
// wildcard allow on another resource. The others name other actions of many services, with
// resources and conditions of their own, as real account policies do.
func benchInput(tb testing.TB, n, perPolicy int) (*Input, *Request) {
	var docs []string
	var stmts []string
	flush := func() {
		if len(stmts) > 0 {
			docs = append(docs, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
			stmts = nil
		}
	}
	services := []string{"s3", "ec2", "dynamodb", "sqs", "sns", "kms", "lambda", "logs", "iam", "sts"}
	for i := 0; i < n-3; i++ {
		svc := services[i%len(services)]
		stmts = append(stmts, fmt.Sprintf(
			`{"Sid":"S%d","Effect":"Allow","Action":["%s:Action%dA","%s:Action%dB"],"Resource":"arn:aws:%s:us-east-1:111122223333:thing/%d/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"}}}`,
			i, svc, i, svc, i, svc, i, i))
		if len(stmts) == perPolicy {
			flush()
		}
	}
	stmts = append(stmts,
		`{"Sid":"DenyOutsideNetwork","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}}`,
		`{"Sid":"OwnUser","Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}","Condition":{"StringEquals":{"aws:PrincipalTag/team":"platform"},"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`,
		`{"Sid":"ReadOthers","Effect":"Allow","Action":"iam:Get*","Resource":"arn:aws:iam::111122223333:group/*"}`)
	flush()
	in := &Input{}
	for _, d := range docs {
		in.Identity = append(in.Identity, mustParse(tb, d, KindIdentity))
	}
	req := &Request{Action: "iam:GetUser", Resource: aliceARN, Principal: Principal{ARN: aliceARN, Account: acct}, Context: benchContext()}
	return in, req
}

// benchContext builds the request context of benchInput: the global keys a server sets for an IAM
// user's call.
func benchContext() *Context {
	ctx := &Context{}
	fillBenchContext(ctx)
	return ctx
}

func fillBenchContext(ctx *Context) {
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:userid", "AIDAEXAMPLE")
	ctx.Set("aws:PrincipalTag/team", "platform")
	ctx.Set("aws:SourceIp", "192.0.2.44")
	ctx.Set("aws:PrincipalArn", aliceARN)
	ctx.Set("aws:PrincipalAccount", acct)
	ctx.Set("aws:CurrentTime", "2026-01-02T03:04:05Z")
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:RequestedRegion", "us-east-1")
}

func TestEvaluateAllocatesNothing(t *testing.T) {
	for _, n := range []int{50, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in, req := benchInput(t, n, n)
			if d := Evaluate(in, req); !d.Allowed() || d.Policy.Statements[d.Statement].Sid != "OwnUser" {
				t.Fatalf("decision %+v", d)
			}
			if a := testing.AllocsPerRun(200, func() { Evaluate(in, req) }); a != 0 {
				t.Fatalf("Evaluate allocates %v times per call", a)
			}
		})
	}
	// The other paths too: resource policy with principal matching, SCPs, boundary, denies.
	in, req := benchInput(t, 500, 50)
	in.SCPs = [][]*Policy{{mustParse(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, KindSCP)}}
	in.Boundary = mustParse(t, `{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`, KindBoundary)
	in.Resource = mustParse(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"iam:GetUser","Resource":"*"}}`, KindResource)
	sess := *req
	sess.Principal = Principal{ARN: sessARN, Account: acct}
	if a := testing.AllocsPerRun(200, func() { Evaluate(in, &sess) }); a != 0 {
		t.Fatalf("Evaluate with SCP, boundary and resource policy allocates %v times per call", a)
	}
	// A request value the operator cannot parse: Context.Set parsed it (and paid for the parse
	// error) once, so evaluation still allocates nothing.
	bad := *req
	bad.Context = &Context{}
	bad.Context.Set("aws:SourceIp", "not-an-address")
	bad.Context.Set("aws:username", "alice")
	if d := Evaluate(in, &bad); d.Effect != ExplicitDeny {
		t.Fatalf("unparsable source address: %+v, want the NotIpAddress deny", d)
	}
	if a := testing.AllocsPerRun(200, func() { Evaluate(in, &bad) }); a != 0 {
		t.Fatalf("Evaluate with an unparsable address allocates %v times per call", a)
	}
	// A Context kept per worker: after Reset, setting a request's keys again reuses its memory.
	reused := *req
	reused.Context = benchContext()
	if a := testing.AllocsPerRun(200, func() {
		reused.Context.Reset()
		fillBenchContext(reused.Context)
		Evaluate(in, &reused)
	}); a != 0 {
		t.Fatalf("Reset, Set and Evaluate allocate %v times per request", a)
	}
}

// BenchmarkEvaluate measures one request against 50 and 5,000 statements in one policy (the
// brief's target: 5,000 may cost at most 3x 50), and 5,000 statements spread over 100 policies of
// 50, which is closer to a principal with many attached policies. The request context is built
// once; BenchmarkEvaluateFreshContext builds it for every decision.
func BenchmarkEvaluate(b *testing.B) {
	for _, c := range []struct{ n, per int }{{50, 50}, {5000, 5000}, {5000, 50}} {
		name := fmt.Sprintf("statements=%d", c.n)
		if c.per != c.n {
			name += fmt.Sprintf("/policies=%d", c.n/c.per)
		}
		b.Run(name, func(b *testing.B) {
			in, req := benchInput(b, c.n, c.per)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !Evaluate(in, req).Allowed() {
					b.Fatal("denied")
				}
			}
		})
	}
}

// BenchmarkEvaluateFreshContext is BenchmarkEvaluate/statements=50 with the request context (nine
// keys) built for each decision, as a server does per call: it adds what Context.Set does once per
// request — lower-casing and hashing the keys, parsing the values that are addresses, numbers or
// dates — and the Context's allocations.
func BenchmarkEvaluateFreshContext(b *testing.B) {
	in, req := benchInput(b, 50, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := *req
		r.Context = benchContext()
		if !Evaluate(in, &r).Allowed() {
			b.Fatal("denied")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"OwnUser","Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}","Condition":{"StringEquals":{"aws:PrincipalTag/team":"platform"},"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(doc, KindIdentity); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatementShapes times one decision against a one-statement policy, adding one
// feature at a time to the statement of the engine comparison (internal/policy/enginebench): an
// exact action alone, then a literal resource pattern, a pattern with ${aws:username}, a
// StringEquals, an IpAddress, and all of them. The differences between rows are what each feature
// costs. docs/benchmarks-policy.md counts its instructions with cachegrind (make instructions).
func BenchmarkStatementShapes(b *testing.B) {
	const stmt = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"svc1:Act1","Resource":%s%s}]}`
	const (
		streq = `{"StringEquals":{"aws:PrincipalTag/team":"team-1"}}`
		ip    = `{"IpAddress":{"aws:SourceIp":"10.0.1.0/24"}}`
		both  = `{"StringEquals":{"aws:PrincipalTag/team":"team-1"},"IpAddress":{"aws:SourceIp":"10.0.1.0/24"}}`
		lit   = `"arn:aws:s3:::bucket-1/home/*"`
		home  = `"arn:aws:s3:::bucket-1/home/${aws:username}/*"`
	)
	shapes := []struct{ name, resource, cond string }{
		{"action", `"*"`, ""},
		{"literal-resource", lit, ""},
		{"variable-resource", home, ""},
		{"StringEquals", `"*"`, streq},
		{"IpAddress", `"*"`, ip},
		{"all", home, both},
	}
	for _, sh := range shapes {
		cond := ""
		if sh.cond != "" {
			cond = `,"Condition":` + sh.cond
		}
		in := &Input{Identity: []*Policy{mustParse(b, fmt.Sprintf(stmt, sh.resource, cond), KindIdentity)}}
		ctx := &Context{}
		ctx.Set("aws:username", "alice")
		ctx.Set("aws:PrincipalTag/team", "team-1")
		ctx.Set("aws:SourceIp", "10.0.1.7")
		req := &Request{Action: "svc1:Act1", Resource: "arn:aws:s3:::bucket-1/home/alice/notes.txt", Context: ctx}
		b.Run(sh.name, func(b *testing.B) {
			for b.Loop() {
				if !Evaluate(in, req).Allowed() {
					b.Fatal("denied")
				}
			}
		})
	}
}
