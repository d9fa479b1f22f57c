// Package stsapi is the AWS Security Token Service over awsQuery: one typed operation per STS API
// action — the caller's identity (identity.go), session tokens (sessiontoken.go), roles
// (assumerole.go) and privileged root sessions (assumeroot.go). The rules of who gets which
// credentials are internal/sts's; this package decodes, looks up and issues. Shapes follow the
// STS API Reference and the aws-sdk-go-v2 service/sts deserializers (e.g.
// awsAwsquery_deserializeOpDocumentAssumeRoleOutput).
package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Namespace is the XML namespace of STS's responses (the xmlNamespace trait of the STS Smithy
// model; Smithy, "AWS query protocol", https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns STS's descriptor with every operation. STS has no paginated operation, and
// its internal errors are InternalFailure (the default).
func Service() *api.Service {
	return &api.Service{Name: "sts", Protocol: awsproto.AWSQuery, XMLNamespace: Namespace, Ops: ops}
}

// Credentials are temporary security credentials (the STS Credentials shape).
type Credentials struct {
	AccessKeyID     string        `xml:"AccessKeyId"`
	SecretAccessKey string        `xml:"SecretAccessKey"`
	SessionToken    string        `xml:"SessionToken"`
	Expiration      awsproto.Time `xml:"Expiration"`
}

// credentialsOf are the credentials of a session just issued.
func credentialsOf(s *iam.Session) Credentials {
	return Credentials{s.AccessKeyID, s.Secret, s.Token, awsproto.Time(s.Expiration)}
}

// PolicyDescriptor names a managed policy (the STS PolicyDescriptorType shape: PolicyArns.member.N.arn,
// TaskPolicyArn.arn).
type PolicyDescriptor struct {
	Arn string `query:"arn" required:"true"`
}

// deref is a member's value, "" when it was not sent. STS refuses an empty value of a member whose
// model sets a minimum length (SourceIdentity, ExternalId, Policy, TokenCode), so those members are
// pointers: sent empty, they point to "" and are checked; not sent, they are nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
