package eventbridge

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/store"
)

// MaxTargets is the number of targets a rule may have ("Each rule can have up to five (5) targets
// associated with it at one time", API Reference, PutTargets).
const MaxTargets = 5

// Quotas of the event bus (EventBridge User Guide, "Amazon EventBridge quotas", defaults): at most
// 300 rules per event bus, of which at most 30 with wildcard filters in their patterns ("Rules
// containing wildcards", not adjustable), and event patterns of at most 2048 characters (the API's
// constraint on the member, 4096, is checked with ValidationException before).
const (
	MaxRules         = 300
	MaxWildcardRules = 30
	MaxPatternSize   = 2048
)

// errQuota is LimitExceededException for a quota. AWS's messages are not documented; the first
// sentence is the LimitExceededException shape's own description (API Reference, "Errors"), the
// second names the quota.
func errQuota(format string, args ...any) error {
	return awserr.New(CodeLimitExceeded, "The request failed because it attempted to create resource beyond the allowed service quota. "+format, args...)
}

// Rule is a rule as the API describes it.
type Rule struct {
	Name, ARN, Description, EventPattern, RoleARN, State, ManagedBy, CreatedBy string
}

// Tag is a tag of a rule.
type Tag struct{ Key, Value string }

// FailedEntry is a target PutTargets or RemoveTargets did not take.
type FailedEntry struct{ TargetID, ErrorCode, ErrorMessage string }

// Page is a page of a listing; Next is the position after it, "" on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// tx is a transaction of the EventBridge records.
type tx struct{ store.Txn }

func (s *Service) rule(t tx, account, name string) (*ruleRecord, error) {
	r, ok, err := rules.Get(t, account, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ruleNotFound(name)
	}
	return r, nil
}

func ruleNotFound(name string) error {
	return awserr.New(CodeResourceNotFound, "Rule %s does not exist on EventBus %s.", name, DefaultBus)
}

// managedRefusal is AWS's refusal of a change to a managed rule. AWS does not document the
// message; Rootward names the rule and its owner.
func managedRefusal(r *ruleRecord, force bool) error {
	if force {
		return awserr.New(CodeManagedRule, "Rule %s is managed by %s; set Force to true to change it.", r.Name, r.ManagedBy)
	}
	return awserr.New(CodeManagedRule, "Rule %s is managed by %s and cannot be changed.", r.Name, r.ManagedBy)
}

func (s *Service) describe(account string, r *ruleRecord) Rule {
	return Rule{Name: r.Name, ARN: s.RuleARN(account, r.Name), Description: r.Description, EventPattern: r.EventPattern,
		RoleARN: r.RoleARN, State: r.State, ManagedBy: r.ManagedBy, CreatedBy: r.CreatedBy}
}

// ParsePattern compiles an event pattern, or returns InvalidEventPatternException with AWS's
// reason.
func ParsePattern(text string) (*pattern.Pattern, error) {
	p, err := pattern.Parse(text)
	if err != nil {
		return nil, awserr.New(CodeInvalidEventPattern, "%s", err.Error())
	}
	return p, nil
}

// PutRuleInput is a rule to create or replace. State "" is ENABLED. Tags are added to the rule's.
type PutRuleInput struct {
	Name, Description, EventPattern, RoleARN, State string
	Tags                                            []Tag
}

