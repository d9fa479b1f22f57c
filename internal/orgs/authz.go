package orgs

import (
	"context"
	"github.com/rootward/rootward/internal/arn"
	"strings"
	"time"
)

// AuthzResource is an Organizations resource as IAM authorizes an action on it: its ARN in the
// formats of the Service Authorization Reference ("Actions, resources, and condition keys for AWS
// Organizations": account, ou, policy, root, handshake), its tags (aws:ResourceTag/*) and, for a
// policy, its type (organizations:PolicyType).
type AuthzResource struct {
	ARN        string
	Tags       map[string]string
	PolicyType string
}

// AnyResource is the resource of an action whose resource cannot be named: "*", which only a
// policy statement on every resource ("Resource": "*") allows.
const AnyResource = "*"

// AuthzResources resolves the IDs an action names (a root, an OU, an account, a policy or a
// handshake) to the resources IAM authorizes it against, in the caller's organization. A resource
// the organization does not hold is named as it would be if it did — its ARN is made from the
// organization and the ID — so that the action can fail afterwards as Organizations decides
// (…NotFoundException, AccessDeniedException); where the ARN cannot be made (a missing or
// malformed ID, an unknown policy, a handshake the caller is no party to, a caller outside any
// organization), it is AnyResource. It checks nothing about what the caller may do: that is
// IAM's decision, then each operation's.
func (s *Service) AuthzResources(ctx context.Context, caller string, ids ...string) ([]AuthzResource, error) {
	out := make([]AuthzResource, len(ids))
	err := s.view(ctx, func(t txn) error {
		o, err := t.orgOf(caller)
		if err != nil {
			return err
		}
		for i, id := range ids {
			if out[i], err = t.authzResource(o, caller, id, s.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (t txn) authzResource(o *Organization, caller, id string, now time.Time) (AuthzResource, error) {
	anyRes := AuthzResource{ARN: AnyResource}
	if handshakeIDPattern.MatchString(id) {
		// Handshakes are global: an invited account is in no organization yet.
		h, err := t.handshake(id, now)
		if err != nil || h == nil {
			return anyRes, err
		}
		if h.account() == caller || (o != nil && o.ID == h.OrgID) {
			return AuthzResource{ARN: h.Arn}, nil
		}
		return anyRes, nil
	}
	if o == nil {
		return anyRes, nil
	}
	var r AuthzResource
	switch {
	case strings.HasPrefix(id, "p-") && policyIDPattern.MatchString(id):
		p, err := t.policy(o, id)
		if err != nil || p == nil {
			return anyRes, err
		}
		r = AuthzResource{ARN: p.Arn, PolicyType: p.Type}
		if p.AwsManaged {
			// AWS managed policies belong to no organization and carry no tags.
			return r, nil
		}
	case rootIDPattern.MatchString(id):
		if id != o.RootID {
			return AuthzResource{ARN: arn.Organizations(o.MasterAccountID, "root/"+o.ID+"/"+id)}, nil
		}
		r = AuthzResource{ARN: o.rootArn()}
	case ouIDPattern.MatchString(id):
		r = AuthzResource{ARN: o.ouArn(id)}
	case accountIDPattern.MatchString(id):
		r = AuthzResource{ARN: o.accountArn(id)}
	default:
		return anyRes, nil
	}
	// Only a resource the organization holds has tags; tags of one that left it are dropped.
	tags, err := t.tags(o.ID, id)
	if err != nil {
		return anyRes, err
	}
	r.Tags = tags
	return r, nil
}
