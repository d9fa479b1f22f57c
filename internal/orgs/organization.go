package orgs

import (
	"context"
	"errors"
	"github.com/rootward/rootward/internal/arn"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
)

// Organization is an organization with its one root. The root's enabled policy types, the trusted
// service access, the delegated administrators and the root-access features are small lists kept
// with it.
type Organization struct {
	ID              string
	FeatureSet      string
	MasterAccountID string
	// MasterAccountEmail is the management account's root email, read from IAM's account with the
	// record (txn.org) and never stored: a copy went stale when the root email changed.
	MasterAccountEmail string
	RootID             string
	CreatedAt          time.Time
	// PolicyTypes are the policy types enabled on the root.
	PolicyTypes   []string
	ServiceAccess []ServiceAccess
	Delegated     []Delegation
	// RootFeatures are the enabled centralized root access features (IAM).
	RootFeatures []string
}

// Arn is arn:aws:organizations::MANAGEMENT:organization/o-….
func (o *Organization) Arn() string {
	return arn.Organizations(o.MasterAccountID, "organization/"+o.ID)
}

// MasterAccountArn is the management account's ARN in the organization.
func (o *Organization) MasterAccountArn() string { return o.accountArn(o.MasterAccountID) }

func (o *Organization) accountArn(id string) string {
	return arn.Organizations(o.MasterAccountID, "account/"+o.ID+"/"+id)
}

func (o *Organization) rootArn() string {
	return arn.Organizations(o.MasterAccountID, "root/"+o.ID+"/"+o.RootID)
}

func (o *Organization) ouArn(id string) string {
	return arn.Organizations(o.MasterAccountID, "ou/"+o.ID+"/"+id)
}

