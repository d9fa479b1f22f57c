package awserr

// Codes of STS: the awsQuery error shapes of aws-sdk-go-v2 service/sts/types/errors.go (each type's
// ErrorCode) and the "Errors" sections of the STS API Reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/). STS's MalformedPolicyDocument has IAM's
// code (iam.go).
const (
	IDPRejectedClaim            Code = "IDPRejectedClaim"
	InvalidAuthorizationMessage Code = "InvalidAuthorizationMessageException"
	PackedPolicyTooLarge        Code = "PackedPolicyTooLarge"
	RegionDisabled              Code = "RegionDisabledException"
)
