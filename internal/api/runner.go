package api

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/trail"
	"github.com/rootward/rootward/internal/uuid"
)

// Config configures a Runner.
type Config struct {
	Deps  Deps
	Authz *authz.Authorizer
	// Trail, when set, records every authenticated call.
	Trail *trail.Recorder
	Log   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Region is the region answered for (default us-east-1).
	Region string
	// PageKey is the MAC key of pagination tokens (page.go).
	PageKey []byte
	// Observe, when set, is told of every answered call (the metrics).
	Observe func(service, action, code string, took time.Duration)
}

// Runner authorizes and runs operations of the services it holds.
type Runner struct {
	cfg      Config
	authz    *authz.Authorizer
	services map[string]*Service
	owner    map[Operation]*Service
	unsigned []*Service // the services called without SigV4 (Service.Unsigned), in the given order
}

// NewRunner returns a Runner of the given services.
func NewRunner(cfg Config, services ...*Service) *Runner {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Deps.Log == nil {
		cfg.Deps.Log = cfg.Log
	}
	if cfg.Deps.Trail == nil {
		cfg.Deps.Trail = cfg.Trail
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	r := &Runner{cfg: cfg, authz: cfg.Authz, services: map[string]*Service{}, owner: map[Operation]*Service{}}
	for _, s := range services {
		s.index()
		r.services[s.Name] = s
		if s.Unsigned {
			r.unsigned = append(r.unsigned, s)
		}
		for _, o := range s.Ops {
			r.owner[o] = s
		}
	}
	return r
}

// Service returns the service of SigV4 signing name name.
func (r *Runner) Service(name string) (*Service, bool) {
	s, ok := r.services[name]
	return s, ok
}

// Unsigned returns the services whose operations are called without SigV4 (Service.Unsigned).
func (r *Runner) Unsigned() []*Service { return r.unsigned }

// Now is the runner's clock.
func (r *Runner) Now() time.Time { return r.cfg.Now() }

// Deps are the domain services the runner's operations act on.
func (r *Runner) Deps() *Deps { return &r.cfg.Deps }

// NewCall starts a call made over req (the API request, or the console's page request), now.
func (r *Runner) NewCall(req *http.Request) *Call {
	c := &Call{Deps: &r.cfg.Deps, HTTP: req, RequestID: newRequestID(), runner: r}
	c.Ctx, c.Now, c.Region = req.Context(), r.cfg.Now(), r.cfg.Region
	c.SourceIP, c.SecureTransport = remoteIP(req), req.TLS != nil
	return c
}

// Route records in c the service and operation it calls.
func (c *Call) Route(svc *Service, op Operation) {
	if svc == nil {
		return
	}
	c.svc, c.Service = svc, svc.Name
	if op != nil {
		c.Action = op.opName()
	}
}

// Run runs op with its decoded input in for c's authenticated caller: the input's own checks, the
// pagination token it carries, authorization, the operation, and the token of its result.
func (r *Runner) Run(c *Call, op Operation, in any) (any, error) {
	c.Input = in
	if v, ok := in.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	scope, err := r.openPageToken(c, in)
	if err != nil {
		return nil, err
	}
	if err := op.authorize(c, in); err != nil {
		return nil, err
	}
	if c.Approval != nil {
		if err := c.Approval(c); err != nil {
			return nil, err
		}
	}
	out, err := op.run(c, in)
	if err != nil {
		return nil, err
	}
	// The record is durable before the caller can write the answer (audit.go).
	if err := r.audit(c, nil); err != nil {
		return nil, err
	}
	return r.sealPageToken(scope, out), nil
}

// Finish ends c: err becomes what a client may see (an *awserr.Error renamed to the service's
// shape names; an internal error is logged with its cause and answered without it), the call is
// recorded in the trail when its caller is known, and in the metrics. It returns the code answered
// ("OK" for none).
func (r *Runner) Finish(c *Call, err *error) string {
	code := "OK"
	if *err != nil {
		e := r.public(c, *err)
		*err, code = e, string(e.Code)
	}
	if aerr := r.audit(c, *err); aerr != nil {
		e := r.public(c, aerr)
		*err, code = e, string(e.Code)
	}
	if r.cfg.Observe != nil {
		r.cfg.Observe(c.Service, c.Action, code, r.cfg.Now().Sub(c.Now))
	}
	return code
}

// public is err as the client may see it.
func (r *Runner) public(c *Call, err error) *awserr.Error {
	e, ok := awserr.As(err)
	if !ok {
		// Never send an internal error's text to the client: it may describe the system.
		r.cfg.Log.Error("internal error", "request_id", c.RequestID, "service", c.Service, "action", c.Action, "err", err)
		code := awserr.InternalFailure
		if c.svc != nil && c.svc.InternalCode != "" {
			code = c.svc.InternalCode
		}
		e = awserr.New(code, "An internal error occurred. Retry the request.")
	}
	if c.svc != nil {
		if renamed := c.svc.PublicCode(e.Code); renamed != e.Code {
			cp := *e
			cp.Code = renamed
			e = &cp
		}
	}
	return e
}

// Recover turns a panic of the call into InternalFailure, logged with its stack.
func (r *Runner) Recover(c *Call, v any) error {
	r.cfg.Log.Error("panic serving request", "request_id", c.RequestID, "panic", v, "stack", string(debug.Stack()))
	return awserr.New(awserr.InternalFailure, "An internal error occurred.")
}

// Invoke runs op as p, a console principal, with in: the same authorization as a SigV4 caller
// (identity and boundary policies, the request's condition keys taken from req — aws:SourceIp is
// req's client, aws:SecureTransport its TLS), then the operation, then a CloudTrail AwsApiCall
// record and the metrics. req is the console's own request, whose context bounds the call. Errors
// are *awserr.Error as an API caller would get them.
func Invoke[In, Out any](r *Runner, req *http.Request, p authz.Principal, op *Op[In, Out], in *In) (out *Out, err error) {
	c, err := r.principalCall(req, p, op)
	if err != nil {
		return nil, err
	}
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, r.Recover(c, v)
		}
		r.Finish(c, &err)
	}()
	res, err := r.Run(c, op, in)
	if err != nil || res == nil {
		return nil, err
	}
	return res.(*Out), nil
}

