package config

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
)

// evalRecord is a rule's evaluation of one resource as stored (kind "config.eval", the account's,
// keyed by evalKey): one record per rule and resource, rewritten by each evaluation and deleted with
// the rule, or when the resource is gone from the rule's results.
type evalRecord struct {
	Region       string    `json:"region"`
	RuleName     string    `json:"rule_name"`
	RuleID       string    `json:"rule_id"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	ResourceName string    `json:"resource_name,omitempty"`
	Compliance   string    `json:"compliance"`
	Annotation   string    `json:"annotation,omitempty"`
	Recorded     time.Time `json:"recorded"`
	Invoked      time.Time `json:"invoked"`
}

// evaluations: the index "resource" lists a resource's evaluations by every rule
// (DescribeComplianceByResource, GetComplianceDetailsByResource).
var evaluations = store.Define(store.Kind[evalRecord]{
	Name: "config.eval", Version: 1,
	Indexes: []store.Index[evalRecord]{
		{Name: "resource", Values: func(_ string, r *evalRecord) []string {
			return []string{resourceValue(r.Region, r.ResourceType, r.ResourceID)}
		}},
	},
})

// evalPrefix is the key prefix of a rule's evaluations: its region and ID (IDs hold no "|", names
// may).
func evalPrefix(region, ruleID string) string { return region + "|" + ruleID + "|" }

func evalKey(region, ruleID, resourceType, resourceID string) string {
	return evalPrefix(region, ruleID) + resourceType + "|" + resourceID
}

// resourceValue is a resource's value in the index "resource"; the trailing "|" keeps one ID from
// being a prefix of another.
func resourceValue(region, resourceType, resourceID string) string {
	v := region + "|"
	if resourceType == "" {
		return v
	}
	v += resourceType + "|"
	if resourceID == "" {
		return v
	}
	return v + resourceID + "|"
}

// The compliance types of AWS Config (ComplianceType).
const (
	Compliant        = "COMPLIANT"
	NonCompliant     = "NON_COMPLIANT"
	NotApplicable    = "NOT_APPLICABLE"
	InsufficientData = "INSUFFICIENT_DATA"
)

// complianceOf maps an engine status to a compliance type; ERROR has none.
func complianceOf(st compliance.Status) (string, bool) {
	switch st {
	case compliance.Passed:
		return Compliant, true
	case compliance.Failed:
		return NonCompliant, true
	case compliance.NotApplicable:
		return NotApplicable, true
	}
	return "", false
}

// maxAnnotation is the length of an Evaluation's Annotation (Config API Reference, Evaluation:
// 1–256 characters).
const maxAnnotation = 256

func annotation(s string) string {
	if len(s) <= maxAnnotation {
		return s
	}
	cut := maxAnnotation - 3
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// errorCode is the LastErrorCode of a rule whose evaluation could not read what it needs (a result
// ERROR, or the facts not gathered at all). AWS Config reports its own failures with codes of its
// choosing; this one is Rootward's.
const errorCode = "EvaluationFailed"

// deleteEvaluations removes every evaluation of the rule named name.
func deleteEvaluations(tx store.Tx, account, region, name string) error {
	r, ok, err := rules.Get(tx, account, ruleKey(region, name))
	if err != nil || !ok {
		return err
	}
	return deleteRuleEvaluations(tx, account, region, r.ID)
}

func deleteRuleEvaluations(tx store.Tx, account, region, ruleID string) error {
	for {
		batch, err := evaluations.List(tx, account, evalPrefix(region, ruleID), "", 256)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := evaluations.Delete(tx, account, e.Key); err != nil {
				return err
			}
		}
		if len(batch) < 256 {
			return nil
		}
	}
}

// evaluateAccount runs a job: gathers the account's facts once, evaluates its rules, stores the
// evaluations and tells OnEvaluated.
func (s *Service) evaluateAccount(ctx context.Context, j job) error {
	if j.change || j.periodic {
		if err := s.catchUp(ctx, j.account); err != nil && ctx.Err() == nil { // not at shutdown
			s.log.Error("config: deploying organization rules to new accounts", "account", j.account, "err", err)
		}
	}
	now := s.now().UTC()
	var todo []*ruleRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		if j.rules != nil {
			for _, n := range j.rules {
				r, ok, err := rules.Get(tx, j.account, ruleKey(j.region, n))
				if err != nil {
					return err
				}
				if ok {
					todo = append(todo, r)
				}
			}
			return nil
		}
		all, err := rules.List(tx, j.account, "", "", 0)
		if err != nil {
			return err
		}
		for _, e := range all {
			r := e.Record
			if j.periodic && !due(r, now) {
				continue
			}
			todo = append(todo, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	hooks := s.hooksFor(j, now)
	if len(todo) == 0 && len(hooks) == 0 {
		return nil
	}
	facts, gerr := s.gather.Gather(ctx, j.account)
	if gerr != nil {
		s.log.Error("config: reading the account's state for its rules", "account", j.account, "err", gerr)
		for _, r := range todo {
			if err := s.recordFailure(ctx, j.account, r, now, "Rootward could not read the account's IAM and root user state; the rule's last evaluations are kept."); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range todo {
		results, err := compliance.Evaluate(facts, r.SourceIdentifier, r.Params)
		if err != nil {
			msg := "The rule's parameters are not valid for its check."
			if e, ok := awserr.As(err); ok {
				msg = e.Message
			}
			if err := s.recordFailure(ctx, j.account, r, now, msg); err != nil {
				return err
			}
			continue
		}
		if err := s.store(ctx, j.account, r, results, now); err != nil {
			return err
		}
	}
	if len(hooks) > 0 {
		all := compliance.EvaluateAll(facts)
		for _, fn := range hooks {
			fn(ctx, j.account, all)
		}
	}
	return nil
}

// hookInterval is how often the periodic pass tells OnEvaluated of an account that did not change
// (time alone changes some outcomes: key age, unused credentials).
const hookInterval = time.Hour

// hooksFor returns the OnEvaluated functions a job tells: every job but a periodic one, which tells
// them once per hookInterval and account.
func (s *Service) hooksFor(j job, now time.Time) []EvaluatedFunc {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.evaluated) == 0 {
		return nil
	}
	if s.lastHook == nil {
		s.lastHook = map[string]time.Time{}
	}
	if j.periodic {
		if last, ok := s.lastHook[j.account]; ok && now.Sub(last) < hookInterval {
			return nil
		}
	}
	s.lastHook[j.account] = now
	return slices.Clone(s.evaluated)
}

// due reports whether a rule's periodic evaluation is due at now.
func due(r *ruleRecord, now time.Time) bool {
	f := frequencyOf(r)
	if f == 0 {
		return false
	}
	last := r.Status.LastSuccessfulInvocation
	if r.Status.LastFailedInvocation.After(last) {
		last = r.Status.LastFailedInvocation
	}
	return last.IsZero() || now.Sub(last) >= f
}

// current re-reads a rule in tx: the evaluation of a rule deleted, or deleted and created again,
// while it ran is dropped.
func current(tx store.Tx, account string, r *ruleRecord) (*ruleRecord, bool, error) {
	cur, ok, err := rules.Get(tx, account, ruleKey(r.Region, r.Name))
	if err != nil || !ok || cur.ID != r.ID {
		return nil, false, err
	}
	return cur, true, nil
}

// recordFailure notes a failed invocation in the rule's status (its evaluations are kept).
func (s *Service) recordFailure(ctx context.Context, account string, r *ruleRecord, now time.Time, msg string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := current(tx, account, r)
		if err != nil || !ok {
			return err
		}
		cur.Evaluating = false
		cur.Status.FirstEvaluationStarted = true
		cur.Status.LastFailedInvocation, cur.Status.LastFailedEvaluation = now, now
		cur.Status.LastErrorCode, cur.Status.LastErrorMessage = errorCode, msg
		return rules.Put(tx, account, ruleKey(r.Region, r.Name), cur)
	})
}

// inScope reports whether a result is in the rule's Scope.
func inScope(r *ruleRecord, res compliance.Result) bool {
	if len(r.ResourceTypes) > 0 && !slices.Contains(r.ResourceTypes, res.ResourceType) {
		return false
	}
	return r.ResourceID == "" || r.ResourceID == res.ResourceID
}

// store writes a rule's results: an evaluation per resource in scope (ERROR results write none and
// keep the resource's last one), the evaluations of resources no longer in the results removed,
// and the rule's status.
func (s *Service) store(ctx context.Context, account string, r *ruleRecord, results []compliance.Result, now time.Time) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := current(tx, account, r)
		if err != nil || !ok {
			return err
		}
		keep := map[string]bool{}
		var failed []string
		for _, res := range results {
			if !inScope(cur, res) {
				continue
			}
			key := evalKey(cur.Region, cur.ID, res.ResourceType, res.ResourceID)
			keep[key] = true
			ct, ok := complianceOf(res.Status)
			if !ok {
				failed = append(failed, res.ResourceType+" "+res.ResourceName+": "+res.Evidence)
				continue
			}
			rec := &evalRecord{Region: cur.Region, RuleName: cur.Name, RuleID: cur.ID, ResourceType: res.ResourceType,
				ResourceID: res.ResourceID, ResourceName: res.ResourceName, Compliance: ct, Annotation: annotation(res.Evidence),
				Recorded: now, Invoked: now}
			if err := evaluations.Put(tx, account, key, rec); err != nil {
				return err
			}
		}
		old, err := evaluations.List(tx, account, evalPrefix(cur.Region, cur.ID), "", 0)
		if err != nil {
			return err
		}
		for _, e := range old {
			if !keep[e.Key] {
				if err := evaluations.Delete(tx, account, e.Key); err != nil {
					return err
				}
			}
		}
		cur.Evaluating = false
		cur.Status.FirstEvaluationStarted = true
		cur.Status.LastSuccessfulInvocation = now
		if len(failed) > 0 {
			cur.Status.LastFailedEvaluation = now
			cur.Status.LastErrorCode, cur.Status.LastErrorMessage = errorCode, annotation(strings.Join(failed, "; "))
		} else {
			cur.Status.LastSuccessfulEvaluation = now
		}
		return rules.Put(tx, account, ruleKey(cur.Region, cur.Name), cur)
	})
}

// Evaluation is one rule's evaluation of one resource (EvaluationResult).
type Evaluation struct {
	RuleName, ResourceType, ResourceID, ResourceName string
	Compliance, Annotation                           string
	Recorded, Invoked                                time.Time
	// Account and Region are the evaluation's (the aggregator's answers name them).
	Account, Region string
}

func (e *evalRecord) evaluation(account string) Evaluation {
	return Evaluation{RuleName: e.RuleName, ResourceType: e.ResourceType, ResourceID: e.ResourceID, ResourceName: e.ResourceName,
		Compliance: e.Compliance, Annotation: e.Annotation, Recorded: e.Recorded, Invoked: e.Invoked, Account: account, Region: e.Region}
}

// Compliance is a rule's or a resource's compliance: its type, and for NON_COMPLIANT how many
// resources (or rules) make it so, capped at 100.
type Compliance struct {
	Type        string
	Contributor int
	CapExceeded bool
}

// contributorCap is ComplianceContributorCount's cap (Config API Reference,
// ComplianceContributorCount: "up to a maximum number", 100).
const contributorCap = 100

// summarize is the compliance of a set of evaluations: NON_COMPLIANT if any is, COMPLIANT if any
// is and none is not, else INSUFFICIENT_DATA (AWS Config does not answer NOT_APPLICABLE for a rule
// or a resource: Config API Reference, Compliance).
func summarize(types []string) Compliance {
	var c Compliance
	n, ok := 0, false
	for _, t := range types {
		switch t {
		case NonCompliant:
			n++
		case Compliant:
			ok = true
		}
	}
	switch {
	case n > 0:
		c.Type, c.Contributor, c.CapExceeded = NonCompliant, min(n, contributorCap), n > contributorCap
	case ok:
		c.Type = Compliant
	default:
		c.Type = InsufficientData
	}
	return c
}

// RuleCompliance is a rule with its compliance (ComplianceByConfigRule).
type RuleCompliance struct {
	RuleName string
	Compliance
}

// ruleCompliance reads a rule's compliance from its evaluations.
func ruleCompliance(tx store.Tx, account string, r *ruleRecord) (Compliance, error) {
	evs, err := evaluations.List(tx, account, evalPrefix(r.Region, r.ID), "", 0)
	if err != nil {
		return Compliance{}, err
	}
	types := make([]string, 0, len(evs))
	for _, e := range evs {
		types = append(types, e.Record.Compliance)
	}
	return summarize(types), nil
}

// CheckFilter validates a ComplianceTypes filter of a summary (COMPLIANT, NON_COMPLIANT,
// INSUFFICIENT_DATA) or, with details, of evaluations (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE).
func CheckFilter(types []string, details bool) error {
	allowed := []string{Compliant, NonCompliant, InsufficientData}
	if details {
		allowed = []string{Compliant, NonCompliant, NotApplicable}
	}
	if len(types) > 3 {
		return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value at 'complianceTypes' failed to satisfy constraint: Member must have length less than or equal to 3")
	}
	for _, t := range types {
		if !slices.Contains(allowed, t) {
			return invalid("The ComplianceType %s is not valid here: use %s.", t, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func wanted(types []string, t string) bool { return len(types) == 0 || slices.Contains(types, t) }

// DescribeRuleCompliance answers DescribeComplianceByConfigRule: the named rules (each must exist)
// or a page of every rule, with their compliance, filtered by types.
func (s *Service) DescribeRuleCompliance(ctx context.Context, account, region string, names, types []string, after string, limit int) (Page[RuleCompliance], error) {
	var p Page[RuleCompliance]
	err := s.st.View(ctx, func(tx store.Tx) (err error) {
		p, err = namedOrPage(tx, rules, account, region, names, noSuchRule, after, limit, func(r *ruleRecord) (RuleCompliance, bool, error) {
			c, err := ruleCompliance(tx, account, r)
			if err != nil {
				return RuleCompliance{}, false, err
			}
			return RuleCompliance{RuleName: r.Name, Compliance: c}, wanted(types, c.Type), nil
		})
		return err
	})
	return p, err
}

// RuleDetails answers GetComplianceDetailsByConfigRule: a page of the rule's evaluations filtered
// by types. Returns NoSuchConfigRuleException.
func (s *Service) RuleDetails(ctx context.Context, account, region, name string, types []string, after string, limit int) (Page[Evaluation], error) {
	var p Page[Evaluation]
	err := s.st.View(ctx, func(tx store.Tx) error {
		r, ok, err := rules.Get(tx, account, ruleKey(region, name))
		if err != nil {
			return err
		}
		if !ok {
			return noSuchRule(name)
		}
		p, err = evalPage(evaluations.Range(tx, account, evalPrefix(region, r.ID)), account, types, after, limit, nil)
		return err
	})
	return p, err
}

// evalPage reads a page of evaluations of src (a range of evaluation records, or with resolve a
// range of the "resource" index).
func evalPage(src store.Source, account string, types []string, after string, limit int, resolve func(it store.Item) (*evalRecord, bool, error)) (Page[Evaluation], error) {
	pg, err := store.ReadPage(src, after, limit, func(it store.Item) (Evaluation, bool, error) {
		var e *evalRecord
		var err error
		if resolve != nil {
			var ok bool
			if e, ok, err = resolve(it); err != nil || !ok {
				return Evaluation{}, false, err
			}
		} else if e, err = evaluations.Decode(it.Body); err != nil {
			return Evaluation{}, false, err
		}
		return e.evaluation(account), wanted(types, e.Compliance), nil
	})
	if err != nil {
		return Page[Evaluation]{}, err
	}
	p := Page[Evaluation]{Items: pg.Items}
	if pg.Truncated {
		p.Next = pg.Last
	}
	return p, nil
}

// ResourceDetails answers GetComplianceDetailsByResource: a page of every rule's evaluation of one
// resource, filtered by types.
func (s *Service) ResourceDetails(ctx context.Context, account, region, resourceType, resourceID string, types []string, after string, limit int) (Page[Evaluation], error) {
	var p Page[Evaluation]
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = evalPage(evaluations.IndexRange(tx, "resource", account, resourceValue(region, resourceType, resourceID)), account, types, after, limit,
			func(it store.Item) (*evalRecord, bool, error) {
				_, e, ok, err := evaluations.Resolve(tx, account, it)
				return e, ok, err
			})
		return err
	})
	return p, err
}

// ResourceCompliance is a resource with its compliance over every rule that evaluates it
// (ComplianceByResource).
type ResourceCompliance struct {
	ResourceType, ResourceID string
	Compliance
}

// DescribeResourceCompliance answers DescribeComplianceByResource: the account's evaluated
// resources (of resourceType, and resourceID, when given) with their compliance over every rule,
// filtered by types, a page of limit after the position `after` (a resource's index value).
func (s *Service) DescribeResourceCompliance(ctx context.Context, account, region, resourceType, resourceID string, types []string, after string, limit int) (Page[ResourceCompliance], error) {
	var p Page[ResourceCompliance]
	err := s.st.View(ctx, func(tx store.Tx) error {
		// The index is in resource order, so a resource's evaluations are consecutive: the page is
		// read a resource at a time from the first after `after` (after + "\x01" sorts past its
		// entries, value \x00 key) and ends at the first resource past it, however many resources
		// come before the page.
		src := evaluations.Resolved(tx, account, evaluations.IndexRange(tx, "resource", account, resourceValue(region, resourceType, resourceID)))
		pos := ""
		if after != "" {
			pos = after + "\x01"
		}
		var cur *evalRecord
		var compliance []string
		// done adds the resource read last to the page, when it has one and its compliance is
		// wanted, and reports whether the page was full already (p.Next set).
		done := func() bool {
			if cur == nil {
				return false
			}
			c := summarize(compliance)
			if !wanted(types, c.Type) {
				return false
			}
			if len(p.Items) == limit {
				p.Next = resourceValueOf(p.Items[len(p.Items)-1], region)
				return true
			}
			p.Items = append(p.Items, ResourceCompliance{ResourceType: cur.ResourceType, ResourceID: cur.ResourceID, Compliance: c})
			return false
		}
		const batch = 256
		for {
			items, err := src(pos, batch)
			if err != nil {
				return err
			}
			for _, it := range items {
				pos = it.Key
				if it.Body == nil {
					continue // the evaluation has gone since the index was read
				}
				e, err := evaluations.Decode(it.Body)
				if err != nil {
					return err
				}
				if cur == nil || e.ResourceType != cur.ResourceType || e.ResourceID != cur.ResourceID {
					if done() {
						return nil
					}
					cur, compliance = e, nil
				}
				compliance = append(compliance, e.Compliance)
			}
			if len(items) < batch {
				done()
				return nil
			}
		}
	})
	return p, err
}

func resourceValueOf(r ResourceCompliance, region string) string {
	return resourceValue(region, r.ResourceType, r.ResourceID)
}

// RuleStatus is a rule's evaluation status (ConfigRuleEvaluationStatus).
type RuleStatus struct {
	RuleName, RuleARN, RuleID                                      string
	LastSuccessfulInvocation, LastFailedInvocation                 time.Time
	LastSuccessfulEvaluation, LastFailedEvaluation, FirstActivated time.Time
	LastErrorCode, LastErrorMessage                                string
	FirstEvaluationStarted                                         bool
}

// DescribeStatus answers DescribeConfigRuleEvaluationStatus: the named rules (each must exist) or a
// page of every rule.
func (s *Service) DescribeStatus(ctx context.Context, account, region string, names []string, after string, limit int) (Page[RuleStatus], error) {
	var p Page[RuleStatus]
	err := s.st.View(ctx, func(tx store.Tx) (err error) {
		p, err = namedOrPage(tx, rules, account, region, names, noSuchRule, after, limit, func(r *ruleRecord) (RuleStatus, bool, error) {
			st := r.Status
			return RuleStatus{RuleName: r.Name, RuleARN: RuleARN(region, account, r.ID), RuleID: r.ID,
				LastSuccessfulInvocation: st.LastSuccessfulInvocation, LastFailedInvocation: st.LastFailedInvocation,
				LastSuccessfulEvaluation: st.LastSuccessfulEvaluation, LastFailedEvaluation: st.LastFailedEvaluation,
				FirstActivated: st.FirstActivated, LastErrorCode: st.LastErrorCode, LastErrorMessage: st.LastErrorMessage,
				FirstEvaluationStarted: st.FirstEvaluationStarted}, true, nil
		})
		return err
	})
	return p, err
}
