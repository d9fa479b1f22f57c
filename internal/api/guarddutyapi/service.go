// Package guarddutyapi is Amazon GuardDuty over restJson1 (GuardDuty API Reference,
// https://docs.aws.amazon.com/guardduty/latest/APIReference/): the detector operations
// (detectors.go) and the finding operations (findings.go), with the HTTP bindings, member names and
// shapes of aws-sdk-go-v2 service/guardduty's model. The rules are internal/guardduty's.
//
// Authorization: each action is guardduty:<Operation> on the resource the Service Authorization
// Reference gives it ("Actions, resources, and condition keys for Amazon GuardDuty",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonguardduty.html):
// CreateDetector and ListDetectors on "*", the others on the detector
// (arn:aws:guardduty:REGION:ACCOUNT:detector/ID) with its aws:ResourceTag/*; CreateDetector and
// TagResource with aws:RequestTag/* and aws:TagKeys, UntagResource with aws:TagKeys (tags.go).
// GuardDuty answers a refusal with AccessDeniedException, HTTP 403.
package guarddutyapi

import (
	"maps"
	"slices"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/policy"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns GuardDuty's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "guardduty", Protocol: awsproto.RestJSON1, Ops: ops,
		// GuardDuty answers every invalid input with BadRequestException, malformed JSON included.
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.GuardDutyAccessDenied,
			awserr.ValidationError: awserr.GuardDutyBadRequest,
			awserr.Serialization:   awserr.GuardDutyBadRequest,
		},
		InternalCode:     awserr.GuardDutyInternalServer,
		InvalidPageToken: func() error { return awserr.New(awserr.GuardDutyBadRequest, msgInvalid) },
	}
}

// msgInvalid is GuardDuty's message for a member out of its range (see internal/guardduty).
const msgInvalid = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."

// gd is the GuardDuty service of the call; an internal error when the server has none.
func gd(c *api.Call) (*guardduty.Service, error) { return api.Wired(c.GuardDuty, "GuardDuty service") }

// detectorARN is the ARN of the caller's detector id in the call's region.
func detectorARN(c *api.Call, id string) string {
	return arn.GuardDuty(c.Region, c.Account(), "detector/"+id)
}

// target is what an action is authorized against: the resource ("*" or an ARN), the caller's
// detector that resource names ("" when none, or another account's or Region's: its tags are not
// the caller's to read), and the tags the request adds or the tag keys it removes.
type target struct {
	resource    string
	detector    string
	requestTags map[string]string
	tagKeys     []string
}

// authorizeOn authorizes guardduty:<Action> on the input's target with the condition keys of the
// Service Authorization Reference: aws:ResourceTag/* of the detector, aws:RequestTag/* and
// aws:TagKeys of the tags the request adds (CreateDetector, TagResource), aws:TagKeys of the keys
// it removes (UntagResource). A refusal is GuardDuty's AccessDeniedException with HTTP 403.
func authorizeOn[In any](targetOf func(c *api.Call, in *In) target) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		t := target{resource: "*"}
		if targetOf != nil {
			t = targetOf(c, in)
		}
		c.Resource = t.resource
		var have map[string]string
		if t.detector != "" {
			g, err := gd(c)
			if err != nil {
				return err
			}
			if have, err = g.TagsOf(c.Ctx, c.Account(), c.Region, t.detector); err != nil {
				return err
			}
		}
		keys := func(ctx *policy.Context) {
			for k, v := range have {
				ctx.Set("aws:ResourceTag/"+k, v)
			}
			for k, v := range t.requestTags {
				ctx.Set("aws:RequestTag/"+k, v)
			}
			if len(t.requestTags) > 0 {
				ctx.Set("aws:TagKeys", slices.Sorted(maps.Keys(t.requestTags))...)
			}
			if len(t.tagKeys) > 0 {
				ctx.Set("aws:TagKeys", t.tagKeys...)
			}
		}
		return api.Forbidden(c.Authorize(c.Service+":"+c.Action, c.Resource, keys))
	}
}

// onDetector authorizes the action on the input's detector. (Each input declares its detectorId
// label itself: awsproto.DecodeREST binds the input's own fields, not an embedded struct's.)
func onDetector[In any](c *api.Call, in *In) error {
	return authorizeOn(func(c *api.Call, in *In) target {
		id := any(in).(interface{ detector() string }).detector()
		return target{resource: detectorARN(c, id), detector: id}
	})(c, in)
}

// DetectorInput is the detectorId label of the operations on a detector.
type DetectorInput struct {
	DetectorID string `json:"-" location:"uri" locationName:"detectorId" required:"true"`
}

func (d *DetectorInput) detector() string { return d.DetectorID }

// Empty is the output of operations that answer an empty object.
type Empty struct{}

// badRequest is BadRequestException with GuardDuty's invalid-input message.
func badRequest() error { return awserr.New(awserr.GuardDutyBadRequest, msgInvalid) }
