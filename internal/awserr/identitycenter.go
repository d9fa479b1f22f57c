package awserr

// Codes of IAM Identity Center's two awsJson 1.1 APIs, sso-admin (SWBExternalService) and the
// identity store (AWSIdentityStore), whose codes are the error shapes' names: aws-sdk-go-v2
// service/ssoadmin/types/errors.go and service/identitystore/types/errors.go. The shapes they
// share with other services are those services' constants, aliased; the HTTP status each API
// gives them (404 for ResourceNotFoundException, 403 for AccessDeniedException, 409 for
// ConflictException) is set on the error (Error.Status) where it differs from the registry's.
const (
	ICValidation       = AcctValidation
	ICConflict         = AcctConflict
	ICInternalServer   = AcctInternalServer
	ICResourceNotFound = CTResourceNotFound
	ICAccessDenied     = OrgsAccessDenied
	// ThrottlingException (HTTP 429) and ServiceQuotaExceededException (HTTP 402 in both
	// models) are Multi-party approval's codes too.
	ICThrottling           = MPAThrottling
	ICServiceQuotaExceeded = MPAServiceQuotaExceeded
)
