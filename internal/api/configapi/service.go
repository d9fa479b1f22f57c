// Package configapi is AWS Config over awsJson 1.1 (X-Amz-Target StarlingDoveService.<Op>, signing
// name "config"): AWS managed rules and their evaluation (rules.go), the compliance queries
// (compliance.go), organization rules and aggregators (org.go), and the configuration recorder and
// delivery channel (recorder.go), one typed operation per action over internal/config. Member
// names and shapes follow the AWS Config API Reference and aws-sdk-go-v2 service/configservice;
// timestamps are epoch seconds, the awsJson default.
//
// Authorization follows the Service Authorization Reference ("Actions, resources, and condition
// keys for AWS Config",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html): an
// action on rules is authorized on each named rule's ARN (arn:aws:config:REGION:ACCOUNT:config-rule/
// config-rule-ID), or on config-rule/* when it names none or names one that does not exist yet
// (PutConfigRule creating it; a name that does not exist is answered NoSuchConfigRuleException
// after authorization); an action on an aggregator on its ARN likewise; the compliance queries by
// resource, the organization rules and the recorder and delivery channel on "*".
package configapi

import (
	"errors"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/cloudtrailapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/config"
)

// TargetPrefix is the X-Amz-Target prefix of AWS Config's operations (the SDKs' and the AWS CLI's).
const TargetPrefix = "StarlingDoveService"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns AWS Config's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "config", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix,
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.OrgsAccessDenied,
			awserr.ValidationError: awserr.ConfigValidation,
		},
		InvalidPageToken: func() error {
			return awserr.New(awserr.CTInvalidNextToken, "The nextToken provided is invalid")
		},
		Ops: ops,
	}
}

// svc is the Config service of the call; an unset one is a wiring fault, answered as an internal
// error.
func svc(c *api.Call) (*config.Service, error) {
	if c.AWSConfig == nil {
		return nil, errNotWired
	}
	return c.AWSConfig, nil
}

var errNotWired = errors.New("configapi: no Config service in api.Deps")

// Timestamp is an epoch-seconds timestamp (cloudtrailapi's, the awsJson default).
type Timestamp = cloudtrailapi.Timestamp

func at(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := Timestamp(t)
	return &ts
}

// limit checks a Limit member (0..max; 0 or absent: def) and returns the page size. AWS Config
// answers InvalidLimitException for one out of range.
func limit(n *int32, max, def int) (int, error) {
	if n == nil || *n == 0 {
		return def, nil
	}
	if *n < 0 || int(*n) > max {
		return 0, awserr.New(awserr.ConfigInvalidLimit, "Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *n, max)
	}
	return int(*n), nil
}

// maxNames checks the length of a list of names.
func maxNames(member string, names []string, max int) error {
	if len(names) > max {
		return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", names, member, max)
	}
	return nil
}

func required(member string, v string) error {
	if v == "" {
		return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return nil
}

func next(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// onRules authorizes the action on each named rule's ARN, or on every rule when none is named.
func onRules(c *api.Call, names []string) error {
	s, err := svc(c)
	if err != nil {
		return err
	}
	arns := []string{config.RulesARN(c.Region, c.Account())}
	if len(names) > 0 {
		if arns, err = s.RuleARNs(c.Ctx, c.Account(), c.Region, names); err != nil {
			return err
		}
	}
	action := c.Service + ":" + c.Action
	for _, a := range arns {
		c.Resource = a
		if err := c.Authorize(action, a, nil); err != nil {
			return err
		}
	}
	return nil
}

// onAggregator authorizes the action on the named aggregator's ARN, or on every aggregator of the
// account when it does not exist (yet).
func onAggregator(c *api.Call, name string) error {
	s, err := svc(c)
	if err != nil {
		return err
	}
	resource := config.AggregatorsARN(c.Region, c.Account())
	if name != "" {
		p, err := s.Aggregators(c.Ctx, c.Account(), c.Region, []string{name}, "", 1)
		if err == nil && len(p.Items) == 1 {
			resource = p.Items[0].ARN
		}
	}
	c.Resource = resource
	return c.Authorize(c.Service+":"+c.Action, resource, nil)
}

func nameLength(member, v string, max int) error {
	return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, member, max)
}
