package iam

import (
	"context"
	"errors"
	"fmt"
	rwarn "github.com/rootward/rootward/internal/arn"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// Quotas from the IAM User Guide, "IAM and AWS STS quotas".
const (
	maxPolicyVersions    = 5
	maxAttachedPerEntity = 10
	maxPolicyDescription = 1000
	policyDocMaxLength   = 131072 // the API's length constraint on PolicyDocument members
)

// ValidateDocument parses and validates a policy document of the given kind and size limit. Returns
// MalformedPolicyDocument or LimitExceeded, as IAM does.
func ValidateDocument(doc string, kind policy.Kind, limit int) (*policy.Policy, error) {
	if doc == "" {
		return nil, missing("PolicyDocument")
	}
	if len(doc) > policyDocMaxLength {
		return nil, invalid("PolicyDocument", "...", fmt.Sprintf("Member must have length less than or equal to %d", policyDocMaxLength))
	}
	if err := policy.CheckSize(doc, limit); err != nil {
		return nil, err
	}
	p, err := policy.Parse(doc, kind)
	if err == nil && kind == policy.KindIdentity {
		err = policy.CheckResourceRegions(p)
	}
	if kind == policy.KindIdentity {
		err = policy.IdentityWriteAnswer(doc, err)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// validateManagedDocument validates a managed policy's document (CreatePolicy,
// CreatePolicyVersion): as ValidateDocument, and IAM refuses a Version that is missing or
// 2008-10-17 before any other problem but a syntax error (policy.MsgManagedVersion).
func validateManagedDocument(doc string) error {
	_, err := ValidateDocument(doc, policy.KindIdentity, policy.LimitManaged)
	var ae *awserr.Error
	if err != nil && (!errors.As(err, &ae) || ae.Code != awserr.MalformedPolicyDocument || ae.Message == "Syntax errors in policy.") {
		return err
	}
	if v, ok := policy.DeclaredVersion(doc); ok && (v == "" || v == policy.Version2008) {
		return awserr.New(awserr.MalformedPolicyDocument, "%s", policy.MsgManagedVersion)
	}
	return err
}

func policyARN(account, path, name string) string {
	return rwarn.IAMEntity(account, "policy", path, name)
}

// splitPolicyARN returns the account and name of a policy ARN.
func splitPolicyARN(arn string) (account, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, rwarn.IAMServicePrefix)
	if !found {
		return "", "", false
	}
	account, res, found := strings.Cut(rest, ":policy/")
	if !found || account == "" || res == "" {
		return "", "", false
	}
	i := strings.LastIndexByte(res, '/')
	return account, res[i+1:], true
}

func checkPolicyARN(param, arn string) error {
	if arn == "" {
		return missing(param)
	}
	if len(arn) < 20 || len(arn) > 2048 {
		return invalid(param, arn, "Member must have length between 20 and 2048")
	}
	if _, _, ok := splitPolicyARN(arn); !ok {
		return awserr.New(awserr.InvalidInput, "ARN %s is not valid.", arn)
	}
	return nil
}

// CreatePolicyInput are CreatePolicy's parameters.
type CreatePolicyInput struct {
	PolicyName, Path, PolicyDocument, Description string
	Tags                                          []Tag
}

// CreatePolicy creates a customer managed policy with version v1 as default.
func (s *Service) CreatePolicy(ctx context.Context, account string, in CreatePolicyInput) (*ManagedPolicy, error) {
	if err := checkName("PolicyName", in.PolicyName, 128); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := checkPath("Path", in.Path); err != nil {
		return nil, err
	}
	if len(in.Description) > maxPolicyDescription {
		return nil, invalid("Description", in.Description, "Member must have length less than or equal to 1000")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := validateManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	now := s.Now()
	p := &ManagedPolicy{
		PolicyName: in.PolicyName, PolicyID: newID("ANPA", 17), Arn: policyARN(account, in.Path, in.PolicyName),
		Path: in.Path, DefaultVersionID: "v1", IsAttachable: true, Description: in.Description,
		CreateDate: now, UpdateDate: now, Tags: in.Tags, NextVersion: 2,
		Versions: []PolicyVersion{{Document: in.PolicyDocument, VersionID: "v1", CreateDate: now}},
	}
	err := s.update(ctx, account, func(t txn) error {
		if err := policies.Insert(t, account, fold(in.PolicyName), policyRecordOf(p)); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// managedPolicy loads a policy by ARN, customer (in account) or AWS managed, with its counts.
func (t txn) managedPolicy(account, arn string) (*ManagedPolicy, error) {
	p, err := t.attachablePolicy(account, arn)
	if err != nil {
		return nil, err
	}
	n, err := attachments.Count(t, "policy", account, arn+sep)
	if err != nil {
		return nil, err
	}
	p.AttachmentCount = n
	if p.PermissionsBoundaryUsageCount, err = t.boundaryUses(account, arn); err != nil {
		return nil, err
	}
	return p, nil
}

// attachablePolicy loads a policy by ARN, customer (in account) or AWS managed, without its
// counts, which read every attachment of the policy: in a write transaction on PostgreSQL that
// read would conflict with every concurrent attachment of the same policy to anyone else
// (SERIALIZABLE sees the count change), so writers that only need the policy to exist use this.
func (t txn) attachablePolicy(account, arn string) (*ManagedPolicy, error) {
	notFound := awserr.New(awserr.NoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
	var p *ManagedPolicy
	if aws, ok := awsManagedByARN(arn); ok {
		p = aws
	} else {
		acct, name, ok := splitPolicyARN(arn)
		if !ok {
			return nil, awserr.New(awserr.InvalidInput, "ARN %s is not valid.", arn)
		}
		if acct != account {
			return nil, notFound
		}
		r, found, err := policies.Get(t, account, fold(name))
		if err != nil {
			return nil, err
		}
		if !found || r.Arn != arn {
			return nil, notFound
		}
		p = r.policy()
		p.IsAttachable = true
	}
	for i := range p.Versions {
		p.Versions[i].IsDefaultVersion = p.Versions[i].VersionID == p.DefaultVersionID
	}
	return p, nil
}

func (t txn) putPolicy(account string, p *ManagedPolicy) error {
	return policies.Put(t, account, fold(p.PolicyName), policyRecordOf(p))
}

// GetPolicy returns a managed policy. Returns NoSuchEntity.
func (s *Service) GetPolicy(ctx context.Context, account, arn string) (*ManagedPolicy, error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return nil, err
	}
	var p *ManagedPolicy
	err := s.view(ctx, func(t txn) (err error) {
		p, err = t.managedPolicy(account, arn)
		return err
	})
	return p, err
}

// DeletePolicy deletes a customer managed policy that is not attached and has only its default
// version left. Returns DeleteConflict otherwise.
func (s *Service) DeletePolicy(ctx context.Context, account, arn string) error {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.managedPolicy(account, arn)
		if err != nil {
			return err
		}
		if rwarn.IsAWSManaged(arn) {
			return awserr.New(awserr.InvalidInput, "ARN %s is not valid: AWS managed policies cannot be deleted.", arn)
		}
		if p.AttachmentCount > 0 || p.PermissionsBoundaryUsageCount > 0 {
			return awserr.New(awserr.DeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return awserr.New(awserr.DeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return policies.DeleteIfExists(t, account, fold(p.PolicyName))
	})
}

// ListPoliciesInput are ListPolicies' filters.
type ListPoliciesInput struct {
	Scope             string // All (default), AWS, Local
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string // PermissionsPolicy | PermissionsBoundary | ""
}

// ListPolicies lists AWS managed then customer managed policies, as IAM orders them.
func (s *Service) ListPolicies(ctx context.Context, account string, in ListPoliciesInput, o ListOpts) (Page[ManagedPolicy], error) {
	switch in.Scope {
	case "", "All", "AWS", "Local":
	default:
		return Page[ManagedPolicy]{}, invalid("Scope", in.Scope, "Member must satisfy enum value set: [All, AWS, Local]")
	}
	switch in.PolicyUsageFilter {
	case "", "PermissionsPolicy", "PermissionsBoundary":
	default:
		return Page[ManagedPolicy]{}, invalid("PolicyUsageFilter", in.PolicyUsageFilter, "Member must satisfy enum value set: [PermissionsBoundary, PermissionsPolicy]")
	}
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return Page[ManagedPolicy]{}, err
	}
	keep := func(p *ManagedPolicy) bool {
		if !strings.HasPrefix(p.Path, in.PathPrefix) {
			return false
		}
		if in.OnlyAttached && p.AttachmentCount == 0 && p.PermissionsBoundaryUsageCount == 0 {
			return false
		}
		if in.PolicyUsageFilter == "PermissionsPolicy" && in.OnlyAttached && p.AttachmentCount == 0 {
			return false
		}
		if in.PolicyUsageFilter == "PermissionsBoundary" && in.OnlyAttached && p.PermissionsBoundaryUsageCount == 0 {
			return false
		}
		return true
	}
	var p Page[ManagedPolicy]
	err := s.view(ctx, func(t txn) error {
		src := t.policies(account, in.Scope, in.PathPrefix)
		if in.OnlyAttached {
			src = t.attachedPolicies(account, in.Scope, in.PathPrefix, in.PolicyUsageFilter)
		}
		var err error
		p, err = readPage(src, o, func(it store.Item) (ManagedPolicy, bool, error) {
			full, err := t.managedPolicy(account, it.Key)
			if in.OnlyAttached && awserr.IsCode(err, awserr.NoSuchEntity) {
				return ManagedPolicy{}, false, nil // an attachment of an AWS managed policy AWS has withdrawn
			}
			if err != nil {
				return ManagedPolicy{}, false, err
			}
			return *full, keep(full), nil
		})
		return err
	})
	return p, err
}

// attachedPolicies is the Source of ListPolicies with OnlyAttached, in the order of policies: the
// distinct values of the "inuse" indexes (records_policies.go) of the attachments (unless usage is
// PermissionsBoundary) and of the users' and roles' permissions boundaries (unless it is
// PermissionsPolicy), in the ranges scope and pathPrefix select. A page reads a page of values
// from each index, however many policies, attached or not, come before it. The AWS managed policies'
// values are in name order, so a PathPrefix other than "/" is checked on each of them (ListPolicies'
// keep): a page may read past the attached AWS managed policies outside the prefix, at most the
// catalogue's 1,452. A position and an item's Key are a policy's ARN.
func (t txn) attachedPolicies(account, scope, pathPrefix, usage string) store.Source {
	byPath := pathPrefix != "" && pathPrefix != "/"
	var ranges []string
	if scope != "Local" {
		ranges = append(ranges, inUseAWS)
	}
	if scope != "AWS" {
		if byPath {
			ranges = append(ranges, inUseOwnPath+pathPrefix)
		} else {
			ranges = append(ranges, inUseOwn)
		}
	}
	var merged store.Source
	for _, r := range ranges {
		var srcs []store.Source
		if usage != UsagePermissionsBoundary {
			srcs = append(srcs, attachments.IndexRange(t, "inuse", account, r))
		}
		if usage != UsagePermissionsPolicy {
			srcs = append(srcs, users.IndexRange(t, "inuse", account, r), roles.IndexRange(t, "inuse", account, r))
		}
		for _, src := range srcs {
			if merged == nil {
				merged = distinctValues(src)
			} else {
				merged = store.Merge(merged, distinctValues(src))
			}
		}
	}
	if merged == nil {
		return store.FromSorted(nil)
	}
	return func(after string, n int) ([]store.Item, error) {
		if after != "" {
			values := inUseValues(after)
			switch {
			case len(values) == 0:
				return nil, nil
			case byPath && len(values) > 1:
				after = values[1]
			default:
				after = values[0]
			}
		}
		items, err := merged(after, n)
		for i, it := range items {
			items[i].Key = it.Key[strings.LastIndex(it.Key, inUseSep)+1:]
		}
		return items, err
	}
}

// distinctValues is the Source of the distinct values of src, a range of an "inuse" index's
// entries (value, sep, record key): an item's Key is a value, also its position. It reads the
// entries in batches of at most a page and at most 64, and skips what is left of a batch's last
// value with the next read (after value + inUseSep, which no other value starts with), so a page
// costs at most a read per value it yields, however many principals a policy has.
func distinctValues(src store.Source) store.Source {
	return func(after string, n int) ([]store.Item, error) {
		var out []store.Item
		pos := after
		if pos != "" {
			pos += inUseSep
		}
		for len(out) < n {
			b := min(n-len(out), 64)
			entries, err := src(pos, b)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				v, _, _ := strings.Cut(e.Key, sep)
				if len(out) < n && (len(out) == 0 || out[len(out)-1].Key != v) {
					out = append(out, store.Item{Key: v})
				}
				pos = v + inUseSep
			}
			if len(entries) < b {
				break
			}
		}
		return out, nil
	}
}

// policies is the Source of ListPolicies: the AWS managed policies under pathPrefix in the order
// Rootward ships them, then the account's own, unless scope leaves either out. The account's own
// come in key order (lower-case name), or, with a path prefix other than "/" (which every path
// matches), from the path index: by path, then name, reading only the policies under the prefix.
// (AWS documents no order for a PathPrefix listing.) A position is a policy's ARN; an item's Key is
// its ARN. One page reads one page of the account's policies, however many it has.
func (t txn) policies(account, scope, pathPrefix string) store.Source {
	aws := awsManagedSource(pathPrefix)
	byPath := pathPrefix != "" && pathPrefix != "/"
	own := policies.Range(t, account, "")
	if byPath {
		own = policies.Resolved(t, account, policies.IndexRange(t, "path", account, pathPrefix))
	}
	return func(after string, n int) ([]store.Item, error) {
		var out []store.Item
		ownAfter := ""
		if _, isAWS := awsManagedByARN(after); isAWS || after == "" {
			if scope != "Local" {
				var err error
				if out, err = aws(after, n); err != nil {
					return nil, err
				}
			}
		} else {
			_, name, ok := splitPolicyARN(after)
			if !ok {
				return nil, nil
			}
			ownAfter = fold(name)
			if byPath {
				ownAfter, _ = policyPosition(after)
			}
		}
		if scope == "AWS" || len(out) == n {
			return out, nil
		}
		items, err := own(ownAfter, n-len(out))
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Body == nil { // a path index entry whose policy has gone (Resolved)
				continue
			}
			r, err := policies.Decode(it.Body)
			if err != nil {
				return nil, err
			}
			out = append(out, store.Item{Key: r.Arn})
		}
		return out, nil
	}
}

// pageSlice pages an in-memory slice in its own order; the Marker is the last item's id.
func pageSlice[T any](items []T, id func(T) string, o ListOpts) (Page[T], error) {
	ids := make([]string, len(items))
	byID := make(map[string]T, len(items))
	for i, it := range items {
		ids[i] = id(it)
		byID[ids[i]] = it
	}
	return readPage(store.FromList(ids), o, func(it store.Item) (T, bool, error) { return byID[it.Key], true, nil })
}

// CreatePolicyVersion adds a version (at most five). Returns LimitExceeded.
func (s *Service) CreatePolicyVersion(ctx context.Context, account, arn, doc string, setDefault bool) (*PolicyVersion, error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return nil, err
	}
	if err := validateManagedDocument(doc); err != nil {
		return nil, err
	}
	var v PolicyVersion
	err := s.update(ctx, account, func(t txn) error {
		p, err := t.customerPolicy(account, arn)
		if err != nil {
			return err
		}
		if len(p.Versions) >= maxPolicyVersions {
			return awserr.New(awserr.LimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v = PolicyVersion{Document: doc, VersionID: fmt.Sprintf("v%d", p.NextVersion), CreateDate: s.Now()}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		if setDefault {
			p.DefaultVersionID = v.VersionID
		}
		p.UpdateDate = v.CreateDate
		v.IsDefaultVersion = setDefault
		return t.putPolicy(account, p)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// customerPolicy loads a customer managed policy to change it, without its counts (see
// attachablePolicy): a change of the policy must not conflict with its attachment to others.
func (t txn) customerPolicy(account, arn string) (*ManagedPolicy, error) {
	p, err := t.attachablePolicy(account, arn)
	if err != nil {
		return nil, err
	}
	if rwarn.IsAWSManaged(arn) {
		return nil, awserr.New(awserr.InvalidInput, "ARN %s is not valid: AWS managed policies cannot be changed.", arn)
	}
	return p, nil
}

// GetPolicyVersion returns one version. Returns NoSuchEntity.
func (s *Service) GetPolicyVersion(ctx context.Context, account, arn, versionID string) (*PolicyVersion, error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return nil, err
	}
	var out *PolicyVersion
	err := s.view(ctx, func(t txn) error {
		p, err := t.managedPolicy(account, arn)
		if err != nil {
			return err
		}
		for _, v := range p.Versions {
			if v.VersionID == versionID {
				out = &v
				return nil
			}
		}
		return awserr.New(awserr.NoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
	})
	return out, err
}

// ListPolicyVersions lists a policy's versions, newest first, as IAM does.
func (s *Service) ListPolicyVersions(ctx context.Context, account, arn string, o ListOpts) (Page[PolicyVersion], error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return Page[PolicyVersion]{}, err
	}
	var vs []PolicyVersion
	err := s.view(ctx, func(t txn) error {
		p, err := t.managedPolicy(account, arn)
		if err != nil {
			return err
		}
		for i := len(p.Versions) - 1; i >= 0; i-- {
			v := p.Versions[i]
			v.Document = ""
			vs = append(vs, v)
		}
		return nil
	})
	if err != nil {
		return Page[PolicyVersion]{}, err
	}
	return pageSlice(vs, func(v PolicyVersion) string { return v.VersionID }, o)
}

// DeletePolicyVersion deletes a non-default version. Returns DeleteConflict for the default one.
func (s *Service) DeletePolicyVersion(ctx context.Context, account, arn, versionID string) error {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.customerPolicy(account, arn)
		if err != nil {
			return err
		}
		if versionID == p.DefaultVersionID {
			return awserr.New(awserr.DeleteConflict, "Cannot delete the default version of a policy.")
		}
		for i, v := range p.Versions {
			if v.VersionID == versionID {
				p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
				return t.putPolicy(account, p)
			}
		}
		return awserr.New(awserr.NoSuchEntity, "Policy %s version %s does not exist.", arn, versionID)
	})
}

// SetDefaultPolicyVersion makes versionID the default. Returns NoSuchEntity.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, account, arn, versionID string) error {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.customerPolicy(account, arn)
		if err != nil {
			return err
		}
		for _, v := range p.Versions {
			if v.VersionID == versionID {
				p.DefaultVersionID = versionID
				p.UpdateDate = s.Now()
				return t.putPolicy(account, p)
			}
		}
		return awserr.New(awserr.NoSuchEntity, "Policy %s version %s does not exist.", arn, versionID)
	})
}

// TagPolicy and UntagPolicy edit a customer managed policy's tags.
func (s *Service) TagPolicy(ctx context.Context, account, arn string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.customerPolicy(account, arn)
		if err != nil {
			return err
		}
		if p.Tags, err = mergeTags(p.Tags, tags, "TagsPerPolicy"); err != nil {
			return err
		}
		return t.putPolicy(account, p)
	})
}

