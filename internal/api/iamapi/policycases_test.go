package iamapi_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestPolicyGrammarCases runs the policy documents on which moto's AWS-verified tests record
// IAM's answer to CreatePolicy (getmoto/moto tests/test_iam/test_iam_policies.py, its invalid
// and valid document lists): each invalid one must be refused with MalformedPolicyDocument and
// AWS's message word for word, each valid one accepted. The documents are written here compactly
// from that list; the case names are Rootward's.
func TestPolicyGrammarCases(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	cases := []struct {
		name, doc, msg string // msg "" for a valid document
	}{
		{"not JSON", `This is not a json document`, "Syntax errors in policy."},
		{"no Version", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"Version 2008-10-17", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"Version 2013-10-17", `{"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"no Statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"a Statement that is a string", `{"Version":"2012-10-17","Statement":["afd"]}`, "Syntax errors in policy."},
		{"an extra top-level field", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},"Extra field":"value"}`, "Syntax errors in policy."},
		{"an extra statement field", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Extra field":"value"}}`, "Syntax errors in policy."},
		{"Id a list", `{"Version":"2012-10-17","Id":["cd3a"],"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Id an object", `{"Version":"2012-10-17","Id":{},"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Effect invalid", `{"Version":"2012-10-17","Statement":{"Effect":"invalid","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Action without vendor", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid","Resource":"arn:aws:s3:::example_bucket"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"empty NotAction", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket","NotAction":""}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"vendor with a space", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a a:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Vendor a a is not valid"},
		{"two colons", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Actions/Condition can contain only one colon."},
		{"two colons in a second statement", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, "Actions/Condition can contain only one colon."},
		{"Resource not an ARN", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}}`, "Resource invalid resource must be in ARN format or \"*\"."},
		{"Resource empty in two statements", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["account:EnableRegion"],"Resource":"","Condition":{"StringEquals":{"account:TargetRegion":"ap-east-1"}}},{"Sid":"B","Effect":"Allow","Action":["account:ListRegions"],"Resource":""}]}`, "Resource  must be in ARN format or \"*\"."},
		{"Resource not an ARN after a bad action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}}`, "Resource sdfsadf must be in ARN format or \"*\"."},
		{"Resource list not ARNs", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["adf"]}}`, "Resource adf must be in ARN format or \"*\"."},
		{"Resource empty", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}}`, "Resource  must be in ARN format or \"*\"."},
		{"partition of a two-part resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"a:bsdfdsafsad","NotAction":"s3s:ListBucket"}}`, "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."},
		{"partition of a three-part resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"a:b:cadfsdf","NotAction":"s3s:ListBucket"}}`, "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."},
		{"partition of an eight-part resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"a:b:c:d:e:f:g:h","NotAction":"s3s:ListBucket"}}`, "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
		{"resource without arn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}}`, "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."},
		{"partition error", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}}`, "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
		{"empty Statement list", `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
		{"no Resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket"}}`, "Policy statement must contain resources."},
		{"empty Resource list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}}`, "Policy statement must contain resources."},
		{"no Resource, bad Action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"no Action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy statement must contain actions."},
		{"no Effect", `{"Version":"2012-10-17","Statement":{"Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Effect alone", `{"Version":"2012-10-17","Statement":{"Effect":"Allow"}}`, "Policy statement must contain actions."},
		{"empty Action list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"arn:aws:s3:::example_bucket"}}`, "Policy statement must contain actions."},
		{"a Deny with nothing before a good statement", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, "Policy statement must contain actions."},
		{"IAM resource path", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}}`, "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."},
		// Not moto's: the account's root (sts:AssumeRoot's resource) and role sessions are IAM resource
		// types the Service Authorization Reference lists, though IAM's message does not name them.
		{"AssumeRoot on the account's root", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::111122223333:root"}}`, ""},
		{"a role session", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::111122223333:assumed-role/Admin/alice"}}`, ""},
		{"root with a suffix", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::111122223333:rootx"}}`, "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."},
		{"five-part S3 resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}}`, "The policy failed legacy parsing"},
		{"five-part S3 resource, no Action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}}`, "The policy failed legacy parsing"},
		{"arn:aws alone", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}}`, "Resource vendor must be fully qualified and cannot contain regexes."},
		{"Resource an object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"arn:aws:s3:::example_bucket"}}}`, "Syntax errors in policy."},
		{"Resource list with an object", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}}`, "Syntax errors in policy."},
		{"Resource and NotResource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket","NotAction":"s3:ListBucket","NotResource":[]}}`, "Syntax errors in policy."},
		{"Action a nested list", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":[[]],"Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Action and NotAction", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"arn:aws:s3:::example_bucket","NotAction":"s3s:ListBucket"}}`, "Syntax errors in policy."},
		{"Action an object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":{},"Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Condition a list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":[]}}`, "Syntax errors in policy."},
		{"Condition a string", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":"a"}}`, "Syntax errors in policy."},
		{"Condition operator with a string", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"a":"b"}}}`, "Syntax errors in policy."},
		{"Condition DateGreaterThan a string", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":"b"}}}`, "Syntax errors in policy."},
		{"Condition DateGreaterThan a list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":[]}}}`, "Syntax errors in policy."},
		{"Condition value an object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":{}}}}}`, "Syntax errors in policy."},
		{"Condition value an object, no Action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":{}}}}}`, "Syntax errors in policy."},
		{"unknown operator", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"x":{"a":"1"}}}}`, "Syntax errors in policy."},
		{"double-colon qualifier", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}}`, "Syntax errors in policy."},
		{"Condition a list of blocks", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":[{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}]}}`, "Syntax errors in policy."},
		{"IAM resource with a region", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}}`, "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"S3 resource with a region", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}}`, "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"Sid an object", `{"Version":"2012-10-17","Statement":{"Sid":{},"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"Sid a list", `{"Version":"2012-10-17","Statement":{"Sid":[],"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Syntax errors in policy."},
		{"duplicate Sids", `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"duplicate Sids, no Version", `{"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}]}`, "Policy document must be version 2012-10-17 or greater."},
		{"NotAction and Action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:dsf","Resource":"arn:aws:s3:::example_bucket","NotAction":"s3:ListBucket"}}`, "Syntax errors in policy."},
		{"Resource and NotResource *", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","NotResource":"*"}}`, "Syntax errors in policy."},
		{"Effect denY", `{"Version":"2012-10-17","Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "The policy failed legacy parsing"},
		{"a date that is not one", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "The policy failed legacy parsing"},
		{"a date that is not one, no Version", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "Policy document must be version 2012-10-17 or greater."},
		{"Effect denY, no Version", `{"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"a bad date, no Action nor Resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "The policy failed legacy parsing"},
		{"an ARN with an empty service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws::::example_bucket","NotAction":"s3:ListBucket"}}`, "The policy failed legacy parsing"},
		{"Effect allow, S3 region, no Action", `{"Version":"2012-10-17","Statement":{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}}`, "The policy failed legacy parsing"},
		{"Effect aLLow with duplicate Sids", `{"Version":"2012-10-17","Statement":[{"Effect":"aLLow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Sid":"sdf"},{"Sid":"sdf","Effect":"Allow"}]}`, "The policy failed legacy parsing"},
		{"NotResource five-part S3", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}}`, "The policy failed legacy parsing"},
		{"date 234-13", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"234-13"}}}}`, "The policy failed legacy parsing"},
		{"date with a one-digit hour and offset", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}}}`, "The policy failed legacy parsing"},
		{"date with ten fraction digits", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}}}`, "The policy failed legacy parsing"},
		{"epoch over int64", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThan":{"a":"9223372036854775808"}}}}`, "The policy failed legacy parsing"},
		{"partition error and a bad date", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "The policy failed legacy parsing"},
		{"arn:aws::fdsasf", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}}`, "The policy failed legacy parsing"},
		{"valid: Resource list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}}`, ""},
		{"valid: action with spaces", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: Resource list with *", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket","*"]}}`, ""},
		{"valid: Action *", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: Statement list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, ""},
		{"valid: any service prefix with dates", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}}`, ""},
		{"valid: fsx action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"fsx:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: IAM user resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::user/example_bucket"}}`, ""},
		{"valid: unknown service s33", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s33:::example_bucket"}}`, ""},
		{"valid: arn:aws:fdsasf", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}}`, ""},
		{"valid: empty Condition", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{}}}`, ""},
		{"valid: ForAllValues", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}}}`, ""},
		{"valid: cloudwatch with a region", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:cloudwatch:us-east-1::example_bucket"}}`, ""},
		{"valid: ec2 with a region", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:ec2:us-east-1::example_bucket"}}`, ""},
		{"valid: invalid-service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:::example_bucket"}}`, ""},
		{"valid: invalid-service with a region", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"}}`, ""},
		{"valid: DateGreaterThan with no keys", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{}}}}`, ""},
		{"valid: an empty condition value list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":[]}}}}`, ""},
		{"valid: an unknown operator with no keys", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"a":{}}}}`, ""},
		{"valid: NotAction", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket","NotAction":"s3:ListBucket"}}`, ""},
		{"valid: Deny with a NotResource list", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`, ""},
		{"valid: Id", `{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket","NotAction":"s3:ListBucket"}}`, ""},
		{"valid: a long vendor", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"aaaaaadsfdsafsadfsadfaaaaa:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: a vendor with a hyphen", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3-s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: a vendor with a dot", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3.s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"valid: NotAction and NotResource *", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}}`, ""},
		{"valid: one Sid, one statement without", `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, ""},
		{"valid: date 01T", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"01T"}}}}`, ""},
		{"valid: two unknown operators with no keys", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"x":{},"y":{}}}}`, ""},
		{"valid: IfExists", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"StringEqualsIfExists":{"a":"asf"}}}}`, ""},
		{"valid: ForAnyValue IfExists", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}}}`, ""},
		{"valid: date with Z", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2019-07-01T13:20:15Z"}}}}`, ""},
		{"valid: date with fraction and offset", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}}}`, ""},
		{"valid: date with a one-digit hour and +23", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}}}`, ""},
		{"valid: a negative year", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThan":{"a":"-292275054"}}}}`, ""},
		{"valid: ArnEquals on EC2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:AttachVolume","ec2:DetachVolume"],"Resource":["arn:aws:ec2:*:*:volume/*","arn:aws:ec2:*:*:instance/*"],"Condition":{"ArnEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:*:instance/instance-id"}}}]}`, ""},
		{"valid: placeholder region and account", `{"Version":"2012-10-17","Statement":[{"Sid":"StartStopIfTags","Effect":"Allow","Action":["ec2:StartInstances"],"Resource":"arn:aws:ec2:region:account-id:instance/*","Condition":{"StringEquals":{"ec2:ResourceTag/Project":"DataAnalytics","aws:PrincipalTag/Department":"Data"}}}]}`, ""},
		{"valid: Cognito policy variables", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::bucket-name"],"Condition":{"StringLike":{"s3:prefix":["cognito/application-name/${cognito-identity.amazonaws.com:sub}"]}}},{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*"]}]}`, ""},
		{"valid: an empty string among prefixes", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket-name","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:userid}/*"]}}}]}`, ""},
		{"valid: own credentials by user name", `{"Version":"2012-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},{"Sid":"Mfa","Effect":"Allow","Action":["iam:CreateVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},{"Sid":"DenyNoMFA","Effect":"Deny","NotAction":["iam:GetUser","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := aws.String("grammar-" + string(rune('a'+i/26)) + string(rune('a'+i%26)))
			_, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: name, PolicyDocument: aws.String(tc.doc)})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("CreatePolicy(%s) = %v, want it accepted", tc.doc, err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || ae.ErrorMessage() != tc.msg {
				t.Errorf("CreatePolicy(%s) = %v, want MalformedPolicyDocument %q", tc.doc, err, tc.msg)
			}
		})
	}
}
