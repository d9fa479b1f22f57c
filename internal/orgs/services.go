package orgs

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Trusted service access, delegated administrators, and IAM's centralized root access features.

// trustedServices are the service principals of the AWS services that support trusted access with
// AWS Organizations (Organizations User Guide, "AWS services that you can use with AWS
// Organizations", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html,
// each service's page naming its principal). Organizations refuses any other principal in
// EnableAWSServiceAccess, DisableAWSServiceAccess and the delegated-administrator operations with
// InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL. A service AWS adds later is added here.
var trustedServices = map[string]bool{
	"access-analyzer.amazonaws.com":                      true, // IAM Access Analyzer
	"account.amazonaws.com":                              true, // AWS Account Management
	"auditmanager.amazonaws.com":                         true, // AWS Audit Manager
	"aws-artifact-account-sync.amazonaws.com":            true, // AWS Artifact
	"backup.amazonaws.com":                               true, // AWS Backup
	"billing-cost-management.amazonaws.com":              true, // AWS Billing and Cost Management
	"cloudtrail.amazonaws.com":                           true, // AWS CloudTrail
	"compute-optimizer.amazonaws.com":                    true, // AWS Compute Optimizer
	"config.amazonaws.com":                               true, // AWS Config
	"config-multiaccountsetup.amazonaws.com":             true, // AWS Config organization rules and conformance packs
	"controltower.amazonaws.com":                         true, // AWS Control Tower
	"cost-optimization-hub.bcm.amazonaws.com":            true, // Cost Optimization Hub
	"detective.amazonaws.com":                            true, // Amazon Detective
	"devops-guru.amazonaws.com":                          true, // Amazon DevOps Guru
	"ds.amazonaws.com":                                   true, // AWS Directory Service
	"fms.amazonaws.com":                                  true, // AWS Firewall Manager
	"guardduty.amazonaws.com":                            true, // Amazon GuardDuty
	"health.amazonaws.com":                               true, // AWS Health
	"iam.amazonaws.com":                                  true, // IAM (centralized root access)
	"inspector2.amazonaws.com":                           true, // Amazon Inspector
	"ipam.amazonaws.com":                                 true, // Amazon VPC IP Address Manager
	"license-management.marketplace.amazonaws.com":       true, // AWS Marketplace license management
	"license-manager.amazonaws.com":                      true, // AWS License Manager
	"license-manager.member-account.amazonaws.com":       true, // AWS License Manager (member accounts)
	"license-manager-linux-subscriptions.amazonaws.com":  true, // License Manager Linux subscriptions
	"macie.amazonaws.com":                                true, // Amazon Macie
	"malware-protection.guardduty.amazonaws.com":         true, // GuardDuty Malware Protection
	"member.org.stacksets.cloudformation.amazonaws.com":  true, // AWS CloudFormation StackSets
	"mpa.amazonaws.com":                                  true, // Multi-party approval
	"networkmanager.amazonaws.com":                       true, // AWS Network Manager
	"ram.amazonaws.com":                                  true, // AWS Resource Access Manager
	"reachabilityanalyzer.networkinsights.amazonaws.com": true, // VPC Reachability Analyzer
	"reporting.trustedadvisor.amazonaws.com":             true, // AWS Trusted Advisor
	"resource-explorer-2.amazonaws.com":                  true, // AWS Resource Explorer
	"securityhub.amazonaws.com":                          true, // AWS Security Hub
	"securitylake.amazonaws.com":                         true, // Amazon Security Lake
	"servicecatalog.amazonaws.com":                       true, // AWS Service Catalog
	"servicequotas.amazonaws.com":                        true, // Service Quotas
	"ssm.amazonaws.com":                                  true, // AWS Systems Manager
	"sso.amazonaws.com":                                  true, // IAM Identity Center
	"storage-lens.s3.amazonaws.com":                      true, // Amazon S3 Storage Lens
	"tagpolicies.tag.amazonaws.com":                      true, // Tag policies
	"wellarchitected.amazonaws.com":                      true, // AWS Well-Architected Tool
}