// UntagPolicy removes tag keys from a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, account, arn string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		p, err := t.customerPolicy(account, arn)
		if err != nil {
			return err
		}
		p.Tags = removeTags(p.Tags, keys)
		return t.putPolicy(account, p)
	})
}

// principal checks that a user, group or role exists.
func (t txn) principalExists(account, ptype, name string) error {
	var kind, label, param string
	maxLen := 128
	switch ptype {
	case principalUserT:
		kind, label, param = users.Name, "user", "UserName"
	case principalGroupT:
		kind, label, param = groups.Name, "group", "GroupName"
	default:
		kind, label, param, maxLen = roles.Name, "role", "RoleName", 64
	}
	_, err := t.Get(kind, account, fold(name))
	if errors.Is(err, store.ErrNotFound) {
		return notFound(param, name, maxLen, label)
	}
	return err
}

// modifiablePrincipal checks that a user, group or role exists and that a caller may change its
// policies: not those of a service-linked role (protectedRole).
func (t txn) modifiablePrincipal(account, ptype, name string) error {
	if ptype != principalRoleT {
		return t.principalExists(account, ptype, name)
	}
	r, err := t.role(account, name)
	if err != nil {
		return err
	}
	return protectedRole(r)
}

// AttachPolicy attaches a managed policy to a user, group or role (ptype "user", "group", "role").
// Attaching one already attached is a no-op, as in IAM. Returns LimitExceeded past ten.
func (s *Service) AttachPolicy(ctx context.Context, account, ptype, name, arn string) error {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		if err := t.modifiablePrincipal(account, ptype, name); err != nil {
			return err
		}
		return t.attachPolicy(account, ptype, name, arn)
	})
}

