package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
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
	"github.com/rootward/rootward/internal/sns"
	"github.com/rootward/rootward/internal/trail"
)

// Deps are the domain services the operations act on.
type Deps struct {
	IAM  *iam.Service
	Orgs *orgs.Service
	SNS  *sns.Service
	Log  *slog.Logger
	// EventBridge is the default event bus of each account (internal/api/eventsapi).
	EventBridge *eventbridge.Service
	// CloudTrail holds trails and reads the event history (internal/cloudtrail).
	CloudTrail *cloudtrail.Service
	// Trail, when set, records calls and the service events operations raise.
	Trail *trail.Recorder
	// RootMFAGuard, when set, is asked before an IAM API call deactivates one of a root user's MFA
	// devices; it refuses removing the last device of a root whose MFA is required.
	RootMFAGuard func(ctx context.Context, account, serial string) error
	// MFALocked, when set, is told when too many wrong MFA codes lock a device or a principal on
	// the API (after the lock is recorded in CloudTrail); it alerts the account's security contacts.
	MFALocked func(ctx context.Context, lock iam.MFALock)
	// GuardDuty holds GuardDuty's detectors and findings (internal/api/guarddutyapi).
	GuardDuty *guardduty.Service
	// AccessAdvisor keeps IAM's last-accessed evidence and answers its reports.
	AccessAdvisor *accessadvisor.Service
	// Root holds each account's contacts and root email (internal/api/accountapi, AWS Account
	// Management): the same records the console and the recovery flows use.
	Root *rootuser.Service
	// SecurityHub holds Security Hub's hubs, standards and findings (internal/api/securityhubapi).
	SecurityHub *securityhub.Service
	// Advisor holds Trusted Advisor's check results (internal/api/supportapi).
	Advisor *advisor.Service
	// AWSConfig holds AWS Config's rules and evaluations (internal/api/configapi).
	AWSConfig *config.Service
	// MPA is Multi-party approval (internal/api/mpaapi); Approval, when set, is asked after an
	// operation is authorized and before it runs, and refuses a protected operation that no
	// approved session allows (mpaapi.Gate).
	MPA      *mpa.Service
	Approval func(c *Call) error
	// WebIdentityClient, when set, replaces the default client that AssumeRoleWithWebIdentity
	// fetches identity providers' discovery documents and keys with (tests trust a test CA).
	WebIdentityClient *http.Client
	// IdentityCenter holds IAM Identity Center's instances, identity stores and permission sets
	// (internal/api/ssoadminapi, internal/api/identitystoreapi).
	IdentityCenter *identitycenter.Service
	// Portal is IAM Identity Center's access portal: sso-oidc's clients, device authorizations
	// and tokens, and the portal API's accounts and roles (internal/api/ssooidcapi, ssoapi).
	Portal *portal.Service
}

// Call is one operation call on its way through the Runner: who calls, when, from where, and what
// the operation left for the trail. The authorization request (authz.Request: Ctx, Caller, Now,
// SourceIP, Region, Org) is embedded, and so are the domain services (Deps: c.IAM, c.Orgs).
type Call struct {
	authz.Request
	*Deps
	// HTTP is the client's request: the API call's, or the console's own page request.
	HTTP      *http.Request
	RequestID string
	// Service is the SigV4 signing name ("iam"), Action the operation's name.
	Service string
	Action  string
	// Resource is the ARN the default authorization authorized the action on; an operation's Keys
	// may read it.
	Resource string
	// Facts, when an operation's Resource or Keys looked its IAM resource up, is what it found (tags,
	// boundary), kept so that the lookup happens once per call.
	Facts *iam.ResourceFacts
	// Input is the decoded input, once decoded.
	Input any
	// Query and JSON are the raw request as the API client sent it (nil for console calls), which
	// the trail renders as CloudTrail does.
	Query awsproto.Params
	JSON  []byte
	// TrailRequest and TrailResponse, when an operation sets them, are its CloudTrail
	// requestParameters and responseElements (e.g. AssumeRoot's nested taskPolicyArn).
	TrailRequest, TrailResponse map[string]any
	// TrailAssumedRoot, set by a successful AssumeRoot, marks the caller's userIdentity in the
	// call's record with sessionContext.assumedRoot "true", as CloudTrail writes the AssumeRoot
	// record of the principal that opened a privileged root session.
	TrailAssumedRoot bool

	runner *Runner
	svc    *Service
	// recorded is set once the call's trail record was attempted (audit.go).
	recorded bool
}

// Account is the caller's account.
func (c *Call) Account() string { return c.Caller.Account }

// Authorize decides whether the caller may perform action on resource, with the action's own
// condition keys (nil for none); it returns nil or AccessDenied.
func (c *Call) Authorize(action, resource string, keys authz.Keys) error {
	return c.runner.authz.Check(&c.Request, action, resource, keys)
}

// Authorizer is the authorizer, for operations that decide in a way of their own (STS's trust
// policies) but use the caller's compiled policies.
func (c *Call) Authorizer() *authz.Authorizer { return c.runner.authz }

// ServiceOf is the service the call is to (nil before routing).
func (c *Call) ServiceOf() *Service { return c.svc }
