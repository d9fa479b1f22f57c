package mpa

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// custodySteps names the steps in the messages' subjects.
var custodySteps = map[string]string{
	"RootCustodySignInStarted":   "started",
	"RootPasswordShareEntered":   "a password share was entered",
	"RootPasswordRecombined":     "the password was recombined",
	"RootCustodyMFAAnswered":     "the MFA step was answered",
	"RootCustodySignInRedeemed":  "completed",
	"RootCustodySignInExpired":   "expired",
	"RootPasswordShareRewrapped": "a password share was re-wrapped",
	"RootCustodyGuessesLocked":   "wrong guesses locked the step",
}

// custodyStep records a step of a custody sign-in (custodyEvent) and tells it, as every vote and
// break-glass step is told (issue 16 item 1: "every vote, expiry and cancellation is a CloudTrail
// record and a notification to the team"), to the approvers of the team protecting the account's
// root sign-in and to the account's contacts (the root email and the security contact): a root
// sign-in in progress is news to the root mailbox's owner. The message holds nothing secret: no
// attempt code, no share.
func (s *Service) custodyStep(ctx context.Context, account string, who *Person, name string, data map[string]any) {
	s.custodyEvent(account, who, name, data)
	step, ok := custodySteps[name]
	if !ok {
		step = name
	}
	subject := "Root custody sign-in of account " + account + ": " + step
	body := fmt.Sprintf("Account: %s\nStep: %s\nTime: %s\n", account, name, s.cfg.Now().UTC().Format(time.RFC3339))
	if who != nil {
		body += "By Identity Center user: " + who.UserID + "\n"
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		body += fmt.Sprintf("%s: %v\n", k, data[k])
	}
	teamAccount, teamID, t, err := s.protecting(ctx, account, RootSignIn, s.cfg.Now().UTC())
	if err != nil {
		s.cfg.Log.Error("mpa: reading the team to tell of a custody sign-in step", "account", account, "err", err)
	} else if t != nil {
		s.tellTeam(ctx, teamAccount, teamID, subject, body)
	}
	s.tellContacts(ctx, account, subject, body, "mpa-custody-sign-in")
}
