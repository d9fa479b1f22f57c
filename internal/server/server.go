// Package server is Rootward's HTTP composition: it routes each request to the service named in its
// SigV4 credential scope, authenticates it, authorizes it with the policy engine, runs the operation
// and encodes the answer in the service's wire protocol. It also serves /healthz.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/clientaddr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/sigv4"
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
	// Console, when set, serves /console and everything under it; a browser's plain GET of / (no
	// SigV4, no query) is redirected there.
	Console http.Handler
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
}

// Server serves the AWS APIs.
type Server struct {
	iam      *iam.Service
	log      *slog.Logger
	now      func() time.Time
	region   string
	verifier *sigv4.Verifier
	authz    *authorizer
	services map[string]*service // by SigV4 service name
	metrics  *metrics
	trail    *trail.Recorder
	rootMFA  func(ctx context.Context, account, serial string) error
	console  http.Handler
	orgs     *orgs.Service
	addrs    *clientaddr.Resolver
	mfaLock  func(ctx context.Context, lock iam.MFALock)
	pageKey  []byte // MAC key of pagination tokens (pagetoken.go)

	credMu sync.RWMutex
	creds  map[string]*credential // access key ID → what authentication learned

	keyUseMu sync.Mutex
	keyUse   map[string]time.Time // access key → last time its use was recorded
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{
		iam: cfg.IAM, log: cfg.Logger, now: cfg.Now, region: cfg.Region, trail: cfg.Trail, rootMFA: cfg.RootMFAGuard, console: cfg.Console,
		verifier: sigv4.NewVerifier(), keyUse: map[string]time.Time{}, creds: map[string]*credential{},
		addrs: clientaddr.New(cfg.TrustedProxies), mfaLock: cfg.MFALocked,
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
	if cfg.IAM != nil {
		s.pageKey = cfg.IAM.Subkey(pageTokenPurpose)
	}
	s.orgs = cfg.Orgs
	if s.orgs == nil && cfg.IAM != nil {
		s.orgs = orgs.New(cfg.IAM)
	}
	s.authz = newAuthorizer(cfg.IAM, s.orgs)
	s.metrics = newMetrics()
	s.services = map[string]*service{
		"iam":           {ns: nsIAM, ops: iamOps()},
		"sts":           {ns: nsSTS, ops: stsOps()},
		"organizations": {json: true, targetPrefix: orgsTargetPrefix, ops: orgsOps(), codes: orgsCodes},
	}
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = s.addrs.With(r)
	switch r.URL.Path {
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
		return
	case "/metrics":
		if r.Method == http.MethodGet {
			s.metrics.handler.ServeHTTP(w, r)
			return
		}
	case "/":
		// API calls to / always carry SigV4 (a header or a presigned query); a bare GET is a person.
		if s.console != nil && r.Method == http.MethodGet && r.URL.RawQuery == "" && r.Header.Get("Authorization") == "" {
			http.Redirect(w, r, "/console/", http.StatusFound)
			return
		}
	}
	if s.console != nil && (r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, "/console/")) {
		s.console.ServeHTTP(w, r)
		return
	}
	s.serveAPI(w, r)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// call is one API request on its way through the server.
type call struct {
	ctx     context.Context
	s       *Server
	r       *http.Request
	reqID   string
	service string
	svc     *service
	action  string
	params  awsproto.Params // awsQuery parameters
	body    []byte          // the raw body (awsJson services decode it themselves)
	id      *identity
	now     time.Time
	// org is the caller's place in its organization, set by the authorizer (nil when none).
	org *orgs.Placement
	// resource is the ARN the default authorization authorizes the action on, set before the
	// operation's keys run; target is what an IAM resource of that ARN contributes to the
	// request context (its tags, a user's or role's boundary), nil when none (withResourceKeys).
	resource string
	target   *iam.ResourceFacts
	// errProto is the protocol an error is answered in while c.svc is unknown: an awsJson
	// client's before its request is authenticated (jsonProtocol), and the protocol of a service
	// Rootward does not serve (refuseUnserved); nil means awsQuery.
	errProto *awsproto.Protocol
	// input is the decoded awsJson input of an operation whose authorization reads it (orgsOp).
	input any
	// trailRequest and trailResponse, when an operation sets them, are its CloudTrail
	// requestParameters and responseElements (e.g. AssumeRoot's nested taskPolicyArn).
	trailRequest, trailResponse map[string]any
}

// account is the caller's account.
func (c *call) account() string { return c.id.account }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	c := &call{ctx: r.Context(), s: s, r: r, reqID: reqID, now: s.now()}
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic serving request", "request_id", reqID, "panic", v, "stack", string(debug.Stack()))
			s.writeError(w, c, awserr.New(awserr.InternalFailure, "An internal error occurred."))
		}
	}()
	err := s.handle(w, c)
	code := "OK"
	if err != nil {
		code = s.writeError(w, c, err)
	}
	s.audit(c, err)
	s.metrics.observe(c, code, s.now().Sub(c.now))
}

