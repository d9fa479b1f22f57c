package policy

import (
	"fmt"
	"testing"
)

type condCase struct {
	name   string
	cond   string // JSON of the Condition block
	ctx    map[string][]string
	want   bool
	source string
}

// runConds evaluates each case as the condition of an Allow statement.
func runConds(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":%s}}`, tt.cond)
			p := mustParse(t, doc, KindIdentity)
			d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: "s3:GetObject", Resource: "*", Context: ctxOf(tt.ctx)})
			if d.Allowed() != tt.want {
				t.Fatalf("Allowed = %v, want %v (%s)", d.Allowed(), tt.want, tt.source)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	const src = "Condition operators page, String condition operators"
	runConds(t, []condCase{
		{"StringEquals match", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, map[string][]string{"aws:PrincipalTag/job-category": {"iamuser-admin"}}, true, src},
		{"StringEquals case-sensitive", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, map[string][]string{"aws:PrincipalTag/job-category": {"IAMUser-Admin"}}, false, src},
		{"StringEquals key name case-insensitive", `{"StringEquals":{"AWS:PRINCIPALTAG/job-category":"a"}}`, map[string][]string{"aws:principaltag/JOB-category": {"a"}}, true, "Condition element: key names are case-insensitive"},
		{"StringEquals star is literal", `{"StringEquals":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"home/x"}}, false, src},
		{"StringEquals several values OR", `{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}, true, "Creating a condition with multiple keys or values"},
		{"StringEquals missing key", `{"StringEquals":{"aws:username":"a"}}`, nil, false, src},
		{"StringNotEquals match", `{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, map[string][]string{"aws:RequestedRegion": {"ap-south-1"}}, true, src},
		{"StringNotEquals values are AND", `{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}, false, src},
		{"StringNotEquals missing key true", `{"StringNotEquals":{"aws:username":"a"}}`, nil, true, "negated operators are true when the key is absent"},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/name":"ALICE"}}`, map[string][]string{"aws:PrincipalTag/name": {"alice"}}, true, src},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/name":"ALICE"}}`, map[string][]string{"aws:PrincipalTag/name": {"alice"}}, false, src},
		{"StringLike prefix", `{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}`, map[string][]string{"s3:prefix": {"home/alice/docs"}, "aws:username": {"alice"}}, true, "Variables and tags page, s3:prefix example"},
		{"StringLike variable other user", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, map[string][]string{"s3:prefix": {"home/bob/docs"}, "aws:username": {"alice"}}, false, src},
		{"StringLike question mark", `{"StringLike":{"ec2:InstanceType":"t?.micro"}}`, map[string][]string{"ec2:InstanceType": {"t3.micro"}}, true, src},
		{"StringNotLike", `{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Dev"}}, true, src},
		{"StringNotLike matched", `{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/AdminX"}}, false, src},
		{"StringEquals variable value", `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, map[string][]string{"aws:ResourceTag/owner": {"alice"}, "aws:username": {"alice"}}, true, "Variables and tags page"},
		{"unresolved variable matches nothing", `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, map[string][]string{"aws:ResourceTag/owner": {""}}, false, "Policy variables with no value"},
		{"unresolved variable under negation", `{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, map[string][]string{"aws:ResourceTag/owner": {"x"}}, true, "Policy variables with no value"},
		{"StringEqualsIfExists missing", `{"StringEqualsIfExists":{"ec2:InstanceType":"t2.micro"}}`, nil, true, "...IfExists condition operators"},
		{"StringEqualsIfExists present mismatch", `{"StringEqualsIfExists":{"ec2:InstanceType":"t2.micro"}}`, map[string][]string{"ec2:InstanceType": {"m5.large"}}, false, "...IfExists condition operators"},
		{"number value as string", `{"StringEquals":{"s3:max-keys":10}}`, map[string][]string{"s3:max-keys": {"10"}}, true, "Condition values may be JSON numbers"},
		{"two keys AND", `{"StringEquals":{"aws:username":"a","aws:RequestedRegion":"us-east-1"}}`, map[string][]string{"aws:username": {"a"}, "aws:RequestedRegion": {"eu-west-1"}}, false, "Creating a condition with multiple keys or values"},
		{"two operators AND", `{"StringEquals":{"aws:username":"a"},"Bool":{"aws:SecureTransport":"true"}}`, map[string][]string{"aws:username": {"a"}, "aws:SecureTransport": {"true"}}, true, src},
	})
}

