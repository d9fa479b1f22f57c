package eventbridge

import "github.com/rootward/rootward/internal/awserr"

// EventBridge's error codes: the error shapes of aws-sdk-go-v2 service/eventbridge/types/errors.go
// (each type's ErrorCode) and of the "Errors" sections of the EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html), plus
// ValidationException, which AWS answers for a member that breaks its constraints and which the
// SDK does not model. All answer HTTP 400 with a client fault, which is what the wire layer gives
// a code it has no entry for; they can move to internal/awserr (and its registry) when the lead
// merges the monitoring services.
const (
	// CodeAccessDenied is EventBridge's AccessDeniedException (internal/awserr.OrgsAccessDenied
	// spells the same code for Organizations).
	CodeAccessDenied          awserr.Code = "AccessDeniedException"
	CodeResourceNotFound      awserr.Code = "ResourceNotFoundException"
	CodeResourceAlreadyExists awserr.Code = "ResourceAlreadyExistsException"
	CodeInvalidEventPattern   awserr.Code = "InvalidEventPatternException"
	CodeManagedRule           awserr.Code = "ManagedRuleException"
	CodeLimitExceeded         awserr.Code = "LimitExceededException"
	CodeValidation            awserr.Code = "ValidationException"
	// CodeInvalidToken answers a NextToken the service did not issue: "Using an expired
	// pagination token results in an HTTP 400 InvalidToken error" (API Reference, ListRules).
	CodeInvalidToken awserr.Code = "InvalidToken"
)
