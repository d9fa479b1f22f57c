package stsapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// record returns the JSON of account's newest record named name, with what differs on every run
// (eventID, eventTime, requestID, the SDK's userAgent) checked and removed.
func (r *rootEnv) record(t *testing.T, account, name string) map[string]any {
	t.Helper()
	r.Trail.Flush()
	p, err := trail.List(context.Background(), r.Store, trail.Query{Account: account, EventName: name, Newest: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) == 0 {
		t.Fatalf("got no %s record in account %s", name, account)
	}
	m := testutil.JSONObject(t, p.Events[0])
	for _, k := range []string{"eventID", "eventTime", "requestID", "userAgent"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("got %s %v, want one", k, m[k])
		}
		delete(m, k)
	}
	return m
}

// The records of root's API use: a call signed with a root access key, AssumeRoot (IAM User
// Guide, "Track privileged tasks in AWS CloudTrail"), and a call inside the privileged root
// session it opened, which CloudTrail writes as the member's root user, marked assumedRoot, with
// the principal that called AssumeRoot as the session's issuer.
func TestRootAPIRecords(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	ctx := context.Background()
	dev := r.CreateMember(r.m, "dev")
	admin, err := r.Svc.GetUser(ctx, r.Account.ID, "admin")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a root access key's call", func(t *testing.T) {
		root := r.RootOf(r.Account.ID)
		if _, err := root.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
			t.Fatal(err)
		}
		got := r.record(t, r.Account.ID, "GetAccountSummary")
		key, _ := got["userIdentity"].(map[string]any)["accessKeyId"].(string)
		testutil.WantJSON(t, got, `{"eventVersion": "1.08",
			"userIdentity": {"type": "Root", "principalId": "MGMT", "arn": "arn:aws:iam::MGMT:root", "accountId": "MGMT", "accessKeyId": "KEY"},
			"eventSource": "iam.amazonaws.com", "eventName": "GetAccountSummary", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
			"requestParameters": null, "responseElements": null, "readOnly": true,
			"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "MGMT", "eventCategory": "Management"}`,
			"MGMT", r.Account.ID, "KEY", key)
		if !strings.HasPrefix(key, "AKIA") {
			t.Fatalf("got accessKeyId %q, want the root's long-term key", key)
		}
	})

	out, err := r.m.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}, DurationSeconds: aws.Int32(600)})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	t.Run("AssumeRoot", func(t *testing.T) {
		testutil.WantJSON(t, r.record(t, r.Account.ID, "AssumeRoot"), `{"eventVersion": "1.08",
			"userIdentity": {"type": "IAMUser", "principalId": "ADMINID", "arn": "arn:aws:iam::MGMT:user/admin", "accountId": "MGMT", "accessKeyId": "ADMINKEY", "userName": "admin",
				"sessionContext": {"assumedRoot": "true"}},
			"eventSource": "sts.amazonaws.com", "eventName": "AssumeRoot", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
			"requestParameters": {"targetPrincipal": "DEV", "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}, "durationSeconds": 600},
			"responseElements": {"credentials": {"accessKeyId": "SESSIONKEY", "expiration": "EXPIRATION"}}, "readOnly": false,
			"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "MGMT", "eventCategory": "Management"}`,
			"MGMT", r.Account.ID, "ADMINID", admin.UserID, "ADMINKEY", r.AdminKey.AccessKeyID, "DEV", dev,
			"SESSIONKEY", *cr.AccessKeyId, "EXPIRATION", cr.Expiration.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
	})

	t.Run("AssumeRoot by a role session", func(t *testing.T) {
		// AWS's example record: the caller's role session, its issuer and attributes, and the mark.
		roleARN := r.Role("rootops", "arn:aws:iam::"+r.Account.ID+":root", "", true)
		ops := r.Assumed(r.m, roleARN, "JohnRole1")
		out, err := ops.STS.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(dev),
			TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskPrefix + "IAMAuditRootUserCredentials")}})
		if err != nil {
			t.Fatal(err)
		}
		got := r.record(t, r.Account.ID, "AssumeRoot")
		ui, _ := got["userIdentity"].(map[string]any)
		sc, _ := ui["sessionContext"].(map[string]any)
		created, _ := sc["attributes"].(map[string]any)["creationDate"].(string)
		key, _ := ui["accessKeyId"].(string)
		principal, _ := ui["principalId"].(string)
		roleID, _, _ := strings.Cut(principal, ":")
		testutil.WantJSON(t, got, `{"eventVersion": "1.08",
			"userIdentity": {"type": "AssumedRole", "principalId": "ROLEID:JohnRole1", "arn": "arn:aws:sts::MGMT:assumed-role/rootops/JohnRole1", "accountId": "MGMT", "accessKeyId": "OPSKEY",
				"sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "ROLEID", "arn": "arn:aws:iam::MGMT:role/rootops", "accountId": "MGMT", "userName": "rootops"},
					"attributes": {"creationDate": "CREATED", "mfaAuthenticated": "false"}, "assumedRoot": "true"}},
			"eventSource": "sts.amazonaws.com", "eventName": "AssumeRoot", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
			"requestParameters": {"targetPrincipal": "DEV", "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}},
			"responseElements": {"credentials": {"accessKeyId": "SESSIONKEY", "expiration": "EXPIRATION"}}, "readOnly": false,
			"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "MGMT", "eventCategory": "Management"}`,
			"MGMT", r.Account.ID, "ROLEID", roleID, "OPSKEY", key, "CREATED", created, "DEV", dev,
			"SESSIONKEY", *out.Credentials.AccessKeyId, "EXPIRATION", out.Credentials.Expiration.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		if !strings.HasPrefix(key, "ASIA") || created == "" || roleID == "" {
			t.Fatalf("got accessKeyId %q, creationDate %q, role ID %q; want the role session's", key, created, roleID)
		}
	})

	t.Run("a call inside the privileged root session", func(t *testing.T) {
		s := r.CallerFor(dev, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
		if _, err := s.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
			t.Fatal(err)
		}
		got := r.record(t, dev, "GetAccountSummary")
		sc, _ := got["userIdentity"].(map[string]any)["sessionContext"].(map[string]any)
		created, _ := sc["attributes"].(map[string]any)["creationDate"].(string)
		testutil.WantJSON(t, got, `{"eventVersion": "1.08",
			"userIdentity": {"type": "Root", "principalId": "DEV", "arn": "arn:aws:iam::DEV:root", "accountId": "DEV", "accessKeyId": "SESSIONKEY",
				"sessionContext": {"attributes": {"creationDate": "CREATED", "mfaAuthenticated": "false"},
					"sessionIssuer": {"type": "IAMUser", "principalId": "ADMINID", "arn": "arn:aws:iam::MGMT:user/admin", "accountId": "MGMT"},
					"assumedRoot": "true"}},
			"eventSource": "iam.amazonaws.com", "eventName": "GetAccountSummary", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
			"requestParameters": null, "responseElements": null, "readOnly": true,
			"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "DEV", "eventCategory": "Management"}`,
			"MGMT", r.Account.ID, "ADMINID", admin.UserID, "DEV", dev, "SESSIONKEY", *cr.AccessKeyId, "CREATED", created)
		if created == "" {
			t.Fatal("got no creationDate in the session's attributes")
		}
	})
}
