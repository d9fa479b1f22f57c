package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusFile is the format of testdata/*.json: a set of policies and requests with the decision
// AWS documents for each. Anyone can add a file; TestCorpus runs them all.
//
//	{
//	  "description": "...", "source": "URL or document section the expectations come from",
//	  "policies": {
//	    "identity": [ {policy}, ... ], "boundary": {policy}, "session": [ ... ],
//	    "scps": [ [ {policy}, ... ], ... ], "resource": {policy}, "resourceKind": "resource"|"trust",
//	    "task": [ ... ]
//	  },
//	  "cases": [ {
//	    "name": "...", "action": "...", "resource": "...",
//	    "principal": {"arn": "...", "account": "...", "service": "...", "federated": "...", "roleArn": "..."},
//	    "resourceAccount": "...", "root": false, "context": {"key": ["v", ...]},
//	    "expect": "allowed"|"implicitDeny"|"explicitDeny", "type": "identity"|"scp"|..., "reason": "..."
//	  } ]
//	}
type corpusFile struct {
	Description string `json:"description"`
	Source      string `json:"source"`
	Policies    struct {
		Identity     []json.RawMessage   `json:"identity"`
		Boundary     json.RawMessage     `json:"boundary"`
		Session      []json.RawMessage   `json:"session"`
		SCPs         [][]json.RawMessage `json:"scps"`
		Resource     json.RawMessage     `json:"resource"`
		ResourceKind string              `json:"resourceKind"`
		Task         []json.RawMessage   `json:"task"`
	} `json:"policies"`
	Cases []corpusCase `json:"cases"`
}

type corpusCase struct {
	Name      string `json:"name"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	Principal struct {
		ARN       string `json:"arn"`
		Account   string `json:"account"`
		Service   string `json:"service"`
		Federated string `json:"federated"`
		RoleARN   string `json:"roleArn"`
	} `json:"principal"`
	ResourceAccount string              `json:"resourceAccount"`
	Root            bool                `json:"root"`
	Context         map[string][]string `json:"context"`
	Expect          string              `json:"expect"`
	Type            string              `json:"type"`
	Reason          string              `json:"reason"`
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files in testdata/")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var cf corpusFile
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&cf); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if cf.Source == "" || len(cf.Cases) == 0 {
				t.Fatal("a corpus file needs a source and at least one case")
			}
			in := corpusInput(t, &cf)
			for _, c := range cf.Cases {
				t.Run(c.Name, func(t *testing.T) {
					runCorpusCase(t, in, c)
				})
			}
		})
	}
}

func corpusInput(t *testing.T, cf *corpusFile) Input {
	parse := func(m json.RawMessage, k Kind) *Policy {
		p, err := Parse(string(m), k)
		if err != nil {
			t.Fatalf("policy %s: %v", m, err)
		}
		return p
	}
	var in Input
	for _, m := range cf.Policies.Identity {
		in.Identity = append(in.Identity, parse(m, KindIdentity))
	}
	if len(cf.Policies.Boundary) > 0 {
		in.Boundary = parse(cf.Policies.Boundary, KindBoundary)
	}
	if cf.Policies.Session != nil {
		in.Session = []*Policy{}
		for _, m := range cf.Policies.Session {
			in.Session = append(in.Session, parse(m, KindSession))
		}
	}
	for _, level := range cf.Policies.SCPs {
		ps := []*Policy{}
		for _, m := range level {
			ps = append(ps, parse(m, KindSCP))
		}
		in.SCPs = append(in.SCPs, ps)
	}
	if len(cf.Policies.Resource) > 0 {
		k := KindResource
		if cf.Policies.ResourceKind == "trust" {
			k = KindTrust
		}
		in.Resource = parse(cf.Policies.Resource, k)
	}
	for _, m := range cf.Policies.Task {
		in.TaskPolicies = append(in.TaskPolicies, parse(m, KindSession))
	}
	return in
}

func runCorpusCase(t *testing.T, base Input, c corpusCase) {
	in := base
	in.ResourceAccount = c.ResourceAccount
	in.Root = c.Root
	req := &Request{
		Action:   c.Action,
		Resource: c.Resource,
		Principal: Principal{ARN: c.Principal.ARN, Account: c.Principal.Account, Service: c.Principal.Service,
			Federated: c.Principal.Federated, RoleARN: c.Principal.RoleARN},
		Context: ctxOf(c.Context),
	}
	d := Evaluate(&in, req)
	if d.Effect.String() != c.Expect {
		t.Fatalf("decision %v (%v), want %s", d.Effect, d.Type, c.Expect)
	}
	if c.Type != "" && d.Type.String() != c.Type {
		t.Fatalf("decided by %v, want %s", d.Type, c.Type)
	}
	if c.Reason != "" && d.Reason(c.Action) != c.Reason {
		t.Fatalf("reason %q, want %q", d.Reason(c.Action), c.Reason)
	}
}