// checkServicePrincipal accepts the principals of services that support trusted access.
func checkServicePrincipal(p string) error {
	if p == "" {
		return invalid(ReasonInputRequired, "You must specify a value for ServicePrincipal.")
	}
	if len(p) > 128 {
		return invalid(ReasonMaxLength, "ServicePrincipal must be at most 128 characters long.")
	}
	if !trustedServices[p] {
		return invalid(ReasonUnknownService, "You specified an unrecognized service principal.")
	}
	return nil
}

// EnableAWSServiceAccess gives a service trusted access to the organization (idempotent). Returns
// ConstraintViolationException (ORGANIZATION_NOT_IN_ALL_FEATURES_MODE) and InvalidInputException.
func (s *Service) EnableAWSServiceAccess(ctx context.Context, caller, principal string) error {
	if err := checkServicePrincipal(principal); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if o.FeatureSet != FeatureSetAll {
			return nil, constraint(ReasonNotAllFeatures, "Trusted access requires an organization with all features enabled.")
		}
		if o.ServiceAccessEnabled(principal) {
			return nil, nil
		}
		o.ServiceAccess = append(o.ServiceAccess, ServiceAccess{ServicePrincipal: principal, DateEnabled: s.Now()})
		if hook := s.onAccess[principal]; hook != nil {
			if err := hook(t.Txn, o, s.Now()); err != nil {
				return nil, err
			}
		}
		return nil, t.putOrg(o)
	})
}

// DisableAWSServiceAccess removes a service's trusted access (idempotent). For IAM it also turns
// off the centralized root access features, whose precondition it is: Rootward never leaves a
// feature enabled that IAM would refuse to enable.
func (s *Service) DisableAWSServiceAccess(ctx context.Context, caller, principal string) error {
	if err := checkServicePrincipal(principal); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		o.ServiceAccess = slices.DeleteFunc(o.ServiceAccess, func(a ServiceAccess) bool { return a.ServicePrincipal == principal })
		if principal == IAMService {
			o.RootFeatures = nil
		}
		return nil, t.putOrg(o)
	})
}

// ListAWSServiceAccessForOrganization lists the services with trusted access.
func (s *Service) ListAWSServiceAccessForOrganization(ctx context.Context, caller string) ([]ServiceAccess, error) {
	var out []ServiceAccess
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		out = o.ServiceAccess
		return nil
	})
	return out, err
}

// DelegatedAdministrator is a member account registered as delegated administrator.
type DelegatedAdministrator struct {
	Account
	DelegationEnabledDate time.Time
}

// RegisterDelegatedAdministrator makes a member account the delegated administrator of a service.
// Returns AccountNotFoundException, AccountAlreadyRegisteredException and
// ConstraintViolationException: CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR,
// SERVICE_ACCESS_NOT_ENABLED (the service needs trusted access first) and
// DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE (Rootward allows one per service, as IAM does).
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, caller, account, principal string) error {
	if err := checkAccountID("AccountId", account); err != nil {
		return err
	}
	if err := checkServicePrincipal(principal); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if account == o.MasterAccountID {
			return nil, constraint(ReasonMasterAsDelegated, "You can't register the management account as a delegated administrator.")
		}
		if _, err := t.mustMember(o, account); err != nil {
			return nil, err
		}
		if o.DelegatedAdmin(account, principal) {
			return nil, errorf(awserr.OrgsAccountAlreadyRegistered, "The provided account is already a delegated administrator for your organization.")
		}
		if !o.ServiceAccessEnabled(principal) {
			return nil, constraint(ReasonServiceAccessNotEnabled, "Trusted access is not enabled for %s.", principal)
		}
		for _, d := range o.Delegated {
			if d.ServicePrincipal == principal {
				return nil, constraint(ReasonDelegatedExists, "The service %s already has a delegated administrator.", principal)
			}
		}
		o.Delegated = append(o.Delegated, Delegation{AccountID: account, ServicePrincipal: principal, Date: s.Now()})
		return []string{account}, t.putOrg(o)
	})
}

