package portal

import (
	"context"
	"net/url"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/notify"
)

// An administrator gives an Identity Center user sign-in as IAM Identity Center's console does
// ("Decided" in issue 14): "send an email with password setup instructions" — a one-time link to
// PUBLIC_URL/start/setup, valid 7 days, through the notifier (the outbox when no SMTP is set) —
// or "generate a one-time password", shown once, replaced at the first sign-in. Callers
// authorize the administrator first (the console asks identitystore:UpdateUser on the user).

// PurposePasswordSetup labels the setup emails in the outbox.
const PurposePasswordSetup = "identity-center-password-setup"

// userRef resolves a user of an instance.
func (s *Service) userRef(ctx context.Context, instanceID, userID string) (*identitycenter.SignInUser, error) {
	if s.ic == nil {
		return nil, errNoSignIn
	}
	in, err := s.resolveInstance(ctx, instanceID)
	if err != nil || instanceID == "" {
		return nil, awserr.New(awserr.ICResourceNotFound, "The specified instance does not exist.")
	}
	return s.ic.SignInUser(ctx, identitycenter.UserRef{Account: in.Account, Instance: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserID: userID})
}

// SendPasswordSetup emails the user a password setup link valid 7 days and returns the address
// it went to. Returns ResourceNotFoundException, ValidationException (the user has no email).
func (s *Service) SendPasswordSetup(ctx context.Context, instanceID, userID string) (string, error) {
	su, err := s.userRef(ctx, instanceID, userID)
	if err != nil {
		return "", err
	}
	if su.Email == "" {
		return "", awserr.New(awserr.ICValidation, "The user has no email address: generate a one-time password instead.")
	}
	if s.notifier == nil {
		return "", errNoNotifier
	}
	token, expires, err := s.ic.StartPasswordSetup(ctx, su.Ref)
	if err != nil {
		return "", err
	}
	link := s.publicURL + "/start/setup?" + url.Values{"instance": {instanceID}, "token": {token}}.Encode()
	body := "Hello " + su.UserName + ",\n\nYour administrator invited you to the AWS access portal at " + s.StartURL() +
		".\nSet your password with this link before " + expires.UTC().Format(time.RFC1123) + ":\n\n" + link +
		"\n\nAt your first sign-in you will register an MFA device.\n"
	err = s.notifier.Send(ctx, notify.Message{Channel: notify.Email, To: su.Email, Subject: "Invitation to join IAM Identity Center",
		Body: body, Account: su.Ref.Account, Purpose: PurposePasswordSetup})
	return su.Email, err
}

// OneTimePassword generates the user's one-time password, to be shown once. Returns
// ResourceNotFoundException.
func (s *Service) OneTimePassword(ctx context.Context, instanceID, userID string) (string, error) {
	su, err := s.userRef(ctx, instanceID, userID)
	if err != nil {
		return "", err
	}
	return s.ic.GenerateOneTimePassword(ctx, su.Ref)
}
