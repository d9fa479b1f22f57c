package alerts

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// The alert's settings belong to an organization (its ID, "o-…"), or to a standalone account (its
// ID): the runbook and the recipients added to the fixed ones. The installation's default
// runbook, which `rootward alerts runbook --set` writes without --org or --account, applies to
// every scope without its own.

// DefaultScope names the installation's defaults.
const DefaultScope = "*"

// settingsRecord is a scope's settings (kind "alerts.settings", global, keyed by the scope).
type settingsRecord struct {
	Runbook    string    `json:"runbook,omitempty"`
	Recipients []string  `json:"recipients,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by,omitempty"`
}

var settings = store.Define(store.Kind[settingsRecord]{Name: "alerts.settings", Version: 1})

// Limits of the settings.
const (
	MaxRunbook    = 16 << 10 // bytes
	MaxRecipients = 20
)

// BuiltInRunbook is the runbook of a scope for which nobody wrote one.
const BuiltInRunbook = `No runbook has been set for this organization; these are Rootward's default steps.
1. Confirm the use was expected: ask the people who hold this account's root credentials whether
   they signed in or made this call, from this address, at this time.
2. If nobody expected it, treat the root credentials as compromised: reset the root password,
   delete any root access key and signing certificate, check the root user's MFA devices, and end
   every root session ("Sign out everywhere").
3. Review the account's CloudTrail events around this time for what else the root user did.
4. Escalate to your security team and keep this email.
An operator sets the organization's own runbook in the console ("Root activity alerts") or with
` + "`rootward alerts runbook --data DIR --set FILE`."

// Scope is whose settings apply to an account: its organization's, or its own when it stands
// alone; Owner is the account that may edit them (the management account, or the account itself).
type Scope struct {
	ID, Owner string
	// Management is the organization's management account ("" for a standalone account); a member
	// account's alerts also go to its SECURITY contact.
	Management string
}

// ScopeOf returns the scope of account.
func (s *Service) ScopeOf(ctx context.Context, account string) (Scope, error) {
	if s.cfg.Orgs != nil {
		o, err := s.cfg.Orgs.OrganizationOf(ctx, account)
		if err != nil {
			return Scope{}, err
		}
		if o != nil {
			return Scope{ID: o.ID, Owner: o.MasterAccountID, Management: o.MasterAccountID}, nil
		}
	}
	return Scope{ID: account, Owner: account}, nil
}

// Settings are a scope's settings as they apply: Runbook is the scope's own, else the
// installation's default, else BuiltInRunbook (Own says which).
type Settings struct {
	Scope      string
	Runbook    string
	Own        bool
	Recipients []string
	UpdatedAt  time.Time
	UpdatedBy  string
}

// SettingsOf returns the settings of scope.
func (s *Service) SettingsOf(ctx context.Context, scope string) (*Settings, error) {
	out := &Settings{Scope: scope, Runbook: BuiltInRunbook}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		own, ok, err := settings.Get(tx, "", scope)
		if err != nil {
			return err
		}
		if ok {
			out.Recipients, out.UpdatedAt, out.UpdatedBy = own.Recipients, own.UpdatedAt, own.UpdatedBy
			if own.Runbook != "" {
				out.Runbook, out.Own = own.Runbook, true
				return nil
			}
		}
		if scope == DefaultScope {
			return nil
		}
		def, ok, err := settings.Get(tx, "", DefaultScope)
		if ok && def.Runbook != "" {
			out.Runbook = def.Runbook
		}
		return err
	})
	return out, err
}

// Editor is who changes the settings, for the trail: the console's signed-in principal (its
// CloudTrail identity, address and browser), or the CLI (Identity zero, Tool set).
type Editor struct {
	Identity  trail.UserIdentity
	SourceIP  string
	UserAgent string
	// Account is the account whose trail records the change (the scope's owner); "" is the
	// installation's default, which no account owns: its change is recorded in the trail of every
	// account that owns a scope.
	Account string
	// Tool is the command that made the change ("rootward alerts runbook") and LocalUser the
	// operating-system user who ran it, for a change made on the command line.
	Tool, LocalUser string
}

// Name is how the settings show who changed them last.
func (e Editor) Name() string {
	switch {
	case e.Identity.ARN != "":
		return e.Identity.ARN
	case e.Identity.Type != "":
		return e.Identity.Type
	case e.Tool != "" && e.LocalUser != "":
		return e.Tool + " (command line, " + e.LocalUser + ")"
	case e.Tool != "":
		return e.Tool + " (command line)"
	}
	return "rootward alerts (command line)"
}

func invalid(msg string) error {
	return &awserr.Error{Code: awserr.InvalidParameterValue, Message: msg}
}

// CheckRunbook refuses a runbook that is not text or is too long (InvalidParameterValue).
func CheckRunbook(text string) error {
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return invalid("The runbook must be UTF-8 text.")
	}
	if len(text) > MaxRunbook {
		return invalid("The runbook is longer than 16 KiB.")
	}
	return nil
}

