package portal

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/trail"
)

// The portal API's records as AWS writes them ("Logging IAM Identity Center API calls with AWS
// CloudTrail", IAM Identity Center User Guide,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html, and
// the IdentityCenterUser userIdentity of "CloudTrail userIdentity element", AWS CloudTrail User
// Guide, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
//
//   - ListAccounts, ListAccountRoles, GetRoleCredentials and Logout (sso.amazonaws.com) in the
//     instance's account: eventType AwsServiceEvent, userIdentity IdentityCenterUser (the account,
//     onBehalfOf the user ID and identity store ARN, and the credential's ID), requestParameters
//     null, the account and role in serviceEventDetails as account_id and role_name;
//   - and for GetRoleCredentials, the role session's start in the role's account, as the
//     AssumeRoleWithSAML call Identity Center makes there through the SAML provider
//     AWSSSO_<id>_DO_NOT_DELETE: a SAMLUser (NameQualifier:user name), the provider, the role, the
//     session's key and expiration (never its secret or token).

// CredentialID is the identifier CloudTrail records of a portal credential (an access token or a
// portal session's cookie): a hash of the secret under a label of its own, which names the
// credential without revealing it or the key it is stored under (AWS's derivation is not
// documented; Rootward's choice).
func CredentialID(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("rootward portal credential id\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// identityCenterUser is u as the portal API's records name it.
func identityCenterUser(u *User, credentialID string) trail.UserIdentity {
	return trail.UserIdentity{Type: "IdentityCenterUser", AccountID: u.InstanceAccount, CredentialID: credentialID,
		OnBehalfOf: &trail.OnBehalfOf{UserID: u.UserID, IdentityStoreARN: identitycenter.IdentityStoreARN(u.InstanceAccount, u.IdentityStoreID)}}
}

// PortalEvent records a portal API call (name: ListAccounts, ListAccountRoles,
// GetRoleCredentials, Logout) of u in its instance's account, details its serviceEventDetails,
// with errCode/errMsg when it failed. It returns once the record is durable, or the recorder's
// error, which the call then answers.
func (s *Service) PortalEvent(u *User, c Call, name string, details map[string]any, errCode, errMsg string) error {
	if s.trail == nil || u == nil || u.InstanceAccount == "" {
		return nil
	}
	readOnly := name != "Logout"
	return s.trail.Record(&trail.Event{
		EventTime: s.now(), UserIdentity: identityCenterUser(u, c.CredentialID), EventSource: SourcePortal, EventName: name,
		EventType: trail.AwsServiceEvent, AWSRegion: s.region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RequestID: c.RequestID,
		ReadOnly: &readOnly, RecipientAccountID: u.InstanceAccount, ServiceEventDetails: details, ErrorCode: errCode, ErrorMessage: errMsg,
	})
}

// trailTime is how CloudTrail writes a credential's expiration in responseElements.
const trailTime = "Jan 2, 2006, 3:04:05 PM"

// samlAudience is the audience of the assertions Identity Center presents to STS: AWS's sign-in
// SAML endpoint, which the AWSReservedSSO_ roles' trust policies require as SAML:aud.
const samlAudience = "https://signin.aws.amazon.com/saml"

// sessionStartEvent records, in the role's account, the start of the role session
// GetRoleCredentials issued: the AssumeRoleWithSAML Identity Center makes through the instance's
// SAML provider there. The SAML assertion ID is random (Rootward makes no assertion). The source
// of the call is Identity Center itself: sourceIPAddress and userAgent sso.amazonaws.com
// (AWS records one of its own addresses; Rootward's choice).
func (s *Service) sessionStartEvent(u *User, a *Assignment, role *iam.Role, sess *iam.Session, seconds int) error {
	if s.trail == nil {
		return nil
	}
	issuer, provider := identitycenter.SAMLIssuer(u.InstanceAccount, u.InstanceID), a.ProviderName
	nq := sts.NameQualifier(issuer, sess.Account, provider)
	providerARN := arn.SAMLProvider(sess.Account, provider)
	readOnly := true
	return s.trail.Record(&trail.Event{
		EventTime: s.now(), EventSource: "sts.amazonaws.com", EventName: "AssumeRoleWithSAML", EventType: trail.AwsAPICall,
		UserIdentity: trail.UserIdentity{Type: "SAMLUser", PrincipalID: nq + ":" + u.UserName, UserName: u.UserName, IdentityProvider: nq},
		AWSRegion:    s.region, SourceIPAddress: identitycenter.ServicePrincipal, UserAgent: identitycenter.ServicePrincipal,
		RequestParameters: map[string]any{"sAMLAssertionID": newSecret("_", 16), "roleSessionName": sess.SessionName, "roleArn": role.Arn,
			"principalArn": providerARN, "durationSeconds": seconds},
		ResponseElements: map[string]any{
			"credentials":     map[string]any{"accessKeyId": sess.AccessKeyID, "expiration": sess.Expiration.UTC().Format(trailTime)},
			"assumedRoleUser": map[string]any{"assumedRoleId": role.RoleID + ":" + sess.SessionName, "arn": sess.AssumedRoleARN()},
			"subject":         u.UserName, "subjectType": "persistent", "issuer": issuer, "audience": samlAudience, "nameQualifier": nq,
		},
		ReadOnly: &readOnly, RecipientAccountID: sess.Account,
	})
}

// Password modes of an administrator's action on a user's sign-in (PasswordEvent).
const (
	PasswordModeEmail = "EMAIL" // "send an email with password setup instructions"
	PasswordModeOTP   = "OTP"   // "generate a one-time password"
)

// PasswordEvent records an administrator's "send an email with password setup instructions" or
// "generate a one-time password" on an Identity Center user, in the administrator's account, with
// errCode/errMsg when it failed. AWS's console records these as the Identity Center directory's
// (source sso-directory.amazonaws.com, whose sso-directory:UpdatePassword action covers both in the
// Service Authorization Reference); its exact record is not documented, so this one is Rootward's
// choice: eventName UpdatePassword, the identity store, user and mode as requestParameters, never
// the password or the link.
func (s *Service) PasswordEvent(caller trail.UserIdentity, c Call, identityStoreID, userID, mode, errCode, errMsg string) error {
	if s.trail == nil || caller.AccountID == "" {
		return nil
	}
	readOnly := false
	return s.trail.Record(&trail.Event{
		EventTime: s.now(), UserIdentity: caller, EventSource: "sso-directory.amazonaws.com", EventName: "UpdatePassword",
		EventType: trail.AwsAPICall, AWSRegion: s.region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, RequestID: c.RequestID,
		RequestParameters: map[string]any{"identityStoreId": identityStoreID, "userId": userID, "passwordMode": mode},
		ReadOnly:          &readOnly, RecipientAccountID: caller.AccountID, ErrorCode: errCode, ErrorMessage: errMsg,
	})
}
