package orgs

import (
	"context"
	"errors"
	"github.com/rootward/rootward/internal/arn"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// Policy is an organization policy of any type (policytypes.go). FullAWSAccess and
// RCPFullAWSAccess are AWS managed and shared by every organization; the others belong to one
// organization.
type Policy struct {
	ID          string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
	Content     string
	// Arn is filled on reads.
	Arn string
}

// PolicyTarget is a root, OU or account a policy is attached to.
type PolicyTarget struct {
	TargetID string
	Arn      string
	Name     string
	Type     string // ROOT, ORGANIZATIONAL_UNIT or ACCOUNT
}

// FullAWSAccessID is the ID of the AWS managed SCP that allows everything, attached by default to
// the root, every OU and every account while SCPs are enabled (Organizations User Guide, "Service
// control policies").
const FullAWSAccessID = "p-FullAWSAccess"

var fullAWSAccess = Policy{
	ID: FullAWSAccessID, Name: "FullAWSAccess", Type: TypeSCP, AwsManaged: true,
	Description: "Allows access to every operation",
	Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	Arn:         arn.Organizations(arn.AWSAccount, "policy/service_control_policy/"+FullAWSAccessID),
}

// checkPolicyType accepts every type of Organizations' PolicyType enum (policytypes.go); unknown
// values answer InvalidInputException.
func checkPolicyType(t string) error {
	if t == "" {
		return invalid(ReasonInputRequired, "You must specify a policy type.")
	}
	if _, ok := policyTypes[t]; !ok {
		return invalid(ReasonInvalidPolicyType, "%s is not a policy type.", t)
	}
	return nil
}

var policyIDPattern = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)

func checkPolicyID(id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for PolicyId.")
	}
	if !policyIDPattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "PolicyId must match p-[0-9a-zA-Z_]{8,128}.")
	}
	return nil
}

func (o *Organization) policyArn(id, typ string) string {
	return arn.Organizations(o.MasterAccountID, "policy/"+o.ID+"/"+typePath(typ)+"/"+id)
}

func (t txn) policy(o *Organization, id string) (*Policy, error) {
	if p := awsManagedPolicy(id); p != nil {
		return p, nil
	}
	r, ok, err := policies.Get(t, o.ID, id)
	if err != nil || !ok {
		return nil, err
	}
	p := r.policy()
	p.Arn = o.policyArn(p.ID, p.Type)
	return p, nil
}

func (t txn) mustPolicy(o *Organization, id string) (*Policy, error) {
	p, err := t.policy(o, id)
	if err == nil && p == nil {
		err = errorf(awserr.OrgsPolicyNotFound, "We can't find a policy with the PolicyId that you specified.")
	}
	return p, err
}

// checkContent validates a document of policy type typ: at most the type's size and valid in the
// type's grammar — IAM's for SCPs and RCPs (an RCP only denies), the management policy syntax for
// the others (managementpolicy.go). Organizations counts the characters as sent through the API,
// white space included ("If you save the policy using an SDK operation or the AWS CLI, then the
// policy is saved as you provided it and no automatic removal of characters occurs",
// Organizations User Guide, "Quotas").
func checkContent(typ, content string) error {
	if content == "" {
		return invalid(ReasonInputRequired, "You must specify a value for Content.")
	}
	pt := policyTypes[typ]
	if utf8.RuneCountInString(content) > pt.maxSize {
		return constraint(ReasonPolicyContent, "The policy content exceeds the %d-character limit for this policy type.", pt.maxSize)
	}
	malformed := func(msg string) error { return errorf(awserr.OrgsMalformedPolicy, "%s", msg) }
	switch typ {
	case TypeSCP, TypeRCP:
		kind := policy.KindSCP
		if typ == TypeRCP {
			kind = policy.KindRCP
		}
		p, err := policy.Parse(content, kind)
		if err != nil {
			msg := "The provided policy document does not meet the requirements of the specified policy type."
			if e, ok := awserr.As(err); ok {
				msg = e.Message
			}
			return malformed(msg)
		}
		if typ == TypeRCP {
			for _, st := range p.Statements {
				if st.Effect != "Deny" {
					return malformed("The effect of Allow is only supported for the RCPFullAWSAccess policy.")
				}
			}
		}
		return nil
	}
	if msg := checkManagementPolicy(content, pt.topKeys); msg != "" {
		return malformed(msg)
	}
	return nil
}

