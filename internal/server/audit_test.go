package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// Every authenticated call becomes a CloudTrail record; secrets never appear in it.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	_, _ = e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("audited"), Password: aws.String("Sup3r-Secret-Passw0rd!")})
	_, err := e.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("ghost")})
	testutil.WantCode(t, err, "NoSuchEntity")
	e.Trail.Flush()
	p, err := trail.List(context.Background(), e.Store, trail.Query{Account: e.Account.ID})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]trail.Event{}
	for _, ev := range p.Events {
		byName[ev.EventName] = ev
	}
	cu, ok := byName["CreateUser"]
	if !ok || cu.EventSource != "iam.amazonaws.com" || cu.EventType != "AwsApiCall" || cu.UserIdentity.Type != "IAMUser" ||
		cu.UserIdentity.UserName != "admin" || *cu.UserIdentity.AccessKeyID != e.AdminKey.AccessKeyID ||
		cu.RequestParameters["userName"] != "audited" || *cu.ReadOnly || cu.RecipientAccountID != e.Account.ID || cu.ErrorCode != "" {
		t.Fatalf("CreateUser event = %+v", cu)
	}
	if lp, ok := byName["CreateLoginProfile"]; !ok || lp.RequestParameters["password"] != trail.Hidden {
		t.Fatalf("CreateLoginProfile event = %+v", lp)
	}
	if gu, ok := byName["GetUser"]; !ok || gu.ErrorCode != "NoSuchEntity" || !*gu.ReadOnly {
		t.Fatalf("GetUser event = %+v", gu)
	}
}
