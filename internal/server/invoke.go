package server

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// Principal is a console principal (authz.Principal).
type Principal = authz.Principal

// queryOp is the awsQuery operation action of service, or InvalidAction.
func (s *Server) queryOp(service, action string) (*api.Service, api.Operation, error) {
	svc, ok := s.runner.Service(service)
	if !ok || svc.Protocol != awsproto.AWSQuery {
		return nil, nil, awserr.New(awserr.InvalidAction, "Rootward does not serve the awsQuery service %q.", service)
	}
	o, ok := svc.Op(action)
	if !ok {
		return nil, nil, awserr.New(awserr.InvalidAction, "Could not find operation %s", action)
	}
	return svc, o, nil
}

// Invoke runs an awsQuery operation (IAM or STS) as p through the runner (api.Runner.InvokeQuery):
// the same authorization as a SigV4 caller (identity and boundary policies, the request's
// condition keys taken from r — aws:SourceIp is r's peer, aws:SecureTransport is r's TLS), then the
// operation, then a CloudTrail AwsApiCall record and the request metrics. r is the console's own
// HTTP request, whose context bounds the call. The result is the operation's output (what Response
// would encode). Errors are *awserr.Error as an API caller would get them (AccessDenied,
// NoSuchEntity, …); internal errors are logged and answered as ServiceFailure without their detail.
func (s *Server) Invoke(r *http.Request, p Principal, service, action string, params awsproto.Params) (any, error) {
	_, o, err := s.queryOp(service, action)
	if err != nil {
		return nil, err
	}
	return s.runner.InvokeQuery(r, p, o, params)
}

// InvokeInto is Invoke decoding the result into out, a struct with the operation's XML result
// shape (the members of <ActionResult>, as the IAM API reference names them). It goes through the
// wire encoding on purpose: the console reads answers exactly as an SDK would, and depends on no
// type inside this package.
func (s *Server) InvokeInto(r *http.Request, p Principal, service, action string, params awsproto.Params, out any) error {
	res, err := s.Invoke(r, p, service, action, params)
	if err != nil || out == nil || res == nil {
		return err
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		return err
	}
	return xml.Unmarshal(buf.Bytes(), out)
}

// Authorize decides whether p may perform action (e.g. "iam:CreateAccessKey") on resource, with
// the same policies and condition keys as Invoke, for console steps that are not one API operation
// (a root access key created after an explicit confirmation, say). It returns nil or AccessDenied.
func (s *Server) Authorize(r *http.Request, p Principal, action, resource string) error {
	c := s.runner.NewCall(r)
	id, err := authz.IdentityOf(c.Ctx, s.iam, p)
	if err != nil {
		return err
	}
	c.Caller = id
	err = c.Authorize(action, resource, nil)
	if err != nil {
		if _, ok := awserr.As(err); !ok {
			s.log.Error("internal error authorizing a console step", "request_id", c.RequestID, "action", action, "err", err)
			return errors.New("authorization could not be evaluated")
		}
	}
	return err
}

// AuthorizeOperation decides whether p may call an awsQuery operation with these parameters, exactly
// as Invoke would (an operation's own authorization included, such as ChangePassword's grant by the
// account password policy), without running it (api.Runner.Allowed): for console steps that another
// service performs (an IAM user's forced password change at sign-in). Returns nil, AccessDenied,
// InvalidAction, or the parameters' validation error.
func (s *Server) AuthorizeOperation(r *http.Request, p Principal, service, action string, params awsproto.Params) error {
	svc, o, err := s.queryOp(service, action)
	if err != nil {
		return err
	}
	q := awsproto.Params{"Action": action}
	for k, v := range params {
		q[k] = v
	}
	in, err := api.Decode(svc, o, q, r, nil, nil)
	if err != nil {
		return err
	}
	return s.runner.Allowed(r, p, o, in)
}
