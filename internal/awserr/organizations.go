package awserr

// Codes of Organizations, an awsJson 1.1 service whose codes are the error shapes' names with their
// "Exception" suffix: aws-sdk-go-v2 service/organizations/types/errors.go (each type's ErrorCode)
// and the "Errors" sections of the Organizations API Reference
// (https://docs.aws.amazon.com/organizations/latest/APIReference/). Their names start with Orgs
// because several share a name with an IAM code of another spelling (AccessDenied,
// InvalidInput, MalformedPolicyDocument).
const (
	OrgsAccessDenied               Code = "AccessDeniedException"
	OrgsNotInUse                   Code = "AWSOrganizationsNotInUseException"
	OrgsAlreadyInOrganization      Code = "AlreadyInOrganizationException"
	OrgsAccountNotFound            Code = "AccountNotFoundException"
	OrgsAccountAlreadyClosed       Code = "AccountAlreadyClosedException"
	OrgsAccountAlreadyRegistered   Code = "AccountAlreadyRegisteredException"
	OrgsAccountNotRegistered       Code = "AccountNotRegisteredException"
	OrgsChildNotFound              Code = "ChildNotFoundException"
	OrgsConstraintViolation        Code = "ConstraintViolationException"
	OrgsCreateStatusNotFound       Code = "CreateAccountStatusNotFoundException"
	OrgsDestinationParentNotFound  Code = "DestinationParentNotFoundException"
	OrgsDuplicateAccount           Code = "DuplicateAccountException"
	OrgsDuplicateHandshake         Code = "DuplicateHandshakeException"
	OrgsDuplicateOU                Code = "DuplicateOrganizationalUnitException"
	OrgsDuplicatePolicy            Code = "DuplicatePolicyException"
	OrgsEffectivePolicyNotFound    Code = "EffectivePolicyNotFoundException"
	OrgsResourcePolicyNotFound     Code = "ResourcePolicyNotFoundException"
	OrgsUnsupportedAPIEndpoint     Code = "UnsupportedAPIEndpointException"
	OrgsDuplicatePolicyAttachment  Code = "DuplicatePolicyAttachmentException"
	OrgsHandshakeAlreadyInState    Code = "HandshakeAlreadyInStateException"
	OrgsHandshakeConstraint        Code = "HandshakeConstraintViolationException"
	OrgsHandshakeNotFound          Code = "HandshakeNotFoundException"
	OrgsInvalidHandshakeTransition Code = "InvalidHandshakeTransitionException"
	OrgsInvalidInput               Code = "InvalidInputException"
	OrgsMalformedPolicy            Code = "MalformedPolicyDocumentException"
	OrgsMasterCannotLeave          Code = "MasterCannotLeaveOrganizationException"
	OrgsOrganizationNotEmpty       Code = "OrganizationNotEmptyException"
	OrgsOUNotEmpty                 Code = "OrganizationalUnitNotEmptyException"
	OrgsOUNotFound                 Code = "OrganizationalUnitNotFoundException"
	OrgsParentNotFound             Code = "ParentNotFoundException"
	OrgsPolicyInUse                Code = "PolicyInUseException"
	OrgsPolicyNotAttached          Code = "PolicyNotAttachedException"
	OrgsPolicyNotFound             Code = "PolicyNotFoundException"
	OrgsPolicyTypeAlreadyEnabled   Code = "PolicyTypeAlreadyEnabledException"
	OrgsPolicyTypeNotAvailable     Code = "PolicyTypeNotAvailableForOrganizationException"
	OrgsPolicyTypeNotEnabled       Code = "PolicyTypeNotEnabledException"
	OrgsRootNotFound               Code = "RootNotFoundException"
	OrgsSourceParentNotFound       Code = "SourceParentNotFoundException"
	OrgsTargetNotFound             Code = "TargetNotFoundException"
)
