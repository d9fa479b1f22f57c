package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
)

// Account assignments and provisioning. CreateAccountAssignment, DeleteAccountAssignment and
// ProvisionPermissionSet answer a request status IN_PROGRESS at once and do the work in the
// background (Service.async), as Identity Center does; the request's record then says SUCCEEDED or
// FAILED with the reason. The work of one instance is serialized (Service.work), so two requests
// on one (account, permission set) never interleave their reads of the assignments and the role.
//
// A permission set provisioned to an account is a role there, AWSReservedSSO_NAME_SUFFIX under
// /aws-reserved/sso.amazonaws.com/, kept by IAM as a reserved role (iam.PutReservedRole): callers
// cannot change or delete it, and SCPs bind it. It trusts the instance's SAML provider in that
// account for sts:AssumeRoleWithSAML and sts:TagSession, as the roles Identity Center creates do
// (the access portal mints its credentials directly). Its policies are the permission set's as of
// the last provisioning: changes to the set reach the role on ProvisionPermissionSet.

// Principal and target types.
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
	TargetAccount  = "AWS_ACCOUNT"
	// TargetAllProvisioned is ProvisionPermissionSet's target for every account the set is
	// provisioned to.
	TargetAllProvisioned = "ALL_PROVISIONED_ACCOUNTS"
)

// Request statuses (StatusValues) and types.
const (
	RequestInProgress = "IN_PROGRESS"
	RequestSucceeded  = "SUCCEEDED"
	RequestFailed     = "FAILED"

	requestCreate    = "create"
	requestDelete    = "delete"
	requestProvision = "provision"
)

// RolePath is the path of the roles Identity Center provisions.
const RolePath = "/aws-reserved/sso.amazonaws.com/"

// inlinePolicyName is the name of a provisioned role's inline policy, as Identity Center names it.
const inlinePolicyName = "AwsSSOInlinePolicy"

// Assignment is an account assignment.
type Assignment struct {
	AccountID        string
	PermissionSetARN string
	PrincipalType    string
	PrincipalID      string
}

// Request is the status of an asynchronous request.
type Request struct {
	RequestID        string
	Status           string
	FailureReason    string
	Created          time.Time
	TargetID         string
	TargetType       string
	PermissionSetARN string
	PrincipalType    string
	PrincipalID      string
}

func (r *requestRecord) request(instance string) *Request {
	out := &Request{RequestID: r.ID, Status: r.Status, FailureReason: r.Failure, Created: r.Created,
		PermissionSetARN: PermissionSetARN(instance, r.PermissionSet), PrincipalType: r.PrincipalType, PrincipalID: r.PrincipalID}
	if r.Type == requestProvision {
		out.TargetID = r.Target
	} else {
		out.TargetID, out.TargetType = r.Account, TargetAccount
	}
	return out
}

var (
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
	principalPattern = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
)

// checkAssignment applies the members' rules of an assignment request.
func checkAssignment(a Assignment, targetType string) error {
	if !accountIDPattern.MatchString(a.AccountID) {
		return invalid("The value of TargetId is not a valid account ID.")
	}
	if targetType != TargetAccount {
		return invalid("The value of TargetType must be AWS_ACCOUNT.")
	}
	if a.PrincipalType != PrincipalUser && a.PrincipalType != PrincipalGroup {
		return invalid("The value of PrincipalType must be USER or GROUP.")
	}
	if !principalPattern.MatchString(a.PrincipalID) {
		return invalid("The value of PrincipalId is not a valid user or group ID.")
	}
	return nil
}

// checkTarget refuses an account the instance cannot assign in: an organization instance assigns
// in its organization's accounts, an account instance in its own account only.
func (s *Service) checkTarget(ctx context.Context, r ref, account string) error {
	var orgID string
	if err := store.View(ctx, s.st, func(t txn) error {
		in, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil {
			return err
		}
		if !ok {
			return instanceNotFound()
		}
		orgID = in.OrgID
		return nil
	}); err != nil {
		return err
	}
	if orgID == "" {
		if account != r.account {
			return invalid("An account instance can assign access to its own account only.")
		}
		return nil
	}
	if s.orgs == nil {
		return invalid("The account %s is not a member of the organization.", account)
	}
	o, err := s.orgs.OrganizationOf(ctx, account)
	if err != nil {
		return err
	}
	if o == nil || o.ID != orgID {
		return invalid("The account %s is not a member of the organization.", account)
	}
	return nil
}

