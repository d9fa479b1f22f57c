package policy

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// Property tests over random policies and requests (fixed seed, so failures reproduce):
//   - adding a Deny never turns a deny into an allow;
//   - adding an Allow never overrides an explicit deny;
//   - adding a permissions boundary or an SCP level only narrows.

var (
	propActions   = []string{"s3:GetObject", "s3:*", "s3:Get*", "iam:*", "iam:GetUser", "iam:Create*", "*", "ec2:Describe*", "sts:AssumeRole"}
	propResources = []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:iam::111122223333:user/*",
		"arn:aws:iam::*:user/${aws:username}", "arn:aws:ec2:*:*:instance/*"}
	propConds = []string{
		``,
		`,"Condition":{"StringEquals":{"aws:username":"alice"}}`,
		`,"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`,
		`,"Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`,
		`,"Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`,
		`,"Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`,
		`,"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`,
		`,"Condition":{"NumericLessThan":{"s3:max-keys":"10"}}`,
		`,"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`,
	}
	propReqActions   = []string{"s3:GetObject", "s3:PutObject", "iam:GetUser", "iam:CreateUser", "ec2:DescribeInstances", "sts:AssumeRole"}
	propReqResources = []string{"*", "arn:aws:s3:::b/alice/x", "arn:aws:s3:::b/bob/x", "arn:aws:iam::111122223333:user/alice", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"}
)

func randomPolicy(r *rand.Rand, effect string, kind Kind) *Policy {
	n := 1 + r.Intn(4)
	var stmts []string
	for i := 0; i < n; i++ {
		e := effect
		if e == "" {
			e = []string{"Allow", "Deny"}[r.Intn(2)]
		}
		actKey := "Action"
		if r.Intn(6) == 0 {
			actKey = "NotAction"
		}
		resKey := "Resource"
		if r.Intn(8) == 0 {
			resKey = "NotResource"
		}
		stmts = append(stmts, fmt.Sprintf(`{"Effect":%q,%q:%q,%q:%q%s}`, e, actKey, propActions[r.Intn(len(propActions))],
			resKey, propResources[r.Intn(len(propResources))], propConds[r.Intn(len(propConds))]))
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	p, err := Parse(doc, kind)
	if err != nil {
		panic(fmt.Sprintf("generated policy %s: %v", doc, err))
	}
	return p
}

func randomRequest(r *rand.Rand) *Request {
	c := &Context{}
	if r.Intn(2) == 0 {
		c.Set("aws:username", []string{"alice", "bob"}[r.Intn(2)])
	}
	if r.Intn(2) == 0 {
		c.Set("aws:MultiFactorAuthPresent", []string{"true", "false"}[r.Intn(2)])
	}
	if r.Intn(2) == 0 {
		c.Set("aws:SourceIp", []string{"192.0.2.7", "198.51.100.1", "2001:db8::1"}[r.Intn(3)])
	}
	if r.Intn(2) == 0 {
		c.Set("aws:RequestedRegion", []string{"us-east-1", "eu-west-1"}[r.Intn(2)])
	}
	if r.Intn(2) == 0 {
		c.Set("aws:TagKeys", []string{"a", "b", "c"}[:r.Intn(4)]...)
	}
	if r.Intn(2) == 0 {
		c.Set("s3:max-keys", []string{"5", "50", "x"}[r.Intn(3)])
	}
	if r.Intn(2) == 0 {
		c.Set("aws:CurrentTime", []string{"2023-06-01T00:00:00Z", "2025-06-01T00:00:00Z"}[r.Intn(2)])
	}
	return &Request{
		Action:    propReqActions[r.Intn(len(propReqActions))],
		Resource:  propReqResources[r.Intn(len(propReqResources))],
		Principal: Principal{ARN: aliceARN, Account: acct},
		Context:   c,
	}
}

func randomInput(r *rand.Rand) *Input {
	in := &Input{}
	for i := r.Intn(3); i >= 0; i-- {
		in.Identity = append(in.Identity, randomPolicy(r, "", KindIdentity))
	}
	if r.Intn(3) == 0 {
		in.Boundary = randomPolicy(r, "", KindBoundary)
	}
	if r.Intn(3) == 0 {
		in.Session = []*Policy{randomPolicy(r, "", KindSession)}
	}
	if r.Intn(3) == 0 {
		in.SCPs = [][]*Policy{{randomPolicy(r, "", KindSCP)}}
	}
	return in
}

const propIterations = 3000

func TestPropertyAddingDenyNeverAllows(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < propIterations; i++ {
		in, req := randomInput(r), randomRequest(r)
		before := Evaluate(in, req)
		more := *in
		more.Identity = append(append([]*Policy{}, in.Identity...), randomPolicy(r, "Deny", KindIdentity))
		after := Evaluate(&more, req)
		if !before.Allowed() && after.Allowed() {
			t.Fatalf("iteration %d: adding a Deny turned %v into allow", i, before)
		}
		if before.Effect == ExplicitDeny && after.Effect != ExplicitDeny {
			t.Fatalf("iteration %d: adding a Deny removed an explicit deny", i)
		}
	}
}

func TestPropertyAllowNeverOverridesExplicitDeny(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	denies := 0
	for i := 0; i < propIterations; i++ {
		in, req := randomInput(r), randomRequest(r)
		before := Evaluate(in, req)
		if before.Effect != ExplicitDeny {
			continue
		}
		denies++
		more := *in
		more.Identity = append(append([]*Policy{}, in.Identity...), randomPolicy(r, "Allow", KindIdentity))
		if in.Session != nil {
			more.Session = append(append([]*Policy{}, in.Session...), randomPolicy(r, "Allow", KindSession))
		}
		if after := Evaluate(&more, req); after.Effect != ExplicitDeny {
			t.Fatalf("iteration %d: adding an Allow changed an explicit deny into %v", i, after.Effect)
		}
	}
	if denies < propIterations/20 {
		t.Fatalf("only %d explicit denies generated; the property was barely exercised", denies)
	}
}

func TestPropertyBoundaryAndSCPOnlyNarrow(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	allowed := 0
	for i := 0; i < propIterations; i++ {
		in, req := randomInput(r), randomRequest(r)
		in.Boundary, in.SCPs = nil, nil
		base := Evaluate(in, req)
		if base.Allowed() {
			allowed++
		}
		withBoundary := *in
		withBoundary.Boundary = randomPolicy(r, "", KindBoundary)
		if Evaluate(&withBoundary, req).Allowed() && !base.Allowed() {
			t.Fatalf("iteration %d: a boundary widened permissions", i)
		}
		withSCP := *in
		withSCP.SCPs = [][]*Policy{{randomPolicy(r, "", KindSCP)}, {randomPolicy(r, "", KindSCP)}}
		if Evaluate(&withSCP, req).Allowed() && !base.Allowed() {
			t.Fatalf("iteration %d: an SCP widened permissions", i)
		}
	}
	if allowed < propIterations/20 {
		t.Fatalf("only %d allowed requests generated; the property was barely exercised", allowed)
	}
}

func TestPropertyExplainAgreesWithEvaluate(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for i := 0; i < propIterations; i++ {
		in, req := randomInput(r), randomRequest(r)
		if r.Intn(2) == 0 {
			in.Resource = mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+
				[]string{aliceARN, acct, "*"}[r.Intn(3)]+`"},"Action":"s3:*","Resource":"*"}]}`, KindResource)
		}
		if d, x := Evaluate(in, req), Explain(in, req); d != x.Decision {
			t.Fatalf("iteration %d: Evaluate %+v, Explain %+v", i, d, x.Decision)
		}
	}
}

// Evaluate decides an input of identity-based policies alone on a path of its own
// (evaluator.identityOnly); Explain always takes the general path. They must agree for every
// principal kind, same- and cross-account resources, the root user, and unusable policies.
func TestPropertyIdentityOnlyPathAgrees(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	principals := []Principal{
		{ARN: aliceARN, Account: acct},
		{Service: "ec2.amazonaws.com"},
		{Federated: "cognito-identity.amazonaws.com"},
		{ARN: "arn:aws:iam::111122223333:root", Account: acct},
	}
	for i := 0; i < propIterations; i++ {
		in := &Input{}
		for j := r.Intn(4); j > 0; j-- {
			in.Identity = append(in.Identity, randomPolicy(r, "", KindIdentity))
		}
		switch r.Intn(10) {
		case 0:
			in.Identity = append(in.Identity, nil)
		case 1:
			in.Identity = append(in.Identity, &Policy{}) // never compiled
		}
		in.Root = r.Intn(5) == 0
		if r.Intn(4) == 0 {
			in.ResourceAccount = []string{acct, "444455556666"}[r.Intn(2)]
		}
		req := randomRequest(r)
		req.Principal = principals[r.Intn(len(principals))]
		if d, x := Evaluate(in, req), Explain(in, req); d != x.Decision {
			t.Fatalf("iteration %d: Evaluate %+v, Explain %+v (input %+v, principal %+v)", i, d, x.Decision, in, req.Principal)
		}
	}
}
