// Package server is Rootward's HTTP composition: it routes each request to the service named in its
// SigV4 credential scope, authenticates it, authorizes it with the policy engine, runs the operation
// and encodes the answer in the service's wire protocol. internal/httpmux mounts it beside the
// console, /healthz and /metrics.
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/mpaapi"
	apiservices "github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/store"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/cloudtrail"
	"github.com/rootward/rootward/internal/config"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/securityhub"
	"github.com/rootward/rootward/internal/sigv4"
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/trail"
)

// MaxBodyBytes bounds a request body; larger bodies are refused before they are read whole.
const MaxBodyBytes = 1 << 20

// Namespaces of the awsQuery responses (the xmlNamespace traits of the IAM and STS Smithy models;
// Smithy, "AWS query protocol", https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
const (
	nsIAM = "https://iam.amazonaws.com/doc/2010-05-08/"
	nsSTS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// Config configures a Server.
type Config struct {
	IAM    *iam.Service
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Region is the region the server answers for (default us-east-1).
	Region string
	// Trail, when set, records every authenticated API call.
	Trail *trail.Recorder
	// RootMFAGuard, when set, is asked before an IAM API call deactivates one of a root user's MFA
	// devices; it refuses removing the last device of a root whose MFA is required.
	RootMFAGuard func(ctx context.Context, account, serial string) error
	// Orgs is the Organizations service; when nil, one over IAM's store is made.
	Orgs *orgs.Service
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed (internal/clientaddr);
	// the client address of other requests is the connection's peer.
	TrustedProxies []netip.Prefix
	// MFALocked, when set, is told when too many wrong MFA codes lock a device or a principal on
	// the API (after the lock is recorded in CloudTrail); it alerts the account's security contacts.
	MFALocked func(ctx context.Context, lock iam.MFALock)
	// GuardDuty serves the GuardDuty API's detectors and findings; when nil, one over IAM's store
	// that no trail feeds (it raises no findings).
	GuardDuty *guardduty.Service
	// AccessAdvisor keeps IAM's last-accessed evidence; when nil, one over IAM's store that follows
	// Trail (its reports flush what it observed; serve also runs it to flush every second).
	AccessAdvisor *accessadvisor.Service
	// Root is the root-user service whose records AWS Account Management's operations read and
	// write (contacts, root email); when nil, those operations answer an internal error.
	Root *rootuser.Service
	// SecurityHub serves the Security Hub API; when nil, one over IAM's store that nothing feeds
	// results to (its hubs and standards are served; findings come once serve wires Ingest).
	SecurityHub *securityhub.Service
	// Advisor serves Trusted Advisor (the Support API); when nil, one over IAM's store whose
	// results are all not_available until serve wires its evaluation.
	Advisor *advisor.Service
	// Services are the services to serve (internal/api/services.All when nil).
	Services []*api.Service
	// EventBridge is the default event bus of each account; when nil, one over IAM's store is made
	// (its rules are served; nothing is matched or delivered until someone Starts it).
	EventBridge *eventbridge.Service
	// SNS is Amazon SNS (internal/sns); when nil, SNS calls answer an internal error (SNS needs the
	// sealer and notifier serve builds).
	SNS *sns.Service
	// AWSConfig is AWS Config (internal/config); when nil, one over IAM's store without a
	// gatherer (the root-user service is serve's) that nothing runs: its rules, queries and
	// recorder are served, and nothing is evaluated (serve wires the evaluating one, cmd/rootward).
	AWSConfig *config.Service
	// IdentityCenter is IAM Identity Center (internal/identitycenter); when nil, one over IAM's
	// store and Orgs is made (which creates the organization instance on trusted access).
	IdentityCenter *identitycenter.Service
	// MPA is Multi-party approval (internal/mpa): its API and the protected operations' gate; when
	// nil, one over IAM's store without Identity Center (its policies are served; no identity
	// source or team can be made, so nothing is protected).
	MPA *mpa.Service
	// WebIdentityClient fetches OpenID Connect discovery documents and JWKS for
	// AssumeRoleWithWebIdentity; when nil, a client with Go's default trust store (SSL_CERT_FILE
	// honoured) and a 10-second timeout.
	WebIdentityClient *http.Client
	// Portal is IAM Identity Center's access portal (sso-oidc and the portal API); when nil, their
	// operations answer an internal error.
	Portal *portal.Service
}

// Server serves the AWS APIs.
type Server struct {
	iam      *iam.Service
	log      *slog.Logger
	now      func() time.Time
	region   string
	verifier *sigv4.Verifier
	runner   *api.Runner
	metrics  *metrics
	orgs     *orgs.Service
	addrs    *clientaddr.Resolver

	creds *store.Cache[string, *credential] // access key ID → what authentication learned

	keyUseMu sync.Mutex
	keyUse   map[string]time.Time // access key → last time its use was recorded
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{
		iam: cfg.IAM, log: cfg.Logger, now: cfg.Now, region: cfg.Region,
		verifier: sigv4.NewVerifier(), keyUse: map[string]time.Time{},
		addrs: clientaddr.New(cfg.TrustedProxies),
	}
	if cfg.IAM != nil {
		s.creds = store.NewCache[string, *credential](cfg.IAM.Store().Changes(), maxCredentials)
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	var pageKey []byte // MAC key of pagination tokens (internal/api/page.go)
	if cfg.IAM != nil {
		pageKey = cfg.IAM.Subkey(api.PageTokenPurpose)
		if cfg.GuardDuty == nil {
			// Detectors and findings work without the trail feed; serve wires one that raises findings.
			cfg.GuardDuty = guardduty.New(guardduty.Config{Store: cfg.IAM.Store(), Now: s.now, Log: s.log})
		}
		if cfg.AccessAdvisor == nil {
			cfg.AccessAdvisor = accessadvisor.New(accessadvisor.Config{Store: cfg.IAM.Store(), IAM: cfg.IAM, Now: s.now, Log: s.log})
			if cfg.Trail != nil {
				cfg.Trail.Subscribe(cfg.AccessAdvisor.Observe)
			}
		}
	}
	s.orgs = cfg.Orgs
	if s.orgs == nil && cfg.IAM != nil {
		s.orgs = orgs.New(cfg.IAM)
	}
	if cfg.SecurityHub == nil && cfg.IAM != nil {
		cfg.SecurityHub = securityhub.New(securityhub.Config{Store: cfg.IAM.Store(), Orgs: s.orgs, Now: s.now, Region: s.region, Log: s.log})
	}
	if cfg.Advisor == nil && cfg.IAM != nil {
		cfg.Advisor = advisor.New(advisor.Config{Store: cfg.IAM.Store(), Now: s.now, Log: s.log})
	}
	bus := cfg.EventBridge
	if bus == nil && cfg.IAM != nil {
		bus = eventbridge.New(cfg.IAM.Store(), eventbridge.WithClock(s.now), eventbridge.WithRegion(s.region), eventbridge.WithLogger(s.log))
	}
	if cfg.AWSConfig == nil && cfg.IAM != nil {
		cfg.AWSConfig = config.New(config.Config{Store: cfg.IAM.Store(), IAM: cfg.IAM, Orgs: s.orgs, Now: s.now, Log: s.log})
	}
	if cfg.IdentityCenter == nil && cfg.IAM != nil {
		cfg.IdentityCenter = identitycenter.New(cfg.IAM, s.orgs, identitycenter.WithClock(s.now))
		// Requests a stopped process left IN_PROGRESS are finished in the background.
		if err := cfg.IdentityCenter.Resume(context.Background()); err != nil {
			s.log.Error("resuming Identity Center requests", "err", err)
		}
	}
	if cfg.MPA == nil && cfg.IAM != nil {
		cfg.MPA = mpa.New(mpa.Config{Store: cfg.IAM.Store(), Orgs: s.orgs, Trail: cfg.Trail, Now: s.now, Region: s.region, Log: s.log})
	}
	s.metrics = newMetrics()
	services := []*api.Service{
		{Name: "iam", Protocol: awsproto.AWSQuery, XMLNamespace: nsIAM, InternalCode: awserr.ServiceFailure,
			InvalidPageToken: func() error { return awserr.New(awserr.InvalidInput, "Invalid Marker.") }},
		{Name: "sts", Protocol: awsproto.AWSQuery, XMLNamespace: nsSTS},
	}
	// A service of cfg.Services replaces the built-in descriptor of the same name.
	if cfg.Services == nil {
		cfg.Services = apiservices.All()
	}
	for _, given := range cfg.Services {
		replaced := false
		for i, d := range services {
			if d.Name == given.Name {
				services[i], replaced = given, true
			}
		}
		if !replaced {
			services = append(services, given)
		}
	}
	s.runner = api.NewRunner(api.Config{
		Deps: api.Deps{IAM: cfg.IAM, Orgs: s.orgs, Log: s.log, RootMFAGuard: cfg.RootMFAGuard, MFALocked: cfg.MFALocked, EventBridge: bus, SNS: cfg.SNS, GuardDuty: cfg.GuardDuty, AccessAdvisor: cfg.AccessAdvisor, Root: cfg.Root,
			SecurityHub: cfg.SecurityHub, Advisor: cfg.Advisor,
			CloudTrail: cloudtrail.New(cfg.IAM, s.orgs, cloudtrail.WithClock(s.now)), AWSConfig: cfg.AWSConfig, WebIdentityClient: cfg.WebIdentityClient,
			IdentityCenter: cfg.IdentityCenter, MPA: cfg.MPA, Approval: mpaapi.Gate, Portal: cfg.Portal},
		Authz: authz.New(cfg.IAM, s.orgs), Trail: cfg.Trail, Log: s.log, Now: s.now, Region: s.region,
		PageKey: pageKey, Observe: s.observe,
	}, services...)
	return s
}

// Runner is the server's operation runner, which the console invokes operations through.
func (s *Server) Runner() *api.Runner { return s.runner }

// Metrics serves the Prometheus series of the server's calls (GET /metrics, internal/httpmux).
func (s *Server) Metrics() http.Handler { return s.metrics.handler }

// ServeHTTP implements http.Handler: every request is an AWS API call. The console, /healthz and
// /metrics are mounted beside the server on one address by internal/httpmux, which has resolved
// the client address already (with the same trusted proxies); a server mounted on its own
// resolves it here.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !clientaddr.Recorded(r) {
		r = s.addrs.With(r)
	}
	s.serveAPI(w, r)
}