// PutRule creates the rule, or replaces an existing rule's description, pattern, role and state
// (its targets and tags stay), and returns its ARN. It returns InvalidEventPatternException for a
// pattern that does not compile, ManagedRuleException for a managed rule, LimitExceededException
// when the tags would exceed fifty.
func (s *Service) PutRule(ctx context.Context, account string, in PutRuleInput) (string, error) {
	p, err := ParsePattern(in.EventPattern)
	if err != nil {
		return "", err
	}
	wildcard := p.HasWildcard()
	if n := utf8.RuneCountInString(in.EventPattern); n > MaxPatternSize {
		return "", errQuota("The event pattern has %d characters; the quota is %d.", n, MaxPatternSize)
	}
	if in.State == "" {
		in.State = StateEnabled
	}
	err = store.Update(ctx, s.st, func(t tx) error {
		r, ok, err := rules.Get(t, account, in.Name)
		if err != nil {
			return err
		}
		if ok && r.ManagedBy != "" {
			return managedRefusal(r, false)
		}
		if !ok {
			n, err := t.Count(rules.Name, account, "")
			if err != nil {
				return err
			}
			if n >= MaxRules {
				return errQuota("The event bus default has %d rules; the quota is %d.", n, MaxRules)
			}
			r = &ruleRecord{Name: in.Name, CreatedBy: account, Created: s.now().UTC()}
		}
		if wildcard && (!ok || !hasWildcard(r.EventPattern)) {
			n, err := rules.Count(t, byWildcard, account, "")
			if err != nil {
				return err
			}
			if n >= MaxWildcardRules {
				return errQuota("The event bus default has %d rules with wildcard filters; the quota is %d.", n, MaxWildcardRules)
			}
		}
		r.Description, r.EventPattern, r.RoleARN = in.Description, in.EventPattern, in.RoleARN
		setState(r, in.State)
		if r.Tags, err = addTags(r.Tags, in.Tags); err != nil {
			return err
		}
		return rules.Put(t, account, in.Name, r)
	})
	if err != nil {
		return "", err
	}
	return s.RuleARN(account, in.Name), nil
}

// setState sets a rule's state, remembering an enabled state for EnableRule.
func setState(r *ruleRecord, state string) {
	r.State = state
	if state != StateDisabled {
		r.Enabled = state
	}
}

// DescribeRule returns the rule, or ResourceNotFoundException.
func (s *Service) DescribeRule(ctx context.Context, account, name string) (Rule, error) {
	var out Rule
	err := store.View(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		out = s.describe(account, r)
		return nil
	})
	return out, err
}

// ListRules returns a page of at most limit rules whose names start with prefix, after the
// position `after`, in name order.
func (s *Service) ListRules(ctx context.Context, account, prefix, after string, limit int) (Page[Rule], error) {
	var out Page[Rule]
	err := store.View(ctx, s.st, func(t tx) error {
		p, err := store.ReadPage(rules.Range(t, account, prefix), after, limit, func(it store.Item) (Rule, bool, error) {
			r, err := rules.Decode(it.Body)
			if err != nil {
				return Rule{}, false, err
			}
			return s.describe(account, r), true, nil
		})
		if err != nil {
			return err
		}
		out = Page[Rule]{Items: p.Items, Next: p.Last}
		return nil
	})
	return out, err
}

// EnableRule enables the rule (in the enabled state it last had), DisableRule disables it;
// ResourceNotFoundException when there is none. A managed rule may be enabled and disabled: its
// owner is told (OnManagedRuleChange), with the caller.
func (s *Service) EnableRule(ctx context.Context, account, name, caller string) error {
	return s.setRuleState(ctx, account, name, true, caller)
}

// DisableRule disables the rule (see EnableRule).
func (s *Service) DisableRule(ctx context.Context, account, name, caller string) error {
	return s.setRuleState(ctx, account, name, false, caller)
}

func (s *Service) setRuleState(ctx context.Context, account, name string, enable bool, caller string) error {
	managed := false
	err := store.Update(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		managed = r.ManagedBy != ""
		switch {
		case !enable:
			r.State = StateDisabled
		case r.State != StateDisabled:
			return nil // already enabled
		case r.Enabled != "":
			r.State = r.Enabled
		default:
			r.State = StateEnabled
		}
		return rules.Put(t, account, name, r)
	})
	if err == nil && managed {
		change := "DisableRule"
		if enable {
			change = "EnableRule"
		}
		s.managedChanged(ctx, account, name, change, caller)
	}
	return err
}

