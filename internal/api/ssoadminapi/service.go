// Package ssoadminapi is IAM Identity Center's admin API (sso-admin) over awsJson 1.1 (X-Amz-Target
// SWBExternalService.<Op>, signing name sso) over internal/identitycenter: instances
// (instances.go), permission sets and their policies (permissionsets.go), account assignments and
// provisioning (assignments.go). Member names and shapes follow the IAM Identity Center API
// Reference and aws-sdk-go-v2 service/ssoadmin; timestamps are epoch seconds.
//
// Every action is authorized as sso:<Op> on the resources the Service Authorization Reference
// lists for it ("Actions, resources, and condition keys for AWS IAM Identity Center",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycenter.html):
// the instance (arn:aws:sso:::instance/ssoins-…), the permission set
// (arn:aws:sso:::permissionSet/ssoins-…/ps-…, with its aws:ResourceTag/*), the target account
// (arn:aws:sso:::account/ACCOUNT); CreatePermissionSet on the instance's permissionSet/ssoins-…/*,
// CreateInstance and ListInstances on "*"; aws:RequestTag/* and aws:TagKeys for the actions that tag.
package ssoadminapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/cloudtrailapi"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/policy"
)

// TargetPrefix is the X-Amz-Target prefix of sso-admin's operations.
const TargetPrefix = "SWBExternalService"

var ops api.Table

// Service returns sso-admin's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "sso", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix,
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.ICAccessDenied,
			awserr.ValidationError: awserr.ICValidation,
		},
		InvalidPageToken: func() error {
			return awserr.New(awserr.ICValidation, "The NextToken is not valid: pass the token of the previous page of the same request.")
		},
		Ops: ops,
	}
}

// Timestamp is epoch seconds, awsJson's default.
type Timestamp = cloudtrailapi.Timestamp

// Tag is the API's Tag.
type Tag struct {
	Key   string
	Value string
}

func tagsIn(in []Tag) []identitycenter.Tag {
	out := make([]identitycenter.Tag, len(in))
	for i, t := range in {
		out[i] = identitycenter.Tag(t)
	}
	return out
}

func tagsOut(in []identitycenter.Tag) []Tag {
	out := make([]Tag, len(in))
	for i, t := range in {
		out[i] = Tag(t)
	}
	return out
}

// target is what an action is authorized on: its resources, the resource whose tags are
// aws:ResourceTag/* (an instance or permission set ARN), the tags a request adds and the keys it
// removes.
type target struct {
	resources []string
	tagged    string
	tags      []Tag
	tagKeys   []string
}

// on is the Authorize of an operation on the target its input names.
func on[In any](targetOf func(in *In) target) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error { return targetOf(in).authorize(c) }
}

func (t target) authorize(c *api.Call) error {
	if len(t.resources) == 0 {
		t.resources = []string{"*"}
	}
	var have []identitycenter.Tag
	if t.tagged != "" {
		var err error
		if have, err = c.IdentityCenter.TagsOf(c.Ctx, t.tagged); err != nil {
			return err
		}
	}
	var keys authz.Keys = func(ctx *policy.Context) {
		for _, tg := range have {
			ctx.Set("aws:ResourceTag/"+tg.Key, tg.Value)
		}
		if len(t.tags) > 0 {
			names := make([]string, len(t.tags))
			for i, tg := range t.tags {
				ctx.Set("aws:RequestTag/"+tg.Key, tg.Value)
				names[i] = tg.Key
			}
			ctx.Set("aws:TagKeys", names...)
		}
		if len(t.tagKeys) > 0 {
			ctx.Set("aws:TagKeys", t.tagKeys...)
		}
	}
	c.Resource = t.resources[0]
	action := c.Service + ":" + c.Action
	for _, r := range t.resources {
		if err := c.Authorize(action, r, keys); err != nil {
			return err
		}
	}
	return nil
}

// accountARN is arn:aws:sso:::account/ACCOUNT, an assignment's target.
func accountARN(account string) string { return arn.SSO("account/" + account) }

// psTarget is the target of an action on a permission set: the instance and the set, with the
// set's tags.
func psTarget(instanceARN, psARN string) target {
	return target{resources: []string{instanceARN, psARN}, tagged: psARN}
}

// ListInput pages a listing: MaxResults 1–100, NextToken sealed by the runner.
type ListInput struct {
	MaxResults *int   `page:"size"`
	NextToken  string `page:"token"`
}

func (l ListInput) opts() (identitycenter.ListOpts, error) {
	o := identitycenter.ListOpts{After: l.NextToken}
	if l.MaxResults != nil {
		if *l.MaxResults < 1 || *l.MaxResults > 100 {
			return o, awserr.New(awserr.ICValidation, "MaxResults must be between 1 and 100.")
		}
		o.Limit = *l.MaxResults
	}
	return o, nil
}

func next(truncated bool, last string) *string {
	if !truncated {
		return nil
	}
	return &last
}
