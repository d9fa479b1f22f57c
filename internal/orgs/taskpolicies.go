package orgs

import (
	"slices"

	"github.com/rootward/rootward/internal/iam"
)

// The five AWS managed root-task policies that scope a privileged root session (sts:AssumeRoot
// TaskPolicyArn), under arn:aws:iam::aws:policy/root-task/. They hold only Deny statements
// (IAM User Guide, "Perform a privileged task on an AWS Organizations member account",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html): one denies every action but the task's (NotAction … Resource *), the others
// confine the task's actions to the root user. A session may therefore do what the member's root
// may do, minus these denies, within the member account's SCPs.
//
// The documents follow the published policies (IAM User Guide, "AWS managed policies for AWS
// Identity and Access Management", root-task section). Two details are Rootward's decisions where
// the published text could not be checked: in IAMDeleteRootUserCredentials,
// iam:DeleteVirtualMFADevice is confined to MFA device ARNs (its resource is the device, not the
// root); in SQSUnlockQueuePolicy, sqs:GetQueueAttributes is confined to queues of the member
// account through ${aws:PrincipalAccount}. The policy IDs are Rootward's own.

// TaskPolicyPrefix is the ARN prefix of the root-task policies.
const TaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

// Task policy names.
const (
	TaskAuditRootUserCredentials  = "IAMAuditRootUserCredentials"
	TaskCreateRootUserPassword    = "IAMCreateRootUserPassword"
	TaskDeleteRootUserCredentials = "IAMDeleteRootUserCredentials"
	TaskS3UnlockBucketPolicy      = "S3UnlockBucketPolicy"
	TaskSQSUnlockQueuePolicy      = "SQSUnlockQueuePolicy"
)

var taskPolicies = []iam.ManagedPolicy{
	iam.AWSManagedPolicy(TaskAuditRootUserCredentials, "/root-task/", "ANPAZKAPJZG4AUDITROOT", "v1", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsTheRootUserCanPerform",
      "Effect": "Deny",
      "NotAction": ["iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile", "iam:ListMFADevices",
        "iam:GetAccountSummary", "iam:GetUser", "iam:GetAccessKeyLastUsed"],
      "Resource": "*"
    },
    {
      "Sid": "DenyAuditingCredentialsForResourcesOtherThanTheRootUser",
      "Effect": "Deny",
      "Action": ["iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile", "iam:ListMFADevices",
        "iam:GetUser", "iam:GetAccessKeyLastUsed"],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}`),
	iam.AWSManagedPolicy(TaskCreateRootUserPassword, "/root-task/", "ANPAZKAPJZG4CREATEPWD", "v1", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsTheRootUserCanPerform",
      "Effect": "Deny",
      "NotAction": ["iam:CreateLoginProfile", "iam:GetLoginProfile"],
      "Resource": "*"
    },
    {
      "Sid": "DenyCreatingPasswordForResourcesOtherThanTheRootUser",
      "Effect": "Deny",
      "Action": ["iam:CreateLoginProfile", "iam:GetLoginProfile"],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}`),
	iam.AWSManagedPolicy(TaskDeleteRootUserCredentials, "/root-task/", "ANPAZKAPJZG4DELETECRD", "v1", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsTheRootUserCanPerform",
      "Effect": "Deny",
      "NotAction": ["iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile", "iam:DeactivateMFADevice",
        "iam:DeleteVirtualMFADevice", "iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile",
        "iam:ListMFADevices", "iam:GetUser", "iam:GetAccessKeyLastUsed"],
      "Resource": "*"
    },
    {
      "Sid": "DenyDeletingCredentialsForResourcesOtherThanTheRootUser",
      "Effect": "Deny",
      "Action": ["iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile", "iam:DeactivateMFADevice",
        "iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:GetUser",
        "iam:GetAccessKeyLastUsed"],
      "NotResource": "arn:aws:iam::*:root"
    },
    {
      "Sid": "DenyDeletingVirtualMFADevicesOtherThanMFADevices",
      "Effect": "Deny",
      "Action": "iam:DeleteVirtualMFADevice",
      "NotResource": "arn:aws:iam::*:mfa/*"
    }
  ]
}`),
	iam.AWSManagedPolicy(TaskS3UnlockBucketPolicy, "/root-task/", "ANPAZKAPJZG4S3UNLOCKB", "v1", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsTheRootUserCanPerform",
      "Effect": "Deny",
      "NotAction": ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:ListAllMyBuckets"],
      "Resource": "*"
    },
    {
      "Sid": "DenyManagingBucketPoliciesForPrincipalsOtherThanTheRootUser",
      "Effect": "Deny",
      "Action": ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:ListAllMyBuckets"],
      "Resource": "*",
      "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
    }
  ]
}`),
	iam.AWSManagedPolicy(TaskSQSUnlockQueuePolicy, "/root-task/", "ANPAZKAPJZG4SQSUNLOCK", "v1", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsTheRootUserCanPerform",
      "Effect": "Deny",
      "NotAction": ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:ListQueues", "sqs:GetQueueUrl"],
      "Resource": "*"
    },
    {
      "Sid": "DenyManagingQueuePoliciesForPrincipalsOtherThanTheRootUser",
      "Effect": "Deny",
      "Action": ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:ListQueues", "sqs:GetQueueUrl"],
      "Resource": "*",
      "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
    },
    {
      "Sid": "DenyGettingQueueAttributesOfOtherAccounts",
      "Effect": "Deny",
      "Action": "sqs:GetQueueAttributes",
      "NotResource": "arn:aws:sqs:*:${aws:PrincipalAccount}:*"
    }
  ]
}`),
}

// TaskPolicyARNs are the ARNs AssumeRoot accepts as TaskPolicyArn, in the order of the SDK's
// documentation.
var TaskPolicyARNs = func() []string {
	out := make([]string, len(taskPolicies))
	for i, p := range taskPolicies {
		out[i] = p.Arn
	}
	return out
}()

// IsTaskPolicy reports whether arn is one of the five root-task policies.
func IsTaskPolicy(arn string) bool { return slices.Contains(TaskPolicyARNs, arn) }

// Registered with IAM's AWS managed policies when the package is linked, so that GetPolicy and
// ListPolicies show them and AssumeRoot resolves them like any other AWS managed policy.
func init() { iam.AddAWSManaged(taskPolicies...) }