// attachPolicy attaches a managed policy to an existing principal.
func (t txn) attachPolicy(account, ptype, name, arn string) error {
	p, err := t.attachablePolicy(account, arn)
	if err != nil {
		return err
	}
	key := attachmentKey(ptype, fold(name), arn)
	if _, ok, err := attachments.Get(t, account, key); err != nil || ok {
		return err
	}
	n, err := t.Count(attachments.Name, account, ptype+sep+fold(name)+sep)
	if err != nil {
		return err
	}
	if n >= maxAttachedPerEntity {
		quota := map[string]string{principalUserT: "PoliciesPerUser", principalGroupT: "PoliciesPerGroup", principalRoleT: "PoliciesPerRole"}[ptype]
		return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for %s: %d", quota, maxAttachedPerEntity)
	}
	return attachments.Put(t, account, key, &attachmentRecord{PolicyName: p.PolicyName, PolicyArn: arn})
}

// DetachPolicy detaches a managed policy. Returns NoSuchEntity when it is not attached.
func (s *Service) DetachPolicy(ctx context.Context, account, ptype, name, arn string) error {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		if err := t.modifiablePrincipal(account, ptype, name); err != nil {
			return err
		}
		err := attachments.Delete(t, account, attachmentKey(ptype, fold(name), arn))
		if errors.Is(err, store.ErrNotFound) {
			return awserr.New(awserr.NoSuchEntity, "Policy %s was not found.", arn)
		}
		return err
	})
}

