// Package cloudtrailapi is AWS CloudTrail over awsJson 1.1 (X-Amz-Target
// CloudTrail_20131101.<Op>, or com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op> from the
// AWS CLI): LookupEvents over the trail's
// event history (events.go), trails and their logging (trails.go), their tags (tags.go) and the
// digest signing keys (ListPublicKeys). Member names and shapes follow the CloudTrail API
// Reference and aws-sdk-go-v2 service/cloudtrail/types; timestamps are Timestamp seconds, the awsJson
// default. Every action is authorized as cloudtrail:<Op> on the resource and with the condition
// keys of the Service Authorization Reference ("Actions, resources, and condition keys for AWS
// CloudTrail", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html):
// the trail ARN for the actions on a trail (with aws:ResourceTag/*), "*" for LookupEvents,
// DescribeTrails, ListTrails and ListPublicKeys, aws:RequestTag/* and aws:TagKeys for the actions
// that tag.
package cloudtrailapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// TargetPrefix is the X-Amz-Target prefix of CloudTrail's operations as aws-sdk-go-v2 sends it;
// the AWS CLI (botocore's model) sends CLITargetPrefix.
const (
	TargetPrefix    = "CloudTrail_20131101"
	CLITargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns CloudTrail's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "cloudtrail", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix, TargetPrefixAliases: []string{CLITargetPrefix},
		// The generic codes raised below the service, renamed to CloudTrail's shape names:
		// AccessDeniedException (the value of OrgsAccessDenied) and, for a member the request
		// lacks or mistypes, InvalidParameterException (CloudTrail documents no
		// ValidationException; Rootward chose the shape its API Reference lists as "the request
		// includes a parameter that is not valid").
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    awserr.OrgsAccessDenied,
			awserr.ValidationError: awserr.CTInvalidParameter,
		},
		InvalidPageToken: func() error {
			return awserr.New(awserr.CTInvalidNextToken, "The NextToken is not valid: pass the token of the previous page of the same request.")
		},
		Ops: ops,
	}
}

// Timestamp is a timestamp in awsJson's default format: seconds since the epoch, a JSON number
// (fractions allowed).
type Timestamp time.Time

func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	sec := int64(f)
	*t = Timestamp(time.Unix(sec, int64((f-float64(sec))*1e9)).UTC())
	return nil
}

// timePtr is an optional Timestamp as a *time.Time.
func timePtr(e *Timestamp) *time.Time {
	if e == nil {
		return nil
	}
	t := time.Time(*e)
	return &t
}

// At is t as an optional member (LookupEventsInput's StartTime and EndTime).
func At(t time.Time) *Timestamp {
	ts := Timestamp(t)
	return &ts
}

func timestampPtr(t *time.Time) *Timestamp {
	if t == nil || t.IsZero() {
		return nil
	}
	e := Timestamp(*t)
	return &e
}
