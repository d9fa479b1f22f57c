package awserr

// Codes of STS: the awsQuery error shapes of aws-sdk-go-v2 service/sts/types/errors.go (each type's
// ErrorCode) and the "Errors" sections of the STS API Reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/). STS's MalformedPolicyDocument has IAM's
// code (iam.go).
const (
	IDPRejectedClaim Code = "IDPRejectedClaim"
	// ExpiredTokenException answers a web identity token or SAML assertion past its expiry
	// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML); ExpiredToken (common.go) is a session
	// token's.
	ExpiredTokenException       Code = "ExpiredTokenException"
	IDPCommunicationError       Code = "IDPCommunicationError"
	InvalidAuthorizationMessage Code = "InvalidAuthorizationMessageException"
	InvalidIdentityToken        Code = "InvalidIdentityToken"
	PackedPolicyTooLarge        Code = "PackedPolicyTooLarge"
	RegionDisabled              Code = "RegionDisabledException"
	// ExpiredTradeInToken answers GetDelegatedAccessToken's trade-in token, and
	// OutboundWebIdentityFederationDisabled GetWebIdentityToken while outbound federation is off.
	ExpiredTradeInToken                   Code = "ExpiredTradeInTokenException"
	OutboundWebIdentityFederationDisabled Code = "OutboundWebIdentityFederationDisabledException"
	// JWTPayloadSizeExceeded is GetWebIdentityToken's claims over the size limit (HTTP 400);
	// SessionDurationEscalation a token that would outlive the calling session (HTTP 403).
	JWTPayloadSizeExceeded    Code = "JWTPayloadSizeExceededException"
	SessionDurationEscalation Code = "SessionDurationEscalationException"
)
