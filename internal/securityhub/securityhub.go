// Package securityhub is Rootward's AWS Security Hub (Security Hub CSPM): each account's hub per
// Region, the standards it subscribes to (AWS Foundational Security Best Practices v1.0.0, CIS AWS
// Foundations Benchmark v1.2.0 and v1.4.0, and Rootward's own "Rootward root-user best practices"),
// their controls as internal/compliance declares them (compliance.Checks: each check's SecurityHub
// controls), and the control findings in the AWS Security Finding Format (ASFF).
//
// Findings are consolidated control findings (ControlFindingGenerator SECURITY_CONTROL; Security
// Hub User Guide, "Consolidated control findings",
// https://docs.aws.amazon.com/securityhub/latest/userguide/controls-findings-create-update.html):
// one per control and resource, created when the control is first evaluated for the resource and
// updated when its compliance changes. Workflow follows AWS's rules (Security Hub API Reference,
// "Workflow", https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html): a new
// FAILED finding is NEW, a PASSED one RESOLVED; a change from PASSED to FAILED or NOT_AVAILABLE, or
// from ARCHIVED to ACTIVE, sets NOTIFIED and RESOLVED back to NEW; SUPPRESSED is left alone. A
// finding whose resource is gone, whose check answered NOT_APPLICABLE, or whose control is no
// longer in an enabled standard is ARCHIVED. Each new or changed finding, and each finding
// BatchUpdateFindings changes, is put on EventBridge (source aws.securityhub, detail-type "Security
// Hub Findings - Imported", detail {"findings":[…]}; Security Hub User Guide, "EventBridge event
// formats for Security Hub", https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html)
// in the finding's account and, for a member's finding, in its administrator's.
//
// The administrator of an organization's Security Hub is the delegated administrator of
// securityhub.amazonaws.com, else the management account. Its GetFindings sees its members'
// findings, and a member that has not enabled Security Hub itself is evaluated under the
// administrator's hub and standards (as AWS's organization auto-enable does).
//
// The service evaluates nothing itself: it is handed results (Ingest) by Config's evaluation loop,
// and asks Config.Evaluate for an account's results when a hub or standard is enabled.
package securityhub

import (
	"context"
	"log/slog"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
)

// PublishFunc puts an event on an account's default EventBridge bus; it must not block on delivery.
type PublishFunc func(account, source, detailType string, resources []string, detail []byte)

// EvaluateFunc returns every check's results for an account (compliance.Gatherer + EvaluateAll).
type EvaluateFunc func(ctx context.Context, account string) ([]compliance.Result, error)

// GatherFunc reads an account's facts (compliance.Gatherer.Gather).
type GatherFunc func(ctx context.Context, account string) (*compliance.Facts, error)

// Config configures the service.
type Config struct {
	Store store.Store
	// Orgs finds an account's organization, administrator and members; nil: no aggregation.
	Orgs *orgs.Service
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Region is the Region whose hub Ingest updates (default us-east-1).
	Region string
	// Publish, when set, receives every new or updated finding.
	Publish PublishFunc
	// Evaluate, when set, is asked for an account's results when its hub or a standard is enabled.
	Evaluate EvaluateFunc
	// Gather, when set, reads an account's facts so that a control with parameters of its own
	// (IAM.7, IAM.15, IAM.16: the password policy's; compliance.Control.Params) is evaluated with
	// them rather than judged on the Config rule's default results.
	Gather GatherFunc
	Log    *slog.Logger
}

// Service is Security Hub over a store.
type Service struct {
	st       store.Store
	orgs     *orgs.Service
	now      func() time.Time
	region   string
	publish  PublishFunc
	evaluate EvaluateFunc
	gather   GatherFunc
	log      *slog.Logger
}

// New returns the service.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, orgs: cfg.Orgs, now: cfg.Now, region: cfg.Region, publish: cfg.Publish, evaluate: cfg.Evaluate,
		gather: cfg.Gather, log: cfg.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// SetPublish sets where findings go (EventBridge's Put), for wiring after construction.
