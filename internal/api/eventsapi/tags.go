package eventsapi

import (
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/eventbridge/pattern"
	"github.com/rootward/rootward/internal/policy"
)

// Tags of rules, named by ARN; and TestEventPattern.

var (
	TagResource = api.Add(&ops, &api.Op[TagResourceInput, struct{}]{
		Name: "TagResource", Authorize: func(c *api.Call, in *TagResourceInput) error {
			return onRule(c, ruleOfARN(c, deref(in.ResourceARN)), func(ctx *policy.Context) { setTags(ctx, in.Tags) })
		},
		Run: tagResource})
	UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, struct{}]{
		Name: "UntagResource", Authorize: func(c *api.Call, in *UntagResourceInput) error {
			return onRule(c, ruleOfARN(c, deref(in.ResourceARN)), func(ctx *policy.Context) {
				if len(in.TagKeys) > 0 {
					ctx.Set("aws:TagKeys", in.TagKeys...)
				}
			})
		},
		Run: untagResource})
	ListTagsForResource = api.Add(&ops, &api.Op[ResourceInput, ListTagsForResourceOutput]{
		Name: "ListTagsForResource", Authorize: func(c *api.Call, in *ResourceInput) error {
			return onRule(c, ruleOfARN(c, deref(in.ResourceARN)), nil)
		},
		Run: listTagsForResource})
	TestEventPattern = api.Add(&ops, &api.Op[TestEventPatternInput, TestEventPatternOutput]{
		Name: "TestEventPattern", Run: testEventPattern})
)

// ruleOfARN is the name of the rule a ResourceARN names on the caller's default bus, "" when it
// names none (another account, region, bus or resource type): authorization then names a rule
// the account cannot have, and Run answers ResourceNotFoundException.
func ruleOfARN(c *api.Call, resource string) string {
	a, err := arn.Parse(resource)
	if err != nil || a.Service != "events" || a.Account != c.Account() || a.Region != c.Region {
		return ""
	}
	name, ok := strings.CutPrefix(a.Resource, "rule/")
	if !ok || strings.Contains(name, "/") {
		return ""
	}
	return name
}

// ruleFor returns the service and the rule a ResourceARN names, or ResourceNotFoundException.
func ruleFor(c *api.Call, resource *string) (*eventbridge.Service, string, error) {
	svc, err := eb(c)
	if err != nil {
		return nil, "", err
	}
	name := ruleOfARN(c, deref(resource))
	if name == "" {
		return nil, "", awserr.New(eventbridge.CodeResourceNotFound, "Resource %s does not exist.", deref(resource))
	}
	return svc, name, nil
}

// ResourceInput names a resource by ARN (ListTagsForResource).
type ResourceInput struct {
	ResourceARN *string `json:",omitempty"`
}

func (in *ResourceInput) Validate() error {
	var v violations
	v.arn("resourceARN", in.ResourceARN)
	return v.err()
}

type TagResourceInput struct {
	ResourceARN *string `json:",omitempty"`
	Tags        []Tag
}

func (in *TagResourceInput) Validate() error {
	var v violations
	v.arn("resourceARN", in.ResourceARN)
	v.required("tags", in.Tags != nil)
	tagViolations(&v, "tags", in.Tags)
	return v.err()
}

type UntagResourceInput struct {
	ResourceARN *string `json:",omitempty"`
	TagKeys     []string
}

func (in *UntagResourceInput) Validate() error {
	var v violations
	v.arn("resourceARN", in.ResourceARN)
	v.required("tagKeys", in.TagKeys != nil)
	for i, k := range in.TagKeys {
		v.length("tagKeys."+strconv.Itoa(i+1)+".member", k, 1, maxTagKey)
	}
	return v.err()
}

// TagOut is a Tag in a result.
type TagOut struct {
	Key   string
	Value string
}

type ListTagsForResourceOutput struct {
	Tags []TagOut
}

func tagResource(c *api.Call, in *TagResourceInput) (*struct{}, error) {
	svc, name, err := ruleFor(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nil, svc.TagResource(c.Ctx, c.Account(), name, tagsIn(in.Tags))
}

func untagResource(c *api.Call, in *UntagResourceInput) (*struct{}, error) {
	svc, name, err := ruleFor(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nil, svc.UntagResource(c.Ctx, c.Account(), name, in.TagKeys)
}

func listTagsForResource(c *api.Call, in *ResourceInput) (*ListTagsForResourceOutput, error) {
	svc, name, err := ruleFor(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags, err := svc.ListTags(c.Ctx, c.Account(), name)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: make([]TagOut, len(tags))}
	for i, tg := range tags {
		out.Tags[i] = TagOut(tg)
	}
	return out, nil
}

type TestEventPatternInput struct {
	Event        *string `json:",omitempty"`
	EventPattern *string `json:",omitempty"`
}

func (in *TestEventPatternInput) Validate() error {
	var v violations
	v.required("event", in.Event != nil)
	v.required("eventPattern", in.EventPattern != nil)
	if in.EventPattern != nil {
		v.length("eventPattern", *in.EventPattern, 0, maxEventPattern)
	}
	return v.err()
}

type TestEventPatternOutput struct {
	Result bool
}

// eventMembers are the members TestEventPattern requires of the event ("the following fields are
// mandatory: id, account, source, time, region, resources, detail-type", API Reference,
// TestEventPattern). AWS accepts an event without resources, so it is not required here.
var eventMembers = []string{"id", "account", "source", "time", "region", "detail-type"}

func testEventPattern(_ *api.Call, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
	p, err := eventbridge.ParsePattern(*in.EventPattern)
	if err != nil {
		return nil, err
	}
	event, err := eventDecode(*in.Event)
	if err != nil {
		return nil, err
	}
	return &TestEventPatternOutput{Result: p.Matches(event)}, nil
}

// eventDecode reads TestEventPattern's event: a JSON object with the mandatory members, else
// ValidationException "Parameter Event is not valid."
func eventDecode(text string) (any, error) {
	invalid := awserr.New(eventbridge.CodeValidation, "Parameter Event is not valid.")
	v, err := pattern.DecodeEvent([]byte(text))
	if err != nil {
		return nil, invalid
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid
	}
	for _, k := range eventMembers {
		if _, ok := m[k]; !ok {
			return nil, invalid
		}
	}
	return m, nil
}
