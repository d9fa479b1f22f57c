package server

import (
	"bytes"
	"encoding/xml"
	"errors"
	"github.com/rootward/rootward/internal/arn"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Principal is a caller that authenticated without SigV4: a signed-in console session. The console
// calls the AWS operations its pages need as this principal through Invoke, so a page can do no more
// than the same person could with the AWS CLI — the same policy evaluation, the same condition keys,
// the same CloudTrail record.
type Principal struct {
	Account string
	// UserName is the IAM user, "" for the account's root user.
	UserName string
	// UserID is the IAM user's unique ID when the principal signed in as that user: the session
	// then ends with that user, and never passes to a later user of the same name. "" names the
	// user by name alone (an operator's command line, a sign-in still in progress).
	UserID string
	// SessionID identifies the console session in CloudTrail's sessionContext; it is never a secret.
	SessionID string
	// IssuedAt is when the person signed in (aws:TokenIssueTime).
	IssuedAt time.Time
	// MFA reports that the sign-in used an MFA device, at MFATime (aws:MultiFactorAuthPresent and
	// aws:MultiFactorAuthAge: AWS sets both for console sessions, which are temporary credentials).
	MFA     bool
	MFATime time.Time
}

// identityOf builds the caller identity of a console principal. A console session is a temporary
// credential in AWS's model, so the identity carries an iam.Session (never stored) with the sign-in
// time and MFA facts; its key — which keys the authorizer's compiled-policy cache — is the principal
// itself (by unique ID), because a console session has no session policies of its own.
func (s *Server) identityOf(c *call, p Principal) (*identity, error) {
	sess := &iam.Session{
		AccessKeyID: "console/" + p.Account + "/", Account: p.Account, // the root user's; a user's below
		IssuedAt: p.IssuedAt.UTC().Truncate(time.Second), MFA: p.MFA, SessionName: p.SessionID,
	}
	if p.MFA {
		t := p.MFATime.UTC().Truncate(time.Second)
		sess.MFATime = &t
	}
	if p.UserName == "" {
		sess.Type = iam.PrincipalRoot
		root := arn.Root(p.Account)
		return &identity{account: p.Account, ptype: iam.PrincipalRoot, arn: root, principalARN: root,
			userID: p.Account, session: sess}, nil
	}
	u, err := s.iam.GetUser(c.ctx, p.Account, p.UserName)
	if err != nil {
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			// The user was deleted while signed in: the session no longer names anyone.
			return nil, errInvalidToken
		}
		return nil, err
	}
	if p.UserID != "" && p.UserID != u.UserID {
		// Deleted and created again under the same name: not the user who signed in.
		return nil, errInvalidToken
	}
	sess.Type, sess.UserName, sess.UserID, sess.Tags = iam.PrincipalUser, u.UserName, u.UserID, u.Tags
	// Key the compiled-policy cache by the user's unique ID, not its name: another node may still
	// hold a set compiled for a deleted user of the same name.
	sess.AccessKeyID = "console/" + p.Account + "/" + u.UserID
	return &identity{account: p.Account, ptype: iam.PrincipalUser, arn: u.Arn, principalARN: u.Arn,
		userID: u.UserID, userName: u.UserName, tags: u.Tags, session: sess}, nil
}

// Invoke runs an awsQuery operation (IAM or STS) as p: the same authorization as a SigV4 caller
// (identity and boundary policies, the request's condition keys taken from r — aws:SourceIp is
// r's peer, aws:SecureTransport is r's TLS), then the operation, then a CloudTrail AwsApiCall record
// and the request metrics. r is the console's own HTTP request, whose context bounds the call. The
// result is the operation's XML result element value (what Response would encode). Errors are
// *awserr.Error as an API caller would get them (AccessDenied, NoSuchEntity, …); internal errors are
// logged and answered as ServiceFailure without their detail.
func (s *Server) Invoke(r *http.Request, p Principal, service, action string, params awsproto.Params) (result any, err error) {
	c := &call{ctx: r.Context(), s: s, r: r, reqID: newRequestID(), now: s.now(), service: service, action: action}
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic invoking operation", "request_id", c.reqID, "panic", v, "stack", string(debug.Stack()))
			result, err = nil, awserr.New(awserr.ServiceFailure, "An internal error occurred. Retry the request.")
		}
		code := "OK"
		if err != nil {
			code = s.publicError(c, &err)
		}
		s.audit(c, err)
		s.metrics.observe(c, code, s.now().Sub(c.now))
	}()
	svc, ok := s.services[service]
	if !ok {
		return nil, awserr.New(awserr.InvalidAction, "Rootward does not serve the service %q.", service)
	}
	if svc.json {
		// awsJson services decode a body of their own; the console has no page on them yet.
		return nil, awserr.New(awserr.InvalidAction, "Invoke supports awsQuery services only, not %q.", service)
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
	if c.id, err = s.identityOf(c, p); err != nil {
		return nil, err
	}
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

// publicError replaces *err by what a client may see (an *awserr.Error, renamed to the service's
// shape name), logging internal errors with the request ID, and returns the code.
func (s *Server) publicError(c *call, err *error) string {
	e, ok := awserr.As(*err)
	if !ok {
		s.log.Error("internal error", "request_id", c.reqID, "service", c.service, "action", c.action, "err", *err)
		e = awserr.New(awserr.ServiceFailure, "An internal error occurred. Retry the request.")
	}
	if c.svc != nil && c.svc.codes[e.Code] != "" {
		renamed := *e
		renamed.Code = c.svc.codes[e.Code]
		e = &renamed
	}
	*err = e
	return e.Code
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
	c := &call{ctx: r.Context(), s: s, r: r, reqID: newRequestID(), now: s.now()}
	id, err := s.identityOf(c, p)
	if err != nil {
		return err
	}
	c.id = id
	err = s.authorize(c, action, resource)
	if err != nil {
		if _, ok := awserr.As(err); !ok {
			s.log.Error("internal error authorizing a console step", "request_id", c.reqID, "action", action, "err", err)
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
	c := &call{ctx: r.Context(), s: s, r: r, reqID: newRequestID(), now: s.now(), service: service, action: action}
	svc, ok := s.services[service]
	if !ok || svc.json {
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
	if c.id, err = s.identityOf(c, p); err != nil {
		return err
	}
	if err = s.authorizeOp(c, o); err != nil {
		s.publicError(c, &err)
	}
	return err
}
