package orgs

import (
	"cmp"
	"context"
	"github.com/rootward/rootward/internal/arn"
	"regexp"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/store"
)

// Account is a member account of an organization (the management account included).
type Account struct {
	ID string
	// Name and Email are the account's name and root email, read from IAM's account with the
	// record (txn.member) and never stored here: an organization's copy went stale when the root
	// user was claimed or its email changed.
	Name            string
	Email           string
	Status          string
	JoinedMethod    string
	JoinedTimestamp time.Time
	ParentID        string
	// Arn is filled on reads: arn:aws:organizations::MANAGEMENT:account/o-…/ID.
	Arn string
}

// CreateAccountStatus tracks one CreateAccount request.
type CreateAccountStatus struct {
	ID                 string
	AccountName        string
	State              string
	RequestedTimestamp time.Time
	CompletedTimestamp *time.Time
	AccountID          string
	FailureReason      string
}

// CreateAccount request states and failure reasons (CreateAccountState, CreateAccountFailureReason).
const (
	CreateInProgress = "IN_PROGRESS"
	CreateSucceeded  = "SUCCEEDED"
	CreateFailed     = "FAILED"

	failEmailExists = "EMAIL_ALREADY_EXISTS"
	failInternal    = "INTERNAL_FAILURE"
)

// DefaultAccessRole is the role CreateAccount makes in the new account when RoleName is omitted.
const DefaultAccessRole = "OrganizationAccountAccessRole"

var (
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
	roleNamePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// CreateAccount's AccountName (API Reference, CreateAccount): [\u0020-\u007E]+ of 1–50
	// characters, printable ASCII only. The Email follows iam.ValidEmail, as every root email does.
	accountNamePattern = regexp.MustCompile(`^[\x{20}-\x{7E}]+$`)
)

func checkAccountID(param, id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for %s.", param)
	}
	if !accountIDPattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "%s must be a 12-digit account ID.", param)
	}
	return nil
}

func (t txn) member(o *Organization, id string) (*Account, error) {
	r, ok, err := members.Get(t, o.ID, id)
	if err != nil || !ok {
		return nil, err
	}
	return t.memberOf(o, r)
}

// memberOf turns a stored member into the Account answered, with its ARN, name and email.
func (t txn) memberOf(o *Organization, r *memberRecord) (*Account, error) {
	a := r.account()
	a.Arn = o.accountArn(a.ID)
	if err := t.fillAccount(a); err != nil {
		return nil, err
	}
	return a, nil
}

// putMember stores a member account; its place under its parent is the record's parent index.
func (t txn) putMember(o *Organization, a *Account) error {
	return members.Put(t, o.ID, a.ID, newMemberRecord(a))
}

// fillAccount sets a's name and root email from IAM's account, in the same transaction.
func (t txn) fillAccount(a *Account) error {
	acct, err := iam.AccountIn(t.Tx, a.ID)
	if err != nil || acct == nil {
		return err
	}
	a.Name, a.Email = acct.Name, acct.Email
	return nil
}

// mustMember returns a member of o or AccountNotFoundException.
func (t txn) mustMember(o *Organization, id string) (*Account, error) {
	a, err := t.member(o, id)
	if err == nil && a == nil {
		err = errorf(awserr.OrgsAccountNotFound, "You specified an account that doesn't exist or that isn't a member of the organization: %s.", id)
	}
	return a, err
}

// addMember records an account joining o under m.ParentID. While SCPs or RCPs are enabled every
// account gets FullAWSAccess or RCPFullAWSAccess when it joins, as every root, OU and account has
// them by default.
func (t txn) addMember(o *Organization, m *Account) error {
	if err := t.putMember(o, m); err != nil {
		return err
	}
	if m.ID != o.MasterAccountID {
		if err := memberships.Insert(t, "", m.ID, &o.ID); err != nil {
			return err
		}
	}
	return t.attachDefaults(o, m.ID)
}

// removeMember takes an account out of o with its policy attachments and its tags: tags belong to
// the organization's record of the account, which AWS drops when the account leaves.
func (t txn) removeMember(o *Organization, a *Account) error {
	if err := t.dropTags(o.ID, a.ID); err != nil {
		return err
	}
	if err := members.DeleteIfExists(t, o.ID, a.ID); err != nil {
		return err
	}
	if err := memberships.DeleteIfExists(t, "", a.ID); err != nil {
		return err
	}
	return t.detachAll(o.ID, a.ID)
}

