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

// Call is what a portal event says of the request behind it.
type Call struct {
	SourceIP, UserAgent, RequestID string
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
	return s.APIEvent(u, Call{sourceIP, userAgent, requestID}, SourceOIDC, "CreateToken", false,
		map[string]any{"clientId": clientID, "grantType": grantType}, "", "")
}
