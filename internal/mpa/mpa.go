// Package mpa is Multi-party approval's rules: identity sources (an Identity Center instance whose
// users approve), approval teams (approvers, an M-of-N strategy and the protected operations they
// guard), and approval sessions, the votes on one request of a protected operation. It is what
// AWS's Multi-party approval API (internal/api/mpaapi) and the protected operations' gate in
// internal/api read and write, and it knows nothing of HTTP.
//
// The protected operations are Rootward's (the policies arn:aws:mpa::aws:policy/rootward/OPERATION,
// Policies): an ACTIVE team whose policies include one protects that operation in the team's
// account, and a team of an organization's management account protects it in every account of the
// organization. A request of a protected operation opens a session (Check), which M approvers other
// than the requester must approve within its window; the same request, with the same parameters,
// then runs once. Every vote is counted in one store transaction, so two nodes counting at once
// cannot both see the M-th approval, and only approvers on the team when a vote is counted count.
//
// Approvers are Identity Center users: the package reaches Identity Center through Directory, which
// the command wires to Identity Center's identity store.
package mpa

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
	"github.com/rootward/rootward/internal/uuid"
)

// Directory is what Multi-party approval needs of IAM Identity Center. Its methods return an
// error only when Identity Center cannot be read; "not found" is ok false.
type Directory interface {
	// Instance returns the Identity Center instance of ARN instanceARN.
	Instance(ctx context.Context, instanceARN string) (inst Instance, ok bool, err error)
	// User returns the user of ID userID in the identity store of instance instanceARN.
	User(ctx context.Context, instanceARN, userID string) (u User, ok bool, err error)
}

// Instance is an Identity Center instance: its ARN, the account that owns it and its Region.
type Instance struct {
	ARN     string
	Account string
	Region  string
}

// User is an Identity Center user as approvals show and notify them.
type User struct {
	ID          string
	UserName    string
	DisplayName string
	Email       string
}

// Identity is an Identity Center user signed in to the approval portal: the identity source the
// user belongs to (an mpa identity source ARN) and the user's ID in its identity store.
type Identity struct {
	SourceARN string
	UserID    string
}

// Config configures a Service.
type Config struct {
	Store store.Store
	// Directory reads Identity Center; when nil, no identity source can be created and no approver
	// named.
	Directory Directory
	// Orgs tells the organization an account belongs to (a management account's team protects the
	// whole organization); nil: accounts are on their own.
	Orgs *orgs.Service
	// Trail records the sessions' votes, expiries and cancellations; nil: nothing is recorded.
	Trail *trail.Recorder
	// Notifier tells the team of every session and vote; nil: nobody is told.
	Notifier *notify.Notifier
	// IAM sets the root password a split generates (SplitRootPassword); Sealer seals the shares
	// until their custodians take them. Split custody needs both.
	IAM    *iam.Service
	Sealer *seal.Sealer
	// Contacts are the addresses told of an emergency root sign-in besides the approvers: the
	// account's security contacts and root email (serve wires internal/rootuser's).
	Contacts func(ctx context.Context, account string) ([]string, error)
	// CoolingOff is an emergency root sign-in's wait (DefaultCoolingOff when zero) in accounts
	// whose approvers did not approve another (SetCoolingOff).
	CoolingOff time.Duration
	// PortalURL is the approval portal (PUBLIC_URL/approvals) the messages link to.
	PortalURL string
	// ConsoleURL is the console (PUBLIC_URL/console): an emergency sign-in's messages link to its
	// cancel page there.
	ConsoleURL string
	Now        func() time.Time
	Region     string
	Log        *slog.Logger

	// Counters limit the guesses of custody sign-ins (custodylimits.go); nil: counters in Store
	// under throttle.DefaultLimits, the same records the root user's sign-in counts in.
	Counters *throttle.Counters
}

// Service is Multi-party approval over a store.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Counters == nil && cfg.Store != nil {
		cfg.Counters = throttle.New(cfg.Store, throttle.DefaultLimits, cfg.Now)
	}
	return &Service{cfg: cfg}
}

// Region is the Region the service answers for.
func (s *Service) Region() string { return s.cfg.Region }

// SessionWindow is how long a session stays open for votes, and an approved session's operation
// may run: AWS does not document its sessions' window for service operations; Rootward chose a day.
const SessionWindow = 24 * time.Hour

// newID is a random identifier in the 8-4-4-4-12 hex form.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return uuid.Format(b)
}

// notFound is ResourceNotFoundException, HTTP 404.
func notFound(format string, args ...any) error {
	e := awserr.New(awserr.MPAResourceNotFound, format, args...)
	e.Status = http.StatusNotFound
	return e
}

// validation is ValidationException.
func validation(format string, args ...any) error {
	return awserr.New(awserr.MPAValidation, format, args...)
}

// conflict is ConflictException.
func conflict(format string, args ...any) error {
	return awserr.New(awserr.MPAConflict, format, args...)
}

// AccessDenied is AccessDeniedException, HTTP 403.
func AccessDenied(format string, args ...any) *awserr.Error {
	e := awserr.New(awserr.MPAAccessDenied, format, args...)
	e.Status = http.StatusForbidden
	return e
}

// teamARN, sourceARN and sessionARN are the ARNs of the account's resources.
func (s *Service) teamARN(account, id string) string {
	return arn.MPA(s.cfg.Region, account, "approval-team/"+id)
}

func (s *Service) sourceARN(account, id string) string {
	return arn.MPA(s.cfg.Region, account, "identity-source/"+id)
}

func (s *Service) sessionARN(account, team, id string) string {
	return arn.MPA(s.cfg.Region, account, "session/"+team+"/"+id)
}

// Resource is a Multi-party approval ARN taken apart: its account, type ("approval-team",
// "identity-source", "session") and IDs (one; a session's team and session).
type Resource struct {
	Account string
	Type    string
	ID      string
	Session string
}

// ParseARN takes apart an ARN of this service's Region; ok false for anything else.
func (s *Service) ParseARN(a string) (Resource, bool) {
	p, err := arn.Parse(a)
	if err != nil || p.Service != "mpa" || p.Region != s.cfg.Region || p.Account == "" {
		return Resource{}, false
	}
	typ, rest, _ := strings.Cut(p.Resource, "/")
	r := Resource{Account: p.Account, Type: typ}
	switch typ {
	case "approval-team", "identity-source":
		r.ID = rest
		return r, validID(rest)
	case "session":
		team, sess, ok := strings.Cut(rest, "/")
		r.ID, r.Session = team, sess
		return r, ok && validID(team) && validID(sess)
	}
	return Resource{}, false
}

// validID accepts the IDs Rootward issues (newID): lower-case hex and dashes, 36 characters.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return true
}
