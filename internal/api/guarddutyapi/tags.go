package guarddutyapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/guardduty"
)

// Tags on detectors, the one taggable GuardDuty resource Rootward has: TagResource,
// UntagResource and ListTagsForResource on /tags/{resourceArn}.

// TagResource: POST /tags/{resourceArn}, answered with 204.
var TagResource = api.Add(&ops, &api.Op[TagResourceInput, Empty]{
	Name: "TagResource", HTTP: "POST /tags/{resourceArn}",
	Authorize: authorizeOn(func(c *api.Call, in *TagResourceInput) target {
		t := onARN(c, in.ResourceArn)
		t.requestTags = in.Tags
		return t
	}), Run: tagResource})

// TagResourceInput adds tags to the resource.
type TagResourceInput struct {
	ResourceArn string            `json:"-" location:"uri" locationName:"resourceArn" required:"true"`
	Tags        map[string]string `json:"tags"`
}

// Validate checks tags: required, as guardduty.ValidTags requires.
func (in *TagResourceInput) Validate() error {
	if in.Tags == nil {
		return awsproto.MissingParam("tags")
	}
	return guardduty.ValidTags(in.Tags)
}

func tagResource(c *api.Call, in *TagResourceInput) (*Empty, error) {
	g, id, err := ownDetector(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &Empty{}, g.TagResource(c.Ctx, c.Account(), c.Region, id, in.Tags)
}

// UntagResource: DELETE /tags/{resourceArn}?tagKeys=K&tagKeys=K.
var UntagResource = api.Add(&ops, &api.Op[UntagResourceInput, Empty]{
	Name: "UntagResource", HTTP: "DELETE /tags/{resourceArn}",
	Authorize: authorizeOn(func(c *api.Call, in *UntagResourceInput) target {
		t := onARN(c, in.ResourceArn)
		t.tagKeys = in.TagKeys
		return t
	}), Run: untagResource})

// UntagResourceInput removes tag keys (1–200) from the resource.
type UntagResourceInput struct {
	ResourceArn string   `json:"-" location:"uri" locationName:"resourceArn" required:"true"`
	TagKeys     []string `json:"-" location:"querystring" locationName:"tagKeys"`
}

// Validate checks tagKeys: required, 1–200 keys of 1–128 characters.
func (in *UntagResourceInput) Validate() error {
	if len(in.TagKeys) == 0 {
		return awsproto.MissingParam("tagKeys")
	}
	if len(in.TagKeys) > guardduty.MaxTags {
		return badRequest()
	}
	for _, k := range in.TagKeys {
		if k == "" || len(k) > 128 {
			return badRequest()
		}
	}
	return nil
}

func untagResource(c *api.Call, in *UntagResourceInput) (*Empty, error) {
	g, id, err := ownDetector(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &Empty{}, g.UntagResource(c.Ctx, c.Account(), c.Region, id, in.TagKeys)
}

// ListTagsForResource: GET /tags/{resourceArn}.
var ListTagsForResource = api.Add(&ops, &api.Op[ListTagsForResourceInput, ListTagsForResourceOutput]{
	Name: "ListTagsForResource", HTTP: "GET /tags/{resourceArn}",
	Authorize: authorizeOn(func(c *api.Call, in *ListTagsForResourceInput) target { return onARN(c, in.ResourceArn) }),
	Run:       listTagsForResource})

// ListTagsForResourceInput names the resource.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"-" location:"uri" locationName:"resourceArn" required:"true"`
}

// ListTagsForResourceOutput is the resource's tags.
type ListTagsForResourceOutput struct {
	Tags map[string]string `json:"tags"`
}

func listTagsForResource(c *api.Call, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	g, id, err := ownDetector(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := g.ListTags(c.Ctx, c.Account(), c.Region, id)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}

// detectorOf is the ID of the caller's detector that resourceArn names, "" when it names none
// (not a detector ARN, or another account's or Region's).
func detectorOf(c *api.Call, resourceArn string) string {
	a, err := arn.Parse(resourceArn)
	if err != nil || a.Service != "guardduty" || a.Region != c.Region || a.Account != c.Account() {
		return ""
	}
	id, ok := strings.CutPrefix(a.Resource, "detector/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return ""
	}
	return id
}

// onARN is the target of a tagging action: the ARN as the request gives it, with the tags of the
// caller's detector it names.
func onARN(c *api.Call, resourceArn string) target {
	return target{resource: resourceArn, detector: detectorOf(c, resourceArn)}
}

// ownDetector is the service and the caller's detector that resourceArn names. Another account's
// or Region's detector, or an ARN that names no detector, is BadRequestException with the
// invalid-input message (AWS's text for these cases is not documented; Rootward chose it).
func ownDetector(c *api.Call, resourceArn string) (*guardduty.Service, string, error) {
	g, err := gd(c)
	if err != nil {
		return nil, "", err
	}
	id := detectorOf(c, resourceArn)
	if id == "" {
		return nil, "", badRequest()
	}
	return g, id, nil
}
