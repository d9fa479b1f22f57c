package rootuser

import (
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/trail"
)

// Event sources and names. Console sign-ins are signin.amazonaws.com AwsConsoleSignIn records, as
// AWS writes them (CloudTrail User Guide, "AWS Management Console sign-in events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html);
// the password-recovery records keep AWS's names (PasswordRecoveryRequested, PasswordRecoveryCompleted)
// and the lost-MFA steps, which AWS does not log under stable names, follow the same pattern.
// Changes to credentials are AwsApiCall records of the IAM operation they amount to.
const (
	sourceSignin  = "signin.amazonaws.com"
	sourceIAM     = "iam.amazonaws.com"
	sourceAccount = "account.amazonaws.com"
	loginTo       = "/console"
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

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// signInEvent records a ConsoleLogin: responseElements.ConsoleLogin Success or Failure,
// additionalEventData LoginTo, MobileVersion, MFAUsed and, when one was used, MFAIdentifier.
func (s *Service) signInEvent(id trail.UserIdentity, c Client, success, mfaUsed bool, serial string) {
	result := "Failure"
	if success {
		result = "Success"
	}
	extra := map[string]any{"LoginTo": s.consoleURL.String() + loginTo, "MobileVersion": "No", "MFAUsed": yesNo(mfaUsed)}
	if mfaUsed && serial != "" {
		extra["MFAIdentifier"] = serial
	}
	e := &trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceSignin, EventName: "ConsoleLogin", EventType: trail.AwsConsoleSignIn,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		ResponseElements: map[string]any{"ConsoleLogin": result}, AdditionalEventData: extra,
	}
	if !success {
		e.ErrorMessage = "Failed authentication"
	}
	s.trail.Record(e)
}

// event records any other event of this package.
func (s *Service) event(id trail.UserIdentity, c Client, source, name, eventType string, params, extra map[string]any, errMsg string) {
	s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: source, EventName: name, EventType: eventType,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		RequestParameters: params, AdditionalEventData: extra, ErrorMessage: errMsg,
	})
}