// RootwardManager is the ManagedBy of the rules Rootward's own features keep (the root-activity
// alert's RootwardRootActivity). Issue 12 decided that DeleteRule on such a rule is allowed,
// recorded and announced: it deletes the rule with its targets without Force, where AWS asks Force
// for the rules its services manage.
const RootwardManager = "rootward"

// DeleteRule deletes the rule; nothing when there is none, as AWS. A rule with targets is refused
// with ValidationException; a managed rule with ManagedRuleException unless force (or unless
// Rootward manages it, RootwardManager), which deletes it with its targets and tells its owner.
func (s *Service) DeleteRule(ctx context.Context, account, name string, force bool, caller string) error {
	managed := false
	err := store.Update(ctx, s.st, func(t tx) error {
		r, ok, err := rules.Get(t, account, name)
		if err != nil || !ok {
			return err
		}
		managed = r.ManagedBy != ""
		switch {
		case managed && !force && r.ManagedBy != RootwardManager:
			return managedRefusal(r, true)
		case !managed && len(r.Targets) > 0:
			return awserr.New(CodeValidation, "Rule can't be deleted since it has targets.")
		}
		return rules.Delete(t, account, name)
	})
	if err == nil && managed {
		s.managedChanged(ctx, account, name, "DeleteRule", caller)
	}
	return err
}

// PutTargets adds the targets to the rule, or replaces those of the same Id. A target whose ARN
// Rootward cannot deliver to (no handler for its service) is returned as a failed entry; the rest
// are stored. It returns ResourceNotFoundException for a missing rule, ManagedRuleException for a
// managed one, LimitExceededException when the rule would have more than five targets.
func (s *Service) PutTargets(ctx context.Context, account, name string, targets []Target) ([]FailedEntry, error) {
	var failed []FailedEntry
	err := store.Update(ctx, s.st, func(t tx) error {
		failed = nil
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		if r.ManagedBy != "" {
			return managedRefusal(r, false)
		}
		list := slices.Clone(r.Targets)
		for _, tg := range targets {
			if err := checkFifoTarget(tg); err != nil {
				return err
			}
			if tg.Transformer != nil {
				if err := CheckTransformer(tg.ID, tg.Transformer); err != nil {
					return err
				}
			}
			if fe, ok := s.checkTarget(tg); !ok {
				failed = append(failed, fe)
				continue
			}
			rec := targetRecord(tg)
			if i := slices.IndexFunc(list, func(x targetRecord) bool { return x.ID == tg.ID }); i >= 0 {
				list[i] = rec
			} else {
				list = append(list, rec)
			}
		}
		if len(list) > MaxTargets {
			return errQuota("A rule can have at most %d targets.", MaxTargets)
		}
		r.Targets = list
		return rules.Put(t, account, name, r)
	})
	return failed, err
}

// checkFifoTarget refuses an SNS FIFO topic (a name ending in ".fifo") without a message group:
// every message to a FIFO topic carries one, which EventBridge takes from the target's
// SqsParameters. AWS does not document this refusal's message; Rootward's follows the form of
// EventBridge's answers on missing target parameters.
func checkFifoTarget(tg Target) error {
	a, err := arn.Parse(tg.ARN)
	if err != nil || a.Service != "sns" || !strings.HasSuffix(a.Resource, ".fifo") || tg.MessageGroupID != "" {
		return nil
	}
	return awserr.New(CodeValidation, "Parameter(s) SqsParameters must be specified for target: %s.", tg.ID)
}

// checkTarget refuses a target Rootward cannot deliver to. The codes and messages of failed
// entries are not documented for this case; Rootward answers ValidationException naming the
// service.
func (s *Service) checkTarget(tg Target) (FailedEntry, bool) {
	a, err := arn.Parse(tg.ARN)
	if err != nil {
		return FailedEntry{TargetID: tg.ID, ErrorCode: string(CodeValidation), ErrorMessage: "Parameter(s) Arn is not valid."}, false
	}
	if s.handler(tg.ARN) == nil {
		return FailedEntry{TargetID: tg.ID, ErrorCode: string(CodeValidation),
			ErrorMessage: "Rootward does not deliver events to targets of service " + a.Service + "."}, false
	}
	return FailedEntry{}, true
}

