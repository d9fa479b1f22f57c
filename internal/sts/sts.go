// Package sts holds the AWS Security Token Service's rules that are not wire: who may get which
// credentials, for how long, carrying what — session names, external IDs and source identities,
// duration limits, session tags and their transitive keys, the trust-policy decision of
// AssumeRole, what GetSessionToken's credentials may do, and AssumeRoot's task-policy sessions. It
// reads no request and no store: internal/api/stsapi decodes the operations, looks up roles and
// policies, and asks these rules.
//
// Constraints come from the STS API Reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html); the validation messages are
// AWS's model-validation form ("1 validation error detected: Value '…' at '…' failed to satisfy
// constraint: …").
package sts

import (
	"regexp"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// Patterns of the STS API Reference, AssumeRole: RoleSessionName and SourceIdentity are
// [\w+=,.@-]*, ExternalId is [\w+=,.@:\/-]*.
var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

// invalid is the ValidationError for a member that breaks a constraint of the STS model.
func invalid(member, value, constraint string) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
		value, strings.ToLower(member[:1])+member[1:], constraint)
}

// CheckRoleARN checks AssumeRole's RoleArn length (20–2048). Returns ValidationError.
func CheckRoleARN(roleARN string) error {
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return invalid("RoleArn", roleARN, "Member must have length between 20 and 2048")
	}
	return nil
}

// CheckSessionName checks a RoleSessionName: 2–64 characters of [\w+=,.@-]. Returns
// ValidationError.
func CheckSessionName(name string) error {
	if len(name) < 2 || len(name) > 64 {
		return invalid("RoleSessionName", name, "Member must have length between 2 and 64")
	}
	if !sessionNamePattern.MatchString(name) {
		return invalid("RoleSessionName", name, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	return nil
}

// CheckSourceIdentity checks a SourceIdentity that the request carries (empty included): 2–64
// characters of [\w+=,.@-]. Returns ValidationError.
func CheckSourceIdentity(id string) error {
	if len(id) < 2 || len(id) > 64 || !sessionNamePattern.MatchString(id) {
		return invalid("SourceIdentity", id, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	return nil
}

// CheckExternalID checks an ExternalId that the request carries (empty included): 2–1224
// characters of [\w+=,.@:/-]. Returns ValidationError.
func CheckExternalID(id string) error {
	if len(id) < 2 || len(id) > 1224 {
		return invalid("ExternalId", id, "Member must have length between 2 and 1224")
	}
	if !externalIDPattern.MatchString(id) {
		return invalid("ExternalId", id, `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
	}
	return nil
}
