package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootward/rootward/internal/advisor"
	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/config"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/guardduty"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/securityhub"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// alertsCmd manages the built-in root-activity alert's settings (internal/alerts).
func alertsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "The built-in root-activity alert: its runbook and extra recipients",
	}
	cmd.AddCommand(alertsRunbookCmd(), alertsRecipientsCmd())
	return cmd
}

// alertScope is where the settings commands act: an organization (--org), the scope of an account
// (--account: its organization's, or its own when it stands alone), or the installation's defaults.
type alertScope struct{ org, account string }

func (a *alertScope) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.org, "org", "", "the organization (o-…) whose settings to read or change")
	cmd.Flags().StringVar(&a.account, "account", "", "an account ID: its organization's settings, or its own when it is in none")
	cmd.MarkFlagsMutuallyExclusive("org", "account")
}

// resolve returns the scope's ID, a description of it, and its owner: the account whose trail
// records a change ("" for the installation's default, which no account owns).
func (a *alertScope) resolve(ctx context.Context, svc *alerts.Service, iamSvc *iam.Service, o *orgs.Service) (id, what, owner string, err error) {
	switch {
	case a.org != "":
		if !strings.HasPrefix(a.org, "o-") {
			return "", "", "", &exitCode{2, fmt.Errorf("--org %q is not an organization ID (o-…)", a.org)}
		}
		org, err := o.Organization(ctx, a.org)
		if err != nil {
			return "", "", "", err
		}
		if org == nil {
			return "", "", "", &exitCode{2, fmt.Errorf("--org %s: no such organization", a.org)}
		}
		return a.org, "organization " + a.org, org.MasterAccountID, nil
	case a.account != "":
		if _, err := iamSvc.GetAccount(ctx, a.account); err != nil {
			return "", "", "", &exitCode{2, fmt.Errorf("--account %s: %w", a.account, err)}
		}
		sc, err := svc.ScopeOf(ctx, a.account)
		if err != nil {
			return "", "", "", err
		}
		if sc.ID == a.account {
			return sc.ID, "account " + a.account, sc.Owner, nil
		}
		return sc.ID, "organization " + sc.ID + " (of account " + a.account + ")", sc.Owner, nil
	}
	return alerts.DefaultScope, "the installation's default (organizations and accounts without their own)", "", nil
}

// cliEditor is the editor of a change made by command (its name, as typed after rootward) in the
// trail of the scope's owner.
func cliEditor(command, owner string) alerts.Editor {
	e := alerts.Editor{Tool: "rootward " + command, Account: owner}
	if u, err := user.Current(); err == nil {
		e.LocalUser = u.Username
	}
	return e
}

// inScope opens the store and the alert service over it (recording changes in the trail),
// resolves the scope, and runs fn with the service, the scope's ID, its description and its owner,
// for the settings commands.
func (a *alertScope) inScope(ctx context.Context, d *dataFlags, fn func(svc *alerts.Service, id, what, owner string) error) error {
	iamSvc, st, err := d.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	rec := trail.NewRecorder(st, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	defer rec.Close()
	o := orgs.New(iamSvc)
	svc, err := commandAlerts(st, iamSvc, o, rec)
	if err != nil {
		return err
	}
	id, what, owner, err := a.resolve(ctx, svc, iamSvc, o)
	if err != nil {
		return err
	}
	return fn(svc, id, what, owner)
}

// commandAlerts is the alert service of a command: it records each change in the trail and,
// having no bus (Announce nil), queues it for serve to announce on the owner's bus.
func commandAlerts(st store.Store, iamSvc *iam.Service, o *orgs.Service, rec *trail.Recorder) (*alerts.Service, error) {
	return alerts.New(alerts.Config{Store: st, IAM: iamSvc, Orgs: o, Trail: rec})
}

func alertsRunbookCmd() *cobra.Command {
	var (
		d     dataFlags
		scope alertScope
		set   string
		clear bool
	)
	cmd := &cobra.Command{
		Use:   "runbook",
		Short: "Print the runbook the root-activity alert carries, or set it (--set FILE, - for standard input)",
		Long: "The runbook is the text every root-activity alert email ends with: how to confirm the use was expected\n" +
			"and whom to escalate to. It is set per organization (--org, or --account for the organization of an account;\n" +
			"a standalone account has its own); without either, the installation's default, which applies wherever no\n" +
			"runbook of its own is set.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return scope.inScope(cmd.Context(), &d, func(svc *alerts.Service, id, what, owner string) error {
				return runbookCmd(cmd, svc, id, what, owner, set, clear)
			})
		},
	}
	d.register(cmd.Flags())
	scope.register(cmd)
	cmd.Flags().StringVar(&set, "set", "", "file holding the new runbook (UTF-8 text, at most 16 KiB); - reads standard input")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove the runbook, so that the default applies")
	cmd.MarkFlagsMutuallyExclusive("set", "clear")
	return cmd
}