func checkPolicyText(name, description string) error {
	switch {
	case len(name) > 128:
		return invalid(ReasonMaxLength, "Name must be at most 128 characters long.")
	case len(description) > 512:
		return invalid(ReasonMaxLength, "Description must be at most 512 characters long.")
	case hasControl(name):
		return errPattern("Name")
	case hasControl(description):
		return errPattern("Description")
	}
	return nil
}

// CreatePolicyInput are CreatePolicy's parameters.
type CreatePolicyInput struct {
	Name, Description, Type, Content string
	// Tags go on the new policy; an invalid one fails the request and creates nothing.
	Tags []Tag
}

// CreatePolicy creates an SCP. Returns MalformedPolicyDocumentException, DuplicatePolicyException,
// ConstraintViolationException (POLICY_CONTENT_LIMIT_EXCEEDED, POLICY_NUMBER_LIMIT_EXCEEDED,
// MAX_TAG_LIMIT_EXCEEDED), InvalidInputException and
// PolicyTypeNotAvailableForOrganizationException (other policy types; a consolidated-billing
// organization).
func (s *Service) CreatePolicy(ctx context.Context, caller string, in CreatePolicyInput) (*Policy, error) {
	if in.Name == "" {
		return nil, invalid(ReasonInputRequired, "You must specify a value for Name.")
	}
	if err := checkPolicyText(in.Name, in.Description); err != nil {
		return nil, err
	}
	if err := checkPolicyType(in.Type); err != nil {
		return nil, err
	}
	if err := checkContent(in.Type, in.Content); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	var out *Policy
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if o.FeatureSet != FeatureSetAll {
			return nil, errorf(awserr.OrgsPolicyTypeNotAvailable, "Organization policies are available only in an organization with all features enabled.")
		}
		if n, err := t.Count(store.IndexKind(kindPolicy, byName), o.ID, in.Type+sep); err != nil || n >= maxPoliciesPerType {
			if err != nil {
				return nil, err
			}
			return nil, constraint(ReasonPolicyNumber, "You attempted to exceed the number of policies of this type (%d).", maxPoliciesPerType)
		}
		p := &Policy{ID: "p-" + randomString(8), Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content}
		if err := t.putPolicy(o.ID, p, true); err != nil {
			return nil, err
		}
		if err := t.addTags(o.ID, p.ID, in.Tags); err != nil {
			return nil, err
		}
		p.Arn = o.policyArn(p.ID, p.Type)
		out = p
		return nil, nil
	})
	return out, err
}

// putPolicy stores a new (create) or changed policy. Its name is unique among the policies of its
// type, FullAWSAccess's included (the policies' unique name index): DuplicatePolicyException.
func (t txn) putPolicy(orgID string, p *Policy, create bool) error {
	errDuplicate := errorf(awserr.OrgsDuplicatePolicy, "A policy with the same name already exists.")
	if p.Name == fullAWSAccess.Name {
		return errDuplicate
	}
	put := policies.Put
	if create {
		put = policies.Insert
	}
	var taken *store.ErrIndexTaken
	if err := put(t, orgID, p.ID, newPolicyRecord(p)); errors.As(err, &taken) {
		return errDuplicate
	} else if err != nil {
		return err
	}
	return nil
}

// UpdatePolicyInput are UpdatePolicy's parameters; nil leaves a field as it is.
type UpdatePolicyInput struct {
	Name, Description, Content *string
}

// UpdatePolicy changes an SCP's name, description or content. The change applies at once to every
// account the policy governs. Returns PolicyNotFoundException, InvalidInputException
// (IMMUTABLE_POLICY for AWS managed policies), DuplicatePolicyException and the content errors of
// CreatePolicy.
func (s *Service) UpdatePolicy(ctx context.Context, caller, id string, in UpdatePolicyInput) (*Policy, error) {
	if err := checkPolicyID(id); err != nil {
		return nil, err
	}
	name, desc := "", ""
	if in.Name != nil {
		if name = *in.Name; name == "" {
			return nil, invalid(ReasonMinLength, "Name must be at least 1 character long.")
		}
	}
	if in.Description != nil {
		desc = *in.Description
	}
	if err := checkPolicyText(name, desc); err != nil {
		return nil, err
	}
	if in.Content != nil && *in.Content == "" {
		return nil, invalid(ReasonInputRequired, "You must specify a value for Content.")
	}
	var out *Policy
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		p, err := t.mustPolicy(o, id)
		if err != nil {
			return nil, err
		}
		if p.AwsManaged {
			return nil, invalid(ReasonImmutablePolicy, "You can't modify an AWS managed policy.")
		}
		if in.Content != nil {
			if err := checkContent(p.Type, *in.Content); err != nil {
				return nil, err
			}
		}
		if in.Name != nil {
			p.Name = *in.Name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		var affected []string
		if in.Content != nil && *in.Content != p.Content {
			p.Content = *in.Content
			if affected, err = t.governed(o, id); err != nil {
				return nil, err
			}
		}
		out = p
		return affected, t.putPolicy(o.ID, p, false)
	})
	return out, err
}

