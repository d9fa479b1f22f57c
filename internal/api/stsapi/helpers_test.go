package stsapi_test

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootward/rootward/internal/testutil"
)

const (
	invalidToken = "InvalidClientTokenId"
	explicitSCP  = "with an explicit deny in a service control policy"
)

// unservedClients calls an operation of Amazon S3 and of Amazon SQS, which Rootward does not
// serve, each through its own SDK client, signing with the given credentials.
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
