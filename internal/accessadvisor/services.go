package accessadvisor

// serviceNames are the display names of the services whose namespaces a wildcard action expands
// to in a report: those Rootward serves and records in the trail, and the services most IAM
// policies name ("AWS services that work with IAM", IAM User Guide). A namespace outside it is
// reported under its own name.
var serviceNames = map[string]string{
	"iam":            "AWS Identity and Access Management",
	"sts":            "AWS Security Token Service",
	"organizations":  "AWS Organizations",
	"cloudtrail":     "AWS CloudTrail",
	"events":         "Amazon EventBridge",
	"sns":            "Amazon SNS",
	"guardduty":      "Amazon GuardDuty",
	"config":         "AWS Config",
	"securityhub":    "AWS Security Hub",
	"support":        "AWS Support",
	"account":        "AWS Account Management",
	"sso":            "AWS IAM Identity Center",
	"identitystore":  "AWS Identity Store",
	"s3":             "Amazon S3",
	"ec2":            "Amazon EC2",
	"lambda":         "AWS Lambda",
	"kms":            "AWS Key Management Service",
	"dynamodb":       "Amazon DynamoDB",
	"sqs":            "Amazon SQS",
	"logs":           "Amazon CloudWatch Logs",
	"cloudwatch":     "Amazon CloudWatch",
	"secretsmanager": "AWS Secrets Manager",
	"ssm":            "AWS Systems Manager",
	"cloudformation": "AWS CloudFormation",
	"ecr":            "Amazon Elastic Container Registry",
	"ecs":            "Amazon Elastic Container Service",
	"rds":            "Amazon RDS",
}

func serviceName(ns string) string {
	if n, ok := serviceNames[ns]; ok {
		return n
	}
	return ns
}
