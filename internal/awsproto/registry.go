package awsproto

import (
	"fmt"
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
)

// Fault says which side an error blames, as the SDKs' smithy.ErrorFault does: the caller ("client",
// Type Sender in awsQuery errors) or the service ("server", Type Receiver).
type Fault string

// The two faults; their values are smithy.ErrorFault's String().
const (
	FaultClient Fault = "client"
	FaultServer Fault = "server"
)

// codeInfo is what the wire says about a code besides the code itself.
type codeInfo struct {
	code   awserr.Code
	status int
	fault  Fault
}

// Status is the HTTP status an error is answered with: its own override, else its code's in the
// registry, else 400.
func Status(e *awserr.Error) int {
	if e.Status != 0 {
		return e.Status
	}
	if c, ok := registry[e.Code]; ok {
		return c.status
	}
	return http.StatusBadRequest
}

// FaultOf is the side an error blames: its code's fault in the registry; for a code not
// registered, the server when its status is 5xx.
func FaultOf(e *awserr.Error) Fault {
	if c, ok := registry[e.Code]; ok {
		return c.fault
	}
	if Status(e) >= http.StatusInternalServerError {
		return FaultServer
	}
	return FaultClient
}

// Sender reports whether the caller is at fault (Type Sender in awsQuery errors) rather than the
// service (Type Receiver).
func Sender(e *awserr.Error) bool { return FaultOf(e) == FaultClient }

// registry holds each code of internal/awserr once, with its HTTP status and fault, from the
// per-service tables below (one per file of internal/awserr).
var registry = register(commonCodes, iamCodes, stsCodes, orgsCodes, guarddutyCodes, cloudtrailCodes, accountCodes, securityhubCodes, supportCodes, configCodes, mpaCodes, ssoPortalCodes)

func register(tables ...[]codeInfo) map[awserr.Code]codeInfo {
	m := map[awserr.Code]codeInfo{}
	for _, t := range tables {
		for _, c := range t {
			if _, dup := m[c.code]; dup {
				panic(fmt.Sprintf("awsproto: error code %s registered twice", c.code))
			}
			m[c.code] = c
		}
	}
	return m
}

const (
	client = FaultClient
	server = FaultServer
)

// commonCodes are the codes of awserr/common.go. Statuses: "Common Errors" of the IAM API
// Reference (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html) and of the STS
// API Reference, except where a line says otherwise.
var commonCodes = []codeInfo{
	{awserr.AccessDenied, http.StatusForbidden, client},
	{awserr.ExpiredToken, http.StatusBadRequest, client},
	{awserr.IncompleteSignature, http.StatusBadRequest, client},
	{awserr.InternalFailure, http.StatusInternalServerError, server},
	{awserr.InvalidAction, http.StatusBadRequest, client},
	{awserr.InvalidClientTokenID, http.StatusForbidden, client},
	{awserr.InvalidParameterCombination, http.StatusBadRequest, client},
	{awserr.InvalidParameterValue, http.StatusBadRequest, client},
	// "Common Errors" gives MalformedQueryString 404; Rootward answers 400, as it always has, for a
	// query it cannot parse (internal/server's badinput_test.go holds it).
	{awserr.MalformedQueryString, http.StatusBadRequest, client},
	{awserr.MissingAction, http.StatusBadRequest, client},
	{awserr.MissingAuthenticationToken, http.StatusForbidden, client},
	{awserr.MissingParameter, http.StatusBadRequest, client},
	{awserr.RequestExpired, http.StatusBadRequest, client},
	{awserr.SignatureDoesNotMatch, http.StatusForbidden, client},
	// Throttling's 400 is "Common Errors"' ThrottlingException's; the rate limiter sets 429 on its
	// own errors (internal/throttle).
	{awserr.Throttling, http.StatusBadRequest, client},
	{awserr.ValidationError, http.StatusBadRequest, client},
	{awserr.RequestEntityTooLarge, http.StatusRequestEntityTooLarge, client},
	{awserr.UnknownOperation, http.StatusBadRequest, client},
	{awserr.Serialization, http.StatusBadRequest, client},
	{awserr.NotImplemented, http.StatusNotImplemented, server},
	// AWS Support's answer to an unknown Trusted Advisor check ID (and AWS Config's to a bad
	// parameter): HTTP 400, the caller's fault.
	{awserr.SupportInvalidParameterValue, http.StatusBadRequest, client},
}

