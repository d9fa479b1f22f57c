package awserr

// Codes of AWS Account Management, a restJson1 service whose codes are the error shapes' names:
// aws-sdk-go-v2 service/account/types/errors.go (each type's ErrorCode) and the "Errors" sections of
// the AWS Account Management API Reference
// (https://docs.aws.amazon.com/accounts/latest/reference/API_Operations.html). Two shapes it shares
// with other services are their constants, with Account Management's HTTP status set on the error
// (Error.Status): AccessDeniedException (OrgsAccessDenied, 403 here) and ResourceNotFoundException
// (CTResourceNotFound, 404 here).
const (
	// AcctValidation is ValidationException (HTTP 400), with the members "reason"
	// (fieldValidationFailed) and "fieldList" (Error.FieldList).
	AcctValidation Code = "ValidationException"
	// AcctConflict is ConflictException (HTTP 409).
	AcctConflict Code = "ConflictException"
	// AcctTooManyRequests is TooManyRequestsException (HTTP 429).
	AcctTooManyRequests Code = "TooManyRequestsException"
	// AcctInternalServer is InternalServerException (HTTP 500).
	AcctInternalServer Code = "InternalServerException"
)

// AcctResourceNotFound is Account Management's ResourceNotFoundException, answered with HTTP 404
// (set on the error: the code is registered once, with CloudTrail's status).
const AcctResourceNotFound Code = "ResourceNotFoundException"
