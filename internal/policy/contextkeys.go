package policy

import "strings"

// ContextKeys returns the context keys p refers to: the keys of its Condition elements and, under
// Version 2012-10-17, the keys of the policy variables in its Resource, NotResource and Condition
// values. Each key appears once (keys compare case-insensitively), as first written, in the order
// of first appearance. They are what IAM's GetContextKeysForCustomPolicy and
// GetContextKeysForPrincipalPolicy report: the keys a simulation may need values for.
func (p *Policy) ContextKeys() []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if l := strings.ToLower(k); !seen[l] {
			seen[l] = true
			keys = append(keys, k)
		}
	}
	vars := p.Version == Version2012
	for _, st := range p.Statements {
		if vars {
			for _, r := range st.Resource {
				variableKeys(r, add)
			}
			for _, r := range st.NotResource {
				variableKeys(r, add)
			}
		}
		for _, c := range st.Condition {
			add(c.Key)
			if vars {
				for _, v := range c.Values {
					variableKeys(v, add)
				}
			}
		}
	}
	return keys
}

// variableKeys calls add with the key of each policy variable in text, as written: "${key}" or
// "${key, 'default'}". The escapes ${*}, ${?} and ${$} name no key. Policies reaching here have
// been parsed, so every variable is well formed.
func variableKeys(text string, add func(string)) {
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return
		}
		end := strings.IndexByte(text[i+2:], '}')
		if end < 0 {
			return
		}
		body := text[i+2 : i+2+end]
		text = text[i+2+end+1:]
		switch body {
		case "*", "?", "$":
			continue
		}
		key, _, _ := strings.Cut(body, ",")
		if key = strings.TrimSpace(key); key != "" {
			add(key)
		}
	}
}
