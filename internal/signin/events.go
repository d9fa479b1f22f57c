package signin

import (
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// Console sign-ins are signin.amazonaws.com AwsConsoleSignIn records, as AWS writes them
// (CloudTrail User Guide, "AWS Management Console sign-in events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// ConsoleLogin for every sign-in, successful or not, and CheckMfa when a right password leads to
// the MFA step. The forced password change is the AwsApiCall record of the IAM operation it
// amounts to.
const (
	sourceSignin = "signin.amazonaws.com"
	sourceIAM    = "iam.amazonaws.com"
	// loginTo is the page a sign-in lands on, under the console's base URL (AWS's LoginTo is
	// https://console.aws.amazon.com/console/home…, the console's home under its base).
	loginTo = "/home"
)

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// signInEvent records a ConsoleLogin: responseElements.ConsoleLogin Success or Failure (with
// errorMessage "Failed authentication"), requestParameters null, additionalEventData LoginTo,
// MobileVersion, MFAUsed and, for a successful sign-in with MFA, MFAIdentifier (AWS's records of
// failed sign-ins carry no MFAIdentifier). It returns once the record is durable, or the
// recorder's error: the sign-in step then answers that (an internal error) instead of its
// outcome, so no sign-in, successful or failed, is answered without its record.
func (s *Service) signInEvent(id trail.UserIdentity, c Client, success, mfaUsed bool, serial string, evidence map[string]any) error {
	result := "Failure"
	if success {
		result = "Success"
	}
	extra := map[string]any{"LoginTo": s.consoleURL + loginTo, "MobileVersion": "No", "MFAUsed": yesNo(mfaUsed)}
	if success && mfaUsed && serial != "" {
		extra["MFAIdentifier"] = serial
	}
	for k, v := range evidence {
		extra[k] = v
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

// MfaType values of CheckMfa records. AWS documents "U2F MFA" (security keys) and "Multiple MFA
// Devices" (devices of more than one type); the names of the other two types are Rootward's
// choice, as AWS's are not documented.
const (
	mfaTypeSecurityKey = "U2F MFA"
	mfaTypeVirtual     = "Virtual MFA"
	mfaTypeHardware    = "Hardware MFA"
	mfaTypeMultiple    = "Multiple MFA Devices"
)

// checkMFAEvent records the CheckMfa of a sign-in whose password was right and whose principal
// has MFA devices: responseElements {"CheckMfa": "Success"}, additionalEventData.MfaType the type
// of the devices, "Multiple MFA Devices" when they are of more than one type. Like signInEvent it
// returns the recorder's error, which the step answers.
func (s *Service) checkMFAEvent(id trail.UserIdentity, c Client, devices []Device) error {
	typ := ""
	for _, d := range devices {
		t := map[string]string{iam.MFAWebAuthn: mfaTypeSecurityKey, iam.MFAVirtual: mfaTypeVirtual, iam.MFAHardware: mfaTypeHardware}[d.Type]
		if typ != "" && t != typ {
			typ = mfaTypeMultiple
			break
		}
		typ = t
	}
	return s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceSignin, EventName: "CheckMfa", EventType: trail.AwsConsoleSignIn,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		ResponseElements: map[string]any{"CheckMfa": "Success"}, AdditionalEventData: map[string]any{"MfaType": typ},
	})
}

// apiEvent records the AwsApiCall an IAM operation performed during sign-in amounts to; like
// signInEvent, it returns the recorder's error.
func (s *Service) apiEvent(id trail.UserIdentity, c Client, name, errCode, errMsg string) error {
	readOnly := false
	return s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceIAM, EventName: name, EventType: trail.AwsAPICall,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		ErrorCode: errCode, ErrorMessage: errMsg, ReadOnly: &readOnly,
	})
}