// InvokeAs is Invoke for a caller already authenticated: a privileged root session that a console
// action opened and acts through (stsapi.DeleteRootCredentials).
func InvokeAs[In, Out any](r *Runner, req *http.Request, id *authz.Identity, op *Op[In, Out], in *In) (out *Out, err error) {
	svc, ok := r.owner[op]
	if !ok {
		panic("api: operation " + op.opName() + " belongs to no service of this runner")
	}
	c := r.NewCall(req)
	c.Route(svc, op)
	c.Caller = id
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, r.Recover(c, v)
		}
		r.Finish(c, &err)
	}()
	res, err := r.Run(c, op, in)
	if err != nil || res == nil {
		return nil, err
	}
	return res.(*Out), nil
}

// Serves reports whether op belongs to a service of the runner.
func (r *Runner) Serves(op Operation) bool {
	_, ok := r.owner[op]
	return ok
}

// Allowed decides whether p may call op with in, exactly as Invoke would (its own authorization
// included, such as ChangePassword's grant by the account password policy), without running it:
// for a page that offers an action only to those allowed it, or a step another service performs.
// It returns nil, AccessDenied, or the input's validation error.
func Allowed[In, Out any](r *Runner, req *http.Request, p authz.Principal, op *Op[In, Out], in *In) error {
	c, err := r.principalCall(req, p, op)
	if err == nil {
		c.Input = in
		if v, ok := any(in).(Validator); ok {
			err = v.Validate()
		}
	}
	if err == nil {
		err = op.authorize(c, in)
	}
	if err != nil {
		err = r.public(c, err)
	}
	return err
}

func (r *Runner) principalCall(req *http.Request, p authz.Principal, op Operation) (*Call, error) {
	svc, ok := r.owner[op]
	if !ok {
		panic("api: operation " + op.opName() + " belongs to no service of this runner")
	}
	c := r.NewCall(req)
	c.Route(svc, op)
	id, err := authz.IdentityOf(c.Ctx, r.cfg.Deps.IAM, p)
	if err != nil {
		return c, r.public(c, err)
	}
	c.Caller = id
	return c, nil
}

// Decode decodes a request's input for op by svc's protocol: awsQuery parameters, an awsJson
// body, or a restJson1 request with its labels.
func Decode(svc *Service, op Operation, query awsproto.Params, req *http.Request, labels map[string]string, body []byte) (any, error) {
	in := op.newInput()
	var err error
	switch svc.Protocol {
	case awsproto.AWSQuery:
		err = awsproto.DecodeQuery(query, in)
	case awsproto.AWSJSON10, awsproto.AWSJSON11:
		err = awsproto.DecodeJSON(body, in)
	case awsproto.RestJSON1:
		err = awsproto.DecodeREST(req, labels, body, in)
	default:
		err = awserr.New(awserr.InternalFailure, "Protocol %s is not decoded here.", svc.Protocol)
	}
	return in, err
}

// newRequestID is a random ID in the 8-4-4-4-12 hex form of AWS's request IDs, built in place so
// that it costs one allocation.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return uuid.Format(b)
}

// remoteIP is the client address (aws:SourceIp, CloudTrail's sourceIPAddress): the connection's
// peer, or what a trusted proxy's X-Forwarded-For says (internal/clientaddr, resolved once when the
// request arrived), "" when unusable. aws:SourceIp must not be settable by the caller.
func remoteIP(r *http.Request) string {
	s := clientaddr.From(r)
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	// Most addresses arrive in the form String gives them; they are kept without a new string.
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) == s {
		return s
	}
	return a.String()
}