func assignmentKey(instance, account, ps, ptype, pid string) string {
	return key(instance, account, ps, ptype, pid)
}

// CreateAccountAssignment assigns a permission set to a user or group in an account and provisions
// it there in the background. Returns ValidationException, ResourceNotFoundException (the permission
// set, the user or group).
func (s *Service) CreateAccountAssignment(ctx context.Context, caller, instanceARN, psARN, targetType string, a Assignment) (*Request, error) {
	if err := checkAssignment(a, targetType); err != nil {
		return nil, err
	}
	r, psID, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	if err := s.checkTarget(ctx, r, a.AccountID); err != nil {
		return nil, err
	}
	rec := &requestRecord{ID: newUUID(), Type: requestCreate, Status: RequestInProgress, Created: s.Now(), Account: a.AccountID,
		PermissionSet: psID, PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}
	err = store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.permissionSet(r, psID); err != nil {
			return err
		}
		if err := t.principalExists(r, a.PrincipalType, a.PrincipalID); err != nil {
			return err
		}
		return requests.Insert(t, r.account, key(r.instance, rec.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	s.background(r, rec)
	return rec.request(r.instance), nil
}

func (t txn) principalExists(r ref, ptype, id string) error {
	var err error
	if ptype == PrincipalUser {
		_, err = t.userIn(r, id)
	} else {
		_, err = t.groupIn(r, id)
	}
	if awserr.IsCode(err, awserr.ICResourceNotFound) {
		return ssoNotFound("The %s %s does not exist in the identity store.", strings.ToLower(ptype), id)
	}
	return err
}

// DeleteAccountAssignment removes an assignment, in the background; the role goes with the last
// assignment of its permission set in the account. Returns ValidationException,
// ResourceNotFoundException (no such assignment).
func (s *Service) DeleteAccountAssignment(ctx context.Context, caller, instanceARN, psARN, targetType string, a Assignment) (*Request, error) {
	if err := checkAssignment(a, targetType); err != nil {
		return nil, err
	}
	r, psID, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	rec := &requestRecord{ID: newUUID(), Type: requestDelete, Status: RequestInProgress, Created: s.Now(), Account: a.AccountID,
		PermissionSet: psID, PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}
	err = store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.permissionSet(r, psID); err != nil {
			return err
		}
		_, ok, err := assignments.Get(t, r.account, assignmentKey(r.instance, a.AccountID, psID, a.PrincipalType, a.PrincipalID))
		if err != nil {
			return err
		}
		if !ok {
			return ssoNotFound("The account assignment does not exist.")
		}
		return requests.Insert(t, r.account, key(r.instance, rec.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	s.background(r, rec)
	return rec.request(r.instance), nil
}

// ProvisionPermissionSet brings the roles of a permission set up to date: in one account, or in
// every account it is provisioned to (TargetAllProvisioned). Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) ProvisionPermissionSet(ctx context.Context, caller, instanceARN, psARN, targetType, targetID string) (*Request, error) {
	switch targetType {
	case TargetAccount:
		if !accountIDPattern.MatchString(targetID) {
			return nil, invalid("The value of TargetId is not a valid account ID.")
		}
	case TargetAllProvisioned:
		if targetID != "" {
			return nil, invalid("TargetId must not be given with TargetType ALL_PROVISIONED_ACCOUNTS.")
		}
	default:
		return nil, invalid("The value of TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS.")
	}
	r, psID, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	rec := &requestRecord{ID: newUUID(), Type: requestProvision, Status: RequestInProgress, Created: s.Now(), PermissionSet: psID, Target: targetID}
	err = store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.permissionSet(r, psID); err != nil {
			return err
		}
		if targetID != "" {
			n, err := t.Count(store.IndexKind(kindAssignment, "ps"), r.account, key(r.instance, psID, targetID)+"\x00")
			if err != nil {
				return err
			}
			if n == 0 {
				return ssoNotFound("The permission set has no account assignment in account %s.", targetID)
			}
		}
		return requests.Insert(t, r.account, key(r.instance, rec.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	s.background(r, rec)
	return rec.request(r.instance), nil
}

// background does a request's work after the request was answered, and records its outcome on
// the request. Work of the service runs one at a time.
func (s *Service) background(r ref, rec *requestRecord) {
	requestID := rec.ID
	s.wg.Add(1)
	s.async(func() {
		defer s.wg.Done()
		s.work.Lock()
		defer s.work.Unlock()
		ctx := context.Background()
		err := s.do(ctx, r, rec)
		status, reason := RequestSucceeded, ""
		if err != nil {
			status, reason = RequestFailed, failureReason(err)
		}
		_ = store.Update(ctx, s.st, func(t txn) error {
			rec, ok, err := requests.Get(t, r.account, key(r.instance, requestID))
			if err != nil || !ok {
				return err
			}
			rec.Status, rec.Failure = status, reason
			return requests.Put(t, r.account, key(r.instance, requestID), rec)
		})
	})
}

// do is the work of a request: an assignment created or deleted, a permission set provisioned to
// its target account or to every account it is provisioned to.
func (s *Service) do(ctx context.Context, r ref, rec *requestRecord) error {
	switch rec.Type {
	case requestCreate:
		return s.assign(ctx, r, rec)
	case requestDelete:
		return s.unassign(ctx, r, rec)
	}
	accounts := []string{rec.Target}
	if rec.Target == "" {
		var err error
		if accounts, err = s.provisionedAccounts(ctx, r, rec.PermissionSet); err != nil {
			return err
		}
	}
	for _, a := range accounts {
		if err := s.provision(ctx, r, a, rec.PermissionSet); err != nil {
			return err
		}
	}
	return nil
}

// failureReason is what a FAILED request says: an AWS error's message (the caller may see it: it
// names the policy or role that stopped provisioning), else a fixed text.
func failureReason(err error) string {
	if e, ok := awserr.As(err); ok {
		return string(e.Code) + ": " + e.Message
	}
	return "An internal error stopped the request; try again."
}

// assign records an assignment and provisions its permission set to the account.
func (s *Service) assign(ctx context.Context, r ref, rec *requestRecord) error {
	k := assignmentKey(r.instance, rec.Account, rec.PermissionSet, rec.PrincipalType, rec.PrincipalID)
	exists := false
	err := store.View(ctx, s.st, func(t txn) error {
		if _, err := t.permissionSet(r, rec.PermissionSet); err != nil {
			return err
		}
		if err := t.principalExists(r, rec.PrincipalType, rec.PrincipalID); err != nil {
			return err
		}
		_, ok, err := assignments.Get(t, r.account, k)
		exists = ok
		return err
	})
	if err != nil {
		return err
	}
	if err := s.provision(ctx, r, rec.Account, rec.PermissionSet); err != nil {
		return err
	}
	if exists {
		return nil
	}
	return store.Update(ctx, s.st, func(t txn) error {
		return assignments.Put(t, r.account, k, &assignmentRecord{Account: rec.Account, PermissionSet: rec.PermissionSet,
			PrincipalType: rec.PrincipalType, PrincipalID: rec.PrincipalID, Created: s.Now()})
	})
}

// unassign removes an assignment and, with the last of its permission set in the account, the role.
func (s *Service) unassign(ctx context.Context, r ref, rec *requestRecord) error {
	err := store.Update(ctx, s.st, func(t txn) error {
		return assignments.DeleteIfExists(t, r.account, assignmentKey(r.instance, rec.Account, rec.PermissionSet, rec.PrincipalType, rec.PrincipalID))
	})
	if err != nil {
		return err
	}
	return s.deprovisionIfUnused(ctx, r, rec.Account, rec.PermissionSet)
}

// deprovisionIfUnused deletes the role of a permission set in an account that no assignment uses.
func (s *Service) deprovisionIfUnused(ctx context.Context, r ref, account, psID string) error {
	var p *provisionedRecord
	err := store.View(ctx, s.st, func(t txn) error {
		n, err := t.Count(store.IndexKind(kindAssignment, "ps"), r.account, key(r.instance, psID, account)+"\x00")
		if err != nil || n > 0 {
			return err
		}
		p, _, err = provisioned.Get(t, r.account, key(r.instance, account, psID))
		return err
	})
	if err != nil || p == nil {
		return err
	}
	if err := s.iam.DeleteReservedRole(ctx, account, p.RoleName, ServicePrincipal); err != nil {
		return err
	}
	err = store.Update(ctx, s.st, func(t txn) error {
		return provisioned.DeleteIfExists(t, r.account, key(r.instance, account, psID))
	})
	if err != nil {
		return err
	}
	return s.dropProviderIfUnused(ctx, r, account)
}

// RoleName is the name of the role a permission set provisions: AWSReservedSSO_NAME_SUFFIX.
func roleName(ps *permissionSetRecord) string {
	return "AWSReservedSSO_" + ps.Name + "_" + ps.RoleSuffix
}

// trustPolicy is the trust policy of the roles an instance provisions in account, as Identity
// Center writes it: the instance's SAML provider there, for AssumeRoleWithSAML and TagSession,
// with the sign-in audience.
func trustPolicy(account string, in *Instance) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`,
		arn.SAMLProvider(account, in.ProviderName()))
}

// provision creates or updates the role of a permission set in an account from the set as it is.
func (s *Service) provision(ctx context.Context, r ref, account, psID string) error {
	var ps *permissionSetRecord
	var in *Instance
	err := store.View(ctx, s.st, func(t txn) error {
		p, err := t.permissionSet(r, psID)
		if err != nil {
			return err
		}
		rec, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil {
			return err
		}
		if !ok {
			return instanceNotFound()
		}
		ps, in = p, rec.instance(r.account)
		return nil
	})
	if err != nil {
		return err
	}
	secs, err := SessionSeconds(ps.SessionDuration)
	if err != nil {
		return err
	}
	managed := slices.Clone(ps.ManagedPolicies)
	for _, c := range ps.CustomerPolices {
		managed = append(managed, c.ARN(account))
	}
	boundary := ""
	if b := ps.Boundary; b != nil {
		boundary = b.ManagedPolicyARN
		if b.Customer != nil {
			boundary = b.Customer.ARN(account)
		}
	}
	name := roleName(ps)
	if err := s.ensureProvider(ctx, account, in); err != nil {
		return err
	}
	if _, err := s.iam.PutReservedRole(ctx, account, iam.ReservedRoleInput{
		RoleName: name, Path: RolePath, Trust: trustPolicy(account, in), MaxSessionDuration: secs, ManagedBy: ServicePrincipal,
		ManagedPolicies: managed, InlinePolicyName: inlinePolicyName, InlinePolicy: ps.InlinePolicy, Boundary: boundary,
	}); err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		return provisioned.Put(t, r.account, key(r.instance, account, psID), &provisionedRecord{
			Account: account, PermissionSet: psID, RoleName: name, Provisioned: s.Now()})
	})
}

// provisionedAccounts lists the accounts a permission set is provisioned to.
func (s *Service) provisionedAccounts(ctx context.Context, r ref, psID string) ([]string, error) {
	var out []string
	err := store.View(ctx, s.st, func(t txn) error {
		items, err := provisioned.IndexRange(t, "ps", r.account, key(r.instance, psID)+"\x00")("", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			k := store.EntryKey(it.Key) // INSTANCE/ACCOUNT/PS
			parts := strings.Split(k, "/")
			if len(parts) == 3 {
				out = append(out, parts[1])
			}
		}
		return nil
	})
	return out, err
}

// deletePrincipalAssignments deletes the assignments of a user or group being deleted and adds the
// (account, permission set) pairs they were in to gone, whose roles cleanup then deletes when no
// assignment is left.
func (t txn) deletePrincipalAssignments(r ref, principalID string, gone *[][2]string) error {
	items, err := assignments.IndexRange(t, "principal", r.account, key(r.instance, principalID)+"\x00")("", 0)
	if err != nil {
		return err
	}
	for _, it := range items {
		k := store.EntryKey(it.Key)
		a, ok, err := assignments.Get(t, r.account, k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		*gone = append(*gone, [2]string{a.Account, a.PermissionSet})
		if err := assignments.Delete(t, r.account, k); err != nil {
			return err
		}
	}
	return nil
}

// cleanup deletes, in the background, the roles of pairs no assignment uses any more.
func (s *Service) cleanup(r ref, pairs [][2]string) {
	if len(pairs) == 0 {
		return
	}
	s.wg.Add(1)
	s.async(func() {
		defer s.wg.Done()
		s.work.Lock()
		defer s.work.Unlock()
		for _, p := range pairs {
			_ = s.deprovisionIfUnused(context.Background(), r, p[0], p[1])
		}
	})
}

// requestStatus reads a request of one type. Returns ResourceNotFoundException.
func (s *Service) requestStatus(ctx context.Context, caller, instanceARN, typ, requestID string) (*Request, error) {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return nil, err
	}
	if !principalPattern.MatchString(requestID) {
		return nil, invalid("The value of the request ID is not valid.")
	}
	var out *Request
	err = store.View(ctx, s.st, func(t txn) error {
		rec, ok, err := requests.Get(t, r.account, key(r.instance, requestID))
		if err != nil {
			return err
		}
		if !ok || rec.Type != typ {
			return ssoNotFound("The request %s does not exist.", requestID)
		}
		out = rec.request(r.instance)
		return nil
	})
	return out, err
}

// AssignmentCreationStatus is DescribeAccountAssignmentCreationStatus.
func (s *Service) AssignmentCreationStatus(ctx context.Context, caller, instanceARN, requestID string) (*Request, error) {
	return s.requestStatus(ctx, caller, instanceARN, requestCreate, requestID)
}

// AssignmentDeletionStatus is DescribeAccountAssignmentDeletionStatus.
func (s *Service) AssignmentDeletionStatus(ctx context.Context, caller, instanceARN, requestID string) (*Request, error) {
	return s.requestStatus(ctx, caller, instanceARN, requestDelete, requestID)
}

// ProvisioningStatus is DescribePermissionSetProvisioningStatus.
func (s *Service) ProvisioningStatus(ctx context.Context, caller, instanceARN, requestID string) (*Request, error) {
	return s.requestStatus(ctx, caller, instanceARN, requestProvision, requestID)
}

// ListRequests lists an instance's requests of one kind ("create", "delete", "provision"),
// those of status (IN_PROGRESS, FAILED, SUCCEEDED) when it is set, in request ID order. A status
// reads the "status" index, so a page reads its own requests and no others.
func (s *Service) listRequests(ctx context.Context, caller, instanceARN, typ, status string, o ListOpts) (store.Page[Request], error) {
	if status != "" && status != RequestInProgress && status != RequestFailed && status != RequestSucceeded {
		return store.Page[Request]{}, invalid("The value of Filter.Status must be IN_PROGRESS, FAILED or SUCCEEDED.")
	}
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return store.Page[Request]{}, err
	}
	var p store.Page[Request]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		index, value := "type", key(r.instance, typ)
		if status != "" {
			index, value = "status", key(r.instance, typ, status)
		}
		src := requests.Resolved(t, r.account, requests.IndexRange(t, index, r.account, value+"\x00"))
		p, err = store.ReadPage(src, o.After, o.limit(), func(it store.Item) (Request, bool, error) {
			if it.Body == nil {
				return Request{}, false, nil
			}
			rec, err := requests.Decode(it.Body)
			if err != nil {
				return Request{}, false, err
			}
			return *rec.request(r.instance), status == "" || rec.Status == status, nil
		})
		return err
	})
	return p, err
}

// ListAssignmentCreationStatus is ListAccountAssignmentCreationStatus.
func (s *Service) ListAssignmentCreationStatus(ctx context.Context, caller, instanceARN, status string, o ListOpts) (store.Page[Request], error) {
	return s.listRequests(ctx, caller, instanceARN, requestCreate, status, o)
}

// ListAssignmentDeletionStatus is ListAccountAssignmentDeletionStatus.
func (s *Service) ListAssignmentDeletionStatus(ctx context.Context, caller, instanceARN, status string, o ListOpts) (store.Page[Request], error) {
	return s.listRequests(ctx, caller, instanceARN, requestDelete, status, o)
}

// ListProvisioningStatus is ListPermissionSetProvisioningStatus.
func (s *Service) ListProvisioningStatus(ctx context.Context, caller, instanceARN, status string, o ListOpts) (store.Page[Request], error) {
	return s.listRequests(ctx, caller, instanceARN, requestProvision, status, o)
}

// ListAccountAssignments lists the assignments of a permission set in an account.
func (s *Service) ListAccountAssignments(ctx context.Context, caller, instanceARN, account, psARN string, o ListOpts) (store.Page[Assignment], error) {
	if !accountIDPattern.MatchString(account) {
		return store.Page[Assignment]{}, invalid("The value of AccountId is not a valid account ID.")
	}
	r, psID, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return store.Page[Assignment]{}, err
	}
	var p store.Page[Assignment]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		if _, err := t.permissionSet(r, psID); err != nil {
			return err
		}
		p, err = store.ReadPage(assignments.Range(t, r.account, key(r.instance, account, psID)+"/"), o.After, o.limit(), func(it store.Item) (Assignment, bool, error) {
			a, err := assignments.Decode(it.Body)
			if err != nil {
				return Assignment{}, false, err
			}
			return Assignment{AccountID: a.Account, PermissionSetARN: PermissionSetARN(r.instance, a.PermissionSet),
				PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}, true, nil
		})
		return err
	})
	return p, err
}

// Provisioning statuses of ListAccountsForProvisionedPermissionSet and
// ListPermissionSetsProvisionedToAccount's filter.
const (
	ProvisionedLatest    = "LATEST_PERMISSION_SET_PROVISIONED"
	ProvisionedNotLatest = "LATEST_PERMISSION_SET_NOT_PROVISIONED"
)

func checkProvisioningStatus(v string) error {
	if v != "" && v != ProvisionedLatest && v != ProvisionedNotLatest {
		return invalid("The value of ProvisioningStatus must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED.")
	}
	return nil
}

func matchesStatus(status string, p *provisionedRecord, ps *permissionSetRecord) bool {
	if status == "" {
		return true
	}
	latest := !p.Provisioned.Before(ps.Changed)
	return latest == (status == ProvisionedLatest)
}

// ListAccountsForPermissionSet lists the accounts a permission set is provisioned to.
func (s *Service) ListAccountsForPermissionSet(ctx context.Context, caller, instanceARN, psARN, status string, o ListOpts) (store.Page[string], error) {
	if err := checkProvisioningStatus(status); err != nil {
		return store.Page[string]{}, err
	}
	r, psID, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return store.Page[string]{}, err
	}
	var p store.Page[string]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		ps, err := t.permissionSet(r, psID)
		if err != nil {
			return err
		}
		src := provisioned.Resolved(t, r.account, provisioned.IndexRange(t, "ps", r.account, key(r.instance, psID)+"\x00"))
		p, err = store.ReadPage(src, o.After, o.limit(), func(it store.Item) (string, bool, error) {
			if it.Body == nil {
				return "", false, nil
			}
			rec, err := provisioned.Decode(it.Body)
			if err != nil {
				return "", false, err
			}
			return rec.Account, matchesStatus(status, rec, ps), nil
		})
		return err
	})
	return p, err
}

// ListPermissionSetsForAccount lists the permission sets provisioned to an account.
func (s *Service) ListPermissionSetsForAccount(ctx context.Context, caller, instanceARN, account, status string, o ListOpts) (store.Page[string], error) {
	if !accountIDPattern.MatchString(account) {
		return store.Page[string]{}, invalid("The value of AccountId is not a valid account ID.")
	}
	if err := checkProvisioningStatus(status); err != nil {
		return store.Page[string]{}, err
	}
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return store.Page[string]{}, err
	}
	var p store.Page[string]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		p, err = store.ReadPage(provisioned.Range(t, r.account, key(r.instance, account)+"/"), o.After, o.limit(), func(it store.Item) (string, bool, error) {
			rec, err := provisioned.Decode(it.Body)
			if err != nil {
				return "", false, err
			}
			if status != "" {
				ps, ok, err := permissionSets.Get(t, r.account, key(r.instance, rec.PermissionSet))
				if err != nil || !ok {
					return "", false, err
				}
				if !matchesStatus(status, rec, ps) {
					return "", false, nil
				}
			}
			return PermissionSetARN(r.instance, rec.PermissionSet), true, nil
		})
		return err
	})
	return p, err
}

// AccountRole is what the access portal shows and uses of one of a user's assignments: the
// account, the permission set and the role provisioned for it there.
type AccountRole struct {
	AccountID         string
	PermissionSetID   string
	PermissionSetName string
	RoleName, RoleARN string
	// SessionSeconds is the permission set's session duration.
	SessionSeconds int
	RelayState     string
	// ProviderName is the instance's SAML provider in the account, which the role trusts.
	ProviderName string
}

// ErrNotProvisioned is ProvisionedRole's answer when the permission set has no role in the account.
var ErrNotProvisioned = errors.New("identitycenter: the permission set is not provisioned to the account")

// ProvisionedRole returns the role a permission set of an instance is provisioned as in account.
// Returns ErrNotProvisioned, ResourceNotFoundException (the instance or permission set).
func (s *Service) ProvisionedRole(ctx context.Context, instanceID, account, psID string) (*AccountRole, error) {
	var out *AccountRole
	err := store.View(ctx, s.st, func(t txn) error {
		r, err := t.instanceRef(instanceID)
		if err != nil {
			return err
		}
		out, err = t.accountRole(r, account, psID)
		return err
	})
	return out, err
}

func (t txn) accountRole(r ref, account, psID string) (*AccountRole, error) {
	ps, err := t.permissionSet(r, psID)
	if err != nil {
		return nil, err
	}
	p, ok, err := provisioned.Get(t, r.account, key(r.instance, account, psID))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotProvisioned
	}
	in, ok, err := instances.Get(t, r.account, r.instance)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, instanceNotFound()
	}
	secs, _ := SessionSeconds(ps.SessionDuration)
	return &AccountRole{AccountID: account, PermissionSetID: psID, PermissionSetName: ps.Name, RoleName: p.RoleName,
		RoleARN: arn.IAMEntity(account, "role", RolePath, p.RoleName), SessionSeconds: secs, RelayState: ps.RelayState,
		ProviderName: in.instance(r.account).ProviderName()}, nil
}

// UserAccountRoles returns the (account, permission set) pairs a user is assigned, directly or
// through its groups, whose roles are provisioned: what the access portal lists and may mint
// credentials for. Sorted by account, then permission set name.
func (s *Service) UserAccountRoles(ctx context.Context, u UserRef) ([]AccountRole, error) {
	var out []AccountRole
	err := store.View(ctx, s.st, func(t txn) error {
		r := u.ref()
		if _, err := t.userIn(r, u.UserID); err != nil {
			return err
		}
		principals, err := t.groupsOf(r, u.UserID)
		if err != nil {
			return err
		}
		principals = append(principals, u.UserID)
		seen := map[[2]string]bool{}
		for _, p := range principals {
			items, err := assignments.Resolved(t, r.account, assignments.IndexRange(t, "principal", r.account, key(r.instance, p)+"\x00"))("", 0)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Body == nil {
					continue
				}
				a, err := assignments.Decode(it.Body)
				if err != nil {
					return err
				}
				pair := [2]string{a.Account, a.PermissionSet}
				if seen[pair] {
					continue
				}
				seen[pair] = true
				ar, err := t.accountRole(r, a.Account, a.PermissionSet)
				if errors.Is(err, ErrNotProvisioned) || awserr.IsCode(err, awserr.ICResourceNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				out = append(out, *ar)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b AccountRole) int {
		if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		return strings.Compare(a.PermissionSetName, b.PermissionSetName)
	})
	return out, err
}

// Resume finishes the asynchronous requests a stopped process left IN_PROGRESS: each is run again
// (creating an assignment, deleting one, provisioning), which is harmless for one that had done
// its work, as every step is idempotent. serve calls it once at start.
func (s *Service) Resume(ctx context.Context) error {
	type pending struct {
		r   ref
		rec *requestRecord
	}
	var work []pending
	err := store.View(ctx, s.st, func(t txn) error {
		dirs, err := directory.List(t, "", "ssoins-", "", 0)
		if err != nil {
			return err
		}
		for _, d := range dirs {
			r, err := t.instanceRef(d.Key)
			if err != nil {
				continue
			}
			reqs, err := requests.List(t, r.account, r.instance+"/", "", 0)
			if err != nil {
				return err
			}
			for _, e := range reqs {
				if e.Record.Status == RequestInProgress {
					work = append(work, pending{r, e.Record})
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range work {
		s.background(p.r, p.rec)
	}
	return nil
}
