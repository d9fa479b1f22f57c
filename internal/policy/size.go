package policy

import (
	"unicode"

	"github.com/rootward/rootward/internal/awserr"
)

// Size limits in characters, white space not counted (IAM User Guide, "IAM and AWS STS quotas":
// user inline policies 2,048 in total per user, group 5,120, role 10,240, managed policy 6,144, role
// trust policy 2,048; Organizations quotas: SCP 5,120).
const (
	LimitInlineUser  = 2048
	LimitInlineGroup = 5120
	LimitInlineRole  = 10240
	LimitManaged     = 6144
	LimitSCP         = 5120
	LimitTrust       = 2048
)

// Size returns the number of characters of doc that count against the limits: every character
// except white space ("IAM doesn't count white space when calculating the size of a policy").
func Size(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// CheckSize returns an error when doc has more than limit non-white-space characters.
//
// IAM answers an oversized policy with LimitExceeded (HTTP 409), not MalformedPolicyDocument:
// CreatePolicy/CreatePolicyVersion say "Cannot exceed quota for PolicySize: 6144" (reported verbatim
// by Terraform users, e.g. terraform-aws-modules/terraform-aws-ecs #108), and so this is the message
// CheckSize uses with the limit it was given. Inline policies, which count the total of an entity's
// inline policies, use InlineSizeError; trust policies use CheckTrustSize.
func CheckSize(doc string, limit int) error {
	if Size(doc) > limit {
		return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for PolicySize: %d", limit)
	}
	return nil
}

// InlineSizeError is IAM's answer to PutUserPolicy/PutGroupPolicy/PutRolePolicy when the entity's
// inline policies together exceed limit, e.g. "Maximum policy size of 2048 bytes exceeded for user
// alice" (wording reported by AWS CLI users, e.g. aws-amplify/amplify-backend #2615). entity is
// "user", "group" or "role".
func InlineSizeError(entity, name string, limit int) error {
	return awserr.New(awserr.LimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", limit, entity, name)
}

// CheckTrustSize checks a role trust policy against LimitTrust. IAM names this quota
// ACLSizePerRole ("Cannot exceed quota for ACLSizePerRole: 2048").
func CheckTrustSize(doc string) error {
	if Size(doc) > LimitTrust {
		return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", LimitTrust)
	}
	return nil
}
