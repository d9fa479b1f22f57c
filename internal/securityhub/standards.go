package securityhub

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/store"
)

// Standard is a security standard Security Hub offers (DescribeStandards).
type Standard struct {
	// Key is the standard's name and version as its ARNs spell them
	// ("aws-foundational-security-best-practices/v/1.0.0").
	Key string
	// Short is the name compliance.Control.Standards uses for it.
	Short             string
	Name, Description string
	Company, Product  string
	Default           bool // enabled by EnableSecurityHub's EnableDefaultStandards
	ruleset           bool // CIS v1.2.0's ARN: arn:aws:securityhub:::ruleset/…
}

// The standards' names and descriptions are AWS's (DescribeStandards' answer; Security Hub User
// Guide, "Security standards reference",
// https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html). EnableSecurityHub
// enables FSBP and CIS v1.2.0 by default (Security Hub API Reference, "EnableSecurityHub"), and
// Rootward adds its own "Rootward root-user best practices" (controls Rootward.1–Rootward.6) as
// a default standard as well: its ARN has AWS's form,
// arn:aws:securityhub:REGION::standards/rootward-root-user-best-practices/v/1.0.0 (Rootward's choice).
var standards = []Standard{
	{Key: "aws-foundational-security-best-practices/v/1.0.0", Short: "aws-foundational-security-best-practices",
		Name:        "AWS Foundational Security Best Practices v1.0.0",
		Description: "The AWS Foundational Security Best Practices standard is a set of automated security checks that detect when AWS accounts and deployed resources do not align to security best practices. The standard is defined by AWS security experts. This curated set of controls helps improve your security posture in AWS, and cover AWS's most popular and foundational services.",
		Company:     "AWS", Product: "Security Hub", Default: true},
	{Key: "cis-aws-foundations-benchmark/v/1.2.0", Short: "cis-aws-foundations-benchmark", ruleset: true,
		Name:        "CIS AWS Foundations Benchmark v1.2.0",
		Description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.2.0 is a set of security configuration best practices for AWS. This Security Hub standard automatically checks for your compliance readiness against a subset of CIS requirements.",
		Company:     "CIS", Product: "CIS AWS Foundations Benchmark", Default: true},
	{Key: "cis-aws-foundations-benchmark/v/1.4.0", Short: "cis-aws-foundations-benchmark",
		Name:        "CIS AWS Foundations Benchmark v1.4.0",
		Description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.4.0 is a set of security configuration best practices for AWS. This Security Hub standard automatically checks for your compliance readiness against a subset of CIS requirements.",
		Company:     "CIS", Product: "CIS AWS Foundations Benchmark"},
	{Key: "rootward-root-user-best-practices/v/1.0.0", Short: "rootward-root-user-best-practices",
		Name:        "Rootward root-user best practices",
		Description: "Rootward's checks of the root user that no AWS standard makes: a dedicated team mailbox as the root email, account contacts present, recovery channels held by different people, at least two root MFA devices, no root use for 90 days, and root sign-in protected by multi-party approval.",
		Company:     "Rootward", Product: "Rootward", Default: true},
}

// Standards returns every standard, in DescribeStandards' order.
func Standards() []Standard { return standards }

// ARN is the standard's ARN in region.
func (st Standard) ARN(region string) string {
	if st.ruleset {
		return arn.SecurityHub("", "", "ruleset/"+st.Key)
	}
	return arn.SecurityHub(region, "", "standards/"+st.Key)
}

// ID is the standard's StandardsId in a finding's Compliance.AssociatedStandards: its ARN's
// resource ("standards/…" or "ruleset/…").
func (st Standard) ID() string {
	if st.ruleset {
		return "ruleset/" + st.Key
	}
	return "standards/" + st.Key
}

// SubscriptionARN is account's subscription to the standard in region.
func (st Standard) SubscriptionARN(region, account string) string {
	return arn.SecurityHub(region, account, "subscription/"+st.Key)
}

// ControlARN is a control of the standard in account's subscription.
func (st Standard) ControlARN(region, account, control string) string {
	return arn.SecurityHub(region, account, "control/"+st.Key+"/"+control)
}

// StandardByARN returns the standard an ARN names in region.
func StandardByARN(region, a string) (Standard, bool) {
	for _, st := range standards {
		if st.ARN(region) == a {
			return st, true
		}
	}
	return Standard{}, false
}

// standardBySubscription returns the standard of account's subscription ARN in region.
func standardBySubscription(region, account, a string) (Standard, bool) {
	for _, st := range standards {
		if st.SubscriptionARN(region, account) == a {
			return st, true
		}
	}
	return Standard{}, false
}

// Control is one security control with the check that evaluates it.
type Control struct {
	compliance.Control
	Check compliance.Check
}

// Controls returns every control of the checks (compliance.Checks), once each, in their order.
func Controls() []Control {
	var out []Control
	seen := map[string]bool{}
	for _, c := range compliance.Checks() {
		for _, ctl := range c.SecurityHub {
			if !seen[ctl.ID] {
				seen[ctl.ID] = true
				out = append(out, Control{Control: ctl, Check: c})
			}
		}
	}
	return out
}

// ControlsOf returns the controls of a standard.
func ControlsOf(st Standard) []Control {
	var out []Control
	for _, c := range Controls() {
		if slices.Contains(c.Standards, st.Short) {
			out = append(out, c)
		}
	}
	return out
}

// RemediationURL is where a control's remediation is documented: AWS's console link for AWS's
// controls (the RemediationUrl DescribeStandardsControls answers), the check's documentation link
// for Rootward's own.
func (c Control) RemediationURL() string {
	if strings.HasPrefix(c.ID, "Rootward.") {
		if i := strings.Index(c.Check.Remediation, "https://"); i >= 0 {
			return strings.TrimRight(strings.Fields(c.Check.Remediation[i:])[0], ".)")
		}
	}
	return "https://docs.aws.amazon.com/console/securityhub/" + c.ID + "/remediation"
}

