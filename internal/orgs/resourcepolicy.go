package orgs

import (
	"context"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// The organization's resource policy: a resource-based policy in which the management account
// delegates Organizations actions — policy management above all — to member accounts
// (Organizations User Guide, "Delegated administrator for AWS Organizations"; API Reference,
// PutResourcePolicy).

// ResourcePolicy is the organization's resource policy.
type ResourcePolicy struct {
	ID, Arn, Content string
}

const (
	kindResourcePolicy = "orgresourcepolicy" // org: "policy" → resourcePolicyRecord
	resourcePolicyKey  = "policy"
	// maxResourcePolicySize is the resource policy's character limit ("Quotas for AWS
	// Organizations": "Maximum size of a resource-based delegation policy: 40,000 characters").
	maxResourcePolicySize = 40000
)

type resourcePolicyRecord struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

var resourcePolicies = store.Define(store.Kind[resourcePolicyRecord]{Name: kindResourcePolicy, Version: 1})

func (o *Organization) resourcePolicyArn(id string) string {
	return arn.Organizations(o.MasterAccountID, "resourcepolicy/"+o.ID+"/"+id)
}

func checkResourcePolicy(content string) error {
	if content == "" {
		return invalid(ReasonInputRequired, "You must specify a value for Content.")
	}
	if utf8.RuneCountInString(content) > maxResourcePolicySize {
		return constraint(ReasonPolicyContent, "The policy content exceeds the %d-character limit for this policy type.", maxResourcePolicySize)
	}
	if _, err := policy.Parse(content, policy.KindResource); err != nil {
		msg := "The provided policy document does not meet the requirements of the specified policy type."
		if e, ok := awserr.As(err); ok {
			msg = e.Message
		}
		return errorf(awserr.OrgsMalformedPolicy, "%s", msg)
	}
	return nil
}

// PutResourcePolicy creates or replaces the organization's resource policy; its ID stays when it
// is replaced. Management account only. Returns MalformedPolicyDocumentException,
// ConstraintViolationException and AccessDeniedException.
func (s *Service) PutResourcePolicy(ctx context.Context, caller, content string, tags []Tag) (*ResourcePolicy, error) {
	if err := checkResourcePolicy(content); err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	var out *ResourcePolicy
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		r, ok, err := resourcePolicies.Get(t, o.ID, resourcePolicyKey)
		if err != nil {
			return nil, err
		}
		if !ok {
			r = &resourcePolicyRecord{ID: "rp-" + randomString(8)}
			if err := t.addTags(o.ID, r.ID, tags); err != nil {
				return nil, err
			}
		}
		r.Content = content
		if err := resourcePolicies.Put(t, o.ID, resourcePolicyKey, r); err != nil {
			return nil, err
		}
		out = &ResourcePolicy{ID: r.ID, Arn: o.resourcePolicyArn(r.ID), Content: r.Content}
		return nil, nil
	})
	return out, err
}

var errNoResourcePolicy = errorf(awserr.OrgsResourcePolicyNotFound, "We can't find a resource policy request with the parameter that you specified.")

// DescribeResourcePolicy returns the organization's resource policy to the management account or
// a delegated administrator. Returns ResourcePolicyNotFoundException.
func (s *Service) DescribeResourcePolicy(ctx context.Context, caller string) (*ResourcePolicy, error) {
	var out *ResourcePolicy
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		r, ok, err := resourcePolicies.Get(t, o.ID, resourcePolicyKey)
		if err != nil {
			return err
		}
		if !ok {
			return errNoResourcePolicy
		}
		out = &ResourcePolicy{ID: r.ID, Arn: o.resourcePolicyArn(r.ID), Content: r.Content}
		return nil
	})
	return out, err
}

// DeleteResourcePolicy deletes the organization's resource policy, with its tags. Management
// account only. Returns ResourcePolicyNotFoundException.
func (s *Service) DeleteResourcePolicy(ctx context.Context, caller string) error {
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		r, ok, err := resourcePolicies.Get(t, o.ID, resourcePolicyKey)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoResourcePolicy
		}
		if err := t.dropTags(o.ID, r.ID); err != nil {
			return nil, err
		}
		return nil, resourcePolicies.DeleteIfExists(t, o.ID, resourcePolicyKey)
	})
}

// ResourceDelegation is what a member account needs to act through the organization's resource policy:
// the management account it would act for, and the policy (empty when there is none).
type ResourceDelegation struct {
	Management, Policy string
}

// DelegationFor returns the delegation that may apply to caller: nil when caller is the management
// account or belongs to no organization.
func (s *Service) DelegationFor(ctx context.Context, caller string) (*ResourceDelegation, error) {
	var out *ResourceDelegation
	err := s.view(ctx, func(t txn) error {
		o, err := t.orgOf(caller)
		if err != nil || o == nil || o.MasterAccountID == caller {
			return err
		}
		d := &ResourceDelegation{Management: o.MasterAccountID}
		r, ok, err := resourcePolicies.Get(t, o.ID, resourcePolicyKey)
		if err != nil {
			return err
		}
		if ok {
			d.Policy = r.Content
		}
		out = d
		return nil
	})
	return out, err
}