// CreateAccountInput are CreateAccount's parameters.
type CreateAccountInput struct {
	Email, AccountName, RoleName, IamUserAccessToBilling string
	// Tags go on the new account once it exists.
	Tags []Tag
}

// CreateAccount creates a member account in the caller's organization: a new account with its own
// ID and root email, no root credentials (no password, MFA device or key: Organizations never sets
// a root password, and under RootCredentialsManagement the root cannot recover one either), and
// the role RoleName (default OrganizationAccountAccessRole) trusting the management account with
// full administrative rights — as AWS does, an inline policy named AdministratorAccess allowing
// everything (Organizations User Guide, "Accessing a member account that has a management account
// access role").
//
// AWS completes the request asynchronously and answers IN_PROGRESS; Rootward answers the same but
// finishes the work before replying, so the first DescribeCreateAccountStatus already shows
// SUCCEEDED (with the account ID) or FAILED (e.g. EMAIL_ALREADY_EXISTS). Invalid Tags fail the
// request before anything is created ("the entire request fails and the account is not created",
// API Reference, CreateAccount). Returns AccessDeniedException, InvalidInputException,
// ConstraintViolationException (MAX_TAG_LIMIT_EXCEEDED) and AWSOrganizationsNotInUseException.
func (s *Service) CreateAccount(ctx context.Context, caller string, in CreateAccountInput) (*CreateAccountStatus, error) {
	in.Email, in.AccountName = strings.TrimSpace(in.Email), strings.TrimSpace(in.AccountName)
	switch {
	case in.Email == "" || in.AccountName == "":
		return nil, invalid(ReasonInputRequired, "You must specify an Email and an AccountName.")
	case !iam.ValidEmail(in.Email):
		return nil, invalid(ReasonInvalidPattern, "The Email must be a valid email address of 6 to 64 characters.")
	case len(in.AccountName) > 50:
		return nil, invalid(ReasonMaxLength, "The AccountName must be at most 50 characters long.")
	case !accountNamePattern.MatchString(in.AccountName):
		return nil, errPattern("AccountName")
	}
	if in.RoleName == "" {
		in.RoleName = DefaultAccessRole
	}
	if !roleNamePattern.MatchString(in.RoleName) {
		return nil, invalid(ReasonInvalidRoleName, "The RoleName must match [\\w+=,.@-]{1,64}.")
	}
	if b := in.IamUserAccessToBilling; b != "" && b != "ALLOW" && b != "DENY" {
		return nil, invalid(ReasonInvalidEnum, "IamUserAccessToBilling must be ALLOW or DENY.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	st := &CreateAccountStatus{ID: "car-" + randomString(32), AccountName: in.AccountName, State: CreateInProgress, RequestedTimestamp: s.Now()}
	var o *Organization
	err := s.update(ctx, func(t txn) ([]string, error) {
		var err error
		if o, err = t.management(caller); err != nil {
			return nil, err
		}
		return nil, createStates.Insert(t, o.ID, st.ID, (*createStatusRecord)(st))
	})
	if err != nil {
		return nil, err
	}
	answer := *st
	acct, err := s.iam.CreateAccount(ctx, in.AccountName, in.Email, "")
	if err != nil {
		reason := failInternal
		if awserr.IsCode(err, awserr.EntityAlreadyExists) {
			reason = failEmailExists
		}
		return &answer, s.finishCreate(ctx, o.ID, st, "", reason)
	}
	if err := s.accessRole(ctx, caller, acct.ID, in.RoleName); err != nil {
		_ = s.finishCreate(ctx, o.ID, st, "", failInternal)
		return nil, err
	}
	err = s.update(ctx, func(t txn) ([]string, error) {
		cur, err := t.org(o.ID)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			return nil, errNotInUse
		}
		m := &Account{ID: acct.ID, Name: acct.Name, Email: acct.Email, Status: StatusActive, JoinedMethod: JoinedCreated,
			JoinedTimestamp: s.Now(), ParentID: cur.RootID}
		if err := t.addMember(cur, m); err != nil {
			return nil, err
		}
		return []string{acct.ID}, t.addTags(cur.ID, acct.ID, in.Tags)
	})
	if err != nil {
		_ = s.finishCreate(ctx, o.ID, st, "", failInternal)
		return nil, err
	}
	return &answer, s.finishCreate(ctx, o.ID, st, acct.ID, "")
}

// adminInline is the AdministratorAccess inline policy of the access role.
const adminInline = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// accessRole creates the management account's access role in a new member account.
func (s *Service) accessRole(ctx context.Context, management, account, name string) error {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn.Root(management) +
		`"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.iam.CreateRole(ctx, account, iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust}); err != nil {
		return err
	}
	return s.iam.PutInlinePolicy(ctx, account, "role", name, "AdministratorAccess", adminInline)
}

func (s *Service) finishCreate(ctx context.Context, orgID string, st *CreateAccountStatus, account, failure string) error {
	done := *st
	now := s.Now()
	done.CompletedTimestamp = &now
	done.AccountID, done.FailureReason, done.State = account, failure, CreateSucceeded
	if failure != "" {
		done.State = CreateFailed
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		return nil, createStates.Put(t, orgID, st.ID, (*createStatusRecord)(&done))
	})
}

var createStatusPattern = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)

// DescribeCreateAccountStatus returns a CreateAccount request's status. Returns
// CreateAccountStatusNotFoundException and InvalidInputException.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, caller, id string) (*CreateAccountStatus, error) {
	if !createStatusPattern.MatchString(id) {
		return nil, invalid(ReasonInvalidPattern, "The CreateAccountRequestId must match car-[a-z0-9]{8,32}.")
	}
	var out CreateAccountStatus
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		r, ok, err := createStates.Get(t, o.ID, id)
		if err == nil && !ok {
			err = errorf(awserr.OrgsCreateStatusNotFound, "We can't find a create account request with the CreateAccountRequestId that you specified.")
		}
		if err == nil {
			out = CreateAccountStatus(*r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCreateAccountStatus lists CreateAccount requests, filtered by state when states is not empty.
func (s *Service) ListCreateAccountStatus(ctx context.Context, caller string, states []string, o ListOpts) (Page[CreateAccountStatus], error) {
	for _, st := range states {
		if st != CreateInProgress && st != CreateSucceeded && st != CreateFailed {
			return Page[CreateAccountStatus]{}, invalid(ReasonInvalidEnum, "States must be IN_PROGRESS, SUCCEEDED or FAILED.")
		}
	}
	var p Page[CreateAccountStatus]
	err := s.view(ctx, func(t txn) error {
		org, err := t.reader(caller)
		if err != nil {
			return err
		}
		p, err = pageItems(createStates.Range(t, org.ID, ""), "", o, func(it store.Item) (CreateAccountStatus, bool, error) {
			r, err := createStates.Decode(it.Body)
			if err != nil {
				return CreateAccountStatus{}, false, err
			}
			return CreateAccountStatus(*r), len(states) == 0 || contains(states, r.State), nil
		})
		return err
	})
	return p, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ListAccounts lists the organization's accounts by ID.
func (s *Service) ListAccounts(ctx context.Context, caller string, o ListOpts) (Page[Account], error) {
	var p Page[Account]
	err := s.view(ctx, func(t txn) error {
		org, err := t.reader(caller)
		if err != nil {
			return err
		}
		p, err = t.pageMembers(org, o, func(*Account) (bool, error) { return true, nil })
		return err
	})
	return p, err
}

// ActiveAccountIDs lists the IDs of the ACTIVE accounts of caller's organization (its management
// account among them) that sort after the ID `after` ("" first), at most limit, in ID order, and
// reports whether more follow. It reads the "status" index, so a page costs its own accounts, not
// the suspended ones nor those before it. Returns AWSOrganizationsNotInUseException and
// AccessDeniedException as ListAccounts does.
func (s *Service) ActiveAccountIDs(ctx context.Context, caller, after string, limit int) ([]string, bool, error) {
	var p store.Page[string]
	err := s.view(ctx, func(t txn) error {
		org, err := t.reader(caller)
		if err != nil {
			return err
		}
		prefix := StatusActive + "\x00"
		if after != "" {
			after = prefix + after
		}
		p, err = store.ReadPage(members.IndexRange(t, byStatus, org.ID, prefix), after, limit, func(it store.Item) (string, bool, error) {
			return store.EntryKey(it.Key), true, nil
		})
		return err
	})
	return p.Items, p.Truncated, err
}

// ActiveMember reports whether id is an ACTIVE account of caller's organization. Returns what
// ActiveAccountIDs returns.
func (s *Service) ActiveMember(ctx context.Context, caller, id string) (bool, error) {
	active := false
	err := s.view(ctx, func(t txn) error {
		org, err := t.reader(caller)
		if err != nil {
			return err
		}
		r, ok, err := members.Get(t, org.ID, id)
		active = ok && cmp.Or(r.Status, StatusActive) == StatusActive
		return err
	})
	return active, err
}

// pageMembers pages through org's accounts in ID order; keep says which of them the page answers.
func (t txn) pageMembers(org *Organization, o ListOpts, keep func(a *Account) (bool, error)) (Page[Account], error) {
	return pageItems(members.Range(t, org.ID, ""), "", o, func(it store.Item) (Account, bool, error) {
		r, err := members.Decode(it.Body)
		if err != nil {
			return Account{}, false, err
		}
		a, err := t.memberOf(org, r)
		if err != nil {
			return Account{}, false, err
		}
		ok, err := keep(a)
		return *a, ok, err
	})
}

// DescribeAccount returns a member account. Returns AccountNotFoundException.
func (s *Service) DescribeAccount(ctx context.Context, caller, id string) (*Account, error) {
	if err := checkAccountID("AccountId", id); err != nil {
		return nil, err
	}
	var a *Account
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		a, err = t.mustMember(o, id)
		return err
	})
	return a, err
}

// CloseAccount closes a member account: AWS keeps a closed account SUSPENDED for 90 days before it
// is gone; Rootward marks it SUSPENDED and keeps it. Returns ConstraintViolationException
// (CANNOT_CLOSE_MANAGEMENT_ACCOUNT), AccountAlreadyClosedException, AccountNotFoundException.
func (s *Service) CloseAccount(ctx context.Context, caller, id string) error {
	if err := checkAccountID("AccountId", id); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if id == o.MasterAccountID {
			return nil, constraint(ReasonCloseManagement, "You can't close the management account with CloseAccount.")
		}
		a, err := t.mustMember(o, id)
		if err != nil {
			return nil, err
		}
		if a.Status != StatusActive {
			return nil, errorf(awserr.OrgsAccountAlreadyClosed, "The account %s is already closed.", id)
		}
		a.Status = StatusSuspended
		return []string{id}, t.putMember(o, a)
	})
}

// RemoveAccountFromOrganization removes a member account, which becomes a standalone account.
// Returns MasterCannotLeaveOrganizationException for the management account, ConstraintViolation
// CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG, AccountNotFoundException.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, caller, id string) error {
	if err := checkAccountID("AccountId", id); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		return []string{id}, t.leave(o, id)
	})
}

// LeaveOrganization removes the caller's account from its organization. Returns
// MasterCannotLeaveOrganizationException for the management account.
func (s *Service) LeaveOrganization(ctx context.Context, caller string) error {
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.memberOrg(caller)
		if err != nil {
			return nil, err
		}
		return []string{caller}, t.leave(o, caller)
	})
}

func (t txn) leave(o *Organization, id string) error {
	if id == o.MasterAccountID {
		return errorf(awserr.OrgsMasterCannotLeave, "You can't remove the management account from an organization. Delete the organization instead.")
	}
	a, err := t.mustMember(o, id)
	if err != nil {
		return err
	}
	if o.DelegatedAdmin(id, "") {
		return constraint(ReasonRemoveDelegated, "You can't remove an account that is a delegated administrator; deregister it first.")
	}
	return t.removeMember(o, a)
}

// MoveAccount moves an account from one parent (root or OU) to another. Returns
// AccountNotFoundException, SourceParentNotFoundException, DestinationParentNotFoundException,
// DuplicateAccountException (already in the destination).
func (s *Service) MoveAccount(ctx context.Context, caller, id, source, dest string) error {
	if err := checkAccountID("AccountId", id); err != nil {
		return err
	}
	for _, p := range []struct{ name, v string }{{"SourceParentId", source}, {"DestinationParentId", dest}} {
		if err := checkParentID(p.name, p.v); err != nil {
			return err
		}
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		a, err := t.mustMember(o, id)
		if err != nil {
			return nil, err
		}
		if ok, err := t.parentExists(o, source); err != nil || !ok || a.ParentID != source {
			if err != nil {
				return nil, err
			}
			return nil, errorf(awserr.OrgsSourceParentNotFound, "We can't find a source root or OU with the ParentId that you specified.")
		}
		if ok, err := t.parentExists(o, dest); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, errorf(awserr.OrgsDestinationParentNotFound, "We can't find a destination root or OU with the ParentId that you specified.")
		}
		if dest == source {
			return nil, errorf(awserr.OrgsDuplicateAccount, "That account is already present in the specified destination.")
		}
		a.ParentID = dest
		return []string{id}, t.putMember(o, a)
	})
}
