package stsapi

import (
	"testing"

	"github.com/rootward/rootward/internal/testutil/querytest"
)

// TestCallerIdentityXMLMatchesEncoder: GetCallerIdentity's result writes what encoding/xml
// marshals for it, also for text that needs escaping.
func TestCallerIdentityXMLMatchesEncoder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		out  CallerIdentityOutput
	}{
		{"user", CallerIdentityOutput{Arn: "arn:aws:iam::123456789012:user/alice", UserID: "AIDAEXAMPLE", Account: "123456789012"}},
		{"assumed role", CallerIdentityOutput{Arn: "arn:aws:sts::123456789012:assumed-role/r/s@x=,.-", UserID: "AROAEXAMPLE:s@x=,.-", Account: "123456789012"}},
		{"empty", CallerIdentityOutput{}},
		{"escaped", CallerIdentityOutput{Arn: `a&b<c>"d'` + "\t\n\r\x01\xff", UserID: "ü", Account: "&"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			querytest.WantResultXML(t, "GetCallerIdentity", &tc.out)
		})
	}
}
