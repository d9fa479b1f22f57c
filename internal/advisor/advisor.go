// Package advisor is Rootward's AWS Trusted Advisor, as the AWS Support API serves it: the security
// checks about IAM and the root user that internal/compliance maps to Trusted Advisor checks
// (compliance.Check.TrustedAdvisor: AWS's check IDs, names and metadata columns), "MFA on Root
// Account" (7DAFEmoDos) first, and each account's latest result of each (AWS Support API
// Reference, "DescribeTrustedAdvisorCheckResult",
// https://docs.aws.amazon.com/awssupport/latest/APIReference/API_DescribeTrustedAdvisorCheckResult.html).
//
// A result is made from the check's compliance results for the account: each FAILED resource is a
// flagged resource with the check's alert status ("error", Trusted Advisor's Red, for MFA on Root
// Account; "warning", Yellow, for the others), a row of the check's report columns; the check's
// status is that alert status when a resource is flagged, "ok" when every resource passed or does
// not apply, and "not_available" when nothing could be evaluated. Results come from
// Config's evaluation loop (Ingest), from RefreshTrustedAdvisorCheck (Refresh), and, for a check
// never evaluated in the account, from the first read.
package advisor

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
)

// EvaluateFunc returns every check's results for an account (compliance.Gatherer + EvaluateAll).
type EvaluateFunc func(ctx context.Context, account string) ([]compliance.Result, error)

// Config configures the service.
type Config struct {
	Store store.Store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Evaluate is asked for an account's results on a refresh, or a first read.
	Evaluate EvaluateFunc
	Log      *slog.Logger
}

// Service is Trusted Advisor over a store.
type Service struct {
	st       store.Store
	now      func() time.Time
	evaluate EvaluateFunc
	log      *slog.Logger
}

// New returns the service.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, now: cfg.Now, evaluate: cfg.Evaluate, log: cfg.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// SetEvaluate sets where an account's results come from, for wiring after construction.
func (s *Service) SetEvaluate(fn EvaluateFunc) { s.evaluate = fn }

// RootMFACheck is the ID of "MFA on Root Account", listed first.
const RootMFACheck = "7DAFEmoDos"

// RefreshInterval is how long after a refresh a check can be refreshed again: an hour, as AWS
// answers RefreshTrustedAdvisorCheck (millisUntilNextRefreshable 3599992 in the API Reference's
// example).
const RefreshInterval = time.Hour

// Check is a Trusted Advisor check with the compliance check that evaluates it.
type Check struct {
	compliance.AdvisorCheck
	Source compliance.Check
	// Metadata are the columns of a flagged resource's row, AWS's report columns.
	Metadata []string
	// Alert is the status of a flagged resource: "error" (Trusted Advisor's Red) or "warning"
	// (Yellow).
	Alert string
}

// presentation is what Trusted Advisor shows of a check beyond what internal/compliance declares:
// its report columns and alert level, from the AWS Support User Guide's check reference
// ("Security", https://docs.aws.amazon.com/awssupport/latest/user/security-checks.html). MFA on
// Root Account is Red when the root user has no MFA and has no report columns; IAM Password
// Policy is Yellow when a requirement is missing (Red, for no policy at all, cannot be told from
// a compliance result: Rootward answers Yellow); IAM Access Key Rotation is Yellow past 90 days
// (Red past two years: likewise Yellow). A check not listed is Yellow with no columns.
var presentation = map[string]struct {
	alert    string
	metadata []string
}{
	RootMFACheck: {alert: "error", metadata: []string{}},
	"Yw2K9puPzl": {alert: "warning", metadata: []string{"Password Policy", "Uppercase", "Lowercase", "Number", "Non-alphanumeric"}},
	"DqdJqYeRm5": {alert: "warning", metadata: []string{"Status", "IAM User", "Access Key", "Key Last Rotated", "Reason"}},
}

// Checks returns the Trusted Advisor checks, "MFA on Root Account" first, then in
// compliance.Checks' order.
func Checks() []Check {
	var out []Check
	seen := map[string]bool{}
	for _, c := range compliance.Checks() {
		if c.TrustedAdvisor == nil || seen[c.TrustedAdvisor.ID] {
			continue
		}
		seen[c.TrustedAdvisor.ID] = true
		p, ok := presentation[c.TrustedAdvisor.ID]
		if !ok {
			p.alert, p.metadata = "warning", []string{}
		}
		out = append(out, Check{AdvisorCheck: *c.TrustedAdvisor, Source: c, Metadata: p.metadata, Alert: p.alert})
	}
	slices.SortStableFunc(out, func(a, b Check) int {
		switch {
		case a.ID == RootMFACheck && b.ID != RootMFACheck:
			return -1
		case b.ID == RootMFACheck && a.ID != RootMFACheck:
			return 1
		}
		return 0
	})
	return out
}

