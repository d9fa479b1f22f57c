package iamapi_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestPolicyGrammarParity: the policy-grammar cases of the IAM User Guide's grammar on which
// moto's AWS-checked tests (getmoto/moto tests/test_iam/test_iam_policies.py) record IAM's
// answer: a managed policy needs Version 2012-10-17 (an inline one does not), IAM and S3 bucket
// resource ARNs carry no region, condition keys need no service prefix, an unknown condition
// operator is a syntax error and an unreadable date fails legacy parsing — each refusal with
// AWS's code and message word for word.
func TestPolicyGrammarParity(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("grammar")}); err != nil {
		t.Fatal(err)
	}
	base, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("base"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	const (
		noVersion     = `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
		version2008   = `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
		versionMsg    = "Policy document must be version 2012-10-17 or greater."
		iamRegion     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}}`
		s3Region      = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3:us-east-1::example_bucket"}}`
		accessPoint   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/*"}}`
		ec2Region     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:ec2:us-east-1::example_bucket"}}`
		unprefixedKey = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":"2017-07-01T00:00:00Z"},"StringEquals":{"username":"x"}}}}`
		badOperator   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"x":{"a":"1"}}}}`
		badDate       = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`
	)
	createPolicy := func(doc string) error {
		_, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		if err == nil {
			_, err = e.IAM.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::" + e.Account.ID + ":policy/p")})
		}
		return err
	}
	createVersion := func(doc string) error {
		_, err := e.IAM.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: base.Policy.Arn, PolicyDocument: aws.String(doc)})
		if err == nil {
			_, err = e.IAM.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: base.Policy.Arn, VersionId: aws.String("v2")})
		}
		return err
	}
	putInline := func(doc string) error {
		_, err := e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("grammar"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		return err
	}
	for _, tc := range []struct {
		name string
		call func(string) error
		doc  string
		msg  string // "" when accepted
	}{
		{"managed without version", createPolicy, noVersion, versionMsg},
		{"managed 2008", createPolicy, version2008, versionMsg},
		{"managed version before legacy parsing", createPolicy, `{"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, versionMsg},
		{"managed syntax before version", createPolicy, "This is not a json document", "Syntax errors in policy."},
		{"policy version without version", createVersion, noVersion, versionMsg},
		{"inline without version", putInline, noVersion, ""},
		{"inline 2008", putInline, version2008, ""},
		{"iam resource with region", createPolicy, iamRegion, "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"iam resource with region inline", putInline, iamRegion, "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"s3 resource with region", putInline, s3Region, "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"s3 access point with region", createPolicy, accessPoint, ""},
		{"other service with region", createPolicy, ec2Region, ""},
		{"condition keys without prefix", createPolicy, unprefixedKey, ""},
		{"unknown condition operator", createPolicy, badOperator, "Syntax errors in policy."},
		{"unreadable date", putInline, badDate, "The policy failed legacy parsing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(tc.doc)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || ae.ErrorMessage() != tc.msg {
				t.Fatalf("got %v, want MalformedPolicyDocument %q", err, tc.msg)
			}
		})
	}
}
