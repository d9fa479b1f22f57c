package rootuser

import (
	"context"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/trail"
)

// The records this package writes, in the shapes of the CloudTrail User Guide, "AWS Management
// Console sign-in events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html),
// and "CloudTrail userIdentity element"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
//
//   - Console steps of the root user (PasswordUpdated, and the recovery steps) are
//     signin.amazonaws.com AwsConsoleSignIn records like ConsoleLogin: requestParameters null and
//     responseElements {NAME: "Success"} or {NAME: "Failure"} with an errorMessage, as AWS writes
//     "Root user, password changed". The password-recovery records keep AWS's names
//     (PasswordRecoveryRequested, PasswordRecoveryCompleted); the lost-MFA steps, which AWS does
//     not log under documented names, follow the same pattern under names of Rootward's.
//   - Changes to credentials and account details are AwsApiCall records of the API operation they
//     amount to (readOnly false, errorCode and errorMessage on failure). A root user's MFA
//     device names the user "AWS ROOT USER" in requestParameters, as AWS's "Root user, MFA
//     changed" record does.
//
// Every record is durable before the step it records is answered: a step whose record cannot be
// stored answers the recorder's error (an internal error, which the console shows as "Something
// went wrong. Try again."). Where the step's effect had already committed when the record failed,
// the effect stays and the security alerts the step sends go out all the same; only the answer
// changes.
const (
	sourceSignin  = "signin.amazonaws.com"
	sourceIAM     = "iam.amazonaws.com"
	sourceAccount = "account.amazonaws.com"

	// rootUserName is how IAM's requestParameters name the root user (AWS's "Root user, MFA
	// changed" record: "userName": "AWS ROOT USER").
	rootUserName = "AWS ROOT USER"
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

// consoleEvent records a console step of the root user as a signin.amazonaws.com AwsConsoleSignIn
// record: responseElements {name: "Success"}, or {name: "Failure"} with errMsg as the
// errorMessage. It returns once the record is durable, or the recorder's error.
func (s *Service) consoleEvent(id trail.UserIdentity, c Client, name string, extra map[string]any, errMsg string) error {
	result := "Success"
	if errMsg != "" {
		result = "Failure"
	}
	return s.trail.Record(&trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: sourceSignin, EventName: name, EventType: trail.AwsConsoleSignIn,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		ResponseElements: map[string]any{name: result}, AdditionalEventData: extra, ErrorMessage: errMsg,
	})
}

// apiEvent records the API operation a step amounts to as an AwsApiCall record of source, opErr
// being its outcome: a failed operation has the errorCode and errorMessage of its error and no
// responseElements. It returns once the record is durable, or the recorder's error.
func (s *Service) apiEvent(id trail.UserIdentity, c Client, source, name string, params, response, extra map[string]any, opErr error) error {
	readOnly := false
	e := &trail.Event{
		EventTime:    s.now(),
		UserIdentity: id, EventSource: source, EventName: name, EventType: trail.AwsAPICall,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RecipientAccountID: id.AccountID,
		RequestParameters: params, ResponseElements: response, AdditionalEventData: extra, ReadOnly: &readOnly,
	}
	if opErr != nil {
		e.ResponseElements = nil
		if ae, ok := awserr.As(opErr); ok {
			e.ErrorCode, e.ErrorMessage = string(ae.Code), ae.Message
		} else {
			e.ErrorCode = string(awserr.InternalFailure)
		}
	}
	return s.trail.Record(e)
}

// answer is a step's answer once its record was attempted: the recorder's error when the record
// could not be stored (the step is not answered without it), the step's own outcome otherwise.
func answer(opErr, recErr error) error {
	if recErr != nil {
		return recErr
	}
	return opErr
}

// mfaUserName is the userName of an MFA operation's requestParameters: the IAM user's name, or
// AWS's name for the root user.
func mfaUserName(user string) string {
	if user == "" {
		return rootUserName
	}
	return user
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
