package awserr

// Codes of CloudTrail, an awsJson 1.1 service whose codes are the error shapes' names:
// aws-sdk-go-v2 service/cloudtrail/types/errors.go (each type's ErrorCode) and the "Errors"
// sections of the AWS CloudTrail API Reference
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/). Their names start with CT
// because several would clash with IAM's or Organizations' constants (InvalidParameter,
// ResourceNotFound). Two shapes CloudTrail shares with other services are their constants:
// OrganizationNotInAllFeaturesModeException is IAM's OrganizationNotInAllFeatures, and
// AccessDeniedException is OrgsAccessDenied, which cloudtrailapi renames AccessDenied to.
const (
	CTInvalidLookupAttributes     Code = "InvalidLookupAttributesException"
	CTInvalidTimeRange            Code = "InvalidTimeRangeException"
	CTInvalidMaxResults           Code = "InvalidMaxResultsException"
	CTInvalidNextToken            Code = "InvalidNextTokenException"
	CTInvalidEventCategory        Code = "InvalidEventCategoryException"
	CTTrailAlreadyExists          Code = "TrailAlreadyExistsException"
	CTTrailNotFound               Code = "TrailNotFoundException"
	CTInvalidTrailName            Code = "InvalidTrailNameException"
	CTInvalidS3BucketName         Code = "InvalidS3BucketNameException"
	CTInvalidS3Prefix             Code = "InvalidS3PrefixException"
	CTInvalidParameter            Code = "InvalidParameterException"
	CTInvalidParameterCombination Code = "InvalidParameterCombinationException"
	CTInvalidHomeRegion           Code = "InvalidHomeRegionException"
	CTMaximumNumberOfTrails       Code = "MaximumNumberOfTrailsExceededException"
	CTOrganizationsNotInUse       Code = "OrganizationsNotInUseException"
	CTAccessNotEnabled            Code = "CloudTrailAccessNotEnabledException"
	CTNotOrganizationMaster       Code = "NotOrganizationMasterAccountException"
	CTInvalidTagParameter         Code = "InvalidTagParameterException"
	CTTagsLimitExceeded           Code = "TagsLimitExceededException"
	CTResourceNotFound            Code = "ResourceNotFoundException"
	CTResourceTypeNotSupported    Code = "ResourceTypeNotSupportedException"
	CTARNInvalid                  Code = "CloudTrailARNInvalidException"
)
