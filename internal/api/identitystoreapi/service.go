// Package identitystoreapi is the AWS Identity Store API over awsJson 1.1 (X-Amz-Target
// AWSIdentityStore.<Op>, signing name identitystore) over internal/identitycenter: users (users.go),
// groups and group memberships (groups.go) of an IAM Identity Center instance's identity store.
// Member names and shapes follow the Identity Store API Reference and aws-sdk-go-v2
// service/identitystore; timestamps are epoch seconds, the awsJson default.
//
// Every action is authorized as identitystore:<Op> on the identity store's ARN
// (arn:aws:identitystore::ACCOUNT:identitystore/d-…, the owner's account) and, where the request
// names one, on the user, group or membership ARN (arn:aws:identitystore:::user/ID …), as the
// Service Authorization Reference lists ("Actions, resources, and condition keys for AWS Identity
// Store", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentitystore.html),
// with identitystore:UserId for the actions on one user.
package identitystoreapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/cloudtrailapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/policy"
)

// TargetPrefix is the X-Amz-Target prefix of the Identity Store's operations.
const TargetPrefix = "AWSIdentityStore"

var ops api.Table

// Service returns the Identity Store's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "identitystore", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix,
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.ICAccessDenied,
			awserr.ValidationError: awserr.ICValidation,
		},
		// The members the Identity Store model marks sensitive (UserName, GroupDisplayName,
		// ExternalId's members and SensitiveStringType, which most user attributes are), and those
		// holding them, are hidden in CloudTrail records.
		Sensitive: map[string]bool{"UserName": true, "DisplayName": true, "Name": true, "NickName": true, "ProfileUrl": true,
			"Emails": true, "Addresses": true, "PhoneNumbers": true, "UserType": true, "Title": true, "PreferredLanguage": true,
			"Locale": true, "Timezone": true, "Description": true, "ExternalIds": true, "Filters": true,
			"AlternateIdentifier": true, "Operations": true},
		InvalidPageToken: func() error {
			return awserr.New(awserr.ICValidation, "The NextToken is not valid: pass the token of the previous page of the same request.")
		},
		Ops: ops,
	}
}

// Timestamp is epoch seconds, awsJson's default.
type Timestamp = cloudtrailapi.Timestamp

// storeARN is the ARN of the identity store a request names: in its owner's account, the caller's
// when the store is unknown (the action then fails with ResourceNotFoundException once allowed).
func storeARN(c *api.Call, idOrARN string) string {
	id, err := identitycenter.StoreID(idOrARN)
	if err != nil {
		return "*"
	}
	owner, err := c.IdentityCenter.Owner(c.Ctx, id)
	if err != nil || owner == "" {
		owner = c.Account()
	}
	return identitycenter.IdentityStoreARN(owner, id)
}

// on is the Authorize of an action on the identity store a request names and, when more returns
// any, on further resources (a user, group or membership); userID, when set, is
// identitystore:UserId.
func on[In any](store func(in *In) string, more func(in *In) []string, userID func(in *In) string) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		c.Resource = storeARN(c, store(in))
		var keys authz.Keys
		if userID != nil {
			if id := userID(in); id != "" {
				keys = func(ctx *policy.Context) { ctx.Set("identitystore:UserId", id) }
			}
		}
		action := c.Service + ":" + c.Action
		if err := c.Authorize(action, c.Resource, keys); err != nil {
			return err
		}
		if more != nil {
			for _, r := range more(in) {
				if err := c.Authorize(action, r, keys); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// ListInput pages a listing: MaxResults 1–100, NextToken sealed by the runner.
type ListInput struct {
	MaxResults *int   `page:"size"`
	NextToken  string `page:"token"`
}

func (l ListInput) opts() identitycenter.ListOpts {
	o := identitycenter.ListOpts{After: l.NextToken}
	if l.MaxResults != nil {
		o.Limit = *l.MaxResults
	}
	return o
}

func (l ListInput) check() error {
	if l.MaxResults != nil && (*l.MaxResults < 1 || *l.MaxResults > 100) {
		return awserr.New(awserr.ICValidation, "MaxResults must be between 1 and 100.")
	}
	return nil
}

// next is a page's NextToken member: the position of its last item when more follow.
func next(truncated bool, last string) *string {
	if !truncated {
		return nil
	}
	return &last
}