// Root returns the organization's root.
func (o *Organization) Root() Root {
	r := Root{ID: o.RootID, Arn: o.rootArn(), Name: "Root"}
	for _, t := range o.PolicyTypes {
		r.PolicyTypes = append(r.PolicyTypes, PolicyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return r
}

// SCPsEnabled reports whether service control policies are in force: only in an all-features
// organization whose root has the type enabled.
func (o *Organization) SCPsEnabled() bool {
	return o.FeatureSet == FeatureSetAll && slices.Contains(o.PolicyTypes, TypeSCP)
}

// ServiceAccessEnabled reports whether trusted access is enabled for the service principal.
func (o *Organization) ServiceAccessEnabled(principal string) bool {
	for _, a := range o.ServiceAccess {
		if a.ServicePrincipal == principal {
			return true
		}
	}
	return false
}

// DelegatedAdmin reports whether account is a delegated administrator for the service principal
// ("" = for any service).
func (o *Organization) DelegatedAdmin(account, principal string) bool {
	for _, d := range o.Delegated {
		if d.AccountID == account && (principal == "" || d.ServicePrincipal == principal) {
			return true
		}
	}
	return false
}

// RootFeature reports whether a centralized root access feature is enabled.
func (o *Organization) RootFeature(f string) bool { return slices.Contains(o.RootFeatures, f) }

// Root is an organization's root.
type Root struct {
	ID          string
	Arn         string
	Name        string
	PolicyTypes []PolicyTypeSummary
}

// PolicyTypeSummary is a policy type and its status on a root.
type PolicyTypeSummary struct {
	Type   string
	Status string
}

// ServiceAccess is a service with trusted access to the organization.
type ServiceAccess struct {
	ServicePrincipal string
	DateEnabled      time.Time
}

// Delegation registers an account as delegated administrator for a service.
type Delegation struct {
	AccountID        string
	ServicePrincipal string
	Date             time.Time
}

// org loads an organization by ID; nil when it does not exist.
func (t txn) org(id string) (*Organization, error) {
	r, ok, err := orgs.Get(t, "", id)
	if err != nil || !ok {
		return nil, err
	}
	o := r.organization()
	acct, err := iam.AccountIn(t.Tx, o.MasterAccountID)
	if err != nil {
		return nil, err
	}
	if acct != nil {
		o.MasterAccountEmail = acct.Email
	}
	return o, nil
}

// orgOf returns the organization account belongs to, nil when none.
func (t txn) orgOf(account string) (*Organization, error) {
	id, ok, err := memberships.Get(t, "", account)
	if err != nil || !ok {
		return nil, err
	}
	return t.org(*id)
}

// memberOrg returns the caller's organization; AWSOrganizationsNotInUseException when none.
func (t txn) memberOrg(caller string) (*Organization, error) {
	o, err := t.orgOf(caller)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, errNotInUse
	}
	return o, nil
}

// management returns the caller's organization when the caller is its management account, and
// AccessDeniedException otherwise: "This operation can be called only from the organization's
// management account" (Organizations API Reference, e.g. CreateOrganizationalUnit).
func (t txn) management(caller string) (*Organization, error) {
	o, err := t.memberOrg(caller)
	if err != nil {
		return nil, err
	}
	if o.MasterAccountID != caller {
		return nil, errDenied
	}
	return o, nil
}

// reader returns the caller's organization when the caller may use the read-only operations: "This
// operation can be called only from the organization's management account or by a member account
// that is a delegated administrator" (Organizations API Reference, e.g. ListAccounts).
func (t txn) reader(caller string) (*Organization, error) {
	o, err := t.memberOrg(caller)
	if err != nil {
		return nil, err
	}
	if o.MasterAccountID != caller && !o.DelegatedAdmin(caller, "") {
		return nil, errDenied
	}
	return o, nil
}

func (t txn) putOrg(o *Organization) error { return orgs.Put(t, "", o.ID, newOrgRecord(o)) }

// members lists the account IDs of an organization.
func (t txn) members(orgID string) ([]string, error) { return t.Keys(kindMember, orgID, "") }

// CreateOrganization makes the caller's account the management account of a new organization
// (featureSet "" means ALL). Returns AlreadyInOrganizationException and InvalidInputException.
func (s *Service) CreateOrganization(ctx context.Context, caller, featureSet string) (*Organization, error) {
	switch featureSet {
	case "":
		featureSet = FeatureSetAll
	case FeatureSetAll, FeatureSetConsolidatedBilling:
	default:
		return nil, invalid(ReasonInvalidEnum, "FeatureSet must be ALL or CONSOLIDATED_BILLING.")
	}
	acct, err := s.iam.GetAccount(ctx, caller)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	o := &Organization{
		ID: "o-" + randomString(10), FeatureSet: featureSet, MasterAccountID: caller, MasterAccountEmail: acct.Email,
		RootID: "r-" + randomString(4), CreatedAt: now,
	}
	err = s.update(ctx, func(t txn) ([]string, error) {
		if err := memberships.Insert(t, "", caller, &o.ID); err != nil {
			if errors.Is(err, store.ErrExists) {
				return nil, errorf(awserr.OrgsAlreadyInOrganization, "The AWS account is already a member of an organization.")
			}
			return nil, err
		}
		if err := orgs.Insert(t, "", o.ID, newOrgRecord(o)); err != nil {
			return nil, err
		}
		// The management account is listed with the members; AWS reports it as INVITED.
		m := &Account{ID: caller, Name: acct.Name, Email: acct.Email, Status: StatusActive, JoinedMethod: JoinedInvited,
			JoinedTimestamp: now, ParentID: o.RootID}
		return []string{caller}, t.addMember(o, m)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DescribeOrganization returns the caller's organization. Returns AWSOrganizationsNotInUseException.
func (s *Service) DescribeOrganization(ctx context.Context, caller string) (*Organization, error) {
	var o *Organization
	err := s.view(ctx, func(t txn) (err error) {
		o, err = t.memberOrg(caller)
		return err
	})
	return o, err
}

// OrganizationOf returns the organization of account, nil when it belongs to none. It checks no
// permission: it is for the server and the CLI, not for API callers.
func (s *Service) OrganizationOf(ctx context.Context, account string) (*Organization, error) {
	var o *Organization
	err := s.view(ctx, func(t txn) (err error) {
		o, err = t.orgOf(account)
		return err
	})
	return o, err
}

// Organization returns the organization of ID id, nil when there is none. It checks no permission:
// it is for the server and the CLI, not for API callers.
func (s *Service) Organization(ctx context.Context, id string) (*Organization, error) {
	var o *Organization
	err := s.view(ctx, func(t txn) (err error) {
		o, err = t.org(id)
		return err
	})
	return o, err
}

// DeleteOrganization deletes the caller's organization, which must have no member but its
// management account. Its OUs, policies, account creation records and open handshakes go with it.
// Returns OrganizationNotEmptyException and AccessDeniedException.
func (s *Service) DeleteOrganization(ctx context.Context, caller string) error {
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		n, err := t.Count(kindMember, o.ID, "")
		if err != nil {
			return nil, err
		}
		if n > 1 {
			return nil, errorf(awserr.OrgsOrganizationNotEmpty, "To delete an organization you must first remove all member accounts (except the management account).")
		}
		hs, err := t.Keys(store.IndexKind(kindHandshake, byOrg), "", o.ID+sep)
		if err != nil {
			return nil, err
		}
		for _, id := range hs {
			r, ok, err := handshakes.Get(t, "", id)
			if err != nil {
				return nil, err
			}
			if ok && (r.State == HandshakeOpen || r.State == HandshakeRequested) {
				r.State = HandshakeCanceled
				if err := handshakes.Put(t, "", id, r); err != nil {
					return nil, err
				}
			}
		}
		for _, drop := range []func(t txn, scope string) error{
			deleteAll(members), deleteAll(ous), deleteAll(policies), deleteAll(attachments), deleteAll(createStates), deleteAll(tagSets),
		} {
			if err := drop(t, o.ID); err != nil {
				return nil, err
			}
		}
		if err := memberships.DeleteIfExists(t, "", caller); err != nil {
			return nil, err
		}
		return []string{caller}, orgs.DeleteIfExists(t, "", o.ID)
	})
}

// deleteAll returns a function deleting every record of k in a scope, with its index entries.
func deleteAll[R any](k *store.Kind[R]) func(t txn, scope string) error {
	return func(t txn, scope string) error {
		keys, err := t.Keys(k.Name, scope, "")
		if err != nil {
			return err
		}
		for _, key := range keys {
			if err := k.DeleteIfExists(t, scope, key); err != nil {
				return err
			}
		}
		return nil
	}
}

// ListRoots returns the caller's organization's root. Returns AccessDeniedException for a caller
// that is neither the management account nor a delegated administrator.
func (s *Service) ListRoots(ctx context.Context, caller string) ([]Root, error) {
	var out []Root
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		out = []Root{o.Root()}
		return nil
	})
	return out, err
}