// Lookup returns the check id names; InvalidParameterValueException ("Unknown ID: …", as AWS
// Support answers) when there is none.
func Lookup(id string) (Check, error) {
	for _, c := range Checks() {
		if c.ID == id {
			return c, nil
		}
	}
	return Check{}, awserr.New(awserr.SupportInvalidParameterValue, "Unknown ID: %s", id)
}

// Description is the check's description in Trusted Advisor's form: what it checks, its alert
// criteria and the recommended action, in HTML.
func (c Check) Description() string {
	level := "Yellow"
	if c.Alert == "error" {
		level = "Red"
	}
	return c.Source.Description + "<br>\n<br>\n<b>Alert Criteria</b><br>\n" + level + ": a resource fails the check (" +
		c.Source.Title + ").<br>\n<br>\n<b>Recommended Action</b><br>\n" + c.Source.Remediation
}

// Flagged is a flagged resource: its status, ID and metadata row.
type Flagged struct {
	Status     string   `json:"status"`
	Region     string   `json:"region,omitempty"`
	ResourceID string   `json:"resource_id"`
	Metadata   []string `json:"metadata"`
}

// resultRecord is an account's latest result of a check (kind "advisor.result", keyed by the
// check ID).
type resultRecord struct {
	Status      string    `json:"status"`
	Timestamp   time.Time `json:"timestamp"`
	Processed   int       `json:"processed"`
	Flagged     []Flagged `json:"flagged"`
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
}

var results = store.Define(store.Kind[resultRecord]{Name: "advisor.result", Version: 1})

// Result is a check's result in an account.
type Result struct {
	CheckID   string
	Status    string // ok, warning, error, not_available
	Timestamp time.Time
	Processed int
	Flagged   []Flagged
}

// resultOf makes a check's result from its compliance results for account.
func resultOf(c Check, account string, rs []compliance.Result, now time.Time) *resultRecord {
	r := &resultRecord{Status: "not_available", Timestamp: now, Flagged: []Flagged{}}
	evaluated := false
	for _, res := range rs {
		if res.Check != c.Source.ID || (res.Account != "" && res.Account != account) {
			continue
		}
		switch res.Status {
		case compliance.Error:
			continue
		case compliance.Failed:
			r.Flagged = append(r.Flagged, Flagged{Status: c.Alert, ResourceID: resourceID(c.ID, res.ResourceType, res.ResourceID),
				Metadata: row(c.Metadata, c.Alert, account, res)})
		}
		evaluated = true
		r.Processed++
	}
	switch {
	case len(r.Flagged) > 0:
		r.Status = c.Alert
	case evaluated:
		r.Status = "ok"
	}
	return r
}

