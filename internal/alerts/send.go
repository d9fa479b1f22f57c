package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// busEvent is an event as EventBridge delivers it to a target (EventBridge User Guide, "Amazon
// EventBridge events"): the CloudTrail record is its detail.
type busEvent struct {
	ID         string      `json:"id"`
	DetailType string      `json:"detail-type"`
	Source     string      `json:"source"`
	Account    string      `json:"account"`
	Time       string      `json:"time"`
	Region     string      `json:"region"`
	Detail     trail.Event `json:"detail"`
}

// Recipients are who an account's alerts go to.
type Recipients struct {
	AccountName, RootEmail string
	Scope                  Scope
	// To lists every address once: the root email, the account's SECURITY contact, the
	// management account's SECURITY contact (member accounts), then the scope's extra recipients.
	To []string
	// Runbook is the scope's runbook as it applies.
	Runbook string
}

// RecipientsOf returns who account's alerts go to.
func (s *Service) RecipientsOf(ctx context.Context, account string) (*Recipients, error) {
	if s.cfg.Contacts == nil {
		return nil, errors.New("alerts: no Contacts configured")
	}
	d, err := s.cfg.Contacts.AccountDetails(ctx, account)
	if err != nil {
		return nil, err
	}
	sc, err := s.ScopeOf(ctx, account)
	if err != nil {
		return nil, err
	}
	set, err := s.SettingsOf(ctx, sc.ID)
	if err != nil {
		return nil, err
	}
	r := &Recipients{AccountName: d.AccountName, RootEmail: d.Email, Scope: sc, Runbook: set.Runbook}
	add := func(a string) {
		if a != "" && !containsFold(r.To, a) {
			r.To = append(r.To, a)
		}
	}
	add(d.Email)
	if c := d.SecurityContact; c != nil {
		add(c.EmailAddress)
	}
	if sc.Management != "" && sc.Management != account {
		m, err := s.cfg.Contacts.AccountDetails(ctx, sc.Management)
		if err != nil {
			return nil, err
		}
		if c := m.SecurityContact; c != nil {
			add(c.EmailAddress)
		}
	}
	for _, a := range set.Recipients {
		add(a)
	}
	return r, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if lower(v) == lower(s) {
			return true
		}
	}
	return false
}

// HandleTarget sends the alert of one event the rule matched (EventBridge's TargetFunc for
// targets of service "rootward"). targetARN must be the alert target of the event's own account:
// an account's rule cannot alert another account's contacts.
func (s *Service) HandleTarget(ctx context.Context, targetARN string, payload []byte) error {
	var ev busEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("alerts: the event is not an EventBridge event: %w", err)
	}
	account := ev.Account
	if account == "" {
		account = ev.Detail.RecipientAccountID
	}
	t, err := arn.Parse(targetARN)
	if err != nil || t.Service != TargetService || t.Account != account || t.Resource != "alert/root-activity" {
		return fmt.Errorf("alerts: target %q is not the root-activity alert of account %s", targetARN, account)
	}
	if ev.Detail.UserIdentity.Type != "Root" {
		return nil // not root activity: the rule's pattern was changed or the event is not a CloudTrail record
	}
	r, err := s.RecipientsOf(ctx, account)
	if err != nil {
		return err
	}
	subject, body := s.alertText(account, r, &ev)
	return s.sendAll(ctx, account, r.To, Purpose, subject, body)
}

// sendAll emails every recipient; a failure for one does not keep the others from theirs.
func (s *Service) sendAll(ctx context.Context, account string, to []string, purpose, subject, body string) error {
	if s.cfg.Notifier == nil {
		return errors.New("alerts: no Notifier configured")
	}
	var errs []error
	for _, addr := range to {
		if err := s.cfg.Notifier.Send(ctx, notify.Message{Channel: notify.Email, To: addr, Subject: subject, Body: body,
			Account: account, Purpose: purpose}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// alertText is the alert's subject and body.
func (s *Service) alertText(account string, r *Recipients, ev *busEvent) (subject, body string) {
	d := &ev.Detail
	what := d.EventName
	if d.EventName == "ConsoleLogin" {
		what = "root console sign-in (ConsoleLogin)"
	}
	subject = fmt.Sprintf("Root user activity in AWS account %s (%s): %s", account, r.AccountName, d.EventName)
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-12s %s\n", label+":", value)
		}
	}
	fmt.Fprintf(&b, "The root user of AWS account %s (%s) was used. If you did not expect this, follow the runbook below now.\n\n", account, r.AccountName)
	line("Account", account+" ("+r.AccountName+")")
	line("Root email", r.RootEmail)
	line("What", what+" — event source "+d.EventSource+", event type "+d.EventType)
	if res, ok := d.ResponseElements["ConsoleLogin"].(string); ok {
		line("Result", res)
	}
	if d.ErrorCode != "" || d.ErrorMessage != "" {
		line("Error", strings.TrimSpace(d.ErrorCode+" "+d.ErrorMessage))
	}
	line("When", d.EventTime.UTC().Format(time.RFC3339))
	line("Source IP", d.SourceIPAddress)
	line("User agent", d.UserAgent)
	line("MFA used", mfaUsed(d))
	if sc := d.UserIdentity.SessionContext; sc != nil && sc.AssumedRoot == "true" {
		issuer := ""
		if sc.SessionIssuer != nil {
			issuer = " opened by " + sc.SessionIssuer.ARN
		}
		line("Session", "privileged root session (sts:AssumeRoot)"+issuer)
	}
	if k := d.UserIdentity.AccessKeyID; k != nil && *k != "" {
		line("Access key", *k)
	}
	line("Event ID", d.EventID)
	line("Region", d.AWSRegion)
	b.WriteString("\nRunbook\n-------\n")
	b.WriteString(r.Runbook)
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "This alert is the EventBridge rule %s of account %s. Disabling or deleting it is announced to these recipients.\n", RuleName, account)
	if s.cfg.ConsoleURL != "" {
		fmt.Fprintf(&b, "Recipients and runbook: %s/alerts\n", s.cfg.ConsoleURL)
	}
	return subject, b.String()
}