// iamCodes are the codes of awserr/iam.go. Faults: the SDK's ErrorFault (aws-sdk-go-v2
// service/iam/types/errors.go); statuses: the "Errors" sections of the IAM API Reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/), e.g. NoSuchEntity 404, EntityAlreadyExists
// 409, ReportExpired 410.
var iamCodes = []codeInfo{
	{awserr.ConcurrentModification, http.StatusConflict, client},
	{awserr.DeleteConflict, http.StatusConflict, client},
	{awserr.DuplicateCertificate, http.StatusConflict, client},
	{awserr.EntityAlreadyExists, http.StatusConflict, client},
	{awserr.EntityTemporarilyUnmodifiable, http.StatusConflict, client},
	{awserr.InvalidAuthenticationCode, http.StatusForbidden, client},
	{awserr.InvalidCertificate, http.StatusBadRequest, client},
	{awserr.InvalidInput, http.StatusBadRequest, client},
	{awserr.InvalidUserType, http.StatusBadRequest, client},
	{awserr.LimitExceeded, http.StatusConflict, client},
	{awserr.MalformedCertificate, http.StatusBadRequest, client},
	{awserr.MalformedPolicyDocument, http.StatusBadRequest, client},
	{awserr.NoSuchEntity, http.StatusNotFound, client},
	{awserr.PasswordPolicyViolation, http.StatusBadRequest, client},
	{awserr.ReportExpired, http.StatusGone, client},
	{awserr.ReportNotPresent, http.StatusGone, client},
	{awserr.ServiceFailure, http.StatusInternalServerError, server},
	{awserr.UnmodifiableEntity, http.StatusBadRequest, client},
	{awserr.DuplicateSSHPublicKey, http.StatusBadRequest, client},
	{awserr.InvalidPublicKey, http.StatusBadRequest, client},
	{awserr.KeyPairMismatch, http.StatusBadRequest, client},
	{awserr.NotSupportedService, http.StatusNotFound, client},
	{awserr.FeatureDisabled, http.StatusNotFound, client},
	{awserr.FeatureEnabled, http.StatusConflict, client},
	{awserr.RoleTemplateDisabled, http.StatusBadRequest, client},
	{awserr.UnrecognizedPublicKeyEncoding, http.StatusBadRequest, client},
	{awserr.AccountNotManagementOrDelegatedAdmin, http.StatusBadRequest, client},
	{awserr.CallerIsNotManagementAccount, http.StatusBadRequest, client},
	{awserr.OrganizationNotFound, http.StatusBadRequest, client},
	{awserr.OrganizationNotInAllFeatures, http.StatusBadRequest, client},
	{awserr.ServiceAccessNotEnabled, http.StatusBadRequest, client},
}

// stsCodes are the codes of awserr/sts.go. Faults: aws-sdk-go-v2 service/sts/types/errors.go;
// statuses: the STS API Reference (https://docs.aws.amazon.com/STS/latest/APIReference/), e.g.
// AssumeRoleWithSAML's IDPRejectedClaim 403, AssumeRole's RegionDisabledException 403.
var stsCodes = []codeInfo{
	{awserr.IDPRejectedClaim, http.StatusForbidden, client},
	{awserr.InvalidAuthorizationMessage, http.StatusBadRequest, client},
	{awserr.ExpiredTokenException, http.StatusBadRequest, client},
	{awserr.IDPCommunicationError, http.StatusBadRequest, client},
	{awserr.InvalidIdentityToken, http.StatusBadRequest, client},
	{awserr.PackedPolicyTooLarge, http.StatusBadRequest, client},
	{awserr.RegionDisabled, http.StatusForbidden, client},
	{awserr.ExpiredTradeInToken, http.StatusBadRequest, client},
	{awserr.OutboundWebIdentityFederationDisabled, http.StatusForbidden, client},
	{awserr.JWTPayloadSizeExceeded, http.StatusBadRequest, client},
	{awserr.SessionDurationEscalation, http.StatusForbidden, client},
}