// DeregisterDelegatedAdministrator removes a delegation. Returns AccountNotRegisteredException and
// AccountNotFoundException.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, caller, account, principal string) error {
	if err := checkAccountID("AccountId", account); err != nil {
		return err
	}
	if err := checkServicePrincipal(principal); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if _, err := t.mustMember(o, account); err != nil {
			return nil, err
		}
		if !o.DelegatedAdmin(account, principal) {
			return nil, errorf(awserr.OrgsAccountNotRegistered, "The provided account is not a registered delegated administrator for %s.", principal)
		}
		o.Delegated = slices.DeleteFunc(o.Delegated, func(d Delegation) bool {
			return d.AccountID == account && d.ServicePrincipal == principal
		})
		return []string{account}, t.putOrg(o)
	})
}

// ListDelegatedAdministrators lists the delegated administrators, of one service when principal
// is not empty.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, caller, principal string, lo ListOpts) (Page[DelegatedAdministrator], error) {
	var p Page[DelegatedAdministrator]
	if principal != "" {
		if err := checkServicePrincipal(principal); err != nil {
			return p, err
		}
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		first := map[string]time.Time{}
		for _, d := range o.Delegated {
			if principal != "" && d.ServicePrincipal != principal {
				continue
			}
			if at, ok := first[d.AccountID]; !ok || d.Date.Before(at) {
				first[d.AccountID] = d.Date
			}
		}
		ids := make([]string, 0, len(first))
		for id := range first {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		p, err = paginate(store.FromSorted(ids), "", lo, func(k string) (DelegatedAdministrator, bool, error) {
			a, err := t.member(o, k)
			if err != nil || a == nil {
				return DelegatedAdministrator{}, false, err
			}
			return DelegatedAdministrator{Account: *a, DelegationEnabledDate: first[k]}, true, nil
		})
		return err
	})
	return p, err
}

// ListDelegatedServicesForAccount lists the services an account administers. Returns
// AccountNotFoundException and AccountNotRegisteredException (no delegation).
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, caller, account string) ([]Delegation, error) {
	if err := checkAccountID("AccountId", account); err != nil {
		return nil, err
	}
	var out []Delegation
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := t.mustMember(o, account); err != nil {
			return err
		}
		for _, d := range o.Delegated {
			if d.AccountID == account {
				out = append(out, d)
			}
		}
		if len(out) == 0 {
			return errorf(awserr.OrgsAccountNotRegistered, "The provided account is not a registered delegated administrator for your organization.")
		}
		return nil
	})
	return out, err
}

// RootAccess is the state of centralized root access in an organization.
type RootAccess struct {
	OrganizationID  string
	EnabledFeatures []string // RootCredentialsManagement and/or RootSessions, in that order
}

func (o *Organization) rootAccess() *RootAccess {
	ra := &RootAccess{OrganizationID: o.ID}
	for _, f := range []string{FeatureRootCredentialsManagement, FeatureRootSessions} {
		if o.RootFeature(f) {
			ra.EnabledFeatures = append(ra.EnabledFeatures, f)
		}
	}
	return ra
}

