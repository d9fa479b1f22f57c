package awserr

// Codes of AWS Support (Trusted Advisor's API), awsJson 1.1: aws-sdk-go-v2
// service/support/types/errors.go. Support answers an unknown check ID with
// InvalidParameterValueException ("Unknown ID: …"), a code its model does not declare
// (SupportInvalidParameterValue, in common.go).
const SupportInternalServerError Code = "InternalServerError"
