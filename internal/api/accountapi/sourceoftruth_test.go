package accountapi_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/rootward/rootward/internal/alerts"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// outbox returns the newest message to `to` of a purpose ("" any).
func outbox(t *testing.T, e *servertest.Env, to, purpose string) notify.Entry {
	t.Helper()
	entries, err := e.Notifier.Outbox(context.Background(), notify.Query{To: to, Purpose: purpose})
	if err != nil || len(entries) == 0 {
		t.Fatalf("outbox for %s (%s): %d entries, %v", to, purpose, len(entries), err)
	}
	return entries[len(entries)-1]
}

var (
	recoveryLink = regexp.MustCompile(regexp.QuoteMeta(rootuser.PathMFARecoveryEmail) + `\?token=([A-Za-z0-9_-]+)`)
	recoveryCode = regexp.MustCompile(`code is (\d{6})`)
)

// The phone PutContactInformation sets is the phone lost-MFA recovery sends its code to.
func TestRecoveryUsesTheContactPhone(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	ci := validContact()
	ci.PhoneNumber = aws.String("+44 20 7946 0958")
	if _, err := admin(e).PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: ci}); err != nil {
		t.Fatal(err)
	}
	client := rootuser.Client{SourceIP: "192.0.2.10", UserAgent: "test"}
	rec, err := e.Root.BeginMFARecoveryFor(ctx, e.Account.ID, client)
	if err != nil {
		t.Fatalf("BeginMFARecoveryFor: %v", err)
	}
	if rec.PhoneHint != "…58" {
		t.Errorf("phone hint = %q, want …58 (the contact information's phone)", rec.PhoneHint)
	}
	m := recoveryLink.FindStringSubmatch(outbox(t, e, e.Account.Email, rootuser.PurposeMFARecoveryEmail).Body)
	if m == nil {
		t.Fatal("no recovery link in the email")
	}
	if _, err := e.Root.VerifyMFARecoveryEmail(ctx, m[1], client); err != nil {
		t.Fatalf("VerifyMFARecoveryEmail: %v", err)
	}
	if err := e.Root.SendMFARecoveryCode(ctx, rec.Token, notify.SMS, client); err != nil {
		t.Fatalf("SendMFARecoveryCode: %v", err)
	}
	sms := outbox(t, e, "+442079460958", rootuser.PurposeMFARecoveryPhone)
	if sms.Channel != notify.SMS || recoveryCode.FindStringSubmatch(sms.Body) == nil {
		t.Errorf("recovery SMS = %+v, want a code by SMS to +442079460958", sms)
	}
}

// The SECURITY alternate contact PutAlternateContact sets receives the root-activity alert, and
// loses it once DeleteAlternateContact removes the contact.
func TestSecurityContactReceivesRootAlerts(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)
	const sec = "secops@example.com"
	if _, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity,
		Name: aws.String("SecOps"), Title: aws.String("On call"), EmailAddress: aws.String(sec), PhoneNumber: aws.String("+12065550100")}); err != nil {
		t.Fatal(err)
	}
	// Another type's contact is not alerted.
	if _, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling,
		Name: aws.String("Billing"), Title: aws.String("AP"), EmailAddress: aws.String("billing@example.com"), PhoneNumber: aws.String("+12065550101")}); err != nil {
		t.Fatal(err)
	}
	al, err := alerts.New(alerts.Config{Store: e.Store, IAM: e.Svc, Contacts: e.Root, Notifier: e.Notifier})
	if err != nil {
		t.Fatal(err)
	}
	deliver := func() {
		t.Helper()
		empty := ""
		ev := &trail.Event{EventVersion: "1.08", EventTime: time.Now().UTC(), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
			AWSRegion: "us-east-1", UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: e.Account.ID, ARN: "arn:aws:iam::" + e.Account.ID + ":root",
				AccountID: e.Account.ID, AccessKeyID: &empty}, EventType: trail.AwsConsoleSignIn, RecipientAccountID: e.Account.ID,
			ResponseElements: map[string]any{"ConsoleLogin": "Success"}, EventID: "0f2c1e5a-1d8a-4c8e-9d55-4d3e8b1c2a11"}
		payload, err := json.Marshal(map[string]any{"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
			"detail-type": "AWS Console Sign In via CloudTrail", "source": "aws.signin", "account": e.Account.ID,
			"time": ev.EventTime.Format(time.RFC3339), "region": "us-east-1", "resources": []string{}, "detail": ev})
		if err != nil {
			t.Fatal(err)
		}
		if err := al.HandleTarget(ctx, al.TargetARN(e.Account.ID), payload); err != nil {
			t.Fatalf("HandleTarget: %v", err)
		}
	}
	deliver()
	if got := outbox(t, e, sec, ""); got.Subject == "" {
		t.Errorf("alert to the SECURITY contact has no subject: %+v", got)
	}
	if entries, _ := e.Notifier.Outbox(ctx, notify.Query{To: "billing@example.com"}); len(entries) != 0 {
		t.Errorf("the BILLING contact got %d messages, want none", len(entries))
	}
	r, err := al.RecipientsOf(ctx, e.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.To) != 2 || r.To[0] != e.Account.Email || r.To[1] != sec {
		t.Errorf("alert recipients = %v, want [%s %s]", r.To, e.Account.Email, sec)
	}
	if _, err := c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeSecurity}); err != nil {
		t.Fatal(err)
	}
	if r, err := al.RecipientsOf(ctx, e.Account.ID); err != nil || len(r.To) != 1 {
		t.Errorf("alert recipients after DeleteAlternateContact = %v, %v; want the root email only", r, err)
	}
}
