// Package arn parses and formats Amazon Resource Names.
//
// The format is arn:partition:service:region:account-id:resource, where the resource part may itself
// contain ':' and '/' (IAM User Guide, "IAM identifiers" and the AWS General Reference, "Amazon
// Resource Names"). Only the first five colons separate components; everything after the fifth is
// the resource. Region and account may be empty (IAM and S3 ARNs have no region; S3 has no account).
// Matching ARN patterns with wildcards is the policy engine's job (internal/policy), not this package's.
package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov", ...
	Service   string // "iam", "sts", "s3", ...
	Region    string // "" for global services
	Account   string // 12-digit account ID, "aws" for AWS managed policies, or ""
	Resource  string // "user/alice", "role/path/name", "assumed-role/r/s", "root", ...
}

// ErrInvalid is returned (wrapped) for a string that is not an ARN.
var ErrInvalid = errors.New("invalid ARN")

// Sections is the number of colon-separated components of an ARN, counting the "arn" prefix.
const Sections = 6

// Parse splits s into its components. It requires the "arn:" prefix, six components, and a
// non-empty partition, service and resource, which is what every AWS ARN has.
func Parse(s string) (ARN, error) {
	var parts [Sections]string
	if !Split(s, &parts) || parts[0] != "arn" {
		return ARN{}, errInvalid(s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, errInvalid(s)
	}
	return a, nil
}

func errInvalid(s string) error {
	// The input is echoed because ARNs are identifiers, never secrets.
	return &parseError{s: s}
}

type parseError struct{ s string }

func (e *parseError) Error() string { return "invalid ARN: " + quoteShort(e.s) }
func (e *parseError) Unwrap() error { return ErrInvalid }

func quoteShort(s string) string {
	const max = 256
	if len(s) > max {
		s = s[:max] + "..."
	}
	return `"` + s + `"`
}

// Split cuts s at its first five colons into parts without allocating. It reports false when s has
// fewer than five colons. The prefix "arn" is not checked.
func Split(s string, parts *[Sections]string) bool {
	for i := 0; i < Sections-1; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i] = s[:j]
		s = s[j+1:]
	}
	parts[Sections-1] = s
	return true
}

// String formats the ARN; String(Parse(s)) == s for every valid s.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}
