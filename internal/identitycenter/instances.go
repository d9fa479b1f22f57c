package identitycenter

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
)

// Instance statuses (sso-admin's InstanceStatus). Rootward's instances are ACTIVE from creation:
// nothing is provisioned in the background.
const StatusActive = "ACTIVE"

// Instance is an Identity Center instance as the service answers it.
type Instance struct {
	ID, ARN         string
	IdentityStoreID string
	OwnerAccount    string
	Name            string
	// OrgID is the organization of an organization instance, "" for an account instance.
	OrgID   string
	Status  string
	Created time.Time
	Tags    []Tag
	// ProviderARN is the SAML provider the instance's roles trust in account ACCOUNT:
	// ProviderARN(ACCOUNT).
	providerID string
}

// ProviderName is the name of the SAML provider that the roles the instance provisions in an
// account trust there (AWSSSO_<id>_DO_NOT_DELETE, as Identity Center names it).
func (i *Instance) ProviderName() string { return "AWSSSO_" + i.providerID + "_DO_NOT_DELETE" }

// InstanceARN is arn:aws:sso:::instance/ID.
func InstanceARN(id string) string { return arn.SSO("instance/" + id) }

// IdentityStoreARN is arn:aws:identitystore::ACCOUNT:identitystore/ID.
func IdentityStoreARN(account, id string) string {
	return arn.IdentityStore(account, "identitystore/"+id)
}

func (r *instanceRecord) instance(owner string) *Instance {
	return &Instance{ID: r.ID, ARN: InstanceARN(r.ID), IdentityStoreID: r.StoreID, OwnerAccount: owner, Name: r.Name,
		OrgID: r.OrgID, Status: r.Status, Created: r.Created, Tags: slices.Clone(r.Tags), providerID: r.ProviderID}
}

