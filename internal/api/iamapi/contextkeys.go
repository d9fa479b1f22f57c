package iamapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/policy"
)

// The simulator's companions: GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy
// list the context keys the given or attached policies refer to, "to understand what key names
// and values you must supply when you call SimulateCustomPolicy" (IAM API Reference). A key is
// listed once however many policies name it (keys compare case-insensitively, as in policies),
// as first written, in the order the policies and their statements name them.

// ContextKeysOutput is GetContextKeysForPolicyResponse, the result of both operations.
type ContextKeysOutput struct {
	ContextKeyNames []string `xml:"ContextKeyNames>member"`
}

var GetContextKeysForCustomPolicy = add(&api.Op[GetContextKeysForCustomPolicyInput, ContextKeysOutput]{
	Name: "GetContextKeysForCustomPolicy",
	Run:  getContextKeysForCustomPolicy,
})

// GetContextKeysForCustomPolicyInput is GetContextKeysForCustomPolicy's request.
type GetContextKeysForCustomPolicyInput struct {
	PolicyInputList []string `required:"true"`
}

func getContextKeysForCustomPolicy(_ *api.Call, in *GetContextKeysForCustomPolicyInput) (*ContextKeysOutput, error) {
	ps, err := parseInputs(nil, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &ContextKeysOutput{ContextKeyNames: contextKeys(ps)}, nil
}

// GetContextKeysForPrincipalPolicy, like SimulatePrincipalPolicy, acts on the user, group or role
// it reads.
var GetContextKeysForPrincipalPolicy = add(&api.Op[GetContextKeysForPrincipalPolicyInput, ContextKeysOutput]{
	Name: "GetContextKeysForPrincipalPolicy",
	Resource: func(c *api.Call, in *GetContextKeysForPrincipalPolicyInput) string {
		return policySourceARN(in.PolicySourceArn)
	},
	Run: getContextKeysForPrincipalPolicy,
})

// GetContextKeysForPrincipalPolicyInput is GetContextKeysForPrincipalPolicy's request.
type GetContextKeysForPrincipalPolicyInput struct {
	PolicySourceArn string `required:"true"`
	PolicyInputList []string
}

func getContextKeysForPrincipalPolicy(c *api.Call, in *GetContextKeysForPrincipalPolicyInput) (*ContextKeysOutput, error) {
	principal, err := loadPrincipal(c, in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	// The entity's policies (a user's include its groups'), its permissions boundary, then the
	// optional PolicyInputList.
	ps, err := principal.Compile(nil)
	if err != nil {
		return nil, err
	}
	if ps, err = parseInputs(ps, in.PolicyInputList); err != nil {
		return nil, err
	}
	return &ContextKeysOutput{ContextKeyNames: contextKeys(ps)}, nil
}

// parseInputs appends the policies of a PolicyInputList to ps.
func parseInputs(ps []*policy.Policy, docs []string) ([]*policy.Policy, error) {
	for _, doc := range docs {
		p, err := parseInput("PolicyInputList", doc, policy.KindIdentity)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// contextKeys merges the context keys of ps, each key once.
func contextKeys(ps []*policy.Policy) []string {
	var keys []string
	seen := map[string]bool{}
	for _, p := range ps {
		for _, k := range p.ContextKeys() {
			if l := strings.ToLower(k); !seen[l] {
				seen[l] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}