// writeError answers err in the protocol's error shape and returns the code it sent.
func (s *Server) writeError(w http.ResponseWriter, c *call, err error) string {
	e, ok := awserr.As(err)
	if !ok {
		// Never send an internal error's text to the client: it may describe the system.
		s.log.Error("internal error", "request_id", c.reqID, "service", c.service, "action", c.action, "err", err)
		code := awserr.InternalFailure
		if c.service == "iam" {
			code = awserr.ServiceFailure
		}
		e = awserr.New(code, "An internal error occurred. Retry the request.")
	}
	if c.svc != nil && c.svc.codes[e.Code] != "" {
		renamed := *e
		renamed.Code = c.svc.codes[e.Code]
		e = &renamed
	}
	switch {
	case c.svc != nil && c.svc.json:
		awsproto.JSONErrorResponse(w, c.reqID, e)
	case c.svc != nil:
		awsproto.ErrorResponse(w, c.svc.ns, c.reqID, e)
	case c.errProto != nil:
		awsproto.WriteError(w, *c.errProto, nsIAM, c.reqID, e)
	default:
		awsproto.ErrorResponse(w, nsIAM, c.reqID, e)
	}
	return e.Code
}

// service is one AWS service Rootward serves: its wire protocol and operations.
type service struct {
	// json selects awsJson 1.1 with this X-Amz-Target prefix; awsQuery otherwise.
	json         bool
	targetPrefix string
	// ns is the awsQuery XML namespace.
	ns  string
	ops map[string]*op
	// codes renames generic error codes to the service's own shape names (for example
	// AccessDenied → AccessDeniedException in Organizations), because SDKs match shape names.
	codes map[string]string
}

func (s *Server) handle(w http.ResponseWriter, c *call) error {
	r := c.r
	if p, ok := jsonProtocol(r); ok {
		// Until the signature names the service, an X-Amz-Target says the client reads JSON: an
		// unsigned Organizations call got an awsQuery XML error its SDK could not parse.
		c.errProto = &p
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return awserr.New(awserr.RequestEntityTooLarge, "Request body must be at most %d bytes.", MaxBodyBytes)
		}
		return awserr.New(awserr.MalformedQueryString, "The request body could not be read.")
	}
	c.body = body
	auth, err := sigv4.Parse(r)
	if err != nil {
		return err
	}
	c.service = auth.Service
	svc, ok := s.services[auth.Service]
	if !ok {
		// Before the method check: REST services (S3, Lambda, …) use PUT, DELETE and HEAD.
		return s.refuseUnserved(c, auth)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return awserr.New(awserr.InvalidAction, "Only GET and POST are supported.")
	}
	c.svc = svc
	var o *op
	if svc.json {
		prefix, action, ok := awsproto.JSONTarget(r.Header.Get("X-Amz-Target"))
		if !ok || prefix != svc.targetPrefix {
			return awserr.New("UnknownOperationException", "The X-Amz-Target header does not name an operation of this service.")
		}
		c.action = action
		if o, ok = svc.ops[action]; !ok {
			return awserr.New("UnknownOperationException", "Unknown operation %s.", action)
		}
	} else {
		params, err := awsproto.ParseQuery(r.URL.RawQuery, body)
		if err != nil {
			return err
		}
		c.params = params
		c.action = params.Get("Action")
		if c.action == "" {
			return awserr.New(awserr.MissingAction, "Missing Action")
		}
		if o, ok = svc.ops[c.action]; !ok {
			return awserr.New(awserr.InvalidAction, "Could not find operation %s for version %s", c.action, params.Get("Version"))
		}
	}
	id, err := s.authenticate(c, auth, body)
	if err != nil {
		return err
	}
	c.id = id
	if err := sessionTokenLimits(c); err != nil {
		return err
	}
	// The page token is opened before authorization, which decodes the input of awsJson
	// operations once: the operation must see the position the token carries.
	scope, err := s.openPageToken(c)
	if err != nil {
		return err
	}
	if err := s.authorizeOp(c, o); err != nil {
		return err
	}
	result, err := o.run(c)
	if err != nil {
		return err
	}
	result = s.sealPageToken(c, scope, result)
	if svc.json {
		return awsproto.JSONResponse(w, c.reqID, result)
	}
	return awsproto.Response(w, svc.ns, c.action, c.reqID, result)
}

// op is one API operation.
type op struct {
	// resource returns the ARN the action acts on; nil means "*".
	resource func(c *call) string
	// moreResources, when set, are further resources the action must also be allowed on, each in
	// turn with the same keys (UpdateUser acts on the user under its old and its new name).
	moreResources func(c *call) []string
	// keys, when set, returns the action's own condition keys for this request (see keysFunc),
	// which the default authorization adds to the request context. It reads the request from c
	// (c.params, c.body) and may look things up first (a resource's tags); an error fails the call
	// before anything is authorized or run.
	keys func(c *call) (keysFunc, error)
	// authorize replaces the default authorization (e.g. AssumeRole, whose check is the trust
	// policy; an action on several resources). It calls s.authorizeWith itself, with its keys.
	authorize func(c *call) error
	run       func(c *call) (any, error)
}

// authorizeOp runs o's authorization: its own when it has one, else the service's action on o's
// resource with o's condition keys.
func (s *Server) authorizeOp(c *call, o *op) error {
	if o.authorize != nil {
		return o.authorize(c)
	}
	c.resource = o.resourceARN(c)
	var keys keysFunc
	if o.keys != nil {
		var err error
		if keys, err = o.keys(c); err != nil {
			return err
		}
	}
	action := c.service + ":" + c.action
	if err := s.authorizeWith(c, action, c.resource, keys); err != nil {
		return err
	}
	if o.moreResources != nil {
		for _, r := range o.moreResources(c) {
			if err := s.authorizeWith(c, action, r, keys); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *op) resourceARN(c *call) string {
	if o.resource == nil {
		return "*"
	}
	return o.resource(c)
}