// ListAttachedPolicies lists the managed policies attached to a principal.
func (s *Service) ListAttachedPolicies(ctx context.Context, account, ptype, name, pathPrefix string, o ListOpts) (Page[AttachedPolicy], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[AttachedPolicy]{}, err
	}
	var p Page[AttachedPolicy]
	err := s.view(ctx, func(t txn) (err error) {
		if err := t.principalExists(account, ptype, name); err != nil {
			return err
		}
		p, err = readPage(attachments.Range(t, account, ptype+sep+fold(name)+sep), o, func(it store.Item) (AttachedPolicy, bool, error) {
			r, err := attachments.Decode(it.Body)
			if err != nil {
				return AttachedPolicy{}, false, err
			}
			return AttachedPolicy(*r), pathPrefix == "" || strings.Contains(r.PolicyArn, ":policy"+pathPrefix), nil
		})
		return err
	})
	return p, err
}

// PolicyEntities are the principals a managed policy is attached to.
type PolicyEntities struct {
	Users, Groups, Roles []string
}

// ListEntitiesForPolicy lists the principals a policy is attached to (entityFilter User, Group,
// Role, or "" for all), by name.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, account, arn, entityFilter string) (*PolicyEntities, error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return nil, err
	}
	out := &PolicyEntities{}
	err := s.view(ctx, func(t txn) error {
		if _, err := t.managedPolicy(account, arn); err != nil {
			return err
		}
		items, err := attachments.IndexRange(t, "policy", account, arn+sep)("", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			ptype, key, ok := attachedTo(it.Key)
			if !ok {
				continue
			}
			name, err := t.displayName(account, ptype, key)
			if err != nil {
				return err
			}
			switch {
			case ptype == principalUserT && (entityFilter == "" || entityFilter == "User"):
				out.Users = append(out.Users, name)
			case ptype == principalGroupT && (entityFilter == "" || entityFilter == "Group"):
				out.Groups = append(out.Groups, name)
			case ptype == principalRoleT && (entityFilter == "" || entityFilter == "Role"):
				out.Roles = append(out.Roles, name)
			}
		}
		return nil
	})
	return out, err
}

