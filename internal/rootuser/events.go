package rootuser

import (
	"context"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/trail"
)

// Event sources and names. Console sign-ins (ConsoleLogin) are internal/signin's; the recovery
// steps are signin.amazonaws.com AwsConsoleSignIn records like them, as AWS writes them
// (CloudTrail User Guide, "AWS Management Console sign-in events", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html);
// the password-recovery records keep AWS's names (PasswordRecoveryRequested, PasswordRecoveryCompleted)
// and the lost-MFA steps, which AWS does not log under stable names, follow the same pattern.
// Changes to credentials are AwsApiCall records of the IAM operation they amount to.
const (
	sourceSignin  = "signin.amazonaws.com"
	sourceIAM     = "iam.amazonaws.com"
	sourceAccount = "account.amazonaws.com"
)

func rootIdentity(account string) trail.UserIdentity {
	empty := ""
	return trail.UserIdentity{Type: "Root", PrincipalID: account, ARN: arn.Root(account), AccountID: account, AccessKeyID: &empty}
}

func userIdentity(account, userID, arn, name string) trail.UserIdentity {
	empty := ""
	return trail.UserIdentity{Type: "IAMUser", PrincipalID: userID, ARN: arn, AccountID: account, UserName: name, AccessKeyID: &empty}
}

func principalIdentity(p *Principal) trail.UserIdentity {
	if p.Root {
		return rootIdentity(p.Account)
	}
	return userIdentity(p.Account, p.UserID, p.ARN, p.UserName)
}

// event records any other event of this package, and returns once it is durable. A record that
// cannot be stored is logged as an error with its event name; the action it records has happened
// by then and its answer goes out (these callers do not yet carry the recorder's error to their
// answer, unlike the API, the sign-in and the root credentials, which answer an internal error).
func (s *Service) event(id trail.UserIdentity, c Client, source, name, eventType string, params, extra map[string]any, errMsg string) {
	err := s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: source, EventName: name, EventType: eventType,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		RequestParameters: params, AdditionalEventData: extra, ErrorMessage: errMsg,
	})
	if err != nil {
		s.log.Error("recording a trail event", "event", name, "account", id.AccountID, "err", err)
	}
}

// identity returns the CloudTrail identity of the root user (user "") or an IAM user.
func (s *Service) identity(ctx context.Context, account, user string) (idt trail.UserIdentity, err error) {
	if user == "" {
		return rootIdentity(account), nil
	}
	u, err := s.iam.GetUser(ctx, account, user)
	if err != nil {
		return idt, err
	}
	return userIdentity(account, u.UserID, u.Arn, u.UserName), nil
}
