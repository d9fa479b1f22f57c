package policy

import (
	"strings"
	"testing"
)

func TestIsUniqueID(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"AIDAJQABLZS4A3QDU576Q", true},
		{"AROAKSCDLFT9R5DQP782U", true},
		{"AKIAJQABLZS4A3QDU576Q", false}, // an access key ID
		{"AIDAJQABLZS4A3QDU576", false},  // 20 characters
		{"AIDAJQABLZS4A3QDU576QX", false},
		{"AIDAjqablzs4a3qdu576q", false},
		{"arn:aws:iam::111122223333:user/alice", false},
	} {
		if got := IsUniqueID(tc.s); got != tc.want {
			t.Errorf("IsUniqueID(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// A principal replaced by its unique ID matches nobody, the recreated entity of the same name
// included, while the statement's other principals still match.
func TestWithPrincipals(t *testing.T) {
	const bob = "arn:aws:iam::111122223333:user/bob"
	const carol = "arn:aws:iam::111122223333:role/carol"
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + bob + `","` + carol + `"]},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","NotPrincipal":{"AWS":["` + bob + `","111122223333"]},"Action":"sts:AssumeRole"}]}`
	p := mustParse(t, doc, KindTrust)
	p.Name = "trust"
	decide := func(p *Policy, who string) Effect {
		return Evaluate(&Input{Resource: p}, &Request{Action: "sts:AssumeRole", Resource: "*",
			Principal: Principal{ARN: who, Account: "111122223333"}}).Effect
	}
	if decide(p, bob) != Allowed || decide(p, carol) != ExplicitDeny {
		t.Fatalf("before: bob %v, carol %v", decide(p, bob), decide(p, carol))
	}
	same, text, err := p.WithPrincipals(map[string]string{"arn:aws:iam::111122223333:user/nobody": "AIDAJQABLZS4A3QDU576Q"})
	if err != nil || same != p || text != "" {
		t.Fatalf("nothing to replace: %p %q %v, want the policy itself", same, text, err)
	}
	np, text, err := p.WithPrincipals(map[string]string{bob: "AIDAJQABLZS4A3QDU576Q"})
	if err != nil {
		t.Fatal(err)
	}
	if np.Name != "trust" || !strings.Contains(text, `"AIDAJQABLZS4A3QDU576Q"`) || strings.Contains(text, bob) {
		t.Fatalf("replaced policy %q named %q", text, np.Name)
	}
	// bob is no longer trusted, and no longer excluded from the Deny.
	if got := decide(np, bob); got != ExplicitDeny {
		t.Fatalf("bob after replacement: %v, want explicitDeny", got)
	}
	if got := decide(np, carol); got != ExplicitDeny {
		t.Fatalf("carol after replacement: %v", got)
	}
	// The original is unchanged.
	if decide(p, bob) != Allowed || p.Statements[0].Principal.AWS[0] != bob {
		t.Fatal("WithPrincipals changed the original policy")
	}
}
