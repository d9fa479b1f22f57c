package iam

import "testing"

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