// call is one API request on its way through the server: the operation call (api.Call) and what
// the pipeline keeps of the request while it decodes and authenticates it.
type call struct {
	*api.Call
	s    *Server
	r    *http.Request
	body []byte // the raw body
	// errProto is the protocol an error is answered in while the service is unknown: an awsJson
	// client's before its request is authenticated (jsonProtocol), and the protocol of a service
	// Rootward does not serve (refuseUnserved); nil means awsQuery.
	errProto *awsproto.Protocol
	// answering is set once the success answer's status line is written (answer).
	answering bool
	// aw is the answer's writer, kept here so that it needs no allocation of its own.
	aw answerWriter
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := &call{Call: s.runner.NewCall(r), s: s, r: r}
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = s.runner.Recover(c.Call, v)
			}
		}()
		err = s.handle(w, c)
	}()
	s.runner.Finish(c.Call, &err)
	// Once the success answer's status is sent, another answer cannot follow it (net/http would
	// log a superfluous WriteHeader and append the error to the body): an error left then is only
	// logged, by Finish.
	if err == nil {
		return
	}
	if e, ok := awserr.As(err); ok && !c.answering {
		s.writeError(w, c, e)
	}
}

// writeError answers e, an error a client may see (api.Runner.Finish made it so), in the
// protocol's error shape.
func (s *Server) writeError(w http.ResponseWriter, c *call, e *awserr.Error) {
	proto, ns := awsproto.AWSQuery, nsIAM
	if c.errProto != nil {
		proto = *c.errProto
	}
	if svc := c.ServiceOf(); svc != nil {
		proto = svc.Protocol
		if svc.XMLNamespace != "" {
			ns = svc.XMLNamespace
		}
	}
	awsproto.WriteError(w, proto, ns, c.RequestID, e)
}