// orgsCodes are the codes of awserr/organizations.go. Faults: aws-sdk-go-v2
// service/organizations/types/errors.go; statuses: the Organizations API Reference
// (https://docs.aws.amazon.com/organizations/latest/APIReference/) answers every client error with
// HTTP 400.
var orgsCodes = []codeInfo{
	{awserr.OrgsAccessDenied, http.StatusBadRequest, client},
	{awserr.OrgsNotInUse, http.StatusBadRequest, client},
	{awserr.OrgsAlreadyInOrganization, http.StatusBadRequest, client},
	{awserr.OrgsAccountNotFound, http.StatusBadRequest, client},
	{awserr.OrgsAccountAlreadyClosed, http.StatusBadRequest, client},
	{awserr.OrgsAccountAlreadyRegistered, http.StatusBadRequest, client},
	{awserr.OrgsAccountNotRegistered, http.StatusBadRequest, client},
	{awserr.OrgsChildNotFound, http.StatusBadRequest, client},
	{awserr.OrgsConstraintViolation, http.StatusBadRequest, client},
	{awserr.OrgsCreateStatusNotFound, http.StatusBadRequest, client},
	{awserr.OrgsDestinationParentNotFound, http.StatusBadRequest, client},
	{awserr.OrgsDuplicateAccount, http.StatusBadRequest, client},
	{awserr.OrgsDuplicateHandshake, http.StatusBadRequest, client},
	{awserr.OrgsDuplicateOU, http.StatusBadRequest, client},
	{awserr.OrgsDuplicatePolicy, http.StatusBadRequest, client},
	{awserr.OrgsEffectivePolicyNotFound, http.StatusBadRequest, client},
	{awserr.OrgsResourcePolicyNotFound, http.StatusBadRequest, client},
	{awserr.OrgsUnsupportedAPIEndpoint, http.StatusBadRequest, client},
	{awserr.OrgsDuplicatePolicyAttachment, http.StatusBadRequest, client},
	{awserr.OrgsHandshakeAlreadyInState, http.StatusBadRequest, client},
	{awserr.OrgsHandshakeConstraint, http.StatusBadRequest, client},
	{awserr.OrgsHandshakeNotFound, http.StatusBadRequest, client},
	{awserr.OrgsInvalidHandshakeTransition, http.StatusBadRequest, client},
	{awserr.OrgsInvalidInput, http.StatusBadRequest, client},
	{awserr.OrgsMalformedPolicy, http.StatusBadRequest, client},
	{awserr.OrgsMasterCannotLeave, http.StatusBadRequest, client},
	{awserr.OrgsOrganizationNotEmpty, http.StatusBadRequest, client},
	{awserr.OrgsOUNotEmpty, http.StatusBadRequest, client},
	{awserr.OrgsOUNotFound, http.StatusBadRequest, client},
	{awserr.OrgsParentNotFound, http.StatusBadRequest, client},
	{awserr.OrgsPolicyInUse, http.StatusBadRequest, client},
	{awserr.OrgsPolicyNotAttached, http.StatusBadRequest, client},
	{awserr.OrgsPolicyNotFound, http.StatusBadRequest, client},
	{awserr.OrgsPolicyTypeAlreadyEnabled, http.StatusBadRequest, client},
	{awserr.OrgsPolicyTypeNotAvailable, http.StatusBadRequest, client},
	{awserr.OrgsPolicyTypeNotEnabled, http.StatusBadRequest, client},
	{awserr.OrgsRootNotFound, http.StatusBadRequest, client},
	{awserr.OrgsSourceParentNotFound, http.StatusBadRequest, client},
	{awserr.OrgsTargetNotFound, http.StatusBadRequest, client},
}

