package awserr

// Codes of AWS Security Hub, a restJson1 service: aws-sdk-go-v2 service/securityhub/types/errors.go
// and the "Common Errors" of the Security Hub API Reference
// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/CommonErrors.html). Three share their
// names with codes registered for other services with another HTTP status: Security Hub's
// ResourceNotFoundException is 404 and its AccessDeniedException 403, set on the error itself
// (awserr.Error.Status); its InvalidInputException is 400, as Organizations' is.
const (
	SecurityHubInvalidAccess    Code = "InvalidAccessException"
	SecurityHubResourceConflict Code = "ResourceConflictException"
	SecurityHubInternal         Code = "InternalException"
	SecurityHubInvalidInput     Code = "InvalidInputException"
	SecurityHubResourceNotFound Code = "ResourceNotFoundException"
	SecurityHubAccessDenied     Code = "AccessDeniedException"
)
