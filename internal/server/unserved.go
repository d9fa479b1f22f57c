package server

import (
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/sigv4"
)

// unservedService is an AWS service Rootward does not serve, as its clients reach it: the name a
// person knows it by and the protocol its SDK speaks, so that the refusal is an error the client
// parses and prints (the AWS CLI shows a body it cannot parse raw).
type unservedService struct {
	name  string
	proto awsproto.Protocol
}

// unservedServices are keyed by SigV4 signing name (the service of the credential scope), which is
// not always the endpoint prefix: IAM Identity Center's portal signs as "awsssoportal", its OIDC
// service as "sso-oauth", its admin API as "sso" and EventBridge as "events". Signing names and
// protocols are those of the aws-sdk-go-v2 clients (each service's auth.go, SetSigV4SigningName,
// and api_client.go, options.Protocol); s3, sqs, sso and ssooidc
// were read from the modules in go.mod, the others from the services' Smithy models (the
// aws.auth#sigv4 name and the protocol trait). A service missing here is still answered: see
// unservedProtocol.
var unservedServices = map[string]unservedService{
	"access-analyzer":      {"IAM Access Analyzer", awsproto.RestJSON1},
	"acm":                  {"AWS Certificate Manager", awsproto.AWSJSON11},
	"autoscaling":          {"Amazon EC2 Auto Scaling", awsproto.AWSQuery},
	"cloudformation":       {"AWS CloudFormation", awsproto.AWSQuery},
	"cloudfront":           {"Amazon CloudFront", awsproto.RestXML},
	"dynamodb":             {"Amazon DynamoDB", awsproto.AWSJSON10},
	"ec2":                  {"Amazon EC2", awsproto.EC2Query},
	"ecr":                  {"Amazon ECR", awsproto.AWSJSON11},
	"ecs":                  {"Amazon ECS", awsproto.AWSJSON11},
	"elasticloadbalancing": {"Elastic Load Balancing", awsproto.AWSQuery},
	"kms":                  {"AWS KMS", awsproto.AWSJSON11},
	"lambda":               {"AWS Lambda", awsproto.RestJSON1},
	"logs":                 {"Amazon CloudWatch Logs", awsproto.AWSJSON11},
	"monitoring":           {"Amazon CloudWatch", awsproto.AWSQuery},
	"rds":                  {"Amazon RDS", awsproto.AWSQuery},
	"route53":              {"Amazon Route 53", awsproto.RestXML},
	"s3":                   {"Amazon S3", awsproto.RestXML},
	"secretsmanager":       {"AWS Secrets Manager", awsproto.AWSJSON11},
	"sqs":                  {"Amazon SQS", awsproto.AWSJSON10},
	"ssm":                  {"AWS Systems Manager", awsproto.AWSJSON11},
}

// unservedProtocol is the protocol to answer a request for an unserved service in: what the
// request itself shows first, for services whose SDKs moved between protocols (SQS and CloudWatch
// from awsQuery to JSON; an older AWS CLI still sends awsQuery), then the table.
//   - An X-Amz-Target header is awsJson; its Content-Type says 1.0 or 1.1.
//   - A REST service of the table is REST: its paths and query strings are no Action.
//   - An Action parameter (form body or query string) is awsQuery, or ec2Query for EC2.
//   - Otherwise the table, and restJson1 for a service it does not know, the protocol of most
//     services AWS added in recent years.
func unservedProtocol(r *http.Request, body []byte, svc unservedService, known bool) awsproto.Protocol {
	if p, ok := jsonProtocol(r); ok {
		return p
	}
	if known && (svc.proto == awsproto.RestJSON1 || svc.proto == awsproto.RestXML) {
		return svc.proto
	}
	if hasAction(r, body) {
		if svc.proto == awsproto.EC2Query {
			return awsproto.EC2Query
		}
		return awsproto.AWSQuery
	}
	if known {
		return svc.proto
	}
	return awsproto.RestJSON1
}