// DeletePolicy deletes an SCP attached to nothing, with its tags. Returns PolicyInUseException,
// PolicyNotFoundException and InvalidInputException (IMMUTABLE_POLICY).
func (s *Service) DeletePolicy(ctx context.Context, caller, id string) error {
	if err := checkPolicyID(id); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		p, err := t.mustPolicy(o, id)
		if err != nil {
			return nil, err
		}
		if p.AwsManaged {
			return nil, invalid(ReasonImmutablePolicy, "You can't delete an AWS managed policy.")
		}
		if n, err := attachments.Count(t, byPolicy, o.ID, id+sep); err != nil || n > 0 {
			if err != nil {
				return nil, err
			}
			return nil, errorf(awserr.OrgsPolicyInUse, "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		if err := t.dropTags(o.ID, id); err != nil {
			return nil, err
		}
		return nil, policies.DeleteIfExists(t, o.ID, id)
	})
}

// DescribePolicy returns a policy with its content. Returns PolicyNotFoundException.
func (s *Service) DescribePolicy(ctx context.Context, caller, id string) (*Policy, error) {
	if err := checkPolicyID(id); err != nil {
		return nil, err
	}
	var p *Policy
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		p, err = t.mustPolicy(o, id)
		return err
	})
	return p, err
}

// ListPolicies lists the policies of a type, FullAWSAccess included, by policy ID.
func (s *Service) ListPolicies(ctx context.Context, caller, filter string, lo ListOpts) (Page[Policy], error) {
	var p Page[Policy]
	if err := checkPolicyType(filter); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		// The type's AWS managed policy is AWS's, kept by no organization: it joins the stored
		// policies in ID order.
		src := policies.Range(t, o.ID, "")
		if m := policyTypes[filter].managed; m != nil {
			src = store.Merge(src, store.FromSorted([]string{m.ID}))
		}
		p, err = pageItems(src, "", lo, func(it store.Item) (Policy, bool, error) {
			if m := awsManagedPolicy(it.Key); m != nil {
				return *m, true, nil
			}
			r, err := policies.Decode(it.Body)
			if err != nil || r.Type != filter {
				return Policy{}, false, err
			}
			pol := r.policy()
			pol.Arn = o.policyArn(pol.ID, pol.Type)
			return *pol, true, nil
		})
		return err
	})
	return p, err
}

// target resolves a target ID (root, OU or account) to its summary; nil when it does not exist.
func (t txn) target(o *Organization, id string) (*PolicyTarget, error) {
	switch {
	case id == o.RootID:
		return &PolicyTarget{TargetID: id, Arn: o.rootArn(), Name: "Root", Type: ParentRoot}, nil
	case ouIDPattern.MatchString(id):
		u, err := t.ou(o, id)
		if err != nil || u == nil {
			return nil, err
		}
		return &PolicyTarget{TargetID: id, Arn: u.Arn, Name: u.Name, Type: ChildOU}, nil
	case accountIDPattern.MatchString(id):
		a, err := t.member(o, id)
		if err != nil || a == nil {
			return nil, err
		}
		return &PolicyTarget{TargetID: id, Arn: a.Arn, Name: a.Name, Type: ChildAccount}, nil
	}
	return nil, nil
}

func checkTargetID(id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for TargetId.")
	}
	if !rootIDPattern.MatchString(id) && !ouIDPattern.MatchString(id) && !accountIDPattern.MatchString(id) {
		return invalid(ReasonInvalidTargetID, "TargetId must be a root ID, an OU ID or an account ID.")
	}
	return nil
}

func (t txn) mustTarget(o *Organization, id string) (*PolicyTarget, error) {
	tg, err := t.target(o, id)
	if err == nil && tg == nil {
		err = errorf(awserr.OrgsTargetNotFound, "We can't find a root, OU, or account with the TargetId that you specified.")
	}
	return tg, err
}

// attach records an attachment; the attachments' policy index lists it under the policy too.
func (t txn) attach(orgID, policyID, target string) error {
	return attachments.Put(t, orgID, attachKey(target, policyID), &attachRecord{})
}