// displayName returns a principal's name as created (keys hold it folded).
func (t txn) displayName(account, ptype, key string) (string, error) {
	return t.principalName(account, ptype, key)
}

var inlineLimits = map[string]int{principalUserT: policy.LimitInlineUser, principalGroupT: policy.LimitInlineGroup, principalRoleT: policy.LimitInlineRole}

// PutInlinePolicy adds or replaces an inline policy of a user, group or role.
func (s *Service) PutInlinePolicy(ctx context.Context, account, ptype, name, policyName, doc string) error {
	if err := checkName("PolicyName", policyName, 128); err != nil {
		return err
	}
	limit := inlineLimits[ptype]
	if _, err := ValidateDocument(doc, policy.KindIdentity, limit); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		if err := t.modifiablePrincipal(account, ptype, name); err != nil {
			return err
		}
		// The inline quota counts all of an entity's inline policies together (IAM User Guide,
		// "IAM and AWS STS quotas": "the total size of all inline policies ... can't exceed").
		prefix := ptype + sep + fold(name) + sep
		others, err := inlines.List(t, account, prefix, "", 0)
		if err != nil {
			return err
		}
		total := policy.Size(doc)
		for _, it := range others {
			if ip := it.Record; ip.Name != policyName {
				total += policy.Size(ip.Document)
			}
		}
		if total > limit {
			return policy.InlineSizeError(ptype, name, limit)
		}
		return inlines.Put(t, account, prefix+policyName, &inlinePolicy{Name: policyName, Document: doc})
	})
}

