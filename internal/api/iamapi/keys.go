package iamapi

import (
	"github.com/rootward/rootward/internal/api"
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
//     current tags (resourceKeys, which add gives every operation on a resource).
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
// iam:AssociatedResourceArn (iam:PassRole, which no served service performs), iam:OrganizationsPolicyId
// (GenerateOrganizationsAccessReport), and the FIDO and service-specific-credential keys.
//
// A key the request does not carry is left unset, so a condition on it behaves as in AWS on a
// missing key (StringEquals false, ...IfExists true, Null true). The builders below do no I/O: an
// operation's Keys reads its input and, for the current boundary, c.Facts, which its Resource
// filled.

// setIfPresent sets key to v unless v is empty (an absent member).
func setIfPresent(ctx *policy.Context, key, v string) {
	if v != "" {
		ctx.Set(key, v)
	}
}

// currentBoundary is the permissions boundary of the user or role the call acts on, "" when it
// has none or does not exist.
func currentBoundary(c *api.Call) string {
	if c.Facts == nil {
		return ""
	}
	return c.Facts.Boundary
}

// createEntityKeys are CreateUser's and CreateRole's keys: the boundary the new entity gets and
// its tags.
func createEntityKeys(boundary string, tags []iam.Tag) authz.Keys {
	return func(ctx *policy.Context) {
		setIfPresent(ctx, "iam:PermissionsBoundary", boundary)
		authz.SetRequestTags(ctx, tags)
	}
}

// tagRequestKeys are the keys of an action that adds tags: Create* with Tags, Tag*.
func tagRequestKeys(tags []iam.Tag) authz.Keys {
	return func(ctx *policy.Context) { authz.SetRequestTags(ctx, tags) }
}

// untagKeys are Untag*'s keys: aws:TagKeys, the keys it removes.
func untagKeys(keys []string) authz.Keys {
	return func(ctx *policy.Context) {
		if len(keys) > 0 {
			ctx.Set("aws:TagKeys", keys...)
		}
	}
}

// newBoundaryKeys are Put*PermissionsBoundary's: the boundary being set.
func newBoundaryKeys(boundary string) authz.Keys {
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:PermissionsBoundary", boundary) }
}

// currentBoundaryKeys are the keys of an action that changes a user's or role's permissions: its
// current boundary.
func currentBoundaryKeys(c *api.Call) authz.Keys {
	return newBoundaryKeys(currentBoundary(c))
}

// attachKeys are Attach/Detach User and Role policies': the managed policy and the target's
// current boundary.
func attachKeys(c *api.Call, policyARN string) authz.Keys {
	b := currentBoundary(c)
	return func(ctx *policy.Context) {
		setIfPresent(ctx, "iam:PolicyARN", policyARN)
		setIfPresent(ctx, "iam:PermissionsBoundary", b)
	}
}

// groupAttachKeys are Attach/Detach Group policies': the managed policy (a group has no boundary).
func groupAttachKeys(policyARN string) authz.Keys {
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:PolicyARN", policyARN) }
}

// awsServiceNameKeys are CreateServiceLinkedRole's: iam:AWSServiceName, the service the role is
// for.
func awsServiceNameKeys(name string) authz.Keys {
	return func(ctx *policy.Context) { setIfPresent(ctx, "iam:AWSServiceName", name) }
}
