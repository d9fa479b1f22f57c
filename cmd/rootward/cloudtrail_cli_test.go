package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLILookupEvents drives `aws cloudtrail lookup-events` at a started server: the CLI sends
// awsJson 1.1 with botocore's X-Amz-Target prefix and epoch-second times, reads the events with
// CloudTrailEvent as a JSON string, and prints CloudTrail's error codes.
func TestAWSCLILookupEvents(t *testing.T) {
	if _, err := exec.LookPath(awsPath()); err != nil {
		t.Skip("the AWS CLI is not installed (CI installs Debian's awscli): skipping the CLI test")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	defer s.stop(t)
	awsCLI(t, data, s.endpoint, "iam", "create-user", "--user-name", "carol")
	out := awsCLI(t, data, s.endpoint, "cloudtrail", "lookup-events", "--max-results", "5",
		"--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=carol")
	var got struct {
		Events []struct {
			EventName, EventSource, ReadOnly, Username, CloudTrailEvent string
			Resources                                                   []struct{ ResourceType, ResourceName string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("lookup-events printed %q: %v", out, err)
	}
	if len(got.Events) != 1 {
		t.Fatalf("lookup-events = %s, want carol's CreateUser", out)
	}
	ev := got.Events[0]
	if ev.EventName != "CreateUser" || ev.EventSource != "iam.amazonaws.com" || ev.ReadOnly != "false" || ev.Username != "admin" ||
		len(ev.Resources) != 1 || ev.Resources[0].ResourceType != "AWS::IAM::User" || ev.Resources[0].ResourceName != "carol" {
		t.Fatalf("event = %+v, want carol's CreateUser by admin", ev)
	}
	var rec struct {
		EventName         string         `json:"eventName"`
		RequestParameters map[string]any `json:"requestParameters"`
	}
	if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil || rec.EventName != "CreateUser" || rec.RequestParameters["userName"] != "carol" {
		t.Fatalf("CloudTrailEvent = %q (%v), want the CreateUser record", ev.CloudTrailEvent, err)
	}
	// A time range: the CLI sends epoch seconds.
	out = awsCLI(t, data, s.endpoint, "cloudtrail", "lookup-events", "--start-time", "2099-01-01T00:00:00Z",
		"--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser")
	if !strings.Contains(out, `"Events": []`) {
		t.Fatalf("lookup-events in the future = %s, want no events", out)
	}
	errs := []struct {
		args []string
		want string
	}{
		{[]string{"--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser", "AttributeKey=Username,AttributeValue=admin"}, "(InvalidLookupAttributesException)"},
		{[]string{"--start-time", "2026-02-01T00:00:00Z", "--end-time", "2026-01-01T00:00:00Z"}, "(InvalidTimeRangeException)"},
		{[]string{"--max-results", "51"}, "(InvalidMaxResultsException)"},
	}
	for _, tc := range errs {
		out, err := runAWSCLI(data, s.endpoint, append([]string{"cloudtrail", "lookup-events"}, tc.args...)...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("lookup-events %v: err %v, output %q; want a failure printing %s", tc.args, err, out, tc.want)
		}
	}
}
