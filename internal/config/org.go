package config

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
)

// Organization rules and aggregators. Both are the management account's: AWS Config refuses them
// to member accounts (OrganizationAccessDeniedException: "All APIs must be called from organization
// management account", Config API Reference, Errors) and to an account in no organization
// (NoAvailableOrganizationException). PutOrganizationConfigRule enables the organization's trusted
// access for config-multiaccountsetup.amazonaws.com itself, as AWS does ("This API enables
// organization service access through the EnableAWSServiceAccess action", Config API Reference,
// PutOrganizationConfigRule), and an organization aggregator does so for config.amazonaws.com; the
// API layer authorizes organizations:EnableAWSServiceAccess for the caller first.

// Service principals whose trusted access organization rules and aggregators need.
const (
	OrgRulesPrincipal   = "config-multiaccountsetup.amazonaws.com"
	AggregatorPrincipal = "config.amazonaws.com"
)

// MemberRulePrefix starts the name of the rule an organization rule deploys in each account:
// OrgConfigRule-NAME-SUFFIX, as AWS Config names them.
const MemberRulePrefix = "OrgConfigRule-"

// orgRuleRecord is an organization rule (kind "config.orgrule", the management account's, keyed by
// region|name).
type orgRuleRecord struct {
	Name            string                  `json:"name"`
	Suffix          string                  `json:"suffix"`
	Region          string                  `json:"region"`
	RuleIdentifier  string                  `json:"rule_identifier"`
	Description     string                  `json:"description,omitempty"`
	InputParameters string                  `json:"input_parameters,omitempty"`
	Frequency       string                  `json:"frequency,omitempty"`
	ResourceTypes   []string                `json:"resource_types,omitempty"`
	ResourceID      string                  `json:"resource_id,omitempty"`
	Excluded        []string                `json:"excluded,omitempty"`
	Updated         time.Time               `json:"updated"`
	Members         map[string]memberStatus `json:"members,omitempty"`
}

// memberStatus is the organization rule's deployment in one account (MemberAccountStatus).
type memberStatus struct {
	RuleName string    `json:"rule_name"`
	Status   string    `json:"status"`
	Code     string    `json:"code,omitempty"`
	Message  string    `json:"message,omitempty"`
	Updated  time.Time `json:"updated"`
}