// GetInlinePolicy returns an inline policy's document. Returns NoSuchEntity.
func (s *Service) GetInlinePolicy(ctx context.Context, account, ptype, name, policyName string) (string, error) {
	if err := checkName("PolicyName", policyName, 128); err != nil {
		return "", err
	}
	var doc string
	err := s.view(ctx, func(t txn) error {
		if err := t.principalExists(account, ptype, name); err != nil {
			return err
		}
		p, ok, err := inlines.Get(t, account, ptype+sep+fold(name)+sep+policyName)
		if err == nil && !ok {
			return awserr.New(awserr.NoSuchEntity, "The %s policy with name %s cannot be found.", ptype, policyName)
		}
		if ok {
			doc = p.Document
		}
		return err
	})
	return doc, err
}

// DeleteInlinePolicy deletes an inline policy. Returns NoSuchEntity.
func (s *Service) DeleteInlinePolicy(ctx context.Context, account, ptype, name, policyName string) error {
	return s.update(ctx, account, func(t txn) error {
		if err := t.modifiablePrincipal(account, ptype, name); err != nil {
			return err
		}
		err := inlines.Delete(t, account, ptype+sep+fold(name)+sep+policyName)
		if errors.Is(err, store.ErrNotFound) {
			return awserr.New(awserr.NoSuchEntity, "The %s policy with name %s cannot be found.", ptype, policyName)
		}
		return err
	})
}

