package iamapi

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// What the operations of every IAM entity share: how an operation is declared (add), how the
// resource it acts on is resolved for authorization (one read of the store), the user an
// operation defaults to, and the URL encoding of policy documents.

// add declares an IAM operation in the package's table. An operation with the default
// authorization and a Resource also carries the condition keys of the resource it acts on
// (resourceKeys): its tags, and the current boundary its own Keys may read from c.Facts.
func add[In, Out any](o *api.Op[In, Out]) *api.Op[In, Out] {
	if o.Resource != nil && o.Authorize == nil {
		o.Keys = resourceKeys(o.Keys)
	}
	return api.Add(&ops, o)
}

// resourceKeys gives an operation the keys of the resource it acts on, before its own keys (own,
// nil for none). The resource's facts are those its Resource found (entityARN keeps them in
// c.Facts), else they are looked up now by c.Resource. A failed lookup fails the call: a Deny
// conditioned on a tag must not be skipped because the tag could not be read.
func resourceKeys[In any](own func(c *api.Call, in *In) (authz.Keys, error)) func(c *api.Call, in *In) (authz.Keys, error) {
	return func(c *api.Call, in *In) (authz.Keys, error) {
		if c.Facts == unreadable {
			return nil, errUnreadable
		}
		if c.Facts == nil {
			f, err := c.IAM.ResourceFacts(c.Ctx, c.Account(), c.Resource)
			if err != nil {
				return nil, err
			}
			c.Facts = f
		}
		f := c.Facts
		var ownKeys authz.Keys
		if own != nil {
			var err error
			if ownKeys, err = own(c, in); err != nil {
				return nil, err
			}
		}
		if f == nil || len(f.Tags) == 0 {
			return ownKeys, nil
		}
		return func(ctx *policy.Context) {
			authz.SetResourceTags(ctx, f.Tags, f.Kind == "user" || f.Kind == "role")
			if ownKeys != nil {
				ownKeys(ctx)
			}
		}, nil
	}
}

// entityARN is the ARN of the user, group or role (kind) named name, as authorization sees it:
// the entity is read once, for its ARN with its path and for its facts, which it keeps in c.Facts
// for the resource keys. An entity that does not exist has the ARN without a path (the operation
// answers NoSuchEntity once authorized) and facts with no tags or boundary. When the store cannot
// be read, the call fails in resourceKeys: without its path and tags, a Deny on the entity's path
// or tags would not apply.
func entityARN(c *api.Call, kind, name string) string {
	if name == "" {
		return arnOf(c, kind, "")
	}
	f, err := c.IAM.EntityFacts(c.Ctx, c.Account(), kind, name)
	switch {
	case err != nil:
		cannotRead(c, err)
		return arnOf(c, kind, name)
	case f == nil:
		f = &iam.ResourceFacts{Kind: kind, ARN: arnOf(c, kind, name)}
	}
	c.Facts = f
	return f.ARN
}

// cannotRead records that the resource of c could not be read (err, logged): resourceKeys then
// fails the call.
func cannotRead(c *api.Call, err error) {
	c.Log.Error("reading the resource to authorize", "request_id", c.RequestID, "action", c.Action, "err", err)
	c.Facts = unreadable
}

// unreadable is c.Facts when the resource could not be read (cannotRead); resourceKeys then fails
// the call with errUnreadable, which the runner answers as an internal error.
var (
	unreadable    = &iam.ResourceFacts{}
	errUnreadable = errors.New("iamapi: the resource to authorize could not be read")
)

// arnOf is the ARN of kind/name in the caller's account without a path; kind/* when name is "".
func arnOf(c *api.Call, kind, name string) string {
	if name == "" {
		return arn.IAM(c.Account(), kind+"/*")
	}
	return arn.IAM(c.Account(), kind+"/"+name)
}

// userARN is the resource of an operation on a user named by an optional UserName: that user, else
// the calling user, else (a root caller naming no user) the root user itself.
func userARN(c *api.Call, name string) string {
	if name = userOrCaller(c, name); name == "" && c.Caller.Type == iam.PrincipalRoot {
		return c.Caller.ARN
	}
	return entityARN(c, "user", name)
}

// newEntityARN is the resource of a Create* operation: the ARN the new entity will have, with the
// Path the caller asks for, so that a policy scoped to a path ("arn:aws:iam::*:role/app/*", or a
// Deny on "user/admins/*") decides on the path the entity gets.
func newEntityARN(c *api.Call, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return arn.IAMEntity(c.Account(), kind, path, name)
}

// userOrCaller is an optional UserName member, defaulting to the calling IAM user as IAM does for
// GetUser, access keys and the like ("If you do not specify a user name, IAM determines the user
// name implicitly based on the AWS access key ID used to sign the request"); "" for a root or role
// caller that names no user.
func userOrCaller(c *api.Call, name string) string {
	if name != "" {
		return name
	}
	return c.Caller.UserName
}

// needUser is the user an operation acts on (userOrCaller), or the ValidationError of a missing
// UserName when neither the request nor the caller names one (a root or role caller must name the
// user).
func needUser(c *api.Call, name string) (string, error) {
	if n := userOrCaller(c, name); n != "" {
		return n, nil
	}
	return "", awsproto.MissingParam("UserName")
}

// credentialUser is the user a credential operation acts on: the UserName member, else the calling
// IAM user, else "" for a root caller (these operations act on the root user then: IAM API
// Reference, e.g. ListAccessKeys: "If the UserName is not specified, the user name is determined
// implicitly based on the AWS access key ID used to sign the request"), else a ValidationError (a
// role must name the user).
func credentialUser(c *api.Call, name string) (string, error) {
	if name == "" && c.Caller.Type == iam.PrincipalRoot {
		return "", nil
	}
	return needUser(c, name)
}

// encodeDoc percent-encodes a policy document as IAM returns documents (RFC 3986; IAM API
// reference, GetUserPolicy: "The policy document returned in this structure is URL-encoded").
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// Blob is an awsQuery blob: bytes, sent as base64 text in the XML, which the SDKs decode (Smithy,
// "AWS query protocol", https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
type Blob []byte

// MarshalText implements encoding.TextMarshaler.
func (b Blob) MarshalText() ([]byte, error) {
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}
