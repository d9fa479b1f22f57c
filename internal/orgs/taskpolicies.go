package orgs

import (
	"slices"
)

// The five AWS managed root-task policies that scope a privileged root session (sts:AssumeRoot
// TaskPolicyArn), under arn:aws:iam::aws:policy/root-task/ (IAM User Guide, "Perform a privileged
// task on an AWS Organizations member account",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html). They hold
// only Deny statements: one denies every action but the task's (NotAction … Resource *), the others
// confine the task's actions to the root user. A session may therefore do what the member's root
// may do, minus these denies, within the member account's SCPs. Their documents are AWS's, among
// IAM's AWS managed policies (internal/iam/managed_aws.go).

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

// taskPolicies are the task policies' names, in the order of the SDK's documentation.
var taskPolicies = []string{TaskAuditRootUserCredentials, TaskCreateRootUserPassword, TaskDeleteRootUserCredentials,
	TaskS3UnlockBucketPolicy, TaskSQSUnlockQueuePolicy}

// TaskPolicyARNs are the ARNs AssumeRoot accepts as TaskPolicyArn, in the order of the SDK's
// documentation.
var TaskPolicyARNs = func() []string {
	out := make([]string, len(taskPolicies))
	for i, p := range taskPolicies {
		out[i] = TaskPolicyPrefix + p
	}
	return out
}()

// IsTaskPolicy reports whether arn is one of the five root-task policies.
func IsTaskPolicy(arn string) bool { return slices.Contains(TaskPolicyARNs, arn) }