// readBody reads the request's body, at most MaxBodyBytes (an error wrapping *http.MaxBytesError
// beyond), and closes it. A body of a declared length is read into a buffer of that length at
// once; closing it tells net/http that nothing is left to discard before the answer.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	defer func() { _ = r.Body.Close() }()
	if n := r.ContentLength; n >= 0 && n <= MaxBodyBytes {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
}

func (s *Server) handle(w http.ResponseWriter, c *call) error {
	r := c.r
	if p, ok := jsonProtocol(r); ok {
		// Until the signature names the service, an X-Amz-Target says the client reads JSON: an
		// unsigned Organizations call got an awsQuery XML error its SDK could not parse.
		c.errProto = &p
	}
	body, err := readBody(w, r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return awserr.New(awserr.RequestEntityTooLarge, "Request body must be at most %d bytes.", MaxBodyBytes)
		}
		return awserr.New(awserr.MalformedQueryString, "The request body could not be read.")
	}
	c.body = body
	auth, err := sigv4.Parse(r)
	if awserr.IsCode(err, awserr.MissingAuthenticationToken) {
		if handled, err := s.handleUnsigned(w, c); handled {
			return err
		}
	}
	if err != nil {
		return err
	}
	c.Service = auth.Service
	svc, ok := s.runner.Service(auth.Service)
	if !ok {
		// Before the method check: REST services (S3, Lambda, …) use PUT, DELETE and HEAD.
		return s.refuseUnserved(c, auth)
	}
	c.Route(svc, nil)
	var (
		name   string
		labels map[string]string
		op     api.Operation
	)
	switch svc.Protocol {
	case awsproto.AWSQuery:
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			return awserr.New(awserr.InvalidAction, "Only GET and POST are supported.")
		}
		params, err := awsproto.ParseQuery(r.URL.RawQuery, body)
		if err != nil {
			return err
		}
		c.Query = params
		if name = params.Get("Action"); name == "" {
			return awserr.New(awserr.MissingAction, "Missing Action")
		}
		c.Action = name
		if op, ok = svc.Op(name); !ok {
			return awserr.New(awserr.InvalidAction, "Could not find operation %s for version %s", name, params.Get("Version"))
		}
	case awsproto.AWSJSON11:
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			return awserr.New(awserr.InvalidAction, "Only GET and POST are supported.")
		}
		prefix, action, ok := awsproto.JSONTarget(r.Header.Get("X-Amz-Target"))
		if !ok || !svc.HasTargetPrefix(prefix) {
			return awserr.New("UnknownOperationException", "The X-Amz-Target header does not name an operation of this service.")
		}
		name, c.Action, c.JSON = action, action, body
		if op, ok = svc.Op(name); !ok {
			return awserr.New("UnknownOperationException", "Unknown operation %s.", action)
		}
	case awsproto.RestJSON1:
		c.JSON = body
		if op, labels, ok = svc.RouteQuery(r.Method, r.URL.EscapedPath(), r.URL.RawQuery); !ok {
			return awserr.New("UnknownOperationException", "No operation of this service is bound to %s %s.", r.Method, r.URL.EscapedPath())
		}
		c.Action = api.OpName(op)
	}
	id, err := s.authenticate(c, auth, body)
	if err != nil {
		return err
	}
	c.Caller = id
	// What GetSessionToken's credentials may not do is refused whatever the operation and its
	// policies (internal/sts); console principals, whose identity is a session too, never come here.
	if err := sts.SessionTokenLimits(c.Caller, c.Service, c.Action); err != nil {
		return err
	}
	c.Route(svc, op)
	in, err := api.Decode(svc, op, c.Query, r, labels, body)
	if err != nil {
		return err
	}
	result, err := s.runner.Run(c.Call, op, in)
	if err != nil {
		return err
	}
	return s.answer(w, c, svc, result)
}

