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

// Invoke runs an awsQuery operation (IAM or STS) as p: the same authorization as a SigV4 caller
// (identity and boundary policies, the request's condition keys taken from r — aws:SourceIp is
// r's peer, aws:SecureTransport is r's TLS), then the operation, then a CloudTrail AwsApiCall record
// and the request metrics. r is the console's own HTTP request, whose context bounds the call. The
// result is the operation's XML result element value (what Response would encode). Errors are
// *awserr.Error as an API caller would get them (AccessDenied, NoSuchEntity, …); internal errors are
// logged and answered as ServiceFailure without their detail.
func (s *Server) Invoke(r *http.Request, p Principal, service, action string, params awsproto.Params) (result any, err error) {
	// An operation moved into its service's package runs through the runner, as an API call would.
	if svc, ok := s.runner.Service(service); ok && svc.Protocol == awsproto.AWSQuery {
		if op, ok := svc.Op(action); ok {
			return s.runner.InvokeQuery(r, p, op, params)
		}
		if s.legacy[service] == nil {
			return nil, awserr.New(awserr.InvalidAction, "Could not find operation %s", action)
		}
	}
	c := s.legacyCall(r, service, action)
	defer func() {
		if v := recover(); v != nil {
			result, err = nil, s.runner.Recover(c.Call, v)
		}
		s.runner.Finish(c.Call, &err)
	}()
	if c.Caller, err = authz.IdentityOf(c.Ctx, s.iam, p); err != nil {
		return nil, err
	}
	if res, ok, err := s.runMoved(c, service, action, params); ok {
		return res, err
	}
	svc, ok := s.legacy[service]
	if !ok {
		return nil, awserr.New(awserr.InvalidAction, "Rootward does not serve the service %q.", service)
	}
	c.svc = svc
	o, ok := svc.ops[action]
	if !ok {
		return nil, awserr.New(awserr.InvalidAction, "Could not find operation %s", action)
	}
	c.params = awsproto.Params{}
	for k, v := range params {
		c.params[k] = v
	}
	c.params["Action"] = action
	c.Query = c.params
	// The console is a client like any other: it gets and gives back pagination tokens.
	scope, err := s.openPageToken(c)
	if err != nil {
		return nil, err
	}
	if err = s.authorizeOp(c, o); err != nil {
		return nil, err
	}
	if result, err = o.run(c); err != nil {
		return nil, err
	}
	return s.sealPageToken(c, scope, result), nil
}

// runMoved runs, for c's caller, an awsQuery operation that has moved into its service's package
// (internal/api/...): its input decoded from params as the API decodes a request's, then the
// runner's input checks, page token, authorization and the operation. ok is false when the
// runner's table has no such operation (the legacy tables may).
func (s *Server) runMoved(c *call, service, action string, params awsproto.Params) (res any, ok bool, err error) {
	svc, found := s.runner.Service(service)
	if !found || svc.Protocol != awsproto.AWSQuery {
		return nil, false, nil
	}
	o, found := svc.Op(action)
	if !found {
		return nil, false, nil
	}
	c.Route(svc, o)
	c.svc = nil
	c.params = awsproto.Params{}
	for k, v := range params {
		c.params[k] = v
	}
	c.params["Action"] = action
	c.Query = c.params
	in, err := api.Decode(svc, o, c.params, c.r, nil, nil)
	if err != nil {
		return nil, true, err
	}
	res, err = s.runner.Run(c.Call, o, in)
	return res, true, err
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
	c := s.legacyCall(r, "", "")
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
// account password policy), without running it: for console steps that another service performs
// (an IAM user's forced password change at sign-in). Returns nil, AccessDenied, InvalidAction.
func (s *Server) AuthorizeOperation(r *http.Request, p Principal, service, action string, params awsproto.Params) error {
	if svc, ok := s.runner.Service(service); ok && svc.Protocol == awsproto.AWSQuery {
		if o, ok := svc.Op(action); ok {
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
	}
	c := s.legacyCall(r, service, action)
	svc, ok := s.legacy[service]
	if !ok {
		return awserr.New(awserr.InvalidAction, "Rootward cannot authorize %s:%s here.", service, action)
	}
	o, ok := svc.ops[action]
	if !ok {
		return awserr.New(awserr.InvalidAction, "Could not find operation %s", action)
	}
	c.svc, c.params = svc, awsproto.Params{"Action": action}
	for k, v := range params {
		c.params[k] = v
	}
	var err error
	if c.Caller, err = authz.IdentityOf(c.Ctx, s.iam, p); err != nil {
		return err
	}
	return s.runner.Public(c.Call, s.authorizeOp(c, o))
}