// SeverityRating is the control's severity as SeverityRating allows it (LOW, MEDIUM, HIGH,
// CRITICAL): INFORMATIONAL reads LOW.
func (c Control) SeverityRating() string {
	if c.Severity == "INFORMATIONAL" || c.Severity == "" {
		return "LOW"
	}
	return c.Severity
}

// subscriptionRecord is a standards subscription (kind "securityhub.subscription", keyed by
// REGION/STANDARD_KEY).
type subscriptionRecord struct {
	Key     string            `json:"key"`
	Input   map[string]string `json:"input,omitempty"`
	Created time.Time         `json:"created"`
}

var subscriptions = store.Define(store.Kind[subscriptionRecord]{Name: "securityhub.subscription", Version: 1})

// Subscription is an enabled standard.
type Subscription struct {
	Standard Standard
	Input    map[string]string
	Created  time.Time
}

// subscribed reads account's subscriptions in region, in the standards' order.
func subscribed(tx store.Tx, account, region string) ([]Subscription, error) {
	es, err := subscriptions.List(tx, account, region+"/", "", len(standards)+1)
	if err != nil {
		return nil, err
	}
	var out []Subscription
	for _, st := range standards {
		for _, e := range es {
			if e.Record.Key == st.Key {
				out = append(out, Subscription{Standard: st, Input: e.Record.Input, Created: e.Record.Created})
			}
		}
	}
	return out, nil
}

// EnabledStandards returns account's subscriptions in region. Returns InvalidAccessException.
func (s *Service) EnabledStandards(ctx context.Context, account, region string) ([]Subscription, error) {
	var out []Subscription
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := hubOf(tx, account, region); err != nil {
			return err
		}
		var err error
		out, err = subscribed(tx, account, region)
		return err
	})
	return out, err
}

// EnableRequest is one standard to enable.
type EnableRequest struct {
	StandardsArn string
	Input        map[string]string
}

// EnableStandards subscribes account to standards in region (a standard enabled already stays as
// it is) and evaluates the account. Returns InvalidAccessException and InvalidInputException for
// an ARN that names no standard (nothing is enabled then).
func (s *Service) EnableStandards(ctx context.Context, account, region string, reqs []EnableRequest) ([]Subscription, error) {
	var out []Subscription
	now := s.now().UTC()
	err := s.st.Update(ctx, func(tx store.Tx) error {
		out = out[:0]
		if _, err := hubOf(tx, account, region); err != nil {
			return err
		}
		for _, r := range reqs {
			st, ok := StandardByARN(region, r.StandardsArn)
			if !ok {
				return invalidInput("StandardsArn %s is not valid", r.StandardsArn)
			}
			rec, ok, err := subscriptions.Get(tx, account, region+"/"+st.Key)
			if err != nil {
				return err
			}
			if !ok {
				rec = &subscriptionRecord{Key: st.Key, Input: r.Input, Created: now}
				if err := subscriptions.Put(tx, account, region+"/"+st.Key, rec); err != nil {
					return err
				}
			}
			out = append(out, Subscription{Standard: st, Input: rec.Input, Created: rec.Created})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.reevaluate(ctx, account)
	return out, nil
}

// DisableStandards unsubscribes account from the standards of subscription ARNs in region and
// archives the findings of the controls no enabled standard holds any longer. Returns
// InvalidAccessException and InvalidInputException for an ARN that is no subscription of the
// account (nothing is disabled then).
func (s *Service) DisableStandards(ctx context.Context, account, region string, arns []string) ([]Subscription, error) {
	var out []Subscription
	var changed []*Finding
	err := s.st.Update(ctx, func(tx store.Tx) error {
		out, changed = out[:0], changed[:0]
		if _, err := hubOf(tx, account, region); err != nil {
			return err
		}
		for _, a := range arns {
			st, ok := standardBySubscription(region, account, a)
			if !ok {
				return invalidInput("StandardsSubscriptionArn %s is not valid", a)
			}
			rec, ok, err := subscriptions.Get(tx, account, region+"/"+st.Key)
			if err != nil {
				return err
			}
			if !ok {
				return invalidInput("StandardsSubscriptionArn %s is not valid", a)
			}
			if err := subscriptions.Delete(tx, account, region+"/"+st.Key); err != nil {
				return err
			}
			out = append(out, Subscription{Standard: st, Input: rec.Input, Created: rec.Created})
		}
		subs, err := subscribed(tx, account, region)
		if err != nil {
			return err
		}
		changed, err = s.archiveDisabled(tx, account, region, subs)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, changed)
	return out, nil
}

// StandardControls returns the controls of account's subscription (its ARN) in region. Returns
// InvalidAccessException, and ResourceNotFoundException when the ARN is no subscription of the
// account.
func (s *Service) StandardControls(ctx context.Context, account, region, subscriptionARN string) (Subscription, []Control, error) {
	var sub Subscription
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := hubOf(tx, account, region); err != nil {
			return err
		}
		st, ok := standardBySubscription(region, account, subscriptionARN)
		if !ok {
			return notFound("Subscription %s not found", subscriptionARN)
		}
		rec, ok, err := subscriptions.Get(tx, account, region+"/"+st.Key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Subscription %s not found", subscriptionARN)
		}
		sub = Subscription{Standard: st, Input: rec.Input, Created: rec.Created}
		return nil
	})
	if err != nil {
		return Subscription{}, nil, err
	}
	return sub, ControlsOf(sub.Standard), nil
}
