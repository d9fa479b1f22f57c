package portal

import (
	"context"

	"github.com/rootward/rootward/internal/trail"
)

// CloudTrail event sources of the portal's calls (IAM Identity Center User Guide, "Logging IAM
// Identity Center API calls with AWS CloudTrail": sso-oauth.amazonaws.com for the OIDC service,
// sso.amazonaws.com for the portal).
const (
	SourceOIDC   = "sso-oauth.amazonaws.com"
	SourcePortal = "sso.amazonaws.com"
	sourceSignin = "signin.amazonaws.com"
)

// userIdentity is an Identity Center user in CloudTrail: type "Unknown" (the user is no IAM
// identity), its user ID as principalId, its user name, in the account of its instance (AWS's
// examples in "Understanding IAM Identity Center sign-in events" and the portal's records).
func userIdentity(u *User) trail.UserIdentity {
	return trail.UserIdentity{Type: "Unknown", PrincipalID: u.UserID, AccountID: u.InstanceAccount, UserName: u.UserName}
}

// Call is what a portal event says of the request behind it (an API call, a browser's sign-in
// step).
type Call struct {
	SourceIP, UserAgent, RequestID string
	// CredentialID identifies the access token or portal session the call used (CredentialID).
	CredentialID string
}

// APIEvent records an AwsApiCall of an Identity Center user to source (SourceOIDC or
// SourcePortal) in the user's instance account, with errCode/errMsg when it failed. Tokens and
// secrets are never among params. It returns once the record is durable, or the recorder's
// error, which the call then answers: no call is answered without its record.
func (s *Service) APIEvent(u *User, c Call, source, name string, readOnly bool, params map[string]any, errCode, errMsg string) error {
	if s.trail == nil || u == nil || u.InstanceAccount == "" {
		return nil
	}
	ro := readOnly
	return s.trail.Record(&trail.Event{
		EventTime: s.now(), UserIdentity: userIdentity(u), EventSource: source, EventName: name, EventType: trail.AwsAPICall,
		AWSRegion: s.region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RequestID: c.RequestID,
		RequestParameters: params, ReadOnly: &ro, RecipientAccountID: u.InstanceAccount, ErrorCode: errCode, ErrorMessage: errMsg,
	})
}

// TokenEvent records a successful CreateToken: its client and grant type (never the codes or
// tokens).
func (s *Service) TokenEvent(_ context.Context, u *User, sourceIP, userAgent, requestID, clientID, grantType string) error {
	return s.APIEvent(u, Call{SourceIP: sourceIP, UserAgent: userAgent, RequestID: requestID}, SourceOIDC, "CreateToken", false,
		map[string]any{"clientId": clientID, "grantType": grantType}, "", "")
}

// signInEvent records one of Identity Center's sign-in events (eventType AwsServiceEvent, source
// signin.amazonaws.com): name CredentialChallenge, CredentialVerification or
// UserAuthentication, its outcome in serviceEventDetails, the credential type and the sign-in's
// AuthWorkflowID (which ties a sign-in's events together) in additionalEventData, and the user
// name there too on a successful CredentialChallenge of the password and on UserAuthentication
// ("Username in sign-in CloudTrail events", IAM Identity Center User Guide).
func (s *Service) signInEvent(u *User, c Call, workflow, name, credential string, success bool) error {
	return s.recordSignIn(u, c, workflow, name, credential, success, nil)
}

// recordSignIn is signInEvent with more additionalEventData.
func (s *Service) recordSignIn(u *User, c Call, workflow, name, credential string, success bool, more map[string]any) error {
	if s.trail == nil || u.InstanceAccount == "" {
		return nil
	}
	result := "Failure"
	if success {
		result = "Success"
	}
	extra := map[string]any{"AuthWorkflowID": workflow}
	for k, v := range more {
		extra[k] = v
	}
	if credential != "" {
		extra["CredentialType"] = credential
	}
	if success && (name == "UserAuthentication" || (name == "CredentialChallenge" && credential == "PASSWORD")) {
		extra["UserName"] = u.UserName
	}
	e := &trail.Event{
		EventTime: s.now(), UserIdentity: userIdentity(u), EventSource: sourceSignin, EventName: name,
		EventType: trail.AwsServiceEvent, AWSRegion: s.region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent,
		AdditionalEventData: extra, ServiceEventDetails: map[string]any{name: result}, RecipientAccountID: u.InstanceAccount,
	}
	if !success {
		e.ErrorMessage = "Failed authentication"
	}
	return s.trail.Record(e)
}

// credentialEvents records the challenge of a credential and its verification.
func (s *Service) credentialEvents(u *User, c Call, workflow, credential string, ok bool) error {
	if err := s.signInEvent(u, c, workflow, "CredentialChallenge", credential, true); err != nil {
		return err
	}
	return s.verificationEvent(u, c, workflow, credential, ok)
}

func (s *Service) challengeEvent(u *User, c Call, workflow, credential string) error {
	return s.signInEvent(u, c, workflow, "CredentialChallenge", credential, true)
}

func (s *Service) verificationEvent(u *User, c Call, workflow, credential string, ok bool) error {
	return s.signInEvent(u, c, workflow, "CredentialVerification", credential, ok)
}

func (s *Service) authenticationEvent(u *User, c Call, workflow string) error {
	return s.signInEvent(u, c, workflow, "UserAuthentication", "", true)
}
