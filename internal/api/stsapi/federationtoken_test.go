package stsapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

const fedUserPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession"],"Resource":"*"},
 {"Effect":"Allow","Action":["sns:ListTopics","sns:CreateTopic"],"Resource":"*"}]}`

func TestGetFederationToken(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	acct := e.Account.ID
	_, userSTS := e.UserClients("broker", fedUserPolicy)

	onlyList := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sns:ListTopics","sns:CreateTopic"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},{"Effect":"Deny","Action":"sns:CreateTopic","Resource":"*"}]}`
	out, err := userSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob@corp"), Policy: aws.String(onlyList),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:sts::" + acct + ":federated-user/bob@corp"
	if aws.ToString(out.FederatedUser.Arn) != wantARN || aws.ToString(out.FederatedUser.FederatedUserId) != acct+":bob@corp" {
		t.Fatalf("FederatedUser = %+v, want %s", out.FederatedUser, wantARN)
	}
	if got, want := out.Credentials.Expiration.Sub(clk.Now()), 12*time.Hour; got < want-time.Second || got > want+time.Second {
		t.Fatalf("default duration %v, want %v", got, want)
	}
	//lint:ignore SA1019 STS still answers PackedPolicySize, which this checks.
	if p := out.PackedPolicySize; p == nil || *p <= 0 {
		t.Fatalf("PackedPolicySize = %v, want a percentage", p)
	}
	cr := out.Credentials
	fed := e.CallerFor(acct, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	id, err := fed.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != acct+":bob@corp" || aws.ToString(id.Account) != acct {
		t.Fatalf("GetCallerIdentity = %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}
	snsOf := func(cr *ststypes.Credentials) *sns.Client {
		return sns.NewFromConfig(e.Config(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	}
	// The intersection: the user's policy and the session's both allow ListTopics (with the
	// session tag as principal tag); the session policy denies CreateTopic, which the user may.
	if _, err := snsOf(cr).ListTopics(ctx, &sns.ListTopicsInput{}); err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	_, err = snsOf(cr).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	testutil.WantCode(t, err, "AuthorizationError") // SNS's AccessDenied
	_, err = fed.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
	_, err = fed.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	testutil.WantCode(t, err, "AccessDenied")

	// Without a session policy, a federated user may do nothing.
	bare, err := userSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("nobody"), DurationSeconds: aws.Int32(129600)})
	if err != nil {
		t.Fatal(err)
	}
	if got := bare.Credentials.Expiration.Sub(clk.Now()); got < 36*time.Hour-time.Second {
		t.Fatalf("duration %v, want 36h", got)
	}
	_, err = snsOf(bare.Credentials).ListTopics(ctx, &sns.ListTopicsInput{})
	testutil.WantCode(t, err, "AuthorizationError")

	// The root user may, for an hour at most.
	root := e.RootOf(acct)
	rootOut, err := root.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("rootfed"), DurationSeconds: aws.Int32(7200),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rootOut.Credentials.Expiration.Sub(clk.Now()); got > time.Hour+time.Second {
		t.Fatalf("root federation duration %v, want at most 1h", got)
	}
	if _, err := snsOf(rootOut.Credentials).ListTopics(ctx, &sns.ListTopicsInput{}); err != nil {
		t.Fatalf("root's federated user with AdministratorAccess: %v", err)
	}

	roleARN := e.Role("fedrole", "arn:aws:iam::"+acct+":user/admin", fedUserPolicy, false)
	roleCaller := e.Assumed(e.Admin(), roleARN, "sess")
	_, noPermSTS := e.UserClients("noperm", "")
	for _, tc := range []struct {
		name   string
		client *sts.Client
		in     sts.GetFederationTokenInput
		code   string
		msg    string
	}{
		{"short name", userSTS, sts.GetFederationTokenInput{Name: aws.String("b")}, "ValidationError", ""},
		{"bad name", userSTS, sts.GetFederationTokenInput{Name: aws.String("bob smith")}, "ValidationError", ""},
		{"too long", userSTS, sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(129601)}, "ValidationError", ""},
		{"too short", userSTS, sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(899)}, "ValidationError", ""},
		{"bad policy", userSTS, sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(`{"Version":"2012-10-17"}`)}, "MalformedPolicyDocument", ""},
		{"role session", roleCaller.STS, sts.GetFederationTokenInput{Name: aws.String("bob")}, "AccessDenied", "Cannot call GetFederationToken with session credentials"},
		{"federated session", fed.STS, sts.GetFederationTokenInput{Name: aws.String("bob")}, "AccessDenied", "Cannot call GetFederationToken with session credentials"},
		{"no permission", noPermSTS, sts.GetFederationTokenInput{Name: aws.String("bob")}, "AccessDenied", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.GetFederationToken(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.msg != "" && testutil.ErrorMessage(err) != tc.msg {
				t.Fatalf("message %q, want %q", testutil.ErrorMessage(err), tc.msg)
			}
		})
	}

	e.Trail.Flush()
	p, err := trail.List(context.Background(), e.Store, trail.Query{Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	var sawFed, sawIssue bool
	for _, ev := range p.Events {
		u := ev.UserIdentity
		switch {
		case ev.EventName == "ListTopics" && u.Type == "FederatedUser" && u.ARN == wantARN:
			sc := u.SessionContext
			if sc == nil || sc.SessionIssuer == nil || sc.SessionIssuer.Type != "IAMUser" || sc.SessionIssuer.UserName != "broker" || u.PrincipalID != acct+":bob@corp" {
				t.Fatalf("federated userIdentity = %+v (sessionContext %+v)", u, sc)
			}
			sawFed = true
		case ev.EventName == "GetFederationToken" && ev.ErrorCode == "" && u.Type == "IAMUser":
			sawIssue = true
		}
	}
	if !sawFed || !sawIssue {
		t.Fatalf("trail: federated call recorded %v, GetFederationToken recorded %v; want both", sawFed, sawIssue)
	}
}