// unsignedActions are the STS calls that need no AWS credentials: "Calling AssumeRoleWithSAML does
// not require the use of AWS security credentials", and likewise AssumeRoleWithWebIdentity (STS
// API Reference). Their callers are authenticated by the assertion or token they carry.
var unsignedActions = map[string]bool{"AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true}

// handleUnsigned serves c, a request without a signature, when it is one of unsignedActions (an
// awsQuery STS call by its Action): decoded and run with no caller until the operation has
// verified who it is. handled is false for any other request, which is refused as unsigned.
func (s *Server) handleUnsigned(w http.ResponseWriter, c *call) (handled bool, err error) {
	r := c.r
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return false, nil
	}
	if handled, err := s.handleUnsignedREST(w, c); handled {
		return true, err
	}
	params, err := awsproto.ParseQuery(r.URL.RawQuery, c.body)
	if err != nil || !unsignedActions[params.Get("Action")] {
		return false, nil
	}
	svc, ok := s.runner.Service("sts")
	if !ok {
		return false, nil
	}
	name := params.Get("Action")
	op, ok := svc.Op(name)
	if !ok {
		return false, nil
	}
	c.Service, c.Action, c.Query = "sts", name, params
	return true, s.runUnsigned(w, c, svc, op, nil)
}

// runUnsigned decodes and runs op of svc for c, a request without a caller, and answers it.
func (s *Server) runUnsigned(w http.ResponseWriter, c *call, svc *api.Service, op api.Operation, labels map[string]string) error {
	c.Route(svc, op)
	in, err := api.Decode(svc, op, c.Query, c.r, labels, c.body)
	if err != nil {
		return err
	}
	result, err := s.runner.Run(c.Call, op, in)
	if err != nil {
		return err
	}
	return s.answer(w, c, svc, result)
}