func TestSetOperators(t *testing.T) {
	const src = "Single-valued vs. multivalued context keys; Condition operators page, set operators"
	runConds(t, []condCase{
		{"ForAllValues all in set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, map[string][]string{"aws:TagKeys": {"environment"}}, true, src},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, map[string][]string{"aws:TagKeys": {"environment", "owner"}}, false, src},
		{"ForAllValues missing key true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, true, src},
		{"ForAllValues empty set true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, map[string][]string{"aws:TagKeys": {}}, true, src},
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, map[string][]string{"aws:TagKeys": {"owner", "cost-center"}}, true, src},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, map[string][]string{"aws:TagKeys": {"owner"}}, false, src},
		{"ForAnyValue missing false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, false, src},
		{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":"env*"}}`, map[string][]string{"aws:TagKeys": {"owner", "environment"}}, true, src},
		{"ForAllValues StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, true, src},
		{"ForAllValues StringNotEquals hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, map[string][]string{"aws:TagKeys": {"a", "secret"}}, false, src},
		{"ForAnyValue StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}`, map[string][]string{"aws:TagKeys": {"secret", "a"}}, true, src},
		{"plain operator multi-valued any", `{"StringEquals":{"aws:TagKeys":"b"}}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, true, "plain operators match when some request value matches"},
		{"plain negated multi-valued", `{"StringNotEquals":{"aws:TagKeys":"b"}}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, false, "negation of any match"},
	})
}

func TestNumericOperators(t *testing.T) {
	const src = "Condition operators page, Numeric condition operators (s3:max-keys example)"
	runConds(t, []condCase{
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"10"}}, true, src},
		{"NumericLessThanEquals over", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"11"}}, false, src},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":10}}`, map[string][]string{"s3:max-keys": {"9.5"}}, true, src},
		{"NumericEquals decimal", `{"NumericEquals":{"s3:max-keys":"1"}}`, map[string][]string{"s3:max-keys": {"1.0"}}, true, src},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":["1","2"]}}`, map[string][]string{"s3:max-keys": {"3"}}, true, src},
		{"NumericNotEquals hit", `{"NumericNotEquals":{"s3:max-keys":["1","2"]}}`, map[string][]string{"s3:max-keys": {"2"}}, false, src},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, map[string][]string{"aws:MultiFactorAuthAge": {"3601"}}, true, src},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, map[string][]string{"aws:MultiFactorAuthAge": {"3599"}}, false, src},
		{"NumericLessThan missing", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, nil, false, src},
		{"NumericLessThanIfExists missing", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, nil, true, src},
		{"request value not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"ten"}}, false, "un-evaluable value never allows"},
		{"negated with bad request value", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"ten"}}, false, "un-evaluable value never allows"},
	})
}

