package eventbridge

import (
	"time"

	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/store"
)

// The storage records of EventBridge, scoped to the rule's account, separate from the wire shapes
// of internal/api/eventsapi. A rule's targets and tags are few (five targets, fifty tags) and read
// with it, so they are part of its record; the "target" index lists the rules that send to a
// target ARN (ListRuleNamesByTarget).

// ruleRecord is a rule on the account's default event bus.
type ruleRecord struct {
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	EventPattern string `json:"pattern,omitempty"`
	RoleARN      string `json:"role,omitempty"`
	// State is ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS or DISABLED. Enabled is the
	// enabled state EnableRule returns a disabled rule to: the last one PutRule gave it.
	State   string `json:"state"`
	Enabled string `json:"enabled,omitempty"`
	// ManagedBy names the Rootward feature that owns the rule (EnsureManagedRule); "" for rules
	// of the account's own.
	ManagedBy string         `json:"managed_by,omitempty"`
	CreatedBy string         `json:"created_by"`
	Created   time.Time      `json:"created"`
	Targets   []targetRecord `json:"targets,omitempty"`
	Tags      []tagRecord    `json:"tags,omitempty"`
}

// targetRecord is one target of a rule.
type targetRecord struct {
	ID        string `json:"id"`
	ARN       string `json:"arn"`
	RoleARN   string `json:"role,omitempty"`
	Input     string `json:"input,omitempty"`
	InputPath string `json:"input_path,omitempty"`
	// Transformer is the target's InputTransformer, nil when none.
	Transformer *InputTransformer `json:"transformer,omitempty"`
	// MessageGroupID is a FIFO target's message group (SqsParameters.MessageGroupId).
	MessageGroupID string `json:"group,omitempty"`
}

type tagRecord struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// byTarget is the "target" index of rules: each target ARN of the rule.
const byTarget = "target"

var rules = store.Define(store.Kind[ruleRecord]{Name: "eventsrule", Version: 1,
	Indexes: []store.Index[ruleRecord]{
		{Name: byTarget, Values: func(_ string, r *ruleRecord) []string {
			var out []string
			for _, t := range r.Targets {
				dup := false
				for _, o := range out {
					dup = dup || o == t.ARN
				}
				if !dup {
					out = append(out, t.ARN)
				}
			}
			return out
		}},
		{Name: byWildcard, Values: func(_ string, r *ruleRecord) []string {
			if hasWildcard(r.EventPattern) {
				return []string{"wildcard"}
			}
			return nil
		}},
	}})

// byWildcard is the index of the rules whose pattern holds a wildcard filter, which MaxWildcardRules
// bounds.
const byWildcard = "wildcard"

// hasWildcard reports whether an event pattern holds a wildcard filter.
func hasWildcard(text string) bool {
	p, err := pattern.Parse(text)
	return err == nil && p.HasWildcard()
}

// deliveryRecord is one attempt to deliver a matched event to a target (Deliveries).
type deliveryRecord struct {
	Time      time.Time `json:"time"`
	EventID   string    `json:"event"`
	Rule      string    `json:"rule"`
	TargetID  string    `json:"target"`
	TargetARN string    `json:"arn"`
	Attempt   int       `json:"attempt"`
	// Outcome is "delivered", "retrying" (failed; another attempt follows) or "dropped" (failed
	// for the last time, or no handler serves the target). Error is the failure.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// deliveries are kept under a key that sorts by time: the attempt's time in a fixed-width UTC
// form, the recording process's sequence, then a random suffix (delivery.go).
var deliveries = store.Define(store.Kind[deliveryRecord]{Name: "eventsdelivery", Version: 1})