// handleUnsignedREST serves c when its method and path are an operation of an unsigned restJson1
// service (api.Service.Unsigned: sso-oidc and the access portal's API, whose SDK clients sign
// nothing): decoded and run without a caller; the operation authenticates what the request
// carries. handled is false when no such operation is bound to the path.
func (s *Server) handleUnsignedREST(w http.ResponseWriter, c *call) (handled bool, err error) {
	for _, svc := range s.runner.Unsigned() {
		if svc.Protocol != awsproto.RestJSON1 {
			continue
		}
		op, labels, ok := svc.Route(c.r.Method, c.r.URL.EscapedPath())
		if !ok {
			continue
		}
		c.Service, c.Action, c.JSON = svc.Name, api.OpName(op), c.body
		c.errProto = &svc.Protocol
		return true, s.runUnsigned(w, c, svc, op, labels)
	}
	return false, nil
}

// answer writes the success answer of c, whose operation ran and returned result. A write that
// fails once the status is sent is the client leaving (a dropped connection, a write timeout):
// the operation did run, so the call ends as it succeeded (CloudTrail's record without an error,
// the metrics' "OK"), and the departure is logged at Info level, not as an internal error. Any
// other failure to encode is an internal error, logged by Finish; answering tells serveAPI
// whether a status was already sent so that no second answer follows it.
func (s *Server) answer(w http.ResponseWriter, c *call, svc *api.Service, result any) error {
	c.aw = answerWriter{ResponseWriter: w, c: c}
	aw := &c.aw
	var err error
	switch svc.Protocol {
	case awsproto.AWSQuery:
		err = awsproto.Response(aw, svc.XMLNamespace, c.Action, c.RequestID, result)
	case awsproto.AWSJSON11:
		err = awsproto.JSONResponse(aw, c.RequestID, result)
	default:
		err = awsproto.RESTResponse(aw, c.RequestID, result)
	}
	if err != nil && aw.writeErr != nil {
		s.log.Info("client left before its answer was written", "request_id", c.RequestID,
			"service", c.Service, "action", c.Action, "err", aw.writeErr)
		return nil
	}
	return err
}

// answerWriter is the ResponseWriter of a success answer: it records in c that the status is
// sent, and the first error writing the body. It is used for the answer only: net/http's
// MaxBytesReader needs the server's own ResponseWriter to close a connection whose body is too
// large.
type answerWriter struct {
	http.ResponseWriter
	c        *call
	writeErr error
}

func (w *answerWriter) WriteHeader(status int) {
	w.c.answering = true
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the server's ResponseWriter.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *answerWriter) Write(b []byte) (int, error) {
	w.c.answering = true // a Write without WriteHeader sends status 200
	n, err := w.ResponseWriter.Write(b)
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return n, err
}

// observe records an answered call in the metrics; unknown services and actions are folded into
// "unknown" so a caller cannot grow the label space without bound.
func (s *Server) observe(service, action, code string, took time.Duration) {
	svc, ok := s.runner.Service(service)
	switch {
	case !ok:
		service, action = "unknown", "unknown"
	case !svc.Has(action):
		action = "unknown"
	}
	s.metrics.observe(service, action, code, took)
}