func (s *Service) SetPublish(fn PublishFunc) { s.publish = fn }

// SetEvaluate sets where an account's results come from, for wiring after construction.
func (s *Service) SetEvaluate(fn EvaluateFunc) { s.evaluate = fn }

// SetGather sets where an account's facts come from, for wiring after construction.
func (s *Service) SetGather(fn GatherFunc) { s.gather = fn }

// EventBridge's source and detail-type of Security Hub findings.
const (
	EventSource     = "aws.securityhub"
	EventDetailType = "Security Hub Findings - Imported"
)

// Codes Security Hub answers with (aws-sdk-go-v2 service/securityhub/types/errors.go). Three share
// a name with another service's code that is registered with another HTTP status, so the error
// carries Security Hub's status itself.
func invalidInput(format string, args ...any) error {
	return awserr.New(awserr.SecurityHubInvalidInput, format, args...)
}

func notFound(format string, args ...any) error {
	e := awserr.New(awserr.SecurityHubResourceNotFound, format, args...)
	e.Status = 404
	return e
}

// notSubscribed is AWS's answer to any call but EnableSecurityHub from an account whose hub is not
// enabled in the Region.
func notSubscribed(account string) error {
	return awserr.New(awserr.SecurityHubInvalidAccess, "Account %s is not subscribed to AWS Security Hub", account)
}

// timeFormat is how ASFF writes times: ISO 8601 in UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// hubRecord is an account's hub in a Region (kind "securityhub.hub", keyed by Region).
type hubRecord struct {
	SubscribedAt       time.Time         `json:"subscribed_at"`
	AutoEnableControls bool              `json:"auto_enable_controls"`
	Generator          string            `json:"generator"`
	Tags               map[string]string `json:"tags,omitempty"`
}

var hubs = store.Define(store.Kind[hubRecord]{Name: "securityhub.hub", Version: 1})

// Hub is DescribeHub's answer.
type Hub struct {
	SubscribedAt       time.Time
	AutoEnableControls bool
	Generator          string
}

// ValidGenerators are ControlFindingGenerator's values.
var ValidGenerators = []string{"SECURITY_CONTROL", "STANDARD_CONTROL"}

// EnableInput is EnableSecurityHub's request.
type EnableInput struct {
	DefaultStandards bool
	Generator        string // "" means SECURITY_CONTROL, the default since 2023
	Tags             map[string]string
}

