package awserr

// Codes of the access portal's two restJson1 services, the error shapes' names: sso-oidc
// (aws-sdk-go-v2 service/ssooidc/types/errors.go; IAM Identity Center OIDC API Reference,
// https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/) and the portal API sso
// (service/sso/types/errors.go; IAM Identity Center Portal API Reference,
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/).
//
// sso-oidc's errors are OAuth 2.0 error responses (RFC 6749 section 5.2): the shape's name in
// X-Amzn-ErrorType, and the members "error" (authorization_pending, slow_down …) and
// "error_description" in the body (OIDCError builds them). Shapes shared with other services are
// their constants, with this service's HTTP status set on the error where it differs:
// AccessDeniedException (OrgsAccessDenied), ExpiredTokenException (STS's), InternalServerException
// (AcctInternalServer), ResourceNotFoundException (CTResourceNotFound, 404 in the portal API),
// TooManyRequestsException (AcctTooManyRequests).
const (
	// OIDCAuthorizationPending is AuthorizationPendingException: the device grant's user has not
	// approved yet (HTTP 400).
	OIDCAuthorizationPending Code = "AuthorizationPendingException"
	// OIDCSlowDown is SlowDownException: polled faster than the interval (HTTP 400).
	OIDCSlowDown Code = "SlowDownException"
	// OIDCInvalidClient is InvalidClientException: unknown client, wrong secret, expired
	// registration (HTTP 401).
	OIDCInvalidClient Code = "InvalidClientException"
	// OIDCInvalidGrant is InvalidGrantException: an unknown, spent or foreign device code or
	// refresh token (HTTP 400).
	OIDCInvalidGrant Code = "InvalidGrantException"
	// OIDCUnsupportedGrantType is UnsupportedGrantTypeException (HTTP 400).
	OIDCUnsupportedGrantType Code = "UnsupportedGrantTypeException"
	// OIDCInvalidClientMetadata is InvalidClientMetadataException (HTTP 400).
	OIDCInvalidClientMetadata Code = "InvalidClientMetadataException"
	// OIDCInvalidScope is InvalidScopeException (HTTP 400).
	OIDCInvalidScope Code = "InvalidScopeException"
	// OIDCUnauthorizedClient is UnauthorizedClientException: the client did not register the
	// grant type it asks for (HTTP 400).
	OIDCUnauthorizedClient Code = "UnauthorizedClientException"
	// SSOInvalidRequest is InvalidRequestException, of both services (HTTP 400).
	SSOInvalidRequest Code = "InvalidRequestException"
	// SSOUnauthorized is the portal API's UnauthorizedException: no valid access token (HTTP 401).
	SSOUnauthorized Code = "UnauthorizedException"
)

// Shapes of the access portal's services that other services' constants hold.
const (
	OIDCAccessDenied       = OrgsAccessDenied
	OIDCExpiredToken       = ExpiredTokenException
	OIDCInternalServer     = AcctInternalServer
	SSOResourceNotFound    = CTResourceNotFound
	SSOTooManyRequests     = AcctTooManyRequests
	SSOInternalServerError = AcctInternalServer
)

// OIDC errors: the OAuth 2.0 error codes of sso-oidc's shapes, their "error" member.
const (
	oauthPending      = "authorization_pending"
	oauthSlowDown     = "slow_down"
	oauthExpired      = "expired_token"
	oauthDenied       = "access_denied"
	oauthClient       = "invalid_client"
	oauthGrant        = "invalid_grant"
	oauthRequest      = "invalid_request"
	oauthUnsupported  = "unsupported_grant_type"
	oauthMetadata     = "invalid_client_metadata"
	oauthScope        = "invalid_scope"
	oauthUnauthorized = "unauthorized_client"
	oauthServer       = "server_error"
)

var oauthErrors = map[Code]string{
	OIDCAuthorizationPending: oauthPending, OIDCSlowDown: oauthSlowDown, OIDCExpiredToken: oauthExpired,
	OIDCAccessDenied: oauthDenied, OIDCInvalidClient: oauthClient, OIDCInvalidGrant: oauthGrant,
	SSOInvalidRequest: oauthRequest, OIDCUnsupportedGrantType: oauthUnsupported,
	OIDCInvalidClientMetadata: oauthMetadata, OIDCInvalidScope: oauthScope,
	OIDCUnauthorizedClient: oauthUnauthorized, OIDCInternalServer: oauthServer,
}

// OIDCError is an sso-oidc error: code, with the OAuth 2.0 "error" of its shape and
// "error_description" description (the wire writes no "message" when "error_description" is
// set). status, when non-zero, overrides the code's registered HTTP status.
func OIDCError(code Code, status int, description string) *Error {
	return &Error{Code: code, Message: description, Status: status,
		Fields: map[string]string{"error": oauthErrors[code], "error_description": description}}
}
