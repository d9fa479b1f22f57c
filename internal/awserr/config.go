package awserr

// Codes of AWS Config, an awsJson 1.1 service whose codes are its error shapes' names:
// aws-sdk-go-v2 service/configservice/types/errors.go (each type's ErrorCode) and the "Errors"
// sections of the AWS Config API Reference (https://docs.aws.amazon.com/config/latest/APIReference/).
// Their names start with Config because several would clash with other services' constants
// (LimitExceeded, InvalidParameterValue, ResourceInUse). Config's InvalidNextTokenException is
// CloudTrail's CTInvalidNextToken (the same shape name).
const (
	ConfigInvalidParameterValue               = SupportInvalidParameterValue // one code, AWS Support\'s and Config\'s
	ConfigValidation                          = AcctValidation               // one code, AWS Account Management\'s and Config\'s
	ConfigInvalidLimit                   Code = "InvalidLimitException"
	ConfigLimitExceeded                  Code = "LimitExceededException"
	ConfigResourceInUse                  Code = "ResourceInUseException"
	ConfigInsufficientPermissions        Code = "InsufficientPermissionsException"
	ConfigNoSuchConfigRule               Code = "NoSuchConfigRuleException"
	ConfigMaxConfigRules                 Code = "MaxNumberOfConfigRulesExceededException"
	ConfigNoAvailableRecorder            Code = "NoAvailableConfigurationRecorderException"
	ConfigNoSuchRecorder                 Code = "NoSuchConfigurationRecorderException"
	ConfigInvalidRecorderName            Code = "InvalidConfigurationRecorderNameException"
	ConfigMaxRecorders                   Code = "MaxNumberOfConfigurationRecordersExceededException"
	ConfigInvalidRole                    Code = "InvalidRoleException"
	ConfigInvalidRecordingGroup          Code = "InvalidRecordingGroupException"
	ConfigNoAvailableDeliveryChannel     Code = "NoAvailableDeliveryChannelException"
	ConfigNoSuchDeliveryChannel          Code = "NoSuchDeliveryChannelException"
	ConfigInvalidDeliveryChannelName     Code = "InvalidDeliveryChannelNameException"
	ConfigMaxDeliveryChannels            Code = "MaxNumberOfDeliveryChannelsExceededException"
	ConfigNoSuchBucket                   Code = "NoSuchBucketException"
	ConfigLastDeliveryChannelDelete      Code = "LastDeliveryChannelDeleteFailedException"
	ConfigNoRunningRecorder              Code = "NoRunningConfigurationRecorderException"
	ConfigOrganizationAccessDenied       Code = "OrganizationAccessDeniedException"
	ConfigNoAvailableOrganization        Code = "NoAvailableOrganizationException"
	ConfigOrganizationAllFeaturesMissing Code = "OrganizationAllFeaturesNotEnabledException"
	ConfigNoSuchOrganizationConfigRule   Code = "NoSuchOrganizationConfigRuleException"
	ConfigMaxOrganizationConfigRules     Code = "MaxNumberOfOrganizationConfigRulesExceededException"
	ConfigNoSuchAggregator               Code = "NoSuchConfigurationAggregatorException"
)
