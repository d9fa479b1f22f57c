package policy

import (
	"slices"
	"testing"
)

func TestContextKeys(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"conditions and variables in order, once each, as first written",
			`{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{
					"StringLike":{"s3:prefix":["home/${aws:username}/*","${*}"]},
					"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
				{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/${aws:UserName}/*",
					"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
				{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:userid}/${$}",
					"Condition":{"NotIpAddress":{"AWS:SOURCEIP":"198.51.100.0/24"}}}]}`,
			[]string{"s3:prefix", "aws:username", "aws:SourceIp", "aws:PrincipalTag/team", "aws:MultiFactorAuthPresent", "aws:userid"}},
		{"variables are text under 2008-10-17",
			`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
				"Condition":{"StringEquals":{"aws:RequestedRegion":"${aws:username}"}}}]}`,
			[]string{"aws:RequestedRegion"}},
		{"none", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustParse(t, tc.doc, KindIdentity).ContextKeys(); !slices.Equal(got, tc.want) {
				t.Fatalf("ContextKeys() = %q, want %q", got, tc.want)
			}
		})
	}
}