// instanceARNPattern is InstanceArn's pattern (sso-admin model), the partition fixed to aws.
var instanceARNPattern = regexp.MustCompile(`^arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)

// InstanceID returns the ID an instance ARN names. Returns ValidationException for a malformed ARN.
func InstanceID(instanceARN string) (string, error) {
	if !instanceARNPattern.MatchString(instanceARN) {
		return "", invalid("The value of InstanceArn is not a valid instance ARN.")
	}
	return instanceARN[strings.LastIndexByte(instanceARN, '/')+1:], nil
}

// identityStoreIDPattern is IdentityStoreId's pattern (identity store model), IDs only.
var identityStoreIDPattern = regexp.MustCompile(`^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// StoreID returns the identity store ID of an IdentityStoreId member, which may be the ID or the
// store's ARN. Returns ValidationException.
func StoreID(idOrARN string) (string, error) {
	if rest, ok := strings.CutPrefix(idOrARN, "arn:aws:identitystore::"); ok {
		if _, id, ok := strings.Cut(rest, ":identitystore/"); ok && identityStoreIDPattern.MatchString(id) {
			return id, nil
		}
	} else if identityStoreIDPattern.MatchString(idOrARN) {
		return idOrARN, nil
	}
	return "", invalid("The value of IdentityStoreId is not a valid identity store ID.")
}

// ref is an instance resolved for a caller: the account holding its records.
type ref struct {
	account, instance, store string
}

// resolve finds the instance or identity store id names, for caller: its owner, or the delegated
// administrator for sso.amazonaws.com of the organization an organization instance serves. Anyone
// else finds nothing (notFound), so that IDs of other accounts cannot be probed.
func (s *Service) resolve(ctx context.Context, caller, id string, notFound func() error) (ref, error) {
	var d *directoryRecord
	var orgID string
	err := store.View(ctx, s.st, func(t txn) error {
		r, ok, err := directory.Get(t, "", id)
		if err != nil || !ok {
			return err
		}
		d = r
		in, ok, err := instances.Get(t, r.Account, r.Instance)
		if err != nil || !ok {
			d = nil
			return err
		}
		orgID = in.OrgID
		return nil
	})
	if err != nil {
		return ref{}, err
	}
	if d == nil {
		return ref{}, notFound()
	}
	if d.Account != caller {
		if orgID == "" || s.orgs == nil {
			return ref{}, notFound()
		}
		o, err := s.orgs.OrganizationOf(ctx, caller)
		if err != nil {
			return ref{}, err
		}
		if o == nil || o.ID != orgID || !o.DelegatedAdmin(caller, ServicePrincipal) {
			return ref{}, notFound()
		}
	}
	r := ref{account: d.Account, instance: d.Instance}
	if strings.HasPrefix(id, "d-") {
		r.store = id
	} else {
		err := store.View(ctx, s.st, func(t txn) error {
			in, _, err := instances.Get(t, d.Account, d.Instance)
			if in != nil {
				r.store = in.StoreID
			}
			return err
		})
		if err != nil {
			return ref{}, err
		}
	}
	return r, nil
}

func instanceNotFound() error { return ssoNotFound("The specified instance does not exist.") }

// resolveInstance resolves an InstanceArn for caller. Returns ValidationException and
// ResourceNotFoundException.
func (s *Service) resolveInstance(ctx context.Context, caller, instanceARN string) (ref, error) {
	id, err := InstanceID(instanceARN)
	if err != nil {
		return ref{}, err
	}
	return s.resolve(ctx, caller, id, instanceNotFound)
}

// resolveStore resolves an IdentityStoreId for caller. Returns ValidationException and
// ResourceNotFoundException (IDENTITY_STORE).
func (s *Service) resolveStore(ctx context.Context, caller, idOrARN string) (ref, error) {
	id, err := StoreID(idOrARN)
	if err != nil {
		return ref{}, err
	}
	return s.resolve(ctx, caller, id, func() error { return notFound(ResourceIdentityStore, id) })
}

// newInstance writes a new instance of account in t.
func (t txn) newInstance(account, name, orgID string, tags []Tag, at time.Time) (*instanceRecord, error) {
	r := &instanceRecord{ID: "ssoins-" + randomHex(16), StoreID: "d-" + randomHex(10), Name: name, OrgID: orgID,
		Status: StatusActive, Created: at, Tags: tags, ProviderID: randomHex(16)}
	if err := instances.Insert(t, account, r.ID, r); err != nil {
		return nil, err
	}
	for _, id := range []string{r.ID, r.StoreID} {
		if err := directory.Insert(t, "", id, &directoryRecord{Account: account, Instance: r.ID}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// accountInstance returns the instance account holds, nil for none.
func (t txn) accountInstance(account string) (*instanceRecord, error) {
	items, err := instances.List(t, account, "", "", 1)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return items[0].Record, nil
}

// createOrgInstance is the trusted-access hook (orgs.AccessHook): the organization's instance,
// in its management account, created at once ("IAM Identity Center and AWS Organizations",
// Organizations User Guide: enabling trusted access from Organizations lets Identity Center
// create its organization instance). A management account that already holds an instance keeps
// it.
func (s *Service) createOrgInstance(tx store.Txn, o *orgs.Organization, at time.Time) error {
	t := txn{tx}
	in, err := t.accountInstance(o.MasterAccountID)
	if err != nil || in != nil {
		return err
	}
	_, err = t.newInstance(o.MasterAccountID, "", o.ID, nil, at.UTC())
	return err
}

// namePattern is an instance Name's pattern (sso-admin model, NameType: 1–255).
var namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// CreateInstance creates an account instance in caller, a standalone account or a member of an
// organization ("Account instances of IAM Identity Center", User Guide). Returns ConflictException
// when caller holds an instance already (one per account), ValidationException for a bad name or
// tags, or when caller is an organization's management account, whose instance is the
// organization's (created by trusted access).
func (s *Service) CreateInstance(ctx context.Context, caller, name string, tags []Tag) (*Instance, error) {
	if name != "" && (len(name) > 255 || !namePattern.MatchString(name)) {
		return nil, invalid("The value of Name is not valid: it must be 1 to 255 characters of [\\w+=,.@-].")
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	if s.orgs != nil {
		o, err := s.orgs.OrganizationOf(ctx, caller)
		if err != nil {
			return nil, err
		}
		if o != nil && o.MasterAccountID == caller {
			// Rootward's words: AWS refuses an account instance in the management account.
			return nil, invalid("The management account of an organization cannot create an account instance; enable trusted access for sso.amazonaws.com to create the organization instance.")
		}
	}
	var out *Instance
	err := store.Update(ctx, s.st, func(t txn) error {
		in, err := t.accountInstance(caller)
		if err != nil {
			return err
		}
		if in != nil {
			return conflict("", "An instance of IAM Identity Center already exists in this account: %s.", in.ID)
		}
		r, err := t.newInstance(caller, name, "", tags, s.Now())
		if err != nil {
			return err
		}
		out = r.instance(caller)
		return nil
	})
	return out, err
}

// ListInstances returns the instances caller may manage: its own, and the organization's when
// caller is its delegated administrator for sso.amazonaws.com.
func (s *Service) ListInstances(ctx context.Context, caller string) ([]Instance, error) {
	var out []Instance
	accounts := []string{caller}
	if s.orgs != nil {
		o, err := s.orgs.OrganizationOf(ctx, caller)
		if err != nil {
			return nil, err
		}
		if o != nil && o.MasterAccountID != caller && o.DelegatedAdmin(caller, ServicePrincipal) {
			accounts = append(accounts, o.MasterAccountID)
		}
	}
	err := store.View(ctx, s.st, func(t txn) error {
		for _, a := range accounts {
			in, err := t.accountInstance(a)
			if err != nil {
				return err
			}
			if in != nil && (a == caller || in.OrgID != "") {
				out = append(out, *in.instance(a))
			}
		}
		return nil
	})
	return out, err
}

// DescribeInstance returns an instance. Returns ValidationException, ResourceNotFoundException.
func (s *Service) DescribeInstance(ctx context.Context, caller, instanceARN string) (*Instance, error) {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return nil, err
	}
	return s.instance(ctx, r)
}

func (s *Service) instance(ctx context.Context, r ref) (*Instance, error) {
	var out *Instance
	err := store.View(ctx, s.st, func(t txn) error {
		in, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil {
			return err
		}
		if !ok {
			return instanceNotFound()
		}
		out = in.instance(r.account)
		return nil
	})
	return out, err
}

// UpdateInstance renames an instance. Returns ValidationException, ResourceNotFoundException.
func (s *Service) UpdateInstance(ctx context.Context, caller, instanceARN, name string) error {
	if name == "" || len(name) > 255 || !namePattern.MatchString(name) {
		return invalid("The value of Name is not valid: it must be 1 to 255 characters of [\\w+=,.@-].")
	}
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		in, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil {
			return err
		}
		if !ok {
			return instanceNotFound()
		}
		in.Name = name
		return instances.Put(t, r.account, r.instance, in)
	})
}

// ErrProvisioned is DeleteInstance's refusal while permission sets are provisioned: their roles
// must go first (DeleteAccountAssignment), so that no role trusts an instance that is gone.
var ErrProvisioned = errors.New("identitycenter: permission sets are provisioned")

// DeleteInstance deletes an account instance and everything it holds: users, groups,
// memberships, permission sets and finished requests. Only the owner may ("Only the account that
// owns the instance can call this API", API Reference, DeleteInstance). Rootward refuses while
// permission sets are still provisioned to accounts (ConflictException), rather than delete roles
// behind the caller's back, and refuses the organization instance (ValidationException), which
// trusted access created. Returns ValidationException, ResourceNotFoundException,
// ConflictException.
func (s *Service) DeleteInstance(ctx context.Context, caller, instanceARN string) error {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return err
	}
	if r.account != caller {
		return denied("Only the account that owns the instance can delete it.")
	}
	return store.Update(ctx, s.st, func(t txn) error {
		in, ok, err := instances.Get(t, r.account, r.instance)
		if err != nil {
			return err
		}
		if !ok {
			return instanceNotFound()
		}
		if in.OrgID != "" {
			// Rootward's choice, in its own words: the organization instance follows trusted access.
			return invalid("The organization instance of IAM Identity Center cannot be deleted through this API.")
		}
		n, err := t.Count(kindProvisioned, r.account, r.instance+"/")
		if err != nil {
			return err
		}
		if n > 0 {
			return conflict("", "The instance has permission sets provisioned to accounts; delete its account assignments first.")
		}
		if err := deleteAll(t, users, r.account, in.StoreID+"/"); err != nil {
			return err
		}
		if err := deleteAll(t, groups, r.account, in.StoreID+"/"); err != nil {
			return err
		}
		if err := deleteAll(t, memberships, r.account, in.StoreID+"/"); err != nil {
			return err
		}
		for _, k := range []func() error{
			func() error { return deleteAll(t, permissionSets, r.account, r.instance+"/") },
			func() error { return deleteAll(t, assignments, r.account, r.instance+"/") },
			func() error { return deleteAll(t, requests, r.account, r.instance+"/") },
		} {
			if err := k(); err != nil {
				return err
			}
		}
		for _, id := range []string{in.ID, in.StoreID} {
			if err := directory.DeleteIfExists(t, "", id); err != nil {
				return err
			}
		}
		return instances.Delete(t, r.account, r.instance)
	})
}

// deleteAll deletes the records of k under prefix, with their index entries.
func deleteAll[R any](t txn, k *store.Kind[R], account, prefix string) error {
	keys, err := t.Keys(k.Name, account, prefix)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.Delete(t, account, prefix+key); err != nil {
			return err
		}
	}
	return nil
}

