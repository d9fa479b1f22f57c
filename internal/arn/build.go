package arn

// Builders of the ARNs Rootward issues, so that no other package spells "arn:aws:" by hand.
// Formats from the IAM User Guide, "IAM identifiers" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns)
// and the Service Authorization Reference's resource types for AWS Organizations
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
// Rootward serves the aws partition only.

// AWSAccount is the account field of the ARNs of AWS managed resources (managed policies, the
// FullAWSAccess SCP).
const AWSAccount = "aws"

// IAMPrefix is the part of every IAM ARN of account up to its resource: arn:aws:iam::ACCOUNT:.
func IAMPrefix(account string) string { return IAMServicePrefix + account + ":" }

// IAM is arn:aws:iam::ACCOUNT:RESOURCE.
func IAM(account, resource string) string { return IAMPrefix(account) + resource }

// IAMEntity is the ARN of an IAM entity with a path: arn:aws:iam::ACCOUNT:KIND/PATH/NAME for kind
// user, group, role, policy, mfa, instance-profile …; path starts and ends with "/".
func IAMEntity(account, kind, path, name string) string {
	return IAMPrefix(account) + kind + path + name
}

// Root is the ARN of an account's root user, arn:aws:iam::ACCOUNT:root.
func Root(account string) string { return IAMPrefix(account) + "root" }

// AWSManagedPolicyPrefix starts the ARN of every AWS managed policy.
const AWSManagedPolicyPrefix = "arn:aws:iam::aws:policy/"

// AWSManagedPolicy is the ARN of an AWS managed policy: arn:aws:iam::aws:policy/PATH/NAME.
func AWSManagedPolicy(path, name string) string { return IAMEntity(AWSAccount, "policy", path, name) }

// IsAWSManaged reports whether an IAM ARN belongs to AWS (account field "aws").
func IsAWSManaged(arn string) bool { return len(arn) >= 17 && arn[:17] == "arn:aws:iam::aws:" }

// AssumedRole is the ARN of a role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func AssumedRole(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// Organizations is arn:aws:organizations::ACCOUNT:RESOURCE (ACCOUNT is the management account, or
// "aws" for AWS managed policies).
func Organizations(account, resource string) string {
	return "arn:aws:organizations::" + account + ":" + resource
}

// IAMServicePrefix starts every IAM ARN, before its account: arn:aws:iam::.
const IAMServicePrefix = "arn:aws:iam::"

// GuardDuty is arn:aws:guardduty:REGION:ACCOUNT:RESOURCE (Service Authorization Reference, "Actions,
// resources, and condition keys for Amazon GuardDuty": detector/DETECTOR_ID, and a finding's
// detector/DETECTOR_ID/finding/FINDING_ID).
func GuardDuty(region, account, resource string) string {
	return "arn:aws:guardduty:" + region + ":" + account + ":" + resource
}

// Rootward is arn:aws:rootward:REGION:ACCOUNT:RESOURCE, the ARN of a target that Rootward itself
// serves (the root-activity alert's EventBridge target, alert/root-activity). AWS has no service
// "rootward": the ARN never leaves Rootward's own rules and targets.
func Rootward(region, account, resource string) string {
	return "arn:aws:rootward:" + region + ":" + account + ":" + resource
}

// EventBridge is arn:aws:events:REGION:ACCOUNT:RESOURCE (a rule: rule/NAME on the default bus;
// Service Authorization Reference, "Actions, resources, and condition keys for Amazon
// EventBridge").
func EventBridge(region, account, resource string) string {
	return "arn:aws:events:" + region + ":" + account + ":" + resource
}

// CloudTrail is arn:aws:cloudtrail:REGION:ACCOUNT:RESOURCE, the form of a trail's ARN
// (RESOURCE "trail/NAME"; Service Authorization Reference, "Actions, resources, and condition keys
// for AWS CloudTrail", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
func CloudTrail(region, account, resource string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":" + resource
}