// ListInlinePolicies lists a principal's inline policy names.
func (s *Service) ListInlinePolicies(ctx context.Context, account, ptype, name string, o ListOpts) (Page[string], error) {
	var p Page[string]
	err := s.view(ctx, func(t txn) (err error) {
		if err := t.principalExists(account, ptype, name); err != nil {
			return err
		}
		p, err = readPage(inlines.Range(t, account, ptype+sep+fold(name)+sep), o, func(it store.Item) (string, bool, error) {
			ip, err := inlines.Decode(it.Body)
			if err != nil {
				return "", false, err
			}
			return ip.Name, true, nil
		})
		return err
	})
	return p, err
}

// checkBoundary checks a policy ARN given as a permissions boundary: the policy must exist. The
// user or role record holds the boundary, and its kind's "boundary" index counts the policy's uses.
func (t txn) checkBoundary(account, arn string) error {
	if err := checkPolicyARN("PermissionsBoundary", arn); err != nil {
		return err
	}
	if _, err := t.attachablePolicy(account, arn); err != nil {
		return awserr.New(awserr.NoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}

// ErrPrincipalGone is returned by PrincipalPolicies when no user, role or group of that name and
// unique ID exists: it was deleted, and perhaps replaced by another of the same name.
var ErrPrincipalGone = errors.New("iam: the principal no longer exists")

// PrincipalPolicies returns every identity policy of a user (its own and its groups') or role, and
// its permissions boundary, for authorization. id is the unique ID (AIDA…, AROA…, AGPA…) of the
// principal the caller authenticated as or named: the policies of another principal that took
// the name are never lent to it. Returns ErrPrincipalGone when the principal with that name and ID
// no longer exists.
func (s *Service) PrincipalPolicies(ctx context.Context, account, ptype, name, id string) (*PrincipalPolicies, error) {
	out := &PrincipalPolicies{}
	err := s.view(ctx, func(t txn) error {
		var boundary *Boundary
		var got string
		var err error
		switch ptype {
		case principalUserT:
			var u *User
			if u, err = t.user(account, name); err == nil {
				got, boundary = u.UserID, u.PermissionsBoundary
			}
		case principalRoleT:
			var r *Role
			if r, err = t.role(account, name); err == nil {
				got, boundary = r.RoleID, r.PermissionsBoundary
			}
		case principalGroupT:
			var g *Group
			if g, err = t.group(account, name); err == nil {
				got = g.GroupID
			}
		default:
			return fmt.Errorf("iam: unknown principal type %q", ptype)
		}
		if awserr.IsCode(err, awserr.NoSuchEntity) || (err == nil && (got == "" || got != id)) {
			return ErrPrincipalGone
		}
		if err != nil {
			return err
		}
		if err := t.collect(account, ptype, name, out); err != nil {
			return err
		}
		if ptype == principalUserT {
			groups, err := t.groupsOf(account, name, id)
			if err != nil {
				return err
			}
			for _, g := range groups {
				if err := t.collect(account, principalGroupT, g, out); err != nil {
					return err
				}
			}
		}
		if boundary != nil {
			p, err := t.attachablePolicy(account, boundary.PermissionsBoundaryArn)
			if err != nil {
				return err
			}
			out.Boundary = &PolicyDoc{Label: p.Arn, Document: p.DefaultDocument()}
		}
		return nil
	})
	return out, err
}

func (t txn) collect(account, ptype, name string, out *PrincipalPolicies) error {
	prefix := ptype + sep + fold(name) + sep
	inl, err := inlines.List(t, account, prefix, "", 0)
	if err != nil {
		return err
	}
	for _, it := range inl {
		ip := it.Record
		out.Identity = append(out.Identity, PolicyDoc{Label: ptype + "/" + name + "/" + ip.Name, Document: ip.Document})
	}
	// An attachment's key ends in its policy's ARN: the keys, in order, are the ARNs.
	arns, err := t.Keys(attachments.Name, account, prefix)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		p, err := t.attachablePolicy(account, arn)
		if err != nil {
			return err
		}
		out.Identity = append(out.Identity, PolicyDoc{Label: arn, Document: p.DefaultDocument()})
	}
	return nil
}

// PolicyEntity is a principal a managed policy applies to, as ListEntitiesForPolicy names it.
type PolicyEntity struct {
	Type     string // user, group or role
	Name, ID string
}

// Policy usages (PolicyUsageType): as a permissions policy, or as a permissions boundary.
const (
	UsagePermissionsPolicy   = "PermissionsPolicy"
	UsagePermissionsBoundary = "PermissionsBoundary"
)

// ListPolicyEntities lists a page of the users, groups and roles a managed policy applies to, with
// their unique IDs: those it is attached to ("" or PermissionsPolicy), or the users and roles whose
// permissions boundary it is (PermissionsBoundary), filtered by entityFilter (User, Group, Role;
// LocalManagedPolicy and AWSManagedPolicy name no principal type and filter nothing out, as AWS's
// answer for them is the same lists). Returns NoSuchEntity for an unknown policy.
//
// The entities come in (type, folded name) order — groups, roles, users — and a page reads one
// page of the policy's index entries: the attachment kind's "policy" index (a filter on the type is
// a prefix of it), or the merged "boundary" indexes of roles and users. A position is the entity's
// type and folded name, so a principal removed between two pages loses nobody their place.
func (s *Service) ListPolicyEntities(ctx context.Context, account, arn, entityFilter, usage string, o ListOpts) (Page[PolicyEntity], error) {
	if err := checkPolicyARN("PolicyArn", arn); err != nil {
		return Page[PolicyEntity]{}, err
	}
	switch usage {
	case "", UsagePermissionsPolicy, UsagePermissionsBoundary:
	default:
		return Page[PolicyEntity]{}, invalid("PolicyUsageFilter", usage, "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
	}
	only := map[string]string{"User": principalUserT, "Group": principalGroupT, "Role": principalRoleT}[entityFilter]
	var p Page[PolicyEntity]
	err := s.view(ctx, func(t txn) (err error) {
		if _, err := t.attachablePolicy(account, arn); err != nil {
			return err
		}
		p, err = readPage(t.policyEntities(account, arn, only, usage), o, func(it store.Item) (PolicyEntity, bool, error) {
			ptype, key, _ := strings.Cut(it.Key, sep)
			return t.policyEntity(account, ptype, key)
		})
		return err
	})
	return p, err
}

// policyEntities is the Source of ListPolicyEntities: the principals of type only ("" for all)
// that policy arn is attached to, or (usage PermissionsBoundary) whose boundary it is. An item's
// Key is the principal's type, sep, and folded name, also its position.
func (t txn) policyEntities(account, arn, only, usage string) store.Source {
	if usage == UsagePermissionsBoundary {
		var srcs []store.Source
		for _, k := range []struct {
			ptype string
			src   store.Source
		}{{principalRoleT, roles.IndexRange(t, "boundary", account, arn+sep)}, {principalUserT, users.IndexRange(t, "boundary", account, arn+sep)}} {
			if only == "" || only == k.ptype {
				srcs = append(srcs, typedEntries(k.src, k.ptype, arn+sep, ""))
			}
		}
		switch len(srcs) {
		case 0:
			return store.FromSorted(nil)
		case 1:
			return srcs[0]
		}
		return store.Merge(srcs[0], srcs[1])
	}
	// An attachment's entry is arn, sep, then the attachment's key: type, sep, name, sep, arn.
	if only != "" {
		base := arn + sep + only + sep
		return typedEntries(attachments.IndexRange(t, "policy", account, base), only, base, sep+arn)
	}
	return typedEntries(attachments.IndexRange(t, "policy", account, arn+sep), "", arn+sep, sep+arn)
}

// typedEntries is src, a range of index entries each base + rest + suffix, as the Source of
// positions head + rest, where head is ptype and sep ("" when rest starts with the type already).
// A position before head starts the range; one after every head-prefixed position ends it.
func typedEntries(src store.Source, ptype, base, suffix string) store.Source {
	head := ""
	if ptype != "" {
		head = ptype + sep
	}
	return func(after string, n int) ([]store.Item, error) {
		switch {
		case after == "":
		case strings.HasPrefix(after, head):
			after = base + after[len(head):] + suffix
		case after < head:
			after = ""
		default:
			return nil, nil
		}
		items, err := src(after, n)
		for i, it := range items {
			items[i].Key = head + strings.TrimSuffix(strings.TrimPrefix(it.Key, base), suffix)
		}
		return items, err
	}
}

// policyEntity reads the user, group or role (ptype) stored under key as a PolicyEntity; ok is
// false when it has gone.
func (t txn) policyEntity(account, ptype, key string) (e PolicyEntity, ok bool, err error) {
	e.Type = ptype
	switch ptype {
	case principalUserT:
		var r *userRecord
		if r, ok, err = users.Get(t, account, key); ok {
			e.Name, e.ID = r.Name, r.ID
		}
	case principalGroupT:
		var r *groupRecord
		if r, ok, err = groups.Get(t, account, key); ok {
			e.Name, e.ID = r.Name, r.ID
		}
	case principalRoleT:
		var r *roleRecord
		if r, ok, err = roles.Get(t, account, key); ok {
			e.Name, e.ID = r.Name, r.ID
		}
	}
	return e, ok, err
}