func TestDateOperators(t *testing.T) {
	const src = "Condition operators page, Date condition operators (aws:CurrentTime, aws:EpochTime)"
	runConds(t, []condCase{
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"}}`, map[string][]string{"aws:CurrentTime": {"2020-06-30T12:00:00Z"}}, true, src},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}`, map[string][]string{"aws:CurrentTime": {"2020-07-01T00:00:00Z"}}, false, src},
		{"date only", `{"DateLessThan":{"aws:CurrentTime":"2020-07-01"}}`, map[string][]string{"aws:CurrentTime": {"2020-06-30T23:59:59Z"}}, true, src},
		{"offset", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T02:00:00+02:00"}}`, map[string][]string{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, true, src},
		{"fractional seconds", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, map[string][]string{"aws:CurrentTime": {"2020-01-01T00:00:00.001Z"}}, true, src},
		{"epoch policy value", `{"DateGreaterThanEquals":{"aws:EpochTime":1577836800}}`, map[string][]string{"aws:EpochTime": {"1577836800"}}, true, src},
		{"epoch against ISO", `{"DateLessThan":{"aws:CurrentTime":"1577836800"}}`, map[string][]string{"aws:CurrentTime": {"2019-12-31T23:59:59Z"}}, true, src},
		{"DateNotEquals", `{"DateNotEquals":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`, map[string][]string{"aws:TokenIssueTime": {"2020-01-02T00:00:00Z"}}, true, src},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, map[string][]string{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, true, src},
		{"DateGreaterThanEquals before", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, map[string][]string{"aws:CurrentTime": {"2019-01-01T00:00:00Z"}}, false, src},
		{"bad request date", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}`, map[string][]string{"aws:CurrentTime": {"not a date"}}, false, "un-evaluable value never allows"},
		{"invalid day", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}`, map[string][]string{"aws:CurrentTime": {"2021-02-30"}}, false, "un-evaluable value never allows"},
	})
}

