package orgsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
)

// target is what an Organizations action is authorized against, as the Service Authorization
// Reference lists it ("Actions, resources, and condition keys for AWS Organizations",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
type target struct {
	// ids are the resources the action acts on (root, OU, account, policy or handshake IDs). Each
	// is authorized in turn and every one must be allowed: AttachPolicy needs the policy and the
	// target, MoveAccount the account and both parents. None (or only empty ones) means "*".
	ids []string
	// policyType marks an action with the organizations:PolicyType key; typ is its value when the
	// request names the type (CreatePolicy's Type, EnablePolicyType, a list's Filter), else the
	// type of the policy among ids.
	policyType bool
	typ        string
	// servicePrincipal is organizations:ServicePrincipal.
	servicePrincipal string
	// tags are the request's tags (aws:RequestTag/*, their keys aws:TagKeys); tagKeys the keys
	// UntagResource removes (aws:TagKeys).
	tags    []Tag
	tagKeys []string
}

// on is the Authorize of an operation whose input names what it acts on: the action is
// authorized on each resource of targetOf(in) with the request's condition keys and the
// resource's tags.
func on[In any](targetOf func(in *In) target) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error { return targetOf(in).authorize(c) }
}

// authorize authorizes c's action on each of t's resources in turn (orgs.AuthzResources: an ID
// the organization does not hold is named as if it did, or "*"), with the request's keys and the
// resource's tags (aws:ResourceTag/*).
func (t target) authorize(c *api.Call) error {
	var ids []string
	for _, id := range t.ids {
		if id != "" {
			ids = append(ids, id)
		}
	}
	res := []orgs.AuthzResource{{ARN: orgs.AnyResource}}
	if len(ids) > 0 {
		var err error
		if res, err = c.Orgs.AuthzResources(c.Ctx, c.Account(), ids...); err != nil {
			return err
		}
	}
	typ := ""
	if t.policyType {
		typ = t.typ
		for _, r := range res {
			if typ == "" {
				typ = r.PolicyType
			}
		}
	}
	action := c.Service + ":" + c.Action
	for _, r := range res {
		err := c.Authorize(action, r.ARN, func(ctx *policy.Context) {
			if typ != "" {
				ctx.Set("organizations:PolicyType", typ)
			}
			if t.servicePrincipal != "" {
				ctx.Set("organizations:ServicePrincipal", t.servicePrincipal)
			}
			t.setTagKeys(ctx)
			for k, v := range r.Tags {
				ctx.Set("aws:ResourceTag/"+k, v)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// setTagKeys sets aws:RequestTag/* and aws:TagKeys for the tags the request adds, or aws:TagKeys
// for the keys it removes. A tag without a Value is refused after authorization (tagsIn); its key
// still counts here.
func (t target) setTagKeys(ctx *policy.Context) {
	if len(t.tags) > 0 {
		keys := make([]string, len(t.tags))
		for i, tg := range t.tags {
			v := ""
			if tg.Value != nil {
				v = *tg.Value
			}
			ctx.Set("aws:RequestTag/"+tg.Key, v)
			keys[i] = tg.Key
		}
		ctx.Set("aws:TagKeys", keys...)
	}
	if len(t.tagKeys) > 0 {
		ctx.Set("aws:TagKeys", t.tagKeys...)
	}
}
