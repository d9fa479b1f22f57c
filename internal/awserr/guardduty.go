package awserr

// Codes of GuardDuty, a restJson1 service: aws-sdk-go-v2 service/guardduty/types/errors.go (each
// type's ErrorCode) and the "Errors" sections of the GuardDuty API Reference
// (https://docs.aws.amazon.com/guardduty/latest/APIReference/CommonErrors.html). GuardDuty answers
// every bad input — unknown detector, malformed member, a second detector — with
// BadRequestException (HTTP 400). Its AccessDeniedException (HTTP 403) has the name of
// OrgsAccessDenied, registered once with Organizations' status 400; GuardDuty's answer sets its
// 403 on the error itself (awserr.Error.Status).
const (
	GuardDutyBadRequest     Code = "BadRequestException"
	GuardDutyInternalServer Code = "InternalServerErrorException"
)

// GuardDutyAccessDenied is GuardDuty's AccessDeniedException, answered with HTTP 403 (set on the
// error: the code is registered once, with Organizations' status).
const GuardDutyAccessDenied Code = "AccessDeniedException"
