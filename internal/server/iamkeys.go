package server

import (
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// The condition keys IAM defines for its own actions, as the Service Authorization Reference lists
// them ("Actions, resources, and condition keys for AWS Identity and Access Management (IAM)",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
//
//   - aws:ResourceTag/* on every action on a user, role, managed policy or virtual MFA device (the
//     resource types that list it), and iam:ResourceTag/* too on a user or role: the resource's
//     current tags (withResourceKeys).
//   - aws:RequestTag/* and aws:TagKeys on the actions that tag (Create* with Tags, Tag*), aws:TagKeys
//     on Untag*.
//   - iam:PermissionsBoundary: the boundary a CreateUser, CreateRole or Put*PermissionsBoundary sets,
//     and the target's current boundary on the actions that change what a bounded entity may do
//     (Attach/Detach/Put/Delete User and Role policies, Delete*PermissionsBoundary). This is what
//     "allow iam:AttachUserPolicy only on users with this boundary" tests (IAM User Guide,
//     "Permissions boundaries for IAM entities", the delegated administrator example).
//   - iam:PolicyARN on Attach/Detach User, Group and Role policies: the managed policy attached or
//     detached.
//
// IAM's other keys belong to operations Rootward does not serve yet: iam:PassedToService and
// iam:AssociatedResourceArn (iam:PassRole, which no served service performs), iam:AWSServiceName
// (CreateServiceLinkedRole; awsServiceNameKeys is ready for it), iam:OrganizationsPolicyId
// (GenerateOrganizationsAccessReport), and the FIDO and service-specific-credential keys.
//
// A key the request does not carry is left unset, so a condition on it behaves as in AWS on a
// missing key (StringEquals false, ...IfExists true, Null true).

// withResourceKeys gives op, an IAM operation with the default authorization, the keys of the
// resource it acts on: before the operation's own keys run, the resource (c.Resource) is looked up
// and its facts kept in c.Facts, so that its own keys can read its current boundary. A failed
// lookup fails the call: a Deny conditioned on a tag must not be skipped because the tag could not
// be read.
func withResourceKeys(o *op) {
	if o.authorize != nil || o.resource == nil {
		return
	}
	own := o.keys
	o.keys = func(c *call) (authz.Keys, error) {
		f, err := c.s.iam.ResourceFacts(c.Ctx, c.Account(), c.Resource)
		if err != nil {
			return nil, err
		}
		c.Facts = f
		var ownKeys authz.Keys
		if own != nil {
			if ownKeys, err = own(c); err != nil {
				return nil, err
			}
		}
		if f == nil {
			return ownKeys, nil
		}
		return func(ctx *policy.Context) {
			setResourceTags(ctx, f.Tags, f.Kind == "user" || f.Kind == "role")
			if ownKeys != nil {
				ownKeys(ctx)
			}
		}, nil
	}
}

// setResourceTags and setRequestTags are authz.SetResourceTags and authz.SetRequestTags, for the
// legacy operations.
func setResourceTags(ctx *policy.Context, tags []iam.Tag, iamTags bool) {
	authz.SetResourceTags(ctx, tags, iamTags)
}

func setRequestTags(ctx *policy.Context, tags []iam.Tag) { authz.SetRequestTags(ctx, tags) }

// setIfPresent sets key to v unless v is empty (an absent parameter).
func setIfPresent(ctx *policy.Context, key, v string) {
	if v != "" {
		ctx.Set(key, v)
	}
}

// currentBoundary is the permissions boundary of the user or role the call acts on, "" when it
// has none or does not exist.
func currentBoundary(c *call) string {
	if c.Facts == nil {
		return ""
	}
	return c.Facts.Boundary
}

// createEntityKeys are CreateUser's and CreateRole's keys: the boundary the new entity gets and
// its tags.
func createEntityKeys(c *call) (authz.Keys, error) {
	b, tags := c.params.Get("PermissionsBoundary"), tagsParam(c, "Tags")
	return func(ctx *policy.Context) {
		setIfPresent(ctx, "iam:PermissionsBoundary", b)
		setRequestTags(ctx, tags)
	}, nil
}

// tagRequestKeys are the keys of an action that adds tags: Create* with Tags, Tag*.
func tagRequestKeys(c *call) (authz.Keys, error) {
	tags := tagsParam(c, "Tags")
	return func(ctx *policy.Context) { setRequestTags(ctx, tags) }, nil
}

// untagKeys are Untag*'s keys: aws:TagKeys, the keys it removes.
func untagKeys(c *call) (authz.Keys, error) {
	keys := c.params.List("TagKeys")
	return func(ctx *policy.Context) {
		if len(keys) > 0 {
			ctx.Set("aws:TagKeys", keys...)
		}
	}, nil
}

// newBoundaryKeys are Put*PermissionsBoundary's: the boundary being set.
func newBoundaryKeys(c *call) (authz.Keys, error) {
	b := c.params.Get("PermissionsBoundary")
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:PermissionsBoundary", b) }, nil
}

// currentBoundaryKeys are the keys of an action that changes a user's or role's permissions:
// its current boundary.
func currentBoundaryKeys(c *call) (authz.Keys, error) {
	b := currentBoundary(c)
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:PermissionsBoundary", b) }, nil
}

// attachKeys are Attach/Detach User and Role policies': the managed policy and the target's
// current boundary.
func attachKeys(c *call) (authz.Keys, error) {
	arn, b := c.params.Get("PolicyArn"), currentBoundary(c)
	return func(ctx *policy.Context) {
		setIfPresent(ctx, "iam:PolicyARN", arn)
		setIfPresent(ctx, "iam:PermissionsBoundary", b)
	}, nil
}

// groupAttachKeys are Attach/Detach Group policies': the managed policy (a group has no boundary).
func groupAttachKeys(c *call) (authz.Keys, error) {
	arn := c.params.Get("PolicyArn")
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:PolicyARN", arn) }, nil
}

// awsServiceNameKeys are CreateServiceLinkedRole's: iam:AWSServiceName, the service the role is
// for. No operation uses them until CreateServiceLinkedRole is served.
func awsServiceNameKeys(c *call) (authz.Keys, error) {
	name := c.params.Get("AWSServiceName")
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:AWSServiceName", name) }, nil
}