// mfaUsed says whether the root user used MFA: a console sign-in's additionalEventData.MFAUsed,
// a session's mfaAuthenticated attribute, and no for a long-term access key, which carries none.
func mfaUsed(d *trail.Event) string {
	if v, ok := d.AdditionalEventData["MFAUsed"].(string); ok {
		return v
	}
	if sc := d.UserIdentity.SessionContext; sc != nil {
		switch sc.Attributes["mfaAuthenticated"] {
		case "true":
			return "Yes"
		case "false":
			return "No"
		}
	}
	if k := d.UserIdentity.AccessKeyID; k != nil && strings.HasPrefix(*k, "AKIA") {
		return "No (signed with a long-term root access key)"
	}
	return "Unknown"
}

// RuleChanged records and announces that the account's rule was disabled, enabled or deleted, or
// lost its alert target (EventBridge's OnManagedRuleChange). change is "disabled", "enabled",
// "deleted" or "targetremoved" (any case; the API action names DisableRule, EnableRule,
// DeleteRule and RemoveTargets are understood too); caller is who
// changed it (an ARN). Other rules are ignored.
func (s *Service) RuleChanged(ctx context.Context, account, rule, change, caller string) {
	if rule != RuleName {
		return
	}
	state, name := "", ""
	switch lower(change) {
	case "disabled", "disable", "disablerule":
		state, name = RuleDisabled, "RootActivityAlertDisabled"
	case "enabled", "enable", "enablerule":
		state, name = RuleEnabled, "RootActivityAlertEnabled"
	case "deleted", "delete", "deleterule":
		state, name = RuleDeleted, "RootActivityAlertDeleted"
	case "removetargets", "targetremoved":
		state, name = RuleTargetRemoved, "RootActivityAlertTargetRemoved"
	default:
		s.cfg.Log.Error("alerts: unknown rule change", "account", account, "change", change)
		return
	}
	now := s.cfg.Now().UTC()
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := states.Get(tx, account, stateKey)
		if err != nil {
			return err
		}
		if !ok {
			cur = &stateRecord{Ensured: true}
		}
		cur.Rule, cur.ChangedBy, cur.ChangedAt = state, caller, now
		return states.Put(tx, account, stateKey, cur)
	})
	if err != nil {
		s.cfg.Log.Error("alerts: recording the rule change", "account", account, "err", err)
	}
	if s.cfg.Trail != nil {
		// A service event in the account's trail: EventBridge's rule, changed by caller.
		ev := &trail.Event{
			EventTime: now, UserIdentity: trail.UserIdentity{Type: "AWSService", InvokedBy: eventSource},
			EventSource: eventSource, EventName: name, EventType: trail.AwsServiceEvent, RecipientAccountID: account,
			AdditionalEventData: map[string]any{"ruleName": rule, "ruleState": state, "changedBy": caller},
		}
		err := s.cfg.Trail.Record(ev)
		if err == nil {
			err = s.queue(ctx, ev)
		}
		if err != nil {
			s.cfg.Log.Error("alerts: recording the rule change in the trail", "account", account, "err", err)
		}
	}
	r, err := s.RecipientsOf(ctx, account)
	if err != nil {
		s.cfg.Log.Error("alerts: announcing the rule change", "account", account, "err", err)
		return
	}
	subject, body := changeText(account, r, state, caller, now)
	if err := s.sendAll(ctx, account, r.To, PurposeRuleChange, subject, body); err != nil {
		s.cfg.Log.Error("alerts: announcing the rule change", "account", account, "err", err)
	}
}

func changeText(account string, r *Recipients, state, caller string, at time.Time) (subject, body string) {
	verb := map[string]string{RuleDisabled: "disabled", RuleEnabled: "enabled again", RuleDeleted: "deleted",
		RuleTargetRemoved: "stripped of its alert target (RemoveTargets with Force)"}[state]
	subject = fmt.Sprintf("The root-activity alert of AWS account %s (%s) was %s", account, r.AccountName, verb)
	var b strings.Builder
	fmt.Fprintf(&b, "The EventBridge rule %s, which emails every use of the root user of AWS account %s (%s), was %s.\n\n", RuleName, account, r.AccountName, verb)
	fmt.Fprintf(&b, "%-12s %s\n", "By:", caller)
	fmt.Fprintf(&b, "%-12s %s\n", "When:", at.Format(time.RFC3339))
	fmt.Fprintf(&b, "%-12s %s\n", "Root email:", r.RootEmail)
	switch state {
	case RuleDisabled:
		b.WriteString("\nUntil it is enabled again (EnableRule), root activity in this account raises no alert.\n")
	case RuleDeleted, RuleTargetRemoved:
		b.WriteString("\nRoot activity in this account no longer raises an alert. If this was not intended, treat it as a\npossible attempt to hide root use, and follow the runbook.\n")
	}
	if state != RuleEnabled {
		b.WriteString("\nRunbook\n-------\n")
		b.WriteString(r.Runbook)
		b.WriteString("\n")
	}
	return subject, b.String()
}
