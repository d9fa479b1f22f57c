package eventbridge

import (
	"context"
	"sync"

	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/store"
)

// compiled is an enabled rule ready to match.
type compiled struct {
	name    string
	pattern *pattern.Pattern
	// all is set for ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: the rule also receives
	// read-only management events.
	all     bool
	targets []targetRecord
}

// accountRules are an account's enabled rules, indexed by the sources they require.
type accountRules struct {
	epoch     uint64
	bySource  map[string][]*compiled
	anySource []*compiled
	n         int
}

// candidates calls fn with each rule that may match an event of source, until fn returns false.
func (a *accountRules) candidates(source string, fn func(r *compiled) bool) {
	for _, r := range a.bySource[source] {
		if !fn(r) {
			return
		}
	}
	for _, r := range a.anySource {
		if !fn(r) {
			return
		}
	}
}

// ruleCache holds each account's compiled rules until the change feed reports a change to the
// account's rules. An entry is trusted only while the feed is healthy and in the epoch it was
// built in; an account with no entry is loaded by the matching worker, never on the trail's
// writer goroutine.
type ruleCache struct {
	st   store.Store
	feed store.Feed

	mu       sync.RWMutex
	accounts map[string]*accountRules // guarded by mu
	gen      map[string]uint64        // guarded by mu: invalidations per account
}

func newRuleCache(st store.Store) *ruleCache {
	c := &ruleCache{st: st, feed: st.Changes(), accounts: map[string]*accountRules{}, gen: map[string]uint64{}}
	index := store.IndexKind(rules.Name, byTarget)
	c.feed.Subscribe(func(batch []store.Change) {
		c.mu.Lock()
		for _, ch := range batch {
			if ch.Kind == rules.Name || ch.Kind == index {
				delete(c.accounts, ch.Account)
				c.gen[ch.Account]++
			}
		}
		c.mu.Unlock()
	})
	return c
}

// cached returns the account's rules when the cache holds a trustworthy entry.
func (c *ruleCache) cached(account string) *accountRules {
	c.mu.RLock()
	a := c.accounts[account]
	c.mu.RUnlock()
	if a == nil {
		return nil
	}
	if epoch, healthy := c.feed.State(); !healthy || epoch != a.epoch {
		return nil
	}
	return a
}

// get returns the account's rules, from the cache or the store.
func (c *ruleCache) get(ctx context.Context, account string) (*accountRules, error) {
	if a := c.cached(account); a != nil {
		return a, nil
	}
	c.mu.RLock()
	gen := c.gen[account]
	c.mu.RUnlock()
	epoch, healthy := c.feed.State()
	a := &accountRules{epoch: epoch, bySource: map[string][]*compiled{}}
	err := store.View(ctx, c.st, func(t tx) error {
		after := ""
		for {
			page, err := rules.List(t, account, "", after, 256)
			if err != nil {
				return err
			}
			for _, en := range page {
				a.add(en.Record)
				after = en.Key
			}
			if len(page) < 256 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if healthy && c.gen[account] == gen {
		c.accounts[account] = a
	}
	c.mu.Unlock()
	return a, nil
}

// add compiles an enabled rule into a. A stored pattern that no longer compiles (none should: it
// was compiled when stored) matches nothing.
func (a *accountRules) add(r *ruleRecord) {
	if r.State == StateDisabled || len(r.Targets) == 0 {
		return
	}
	p, err := pattern.Parse(r.EventPattern)
	if err != nil {
		return
	}
	c := &compiled{name: r.Name, pattern: p, all: r.State == StateEnabledAll, targets: r.Targets}
	a.n++
	if sources, ok := p.Exact("source"); ok {
		seen := map[string]bool{}
		for _, src := range sources {
			if !seen[src] {
				seen[src] = true
				a.bySource[src] = append(a.bySource[src], c)
			}
		}
		return
	}
	a.anySource = append(a.anySource, c)
}