// Account is arn:aws:account::ACCOUNT:RESOURCE, AWS Account Management's resources (Service
// Authorization Reference, "Actions, resources, and condition keys for AWS Account Management",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsaccountmanagement.html):
// "account" for an account acting on itself, and "account/o-ORG/MEMBER" (ACCOUNT the management
// account) for a member account of an organization.
func Account(account, resource string) string {
	return "arn:aws:account::" + account + ":" + resource
}

// SecurityHub is arn:aws:securityhub:REGION:ACCOUNT:RESOURCE: the hub (hub/default), a standards
// subscription (subscription/NAME/v/VERSION), a standard's control
// (control/NAME/v/VERSION/CONTROL_ID), a finding's Id
// (security-control/CONTROL_ID/finding/UUID), and, with an empty account, a standard
// (standards/NAME/v/VERSION) and the product (product/aws/securityhub); with an empty region and
// account, CIS v1.2.0's ruleset (ruleset/cis-aws-foundations-benchmark/v/1.2.0) (Service
// Authorization Reference, "Actions, resources, and condition keys for AWS Security Hub",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html;
// Security Hub API Reference, DescribeStandards).
func SecurityHub(region, account, resource string) string {
	return "arn:aws:securityhub:" + region + ":" + account + ":" + resource
}

// Config is arn:aws:config:REGION:ACCOUNT:RESOURCE (Service Authorization Reference, "Actions,
// resources, and condition keys for AWS Config",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html: a rule
// config-rule/RULE_ID, an organization rule organization-config-rule/NAME-SUFFIX, an aggregator
// config-aggregator/AGGREGATOR_ID).
func Config(region, account, resource string) string {
	return "arn:aws:config:" + region + ":" + account + ":" + resource
}

// SAMLProvider is the ARN of an IAM SAML provider: arn:aws:iam::ACCOUNT:saml-provider/NAME.
func SAMLProvider(account, name string) string { return IAM(account, "saml-provider/"+name) }

// OIDCProvider is the ARN of an IAM OpenID Connect provider whose URL, without its scheme, is
// hostPath: arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH.
func OIDCProvider(account, hostPath string) string { return IAM(account, "oidc-provider/"+hostPath) }

// FederatedUser is the ARN of a GetFederationToken session: arn:aws:sts::ACCOUNT:federated-user/NAME.
func FederatedUser(account, name string) string {
	return "arn:aws:sts::" + account + ":federated-user/" + name
}

// SSO is the ARN of an IAM Identity Center resource: arn:aws:sso:::RESOURCE for an instance
// ("instance/ssoins-…") and arn:aws:sso:::permissionSet/ssoins-…/ps-… (the Service Authorization
// Reference's resource types for IAM Identity Center, which leave region and, for these two,
// account empty), arn:aws:sso:::account/ACCOUNT for an assignment's target account.
func SSO(resource string) string { return "arn:aws:sso:::" + resource }

// IdentityStore is the ARN of an identity store resource: arn:aws:identitystore::ACCOUNT:RESOURCE
// ("identitystore/d-…"), or arn:aws:identitystore:::RESOURCE for users, groups and memberships
// ("user/ID", "group/ID", "membership/ID"), whose ARNs name no account (Service Authorization
// Reference, "Actions, resources, and condition keys for AWS Identity Store").
func IdentityStore(account, resource string) string {
	return "arn:aws:identitystore::" + account + ":" + resource
}

// MPA is arn:aws:mpa:REGION:ACCOUNT:RESOURCE, a Multi-party approval resource (Service
// Authorization Reference, "Actions, resources, and condition keys for AWS Multi-party approval",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsmulti-partyapproval.html):
// approval-team/TEAM-ID, identity-source/ID, session/TEAM-ID/SESSION-ID.
func MPA(region, account, resource string) string {
	return "arn:aws:mpa:" + region + ":" + account + ":" + resource
}

// MPAPolicyPrefix begins the ARN of every Multi-party approval policy Rootward publishes, one per
// protected operation: arn:aws:mpa::aws:policy/rootward/OPERATION (docs/ARCHITECTURE.md names
// them; internal/mpa lists them).
const MPAPolicyPrefix = "arn:aws:mpa::aws:policy/rootward/"
