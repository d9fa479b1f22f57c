package identitycenter

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// PermissionSet is a permission set as the service answers it.
type PermissionSet struct {
	ARN, ID, InstanceID string
	Name, Description   string
	SessionDuration     string
	RelayState          string
	Created             time.Time
	Tags                []Tag
}

// CustomerPolicyRef names a customer managed policy by name and path, resolved in each account a
// permission set is provisioned to.
type CustomerPolicyRef struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// ARN is the policy's ARN in account.
func (c CustomerPolicyRef) ARN(account string) string {
	return arn.IAMEntity(account, "policy", c.Path, c.Name)
}

// Boundary is a permission set's permissions boundary: an AWS managed policy, or a customer
// managed policy reference.
type Boundary struct {
	ManagedPolicyARN string             `json:"arn,omitempty"`
	Customer         *CustomerPolicyRef `json:"customer,omitempty"`
}

// PermissionSetARN is arn:aws:sso:::permissionSet/INSTANCE/PS.
func PermissionSetARN(instance, id string) string {
	return arn.SSO("permissionSet/" + instance + "/" + id)
}

func (r *permissionSetRecord) permissionSet(instance string) *PermissionSet {
	return &PermissionSet{ARN: PermissionSetARN(instance, r.ID), ID: r.ID, InstanceID: instance, Name: r.Name,
		Description: r.Description, SessionDuration: r.SessionDuration, RelayState: r.RelayState, Created: r.Created,
		Tags: slices.Clone(r.Tags)}
}