// guarddutyCodes are the codes of awserr/guardduty.go. Faults: aws-sdk-go-v2
// service/guardduty/types/errors.go; statuses: the GuardDuty API Reference's "Common Errors"
// (https://docs.aws.amazon.com/guardduty/latest/APIReference/CommonErrors.html).
var guarddutyCodes = []codeInfo{
	{awserr.GuardDutyBadRequest, http.StatusBadRequest, client},
	{awserr.GuardDutyInternalServer, http.StatusInternalServerError, server},
}

// cloudtrailCodes are the codes of awserr/cloudtrail.go. Faults: aws-sdk-go-v2
// service/cloudtrail/types/errors.go (all client); statuses: the CloudTrail API Reference's "Errors"
// sections answer each with HTTP 400.
var cloudtrailCodes = []codeInfo{
	{awserr.CTInvalidLookupAttributes, http.StatusBadRequest, client},
	{awserr.CTInvalidTimeRange, http.StatusBadRequest, client},
	{awserr.CTInvalidMaxResults, http.StatusBadRequest, client},
	{awserr.CTInvalidNextToken, http.StatusBadRequest, client},
	{awserr.CTInvalidEventCategory, http.StatusBadRequest, client},
	{awserr.CTTrailAlreadyExists, http.StatusBadRequest, client},
	{awserr.CTTrailNotFound, http.StatusBadRequest, client},
	{awserr.CTInvalidTrailName, http.StatusBadRequest, client},
	{awserr.CTInvalidS3BucketName, http.StatusBadRequest, client},
	{awserr.CTInvalidS3Prefix, http.StatusBadRequest, client},
	{awserr.CTInvalidParameter, http.StatusBadRequest, client},
	{awserr.CTInvalidParameterCombination, http.StatusBadRequest, client},
	{awserr.CTInvalidHomeRegion, http.StatusBadRequest, client},
	{awserr.CTMaximumNumberOfTrails, http.StatusBadRequest, client},
	{awserr.CTOrganizationsNotInUse, http.StatusBadRequest, client},
	{awserr.CTAccessNotEnabled, http.StatusBadRequest, client},
	{awserr.CTNotOrganizationMaster, http.StatusBadRequest, client},
	{awserr.CTInvalidTagParameter, http.StatusBadRequest, client},
	{awserr.CTTagsLimitExceeded, http.StatusBadRequest, client},
	{awserr.CTResourceNotFound, http.StatusBadRequest, client},
	{awserr.CTResourceTypeNotSupported, http.StatusBadRequest, client},
	{awserr.CTARNInvalid, http.StatusBadRequest, client},
}

// accountCodes are the codes of awserr/account.go. Faults and statuses: aws-sdk-go-v2
// service/account/types/errors.go and the AWS Account Management API Reference's "Errors" sections.
var accountCodes = []codeInfo{
	{awserr.AcctValidation, http.StatusBadRequest, client},
	{awserr.AcctConflict, http.StatusConflict, client},
	{awserr.AcctTooManyRequests, http.StatusTooManyRequests, client},
	{awserr.AcctInternalServer, http.StatusInternalServerError, server},
}

// securityhubCodes are the codes of awserr/securityhub.go that no other service registered.
// Faults: aws-sdk-go-v2 service/securityhub/types/errors.go; statuses: the Security Hub API
// Reference's "Common Errors" and each error shape's httpError trait.
var securityhubCodes = []codeInfo{
	{awserr.SecurityHubInvalidAccess, http.StatusUnauthorized, client},
	{awserr.SecurityHubResourceConflict, http.StatusConflict, client},
	{awserr.SecurityHubInternal, http.StatusInternalServerError, server},
}

// supportCodes are the codes of awserr/support.go. Fault: aws-sdk-go-v2
// service/support/types/errors.go (InternalServerError is a server fault).
var supportCodes = []codeInfo{
	{awserr.SupportInternalServerError, http.StatusInternalServerError, server},
}