// aggregatorRecord is a configuration aggregator (kind "config.aggregator", keyed by region|name).
type aggregatorRecord struct {
	Name       string    `json:"name"`
	ID         string    `json:"id"`
	Region     string    `json:"region"`
	RoleARN    string    `json:"role_arn"`
	Regions    []string  `json:"regions,omitempty"`
	AllRegions bool      `json:"all_regions,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

var (
	orgRules    = store.Define(store.Kind[orgRuleRecord]{Name: "config.orgrule", Version: 1})
	aggregators = store.Define(store.Kind[aggregatorRecord]{Name: "config.aggregator", Version: 1})
)

// MaxOrgRules is how many organization rules an organization may have (Config Developer Guide,
// "Service Limits": 150 organization Config rules per organization).
const MaxOrgRules = 150

// MaxAggregators is how many aggregators an account may have (Config Developer Guide, "Service
// Limits": 50 configuration aggregators per account).
const MaxAggregators = 50

// The names' patterns (Config API Reference: OrganizationConfigRuleName, ConfigurationAggregatorName).
var (
	orgRuleName    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	aggregatorName = regexp.MustCompile(`^[\w-]{1,256}$`)
)

// management returns the caller's organization when the caller is its management account.
// Returns NoAvailableOrganizationException and OrganizationAccessDeniedException.
func (s *Service) management(ctx context.Context, caller string) (*orgs.Organization, error) {
	o, err := s.orgs.OrganizationOf(ctx, caller)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, awserr.New(awserr.ConfigNoAvailableOrganization, "Organization is no longer available.")
	}
	if o.MasterAccountID != caller {
		return nil, awserr.New(awserr.ConfigOrganizationAccessDenied, "This action can only be performed if you are a registered delegated administrator for AWS Config with permissions to call ListDelegatedAdministrators API.")
	}
	if o.FeatureSet != "ALL" {
		return nil, awserr.New(awserr.ConfigOrganizationAllFeaturesMissing, "AWS Config organization rules and aggregators need an organization with all features enabled.")
	}
	return o, nil
}

// ServiceAccessEnabled reports whether the caller's organization has trusted access enabled for
// principal (the API layer authorizes organizations:EnableAWSServiceAccess before an operation
// enables it).
func (s *Service) ServiceAccessEnabled(ctx context.Context, caller, principal string) (bool, error) {
	o, err := s.management(ctx, caller)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(o.ServiceAccess, func(a orgs.ServiceAccess) bool { return a.ServicePrincipal == principal }), nil
}

// accounts lists the organization's ACTIVE accounts (the management account among them) as the
// management account sees them, through the organization's index of accounts by status.
func (s *Service) accounts(ctx context.Context, management string) ([]string, error) {
	var out []string
	for {
		ids, more, err := s.orgs.ActiveAccountIDs(ctx, management, lastOf(out), 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
		if !more {
			return out, nil
		}
	}
}

func lastOf(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

// OrgRuleInput is PutOrganizationConfigRule's request with its OrganizationManagedRuleMetadata.
type OrgRuleInput struct {
	Name, RuleIdentifier, Description, InputParameters, Frequency string
	ResourceTypes                                                 []string
	ResourceID, TagKey, TagValue                                  string
	Excluded                                                      []string
}

// OrgRule is an organization rule as the API shows it.
type OrgRule struct {
	Name, ARN, RuleIdentifier, Description, InputParameters, Frequency string
	ResourceTypes                                                      []string
	ResourceID                                                         string
	Excluded                                                           []string
	Updated                                                            time.Time
}

func (r *orgRuleRecord) orgRule(account string) OrgRule {
	return OrgRule{Name: r.Name, ARN: rwarn.Config(r.Region, account, "organization-config-rule/"+r.Name+"-"+r.Suffix),
		RuleIdentifier: r.RuleIdentifier, Description: r.Description, InputParameters: r.InputParameters, Frequency: r.Frequency,
		ResourceTypes: slices.Clone(r.ResourceTypes), ResourceID: r.ResourceID, Excluded: slices.Clone(r.Excluded), Updated: r.Updated}
}

// PutOrgRule creates or updates an organization rule and deploys it as a rule named
// OrgConfigRule-NAME-SUFFIX in every account of the organization but the excluded ones (removing
// it from accounts excluded since). Trusted access for config-multiaccountsetup.amazonaws.com is
// enabled first. Returns the errors of management, PutRule's validation errors,
// MaxNumberOfOrganizationConfigRulesExceededException and ValidationException.
func (s *Service) PutOrgRule(ctx context.Context, caller, region string, in OrgRuleInput) (*OrgRule, error) {
	if !orgRuleName.MatchString(in.Name) {
		return nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at 'organizationConfigRuleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_]+ and have length between 1 and 64", in.Name)
	}
	if _, err := s.management(ctx, caller); err != nil {
		return nil, err
	}
	member := PutRuleInput{Owner: "AWS", SourceIdentifier: in.RuleIdentifier, Description: in.Description, InputParameters: in.InputParameters,
		MaximumExecutionFrequency: in.Frequency, ResourceTypes: in.ResourceTypes, ResourceID: in.ResourceID, TagKey: in.TagKey, TagValue: in.TagValue}
	if _, _, err := member.validate(); err != nil {
		return nil, err
	}
	if err := s.orgs.EnableAWSServiceAccess(ctx, caller, OrgRulesPrincipal); err != nil {
		return nil, err
	}
	accounts, err := s.accounts(ctx, caller)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var rec *orgRuleRecord
	err = s.st.Update(ctx, func(tx store.Tx) error {
		old, ok, err := orgRules.Get(tx, caller, region+"|"+in.Name)
		if err != nil {
			return err
		}
		if ok {
			rec = old
		} else {
			n, err := tx.List(orgRules.Name, caller, "", "", MaxOrgRules+1)
			if err != nil {
				return err
			}
			if len(n) >= MaxOrgRules {
				return awserr.New(awserr.ConfigMaxOrganizationConfigRules, "Failed to put organization config rule '%s' because the maximum number of organization config rules: %d is reached.", in.Name, MaxOrgRules)
			}
			rec = &orgRuleRecord{Name: in.Name, Suffix: randomID(8), Region: region, Members: map[string]memberStatus{}}
		}
		rec.RuleIdentifier, rec.Description, rec.InputParameters, rec.Frequency = in.RuleIdentifier, in.Description, in.InputParameters, in.Frequency
		rec.ResourceTypes, rec.ResourceID, rec.Excluded, rec.Updated = in.ResourceTypes, in.ResourceID, in.Excluded, now
		return orgRules.Put(tx, caller, region+"|"+in.Name, rec)
	})
	if err != nil {
		return nil, err
	}
	s.deploy(ctx, caller, region, rec, accounts)
	out := rec.orgRule(caller)
	return &out, nil
}

// deploy puts the organization rule's member rule in each account and removes it from excluded
// accounts, recording each account's status in the organization rule.
func (s *Service) deploy(ctx context.Context, management, region string, rec *orgRuleRecord, accounts []string) {
	name := MemberRulePrefix + rec.Name + "-" + rec.Suffix
	now := s.now().UTC()
	statuses := map[string]memberStatus{}
	for _, a := range accounts {
		prev, had := rec.Members[a]
		if slices.Contains(rec.Excluded, a) {
			if had && prev.Status != "DELETE_SUCCESSFUL" {
				st := memberStatus{RuleName: name, Status: "DELETE_SUCCESSFUL", Updated: now}
				if err := s.st.Update(ctx, func(tx store.Tx) error { return deleteRule(tx, a, region, name, true, now) }); err != nil && !isCode(err, awserr.ConfigNoSuchConfigRule) {
					st.Status, st.Code, st.Message = "DELETE_FAILED", "InternalError", "The rule could not be deleted from the account."
					s.log.Error("config: removing an organization rule from an excluded account", "account", a, "rule", name, "err", err)
				}
				statuses[a] = st
			}
			continue
		}
		status := "CREATE_SUCCESSFUL"
		if had && prev.Status != "DELETE_SUCCESSFUL" {
			status = "UPDATE_SUCCESSFUL"
		}
		st := memberStatus{RuleName: name, Status: status, Updated: now}
		_, err := s.putRule(ctx, a, region, PutRuleInput{Name: name, Owner: "AWS", SourceIdentifier: rec.RuleIdentifier, Description: rec.Description,
			InputParameters: rec.InputParameters, MaximumExecutionFrequency: rec.Frequency, ResourceTypes: rec.ResourceTypes,
			ResourceID: rec.ResourceID, CreatedBy: CreatedByOrganization}, true)
		if err != nil {
			st.Status = status[:6] + "_FAILED"
			st.Code = "InternalError"
			st.Message = "The rule could not be put in the account."
			if e, ok := awserr.As(err); ok {
				st.Code, st.Message = string(e.Code), e.Message
			}
		}
		statuses[a] = st
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := orgRules.Get(tx, management, region+"|"+rec.Name)
		if err != nil || !ok {
			return err
		}
		if cur.Members == nil {
			cur.Members = map[string]memberStatus{}
		}
		for a, st := range statuses {
			cur.Members[a] = st
		}
		*rec = *cur
		return orgRules.Put(tx, management, region+"|"+rec.Name, cur)
	})
	if err != nil {
		s.log.Error("config: recording an organization rule's deployment", "rule", rec.Name, "err", err)
	}
}

// catchUp deploys the organization rules of a management account to the accounts that joined its
// organization since they were put (AWS Config deploys an organization rule to accounts that join
// later, too). Run calls it for a change in the account and in the periodic pass.
func (s *Service) catchUp(ctx context.Context, management string) error {
	var recs []*orgRuleRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		all, err := orgRules.List(tx, management, "", "", 0)
		for _, e := range all {
			recs = append(recs, e.Record)
		}
		return err
	})
	if err != nil || len(recs) == 0 {
		return err
	}
	o, err := s.orgs.OrganizationOf(ctx, management)
	if err != nil || o == nil || o.MasterAccountID != management {
		return err
	}
	accounts, err := s.accounts(ctx, management)
	if err != nil {
		return err
	}
	for _, r := range recs {
		var missing []string
		for _, a := range accounts {
			if _, ok := r.Members[a]; !ok && !slices.Contains(r.Excluded, a) {
				missing = append(missing, a)
			}
		}
		if len(missing) > 0 {
			s.deploy(ctx, management, r.Region, r, missing)
		}
	}
	return nil
}

func isCode(err error, code awserr.Code) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == code
}

func noSuchOrgRule(name string) error {
	return awserr.New(awserr.ConfigNoSuchOrganizationConfigRule, "The organization config rule '%s' does not exist. Check the rule name and try again.", name)
}

// OrgRules returns the named organization rules (each must exist:
// NoSuchOrganizationConfigRuleException) or a page of all of them.
func (s *Service) OrgRules(ctx context.Context, caller, region string, names []string, after string, limit int) (Page[OrgRule], error) {
	var p Page[OrgRule]
	if _, err := s.management(ctx, caller); err != nil {
		return p, err
	}
	err := s.st.View(ctx, func(tx store.Tx) (err error) {
		p, err = namedOrPage(tx, orgRules, caller, region, names, noSuchOrgRule, after, limit, func(r *orgRuleRecord) (OrgRule, bool, error) {
			return r.orgRule(caller), true, nil
		})
		return err
	})
	return p, err
}

// MemberStatus is an organization rule's deployment in one account.
type MemberStatus struct {
	Account, RuleName, Status, Code, Message string
	Updated                                  time.Time
}

// OrgRuleStatus is an organization rule's overall deployment status.
type OrgRuleStatus struct {
	Name, Status, Code, Message string
	Updated                     time.Time
}

func (s *Service) orgRule(ctx context.Context, caller, region, name string) (*orgRuleRecord, error) {
	if _, err := s.management(ctx, caller); err != nil {
		return nil, err
	}
	var r *orgRuleRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		r, ok, err = orgRules.Get(tx, caller, region+"|"+name)
		if err == nil && !ok {
			err = noSuchOrgRule(name)
		}
		return err
	})
	return r, err
}

// OrgRuleDetails answers GetOrganizationConfigRuleDetailedStatus: each account's deployment of the
// rule, by account ID, filtered by account and status.
func (s *Service) OrgRuleDetails(ctx context.Context, caller, region, name, account, status string) ([]MemberStatus, error) {
	r, err := s.orgRule(ctx, caller, region, name)
	if err != nil {
		return nil, err
	}
	var out []MemberStatus
	for a, st := range r.Members {
		if (account != "" && a != account) || (status != "" && st.Status != status) {
			continue
		}
		out = append(out, MemberStatus{Account: a, RuleName: st.RuleName, Status: st.Status, Code: st.Code, Message: st.Message, Updated: st.Updated})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out, nil
}

// OrgRuleStatuses answers DescribeOrganizationConfigRuleStatuses: each named rule's (or every
// rule's) overall status: the first failure of an account, else the success of the last put.
func (s *Service) OrgRuleStatuses(ctx context.Context, caller, region string, names []string) ([]OrgRuleStatus, error) {
	p, err := s.OrgRules(ctx, caller, region, names, "", MaxOrgRules)
	if err != nil {
		return nil, err
	}
	var out []OrgRuleStatus
	for _, o := range p.Items {
		r, err := s.orgRule(ctx, caller, region, o.Name)
		if err != nil {
			return nil, err
		}
		st := OrgRuleStatus{Name: r.Name, Status: "CREATE_SUCCESSFUL", Updated: r.Updated}
		accounts := make([]string, 0, len(r.Members))
		for a := range r.Members {
			accounts = append(accounts, a)
		}
		sort.Strings(accounts)
		for _, a := range accounts {
			m := r.Members[a]
			if m.Status == "UPDATE_SUCCESSFUL" && st.Status == "CREATE_SUCCESSFUL" {
				st.Status = "UPDATE_SUCCESSFUL"
			}
			if len(m.Status) > 7 && m.Status[len(m.Status)-7:] == "_FAILED" {
				st.Status, st.Code, st.Message = m.Status, m.Code, "Account "+a+": "+m.Message
				break
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// DeleteOrgRule deletes an organization rule and the rules it deployed.
func (s *Service) DeleteOrgRule(ctx context.Context, caller, region, name string) error {
	r, err := s.orgRule(ctx, caller, region, name)
	if err != nil {
		return err
	}
	for a, st := range r.Members {
		if st.Status == "DELETE_SUCCESSFUL" {
			continue
		}
		err := s.st.Update(ctx, func(tx store.Tx) error { return deleteRule(tx, a, region, st.RuleName, true, s.now()) })
		if err != nil && !isCode(err, awserr.ConfigNoSuchConfigRule) {
			return err
		}
	}
	return s.st.Update(ctx, func(tx store.Tx) error { return orgRules.DeleteIfExists(tx, caller, region+"|"+name) })
}

// Aggregator is a configuration aggregator as the API shows it.
type Aggregator struct {
	Name, ARN, RoleARN string
	Regions            []string
	AllRegions         bool
	Created, Updated   time.Time
}

func (a *aggregatorRecord) aggregator(account string) Aggregator {
	return Aggregator{Name: a.Name, ARN: rwarn.Config(a.Region, account, "config-aggregator/config-aggregator-"+a.ID), RoleARN: a.RoleARN,
		Regions: slices.Clone(a.Regions), AllRegions: a.AllRegions, Created: a.Created, Updated: a.Updated}
}

// AggregatorInput is PutConfigurationAggregator's request.
type AggregatorInput struct {
	Name string
	// Org is false when the request has no OrganizationAggregationSource; Accounts is the number
	// of AccountAggregationSources.
	Org        bool
	Accounts   int
	RoleARN    string
	Regions    []string
	AllRegions bool
}

// AggregatorsARN is the ARN pattern of every aggregator of the account in region.
func AggregatorsARN(region, account string) string {
	return rwarn.Config(region, account, "config-aggregator/*")
}

func noSuchAggregator() error {
	return awserr.New(awserr.ConfigNoSuchAggregator, "The configuration aggregator does not exist. Check the configuration aggregator name and try again.")
}

// PutAggregator creates or updates an organization aggregator of the management account, enabling
// trusted access for config.amazonaws.com. Returns InvalidParameterValueException (sources or
// regions wrong; account sources, which Rootward does not serve), LimitExceededException and
// management's errors.
func (s *Service) PutAggregator(ctx context.Context, caller, region string, in AggregatorInput) (*Aggregator, error) {
	if !aggregatorName.MatchString(in.Name) {
		return nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at 'configurationAggregatorName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-]+ and have length between 1 and 256", in.Name)
	}
	switch {
	case in.Org && in.Accounts > 0:
		return nil, invalid("The configuration aggregator cannot be created because your request contains both the AccountAggregationSource and the OrganizationAggregationSource. Include only one aggregation source and try again.")
	case !in.Org && in.Accounts == 0:
		return nil, invalid("The configuration aggregator cannot be created because your request is missing either the AccountAggregationSource or the OrganizationAggregationSource. Include the appropriate aggregation source and try again.")
	case !in.Org:
		// Rootward's choice: account sources need each source account's
		// PutAggregationAuthorization, which Rootward does not serve.
		return nil, invalid("AccountAggregationSources are not supported: Rootward aggregates an organization (OrganizationAggregationSource) from its management account.")
	case len(in.Regions) > 0 && in.AllRegions:
		return nil, invalid("Your configuration aggregator contains a list of regions and also specifies the use of all regions. You must choose one of these options.")
	case len(in.Regions) == 0 && !in.AllRegions:
		return nil, invalid("Your request does not specify any regions. Select AWS Config-supported regions and try again.")
	case in.RoleARN == "":
		return nil, awserr.New(awserr.ConfigValidation, "1 validation error detected: Value null at 'organizationAggregationSource.roleArn' failed to satisfy constraint: Member must not be null")
	}
	if _, err := s.management(ctx, caller); err != nil {
		return nil, err
	}
	if err := s.orgs.EnableAWSServiceAccess(ctx, caller, AggregatorPrincipal); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var out *aggregatorRecord
	err := s.st.Update(ctx, func(tx store.Tx) error {
		rec, ok, err := aggregators.Get(tx, caller, region+"|"+in.Name)
		if err != nil {
			return err
		}
		if !ok {
			all, err := tx.List(aggregators.Name, caller, "", "", MaxAggregators+1)
			if err != nil {
				return err
			}
			if len(all) >= MaxAggregators {
				return awserr.New(awserr.ConfigLimitExceeded, "Failed to put configuration aggregator '%s' because the maximum number of configuration aggregators: %d is reached.", in.Name, MaxAggregators)
			}
			rec = &aggregatorRecord{Name: in.Name, ID: randomID(8), Region: region, Created: now}
		}
		rec.RoleARN, rec.Regions, rec.AllRegions, rec.Updated = in.RoleARN, in.Regions, in.AllRegions, now
		out = rec
		return aggregators.Put(tx, caller, region+"|"+in.Name, rec)
	})
	if err != nil {
		return nil, err
	}
	a := out.aggregator(caller)
	return &a, nil
}

// Aggregators returns the named aggregators (each must exist) or a page of all of them.
func (s *Service) Aggregators(ctx context.Context, account, region string, names []string, after string, limit int) (Page[Aggregator], error) {
	var p Page[Aggregator]
	err := s.st.View(ctx, func(tx store.Tx) (err error) {
		p, err = namedOrPage(tx, aggregators, account, region, names, func(string) error { return noSuchAggregator() }, after, limit,
			func(a *aggregatorRecord) (Aggregator, bool, error) { return a.aggregator(account), true, nil })
		return err
	})
	return p, err
}

// DeleteAggregator deletes an aggregator. Returns NoSuchConfigurationAggregatorException.
func (s *Service) DeleteAggregator(ctx context.Context, account, region, name string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		_, ok, err := aggregators.Get(tx, account, region+"|"+name)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchAggregator()
		}
		return aggregators.Delete(tx, account, region+"|"+name)
	})
}

// aggregator returns the caller's aggregator, whose source accounts are the organization's
// ACTIVE accounts now, and whose regions are its Regions (all: every region a rule is in).
// Returns NoSuchConfigurationAggregatorException and what management returns.
func (s *Service) aggregator(ctx context.Context, caller, region, name string) (*aggregatorRecord, error) {
	var agg *aggregatorRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		a, ok, err := aggregators.Get(tx, caller, region+"|"+name)
		if err == nil && !ok {
			err = noSuchAggregator()
		}
		agg = a
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.management(ctx, caller); err != nil {
		return nil, err
	}
	return agg, nil
}

func (a *aggregatorRecord) covers(region string) bool {
	return a.AllRegions || slices.Contains(a.Regions, region)
}

// AggregateRuleCompliance is a rule's compliance in one source account and region.
type AggregateRuleCompliance struct {
	RuleName, Account, Region string
	Compliance
}

// AggregateFilter filters DescribeAggregateComplianceByConfigRules.
type AggregateFilter struct{ RuleName, ComplianceType, Account, Region string }

// AggregateRuleCompliances answers DescribeAggregateComplianceByConfigRules: every rule of every
// source account in the aggregator's regions with its compliance, by (account, region, rule), a
// page of limit after the position `after`.
func (s *Service) AggregateRuleCompliances(ctx context.Context, caller, region, name string, f AggregateFilter, after string, limit int) (Page[AggregateRuleCompliance], error) {
	var p Page[AggregateRuleCompliance]
	agg, err := s.aggregator(ctx, caller, region, name)
	if err != nil {
		return p, err
	}
	// A position is the account, "|", and the rule's key: the page starts at the position's
	// account (account IDs hold no "|"), after its rule, and reads the source accounts after it
	// from the organization's index of ACTIVE accounts, a batch at a time, only as far as the page
	// needs.
	afterAccount, afterRule, _ := strings.Cut(after, "|")
	// rulesOf adds the rules of account a after the rule key `from` to the page; it reports
	// whether the page is full.
	rulesOf := func(a, from string) (bool, error) {
		full := false
		err := s.st.View(ctx, func(tx store.Tx) error {
			all, err := rules.List(tx, a, "", from, 0)
			if err != nil {
				return err
			}
			for _, e := range all {
				r := e.Record
				if !agg.covers(r.Region) || (f.Region != "" && r.Region != f.Region) || (f.RuleName != "" && r.Name != f.RuleName) {
					continue
				}
				c, err := ruleCompliance(tx, a, r)
				if err != nil {
					return err
				}
				if f.ComplianceType != "" && c.Type != f.ComplianceType {
					continue
				}
				if len(p.Items) == limit {
					last := p.Items[len(p.Items)-1]
					p.Next, full = last.Account+"|"+ruleKey(last.Region, last.RuleName), true
					return nil
				}
				p.Items = append(p.Items, AggregateRuleCompliance{RuleName: r.Name, Account: a, Region: r.Region, Compliance: c})
			}
			return nil
		})
		return full, err
	}
	// The position's account first, when it is still a source.
	first := afterAccount
	if f.Account != "" {
		first = f.Account
		if f.Account < afterAccount {
			return p, nil
		}
	}
	if first != "" {
		ok, err := s.orgs.ActiveMember(ctx, caller, first)
		if err != nil {
			return p, err
		}
		if ok {
			from := ""
			if first == afterAccount {
				from = afterRule
			}
			if full, err := rulesOf(first, from); err != nil || full {
				return p, err
			}
		}
		if f.Account != "" {
			return p, nil
		}
	}
	for cursor, batch := first, limit+1; ; batch = min(2*batch, 1000) {
		ids, more, err := s.orgs.ActiveAccountIDs(ctx, caller, cursor, batch)
		if err != nil {
			return p, err
		}
		for _, a := range ids {
			if full, err := rulesOf(a, ""); err != nil || full {
				return p, err
			}
		}
		if !more {
			return p, nil
		}
		cursor = lastOf(ids)
	}
}

// AggregateRuleDetails answers GetAggregateComplianceDetailsByConfigRule: a page of one source
// account's evaluations by one rule. An account that is not a source answers no evaluation.
func (s *Service) AggregateRuleDetails(ctx context.Context, caller, region, name, rule, account, ruleRegion, complianceType string, after string, limit int) (Page[Evaluation], error) {
	agg, err := s.aggregator(ctx, caller, region, name)
	if err != nil {
		return Page[Evaluation]{}, err
	}
	source, err := s.orgs.ActiveMember(ctx, caller, account)
	if err != nil || !source || !agg.covers(ruleRegion) {
		return Page[Evaluation]{}, err
	}
	var types []string
	if complianceType != "" {
		types = []string{complianceType}
	}
	return s.RuleDetails(ctx, account, ruleRegion, rule, types, after, limit)
}