func (t txn) detach(orgID, policyID, target string) error {
	return attachments.DeleteIfExists(t, orgID, attachKey(target, policyID))
}

// attached lists the IDs of the policies attached to target.
func (t txn) attached(orgID, target string) ([]string, error) {
	return t.Keys(kindAttach, orgID, target+sep)
}

// targetsOf lists the targets policyID is attached to (its entries in the policy index are
// policy ID \x00 target \x00 policy ID).
func (t txn) targetsOf(orgID, policyID string) ([]string, error) {
	keys, err := t.Keys(store.IndexKind(kindAttach, byPolicy), orgID, policyID+sep)
	for i, k := range keys {
		keys[i], _, _ = strings.Cut(k, sep)
	}
	return keys, err
}

// detachAll removes every policy attached to target (an account leaving, an OU deleted).
func (t txn) detachAll(orgID, target string) error {
	ids, err := t.attached(orgID, target)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.detach(orgID, id, target); err != nil {
			return err
		}
	}
	return nil
}

// governed lists the accounts whose SCPs include policyID through any of its targets.
func (t txn) governed(o *Organization, policyID string) ([]string, error) {
	targets, err := t.targetsOf(o.ID, policyID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tg := range targets {
		accts, err := t.affected(o, tg)
		if err != nil {
			return nil, err
		}
		out = append(out, accts...)
	}
	return out, nil
}

// affected lists the accounts a change at target (root, OU or account) applies to.
func (t txn) affected(o *Organization, target string) ([]string, error) {
	if accountIDPattern.MatchString(target) {
		return []string{target}, nil
	}
	return t.subtreeAccounts(o.ID, target)
}

// AttachPolicy attaches an SCP to a root, OU or account. Returns PolicyNotFoundException,
// TargetNotFoundException, PolicyTypeNotEnabledException, DuplicatePolicyAttachmentException and
// ConstraintViolationException (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: five per target).
func (s *Service) AttachPolicy(ctx context.Context, caller, policyID, target string) error {
	if err := checkPolicyID(policyID); err != nil {
		return err
	}
	if err := checkTargetID(target); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		pol, err := t.mustPolicy(o, policyID)
		if err != nil {
			return nil, err
		}
		if _, err := t.mustTarget(o, target); err != nil {
			return nil, err
		}
		if !o.typeEnabled(pol.Type) {
			return nil, errorf(awserr.OrgsPolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		attached, err := t.attachedOfType(o, target, pol.Type)
		if err != nil {
			return nil, err
		}
		if slices.Contains(attached, policyID) {
			return nil, errorf(awserr.OrgsDuplicatePolicyAttachment, "The selected policy is already attached to the specified target.")
		}
		if limit := policyTypes[pol.Type].perTarget; len(attached) >= limit {
			return nil, constraint(ReasonMaxAttachments, "You attempted to exceed the number of policies of a certain type that can be attached to an entity (%d).", limit)
		}
		if err := t.attach(o.ID, policyID, target); err != nil {
			return nil, err
		}
		return t.affected(o, target)
	})
}

// DetachPolicy detaches a policy. Returns PolicyNotAttachedException and
// ConstraintViolationException (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: a target keeps at least
// one SCP while SCPs are enabled, or nothing would be allowed; RCPFullAWSAccess stays attached
// while RCPs are enabled).
func (s *Service) DetachPolicy(ctx context.Context, caller, policyID, target string) error {
	if err := checkPolicyID(policyID); err != nil {
		return err
	}
	if err := checkTargetID(target); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		pol, err := t.mustPolicy(o, policyID)
		if err != nil {
			return nil, err
		}
		if _, err := t.mustTarget(o, target); err != nil {
			return nil, err
		}
		attached, err := t.attachedOfType(o, target, pol.Type)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(attached, policyID) {
			return nil, errorf(awserr.OrgsPolicyNotAttached, "The policy isn't attached to the specified target.")
		}
		if policyID == RCPFullAWSAccessID {
			return nil, constraint(ReasonMinAttachments, "You can't detach RCPFullAWSAccess while resource control policies are enabled.")
		}
		if pol.Type == TypeSCP && len(attached) == 1 {
			return nil, constraint(ReasonMinAttachments, "You attempted to detach the last policy of this type from an entity; at least one must remain attached.")
		}
		if err := t.detach(o.ID, policyID, target); err != nil {
			return nil, err
		}
		return t.affected(o, target)
	})
}