func TestBoolBinaryNullOperators(t *testing.T) {
	runConds(t, []condCase{
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, map[string][]string{"aws:SecureTransport": {"true"}}, true, "Boolean condition operators"},
		{"Bool JSON value", `{"Bool":{"aws:SecureTransport":true}}`, map[string][]string{"aws:SecureTransport": {"TRUE"}}, true, "Boolean condition operators"},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"true"}}`, map[string][]string{"aws:SecureTransport": {"false"}}, false, "Boolean condition operators"},
		{"Bool missing", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, nil, false, "aws:MultiFactorAuthPresent is absent for long-term keys"},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true, "...IfExists example for MFA"},
		{"BinaryEquals", `{"BinaryEquals":{"x:key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string][]string{"x:key": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true, "Binary condition operators"},
		{"BinaryEquals unpadded", `{"BinaryEquals":{"x:key":"YWI="}}`, map[string][]string{"x:key": {"YWI"}}, true, "Binary condition operators"},
		{"BinaryEquals differs", `{"BinaryEquals":{"x:key":"YWI="}}`, map[string][]string{"x:key": {"YWM="}}, false, "Binary condition operators"},
		{"Null true absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true, "Condition operator to check existence of condition keys"},
		{"Null true present", `{"Null":{"aws:TokenIssueTime":"true"}}`, map[string][]string{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, false, "Null operator"},
		{"Null false present", `{"Null":{"aws:TokenIssueTime":"false"}}`, map[string][]string{"aws:TokenIssueTime": {"x"}}, true, "Null operator"},
		{"Null false absent", `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false, "Null operator"},
		{"Null empty set is null", `{"Null":{"aws:TagKeys":"true"}}`, map[string][]string{"aws:TagKeys": {}}, true, "Null operator"},
	})
}

func TestIPAddressOperators(t *testing.T) {
	const src = "Condition operators page, IP address condition operators (203.0.113.0/24, 2001:DB8:1234:5678::/64)"
	runConds(t, []condCase{
		{"IPv4 in block", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, true, src},
		{"IPv4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string][]string{"aws:SourceIp": {"203.0.114.7"}}, false, src},
		{"IPv6 in block", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, map[string][]string{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true, src},
		{"IPv6 outside", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, map[string][]string{"aws:SourceIp": {"2001:db8:1234:5679::1"}}, false, src},
		{"mixed list", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, map[string][]string{"aws:SourceIp": {"2001:db8:1234:5678::9"}}, true, src},
		{"bare address", `{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}`, map[string][]string{"aws:SourceIp": {"192.0.2.1"}}, true, src},
		{"non-canonical block", `{"IpAddress":{"aws:SourceIp":"10.1.2.3/8"}}`, map[string][]string{"aws:SourceIp": {"10.200.0.1"}}, true, src},
		{"mapped IPv4", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string][]string{"aws:SourceIp": {"::ffff:203.0.113.9"}}, true, src},
		{"mapped block", `{"IpAddress":{"aws:SourceIp":"::ffff:203.0.113.0/120"}}`, map[string][]string{"aws:SourceIp": {"203.0.113.9"}}, true, src},
		{"short mapped block is IPv6", `{"IpAddress":{"aws:SourceIp":"::ffff:0:0/80"}}`, map[string][]string{"aws:SourceIp": {"::1"}}, true, src},
		{"short mapped block holds no IPv4", `{"IpAddress":{"aws:SourceIp":"::ffff:0:0/80"}}`, map[string][]string{"aws:SourceIp": {"10.0.0.1"}}, false, src},
		{"IPv4 /0 holds no IPv6", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, map[string][]string{"aws:SourceIp": {"2001:db8::1"}}, false, src},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, map[string][]string{"aws:SourceIp": {"198.51.100.1"}}, true, src},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, map[string][]string{"aws:SourceIp": {"192.0.2.10"}}, false, src},
		{"bad request address", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, map[string][]string{"aws:SourceIp": {"localhost"}}, false, "un-evaluable value never allows"},
	})
}

func TestArnOperators(t *testing.T) {
	const src = "Condition operators page, ARN condition operators (aws:SourceArn example)"
	runConds(t, []condCase{
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:REGION:123456789012:TOPIC-ID"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:sns:REGION:123456789012:TOPIC-ID"}}, true, src},
		{"ArnLike account wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:root"}}, true, "IAM User Guide, privileged root tasks: the root-deny SCP"},
		{"ArnLike not root", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:user/root"}}, false, src},
		{"ArnLike component wildcard", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-*"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::bucket-logs"}}, true, src},
		{"ArnLike case-sensitive", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::Bucket"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::bucket"}}, false, src},
		{"ArnEquals wildcard per component", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:t"}}, true, src},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::1:role/Dev"}}, true, src},
		{"ArnNotEquals hit", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::1:role/Admin"}}, false, src},
		{"ArnLike non-arn value", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, map[string][]string{"aws:SourceArn": {"bucket"}}, false, src},
		{"ArnLike variable", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::${aws:username}-*"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::alice-x"}, "aws:username": {"alice"}}, true, src},
		{"ArnNotLikeIfExists missing", `{"ArnNotLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::x"}}`, nil, true, src},
	})
}

func TestUnknownValueInDenyStillDenies(t *testing.T) {
	// A Deny whose condition cannot be evaluated applies: never fail open.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
	  {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}}]}`
	p := mustParse(t, doc, KindIdentity)
	d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: "iam:DeleteUser", Context: ctxOf(map[string][]string{"aws:MultiFactorAuthAge": {"soon"}})})
	if d.Effect != ExplicitDeny || d.Statement != 1 {
		t.Fatalf("decision %+v, want explicit deny by statement 1", d)
	}
}

func TestContext(t *testing.T) {
	var c Context
	c.Set("aws:PrincipalTag/Team", "red")
	c.Set("AWS:principaltag/team", "blue", "green")
	if v, ok := c.Get("aws:principaltag/TEAM"); !ok || len(v) != 2 || v[0] != "blue" {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	if keys := c.Keys(); len(keys) != 1 {
		t.Fatalf("Keys = %v", keys)
	}
	c.Reset()
	if _, ok := c.Get("aws:principaltag/team"); ok {
		t.Fatal("Reset kept a key")
	}
	c.Set("k:a")
	if v, ok := c.Get("K:A"); !ok || len(v) != 0 {
		t.Fatalf("empty key: %v %v", v, ok)
	}
	var nilCtx *Context
	if _, ok := nilCtx.Get("x"); ok {
		t.Fatal("nil context has keys")
	}
}