// RemoveTargets removes the targets of the given IDs (an ID the rule does not have is no error).
// It returns ResourceNotFoundException for a missing rule, ManagedRuleException for a managed rule
// unless force; a managed rule's target removed with force is told to its owner ("RemoveTargets",
// by caller), since the rule then delivers nothing there.
func (s *Service) RemoveTargets(ctx context.Context, account, name string, ids []string, force bool, caller string) ([]FailedEntry, error) {
	removed := false
	err := store.Update(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		if r.ManagedBy != "" && !force {
			return managedRefusal(r, true)
		}
		n := len(r.Targets)
		r.Targets = slices.DeleteFunc(r.Targets, func(x targetRecord) bool { return slices.Contains(ids, x.ID) })
		removed = r.ManagedBy != "" && len(r.Targets) < n
		return rules.Put(t, account, name, r)
	})
	if err == nil && removed {
		s.managedChanged(ctx, account, name, "RemoveTargets", caller)
	}
	return nil, err
}

// ListTargetsByRule returns a page of the rule's targets after the target ID `after`, in the
// order they were added; ResourceNotFoundException for a missing rule.
func (s *Service) ListTargetsByRule(ctx context.Context, account, name, after string, limit int) (Page[Target], error) {
	var out Page[Target]
	err := store.View(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		ids := make([]string, len(r.Targets))
		for i, tg := range r.Targets {
			ids[i] = tg.ID
		}
		p, err := store.ReadPage(store.FromList(ids), after, limit, func(it store.Item) (Target, bool, error) {
			i := slices.IndexFunc(r.Targets, func(x targetRecord) bool { return x.ID == it.Key })
			tg := r.Targets[i]
			return Target(tg), true, nil
		})
		if err != nil {
			return err
		}
		out = Page[Target]{Items: p.Items, Next: p.Last}
		return nil
	})
	return out, err
}

// ListRuleNamesByTarget returns a page of the names of the rules that send to targetARN.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, account, targetARN, after string, limit int) (Page[string], error) {
	var out Page[string]
	err := store.View(ctx, s.st, func(t tx) error {
		// The exact value: an index entry is value NUL rule name.
		src := rules.IndexRange(t, byTarget, account, targetARN+"\x00")
		p, err := store.ReadPage(src, after, limit, func(it store.Item) (string, bool, error) {
			return store.EntryKey(it.Key), true, nil
		})
		if err != nil {
			return err
		}
		out = Page[string]{Items: p.Items, Next: p.Last}
		return nil
	})
	return out, err
}

// RuleFacts are what authorization reads of an existing rule: its creator account, owner and tags.
type RuleFacts struct {
	Exists    bool
	CreatedBy string
	ManagedBy string
	Tags      map[string]string
}

// Facts returns what authorization needs of the rule (Exists false when there is none).
func (s *Service) Facts(ctx context.Context, account, name string) (RuleFacts, error) {
	var f RuleFacts
	err := store.View(ctx, s.st, func(t tx) error {
		r, ok, err := rules.Get(t, account, name)
		if err != nil || !ok {
			return err
		}
		f = RuleFacts{Exists: true, CreatedBy: r.CreatedBy, ManagedBy: r.ManagedBy, Tags: map[string]string{}}
		for _, tg := range r.Tags {
			f.Tags[tg.Key] = tg.Value
		}
		return nil
	})
	return f, err
}

