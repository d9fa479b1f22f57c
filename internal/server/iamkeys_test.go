package server

import (
	"testing"

	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/policy"
)

// awsServiceNameKeys waits for CreateServiceLinkedRole: it sets iam:AWSServiceName from the
// AWSServiceName parameter, and nothing when the request has none.
func TestAWSServiceNameKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params awsproto.Params
		want   []string
	}{
		{"service named", awsproto.Params{"AWSServiceName": "elasticbeanstalk.amazonaws.com"}, []string{"elasticbeanstalk.amazonaws.com"}},
		{"no service", awsproto.Params{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := awsServiceNameKeys(&call{params: tc.params})
			if err != nil {
				t.Fatal(err)
			}
			var ctx policy.Context
			keys(&ctx)
			got, ok := ctx.Get("iam:AWSServiceName")
			if ok != (tc.want != nil) || len(got) != len(tc.want) || (ok && got[0] != tc.want[0]) {
				t.Fatalf("iam:AWSServiceName = %v (set %v), want %v", got, ok, tc.want)
			}
		})
	}
}