// runbookCmd prints or sets the runbook of scope id.
func runbookCmd(cmd *cobra.Command, svc *alerts.Service, id, what, owner, set string, clear bool) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	if set != "" || clear {
		text := ""
		if !clear {
			var err error
			if text, err = readSetting(cmd, set); err != nil {
				return err
			}
			if strings.TrimSpace(text) == "" {
				return &exitCode{2, fmt.Errorf("%s is empty: to go back to the default runbook, pass --clear", set)}
			}
		}
		if err := svc.SetRunbook(ctx, id, text, cliEditor("alerts runbook", owner)); err != nil {
			return &exitCode{2, err}
		}
		fmt.Fprintf(out, "The runbook of %s is set.\n", what)
		return nil
	}
	s, err := svc.SettingsOf(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, s.Runbook)
	return nil
}

func alertsRecipientsCmd() *cobra.Command {
	var (
		d     dataFlags
		scope alertScope
		set   string
	)
	cmd := &cobra.Command{
		Use:   "recipients",
		Short: "Print or set (--set FILE, one address a line) the extra recipients of the root-activity alert",
		Long: "Every alert goes to the account's root email and SECURITY contact, and for a member account to the\n" +
			"management account's SECURITY contact; these extra recipients are added (at most 20).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return scope.inScope(cmd.Context(), &d, func(svc *alerts.Service, id, what, owner string) error {
				return recipientsCmd(cmd, svc, id, what, owner, set)
			})
		},
	}
	d.register(cmd.Flags())
	scope.register(cmd)
	cmd.Flags().StringVar(&set, "set", "", "file of addresses, one a line (- reads standard input; an empty file removes them all)")
	return cmd
}

// recipientsCmd prints or sets the extra recipients of scope id.
func recipientsCmd(cmd *cobra.Command, svc *alerts.Service, id, what, owner, set string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	if set != "" {
		text, err := readSetting(cmd, set)
		if err != nil {
			return err
		}
		list, err := alerts.ParseRecipients(text)
		if err != nil {
			return &exitCode{2, err}
		}
		if err := svc.SetRecipients(ctx, id, list, cliEditor("alerts recipients", owner)); err != nil {
			return &exitCode{2, err}
		}
		fmt.Fprintf(out, "%d extra recipients set for %s.\n", len(list), what)
		return nil
	}
	s, err := svc.SettingsOf(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range s.Recipients {
		fmt.Fprintln(out, r)
	}
	return nil
}

// readSetting reads a --set file, "-" being standard input, at most 64 KiB.
func readSetting(cmd *cobra.Command, path string) (string, error) {
	var r io.Reader = cmd.InOrStdin()
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", &exitCode{2, err}
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 64<<10+1))
	if err != nil {
		return "", err
	}
	if len(b) > 64<<10 {
		return "", &exitCode{2, fmt.Errorf("%s is larger than 64 KiB", path)}
	}
	return string(b), nil
}

