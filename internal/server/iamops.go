package server

import (
	"net/url"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// IAM operations over awsQuery. Shapes follow the IAM API reference and the aws-sdk-go-v2
// service/iam deserializers (e.g. awsAwsquery_deserializeOpDocumentCreateUserOutput).

func listOpts(c *call) (iam.ListOpts, error) {
	n, err := c.params.Int("MaxItems", 0, 1, 1000)
	return iam.ListOpts{Marker: c.params.Get("Marker"), MaxItems: n}, err
}

func tagsParam(c *call, name string) []iam.Tag {
	var out []iam.Tag
	for _, m := range c.params.Structs(name, "Key", "Value") {
		out = append(out, iam.Tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// encodeDoc percent-encodes a policy document as IAM returns documents (RFC 3986; IAM API
// reference, GetUserPolicy: "The policy document returned in this structure is URL-encoded").
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// paged is the common tail of IAM list results.
type paged struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

func pageOf[T any](p iam.Page[T]) paged { return paged{IsTruncated: p.IsTruncated, Marker: p.Marker} }

func arnOf(c *call, kind, name string) string {
	if name == "" {
		return arn.IAM(c.Account(), kind+"/*")
	}
	return arn.IAM(c.Account(), kind+"/"+name)
}

// userName is the UserName parameter, defaulting to the calling user as IAM does for GetUser,
// access keys and the like ("If you do not specify a user name, IAM determines the user name
// implicitly based on the AWS access key ID used to sign the request").
func userName(c *call) string {
	if n := c.params.Get("UserName"); n != "" {
		return n
	}
	return c.Caller.UserName
}

func userRes(c *call) string {
	n := userName(c)
	if n == "" && c.Caller.Type == iam.PrincipalRoot {
		return c.Caller.ARN
	}
	if u, err := c.s.iam.GetUser(c.Ctx, c.Account(), n); err == nil {
		return u.Arn
	}
	return arnOf(c, "user", n)
}

// newRes is the resource of a Create* operation: the ARN the new entity will have, with the Path
// the caller asks for, so that a policy scoped to a path ("arn:aws:iam::*:role/app/*", or a Deny
// on "user/admins/*") decides on the path the entity gets.
func newRes(kind, nameParam string) func(c *call) string {
	return func(c *call) string {
		p := c.params.Get("Path")
		if p == "" {
			p = "/"
		}
		return arn.IAMEntity(c.Account(), kind, p, c.params.Get(nameParam))
	}
}

// needUser returns the target user name, or a ValidationError when neither the parameter nor the
// caller names one (a root or role caller must name the user).
func needUser(c *call) (string, error) {
	n := userName(c)
	if n == "" {
		return "", awsproto.MissingParam("UserName")
	}
	return n, nil
}

type policyVersionOut struct {
	Document         string        `xml:"Document,omitempty"`
	VersionID        string        `xml:"VersionId"`
	IsDefaultVersion bool          `xml:"IsDefaultVersion"`
	CreateDate       awsproto.Time `xml:"CreateDate"`
}

func versionXML(v iam.PolicyVersion) policyVersionOut {
	out := policyVersionOut{VersionID: v.VersionID, IsDefaultVersion: v.IsDefaultVersion, CreateDate: awsproto.Time(v.CreateDate)}
	if v.Document != "" {
		out.Document = encodeDoc(v.Document)
	}
	return out
}

// iamOps are IAM's operations that have not moved into internal/api/iamapi yet: the root-access
// features (rootaccess.go).
func iamOps() map[string]*op {
	ops := map[string]*op{}
	addRootAccessOps(ops)
	for _, o := range ops {
		withResourceKeys(o)
	}
	return ops
}
