package eventsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/policy"
)

// Authorization follows "Actions, resources, and condition keys for Amazon EventBridge"
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html):
// the rule actions act on the rule (arn:aws:events:REGION:ACCOUNT:rule/NAME, resource type
// rule-on-default-event-bus, with aws:ResourceTag/*), with events:creatorAccount (the account that
// created the rule; the caller's for a rule PutRule creates) and, for a managed rule,
// events:ManagedBy; ListRules and ListRuleNamesByTarget act on the event bus
// (arn:aws:events:REGION:ACCOUNT:event-bus/default); TestEventPattern on "*". PutRule adds the
// request's tags (aws:RequestTag/*, aws:TagKeys) and what its pattern requires of events:source,
// events:detail-type and events:detail.userIdentity.principalId; PutTargets adds events:TargetArn;
// TagResource and UntagResource the tags and keys they change.

// onRule authorizes c's action on the rule named name of the caller's account, with the rule's
// keys and those more adds.
func onRule(c *api.Call, name string, more func(ctx *policy.Context)) error {
	svc, err := eb(c)
	if err != nil {
		return err
	}
	facts, err := svc.Facts(c.Ctx, c.Account(), name)
	if err != nil {
		return err
	}
	creator := facts.CreatedBy
	if !facts.Exists {
		creator = c.Account()
	}
	return c.Authorize(c.Service+":"+c.Action, svc.RuleARN(c.Account(), name), func(ctx *policy.Context) {
		ctx.Set("events:creatorAccount", creator)
		if facts.ManagedBy != "" {
			ctx.Set("events:ManagedBy", facts.ManagedBy)
		}
		for k, v := range facts.Tags {
			ctx.Set("aws:ResourceTag/"+k, v)
		}
		if more != nil {
			more(ctx)
		}
	})
}

// onBus authorizes c's action on the caller's default event bus.
func onBus(c *api.Call) error {
	svc, err := eb(c)
	if err != nil {
		return err
	}
	return c.Authorize(c.Service+":"+c.Action, svc.BusARN(c.Account()), nil)
}

// setTags sets aws:RequestTag/* and aws:TagKeys for tags a request adds.
func setTags(ctx *policy.Context, tags []Tag) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, len(tags))
	for i, tg := range tags {
		ctx.Set("aws:RequestTag/"+deref(tg.Key), deref(tg.Value))
		keys[i] = deref(tg.Key)
	}
	ctx.Set("aws:TagKeys", keys...)
}
