package iamapi

import (
	"testing"

	"github.com/rootward/rootward/internal/policy"
)

// awsServiceNameKeys waits for CreateServiceLinkedRole: it sets iam:AWSServiceName from the
// AWSServiceName member, and nothing when the request has none.
func TestAWSServiceNameKeys(t *testing.T) {
	for _, tc := range []struct {
		name    string
		service string
		want    []string
	}{
		{"service named", "elasticbeanstalk.amazonaws.com", []string{"elasticbeanstalk.amazonaws.com"}},
		{"no service", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ctx policy.Context
			awsServiceNameKeys(tc.service)(&ctx)
			got, ok := ctx.Get("iam:AWSServiceName")
			if ok != (tc.want != nil) || len(got) != len(tc.want) || (ok && got[0] != tc.want[0]) {
				t.Fatalf("iam:AWSServiceName = %v (set %v), want %v", got, ok, tc.want)
			}
		})
	}
}
