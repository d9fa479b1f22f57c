package awserr

// Codes of Multi-party approval, a restJson1 service whose codes are the error shapes' names:
// aws-sdk-go-v2 service/mpa/types/errors.go (each type's ErrorCode) and the error pages of the
// Multi-party approval API Reference (for example "AccessDeniedException",
// https://docs.aws.amazon.com/mpa/latest/APIReference/API_AccessDeniedException.html). The shapes
// it shares with other services are their constants, aliased; those registered with another HTTP
// status carry Multi-party approval's on the error itself (Error.Status): AccessDeniedException
// (403), ResourceNotFoundException (404), InvalidParameterException (400, as registered).
const (
	// MPAValidation is ValidationException (HTTP 400).
	MPAValidation = AcctValidation
	// MPAConflict is ConflictException (HTTP 409).
	MPAConflict = AcctConflict
	// MPAInternalServer is InternalServerException (HTTP 500).
	MPAInternalServer = AcctInternalServer
	// MPAResourceNotFound is ResourceNotFoundException, answered with HTTP 404.
	MPAResourceNotFound = AcctResourceNotFound
	// MPAAccessDenied is AccessDeniedException, answered with HTTP 403.
	MPAAccessDenied = OrgsAccessDenied
	// MPAInvalidParameter is InvalidParameterException (HTTP 400).
	MPAInvalidParameter = CTInvalidParameter
	// MPAServiceQuotaExceeded is ServiceQuotaExceededException (HTTP 402).
	MPAServiceQuotaExceeded Code = "ServiceQuotaExceededException"
	// MPAThrottling is ThrottlingException (HTTP 429).
	MPAThrottling Code = "ThrottlingException"
	// MPATooManyTags is TooManyTagsException (HTTP 400).
	MPATooManyTags Code = "TooManyTagsException"
)
