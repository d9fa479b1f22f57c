package cloudtrail

import (
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestNamingRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		check func(string) error
		in    string
		code  awserr.Code
	}{
		{"trail: shortest", CheckTrailName, "abc", ""},
		{"trail: longest", CheckTrailName, strings.Repeat("x", 128), ""},
		{"trail: mixed", CheckTrailName, "Org_Trail.2-a", ""},
		{"trail: two characters", CheckTrailName, "ab", awserr.CTInvalidTrailName},
		{"trail: 129 characters", CheckTrailName, strings.Repeat("x", 129), awserr.CTInvalidTrailName},
		{"trail: leading underscore", CheckTrailName, "_abc", awserr.CTInvalidTrailName},
		{"trail: trailing hyphen", CheckTrailName, "abc-", awserr.CTInvalidTrailName},
		{"trail: adjacent underscores", CheckTrailName, "a__b", awserr.CTInvalidTrailName},
		{"trail: period then hyphen", CheckTrailName, "a.-b", awserr.CTInvalidTrailName},
		{"trail: slash", CheckTrailName, "a/b/c", awserr.CTInvalidTrailName},
		{"trail: non-ASCII", CheckTrailName, "trälla", awserr.CTInvalidTrailName},
		{"trail: IPv4 address", CheckTrailName, "10.1.2.3", awserr.CTInvalidTrailName},
		{"bucket: plain", CheckBucketName, "audit-logs.example", ""},
		{"bucket: empty", CheckBucketName, "", awserr.CTInvalidS3BucketName},
		{"bucket: 64 characters", CheckBucketName, strings.Repeat("b", 64), awserr.CTInvalidS3BucketName},
		{"bucket: upper case", CheckBucketName, "Audit", awserr.CTInvalidS3BucketName},
		{"bucket: slash", CheckBucketName, "a/b", awserr.CTInvalidS3BucketName},
		{"bucket: dot-dot", CheckBucketName, "a..b", awserr.CTInvalidS3BucketName},
		{"bucket: leading period", CheckBucketName, ".abc", awserr.CTInvalidS3BucketName},
		{"bucket: reserved suffix", CheckBucketName, "logs-s3alias", awserr.CTInvalidS3BucketName},
		{"prefix: none", CheckKeyPrefix, "", ""},
		{"prefix: nested", CheckKeyPrefix, "a/b/c/", ""},
		{"prefix: parent", CheckKeyPrefix, "a/../b", awserr.CTInvalidS3Prefix},
		{"prefix: current", CheckKeyPrefix, "./a", awserr.CTInvalidS3Prefix},
		{"prefix: absolute", CheckKeyPrefix, "/a", awserr.CTInvalidS3Prefix},
		{"prefix: empty segment", CheckKeyPrefix, "a//b", awserr.CTInvalidS3Prefix},
		{"prefix: backslash", CheckKeyPrefix, `a\..\b`, awserr.CTInvalidS3Prefix},
		{"prefix: newline", CheckKeyPrefix, "a\nb", awserr.CTInvalidS3Prefix},
		{"prefix: 201 characters", CheckKeyPrefix, strings.Repeat("p", 201), awserr.CTInvalidS3Prefix},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, tc.check(tc.in), tc.code)
		})
	}
}

func TestCheckLookup(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		q     LookupQuery
		attrs int
		code  awserr.Code
	}{
		{"nothing", LookupQuery{}, 0, ""},
		{"each key", LookupQuery{HasAttribute: true, AttributeKey: AttrAccessKeyID, AttributeValue: "AKIA"}, 1, ""},
		{"two attributes", LookupQuery{HasAttribute: true, AttributeKey: AttrEventName, AttributeValue: "X"}, 2, awserr.CTInvalidLookupAttributes},
		{"lower-case key", LookupQuery{HasAttribute: true, AttributeKey: "eventname", AttributeValue: "X"}, 1, awserr.CTInvalidLookupAttributes},
		{"value too long", LookupQuery{HasAttribute: true, AttributeKey: AttrEventName, AttributeValue: strings.Repeat("v", 2001)}, 1, awserr.CTInvalidLookupAttributes},
		{"ReadOnly TRUE", LookupQuery{HasAttribute: true, AttributeKey: AttrReadOnly, AttributeValue: "TRUE"}, 1, awserr.CTInvalidLookupAttributes},
		{"insight by event name", LookupQuery{Category: CategoryInsight, HasAttribute: true, AttributeKey: AttrEventName, AttributeValue: "X"}, 1, ""},
		{"insight by access key", LookupQuery{Category: CategoryInsight, HasAttribute: true, AttributeKey: AttrAccessKeyID, AttributeValue: "X"}, 1, awserr.CTInvalidLookupAttributes},
		{"Insight (case)", LookupQuery{Category: "Insight"}, 0, awserr.CTInvalidEventCategory},
		{"page of 51", LookupQuery{Limit: 51}, 0, awserr.CTInvalidMaxResults},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, CheckLookup(&tc.q, tc.attrs), tc.code)
		})
	}
}
