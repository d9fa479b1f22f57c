package api

import (
	"slices"
	"sync"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// Service is one AWS service Rootward serves: its SigV4 signing name, wire protocol and operations.
type Service struct {
	// Name is the SigV4 signing name ("iam"), the prefix of its actions in policies and of its
	// CloudTrail event source ("iam.amazonaws.com").
	Name     string
	Protocol awsproto.Protocol
	// XMLNamespace is an awsQuery service's response namespace (the xmlNamespace trait of its
	// Smithy model).
	XMLNamespace string
	// TargetPrefix is an awsJson service's X-Amz-Target prefix ("AWSOrganizationsV20161128").
	TargetPrefix string
	// TargetPrefixAliases are other X-Amz-Target prefixes clients send for the same service: the
	// Smithy model's shape ID and the botocore model's targetPrefix may differ (CloudTrail:
	// "CloudTrail_20131101" from aws-sdk-go-v2, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	// from the AWS CLI).
	TargetPrefixAliases []string
	// Codes renames the generic codes raised below the service (AccessDenied, ValidationError) to
	// the service's own shape names (AccessDeniedException in Organizations), because SDKs match
	// shape names.
	Codes map[awserr.Code]awserr.Code
	// InvalidPageToken is the service's answer to a pagination token it did not issue for the call.
	InvalidPageToken func() error
	// Sensitive are the service's request members (top level, wire names) that its CloudTrail
	// records show as HIDDEN_DUE_TO_SECURITY_REASONS, besides the secrets every service hides: the
	// members its model marks sensitive.
	Sensitive map[string]bool
	// InternalCode is the code of an internal error (IAM: ServiceFailure; default InternalFailure).
	InternalCode awserr.Code
	// Unsigned marks a service whose operations are called without SigV4 (sso-oidc and the access
	// portal's API): internal/server routes an unsigned request to it by method and path and runs
	// the operation without a caller; the operation authenticates what the request carries (a
	// client secret, a bearer token) and records its own CloudTrail events.
	Unsigned bool
	Ops      Table

	once   sync.Once
	byName map[string]Operation
	routes []route
}

type route struct {
	awsproto.Route
	op Operation
}

func (s *Service) index() {
	s.once.Do(func() {
		s.byName = make(map[string]Operation, len(s.Ops))
		for _, o := range s.Ops {
			if _, dup := s.byName[o.opName()]; dup {
				panic("api: operation " + s.Name + ":" + o.opName() + " is in the table twice")
			}
			s.byName[o.opName()] = o
			if r := o.route(); r != nil {
				s.routes = append(s.routes, route{*r, o})
			}
		}
	})
}

// Op returns the operation named name.
func (s *Service) Op(name string) (Operation, bool) {
	s.index()
	o, ok := s.byName[name]
	return o, ok
}

// Has reports whether the service has an operation named name.
func (s *Service) Has(name string) bool {
	_, ok := s.Op(name)
	return ok
}

// Route returns the restJson1 operation bound to method and the escaped path, with its labels.
func (s *Service) Route(method, escapedPath string) (Operation, map[string]string, bool) {
	return s.RouteQuery(method, escapedPath, "")
}

// RouteQuery is Route for a request with the raw query string rawQuery: a route whose pattern ends
// with query literals ("POST /approval-teams/{Arn}?Delete") is tried before the others and matches
// only a query that carries them.
func (s *Service) RouteQuery(method, escapedPath, rawQuery string) (Operation, map[string]string, bool) {
	s.index()
	for _, withQuery := range []bool{true, false} {
		for _, r := range s.routes {
			if r.HasQuery() != withQuery {
				continue
			}
			if labels, ok := r.MatchQuery(method, escapedPath, rawQuery); ok {
				return r.op, labels, true
			}
		}
	}
	return nil, nil, false
}

// HasTargetPrefix reports whether an awsJson X-Amz-Target prefix names the service.
func (s *Service) HasTargetPrefix(prefix string) bool {
	return prefix == s.TargetPrefix || slices.Contains(s.TargetPrefixAliases, prefix)
}

// OpName is an operation's name.
func OpName(o Operation) string { return o.opName() }

// OpRefused reports whether o answers only with a documented refusal (Op.Refused).
func OpRefused(o Operation) bool { return o.refused() }

// PublicCode is code as the service's clients know it (Codes applied).
func (s *Service) PublicCode(code awserr.Code) awserr.Code {
	if c, ok := s.Codes[code]; ok {
		return c
	}
	return code
}
