package sts

import (
	"regexp"
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
)

// Centralized root access: sts:AssumeRoot opens a privileged root session on a member account,
// limited by one of AWS's task policies (STS API Reference, AssumeRoot,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html; IAM User Guide,
// "Centrally manage root access for member accounts" and "Perform a privileged task on an AWS
// Organizations member account").

// MaxRootSession is AssumeRoot's longest (and default) session: "The value can range from 0
// seconds up to the maximum session duration of 900 seconds (15 minutes)" (STS API reference).
const MaxRootSession = 900

var targetPrincipalPattern = regexp.MustCompile(`^(\d{12}|arn:aws:iam::(\d{12}):root)$`)

// TargetMember is the member account AssumeRoot's TargetPrincipal names: an account ID or its root
// user's ARN (length 12–2048). Returns ValidationError.
func TargetMember(target string) (string, error) {
	if len(target) < 12 || len(target) > 2048 {
		return "", invalid("TargetPrincipal", target, "Member must have length between 12 and 2048")
	}
	m := targetPrincipalPattern.FindStringSubmatch(target)
	if m == nil {
		return "", awserr.New(awserr.ValidationError, "TargetPrincipal must be a member account ID or its root user ARN (arn:aws:iam::ACCOUNT:root).")
	}
	if m[2] != "" {
		return m[2], nil
	}
	return m[1], nil
}

// CheckTaskPolicy checks that arn is one of AWS's root-task policies, exactly (a customer policy
// at the same path is none). Returns ValidationError.
func CheckTaskPolicy(arn string) error {
	if !orgs.IsTaskPolicy(arn) {
		return awserr.New(awserr.ValidationError, "TaskPolicyArn must be one of the root-task policies under %s.", orgs.TaskPolicyPrefix)
	}
	return nil
}

// CheckRootCaller refuses root credentials: "You cannot use root user credentials to make this
// call" (STS API reference, AssumeRoot) — nor a root session's. Returns AccessDenied.
func CheckRootCaller(caller *authz.Identity) error {
	if caller.Type == iam.PrincipalRoot {
		return awserr.New(awserr.AccessDenied, "Root user credentials cannot call sts:AssumeRoot.")
	}
	return nil
}

// RootSession starts the privileged root session caller opens on member's root user with the task
// policy task, from now for seconds. The session is the member's root limited by the task policy
// (internal/authz compiles it as deny-only); it remembers the caller as its issuer for CloudTrail,
// and carries on the caller's source identity.
func RootSession(caller *authz.Identity, member string, task *iam.ManagedPolicy, now time.Time, seconds int) *iam.Session {
	sess := &iam.Session{
		Account: member, Type: iam.PrincipalRoot, AssumedRoot: true, IssuedAt: now.UTC().Truncate(time.Second),
		TaskPolicies: []iam.PolicyDoc{{Label: task.Arn, Document: task.DefaultDocument()}},
		SourceARN:    caller.ARN, SourceAccount: caller.Account, SourceID: caller.UserID, SourceType: caller.Type,
	}
	if caller.Session != nil {
		sess.SourceIdentity = caller.Session.SourceIdentity
	}
	sess.Expiration = sess.IssuedAt.Add(time.Duration(seconds) * time.Second)
	return sess
}