// configCodes are the codes of awserr/config.go. Faults: aws-sdk-go-v2
// service/configservice/types/errors.go (all client); statuses: the AWS Config API Reference's
// "Errors" sections answer each with HTTP 400.
var configCodes = []codeInfo{
	{awserr.ConfigInvalidLimit, http.StatusBadRequest, client},
	{awserr.ConfigLimitExceeded, http.StatusBadRequest, client},
	{awserr.ConfigResourceInUse, http.StatusBadRequest, client},
	{awserr.ConfigInsufficientPermissions, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchConfigRule, http.StatusBadRequest, client},
	{awserr.ConfigMaxConfigRules, http.StatusBadRequest, client},
	{awserr.ConfigNoAvailableRecorder, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchRecorder, http.StatusBadRequest, client},
	{awserr.ConfigInvalidRecorderName, http.StatusBadRequest, client},
	{awserr.ConfigMaxRecorders, http.StatusBadRequest, client},
	{awserr.ConfigInvalidRole, http.StatusBadRequest, client},
	{awserr.ConfigInvalidRecordingGroup, http.StatusBadRequest, client},
	{awserr.ConfigNoAvailableDeliveryChannel, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchDeliveryChannel, http.StatusBadRequest, client},
	{awserr.ConfigInvalidDeliveryChannelName, http.StatusBadRequest, client},
	{awserr.ConfigMaxDeliveryChannels, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchBucket, http.StatusBadRequest, client},
	{awserr.ConfigLastDeliveryChannelDelete, http.StatusBadRequest, client},
	{awserr.ConfigNoRunningRecorder, http.StatusBadRequest, client},
	{awserr.ConfigOrganizationAccessDenied, http.StatusBadRequest, client},
	{awserr.ConfigNoAvailableOrganization, http.StatusBadRequest, client},
	{awserr.ConfigOrganizationAllFeaturesMissing, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchOrganizationConfigRule, http.StatusBadRequest, client},
	{awserr.ConfigMaxOrganizationConfigRules, http.StatusBadRequest, client},
	{awserr.ConfigNoSuchAggregator, http.StatusBadRequest, client},
}

// mpaCodes are the codes of awserr/mpa.go that no other service registered. Faults: aws-sdk-go-v2
// service/mpa/types/errors.go; statuses: the Multi-party approval API Reference's error pages
// ("ServiceQuotaExceededException", HTTP 402; "ThrottlingException", HTTP 429).
var mpaCodes = []codeInfo{
	{awserr.MPAServiceQuotaExceeded, http.StatusPaymentRequired, client},
	{awserr.MPAThrottling, http.StatusTooManyRequests, client},
	{awserr.MPATooManyTags, http.StatusBadRequest, client},
}

// ssoPortalCodes are the codes of awserr/ssoportal.go (sso-oidc and the portal API sso). Faults
// and statuses: the smithy error and httpError traits of aws-sdk-go-v2 service/ssooidc's and
// service/sso's models (schemas/schemas.go).
var ssoPortalCodes = []codeInfo{
	{awserr.OIDCAuthorizationPending, http.StatusBadRequest, client},
	{awserr.OIDCSlowDown, http.StatusBadRequest, client},
	{awserr.OIDCInvalidClient, http.StatusUnauthorized, client},
	{awserr.OIDCInvalidGrant, http.StatusBadRequest, client},
	{awserr.OIDCUnsupportedGrantType, http.StatusBadRequest, client},
	{awserr.OIDCInvalidClientMetadata, http.StatusBadRequest, client},
	{awserr.OIDCInvalidScope, http.StatusBadRequest, client},
	{awserr.OIDCUnauthorizedClient, http.StatusBadRequest, client},
	{awserr.SSOInvalidRequest, http.StatusBadRequest, client},
	{awserr.SSOUnauthorized, http.StatusUnauthorized, client},
}
