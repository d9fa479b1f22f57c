package awserr

// Codes of the protocols every service shares: authentication, request syntax and failures that
// are not one operation's. Sources: "Common Errors" of the IAM API Reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html) and of the STS API
// Reference (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html), unless a
// constant says otherwise.
const (
	// AccessDenied is the code IAM and STS answer a request that policies do not allow with (IAM
	// User Guide, "Troubleshoot access denied error messages":
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
	// Organizations answers OrgsAccessDenied instead.
	AccessDenied Code = "AccessDenied"
	// ExpiredToken answers a request signed with an expired session token, in every service (STS
	// API Reference, "Common Errors").
	ExpiredToken                Code = "ExpiredToken"
	IncompleteSignature         Code = "IncompleteSignature"
	InternalFailure             Code = "InternalFailure"
	InvalidAction               Code = "InvalidAction"
	InvalidClientTokenID        Code = "InvalidClientTokenId"
	InvalidParameterCombination Code = "InvalidParameterCombination"
	InvalidParameterValue       Code = "InvalidParameterValue"
	MalformedQueryString        Code = "MalformedQueryString"
	MissingAction               Code = "MissingAction"
	MissingAuthenticationToken  Code = "MissingAuthenticationToken"
	MissingParameter            Code = "MissingParameter"
	RequestExpired              Code = "RequestExpired"
	// SignatureDoesNotMatch answers a SigV4 signature that does not verify ("Troubleshoot Signature
	// Version 4 errors": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html).
	SignatureDoesNotMatch Code = "SignatureDoesNotMatch"
	// Throttling answers an awsQuery request over its rate ("Common Errors" lists it as
	// ThrottlingException; IAM and STS answer Throttling, the code the SDKs' retryers match:
	// aws-sdk-go-v2 aws/retry/throttle_error.go).
	Throttling      Code = "Throttling"
	ValidationError Code = "ValidationError"
	// RequestEntityTooLarge answers a body over the server's limit. AWS documents no code for
	// it on these services; Rootward chose this name (HTTP 413's).
	RequestEntityTooLarge Code = "RequestEntityTooLarge"
	// UnknownOperation answers an awsJson request whose X-Amz-Target names no operation of the
	// service. SerializationException answers a body that is not the JSON the operation takes. Both
	// are what AWS JSON services answer; no AWS page lists them for Organizations.
	UnknownOperation Code = "UnknownOperationException"
	Serialization    Code = "SerializationException"
	// NotImplemented answers an operation of a service Rootward does not implement. AWS has no
	// such case; Rootward chose the name of HTTP 501.
	NotImplemented Code = "NotImplemented"
	// SupportInvalidParameterValue is what AWS Support answers a request naming an unknown Trusted
	// Advisor check ("Unknown ID: …"), HTTP 400; the Support model declares no such shape, so it has
	// no SDK type to check against.
	SupportInvalidParameterValue Code = "InvalidParameterValueException"
)