// checkTags applies the tag rules of both APIs: at most 50, keys 1–128 characters, values at most
// 256, no repeated key, no aws: prefix ("Tag", sso-admin API Reference).
func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return invalid("The number of tags exceeds the limit of 50.")
	}
	seen := map[string]bool{}
	for _, tg := range tags {
		if tg.Key == "" || len(tg.Key) > 128 || len(tg.Value) > 256 {
			return invalid("A tag key must be 1 to 128 characters and a tag value at most 256.")
		}
		if strings.HasPrefix(strings.ToLower(tg.Key), "aws:") {
			return invalid("Tag keys starting with aws: are reserved.")
		}
		if seen[tg.Key] {
			return invalid("Duplicate tag key %s.", tg.Key)
		}
		seen[tg.Key] = true
	}
	return nil
}

// Owner returns the account holding the instance or identity store id names (an instance ID,
// a store ID or a store ARN), "" when there is none. It checks no permission: it is for building
// the ARN an action is authorized on, before the action runs.
func (s *Service) Owner(ctx context.Context, id string) (string, error) {
	if sid, err := StoreID(id); err == nil {
		id = sid
	}
	var owner string
	err := store.View(ctx, s.st, func(t txn) error {
		d, ok, err := directory.Get(t, "", id)
		if ok {
			owner = d.Account
		}
		return err
	})
	return owner, err
}

// TagsOf returns the tags of the instance or permission set resourceARN names, nil when there is
// none. It checks no permission: the tags are aws:ResourceTag/* of the action's authorization.
func (s *Service) TagsOf(ctx context.Context, resourceARN string) ([]Tag, error) {
	var tags []Tag
	err := store.View(ctx, s.st, func(t txn) error {
		if id, err := InstanceID(resourceARN); err == nil {
			r, err := t.instanceRef(id)
			if err != nil {
				return nil
			}
			in, _, err := instances.Get(t, r.account, r.instance)
			if in != nil {
				tags = in.Tags
			}
			return err
		}
		inst, id, err := PermissionSetID(resourceARN)
		if err != nil {
			return nil
		}
		r, err := t.instanceRef(inst)
		if err != nil {
			return nil
		}
		ps, _, err := permissionSets.Get(t, r.account, key(r.instance, id))
		if ps != nil {
			tags = ps.Tags
		}
		return err
	})
	return tags, err
}