// jsonProtocol reports whether r is an awsJson request (it names its operation in X-Amz-Target)
// and which version its Content-Type says.
func jsonProtocol(r *http.Request) (awsproto.Protocol, bool) {
	if r.Header.Get("X-Amz-Target") == "" {
		return 0, false
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == awsproto.ContentTypeJSON10 {
		return awsproto.AWSJSON10, true
	}
	return awsproto.AWSJSON11, true
}

// hasAction reports whether the request carries an awsQuery Action, in its query string or in a
// form-encoded body.
func hasAction(r *http.Request, body []byte) bool {
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && q.Get("Action") != "" {
		return true
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return false
	}
	q, err := url.ParseQuery(string(body))
	return err == nil && q.Get("Action") != ""
}

// unservedCode is the error code for an unserved service in each protocol, one the client's SDK
// reports as the error's code. AWS has no code for "this endpoint does not serve the service", so
// Rootward chose the code each protocol's services answer for a request they cannot route:
// InvalidAction (awsQuery, ec2Query), UnknownOperationException (awsJson, restJson1) and S3's
// NotImplemented (HTTP 501, which the SDKs and the AWS CLI do not retry: they retry 500, 502, 503
// and 504).
func unservedCode(p awsproto.Protocol) *awserr.Error {
	switch p {
	case awsproto.AWSJSON10, awsproto.AWSJSON11, awsproto.RestJSON1:
		return &awserr.Error{Code: "UnknownOperationException", Status: http.StatusBadRequest}
	case awsproto.RestXML:
		return &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented}
	}
	return &awserr.Error{Code: awserr.InvalidAction, Status: http.StatusBadRequest}
}

// unservedTask is a root task whose policy allows actions of a service Rootward does not serve:
// sts:AssumeRoot issues its session, but Rootward holds no resources the task could act on.
type unservedTask struct {
	task, what string
}

var unservedTasks = map[string]unservedTask{
	"s3":  {orgs.TaskS3UnlockBucketPolicy, "buckets whose policies"},
	"sqs": {orgs.TaskSQSUnlockQueuePolicy, "queues whose policies"},
}

// servedTitles are the services Rootward serves (internal/api/services.All; a test checks the two
// agree), by signing name, with the name the refusal of another service lists them under.
var servedTitles = []struct{ name, title string }{
	{"iam", "IAM"}, {"sts", "STS"}, {"organizations", "Organizations"}, {"cloudtrail", "CloudTrail"},
	{"events", "EventBridge"}, {"sns", "SNS"}, {"guardduty", "GuardDuty"}, {"account", "Account Management"},
	{"securityhub", "Security Hub"}, {"support", "Support"}, {"config", "AWS Config"},
	{"mpa", "Multi-party approval"},
	{"sso", "IAM Identity Center"}, {"identitystore", "Identity Store"},
	{"sso-oauth", "IAM Identity Center OIDC"}, {"awsssoportal", "IAM Identity Center portal"},
}

// UnservedMessage is the refusal of a service Rootward does not serve, name being the service as a
// person knows it ("Amazon S3"): "Rootward does not serve Amazon S3; it serves IAM, STS, … and AWS
// Config." The tests that assert the refusal build it here, so a new service changes servedTitles
// alone.
func UnservedMessage(name string) string {
	return "Rootward does not serve " + name + "; it serves " + servedList + "."
}

// servedList is servedTitles as a sentence's list: "IAM, STS, … and GuardDuty".
var servedList = func() string {
	var titles []string
	for _, t := range servedTitles {
		titles = append(titles, t.title)
	}
	return strings.Join(titles[:len(titles)-1], ", ") + " and " + titles[len(titles)-1]
}()

// refuseUnserved answers a request for a service Rootward does not serve, in the service's
// protocol (c.errProto is set for writeError). The message says only what is true for this caller:
// that Rootward does not serve the service, and, to a privileged root session of the S3 or SQS
// unlock task, why the task it was issued for cannot be done here. Only a request with a session
// token is authenticated to find that out, so a long-term key's last use is not recorded for a call
// Rootward did not serve; a request that does not authenticate gets the plain message.
func (s *Server) refuseUnserved(c *call, auth *sigv4.Auth) error {
	svc, known := unservedServices[auth.Service]
	p := unservedProtocol(c.r, c.body, svc, known)
	c.errProto = &p
	e := unservedCode(p)
	name := svc.name
	if !known {
		name = "the service " + quoteService(auth.Service)
	}
	e.Message = UnservedMessage(name)
	if t, ok := unservedTasks[auth.Service]; ok && auth.SecurityToken != "" {
		if id, err := s.authenticate(c, auth, c.body); err == nil && id.Session != nil && id.Session.AssumedRoot &&
			slices.ContainsFunc(id.Session.TaskPolicies, func(d iam.PolicyDoc) bool { return d.Label == orgs.TaskPolicyPrefix+t.task }) {
			e.Message = "Rootward does not serve " + name + ": this privileged root session's " + t.task +
				" task policy allows only " + name + " actions, and Rootward holds no " + t.what + " it could unlock."
		}
	}
	return e
}

// quoteService quotes a caller-chosen signing name for a message, keeping it short and printable.
func quoteService(name string) string {
	if len(name) > 64 {
		name = name[:64]
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' {
			return '?'
		}
		return r
	}, name) + `"`
}
