package server_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// unservedClients calls one operation of each of two services Rootward does not serve, each
// through its own SDK client (one per protocol family), signing with the given credentials.
func unservedClients(url string, cr aws.Credentials) map[string]func(context.Context) error {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken),
		RetryMaxAttempts: 1,
		HTTPClient:       testutil.SDKHTTPClient(),
	}
	ep := aws.String(url)
	return map[string]func(context.Context) error{
		"s3": func(ctx context.Context) error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = ep; o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		},
		"sqs": func(ctx context.Context) error {
			_, err := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = ep }).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
	}
}

func TestUnservedProtocols(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	calls := unservedClients(e.URL, aws.Credentials{AccessKeyID: e.AdminKey.AccessKeyID, SecretAccessKey: e.AdminKey.Secret})
	cases := []struct {
		service, code, msg string
	}{
		{"s3", "NotImplemented", server.UnservedMessage("Amazon S3")},
		{"sqs", "UnknownOperationException", server.UnservedMessage("Amazon SQS")},
	}
	for _, tc := range cases {
		t.Run(tc.service, func(t *testing.T) {
			code, msg := testutil.APIError(t, calls[tc.service](ctx))
			if code != tc.code || msg != tc.msg {
				t.Fatalf("error = %s %q, want %s %q", code, msg, tc.code, tc.msg)
			}
		})
	}
}

// TestUnservedWire checks the error shapes on the wire, including protocols no SDK in
// go.mod speaks (ec2Query) and requests an older client sends (SQS in awsQuery, as the AWS CLI v1
// does).
func TestUnservedWire(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	cases := []struct {
		name, service, method, path string
		headers                     map[string]string
		body                        string
		status                      int
		contentType                 string
		want                        []string
	}{
		{"awsJson1_1 by X-Amz-Target", "logs", "POST", "/",
			map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"},
			"{}", 400, "application/x-amz-json-1.1", []string{`"__type":"UnknownOperationException"`, `"Message":"` + server.UnservedMessage("Amazon CloudWatch Logs") + `"`}},
		{"awsJson1_0 of an unknown service", "newservice", "POST", "/",
			map[string]string{"X-Amz-Target": "NewService.DoIt", "Content-Type": "application/x-amz-json-1.0"},
			"{}", 400, "application/x-amz-json-1.0", []string{`"__type":"UnknownOperationException"`, `Rootward does not serve the service \"newservice\"`}},
		{"SQS in awsQuery", "sqs", "POST", "/",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			"Action=ListQueues&Version=2012-11-05", 400, "text/xml", []string{"<ErrorResponse", "<Code>InvalidAction</Code>", "Rootward does not serve Amazon SQS", "<RequestId>"}},
		{"RDS in awsQuery", "rds", "POST", "/",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			"Action=DescribeDBInstances&Version=2014-10-31", 400, "text/xml", []string{"<Code>InvalidAction</Code>", "Rootward does not serve Amazon RDS"}},
		{"EC2 in ec2Query", "ec2", "POST", "/",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			"Action=DescribeInstances&Version=2016-11-15", 400, "text/xml;charset=UTF-8", []string{"<Response><Errors><Error><Code>InvalidAction</Code><Message>Rootward does not serve Amazon EC2", "<RequestID>"}},
		{"S3 PUT in restXml", "s3", "PUT", "/bucket/key", nil,
			"data", 501, "application/xml", []string{"<Error><Code>NotImplemented</Code><Message>Rootward does not serve Amazon S3", "<RequestId>"}},
		{"Lambda in restJson1", "lambda", "GET", "/2015-03-31/functions/", nil,
			"", 400, "application/json", []string{`{"message":"` + server.UnservedMessage("AWS Lambda") + `"}`}},
		{"an unknown REST service in restJson1", "newservice", "DELETE", "/things/1", nil,
			"", 400, "application/json", []string{`Rootward does not serve the service \"newservice\"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, b := send(e, t, req, tc.service, []byte(tc.body), true)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType {
				t.Fatalf("status %d, Content-Type %q; want %d %q (body %s)", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.contentType, b)
			}
			for _, w := range tc.want {
				if !bytes.Contains(b, []byte(w)) {
					t.Errorf("body %s does not contain %s", b, w)
				}
			}
			if strings.HasPrefix(tc.contentType, "application/json") && resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
				t.Errorf("X-Amzn-ErrorType = %q, want UnknownOperationException", resp.Header.Get("X-Amzn-Errortype"))
			}
		})
	}
}

// TestUnsignedJSONCallsGetJSON sends awsJson calls without a signature: the error comes before the
// credential scope names the service, and was awsQuery XML, which the JSON SDKs could not parse.
func TestUnsignedJSONCallsGetJSON(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient()}
	ep := aws.String(e.URL)
	calls := map[string]func() error{
		"organizations": func() error {
			_, err := organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = ep }).ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		},
		"cloudtrail": func() error {
			_, err := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = ep }).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
			return err
		},
		"sqs (awsJson 1.0)": func() error {
			_, err := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = ep }).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			code, msg := testutil.APIError(t, call())
			if code != "MissingAuthenticationToken" || msg != "Request is missing Authentication Token" {
				t.Fatalf("error = %s %q, want MissingAuthenticationToken %q", code, msg, "Request is missing Authentication Token")
			}
		})
	}
}
