package server

import (
	"strings"

	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/policy"
)

// The simulator's companions: GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy
// list the context keys the given or attached policies refer to, "to understand what key names
// and values you must supply when you call SimulateCustomPolicy" (IAM API Reference). A key is
// listed once however many policies name it (keys compare case-insensitively, as in policies),
// as first written, in the order the policies and their statements name them.

// contextKeysResult is GetContextKeysForPolicyResponse, the result shape of both operations.
type contextKeysResult struct {
	ContextKeyNames []string `xml:"ContextKeyNames>member"`
}

func addContextKeyOps(ops map[string]*op) {
	ops["GetContextKeysForCustomPolicy"] = &op{run: func(c *call) (any, error) {
		docs := c.params.List("PolicyInputList")
		if len(docs) == 0 {
			return nil, awsproto.MissingParam("PolicyInputList")
		}
		var ps []*policy.Policy
		for _, doc := range docs {
			p, err := parseInput("PolicyInputList", doc, policy.KindIdentity)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return contextKeysResult{ContextKeyNames: contextKeys(ps)}, nil
	}}
	// Like SimulatePrincipalPolicy, it acts on the user, group or role it reads.
	ops["GetContextKeysForPrincipalPolicy"] = &op{resource: policySourceResource, run: func(c *call) (any, error) {
		source, err := c.params.Required("PolicySourceArn")
		if err != nil {
			return nil, err
		}
		principal, err := loadPrincipal(c, source)
		if err != nil {
			return nil, err
		}
		// The entity's policies (a user's include its groups'), its permissions boundary, then
		// the optional PolicyInputList.
		ps, err := principal.Compile(nil)
		if err != nil {
			return nil, err
		}
		for _, doc := range c.params.List("PolicyInputList") {
			p, err := parseInput("PolicyInputList", doc, policy.KindIdentity)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return contextKeysResult{ContextKeyNames: contextKeys(ps)}, nil
	}}
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
