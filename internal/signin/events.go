package signin

import (
	"github.com/rootward/rootward/internal/trail"
)

// Console sign-ins are signin.amazonaws.com AwsConsoleSignIn records, as AWS writes them
// (CloudTrail User Guide, "AWS Management Console sign-in events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html);
// the forced password change is the AwsApiCall record of the IAM operation it amounts to.
const (
	sourceSignin = "signin.amazonaws.com"
	sourceIAM    = "iam.amazonaws.com"
	loginTo      = "/console"
)

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// signInEvent records a ConsoleLogin: responseElements.ConsoleLogin Success or Failure,
// additionalEventData LoginTo, MobileVersion, MFAUsed and, when one was used, MFAIdentifier. It
// returns once the record is durable, or the recorder's error: the sign-in step then answers that
// (an internal error) instead of its outcome, so no sign-in, successful or failed, is answered
// without its record.
func (s *Service) signInEvent(id trail.UserIdentity, c Client, success, mfaUsed bool, serial string) error {
	result := "Failure"
	if success {
		result = "Success"
	}
	extra := map[string]any{"LoginTo": s.consoleURL + loginTo, "MobileVersion": "No", "MFAUsed": yesNo(mfaUsed)}
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
	return s.trail.Record(e)
}

// apiEvent records the AwsApiCall an IAM operation performed during sign-in amounts to; like
// signInEvent, it returns the recorder's error.
func (s *Service) apiEvent(id trail.UserIdentity, c Client, name, errMsg string) error {
	return s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceIAM, EventName: name, EventType: trail.AwsAPICall,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID, ErrorMessage: errMsg,
	})
}
