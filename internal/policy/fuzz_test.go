package policy

import (
	"encoding/json"
	"testing"
)

// FuzzParse checks that Parse never panics, that a parsed policy survives MarshalJSON → Parse
// unchanged, and that evaluating it does not panic. Run with
// go test ./internal/policy -fuzz=^FuzzParse$
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
		`{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`,
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"${*}x?"},"NumericEquals":{"s3:max-keys":1e3}}}}`,
		`{"Statement":{"Effect":"Deny","Action":"*"}}`,
	}
	for _, s := range seeds {
		for k := KindIdentity; k <= KindSCP; k++ {
			f.Add(s, uint8(k))
		}
	}
	ctx := &Context{}
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	f.Fuzz(func(t *testing.T, doc string, kind uint8) {
		k := Kind(kind % 6)
		p, err := Parse(doc, k)
		if err != nil {
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		p2, err := Parse(string(out), k)
		if err != nil {
			t.Fatalf("re-parse of %s failed: %v (from %q)", out, err, doc)
		}
		if !samePolicy(p, p2) {
			t.Fatalf("round trip changed the policy: %q -> %s", doc, out)
		}
		in := &Input{Identity: []*Policy{p}, Resource: p}
		Evaluate(in, &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/x", Context: ctx,
			Principal: Principal{ARN: aliceARN, Account: acct}})
	})
}