// ParseRecipients reads extra recipients, one address per line or separated by commas; blank
// entries are skipped and repeats folded. Returns InvalidParameterValue for an address that is not
// a plain email address, or more than MaxRecipients.
func ParseRecipients(text string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' || r == ';' }) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		a, err := mail.ParseAddress(f)
		if err != nil || a.Name != "" || a.Address != f || len(f) > 254 {
			return nil, invalid("\"" + f + "\" is not an email address.")
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, f) }) {
			out = append(out, f)
		}
	}
	if len(out) > MaxRecipients {
		return nil, invalid("At most 20 extra recipients.")
	}
	return out, nil
}

// SetRunbook sets scope's runbook ("" goes back to the default). Returns InvalidParameterValue.
func (s *Service) SetRunbook(ctx context.Context, scope, text string, by Editor) error {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if err := CheckRunbook(text); err != nil {
		return err
	}
	return s.edit(ctx, scope, by, "SetRootActivityAlertRunbook", func(r *settingsRecord) { r.Runbook = text })
}

// SetRecipients sets scope's extra recipients. Returns InvalidParameterValue.
func (s *Service) SetRecipients(ctx context.Context, scope string, recipients []string, by Editor) error {
	if len(recipients) > MaxRecipients {
		return invalid("At most 20 extra recipients.")
	}
	list, err := ParseRecipients(strings.Join(recipients, "\n"))
	if err != nil {
		return err
	}
	return s.edit(ctx, scope, by, "SetRootActivityAlertRecipients", func(r *settingsRecord) { r.Recipients = list })
}

func (s *Service) edit(ctx context.Context, scope string, by Editor, event string, change func(r *settingsRecord)) error {
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := settings.Get(tx, "", scope)
		if err != nil {
			return err
		}
		if !ok {
			r = &settingsRecord{}
		}
		change(r)
		r.UpdatedAt, r.UpdatedBy = s.cfg.Now().UTC(), by.Name()
		return settings.Put(tx, "", scope, r)
	})
	if err != nil || s.cfg.Trail == nil {
		return err
	}
	owners := []string{by.Account}
	if by.Account == "" {
		// The installation's default belongs to no account: it applies to every scope without
		// a runbook of its own, so the change is recorded in the trail of every account that
		// owns a scope (each standalone account, each organization's management account).
		if owners, err = s.scopeOwners(ctx); err != nil {
			return err
		}
	}
	var errs []error
	for _, owner := range owners {
		rec := editRecord(s.cfg.Now().UTC(), scope, by, event)
		rec.RecipientAccountID = owner
		if err := s.cfg.Trail.Record(rec); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.queue(ctx, rec))
	}
	return errors.Join(errs...)
}

// scopeOwners lists the accounts that own alert settings: those that are their scope's owner.
func (s *Service) scopeOwners(ctx context.Context) ([]string, error) {
	accts, err := s.cfg.IAM.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range accts {
		sc, err := s.ScopeOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if sc.Owner == a.ID {
			out = append(out, a.ID)
		}
	}
	return out, nil
}

// cliSource is the service name of the records of settings changed on the command line.
const cliSource = "rootward.amazonaws.com"

// editRecord is the owner account's trail record of a settings change. A console edit is a console
// action of the signed-in principal. A command-line edit has no AWS principal: it is recorded the
// way CloudTrail records a change an AWS service makes on the account's behalf (userIdentity type
// AWSService, sourceIPAddress the service's name; CloudTrail User Guide, "CloudTrail userIdentity
// element": AWSService, and "AWS service events"), the service being Rootward's command line
// (invokedBy rootward.amazonaws.com), with the command and the operating-system user who ran it
// in additionalEventData. Both keep EventBridge's eventSource and the same eventName, so a lookup
// or a rule on either finds every edit whatever the tool.
func editRecord(now time.Time, scope string, by Editor, event string) *trail.Event {
	e := &trail.Event{
		EventTime: now, UserIdentity: by.Identity, EventSource: eventSource, EventName: event,
		EventType: trail.AwsConsoleAction, SourceIPAddress: by.SourceIP, UserAgent: by.UserAgent,
		RecipientAccountID: by.Account, RequestParameters: map[string]any{"scope": scope},
	}
	if by.Identity.Type == "" {
		e.UserIdentity = trail.UserIdentity{Type: "AWSService", InvokedBy: cliSource}
		e.EventType, e.SourceIPAddress, e.UserAgent = trail.AwsServiceEvent, cliSource, cliSource
		e.AdditionalEventData = map[string]any{"tool": by.Tool}
		if by.LocalUser != "" {
			e.AdditionalEventData["localUser"] = by.LocalUser
		}
	}
	return e
}

// eventSource is the eventSource of the trail records the alert writes: the rule is EventBridge's.
const eventSource = "events.amazonaws.com"
