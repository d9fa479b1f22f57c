package snsapi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sns"
)

// errNoSNS is the answer when the server was started without the SNS service (an internal error).
var errNoSNS = errors.New("snsapi: the SNS service is not configured")

// service is the call's SNS service.
func service(c *api.Call) (*sns.Service, error) {
	if c.SNS == nil {
		return nil, errNoSNS
	}
	return c.SNS, nil
}

// authorizeTopic decides action on a topic: the caller's own policies (identity, boundary,
// session, SCPs) together with the topic's access policy as the resource-based policy of the
// request, the topic's account as the resource's (IAM User Guide, "Policy evaluation logic" and
// "Cross-account policy evaluation logic": in the topic's account a grant of the topic policy
// naming the caller decides alone; from another account both sides must allow). The topic's
// tags are aws:ResourceTag/*; keys adds the action's own keys. A topic that does not exist is
// decided without a resource policy, so only its own account's callers get as far as NotFound.
func authorizeTopic(c *api.Call, action, topicARN string, keys authz.Keys) error {
	s, err := service(c)
	if err != nil {
		return err
	}
	c.Resource = topicARN
	account, _, err := s.ParseTopicARN(topicARN, "TopicArn")
	if err != nil {
		return err
	}
	t, err := s.Topic(c.Ctx, topicARN)
	if err != nil {
		return err
	}
	in, err := c.Authorizer().Input(&c.Request)
	if err != nil {
		return authorizationError(err)
	}
	eval := *in
	eval.ResourceAccount = account
	var tags []sns.Tag
	if t != nil {
		if eval.Resource, err = t.AccessPolicy(); err != nil {
			// Validated when set: a stored policy that no longer parses denies, as an internal
			// error (%v, so that its MalformedPolicyDocument never reaches the caller).
			return fmt.Errorf("snsapi: the access policy of %s: %v", topicARN, err)
		}
		tags = t.Tags
	}
	ctx, release := c.PolicyContext(func(ctx *policy.Context) {
		for _, tg := range tags {
			ctx.Set("aws:ResourceTag/"+tg.Key, tg.Value)
		}
		if keys != nil {
			keys(ctx)
		}
	})
	defer release()
	d := policy.Evaluate(&eval, &policy.Request{Action: action, Resource: topicARN, Context: ctx, Principal: c.Caller.PolicyPrincipal()})
	if d.Allowed() {
		return nil
	}
	return authorizationError(authz.AccessDenied(c.Caller, action, topicARN, d))
}

// authorizeAny decides an action the Service Authorization Reference gives no resource type
// (ListTopics, ListSubscriptions, Unsubscribe, the subscription attribute actions, Publish to a
// phone number): on "*", by the caller's own policies.
func authorizeAny(c *api.Call, action string, keys authz.Keys) error {
	if _, err := service(c); err != nil {
		return err
	}
	c.Resource = "*"
	return authorizationError(c.Authorize(action, "*", keys))
}

// authorizationError is a denial as SNS answers it: AuthorizationError (403) with the IAM
// message form ("User: ARN is not authorized to perform: sns:Publish on resource: ARN because
// …").
func authorizationError(err error) error {
	if e, ok := awserr.As(err); ok && e.Code == awserr.AccessDenied {
		return sns.Errorf(sns.CodeAuthorizationError, "%s", e.Message)
	}
	return err
}

// requestTags are aws:RequestTag/* and aws:TagKeys for tags a request adds.
func requestTags(tags []Tag) authz.Keys {
	if len(tags) == 0 {
		return nil
	}
	it := make([]iam.Tag, len(tags))
	for i, t := range tags {
		it[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return func(ctx *policy.Context) { authz.SetRequestTags(ctx, it) }
}

// tagKeys is aws:TagKeys for the keys a request removes.
func tagKeys(keys []string) authz.Keys {
	if len(keys) == 0 {
		return nil
	}
	keys = slices.Clone(keys)
	return func(ctx *policy.Context) { ctx.Set("aws:TagKeys", keys...) }
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