var (
	psARNPattern       = regexp.MustCompile(`^arn:aws:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	psNamePattern      = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
	psDescPattern      = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
	relayStatePattern  = regexp.MustCompile(`^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+\[\] (){}]{1,240}$`)
	durationPattern    = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)
	customerNamePat    = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	customerPathPat    = regexp.MustCompile(`^((/[A-Za-z0-9.,+@=_-]+)*)/$`)
	managedPolicyARNRe = regexp.MustCompile(`^arn:aws:iam::aws:policy/[\x{0021}-\x{007E}]+$`)
)

// DefaultSessionDuration is a permission set's session length when none is given.
const DefaultSessionDuration = "PT1H"

// SessionSeconds returns the length of an ISO-8601 SessionDuration of 1 to 12 hours ("Set
// session duration", User Guide: "from 1 to 12 hours"). Returns ValidationException.
func SessionSeconds(d string) (int, error) {
	m := durationPattern.FindStringSubmatch(d)
	if m == nil || d == "PT" {
		return 0, invalid("The value of SessionDuration is not valid: give an ISO-8601 duration such as PT1H or PT8H30M.")
	}
	secs := 0
	for i, unit := range []int{3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 100000 {
			return 0, invalid("The value of SessionDuration is not valid: give an ISO-8601 duration such as PT1H or PT8H30M.")
		}
		secs += n * unit
	}
	if secs < 3600 || secs > 12*3600 {
		return 0, invalid("SessionDuration must be between 1 and 12 hours.")
	}
	return secs, nil
}

// PermissionSetID returns the instance and permission set IDs a permission set ARN names.
// Returns ValidationException.
func PermissionSetID(psARN string) (instance, id string, err error) {
	if !psARNPattern.MatchString(psARN) {
		return "", "", invalid("The value of PermissionSetArn is not a valid permission set ARN.")
	}
	parts := strings.Split(strings.TrimPrefix(psARN, "arn:aws:sso:::permissionSet/"), "/")
	return parts[0], parts[1], nil
}

// PermissionSetInput is what CreatePermissionSet sets and UpdatePermissionSet changes (nil: not
// given).
type PermissionSetInput struct {
	Description, SessionDuration, RelayState *string
}

func (in *PermissionSetInput) check() error {
	if d := in.Description; d != nil && (*d == "" || len([]rune(*d)) > 700 || !psDescPattern.MatchString(*d)) {
		return invalid("The value of Description is not valid: it must be 1 to 700 printable characters.")
	}
	if d := in.SessionDuration; d != nil {
		if _, err := SessionSeconds(*d); err != nil {
			return err
		}
	}
	if r := in.RelayState; r != nil && !relayStatePattern.MatchString(*r) {
		return invalid("The value of RelayState is not valid: it must be 1 to 240 characters of a URL.")
	}
	return nil
}

func psNotFound() error { return ssoNotFound("Could not find PermissionSet with the given ARN.") }

// maxPermissionSets is the quota of permission sets per instance ("IAM Identity Center quotas":
// 2,000 permission sets per instance).
const maxPermissionSets = 2000

// maxPolicies bounds the managed and customer managed policies of a permission set together:
// IAM's quota of managed policies attached to a role (10 by default, "IAM and AWS STS quotas"),
// which the provisioned role must meet. Identity Center's own quota is 20 with a raised IAM quota.
const maxPolicies = 10

// CreatePermissionSet creates a permission set. Returns ValidationException, ResourceNotFoundException
// (the instance), ConflictException (the name taken), ServiceQuotaExceededException.
func (s *Service) CreatePermissionSet(ctx context.Context, caller, instanceARN, name string, in PermissionSetInput, tags []Tag) (*PermissionSet, error) {
	if !psNamePattern.MatchString(name) {
		return nil, invalid("The value of Name is not valid: it must be 1 to 32 characters of [\\w+=,.@-].")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rec := &permissionSetRecord{ID: "ps-" + randomHex(16), Name: name, SessionDuration: DefaultSessionDuration, Created: now,
		Tags: tags, RoleSuffix: randomHex(16), Changed: now}
	if in.Description != nil {
		rec.Description = *in.Description
	}
	if in.SessionDuration != nil {
		rec.SessionDuration = *in.SessionDuration
	}
	if in.RelayState != nil {
		rec.RelayState = *in.RelayState
	}
	err = store.Update(ctx, s.st, func(t txn) error {
		n, err := t.Count(kindPermissionSet, r.account, r.instance+"/")
		if err != nil {
			return err
		}
		if n >= maxPermissionSets {
			return quota("The number of permission sets in the instance is at its quota of %d.", maxPermissionSets)
		}
		err = permissionSets.Insert(t, r.account, key(r.instance, rec.ID), rec)
		var taken *store.ErrIndexTaken
		if errors.As(err, &taken) {
			return conflict("", "PermissionSet with name %s already exists.", name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec.permissionSet(r.instance), nil
}

// psRef resolves a permission set ARN of an instance for caller.
func (s *Service) psRef(ctx context.Context, caller, instanceARN, psARN string) (ref, string, error) {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return ref{}, "", err
	}
	inst, id, err := PermissionSetID(psARN)
	if err != nil {
		return ref{}, "", err
	}
	if inst != r.instance {
		return ref{}, "", psNotFound()
	}
	return r, id, nil
}

func (t txn) permissionSet(r ref, id string) (*permissionSetRecord, error) {
	ps, ok, err := permissionSets.Get(t, r.account, key(r.instance, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, psNotFound()
	}
	return ps, nil
}

// DescribePermissionSet returns a permission set. Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) DescribePermissionSet(ctx context.Context, caller, instanceARN, psARN string) (*PermissionSet, error) {
	r, id, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	var out *PermissionSet
	err = store.View(ctx, s.st, func(t txn) error {
		ps, err := t.permissionSet(r, id)
		if err == nil {
			out = ps.permissionSet(r.instance)
		}
		return err
	})
	return out, err
}

// ListPermissionSets lists an instance's permission set ARNs in ID order.
func (s *Service) ListPermissionSets(ctx context.Context, caller, instanceARN string, o ListOpts) (store.Page[string], error) {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return store.Page[string]{}, err
	}
	var p store.Page[string]
	err = store.View(ctx, s.st, func(t txn) (err error) {
		p, err = store.ReadPage(permissionSets.Range(t, r.account, r.instance+"/"), o.After, o.limit(), func(it store.Item) (string, bool, error) {
			return PermissionSetARN(r.instance, it.Key[len(r.instance)+1:]), true, nil
		})
		return err
	})
	return p, err
}

// modifyPermissionSet applies fn to a permission set and marks it changed (its provisioned roles
// are then out of date until ProvisionPermissionSet).
func (s *Service) modifyPermissionSet(ctx context.Context, caller, instanceARN, psARN string, fn func(t txn, r ref, ps *permissionSetRecord) error) error {
	r, id, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		ps, err := t.permissionSet(r, id)
		if err != nil {
			return err
		}
		if err := fn(t, r, ps); err != nil {
			return err
		}
		ps.Changed = s.Now()
		return permissionSets.Put(t, r.account, key(r.instance, id), ps)
	})
}

// UpdatePermissionSet changes a permission set's description, session duration or relay state.
func (s *Service) UpdatePermissionSet(ctx context.Context, caller, instanceARN, psARN string, in PermissionSetInput) error {
	if err := in.check(); err != nil {
		return err
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		if in.Description != nil {
			ps.Description = *in.Description
		}
		if in.SessionDuration != nil {
			ps.SessionDuration = *in.SessionDuration
		}
		if in.RelayState != nil {
			ps.RelayState = *in.RelayState
		}
		return nil
	})
}

// DeletePermissionSet deletes a permission set that no account assignment uses and that is
// provisioned nowhere. Returns ConflictException otherwise (Rootward's words: AWS refuses too, its
// text is not documented).
func (s *Service) DeletePermissionSet(ctx context.Context, caller, instanceARN, psARN string) error {
	r, id, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.permissionSet(r, id); err != nil {
			return err
		}
		for _, c := range []struct{ kind, prefix string }{
			{store.IndexKind(kindAssignment, "ps"), key(r.instance, id) + "/"},
			{store.IndexKind(kindProvisioned, "ps"), key(r.instance, id) + "\x00"},
		} {
			n, err := t.Count(c.kind, r.account, c.prefix)
			if err != nil {
				return err
			}
			if n > 0 {
				return conflict("", "The permission set is assigned or provisioned to accounts; delete its account assignments first.")
			}
		}
		return permissionSets.Delete(t, r.account, key(r.instance, id))
	})
}

// AttachManagedPolicy attaches an AWS managed policy. Returns ValidationException,
// ResourceNotFoundException (the permission set, or a policy IAM does not have), ConflictException
// (attached already), ServiceQuotaExceededException.
func (s *Service) AttachManagedPolicy(ctx context.Context, caller, instanceARN, psARN, policyARN string) error {
	if !managedPolicyARNRe.MatchString(policyARN) || len(policyARN) > 2048 {
		return invalid("The value of ManagedPolicyArn is not valid: it must be the ARN of an AWS managed policy.")
	}
	if _, err := s.iam.GetPolicy(ctx, arn.AWSAccount, policyARN); err != nil {
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return ssoNotFound("Policy %s does not exist.", policyARN)
		}
		return err
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		if slices.Contains(ps.ManagedPolicies, policyARN) {
			return conflict("", "Permission set already has the managed policy %s attached.", policyARN)
		}
		if len(ps.ManagedPolicies)+len(ps.CustomerPolices) >= maxPolicies {
			return quota("A permission set may have at most %d managed and customer managed policies.", maxPolicies)
		}
		ps.ManagedPolicies = append(ps.ManagedPolicies, policyARN)
		return nil
	})
}

// DetachManagedPolicy detaches an AWS managed policy. Returns ResourceNotFoundException when it is
// not attached.
func (s *Service) DetachManagedPolicy(ctx context.Context, caller, instanceARN, psARN, policyARN string) error {
	if !managedPolicyARNRe.MatchString(policyARN) {
		return invalid("The value of ManagedPolicyArn is not valid: it must be the ARN of an AWS managed policy.")
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		i := slices.Index(ps.ManagedPolicies, policyARN)
		if i < 0 {
			return ssoNotFound("Managed policy %s is not attached to the permission set.", policyARN)
		}
		ps.ManagedPolicies = slices.Delete(ps.ManagedPolicies, i, i+1)
		return nil
	})
}

// AttachedManagedPolicy is a managed policy of a permission set, by name and ARN.
type AttachedManagedPolicy struct{ Name, ARN string }

// permissionSetView reads a permission set for a listing.
func (s *Service) permissionSetView(ctx context.Context, caller, instanceARN, psARN string) (*permissionSetRecord, ref, error) {
	r, id, err := s.psRef(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, ref{}, err
	}
	var ps *permissionSetRecord
	err = store.View(ctx, s.st, func(t txn) (err error) {
		ps, err = t.permissionSet(r, id)
		return err
	})
	return ps, r, err
}

// ManagedPolicies lists a permission set's AWS managed policies.
func (s *Service) ManagedPolicies(ctx context.Context, caller, instanceARN, psARN string) ([]AttachedManagedPolicy, error) {
	ps, _, err := s.permissionSetView(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	out := make([]AttachedManagedPolicy, 0, len(ps.ManagedPolicies))
	for _, a := range ps.ManagedPolicies {
		out = append(out, AttachedManagedPolicy{Name: a[strings.LastIndexByte(a, '/')+1:], ARN: a})
	}
	return out, nil
}

func checkCustomerRef(c CustomerPolicyRef) (CustomerPolicyRef, error) {
	if c.Path == "" {
		c.Path = "/"
	}
	if !customerNamePat.MatchString(c.Name) || len(c.Path) > 512 || !customerPathPat.MatchString(c.Path) {
		return c, invalid("The customer managed policy reference is not valid: Name is 1 to 128 characters of [\\w+=,.@-] and Path a path such as /team/.")
	}
	return c, nil
}

// AttachCustomerPolicy attaches a customer managed policy reference. Returns ValidationException,
// ResourceNotFoundException, ConflictException, ServiceQuotaExceededException.
func (s *Service) AttachCustomerPolicy(ctx context.Context, caller, instanceARN, psARN string, c CustomerPolicyRef) error {
	c, err := checkCustomerRef(c)
	if err != nil {
		return err
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		if slices.Contains(ps.CustomerPolices, c) {
			return conflict("", "Permission set already has the customer managed policy reference %s%s attached.", c.Path, c.Name)
		}
		if len(ps.ManagedPolicies)+len(ps.CustomerPolices) >= maxPolicies {
			return quota("A permission set may have at most %d managed and customer managed policies.", maxPolicies)
		}
		ps.CustomerPolices = append(ps.CustomerPolices, c)
		return nil
	})
}

// DetachCustomerPolicy detaches a customer managed policy reference. Returns
// ResourceNotFoundException when it is not attached.
func (s *Service) DetachCustomerPolicy(ctx context.Context, caller, instanceARN, psARN string, c CustomerPolicyRef) error {
	c, err := checkCustomerRef(c)
	if err != nil {
		return err
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		i := slices.Index(ps.CustomerPolices, c)
		if i < 0 {
			return ssoNotFound("Customer managed policy reference %s%s is not attached to the permission set.", c.Path, c.Name)
		}
		ps.CustomerPolices = slices.Delete(ps.CustomerPolices, i, i+1)
		return nil
	})
}

// CustomerPolicies lists a permission set's customer managed policy references.
func (s *Service) CustomerPolicies(ctx context.Context, caller, instanceARN, psARN string) ([]CustomerPolicyRef, error) {
	ps, _, err := s.permissionSetView(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ps.CustomerPolices), nil
}

// PutInlinePolicy sets a permission set's inline policy, an IAM identity policy. Returns
// ValidationException (a document that is not a valid identity policy, with the policy engine's
// reason), ResourceNotFoundException.
func (s *Service) PutInlinePolicy(ctx context.Context, caller, instanceARN, psARN, doc string) error {
	if doc == "" || len(doc) > 32768 {
		return invalid("The value of InlinePolicy is not valid: it must be 1 to 32768 characters.")
	}
	if _, err := iam.ValidateDocument(doc, policy.KindIdentity, policy.LimitInlineRole); err != nil {
		if e, ok := awserr.As(err); ok {
			return invalid("The inline policy is not valid: %s", e.Message)
		}
		return err
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		ps.InlinePolicy = doc
		return nil
	})
}

// InlinePolicy returns a permission set's inline policy, "" for none.
func (s *Service) InlinePolicy(ctx context.Context, caller, instanceARN, psARN string) (string, error) {
	ps, _, err := s.permissionSetView(ctx, caller, instanceARN, psARN)
	if err != nil {
		return "", err
	}
	return ps.InlinePolicy, nil
}

// DeleteInlinePolicy removes a permission set's inline policy (none is not an error, as in AWS).
func (s *Service) DeleteInlinePolicy(ctx context.Context, caller, instanceARN, psARN string) error {
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		ps.InlinePolicy = ""
		return nil
	})
}

// PutBoundary sets a permission set's permissions boundary: exactly one of an AWS managed policy
// ARN and a customer managed policy reference. Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) PutBoundary(ctx context.Context, caller, instanceARN, psARN string, b Boundary) error {
	switch {
	case (b.ManagedPolicyARN == "") == (b.Customer == nil):
		return invalid("A permissions boundary names exactly one of ManagedPolicyArn and CustomerManagedPolicyReference.")
	case b.Customer != nil:
		c, err := checkCustomerRef(*b.Customer)
		if err != nil {
			return err
		}
		b.Customer = &c
	default:
		if !managedPolicyARNRe.MatchString(b.ManagedPolicyARN) {
			return invalid("The value of ManagedPolicyArn is not valid: it must be the ARN of an AWS managed policy.")
		}
		if _, err := s.iam.GetPolicy(ctx, arn.AWSAccount, b.ManagedPolicyARN); err != nil {
			if awserr.IsCode(err, awserr.NoSuchEntity) {
				return ssoNotFound("Policy %s does not exist.", b.ManagedPolicyARN)
			}
			return err
		}
	}
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		ps.Boundary = &b
		return nil
	})
}

// GetBoundary returns a permission set's permissions boundary. Returns ResourceNotFoundException
// when it has none.
func (s *Service) GetBoundary(ctx context.Context, caller, instanceARN, psARN string) (*Boundary, error) {
	ps, _, err := s.permissionSetView(ctx, caller, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	if ps.Boundary == nil {
		return nil, ssoNotFound("The permission set has no permissions boundary.")
	}
	b := *ps.Boundary
	return &b, nil
}

// DeleteBoundary removes a permission set's permissions boundary. Returns
// ResourceNotFoundException when it has none.
func (s *Service) DeleteBoundary(ctx context.Context, caller, instanceARN, psARN string) error {
	return s.modifyPermissionSet(ctx, caller, instanceARN, psARN, func(_ txn, _ ref, ps *permissionSetRecord) error {
		if ps.Boundary == nil {
			return ssoNotFound("The permission set has no permissions boundary.")
		}
		ps.Boundary = nil
		return nil
	})
}

// TagPermissionSet and the instance's tags: TagResource, UntagResource, ListTagsForResource name
// an instance or a permission set by ARN.

// Tags returns the tags of the instance or permission set resourceARN names.
func (s *Service) Tags(ctx context.Context, caller, instanceARN, resourceARN string) ([]Tag, error) {
	var out []Tag
	err := s.modifyTags(ctx, caller, instanceARN, resourceARN, false, func(tags *[]Tag) error {
		out = slices.Clone(*tags)
		return nil
	})
	return out, err
}

// TagResource adds or replaces tags. Returns ValidationException (past 50 tags),
// ResourceNotFoundException.
func (s *Service) TagResource(ctx context.Context, caller, instanceARN, resourceARN string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.modifyTags(ctx, caller, instanceARN, resourceARN, true, func(cur *[]Tag) error {
		for _, tg := range tags {
			if i := slices.IndexFunc(*cur, func(c Tag) bool { return c.Key == tg.Key }); i >= 0 {
				(*cur)[i].Value = tg.Value
			} else {
				*cur = append(*cur, tg)
			}
		}
		return checkTags(*cur)
	})
}

// UntagResource removes tag keys.
func (s *Service) UntagResource(ctx context.Context, caller, instanceARN, resourceARN string, keys []string) error {
	return s.modifyTags(ctx, caller, instanceARN, resourceARN, true, func(cur *[]Tag) error {
		*cur = slices.DeleteFunc(*cur, func(c Tag) bool { return slices.Contains(keys, c.Key) })
		return nil
	})
}

// modifyTags runs fn on the tags of the instance or permission set resourceARN names, storing them
// when write is set.
func (s *Service) modifyTags(ctx context.Context, caller, instanceARN, resourceARN string, write bool, fn func(tags *[]Tag) error) error {
	r, err := s.resolveInstance(ctx, caller, instanceARN)
	if err != nil {
		return err
	}
	run := store.View[txn]
	if write {
		run = store.Update[txn]
	}
	if resourceARN == instanceARN {
		return run(ctx, s.st, func(t txn) error {
			in, ok, err := instances.Get(t, r.account, r.instance)
			if err != nil {
				return err
			}
			if !ok {
				return instanceNotFound()
			}
			if err := fn(&in.Tags); err != nil || !write {
				return err
			}
			return instances.Put(t, r.account, r.instance, in)
		})
	}
	inst, id, err := PermissionSetID(resourceARN)
	if err != nil {
		return invalid("The value of ResourceArn is not a valid instance or permission set ARN.")
	}
	if inst != r.instance {
		return psNotFound()
	}
	return run(ctx, s.st, func(t txn) error {
		ps, err := t.permissionSet(r, id)
		if err != nil {
			return err
		}
		if err := fn(&ps.Tags); err != nil || !write {
			return err
		}
		return permissionSets.Put(t, r.account, key(r.instance, id), ps)
	})
}
