package mpa

import (
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
)

// The protected operations: each is a Multi-party approval policy Rootward publishes,
// arn:aws:mpa::aws:policy/rootward/OPERATION (issue 16's "Decided" list).
const (
	RootSignIn                                    = "RootSignIn"
	CreateRootAccessKey                           = "CreateRootAccessKey"
	UploadRootSigningCertificate                  = "UploadRootSigningCertificate"
	AssumeRoot                                    = "AssumeRoot"
	DeleteRootCredentials                         = "DeleteRootCredentials"
	DisableOrganizationsRootCredentialsManagement = "DisableOrganizationsRootCredentialsManagement"
	DisableOrganizationsRootSessions              = "DisableOrganizationsRootSessions"
	LeaveOrganization                             = "LeaveOrganization"
	DisableRootActivityAlert                      = "DisableRootActivityAlert"
)

// Policies are the protected operations, in the order ListPolicies answers them.
var Policies = []string{
	RootSignIn, CreateRootAccessKey, UploadRootSigningCertificate, AssumeRoot, DeleteRootCredentials,
	DisableOrganizationsRootCredentialsManagement, DisableOrganizationsRootSessions, LeaveOrganization,
	DisableRootActivityAlert,
}

// PolicyVersion is the one version of every policy.
const PolicyVersion = 1

// policiesPublished is when Rootward's policies were first published: their versions' creation
// time (a fixed date, so that every installation answers the same).
var policiesPublished = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// Policy is one published policy's version.
type Policy struct {
	Name       string
	ARN        string
	VersionARN string
	Version    int
	Created    time.Time
	Document   string
}

// PolicyARN is the ARN of the policy of operation name.
func PolicyARN(name string) string { return arn.MPAPolicyPrefix + name }

// PolicyOf returns the policy of ARN policyARN (a version ARN when version is true: the policy ARN
// followed by "/1").
func PolicyOf(a string, version bool) (Policy, bool) {
	name, ok := strings.CutPrefix(a, arn.MPAPolicyPrefix)
	if !ok {
		return Policy{}, false
	}
	if version {
		var v string
		if name, v, ok = strings.Cut(name, "/"); !ok || v != "1" {
			return Policy{}, false
		}
	}
	for _, p := range Policies {
		if p == name {
			return policy(p), true
		}
	}
	return Policy{}, false
}

// AllPolicies lists the published policies.
func AllPolicies() []Policy {
	out := make([]Policy, len(Policies))
	for i, p := range Policies {
		out[i] = policy(p)
	}
	return out
}

func policy(name string) Policy {
	a := PolicyARN(name)
	return Policy{Name: name, ARN: a, VersionARN: a + "/1", Version: PolicyVersion, Created: policiesPublished,
		Document: policyDocument(name)}
}

// policyDocument is the policy's document: AWS's managed Multi-party approval policies allow the
// service to start and cancel sessions for the operations they name; Rootward's say the same of
// its protected operation. The condition key is Rootward's own (AWS publishes none for it).
func policyDocument(name string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + name + `","Effect":"Allow",` +
		`"Principal":{"Service":"mpa.amazonaws.com"},"Action":["mpa:StartSession","mpa:CancelSession"],` +
		`"Resource":"*","Condition":{"StringEquals":{"rootward:ProtectedOperation":"` + name + `"}}}]}`
}