// ListPoliciesForTarget lists the policies of type filter attached directly to a target.
func (s *Service) ListPoliciesForTarget(ctx context.Context, caller, target, filter string, lo ListOpts) (Page[Policy], error) {
	var p Page[Policy]
	if err := checkTargetID(target); err != nil {
		return p, err
	}
	if err := checkPolicyType(filter); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := t.mustTarget(o, target); err != nil {
			return err
		}
		p, err = pageKeys(t, kindAttach, o.ID, target+sep, lo, func(k string) (Policy, bool, error) {
			pol, err := t.policy(o, k)
			if err != nil || pol == nil || pol.Type != filter {
				return Policy{}, false, err
			}
			return *pol, true, nil
		})
		return err
	})
	return p, err
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, caller, policyID string, lo ListOpts) (Page[PolicyTarget], error) {
	var p Page[PolicyTarget]
	if err := checkPolicyID(policyID); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := t.mustPolicy(o, policyID); err != nil {
			return err
		}
		// Entries of the policy index are policy ID \x00 target \x00 policy ID: the page's
		// positions, and its NextToken, are target \x00 policy ID.
		src := attachments.IndexRange(t, byPolicy, o.ID, policyID+sep)
		p, err = pageItems(src, policyID+sep, lo, func(it store.Item) (PolicyTarget, bool, error) {
			target, _, _ := strings.Cut(it.Key, sep)
			tg, err := t.target(o, target)
			if err != nil || tg == nil {
				return PolicyTarget{}, false, err
			}
			return *tg, true, nil
		})
		return err
	})
	return p, err
}

// EnablePolicyType enables a policy type on the root. For SCPs and RCPs the type's AWS managed
// policy (FullAWSAccess, RCPFullAWSAccess) is attached to the root, every OU and every account, so
// nothing changes for anyone until other policies are attached. Returns RootNotFoundException,
// PolicyTypeAlreadyEnabledException and PolicyTypeNotAvailableForOrganizationException
// (consolidated billing).
func (s *Service) EnablePolicyType(ctx context.Context, caller, rootID, policyType string) (*Root, error) {
	if err := checkPolicyType(policyType); err != nil {
		return nil, err
	}
	var out Root
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.mustRoot(caller, rootID)
		if err != nil {
			return nil, err
		}
		if o.FeatureSet != FeatureSetAll {
			return nil, errorf(awserr.OrgsPolicyTypeNotAvailable, "You can use organization policies only in an organization with all features enabled.")
		}
		if slices.Contains(o.PolicyTypes, policyType) {
			return nil, errorf(awserr.OrgsPolicyTypeAlreadyEnabled, "The specified policy type is already enabled.")
		}
		o.PolicyTypes = append(o.PolicyTypes, policyType)
		if err := t.putOrg(o); err != nil {
			return nil, err
		}
		ouIDs, err := t.Keys(kindOU, o.ID, "")
		if err != nil {
			return nil, err
		}
		accts, err := t.members(o.ID)
		if err != nil {
			return nil, err
		}
		if m := policyTypes[policyType].managed; m != nil {
			targets := append(append([]string{o.RootID}, ouIDs...), accts...)
			for _, tg := range targets {
				if err := t.attach(o.ID, m.ID, tg); err != nil {
					return nil, err
				}
			}
		}
		out = o.Root()
		return accts, nil
	})
	return &out, err
}

