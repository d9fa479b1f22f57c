package awserr

// Codes of IAM: the awsQuery error shapes of aws-sdk-go-v2 service/iam/types/errors.go (each
// type's ErrorCode) and the "Errors" sections of the IAM API Reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/).
const (
	ConcurrentModification        Code = "ConcurrentModification"
	DeleteConflict                Code = "DeleteConflict"
	DuplicateCertificate          Code = "DuplicateCertificate"
	EntityAlreadyExists           Code = "EntityAlreadyExists"
	EntityTemporarilyUnmodifiable Code = "EntityTemporarilyUnmodifiable"
	InvalidAuthenticationCode     Code = "InvalidAuthenticationCode"
	InvalidCertificate            Code = "InvalidCertificate"
	InvalidInput                  Code = "InvalidInput"
	// InvalidUserType answers ChangePassword from a caller that is not an IAM user.
	InvalidUserType         Code = "InvalidUserType"
	LimitExceeded           Code = "LimitExceeded"
	MalformedCertificate    Code = "MalformedCertificate"
	MalformedPolicyDocument Code = "MalformedPolicyDocument" // STS's shape has the same code
	NoSuchEntity            Code = "NoSuchEntity"
	PasswordPolicyViolation Code = "PasswordPolicyViolation"
	// ReportExpired and ReportNotPresent are GetCredentialReport's (the SDK's
	// CredentialReportExpiredException and CredentialReportNotPresentException).
	ReportExpired      Code = "ReportExpired"
	ReportNotPresent   Code = "ReportNotPresent"
	ServiceFailure     Code = "ServiceFailure"
	UnmodifiableEntity Code = "UnmodifiableEntity"
	// SSH public keys, server certificates and service-specific credentials.
	DuplicateSSHPublicKey         Code = "DuplicateSSHPublicKey"
	InvalidPublicKey              Code = "InvalidPublicKey"
	KeyPairMismatch               Code = "KeyPairMismatch"
	NotSupportedService           Code = "NotSupportedService"
	UnrecognizedPublicKeyEncoding Code = "UnrecognizedPublicKeyEncoding"
	// FeatureDisabled is outbound identity federation's "disabled for your account" (HTTP 404,
	// IAM API Reference, DisableOutboundWebIdentityFederation); RoleTemplateDisabled is role
	// templates' (AcquireRole, GetRoleTemplateVersion).
	FeatureDisabled      Code = "FeatureDisabled"
	RoleTemplateDisabled Code = "RoleTemplateDisabled"
	// FeatureEnabled is EnableOutboundWebIdentityFederation's "already enabled" (HTTP 409).
	FeatureEnabled Code = "FeatureEnabled"
)

// Codes of IAM's centralized root access operations, which depend on Organizations (IAM API
// Reference, EnableOrganizationsRootSessions, "Errors":
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootSessions.html).
// Unlike IAM's other codes they keep the "Exception" suffix on the wire.
const (
	AccountNotManagementOrDelegatedAdmin Code = "AccountNotManagementOrDelegatedAdministratorException"
	CallerIsNotManagementAccount         Code = "CallerIsNotManagementAccountException"
	OrganizationNotFound                 Code = "OrganizationNotFoundException"
	OrganizationNotInAllFeatures         Code = "OrganizationNotInAllFeaturesModeException"
	ServiceAccessNotEnabled              Code = "ServiceAccessNotEnabledException"
)