// EnsureManagedRule creates the managed rule r on account's default bus when it is absent. When it
// exists and is managed by r.ManagedBy, its description, pattern and targets are brought to r's
// and its state is left as the account set it (a rule someone disabled stays disabled). A rule of
// that name the account made itself is left alone and answered with ResourceAlreadyExistsException.
// Targets are not checked against the registered handlers: the owner registers its own.
func (s *Service) EnsureManagedRule(ctx context.Context, account string, r ManagedRule) error {
	if _, err := ParsePattern(r.EventPattern); err != nil {
		return err
	}
	if r.ManagedBy == "" || len(r.Targets) > MaxTargets {
		return awserr.New(CodeValidation, "A managed rule needs an owner and at most %d targets.", MaxTargets)
	}
	state := r.State
	if state == "" {
		state = StateEnabledAll
	}
	return store.Update(ctx, s.st, func(t tx) error {
		rec, ok, err := rules.Get(t, account, r.Name)
		if err != nil {
			return err
		}
		if ok && rec.ManagedBy != r.ManagedBy {
			return awserr.New(CodeResourceAlreadyExists, "Rule %s already exists and is not managed by %s.", r.Name, r.ManagedBy)
		}
		if !ok {
			rec = &ruleRecord{Name: r.Name, ManagedBy: r.ManagedBy, CreatedBy: account, Created: s.now().UTC()}
			setState(rec, state)
		}
		rec.Description, rec.EventPattern = r.Description, r.EventPattern
		rec.Targets = rec.Targets[:0]
		for _, tg := range r.Targets {
			rec.Targets = append(rec.Targets, targetRecord(tg))
		}
		return rules.Put(t, account, r.Name, rec)
	})
}

// maxTags is the number of tags a rule may have (EventBridge quotas: 50 tags per resource).
const maxTags = 50

// addTags sets the given tags over the existing ones.
func addTags(have []tagRecord, add []Tag) ([]tagRecord, error) {
	out := slices.Clone(have)
	for _, tg := range add {
		if len(tg.Key) >= 4 && strings.EqualFold(tg.Key[:4], "aws:") {
			return nil, awserr.New(CodeValidation, "Tag keys starting with aws: are reserved for AWS use.")
		}
		if i := slices.IndexFunc(out, func(x tagRecord) bool { return x.Key == tg.Key }); i >= 0 {
			out[i].Value = tg.Value
		} else {
			out = append(out, tagRecord(tg))
		}
	}
	if len(out) > maxTags {
		return nil, awserr.New(CodeLimitExceeded, "A resource can have at most %d tags.", maxTags)
	}
	return out, nil
}

// TagResource adds tags to the rule; ResourceNotFoundException for a missing rule,
// ManagedRuleException for a managed one.
func (s *Service) TagResource(ctx context.Context, account, name string, tags []Tag) error {
	return s.updateTags(ctx, account, name, func(r *ruleRecord) error {
		var err error
		r.Tags, err = addTags(r.Tags, tags)
		return err
	})
}

// UntagResource removes the tags of the given keys from the rule.
func (s *Service) UntagResource(ctx context.Context, account, name string, keys []string) error {
	return s.updateTags(ctx, account, name, func(r *ruleRecord) error {
		r.Tags = slices.DeleteFunc(r.Tags, func(x tagRecord) bool { return slices.Contains(keys, x.Key) })
		return nil
	})
}

func (s *Service) updateTags(ctx context.Context, account, name string, fn func(r *ruleRecord) error) error {
	return store.Update(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		if r.ManagedBy != "" {
			return managedRefusal(r, false)
		}
		if err := fn(r); err != nil {
			return err
		}
		return rules.Put(t, account, name, r)
	})
}

// ListTags returns the rule's tags in the order they were added.
func (s *Service) ListTags(ctx context.Context, account, name string) ([]Tag, error) {
	var out []Tag
	err := store.View(ctx, s.st, func(t tx) error {
		r, err := s.rule(t, account, name)
		if err != nil {
			return err
		}
		out = make([]Tag, len(r.Tags))
		for i, tg := range r.Tags {
			out[i] = Tag(tg)
		}
		return nil
	})
	return out, err
}