// rootAccessCaller checks IAM's preconditions of the root access operations, in the order IAM
// lists them (IAM User Guide, "Centrally manage root access for member accounts"): an organization,
// in all-features mode, with trusted access for IAM, and a caller from its management account or
// from IAM's delegated administrator.
func (t txn) rootAccessCaller(caller string) (*Organization, error) {
	o, err := t.orgOf(caller)
	if err != nil {
		return nil, err
	}
	switch {
	case o == nil:
		return nil, awserr.New(awserr.OrganizationNotFound, "The request was rejected because no organization is associated with your account.")
	case o.FeatureSet != FeatureSetAll:
		return nil, awserr.New(awserr.OrganizationNotInAllFeatures, "The request was rejected because your organization does not have All features enabled.")
	case !o.ServiceAccessEnabled(IAMService):
		return nil, awserr.New(awserr.ServiceAccessNotEnabled, "The request was rejected because trusted access for IAM is not enabled for your organization.")
	case caller != o.MasterAccountID && !o.DelegatedAdmin(caller, IAMService):
		return nil, awserr.New(awserr.AccountNotManagementOrDelegatedAdmin, "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	}
	return o, nil
}

// ListOrganizationsFeatures returns the enabled root access features (IAM). Returns the IAM codes
// OrganizationNotFoundException, OrganizationNotInAllFeaturesModeException,
// ServiceAccessNotEnabledException and AccountNotManagementOrDelegatedAdministratorException.
func (s *Service) ListOrganizationsFeatures(ctx context.Context, caller string) (*RootAccess, error) {
	var out *RootAccess
	err := s.view(ctx, func(t txn) error {
		o, err := t.rootAccessCaller(caller)
		if err != nil {
			return err
		}
		out = o.rootAccess()
		return nil
	})
	return out, err
}

// SetRootAccessFeature enables or disables a root access feature and returns what is enabled
// afterwards. Only the management account enables (CallerIsNotManagementAccountException for the
// delegated administrator); the management account or IAM's delegated administrator disables.
// Turning RootCredentialsManagement or RootSessions on or off changes no account's policies:
// AssumeRoot and password recovery read the feature when they run.
func (s *Service) SetRootAccessFeature(ctx context.Context, caller, feature string, enable bool) (*RootAccess, error) {
	if feature != FeatureRootCredentialsManagement && feature != FeatureRootSessions {
		return nil, awserr.New(awserr.InvalidInput, "Unknown feature %s.", feature)
	}
	var out *RootAccess
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.rootAccessCaller(caller)
		if err != nil {
			return nil, err
		}
		if enable && caller != o.MasterAccountID {
			return nil, awserr.New(awserr.CallerIsNotManagementAccount, "The request was rejected because the account making the request is not the management account for the organization.")
		}
		on := o.RootFeature(feature)
		switch {
		case enable && !on:
			o.RootFeatures = append(o.RootFeatures, feature)
		case !enable && on:
			o.RootFeatures = slices.DeleteFunc(o.RootFeatures, func(f string) bool { return f == feature })
		}
		out = o.rootAccess()
		return nil, t.putOrg(o)
	})
	return out, err
}

// RootSessionTarget checks that caller may open a privileged root session (sts:AssumeRoot) on
// target: the caller's account is the management account or IAM's delegated administrator of an
// organization with RootSessions enabled, and target is another member account of it. Returns
// AccessDenied (STS) otherwise; the management account is never a target.
func (s *Service) RootSessionTarget(ctx context.Context, caller, target string) error {
	return s.view(ctx, func(t txn) error {
		o, err := t.orgOf(caller)
		if err != nil {
			return err
		}
		switch {
		case o == nil || (caller != o.MasterAccountID && !o.DelegatedAdmin(caller, IAMService)):
			return awserr.New(awserr.AccessDenied, "AssumeRoot can be called only from the management account or the delegated administrator account for IAM of an organization.")
		case o.FeatureSet != FeatureSetAll || !o.ServiceAccessEnabled(IAMService) || !o.RootFeature(FeatureRootSessions):
			return awserr.New(awserr.AccessDenied, "Privileged root sessions (the RootSessions feature of centralized root access) are not enabled for the organization %s.", o.ID)
		case target == o.MasterAccountID:
			return awserr.New(awserr.AccessDenied, "AssumeRoot cannot target the management account of the organization.")
		}
		a, err := t.member(o, target)
		if err != nil {
			return err
		}
		if a == nil {
			return awserr.New(awserr.AccessDenied, "The account %s is not a member account of the organization %s.", target, o.ID)
		}
		return nil
	})
}

// RootRecoveryAllowed reports whether account's root user may recover its password through the
// sign-in page. It may, as in AWS, unless its account is a member (not the management account) of
// an organization with RootCredentialsManagement enabled — "member accounts can't sign in to their
// root user or perform password recovery for their root user" (IAM User Guide, "Centrally manage
// root access for member accounts") — in which case only a privileged root session's
// CreateLoginProfile without a password allows it.
func (s *Service) RootRecoveryAllowed(ctx context.Context, account string) (bool, error) {
	o, err := s.OrganizationOf(ctx, account)
	if err != nil {
		return false, err
	}
	if o == nil || o.MasterAccountID == account || !o.RootFeature(FeatureRootCredentialsManagement) {
		return true, nil
	}
	rc, err := s.iam.RootCredentialsOf(ctx, account)
	if err != nil {
		return false, err
	}
	return rc.RecoveryAllowed != nil, nil
}