// Enable enables Security Hub for account in region, with the default standards when asked, and
// then evaluates the account (and, for an administrator, its members). Returns
// ResourceConflictException when it is enabled already.
func (s *Service) Enable(ctx context.Context, account, region string, in EnableInput) error {
	if in.Generator == "" {
		in.Generator = "SECURITY_CONTROL"
	}
	now := s.now().UTC()
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, ok, err := hubs.Get(tx, account, region); err != nil || ok {
			if ok {
				return awserr.New(awserr.SecurityHubResourceConflict, "Account %s is already subscribed to Security Hub", account)
			}
			return err
		}
		if err := hubs.Insert(tx, account, region, &hubRecord{SubscribedAt: now, AutoEnableControls: true, Generator: in.Generator, Tags: in.Tags}); err != nil {
			return err
		}
		if !in.DefaultStandards {
			return nil
		}
		for _, st := range Standards() {
			if st.Default {
				if err := subscriptions.Put(tx, account, region+"/"+st.Key, &subscriptionRecord{Key: st.Key, Created: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.reevaluate(ctx, account)
	return nil
}

// Disable disables Security Hub for account in region: its hub, standards subscriptions and
// findings are deleted (AWS deletes them 90 days later). Returns InvalidAccessException.
func (s *Service) Disable(ctx context.Context, account, region string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := hubOf(tx, account, region); err != nil {
			return err
		}
		if err := hubs.Delete(tx, account, region); err != nil {
			return err
		}
		for {
			subs, err := subscriptions.List(tx, account, region+"/", "", 64)
			if err != nil {
				return err
			}
			for _, e := range subs {
				if err := subscriptions.Delete(tx, account, e.Key); err != nil {
					return err
				}
			}
			if len(subs) < 64 {
				break
			}
		}
		for {
			fs, err := findings.List(tx, account, region+"/", "", 256)
			if err != nil {
				return err
			}
			for _, e := range fs {
				if err := findings.Delete(tx, account, e.Key); err != nil {
					return err
				}
			}
			if len(fs) < 256 {
				return nil
			}
		}
	})
}

// hubOf reads account's hub in region; InvalidAccessException when there is none.
func hubOf(tx store.Tx, account, region string) (*hubRecord, error) {
	h, ok, err := hubs.Get(tx, account, region)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notSubscribed(account)
	}
	return h, nil
}

// DescribeHub returns account's hub in region. Returns InvalidAccessException.
func (s *Service) DescribeHub(ctx context.Context, account, region string) (*Hub, error) {
	var out *Hub
	err := s.st.View(ctx, func(tx store.Tx) error {
		h, err := hubOf(tx, account, region)
		if err != nil {
			return err
		}
		out = &Hub{SubscribedAt: h.SubscribedAt, AutoEnableControls: h.AutoEnableControls, Generator: h.Generator}
		return nil
	})
	return out, err
}

// RequireHub returns InvalidAccessException unless account's hub is enabled in region.
func (s *Service) RequireHub(ctx context.Context, account, region string) error {
	return s.st.View(ctx, func(tx store.Tx) error {
		_, err := hubOf(tx, account, region)
		return err
	})
}

// administrator is the Security Hub administrator of account's organization ("" when account is
// in none): the delegated administrator of securityhub.amazonaws.com, else the management account.
func (s *Service) administrator(ctx context.Context, account string) (string, *orgs.Organization, error) {
	if s.orgs == nil {
		return "", nil, nil
	}
	o, err := s.orgs.OrganizationOf(ctx, account)
	if err != nil || o == nil {
		return "", nil, err
	}
	for _, d := range o.Delegated {
		if d.ServicePrincipal == ServicePrincipal {
			return d.AccountID, o, nil
		}
	}
	return o.MasterAccountID, o, nil
}

// ServicePrincipal is Security Hub's service principal (trusted access, delegated administrator).
const ServicePrincipal = "securityhub.amazonaws.com"

// members returns the accounts of the organization account administers, account first; just
// account when it administers none.
func (s *Service) members(ctx context.Context, account string) ([]string, error) {
	admin, o, err := s.administrator(ctx, account)
	if err != nil || admin != account {
		return []string{account}, err
	}
	out := []string{account}
	token := ""
	for {
		p, err := s.orgs.ListAccounts(ctx, o.MasterAccountID, orgs.ListOpts{NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, a := range p.Items {
			if a.ID != account {
				out = append(out, a.ID)
			}
		}
		if p.NextToken == "" {
			return out, nil
		}
		token = p.NextToken
	}
}

// reevaluate asks Evaluate for the results of account (and of its members when it administers an
// organization) and ingests them; failures are logged: the call that enabled something succeeded.
func (s *Service) reevaluate(ctx context.Context, account string) {
	if s.evaluate == nil {
		return
	}
	accounts, err := s.members(ctx, account)
	if err != nil {
		s.log.Error("securityhub: listing the organization's accounts", "account", account, "err", err)
		accounts = []string{account}
	}
	for _, a := range accounts {
		results, err := s.evaluate(ctx, a)
		if err == nil {
			err = s.Ingest(ctx, a, results)
		}
		if err != nil {
			s.log.Error("securityhub: evaluating an account", "account", a, "err", err)
		}
	}
}
