package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/policy"
)

// The AWS managed policies are one catalogue that every request reads: a policy looked up is the
// caller's own copy, whose versions it may mark (IsDefaultVersion) without writing to the
// catalogue, which concurrent requests read (a data race before, caught by go test -race).
func TestAWSManagedPolicyIsACopy(t *testing.T) {
	p, ok := awsManagedByARN(adminARN)
	if !ok || len(p.Versions) == 0 {
		t.Fatalf("awsManagedByARN(%s) = %+v, %t", adminARN, p, ok)
	}
	want := p.Versions[0]
	p.Versions[0].IsDefaultVersion = !want.IsDefaultVersion
	p.Versions[0].Document = "changed"
	q, _ := awsManagedByARN(adminARN)
	if got := q.Versions[0]; got != want {
		t.Fatalf("catalogue's version after a caller changed its copy = %+v, want %+v", got, want)
	}
}

// Every AWS managed policy AWS publishes is in the catalogue, by ARN, with its metadata, and every
// document is one the policy engine reads: a policy attached to a principal is compiled on every
// request the principal makes, so one the engine refused would deny the principal everything.
func TestAWSManagedCatalogue(t *testing.T) {
	c := awsManaged()
	if len(c.list) != 1452 || len(c.byARN) != 1452 {
		t.Fatalf("catalogue holds %d policies (%d ARNs), want 1452", len(c.list), len(c.byARN))
	}
	for _, tc := range []struct {
		arn, id, version, path string
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", "/"},
		{"arn:aws:iam::aws:policy/SecurityAudit", "ANPAIX2T3QCXHR2OGGCTO", "v85", "/"},
		{"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials", "ANPAZKAPJZG4BDSCREYVS", "v1", "/root-task/"},
		{"arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy", "ANPAIQH6ROMVVECFVRJPK", "v3", "/aws-service-role/"},
	} {
		t.Run(tc.arn, func(t *testing.T) {
			p, ok := AWSManaged(tc.arn)
			if !ok {
				t.Fatalf("AWSManaged(%s) not found", tc.arn)
			}
			if p.PolicyID != tc.id || p.DefaultVersionID != tc.version || p.Path != tc.path || p.DefaultDocument() == "" {
				t.Errorf("got id %s version %s path %s doc %d bytes; want %s %s %s and a document",
					p.PolicyID, p.DefaultVersionID, p.Path, len(p.DefaultDocument()), tc.id, tc.version, tc.path)
			}
		})
	}
	for _, p := range c.list {
		if _, err := policy.Parse(p.DefaultDocument(), policy.KindIdentity); err != nil {
			t.Errorf("%s: the policy engine refuses AWS's document: %v", p.Arn, err)
		}
	}
	if _, ok := AWSManaged("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("an unknown AWS managed ARN was found")
	}
}

// BenchmarkAWSManagedLoad measures what the first use of the catalogue costs: decompressing and
// decoding the embedded file (go test ./internal/iam -run '^$' -bench AWSManagedLoad -benchmem).
func BenchmarkAWSManagedLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeAWSManaged(awsManagedData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAWSManagedLookup is the cost of resolving an AWS managed policy by ARN (a map lookup
// and a copy), which attach, GetPolicy and every compiled policy set pay.
func BenchmarkAWSManagedLookup(b *testing.B) {
	awsManaged()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := awsManagedByARN("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"); !ok {
			b.Fatal("not found")
		}
	}
}
