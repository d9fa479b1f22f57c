package simulate

import (
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
)

// Exclusion is one PolicyExclusionList member (PolicyIdentifier): a policy type, a managed policy
// ARN pattern, or an inline policy of a user, group or role ("Syntactically valid identifiers that
// don't match any attached policy are ignored"). Exactly one of its members must be set.
type Exclusion struct {
	PolicyType string        // "" when absent
	PolicyARN  string        // "" when absent
	Inline     *InlinePolicy // nil when absent
}

// InlinePolicy is an InlinePolicyIdentifier: an inline policy by name and the entity it is
// attached to.
type InlinePolicy struct {
	PolicyName, AttachmentType, AttachmentName string
}

// exclusionTypes are the PolicyIdentifierPolicyType values (aws-sdk-go-v2 service/iam
// types.PolicyIdentifierPolicyType). [U] "Unassigned" and "Any" are listed without a description;
// they are accepted and, like SCP and RCP identifiers (Rootward simulates no attached SCPs or RCPs),
// match no policy, which keeps the policy in the simulation rather than guessing it away.
var exclusionTypes = map[string]bool{
	"inline": true, "aws-managed": true, "user-managed": true, "permission-boundary": true,
	"scp": true, "rcp": true, "Unassigned": true, "Any": true,
}

// CheckExclusions validates a PolicyExclusionList, in order. Wildcards are allowed in the resource
// part of PolicyArn and in AttachmentName: "use at most one * (matches any sequence of characters,
// including none), and any number of ? (each matches exactly one character)"; "Syntactically
// invalid identifiers, such as malformed ARNs or wildcards in disallowed positions, cause the
// request to fail with an InvalidInput error."
func CheckExclusions(excl []Exclusion) error {
	for i, e := range excl {
		member := "PolicyExclusionList.member." + strconv.Itoa(i+1) + "."
		set := 0
		if e.PolicyType != "" {
			set++
			if !exclusionTypes[e.PolicyType] {
				return &InvalidParam{member + "PolicyType", e.PolicyType,
					"Member must satisfy enum value set: [inline, aws-managed, user-managed, permission-boundary, scp, rcp, Unassigned, Any]"}
			}
		}
		if e.PolicyARN != "" {
			set++
			if !validPolicyARNPattern(e.PolicyARN) {
				return awserr.New(awserr.InvalidInput, "ARN %s is not valid.", e.PolicyARN)
			}
		}
		if ip := e.Inline; ip != nil {
			set++
			switch ip.AttachmentType {
			case "user", "group", "role":
			default:
				return &InvalidParam{member + "InlinePolicyIdentifier.AttachmentType", ip.AttachmentType,
					"Member must satisfy enum value set: [user, group, role]"}
			}
			if ip.PolicyName == "" || ip.AttachmentName == "" || strings.Count(ip.AttachmentName, "*") > 1 || strings.ContainsAny(ip.PolicyName, "*?") {
				return awserr.New(awserr.InvalidInput, "Inline policy identifier %d is not valid.", i+1)
			}
		}
		if set != 1 {
			return awserr.New(awserr.InvalidInput, "Policy identifier %d must specify exactly one of PolicyType, PolicyArn or InlinePolicyIdentifier.", i+1)
		}
	}
	return nil
}

// validPolicyARNPattern accepts arn:aws:iam::ACCOUNT|aws:policy/[path/]name with wildcards only
// after "policy/", at most one of them '*'.
func validPolicyARNPattern(p string) bool {
	a, err := arn.Parse(p)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || (a.Account != "aws" && !accountID(a.Account)) {
		return false
	}
	rest, ok := strings.CutPrefix(a.Resource, "policy/")
	return ok && rest != "" && strings.Count(rest, "*") <= 1
}

func excludedType(excl []Exclusion, t string) bool {
	for _, e := range excl {
		if e.PolicyType == t {
			return true
		}
	}
	return false
}

func excluded(excl []Exclusion, at Attached) bool {
	for _, e := range excl {
		switch {
		case e.PolicyType == "inline":
			if at.ARN == "" {
				return true
			}
		case e.PolicyType == "aws-managed":
			if arn.IsAWSManaged(at.ARN) {
				return true
			}
		case e.PolicyType == "user-managed":
			if at.ARN != "" && !arn.IsAWSManaged(at.ARN) {
				return true
			}
		case e.PolicyARN != "":
			// ARNs are case-sensitive.
			if at.ARN != "" && wildcardMatch(e.PolicyARN, at.ARN) {
				return true
			}
		case e.Inline != nil:
			// IAM entity names are unique case-insensitively, so they match that way; policy
			// names are exact.
			if at.ARN == "" && at.EntityType == e.Inline.AttachmentType && at.Name == e.Inline.PolicyName &&
				wildcardMatch(strings.ToLower(e.Inline.AttachmentName), strings.ToLower(at.Entity)) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches s against a pattern with at most one '*' (any run of characters) and any
// number of '?' (one character). IAM names and ARNs are ASCII, so bytes are characters.
func wildcardMatch(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return len(pattern) == len(s) && matchQ(pattern, s)
	}
	pre, suf := pattern[:star], pattern[star+1:]
	return len(s) >= len(pre)+len(suf) && matchQ(pre, s[:len(pre)]) && matchQ(suf, s[len(s)-len(suf):])
}

func matchQ(pattern, s string) bool {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '?' && pattern[i] != s[i] {
			return false
		}
	}
	return true
}