// monitoring is GuardDuty and the root-activity alert on EventBridge's default buses, as serve
// runs them: GuardDuty follows the trail and puts its findings on the bus (source aws.guardduty),
// and the alert's managed rule RootwardRootActivity, ensured in every account, delivers root
// activity to the alert (targets arn:aws:rootward:…, HandleTargets("rootward")), which is told of
// the rule's DisableRule, EnableRule and DeleteRule (OnManagedRuleChange). AWS Config follows the
// trail too and evaluates the accounts' rules on change and periodically.
type monitoring struct {
	guardDuty *guardduty.Service
	alerts    *alerts.Service
	// config is AWS Config: it follows the trail and evaluates the accounts' rules
	// (internal/config).
	config *config.Service
	// securityHub and advisor are Security Hub and Trusted Advisor, fed by Config's evaluations.
	securityHub *securityhub.Service
	advisor     *advisor.Service
}

func newMonitoring(st store.Store, svc *iam.Service, rs *rootServices, bus *eventbridge.Service, rec *trail.Recorder, base string, log *slog.Logger) (*monitoring, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	publish := func(account, source, detailType string, resources []string, detail []byte) {
		bus.Put(eventbridge.Event{Account: account, Region: bus.Region(), Source: source, DetailType: detailType, Time: time.Now(), Resources: resources, Detail: detail})
	}
	m := &monitoring{guardDuty: guardduty.New(guardduty.Config{Store: st, Log: log, Publish: publish})}
	var err error
	m.alerts, err = alerts.New(alerts.Config{Store: st, IAM: svc, Contacts: rs.root, Orgs: rs.org, Notifier: rs.notifier, Trail: rec, Region: bus.Region(),
		ConsoleURL: base + "/console", Log: log, Announce: bus.PutRecord, Ensure: func(ctx context.Context, account string, r alerts.ManagedRule) error {
			mr := eventbridge.ManagedRule{Name: r.Name, Description: r.Description, ManagedBy: r.ManagedBy, EventPattern: r.EventPattern}
			for _, t := range r.Targets {
				mr.Targets = append(mr.Targets, eventbridge.Target{ID: t.ID, ARN: t.ARN})
			}
			return bus.EnsureManagedRule(ctx, account, mr)
		}})
	if err != nil {
		return nil, err
	}
	bus.HandleTargets(alerts.TargetService, m.alerts.HandleTarget)
	bus.OnManagedRuleChange(m.alerts.RuleChanged)
	rec.Subscribe(m.guardDuty.Observe)
	gatherer := compliance.NewGatherer(svc, rs.root, rs.org).WithApproval(rs.mpa.RootSignInProtection)
	m.config = config.New(config.Config{Store: st, IAM: svc, Orgs: rs.org, Gatherer: gatherer, Log: log})
	rec.Subscribe(m.config.Observe)
	// Security Hub and Trusted Advisor judge the same checks: evaluated live when a hub or a
	// standard is enabled or a check refreshed, and kept current by Config's evaluations.
	evaluate := func(ctx context.Context, account string) ([]compliance.Result, error) {
		f, err := gatherer.Gather(ctx, account)
		if err != nil {
			return nil, err
		}
		return compliance.EvaluateAll(f), nil
	}
	m.securityHub = securityhub.New(securityhub.Config{Store: st, Orgs: rs.org, Region: bus.Region(), Publish: publish,
		Evaluate: evaluate, Gather: gatherer.Gather, Log: log})
	m.advisor = advisor.New(advisor.Config{Store: st, Evaluate: evaluate, Log: log})
	m.config.OnEvaluated(func(ctx context.Context, account string, results []compliance.Result) {
		if err := m.securityHub.Ingest(ctx, account, results); err != nil {
			log.Error("security hub: ingesting Config's evaluation", "account", account, "err", err)
		}
		if err := m.advisor.Ingest(ctx, account, results); err != nil {
			log.Error("trusted advisor: ingesting Config's evaluation", "account", account, "err", err)
		}
	})
	return m, nil
}

// run raises GuardDuty's findings and ensures the alert rules until ctx ends (the bus is started
// and stopped with the watchers).
func (m *monitoring) run(ctx context.Context) {
	go m.guardDuty.Run(ctx)
	go m.alerts.Run(ctx)
	go m.config.Run(ctx)
}