// DisablePolicyType disables a policy type on the root; every attachment of a policy of the type
// is removed, as Organizations does. Returns RootNotFoundException and
// PolicyTypeNotEnabledException.
func (s *Service) DisablePolicyType(ctx context.Context, caller, rootID, policyType string) (*Root, error) {
	if err := checkPolicyType(policyType); err != nil {
		return nil, err
	}
	var out Root
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.mustRoot(caller, rootID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(o.PolicyTypes, policyType) {
			return nil, errorf(awserr.OrgsPolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		o.PolicyTypes = slices.DeleteFunc(o.PolicyTypes, func(s string) bool { return s == policyType })
		if err := t.putOrg(o); err != nil {
			return nil, err
		}
		attachments, err := t.Keys(kindAttach, o.ID, "")
		if err != nil {
			return nil, err
		}
		for _, k := range attachments {
			target, policyID, _ := strings.Cut(k, sep)
			p, err := t.policy(o, policyID)
			if err != nil {
				return nil, err
			}
			if p != nil && p.Type != policyType {
				continue
			}
			if err := t.detach(o.ID, policyID, target); err != nil {
				return nil, err
			}
		}
		out = o.Root()
		return t.members(o.ID)
	})
	return &out, err
}

func (t txn) mustRoot(caller, rootID string) (*Organization, error) {
	if rootID == "" {
		return nil, invalid(ReasonInputRequired, "You must specify a value for RootId.")
	}
	if !rootIDPattern.MatchString(rootID) {
		return nil, invalid(ReasonInvalidPattern, "RootId must match r-[0-9a-z]{4,32}.")
	}
	o, err := t.management(caller)
	if err != nil {
		return nil, err
	}
	if o.RootID != rootID {
		return nil, errorf(awserr.OrgsRootNotFound, "We can't find a root with the RootId that you specified.")
	}
	return o, nil
}

// Placement is an account's place in its organization, as authorization needs it.
type Placement struct {
	OrgID string
	// Path is the value of aws:PrincipalOrgPaths: o-…/r-…/ou-…/…/ down to the account's parent.
	Path       string
	Management bool
	// Closed is set once CloseAccount suspended the account: its principals can do nothing.
	Closed bool
	// SCPs are the service control policies per level — the root, each OU down the path, the
	// account — each level's documents labelled with their policy ARN. It is nil when the account
	// is not subject to SCPs: the management account, or an organization without SCPs enabled.
	SCPs [][]iam.PolicyDoc
	// RCPs are the resource control policies per level, as SCPs; they bind requests to the
	// account's resources. Nil for the management account or while RCPs are not enabled.
	RCPs [][]iam.PolicyDoc
}

// PlacementOf returns where account sits in its organization, nil when it belongs to none. It
// checks no permission: the server calls it to authorize the account's principals.
func (s *Service) PlacementOf(ctx context.Context, account string) (*Placement, error) {
	var out *Placement
	err := s.view(ctx, func(t txn) error {
		o, err := t.orgOf(account)
		if err != nil || o == nil {
			return err
		}
		a, err := t.member(o, account)
		if err != nil || a == nil {
			return err
		}
		chain, err := t.ancestry(o, a.ParentID)
		if err != nil {
			return err
		}
		pl := &Placement{OrgID: o.ID, Management: account == o.MasterAccountID, Closed: a.Status != StatusActive}
		pl.Path = o.ID + "/" + o.RootID + "/"
		for _, ou := range chain {
			pl.Path += ou + "/"
		}
		if !pl.Management {
			levels := append(append([]string{o.RootID}, chain...), account)
			if pl.SCPs, err = t.levels(o, levels, TypeSCP); err != nil {
				return err
			}
			if pl.RCPs, err = t.levels(o, levels, TypeRCP); err != nil {
				return err
			}
		}
		out = pl
		return nil
	})
	return out, err
}

// levels returns, while policies of type typ are enabled, the documents of that type attached at
// each of levels, labelled with their ARNs; nil while the type is not enabled. An empty level stays
// an empty, non-nil slice: it allows nothing.
func (t txn) levels(o *Organization, levels []string, typ string) ([][]iam.PolicyDoc, error) {
	if !o.typeEnabled(typ) {
		return nil, nil
	}
	out := make([][]iam.PolicyDoc, len(levels))
	for i, target := range levels {
		ids, err := t.attached(o.ID, target)
		if err != nil {
			return nil, err
		}
		out[i] = make([]iam.PolicyDoc, 0, len(ids))
		for _, id := range ids {
			p, err := t.policy(o, id)
			if err != nil {
				return nil, err
			}
			if p != nil && p.Type == typ {
				out[i] = append(out[i], iam.PolicyDoc{Label: p.Arn, Document: p.Content})
			}
		}
	}
	return out, nil
}

// attachedOfType lists the IDs of the policies of type typ attached to target.
func (t txn) attachedOfType(o *Organization, target, typ string) ([]string, error) {
	ids, err := t.attached(o.ID, target)
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		p, err := t.policy(o, id)
		if err != nil {
			return nil, err
		}
		if p != nil && p.Type == typ {
			out = append(out, id)
		}
	}
	return out, nil
}

// attachDefaults attaches, to a new OU or member account, the AWS managed policy of each enabled
// type that has one, as every root, OU and account has it by default.
func (t txn) attachDefaults(o *Organization, target string) error {
	for _, typ := range []string{TypeSCP, TypeRCP} {
		if o.typeEnabled(typ) {
			if err := t.attach(o.ID, policyTypes[typ].managed.ID, target); err != nil {
				return err
			}
		}
	}
	return nil
}