// resourceID is a flagged resource's ID: opaque and stable, as AWS's (a hash of the check and
// the resource).
func resourceID(check, typ, id string) string {
	h := sha256.Sum256([]byte(check + "\x00" + typ + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// row is a flagged resource's metadata in the check's columns. Columns are filled by their
// name: the alert status ("Red" or "Yellow"), the Region ("-": IAM is global), the account, the
// resource's name, the evidence (in Reason, and in Password Policy, the one column of that check
// a compliance result can fill); a column Rootward has no value for is empty.
func row(columns []string, alert, account string, res compliance.Result) []string {
	out := make([]string, len(columns))
	for i, col := range columns {
		switch col {
		case "Status":
			out[i] = "Yellow"
			if alert == "error" {
				out[i] = "Red"
			}
		case "Region":
			out[i] = "-"
		case "Account", "Account ID", "Account Id":
			out[i] = account
		case "IAM User", "User Name", "User", "Resource", "IAM Group", "Group", "Policy", "Policy Name", "Resource Name":
			out[i] = res.ResourceName
		case "Reason", "Evidence", "Details", "Password Policy":
			out[i] = res.Evidence
		}
	}
	return out
}

// Ingest stores account's results of every Trusted Advisor check from its compliance results (all
// checks', as compliance.EvaluateAll answers them).
func (s *Service) Ingest(ctx context.Context, account string, rs []compliance.Result) error {
	now := s.now().UTC()
	return s.st.Update(ctx, func(tx store.Tx) error {
		for _, c := range Checks() {
			r := resultOf(c, account, rs, now)
			if old, ok, err := results.Get(tx, account, c.ID); err != nil {
				return err
			} else if ok {
				r.RefreshedAt = old.RefreshedAt
			}
			if err := results.Put(tx, account, c.ID, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// evaluateInto evaluates account and stores the results of every check, refreshedAt the given
// check (none when "").
func (s *Service) evaluateInto(ctx context.Context, account, refreshed string) error {
	var rs []compliance.Result
	if s.evaluate != nil {
		var err error
		if rs, err = s.evaluate(ctx, account); err != nil {
			return err
		}
	}
	if err := s.Ingest(ctx, account, rs); err != nil {
		return err
	}
	if refreshed == "" {
		return nil
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, ok, err := results.Get(tx, account, refreshed)
		if err != nil || !ok {
			return err
		}
		r.RefreshedAt = s.now().UTC()
		return results.Put(tx, account, refreshed, r)
	})
}

// Results returns account's latest results of the checks ids (each must be a check: else
// InvalidParameterValueException), evaluating the account first when one was never evaluated.
func (s *Service) Results(ctx context.Context, account string, ids []string) ([]Result, error) {
	for _, id := range ids {
		if _, err := Lookup(id); err != nil {
			return nil, err
		}
	}
	read := func() ([]Result, bool, error) {
		var out []Result
		missing := false
		err := s.st.View(ctx, func(tx store.Tx) error {
			out, missing = out[:0], false
			for _, id := range ids {
				r, ok, err := results.Get(tx, account, id)
				if err != nil {
					return err
				}
				if !ok {
					missing = true
					return nil
				}
				out = append(out, Result{CheckID: id, Status: r.Status, Timestamp: r.Timestamp, Processed: r.Processed, Flagged: r.Flagged})
			}
			return nil
		})
		return out, missing, err
	}
	out, missing, err := read()
	if err != nil || !missing {
		return out, err
	}
	if err := s.evaluateInto(ctx, account, ""); err != nil {
		return nil, err
	}
	out, _, err = read()
	return out, err
}

// RefreshStatus is a check's refresh status — enqueued (RefreshTrustedAdvisorCheck's answer, as
// AWS's), none (never refreshed) or success (the refresh is done: Rootward evaluates at once) —
// and the milliseconds until it can be refreshed again.
type RefreshStatus struct {
	CheckID         string
	Status          string
	MillisUntilNext int64
}

// Refresh evaluates account's checks again and answers the check's refresh status; a check
// refreshed less than RefreshInterval ago is not evaluated again. Returns
// InvalidParameterValueException for an unknown check.
func (s *Service) Refresh(ctx context.Context, account, id string) (RefreshStatus, error) {
	if _, err := Lookup(id); err != nil {
		return RefreshStatus{}, err
	}
	st, err := s.RefreshStatuses(ctx, account, []string{id})
	if err != nil {
		return RefreshStatus{}, err
	}
	if st[0].MillisUntilNext > 0 {
		return st[0], nil
	}
	if err := s.evaluateInto(ctx, account, id); err != nil {
		return RefreshStatus{}, err
	}
	return RefreshStatus{CheckID: id, Status: "enqueued", MillisUntilNext: RefreshInterval.Milliseconds()}, nil
}

// RefreshStatuses returns the refresh status of each check of ids. Returns
// InvalidParameterValueException for an unknown check.
func (s *Service) RefreshStatuses(ctx context.Context, account string, ids []string) ([]RefreshStatus, error) {
	for _, id := range ids {
		if _, err := Lookup(id); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	var out []RefreshStatus
	err := s.st.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		for _, id := range ids {
			st := RefreshStatus{CheckID: id, Status: "none"}
			r, ok, err := results.Get(tx, account, id)
			if err != nil {
				return err
			}
			if ok && !r.RefreshedAt.IsZero() {
				st.Status = "success"
				if left := r.RefreshedAt.Add(RefreshInterval).Sub(now); left > 0 {
					st.MillisUntilNext = left.Milliseconds()
				}
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}
